"""``simlib``: the command line (DESIGN §9).

Bad input exits with status 2 and a short message on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from simlib.checks import warnings_for
from simlib.experiment import Replications, replicate
from simlib.metrics import CASE_KPIS, POOL_KPIS
from simlib.scenario import Scenario, ScenarioError, load_scenario, read_yaml

__all__ = ["main"]

UNITS = {
    "cases_arrived": "cases",
    "cases_completed": "cases",
    "throughput_per_day": "decisions / working day",
    "hall_wait_mean_min": "min",
    "hall_wait_p90_min": "min",
    "lead_time_mean_days": "working days",
    "lead_time_p90_days": "working days",
    "on_time_rate": "share",
    "visits_per_case": "visits",
    "abandon_rate": "share",
    "revoked_rate": "share",
    "utilization": "share",
    "queue_wait_mean_min": "min",
}


class UsageError(Exception):
    """A mistake in how simlib was called (exit status 2)."""


def demo_scenario() -> Scenario:
    """The built-in demo hall shipped with the package."""
    return load_scenario(Path(__file__).parent / "data" / "demo_hall.yaml")


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


def kpi_table(result: Replications) -> str:
    """The KPI summary as aligned text: KPI, mean, 95 % CI, unit."""
    summary = result.summary()
    lines = []
    header = f"{'KPI':<40} {'mean':>10}  {'95% CI':<23} unit"
    lines.append(header)
    lines.append("-" * len(header))

    def row(label: str, key: str, unit: str) -> None:
        s = summary.loc[key]
        ci = (
            "n/a" if not math.isfinite(s.ci95_low) else f"[{_fmt(s.ci95_low)}, {_fmt(s.ci95_high)}]"
        )
        lines.append(f"{label:<40} {_fmt(s['mean']):>10}  {ci:<23} {unit}")

    for name in CASE_KPIS:
        row(name, name, UNITS[name])
    for name in POOL_KPIS:
        for pool in result.scenario.pools:
            row(f"{name}[{pool}]", f"{name}[{pool}]", UNITS[name])
    n = len(result.runs)
    lines.append(f"\n{n} replication(s), seed {result.seed}; means over runs, Student-t 95% CI.")
    return "\n".join(lines)


def _progress(enabled: bool, total: int):
    """A tqdm bar on stderr, or None when quiet."""
    if not enabled:
        return None, lambda done, n: None
    from tqdm import tqdm

    bar = tqdm(
        total=total, unit="run", desc="replications", file=sys.stderr, leave=False, delay=2.0
    )
    return bar, lambda done, n: bar.update(1)


def _load(path: str) -> Scenario:
    data, _ = read_yaml(path)
    for key in ("study", "sweep"):
        if key in data:
            raise UsageError(
                f"{path}: this is a {key} file; `simlib run` and `simlib validate` take scenario "
                f"files here ({key} files are not supported by this version yet)"
            )
    return load_scenario(path)


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    for warning in warnings_for(scenario):
        print(f"simlib: warning: {args.file}: {warning}", file=sys.stderr)
    pools = ", ".join(f"{p} ({v.count})" for p, v in scenario.pools.items())
    print(
        f"{args.file}: OK — scenario '{scenario.name}', "
        f"{len(scenario.matters)} matter(s), pools: {pools}"
    )
    return 0


def cmd_schema(_args: argparse.Namespace) -> int:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "simlib scenario"
    print(json.dumps(schema, indent=2))
    return 0


def _run_and_report(scenario: Scenario, args: argparse.Namespace) -> int:
    if args.reps < 1:
        raise UsageError(f"--reps must be at least 1; got {args.reps}")
    seed = scenario.seed if args.seed is None else args.seed
    bar, tick = _progress(not (args.quiet or args.json), args.reps)
    try:
        result = replicate(scenario, args.reps, seed, on_progress=tick)
    finally:
        if bar is not None:
            bar.close()
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        result.runs.to_csv(out / "runs.csv", index=False)
        result.summary().to_csv(out / "summary.csv")
        (out / "kpis.json").write_text(json.dumps(result.to_json(), indent=2))
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print(f"Scenario: {scenario.name}\n")
        print(kpi_table(result))
        if args.out:
            print(
                f"\nPer-run KPIs and the summary are in {args.out}/ "
                "(runs.csv, summary.csv, kpis.json)."
            )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return _run_and_report(_load(args.file), args)


def cmd_demo(args: argparse.Namespace) -> int:
    scenario = demo_scenario()
    if not args.json:
        print(
            "simlib demo: the built-in demo hall (two departments; a chain with a parallel "
            f"fire/environment review), {scenario.horizon.days} days, {args.reps} replications.\n"
        )
    return _run_and_report(scenario, args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simlib",
        description="Simulate a government service hall and its approval chains.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def run_options(p: argparse.ArgumentParser, reps: int) -> None:
        p.add_argument("--reps", type=int, default=reps, help=f"replications (default {reps})")
        p.add_argument("--seed", type=int, default=None, help="base seed (default: the scenario's)")
        p.add_argument("--json", action="store_true", help="print one JSON object (DESIGN §9)")
        p.add_argument("--out", metavar="DIR", help="also write runs.csv, summary.csv, kpis.json")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("demo", help="run the built-in demo hall and print its KPIs")
    run_options(p, 10)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("validate", help="check a scenario file")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("run", help="run a scenario file with replications")
    p.add_argument("file")
    run_options(p, 10)
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"simlib: error: {exc.report()}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"simlib: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("simlib: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
