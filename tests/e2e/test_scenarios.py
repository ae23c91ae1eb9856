"""Every file in scenarios/ validates and runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.engine import simulate
from simlib.metrics import kpis
from simlib.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
FILES = [*sorted((ROOT / "scenarios").glob("*.yaml")), ROOT / "simlib" / "data" / "demo_hall.yaml"]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_scenario_file_validates_and_runs(path: Path) -> None:
    scenario = load_scenario(path)
    short = scenario.model_copy(
        update={
            "horizon": scenario.horizon.model_copy(
                update={"days": min(scenario.horizon.days, scenario.horizon.warmup_days + 7)}
            )
        }
    )
    values = kpis(simulate(short, 1, detail="kpi"))
    assert values["cases_arrived"] > 0
