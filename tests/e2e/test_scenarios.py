"""Every file in scenarios/ validates and runs (scenarios briefly, studies through load_study)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simlib import load_study, load_sweep
from simlib.engine import simulate
from simlib.files import load_scenario
from simlib.metrics import kpis
from simlib.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
FILES = [*sorted((ROOT / "scenarios").glob("*.yaml")), ROOT / "simlib" / "data" / "demo_hall.yaml"]


def _short(scenario: Scenario) -> Scenario:
    days = min(scenario.horizon.days, scenario.horizon.warmup_days + 7)
    return scenario.model_copy(
        update={"horizon": scenario.horizon.model_copy(update={"days": days})}
    )


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_validates_and_runs(path: Path) -> None:
    kind = yaml.safe_load(path.read_text())
    if isinstance(kind, list):  # a reform file: its reforms apply to the district hall
        from simlib import apply_reform_file

        district = load_scenario(ROOT / "scenarios" / "new_district.yaml")
        assert apply_reform_file(district, path) != district
        return
    if "optimize" in kind and "portfolio" in kind:
        from simlib.optimize.portfolio_spec import load_portfolio

        assert load_portfolio(path).study.variants  # the study and every reform validate
        return
    if "calibrate" in kind:  # a calibration map: it reads the log it was written for
        from simlib.calibrate import load_map, read_ticket_log
        from simlib.calibrate.eventmap import EventMap, read_events

        mapping = load_map(path)
        if isinstance(mapping, EventMap):  # an event-log map: the shared permit log
            log = ROOT / "simlib" / "data" / "permit_receipt_log"
            assert len(read_events(next(log.glob("*.csv.gz")), mapping)) > 0
            return
        log = ROOT / "simlib" / "data" / "service_centre_log" / "calls_1999-08-01_14.csv.gz"
        assert len(read_ticket_log(log, mapping)) > 0
        return
    if "optimize" in kind and "portfolio" not in kind:
        from simlib.optimize.search import theory_start
        from simlib.optimize.spec import load_optimization

        opt = load_optimization(path)  # the hall it names, its decisions and requirements
        start, _ = theory_start(opt)
        values = kpis(simulate(_short(opt.base), 1, detail="kpi"))
        assert values["cases_arrived"] > 0 and (start.levels or start.hourly)
        return
    if "study" in kind:
        study = load_study(path)
        assert study.variants
        return
    if "sweep" in kind:
        sweep = load_sweep(path)  # builds and validates every point's scenario
        assert len(sweep.scenarios) == len(sweep.values) > 1
        values = kpis(simulate(_short(sweep.scenarios[0]), 1, detail="kpi"))
        assert values["cases_arrived"] > 0
        return
    values = kpis(simulate(_short(load_scenario(path)), 1, detail="kpi"))
    assert values["cases_arrived"] > 0


@pytest.mark.parametrize("name", ["new_district.yaml", "green_approval.yaml"])
def test_the_demo_ships_the_same_files_as_scenarios(name: str) -> None:
    # The demo reads the package's copies (an installed simlib has no scenarios/ folder).
    shipped = (ROOT / "simlib" / "data" / name).read_text(encoding="utf-8")
    assert shipped == (ROOT / "scenarios" / name).read_text(encoding="utf-8"), (
        f"simlib/data/{name} and scenarios/{name} differ: copy one over the other"
    )


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_simlib_validate_accepts_every_shipped_file(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simlib.cli import main

    assert main(["validate", str(path)]) == 0
    assert ": OK" in capsys.readouterr().out
