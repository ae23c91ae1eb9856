"""``simlib validate`` (any simlib file) and ``simlib schema`` (scenario JSON Schema)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simlib.checks import warmup_check, warnings_for
from simlib.cli_checks import UsageError
from simlib.duty import peak_on_duty
from simlib.files import (
    LOADERS,
    file_kind,
    load_reforms,
    load_scenario,
    load_study,
    load_sweep,
    read_yaml,
)
from simlib.scenario import Scenario


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
        from simlib.optimize.room import room_to_spare

        for note in room_to_spare(opt):
            print(f"simlib: note: {args.file}: {note}", file=sys.stderr)
        print(
            f"{args.file}: OK — optimisation '{opt.name}' of '{opt.base.name}', "
            f"{len(opt.levels) + len(opt.by_hour)} decision(s), "
            f"{len(opt.requirements)} requirement(s)"
        )
        return 0
    if kind == "calibrate":
        from simlib.calibrate import load_map
        from simlib.calibrate.errors import CalibrationError

        try:
            load_map(args.file)
        except CalibrationError as exc:  # a bad map is bad input: said, exit 2
            raise UsageError(str(exc)) from None
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
    pools = ", ".join(
        f"{p} ({v.count})"
        if v.shifts is None
        else f"{p} (up to {peak_on_duty(scenario, p)} on duty)"
        for p, v in scenario.pools.items()
    )
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


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``validate`` and ``schema`` on ``sub`` (the CLI's subcommands)."""
    p = sub.add_parser("validate", help="check a scenario file")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(func=cmd_schema)
    return p
