"""``simlib``: the command line (DESIGN §9).

Bad input exits with status 2 and a short message on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from simlib import cli_checks as checks
from simlib.checks import warmup_check, warnings_for
from simlib.cli_checks import UsageError
from simlib.engine import simulate
from simlib.eventlog import write_event_log
from simlib.experiment import replicate, replication_seed
from simlib.experiment.compare import compare
from simlib.experiment.precision import (
    DEFAULT_KPIS,
    compare_to_precision,
    replicate_to_precision,
)
from simlib.experiment.store import OutputFolderError
from simlib.experiment.sweep import run_sweep
from simlib.files import (
    LOADERS,
    Study,
    apply_reform_file,
    file_kind,
    load_reforms,
    load_scenario,
    load_study,
    load_sweep,
    read_yaml,
)
from simlib.metrics import KPI_INFO
from simlib.outputs import comparison_text, kpi_table, write_comparison
from simlib.report import write_report
from simlib.scenario import Scenario, ScenarioError
from simlib.writing import write_csv

__all__ = [
    "build_parser",
    "cmd_compare",
    "cmd_demo",
    "cmd_report",
    "cmd_run",
    "cmd_schema",
    "cmd_sweep",
    "cmd_validate",
    "demo_scenario",
    "main",
]

DATA = Path(__file__).resolve().parent / "data"  # shipped with the package


def demo_scenario() -> Scenario:
    """The built-in demo hall shipped with the package."""
    return load_scenario(DATA / "demo_hall.yaml")


def _progress(enabled: bool, total: int, what: str = "runs"):
    """A tqdm bar on stderr (shown only for runs over 2 s), or a no-op when quiet."""
    if not enabled:
        return None, lambda done, n: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="run", desc=what, file=sys.stderr, leave=False, delay=2.0)

    def tick(done: int, n: int) -> None:
        bar.total = n
        bar.update(done - bar.n)

    return bar, tick


def cmd_validate(args: argparse.Namespace) -> int:
    data = read_yaml(args.file).data
    kind = file_kind(data)
    if kind == "reforms":
        reforms = load_reforms(args.file)
        print(f"{args.file}: OK — {len(reforms)} reform(s): {', '.join(r.type for r in reforms)}")
        return 0
    if kind == "optimize" and isinstance(data, dict) and "portfolio" not in data:
        from simlib.optimize.spec import load_optimization

        opt = load_optimization(args.file)
        print(
            f"{args.file}: OK — optimisation '{opt.name}' of '{opt.base.name}', "
            f"{len(opt.levels) + len(opt.by_hour)} decision(s), "
            f"{len(opt.requirements)} requirement(s)"
        )
        return 0
    if kind == "calibrate":
        from simlib.calibrate import load_map

        load_map(args.file)
        print(f"{args.file}: OK — calibration map (use it with simlib calibrate LOG --map FILE)")
        return 0
    if kind == "optimize" and isinstance(data, dict):
        from simlib.optimize.portfolio_spec import load_portfolio

        portfolio = load_portfolio(args.file)
        print(f"{args.file}: OK — portfolio optimisation '{portfolio.name}'")
        return 0
    if kind not in ("scenario", "study", "sweep"):
        if kind not in LOADERS:
            raise UsageError(f"{args.file}: {kind} files cannot be checked by this simlib")
        LOADERS[kind](Path(args.file))
        print(f"{args.file}: OK — {kind} file")
        return 0
    if kind == "sweep":
        spec = load_sweep(args.file)
        print(
            f"{args.file}: OK — sweep '{spec.name}', {len(spec.scenarios)} point(s) x "
            f"{spec.replications} replication(s) over {', '.join(spec.parameters)}"
        )
        return 0
    if kind == "study":
        study = load_study(args.file)
        print(
            f"{args.file}: OK — study '{study.name}' on '{study.baseline.name}', "
            f"{len(study.variants)} variant(s), stack: {', '.join(study.stack)}"
        )
        return 0
    scenario = load_scenario(args.file)
    for warning in [*warnings_for(scenario), *warmup_check(scenario)]:
        print(f"simlib: warning: {args.file}: {warning}", file=sys.stderr)
    pools = ", ".join(f"{p} ({v.count})" for p, v in scenario.pools.items())
    print(
        f"{args.file}: OK — scenario '{scenario.name}', "
        f"{len(scenario.matters)} matter(s), pools: {pools}"
    )
    return 0


def cmd_schema(_args: argparse.Namespace) -> int:
    schema = Scenario.model_json_schema()
    # ``reforms:`` is a key of scenario files, applied at load (not part of a Scenario).
    schema["properties"]["reforms"] = {
        "type": "array",
        "items": {"type": "object", "required": ["type"]},
        "description": "reforms applied in order when the file is loaded",
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "simlib scenario"
    print(json.dumps(schema, indent=2))
    return 0


def _run_and_report(scenario: Scenario, args: argparse.Namespace, seed: int) -> int:
    precision = getattr(args, "precision", None)
    if precision is not None:
        _check_precision(args)
    bar, tick = _progress(
        not (args.quiet or args.json), args.reps if precision is None else args.max_reps
    )
    try:
        if precision is None:
            result = replicate(scenario, args.reps, seed, on_progress=tick)
        else:
            result = replicate_to_precision(
                scenario, precision, args.kpi or DEFAULT_KPIS, args.max_reps, seed, tick
            )
    finally:
        if bar is not None:
            bar.close()
    for row in result.failures.itertuples():
        print(
            f"simlib: warning: replication {row.replication} (seed {row.seed}) failed: {row.error}",
            file=sys.stderr,
        )
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(result.runs, out / "runs.csv", index=False)
        write_csv(result.summary(), out / "summary.csv")
        (out / "kpis.json").write_text(json.dumps(result.to_json(), indent=2))
    warning = result.warmup_warning()
    if warning and not args.json:
        print(f"simlib: warning: {warning}", file=sys.stderr)
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


def _check_precision(args: argparse.Namespace) -> None:
    if not 0 < args.precision < 1:
        raise UsageError(
            f"--precision is a share of the mean in (0, 1), e.g. 0.05; got {args.precision}"
        )
    if args.max_reps < 3:
        raise UsageError(f"--max-reps must be at least 3; got {args.max_reps}")
    known = set(KPI_INFO)
    for kpi in args.kpi or []:
        if kpi.partition("[")[0] not in known:
            raise UsageError(f"--kpi {kpi}: unknown KPI; KPIs are: {', '.join(sorted(known))}")


def precision_options(p: argparse.ArgumentParser) -> None:
    """--precision, --kpi, --max-reps (replications chosen by the procedure of Hoad et al.)."""
    p.add_argument(
        "--precision",
        type=float,
        metavar="SHARE",
        help="add replications until each KPI's 95%% CI half-width is within SHARE of its mean",
    )
    p.add_argument(
        "--kpi",
        action="append",
        metavar="NAME",
        help="a KPI --precision watches (repeatable; default: the headline KPIs)",
    )
    p.add_argument(
        "--max-reps", type=int, default=100, help="cap on replications for --precision (100)"
    )


def cmd_run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.file)
    for path in args.reform or []:
        scenario = apply_reform_file(scenario, path)
    if args.out:
        checks.check_out_dir(args.out)
    if args.events:
        checks.check_out_file(args.events, "--events")
    if args.tickets:
        checks.check_out_file(args.tickets, "--tickets")
    seed = scenario.seed if args.seed is None else args.seed  # decided here, once
    status = _run_and_report(scenario, args, seed)
    if args.events or args.tickets:
        seed = replication_seed(seed, 0)
        records = simulate(scenario, seed)
        if args.events:
            path = write_event_log(records, args.events)
            print(f"Event log of replication 0 (seed {seed}): {path}", file=sys.stderr)
        if args.tickets:
            from simlib.ticketlog import write_ticket_log

            priorities = {m.id: m.priority for m in scenario.matters}
            path = write_ticket_log(records, args.tickets, priorities)
            print(f"Ticket log of replication 0 (seed {seed}): {path}", file=sys.stderr)
    return status


def _compare(
    study: Study, reps: int, seed: int, workers: int, quiet: bool, baseline: Scenario | None = None
):
    bar, tick = _progress(not quiet, 1, "study runs")
    try:
        result = compare(
            baseline or study.baseline,
            study.variants,
            reps,
            seed,
            study.stack,
            workers,
            tick,
            study.name,
            costs=study.costs,
        )
    finally:
        if bar is not None:
            bar.close()
    result.meta.update(baseline_path=str(study.baseline_path), description=study.description)
    return result


def _horizon(scenario: Scenario, days: int | None, warmup: int | None) -> Scenario:
    """The scenario with its horizon shortened or lengthened from the command line."""
    if days is None and warmup is None:
        return scenario
    days = scenario.horizon.days if days is None else days
    warmup = scenario.horizon.warmup_days if warmup is None else warmup
    if days < 1 or not 0 <= warmup < days:
        raise UsageError(
            f"--days must be at least 1 and --warmup in [0, days); got {days}, {warmup}"
        )
    horizon = scenario.horizon.model_copy(update={"days": days, "warmup_days": warmup})
    return scenario.model_copy(update={"horizon": horizon})


def _material(text: str | None):
    from simlib.verdict import parse_material

    try:
        return parse_material(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def compare_command(
    study: str, reps: int, seed: int, days: int, warmup: int, material: str, out: str
) -> str:
    """The ``simlib compare`` command line that writes this folder again, number for number."""
    import shlex

    return shlex.join(
        [
            "simlib",
            "compare",
            study,
            "--reps",
            str(reps),
            "--seed",
            str(seed),
            "--days",
            str(days),
            "--warmup",
            str(warmup),
            "--material",
            material,
            "--out",
            out,
        ]
    )


def cmd_compare(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    reps = study.replications if args.reps is None else args.reps
    seed = study.seed if args.seed is None else args.seed
    if args.out:
        checks.check_out_dir(args.out)
    material = _material(args.material)
    baseline = _horizon(study.baseline, args.days, args.warmup)
    if args.precision is not None:
        _check_precision(args)
        bar, tick = _progress(not args.quiet, args.max_reps, "replications")
        try:
            result = compare_to_precision(
                baseline,
                study.variants,
                args.precision,
                args.kpi or DEFAULT_KPIS,
                args.max_reps,
                seed,
                study.stack,
                args.workers,
                tick,
                study.name,
            )
        finally:
            if bar is not None:
                bar.close()
        result.meta.update(baseline_path=str(study.baseline_path), description=study.description)
    else:
        result = _compare(study, reps, seed, args.workers, args.quiet, baseline=baseline)
    print(comparison_text(result, material=material))
    if args.out:
        command = compare_command(
            args.study,
            reps,
            seed,
            baseline.horizon.days,
            baseline.horizon.warmup_days,
            material.as_text(),
            args.out,
        )
        write_comparison(result, args.out, args.study, material, command)
        print(f"\nTables, per-run KPIs and charts are in {args.out}/")
        if getattr(args, "report", False):
            print(f"The proposal report: {write_report(args.out).resolve()}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    checks.check_executor_options(args)
    spec = load_sweep(args.spec)
    out = checks.check_out_dir(args.out or Path("sweeps") / _slug(spec.name))
    total = len(spec.scenarios) * spec.replications
    print(
        f"Sweep '{spec.name}': {len(spec.scenarios)} point(s) x {spec.replications} replication(s) "
        f"= {total} runs; results go to {out}/"
    )
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="run", desc="sweep", file=sys.stderr)

    def tick(done: int, n: int, failed: int) -> None:
        if bar is not None:
            bar.total = n
            bar.update(done - bar.n)
            bar.set_postfix(failed=failed)

    try:
        with contextlib.ExitStack() as stack:
            executor = checks.open_executor(args, stack)
            result = run_sweep(spec, executor, out, args.resume, tick)
    except KeyboardInterrupt:
        # Leaving the ExitStack by the exception has stopped the workers already.
        _stop_listening_to_ctrl_c()
        print(
            f"\nsimlib: interrupted; finished runs are kept in {out}/ — rerun with --resume",
            file=sys.stderr,
        )
        return 130
    finally:
        if bar is not None:
            bar.close()
    if result.quarantined:
        print(
            f"simlib: warning: {len(result.quarantined)} damaged run file(s) moved to "
            f"{result.quarantined[0].parent}/; their runs were done again",
            file=sys.stderr,
        )
    failures = result.failures
    print(f"{len(result.runs)} run(s) stored, {len(failures)} failed.")
    print(f"Per-point summary: {out}/summary.csv")
    for row in failures.head(5).itertuples():
        print(f"  failed: point {row.point}, replication {row.replication}: {row.error}")
    return 0


def cmd_optimize(args: argparse.Namespace) -> int:
    """Staffing files here; portfolio files (a ``portfolio:`` key) go to their own module."""
    data = read_yaml(args.spec).data
    if args.out:
        checks.check_out_dir(args.out)
    if isinstance(data, dict) and "portfolio" in data:
        from simlib.optimize import portfolio_command

        return portfolio_command.main(args)
    from simlib.optimize.command import run_command

    with contextlib.ExitStack() as stack:
        executor = checks.open_executor(args, stack)
        try:
            return run_command(args, executor)
        except OutputFolderError as exc:
            raise UsageError(str(exc)) from None


def _stop_listening_to_ctrl_c() -> None:
    """After a first Ctrl-C simlib is already stopping: a second one must not cut the
    clean-up short (it would leave workers behind, or a traceback)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def cmd_report(args: argparse.Namespace) -> int:
    material = _material(args.material) if args.material else None
    from simlib.report.folder import FolderError

    try:
        path = write_report(args.dir, material, pdf=not args.no_pdf)
    except (FileNotFoundError, FolderError) as exc:
        raise UsageError(str(exc)) from None
    print(f"Report: {path.resolve()}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from simlib.calibrate import CalibrationError
    from simlib.calibrate.command import run

    try:
        return run(args)
    except CalibrationError as exc:
        raise UsageError(str(exc)) from None


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_") or "sweep"


DEMO_DAYS, DEMO_WARMUP = 28, 7


def cmd_demo(args: argparse.Namespace) -> int:
    out = checks.check_out_dir(args.out or "simlib-demo")
    scenario = demo_scenario()
    seed = scenario.seed if args.seed is None else args.seed  # decided here, once
    if args.json:
        return _run_and_report(scenario, args, seed)
    print(
        "simlib demo, part 1: the built-in demo hall, small enough to read in one screen (two "
        "departments, a chain with a parallel fire/environment review), so that every KPI below "
        f"can be checked by hand; {scenario.horizon.days} days, {args.reps} replications.\n"
    )
    _run_and_report(scenario, argparse.Namespace(**{**vars(args), "out": None}), seed)
    if args.no_study:
        return 0
    study_file = DATA / "green_approval.yaml"
    workers = max(1, min(2, os.cpu_count() or 1))
    options = argparse.Namespace(
        study=str(study_file),
        reps=args.study_reps,
        seed=None,
        days=DEMO_DAYS,
        warmup=DEMO_WARMUP,
        material="5%",
        workers=workers,
        out=str(out),
        quiet=args.quiet,
        report=False,
        precision=None,
        kpi=None,
        max_reps=None,
    )
    print(
        "\nsimlib demo, part 2: the question planners actually ask, on a realistic hall: the "
        "green approval reforms on the baseline district hall (10 matters, 9 departments, about "
        f"800 cases a day), each reform alone and all stacked. To stay under two minutes it "
        f"simulates {DEMO_DAYS} days ({DEMO_WARMUP} warm-up) with {args.study_reps} "
        "replications instead of the study's own horizon and replications; the same run is\n"
        f"  simlib compare {study_file} --reps {args.study_reps} --days {DEMO_DAYS} "
        f"--warmup {DEMO_WARMUP} --out {out}\n"
    )
    cmd_compare(options)
    report = write_report(out)
    print(
        f"\nCharts and tables of the study are in {Path(out).resolve()}/ "
        "(kpi_comparison.png, waterfall_*.png, visits_per_case.png, ...)"
    )
    print(f"The proposal report: {report.resolve()} (and report.pdf beside it)")
    return 0


def _executor_options(p: argparse.ArgumentParser) -> None:
    """--workers, --scheduler and --dask-local: where sweep and optimize runs go."""
    p.add_argument(
        "--workers",
        type=checks.count("--workers"),
        default=1,
        help="local processes (default 1: sequential)",
    )
    p.add_argument("--scheduler", metavar="ADDR", help="a Dask scheduler, e.g. tcp://host:8786")
    p.add_argument(
        "--dask-local",
        type=checks.count("--dask-local"),
        metavar="N",
        help="start a local Dask cluster of N workers",
    )


def _cache_option(p: argparse.ArgumentParser) -> None:
    """--cache DIR: a run store shared by commands (runs asked again are read back)."""
    p.add_argument(
        "--cache",
        metavar="DIR",
        help="reuse and keep runs in this shared run store (default: $SIMLIB_CACHE, if set)",
    )


@contextlib.contextmanager
def _shared_cache(folder: str | None):
    """SIMLIB_CACHE set to ``folder`` while a command runs (the run core reads it)."""
    from simlib.experiment.store import CACHE_ENV

    if not folder:
        yield
        return
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = folder
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = before


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simlib",
        description="Simulate a government service hall and its approval chains.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def run_options(p: argparse.ArgumentParser, reps: int) -> None:
        p.add_argument(
            "--reps",
            type=checks.count("--reps", "replications"),
            default=reps,
            help=f"replications (default {reps})",
        )
        p.add_argument(
            "--seed", type=checks.seed, default=None, help="base seed (default: the scenario's)"
        )
        p.add_argument("--json", action="store_true", help="print one JSON object (DESIGN §9)")
        p.add_argument("--out", metavar="DIR", help="also write runs.csv, summary.csv, kpis.json")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        _cache_option(p)

    p = sub.add_parser(
        "demo", help="the demo hall's KPIs, then a short green approval study with charts"
    )
    run_options(p, 10)
    p.add_argument(
        "--study-reps",
        type=checks.count("--study-reps", "replications"),
        default=3,
        help="replications of the study (default 3)",
    )
    p.add_argument("--no-study", action="store_true", help="only the demo hall")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("sweep", help="run a sweep file (grid or Latin hypercube) on any executor")
    p.add_argument("spec")
    _executor_options(p)
    p.add_argument("--out", metavar="DIR", help="results folder (default: sweeps/<name>)")
    p.add_argument("--resume", action="store_true", help="run only what is missing in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _cache_option(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("optimize", help="the fewest officers that meet service targets")
    p.add_argument("spec")
    p.add_argument("--json", action="store_true", help="print one JSON object (DESIGN §9)")
    p.add_argument("--out", metavar="DIR", help="write best.yaml, tables, charts and runs here")
    _executor_options(p)
    p.add_argument("--resume", action="store_true", help="reuse the runs stored in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _cache_option(p)
    p.set_defaults(func=cmd_optimize)

    p = sub.add_parser(
        "report", help="a self-contained HTML report (and PDF) from a compare/sweep/optimize folder"
    )
    p.add_argument("dir")
    p.add_argument(
        "--material",
        metavar="SPEC",
        help="smallest change that matters: 5%% (of the baseline), or per KPI, e.g. "
        "5%%,hall_wait_mean_min=2,on_time_rate=3pp (default: the folder's, else 5%%)",
    )
    p.add_argument("--no-pdf", action="store_true", help="write only report.html")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("compare", help="compare reforms in a study file (common random numbers)")
    p.add_argument("study")
    p.add_argument(
        "--reps",
        type=checks.count("--reps", "replications"),
        default=None,
        help="replications (default: the study's)",
    )
    p.add_argument(
        "--seed", type=checks.seed, default=None, help="base seed (default: the study's)"
    )
    p.add_argument(
        "--workers",
        type=checks.count("--workers"),
        default=1,
        help="processes to run replications on",
    )
    p.add_argument("--out", metavar="DIR", help="write tables, runs and charts here")
    p.add_argument(
        "--days",
        type=checks.count("--days", "days"),
        help="simulated days (default: the baseline's horizon)",
    )
    p.add_argument("--warmup", type=int, help="warm-up days left out (default: the baseline's)")
    p.add_argument(
        "--material",
        metavar="SPEC",
        default="5%",
        help="smallest change that counts as better/worse: 5%% of the baseline (default), or "
        "per KPI, e.g. 5%%,hall_wait_mean_min=2,on_time_rate=3pp",
    )
    p.add_argument("--report", action="store_true", help="also write report.html/pdf in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _cache_option(p)
    precision_options(p)
    p.set_defaults(func=cmd_compare)

    from simlib.calibrate.command import add_parser as calibrate_parser

    calibrate_parser(sub).set_defaults(func=cmd_calibrate)

    p = sub.add_parser("validate", help="check a scenario file")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("run", help="run a scenario file with replications")
    p.add_argument("file")
    p.add_argument(
        "--reform",
        action="append",
        metavar="FILE",
        help="apply the reforms in FILE first (repeatable)",
    )
    p.add_argument(
        "--events", metavar="PATH.csv", help="write replication 0's event log (process mining)"
    )
    p.add_argument(
        "--tickets", metavar="PATH.csv", help="write replication 0's ticket log (calibrate)"
    )
    run_options(p, 10)
    precision_options(p)
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _shared_cache(getattr(args, "cache", None)):
            return args.func(args)
    except ScenarioError as exc:
        print(f"simlib: error: {exc.report()}", file=sys.stderr)
        return 2
    except (UsageError, OutputFolderError) as exc:
        print(f"simlib: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _stop_listening_to_ctrl_c()
        print("simlib: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
