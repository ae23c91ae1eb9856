"""The green approval study at 10 replications, sequentially and on 2 worker processes.

`make bench-study` (about 15 minutes on 2 cores). Prints seconds, runs and the speed-up;
the two results are checked to be identical (they depend only on scenario and seed).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simlib import load_study
from simlib.experiment.compare import compare


def main(reps: int = 10) -> None:
    study = load_study(Path(__file__).resolve().parent.parent / "scenarios" / "green_approval.yaml")
    timings = {}
    runs = {}
    for workers in (1, 2):
        start = time.perf_counter()
        result = compare(study.baseline, study.variants, reps, study.seed, study.stack, workers)
        timings[workers] = time.perf_counter() - start
        runs[workers] = result.runs.drop(columns="seconds")
    same = runs[1].equals(runs[2])
    n = len(runs[1])
    print(f"green approval study, {reps} replications, {n} runs (baseline, 10 alone, 10 stacked)")
    print(
        f"sequential {timings[1]:.0f} s, 2 workers {timings[2]:.0f} s, "
        f"speed-up {timings[1] / timings[2]:.2f}x"
    )
    print(f"identical results on 1 and 2 workers: {same}")


if __name__ == "__main__":
    main()
