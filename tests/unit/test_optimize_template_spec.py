"""Template decisions in optimisation files: accepted where the matter books, refused with
the path and what is allowed otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.scenario.errors import ScenarioError
from tests.optimize_helpers import mmc_scenario, optimization


def _spec(path: str) -> dict:
    return {
        "optimize": "t",
        "decisions": {path: {"range": [1, 4]}},
        "requirements": [{"kpi": "hall_wait_mean_min", "max": 10}],
    }


def test_a_booking_matter_template_is_a_decision(tmp_path: Path) -> None:
    hall = mmc_scenario(10, 5.0, 2, 3)
    hall["matters"][0]["appointments"] = {"share": 0.5, "template": 2}
    opt = optimization(tmp_path, hall, _spec("matters.walkin.appointments.template"))
    assert [(d.matter, d.low, d.high) for d in opt.templates] == [("walkin", 1, 4)]
    assert not opt.levels and not opt.by_hour


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("matters.nope.appointments.template", "unknown matter 'nope'; matters are: walkin"),
        ("matters.walkin.appointments.template", "matter 'walkin' has no appointments"),
        ("matters.walkin.appointments.share", "matters.<matter id>.appointments.template"),
    ],
)
def test_wrong_template_decisions_are_named(tmp_path: Path, path: str, says: str) -> None:
    with pytest.raises(ScenarioError) as err:
        optimization(tmp_path, mmc_scenario(10, 5.0, 2, 3), _spec(path))
    assert says in str(err.value) and f"decisions.{path}" in str(err.value)
