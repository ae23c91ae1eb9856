"""Staffing optimisation of the district hall's seven window pools by the hour.

`make bench-optimize` (also the last part of `make bench`). Runs
``scenarios/optimize_market_windows.yaml`` on 2 worker processes and prints the wall time,
the staffings evaluated and the simulation runs, against what an exhaustive grid over the
same decisions would need (one evaluation per combination of officers per pool and hour).
Targets: <= 10 minutes on 2 cores, <= 5 % of the grid's evaluations.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simlib.experiment.runner import process_pool
from simlib.optimize.output import result_json
from simlib.optimize.search import optimize
from simlib.optimize.spec import load_optimization

SPEC = Path(__file__).resolve().parent.parent / "scenarios" / "optimize_market_windows.yaml"


def main(workers: int = 2) -> dict:
    opt = load_optimization(SPEC)
    hours = len(__import__("simlib.optimize.offered", fromlist=["open_hours"]).open_hours(opt.base))
    grid_log10 = sum(hours * math.log10(d.high - d.low + 1) for d in opt.by_hour) + sum(
        math.log10(d.high - d.low + 1) for d in opt.levels
    )
    start = time.perf_counter()
    with process_pool(workers) as pool, tempfile.TemporaryDirectory() as out:
        result = optimize(opt, executor=pool, out=out)
    seconds = time.perf_counter() - start
    data = result_json(result)
    obj = data["best"]["objective"] if data["best"] else {}
    share = data["evaluations"] / 10**grid_log10
    print(f"optimize {SPEC.name}: {len(opt.by_hour)} pools x {hours} hours by the hour")
    print(
        f"  wall {seconds:.0f} s on {workers} workers (target <= 600 s); "
        f"{data['evaluations']} staffings evaluated, {data['runs']} simulation runs"
    )
    print(
        f"  exhaustive grid: 10^{grid_log10:.0f} staffings; evaluated share {share:.1e} "
        f"(target <= 5 %)"
    )
    print(
        f"  feasible with {opt.confidence:.0%} confidence: {data['feasible']}; officer-hours "
        f"per working day {obj.get('officer_hours', float('nan')):.0f} "
        f"(today {obj.get('officer_hours_today', float('nan')):.0f})"
    )
    if result.best is not None:
        for pool, needs in result.best.hourly:
            print(f"  {pool:<20} by hour: {list(needs)}")
    for c in data["one_step_cheaper"]:
        print(f"  one step cheaper ({c['change']}): {c['verdict']}")
    return {"seconds": seconds, **data}


if __name__ == "__main__":
    main()
