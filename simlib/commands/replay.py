"""``simlib replay`` (a simulated day as an offline HTML page) and ``simlib chains`` (maps)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from simlib.cli_checks import UsageError, check_out_file
from simlib.cli_checks import seed as seed_type

__all__ = ["add_parsers"]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``replay`` and ``chains`` on the CLI's subcommands."""
    p = sub.add_parser(
        "replay", help="play one simulated day of the hall in the browser (one offline HTML file)"
    )
    p.add_argument("file", metavar="SCENARIO")
    p.add_argument(
        "--reform",
        action="append",
        metavar="FILE",
        help="apply the reforms in FILE (a YAML list; repeatable)",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="play the baseline and the reformed hall side by side (same applicants)",
    )
    p.add_argument(
        "--day", type=int, help="calendar day to play (default: the first workday after warm-up)"
    )
    p.add_argument("--seed", type=seed_type, help="seed of the run (default: the scenario's)")
    p.add_argument("--out", required=True, metavar="FILE.html", help="the page to write")
    p.set_defaults(func=run_replay)

    p = sub.add_parser(
        "chains", help="draw the approval chains: from a scenario (and a run) or an event log"
    )
    p.add_argument("file", nargs="?", metavar="SCENARIO", help="draw this scenario's chains")
    p.add_argument(
        "--log",
        action="append",
        metavar="EVENTLOG",
        help="or: the directly-follows map of a log (CSV); twice: side by side (.html)",
    )
    p.add_argument("--map", metavar="MAP", help="a calibration map naming the log's columns")
    for name, default in (
        ("case", "case:concept:name"),
        ("activity", "concept:name"),
        ("time", "time:timestamp"),
        ("start", "time:start_timestamp"),
    ):
        p.add_argument(f"--{name}", metavar="COLUMN", help=f"the log's {name} column ({default})")
    p.add_argument("--matter", action="append", metavar="ID", help="only this matter (repeatable)")
    p.add_argument("--seed", type=seed_type, help="seed of the run that measures waits")
    p.add_argument("--no-run", action="store_true", help="draw the chains only, without a run")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.svg, FILE.html or FILE.dot")
    p.set_defaults(func=run_chains)


def run_replay(args: argparse.Namespace) -> int:
    """Simulate the scenario (and its reformed twin) once and write the replay page."""
    from simlib.engine import simulate
    from simlib.files import apply_reform_file, load_scenario
    from simlib.visual.replay import replay

    out = check_out_file(args.out, "--out")
    if args.compare and not args.reform:
        raise UsageError("--compare needs --reform FILE: the reform to play beside the baseline")
    baseline = load_scenario(args.file)
    reformed = baseline
    for path in args.reform or []:
        reformed = apply_reform_file(reformed, path)
    seed = baseline.seed if args.seed is None else args.seed
    label = "with " + ", ".join(Path(p).stem for p in args.reform or [])
    if args.compare:
        scenarios, labels = [baseline, reformed], ["baseline", label]
    else:
        scenarios, labels = [reformed], [label if args.reform else "baseline"]
    t0 = time.perf_counter()
    runs = [simulate(s, seed) for s in scenarios]
    try:
        page = replay(runs, scenarios, seed, day=args.day, labels=labels)
    except ValueError as exc:
        raise UsageError(f"--day: {exc}") from None
    page.save(out)
    kb = out.stat().st_size / 1024
    tickets = " and ".join(str(len(h["tickets"]["id"])) for h in page.data["halls"])
    print(
        f"Replay of day {page.data['day']} (seed {seed}, {tickets} tickets) in "
        f"{time.perf_counter() - t0:.1f} s: {out.resolve()} ({kb:.0f} KB)",
        file=sys.stderr,
    )
    return 0


def run_chains(args: argparse.Namespace) -> int:
    """Draw the chains of a scenario (measured on one run) or the map of an event log."""
    from simlib.visual.chains import chain_map, dot_missing, write_map
    from simlib.visual.flowmap import columns_from_map, log_map, read_log

    out = check_out_file(args.out, "--out")
    if out.suffix not in (".svg", ".html", ".dot"):
        raise UsageError(f"--out {out}: give a .svg, .html or .dot file")
    if (args.file is None) == (args.log is None):
        raise UsageError("give a SCENARIO file or --log EVENTLOG (one of them)")
    if out.suffix != ".dot" and dot_missing():
        raise UsageError(dot_missing())
    try:
        if args.log:
            if len(args.log) > 2:
                raise UsageError("--log: at most two logs (side by side)")
            cols = columns_from_map(
                args.map, case=args.case, activity=args.activity, time=args.time, start=args.start
            )
            maps = []
            for path in args.log:
                log = read_log(path, cols)
                if args.matter:
                    kept = log[log["matter"].isin(args.matter)]
                    if kept.empty:
                        have = ", ".join(sorted(set(log["matter"]) - {""})) or "no matter column"
                        raise UsageError(
                            f"--matter: no events of {args.matter} in {path}; it has {have}"
                        )
                    log = kept
                maps.append(log_map(log, f"Process map of {Path(path).name}"))
        else:
            from simlib.engine import simulate
            from simlib.files import load_scenario

            scenario = load_scenario(args.file)
            seed = scenario.seed if args.seed is None else args.seed
            records = None if args.no_run else simulate(scenario, seed)
            maps = [chain_map(scenario, records, args.matter)]
        write_map(maps, out)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"Map of {len(maps[0].clusters)} matter(s): {out.resolve()}", file=sys.stderr)
    return 0
