"""Where the hall kernel's time goes: `python benchmarks/kernel.py [--profile]`.

Runs the district hall's windows (its matters without their approval chains, 70 days, as
``run.py``'s ``kernel_speedup``) back to back on the SimPy engine, the kernel's pure-Python
loop and its compiled loop (when built and fresh: ``make kernel``), and prints the CPU
seconds, microseconds per ticket and speed-ups, with the load. ``--profile`` adds a
cProfile of the loop that runs (for the compiled one it shows only the Python it calls:
for the rest use ``perf record`` on this script).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simlib.engine import simulate
from simlib.engine.kernel import hall, loop
from simlib.files import load_scenario
from simlib.scenario import Scenario


def district_windows(days: int = 70) -> Scenario:
    base = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "new_district.yaml")
    return base.model_copy(
        update={
            "matters": [m.model_copy(update={"chain": []}) for m in base.matters],
            "horizon": base.horizon.model_copy(update={"days": days}),
        }
    )


def main(profile: bool = False, repeats: int = 3) -> None:
    scenario = district_windows()
    compiled, why = hall.compiled_loop()
    runs = {
        "SimPy engine": lambda: simulate(scenario, 1, detail="kpi", engine="simpy"),
        "kernel, pure Python": lambda: loop.run_hall(scenario, 1, "kpi"),
    }
    if compiled is not None:
        runs["kernel, compiled"] = lambda: compiled.run_hall(scenario, 1, "kpi")
    else:
        print(f"compiled kernel: {why}")
    one, five, _ = os.getloadavg()
    print(f"load average at the start {one:.2f} (1 min), {five:.2f} (5 min)")
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    tickets = 0
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.process_time()
            records = run()
            seconds[name].append(time.process_time() - start)
            tickets = len(records.arrays("visits")["case"])
    simpy = min(seconds["SimPy engine"])
    print(f"{tickets} tickets; best of {repeats} back-to-back rounds, CPU seconds")
    for name, values in seconds.items():
        best = min(values)
        print(
            f"{name:<22}{best:>8.3f} s {best / tickets * 1e6:>7.2f} µs/ticket"
            f"  speed-up {simpy / best:>5.2f}x"
        )
    one, five, _ = os.getloadavg()
    print(f"load average at the end {one:.2f} (1 min), {five:.2f} (5 min)")
    if profile:
        chosen = hall.which_loop()
        cProfile.runctx("chosen.run_hall(scenario, 1, 'kpi')", globals(), locals(), "kernel.prof")
        pstats.Stats("kernel.prof").sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main(profile="--profile" in sys.argv)
