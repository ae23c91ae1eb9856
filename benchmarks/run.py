"""simlib benchmarks: `make bench` prints one table, every figure measured in this run.

* M/M/10 at rho = 0.9, 200,000 customers: the engine vs the textbook SimPy model.
* A 3-pool tandem (window, then two back-office steps), 100,000 customers: same.
  Target: simlib no slower than the textbook model (ratio <= 1.0).
* A simulated year (365 days, about 250 working days) of the baseline hall
  ``scenarios/new_district.yaml``, with full records and with KPIs only, each in a fresh
  process: seconds, peak memory of the process, bytes of records per case.
  Targets: <= 15 s, <= 300 bytes per case.
* Ciw (when installed: ``pip install -e '.[bench]'``) on the same M/M/10.
  Target: Ciw at least 3x slower than simlib.
* Sweep speed-up: 8 runs of the baseline hall sequentially vs a 2-process pool (pool
  start-up included). Target >= 1.8x. And the Dask overhead per run: the same 8 runs on a
  2-worker local Dask cluster vs the process pool.
Timings are wall-clock seconds of one run; run on an otherwise idle machine.
"""

from __future__ import annotations

import multiprocessing as mp
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.textbook import tandem
from simlib.engine import simulate
from simlib.scenario import scenario_from_dict

ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _scenario(lam_per_min: float, means: list[float], servers: list[int], customers: int) -> object:
    days = customers / (lam_per_min * 1440)
    pools = {f"p{k}": {"count": c} for k, c in enumerate(servers)}
    chain = [
        {"id": f"s{k}", "pool": f"p{k}", "time": {"dist": "exponential", "mean": m}}
        for k, m in enumerate(means[1:], start=1)
    ]
    return scenario_from_dict(
        {
            "name": "bench",
            "horizon": {"days": max(1, round(days)), "warmup_days": 0},
            "calendar": {"workdays": ALL_WEEK, "hours": ["00:00-24:00"]},
            "pools": pools,
            "matters": [
                {
                    "id": "m",
                    "arrivals": {"per_hour": lam_per_min * 60},
                    "acceptance": {"pool": "p0", "time": {"dist": "exponential", "mean": means[0]}},
                    "chain": chain,
                }
            ],
        }
    )


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(label: str, lam: float, means: list[float], servers: list[int], customers: int) -> dict:
    scenario = _scenario(lam, means, servers, customers)
    records = None

    def ours() -> None:
        nonlocal records
        records = simulate(scenario, 1, detail="kpi")

    t_ours = _time(ours)
    n_ours = len(records.cases)
    t_book = _time(lambda: tandem(lam, means, servers, customers, 1))
    return {
        "benchmark": label,
        "simlib s": t_ours,
        "simlib cust/s": n_ours / t_ours,
        "textbook s": t_book,
        "textbook cust/s": customers / t_book,
        "ratio": (t_ours / n_ours) / (t_book / customers),
    }


def _year_worker(detail: str, queue: mp.Queue) -> None:
    from simlib.scenario import load_scenario

    base = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "new_district.yaml")
    scenario = base.model_copy(update={"horizon": base.horizon.model_copy(update={"days": 365})})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    records = simulate(scenario, 1, detail=detail)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = len(records.arrays("cases")["arrival"])
    queue.put((seconds, n, records.nbytes() / n, peak / 1024, (peak - before) / 1024))


def year(detail: str) -> tuple[float, int, float, float, float]:
    """A year of the baseline hall in a fresh process (so peak memory is this run's)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_year_worker, args=(detail, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def ciw_mm10(customers: int) -> float | None:
    """Seconds for Ciw to serve ``customers`` through the same M/M/10 (None if not installed)."""
    try:
        import ciw
    except ImportError:
        return None
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(0.9)],
        service_distributions=[ciw.dists.Exponential(0.1)],
        number_of_servers=[10],
    )
    ciw.seed(1)  # Ciw's own global seed: only here, in the benchmark
    start = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(customers, method="Finish")
    return time.perf_counter() - start


def sweep_speedup(runs: int = 8) -> dict[str, float]:
    from simlib import load_scenario
    from simlib.experiment.core import Job, evaluate, replication_seed
    from simlib.experiment.runner import process_pool

    base = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "new_district.yaml")
    jobs = [Job(base, replication_seed(1, i)) for i in range(runs)]
    t0 = time.perf_counter()
    list(evaluate(jobs))
    sequential = time.perf_counter() - t0
    t0 = time.perf_counter()
    with process_pool(2) as pool:
        list(evaluate(jobs, pool))
    pooled = time.perf_counter() - t0
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
        ) as c,
        Client(c) as client,
    ):
        list(evaluate(jobs, client.get_executor()))
    dask = time.perf_counter() - t0
    return {"sequential": sequential, "pool": pooled, "dask": dask, "runs": runs}


def main() -> None:
    rows = [
        compare("M/M/10 rho=0.9, 200k customers", 0.9, [10.0], [10], 200_000),
        compare("tandem 3 pools, 100k customers", 0.9, [10.0, 5.0, 8.0], [10, 5, 8], 100_000),
    ]
    print(f"simlib benchmarks — Python {platform.python_version()} on {platform.machine()}")
    head = ("benchmark", "simlib s", "cust/s", "textbook s", "cust/s", "ratio")
    print(f"{head[0]:<34}{head[1]:>10}{head[2]:>10}{head[3]:>12}{head[4]:>10}{head[5]:>8}  target")
    for r in rows:
        ok = "ok" if r["ratio"] <= 1.0 else "MISSED"
        print(
            f"{r['benchmark']:<34}{r['simlib s']:>10.2f}{r['simlib cust/s']:>10.0f}"
            f"{r['textbook s']:>12.2f}{r['textbook cust/s']:>10.0f}{r['ratio']:>8.2f}  <= 1.0 {ok}"
        )
    print("ratio = simlib seconds per customer / textbook seconds per customer")
    ciw_seconds = ciw_mm10(200_000)
    if ciw_seconds is None:
        print("Ciw: not installed (pip install -e '.[bench]')")
    else:
        factor = ciw_seconds / rows[0]["simlib s"]
        ok = "ok" if factor >= 3 else "MISSED"
        print(
            f"Ciw M/M/10, 200k customers: {ciw_seconds:.2f} s = {factor:.1f}x simlib "
            f"(target >= 3x) {ok}"
        )
    print()
    head = ("baseline hall, 365 days", "seconds", "cases", "B/case", "peak MB")
    print(f"{head[0]:<34}{head[1]:>10}{head[2]:>10}{head[3]:>10}{head[4]:>10}  target")
    for detail in ("full", "kpi"):
        seconds, n, per_case, peak, _grown = year(detail)
        ok = "ok" if seconds <= 15 and per_case <= 300 else "MISSED"
        print(
            f"{'records: ' + detail:<34}{seconds:>10.2f}{n:>10}{per_case:>10.0f}{peak:>10.0f}"
            f"  <= 15 s, <= 300 B/case {ok}"
        )
    print()
    s = sweep_speedup()
    speedup = s["sequential"] / s["pool"]
    ok = "ok" if speedup >= 1.8 else "MISSED"
    print(
        f"sweep of {s['runs']} baseline runs: sequential {s['sequential']:.1f} s, 2-process pool "
        f"{s['pool']:.1f} s (speed-up {speedup:.2f}x, target >= 1.8x {ok}), local Dask 2 workers "
        f"{s['dask']:.1f} s (overhead {(s['dask'] - s['pool']) / s['runs']:+.2f} s per run "
        "vs the pool)"
    )


if __name__ == "__main__":
    main()
