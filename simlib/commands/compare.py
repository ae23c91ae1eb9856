"""``simlib compare``: the reforms of a study file, on common random numbers."""

from __future__ import annotations

import argparse

from simlib import cli_checks as checks
from simlib.cli_checks import UsageError
from simlib.commands.common import (
    cache_option,
    check_precision,
    executor_options,
    json_option,
    json_text,
    material_option,
    opened_executor,
    precision_options,
    progress_bar,
    quiet_option,
    with_horizon,
)
from simlib.experiment.compare import Comparison, compare
from simlib.experiment.precision import (
    DEFAULT_KPIS,
    compare_to_precision,
)
from simlib.experiment.runner import ExecutorArg
from simlib.files import (
    Study,
    load_study,
)
from simlib.outputs import comparison_meta, comparison_text, write_comparison
from simlib.scenario import Scenario
from simlib.verdict import Material


def run_study(
    study: Study,
    reps: int,
    seed: int,
    executor: ExecutorArg,
    quiet: bool,
    baseline: Scenario | None = None,
) -> Comparison:
    bar, tick = progress_bar(not quiet, 1, "study runs")
    try:
        result = compare(
            baseline or study.baseline,
            study.variants,
            reps,
            seed,
            study.stack,
            executor,
            tick,
            study.name,
            costs=study.costs,
        )
    finally:
        if bar is not None:
            bar.close()
    result.meta.update(baseline_path=str(study.baseline_path), description=study.description)
    return result


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
    with opened_executor(args) as executor:
        return _compare(args, executor)


def _compare(args: argparse.Namespace, executor: ExecutorArg) -> int:
    study = load_study(args.study)
    quiet = args.quiet or args.json
    reps = study.replications if args.reps is None else args.reps
    seed = study.seed if args.seed is None else args.seed
    if args.out:
        checks.check_out_dir(args.out)
    material = material_option(args.material)
    baseline = with_horizon(study.baseline, args.days, args.warmup)
    if args.precision is not None:
        check_precision(args)
        bar, tick = progress_bar(not quiet, args.max_reps, "replications")
        try:
            result = compare_to_precision(
                baseline,
                study.variants,
                args.precision,
                args.kpi or DEFAULT_KPIS,
                args.max_reps,
                seed,
                study.stack,
                executor,
                tick,
                study.name,
            )
        finally:
            if bar is not None:
                bar.close()
        result.meta.update(baseline_path=str(study.baseline_path), description=study.description)
    else:
        result = run_study(study, reps, seed, executor, quiet, baseline=baseline)
    if getattr(args, "decide", False):
        result = _decide(result, material, args, executor)
    say = print if not args.json else (lambda *_a, **_k: None)  # --json: one object only
    say(comparison_text(result, material=material))
    if getattr(args, "sensitivity", False):
        from simlib.experiment.sensitivity import sensitivity

        result.meta["sensitivity"] = sensitivity(result, executor)
        say("\n" + result.meta["sensitivity"].text())
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
        if getattr(args, "decide", False):
            command += f" --decide --max-reps {args.max_reps}"
        if getattr(args, "sensitivity", False):
            command += " --sensitivity"
        write_comparison(result, args.out, args.study, material, command)
        say(f"\nTables, per-run KPIs and charts are in {args.out}/")
        if getattr(args, "report", False):
            from simlib.report import write_report  # matplotlib: only for a report

            say(f"The proposal report: {write_report(args.out).resolve()}")
    if args.json:
        print(comparison_json(result, args.study, material))
    return 0


def comparison_json(result: Comparison, source: str, material: Material) -> str:
    """``simlib compare --json``: ``study.json``'s object plus the comparison table (each
    reform alone vs the baseline, one row per variant and KPI); NaN becomes null."""
    data = comparison_meta(result, source, material)
    data["comparison"] = result.table().to_dict("records")
    data["failed_runs"] = len(result.failures)
    return json_text(data)


def _decide(
    result: Comparison, material: Material, args: argparse.Namespace, executor: ExecutorArg
) -> Comparison:
    """``--decide``: replications added until no verdict is inconclusive (or --max-reps)."""
    from simlib.experiment.decide import decide
    from simlib.outputs import comparison_verdicts

    if args.max_reps < 3:
        raise UsageError(f"--max-reps must be at least 3; got {args.max_reps}")
    bar, tick = progress_bar(not (args.quiet or args.json), args.max_reps, "deciding runs")
    try:
        return decide(
            result, lambda c: comparison_verdicts(c, material), args.max_reps, executor, tick
        )
    finally:
        if bar is not None:
            bar.close()


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the command on ``sub`` (the CLI's subcommands)."""
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
    executor_options(p)
    json_option(p)
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
    quiet_option(p)
    p.add_argument(
        "--decide",
        action="store_true",
        help="add replications (baseline and inconclusive reforms, common random numbers) until "
        "every verdict is decided or --max-reps is reached",
    )
    p.add_argument(
        "--sensitivity",
        action="store_true",
        help="sweep the assumed behaviour of reforms (completeness after one-time notification, "
        "online share) on common random numbers: tornado chart and break-even per cost",
    )
    cache_option(p)
    precision_options(p)
    p.set_defaults(func=cmd_compare)
    return p
