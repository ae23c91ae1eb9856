"""The hall kernel gives ticket-by-ticket the records of the SimPy engine, and is chosen
only where it applies."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engine import Records, simulate
from simlib.engine.kernel import ENGINE_VARIABLE, choose_engine, kernel_refusal
from simlib.engine.model import Model
from simlib.scenario import Scenario
from tests.unit.golden_halls import chains_hall, district, send_home_hall, windows_hall


def district_windows(days: int = 8) -> Scenario:
    """The district hall's windows: its matters without their approval chains."""
    base = district(days, 1)
    return base.model_copy(
        update={"matters": [m.model_copy(update={"chain": []}) for m in base.matters]}
    )


def comprehensive_windows() -> Scenario:
    hall = windows_hall()
    return hall.model_copy(
        update={
            "hall": hall.hall.model_copy(update={"mode": "comprehensive", "at_close": "send_home"})
        }
    )


HALLS = {
    "windows": windows_hall,
    "send_home": send_home_hall,
    "district_windows": district_windows,
    "comprehensive": comprehensive_windows,
}


def assert_same_records(a: Records, b: Records) -> None:
    for table in ("cases", "visits", "steps"):
        ca, cb = a.arrays(table), b.arrays(table)
        assert list(ca) == list(cb)
        for column in ca:
            assert np.array_equal(ca[column], cb[column], equal_nan=True), f"{table}.{column}"
    assert a.end == b.end
    assert a.daily_backlog == b.daily_backlog
    assert a.tally == b.tally


@pytest.mark.parametrize("name", list(HALLS))
def test_kernel_records_every_ticket_as_the_simpy_engine(name: str) -> None:
    scenario = HALLS[name]()
    assert kernel_refusal(scenario) is None
    for seed in (3, 11):
        simpy_records = simulate(scenario, seed, engine="simpy")
        kernel_records = simulate(scenario, seed, engine="kernel")
        assert len(simpy_records.arrays("visits")["case"]) > 500  # enough tickets to differ
        assert_same_records(simpy_records, kernel_records)


def test_auto_takes_the_kernel_only_for_window_halls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert Model(windows_hall(), 1).engine == "kernel"
    assert Model(chains_hall(), 1).engine == "simpy"  # back offices: the reference engine
    assert "approval chain" in (kernel_refusal(district()) or "")
    assert choose_engine(windows_hall(), "simpy") == "simpy"
    with pytest.raises(ValueError, match="cannot run this scenario: matter 'permit'"):
        simulate(chains_hall(), 1, engine="kernel")
    monkeypatch.setenv(ENGINE_VARIABLE, "simpy")  # what `simlib run --engine simpy` sets
    assert Model(windows_hall(), 1).engine == "simpy"
    monkeypatch.setenv(ENGINE_VARIABLE, "fast")
    with pytest.raises(ValueError, match="SIMLIB_ENGINE must be auto, simpy or kernel"):
        Model(windows_hall(), 1)


def test_kernel_refuses_what_it_was_not_checked_against() -> None:
    hall = windows_hall()
    online = hall.model_copy(
        update={"matters": [hall.matters[0].model_copy(update={"online_share": 0.2})]}
    )
    assert "online" in (kernel_refusal(online) or "")


def test_run_refuses_a_forced_kernel_it_cannot_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from simlib.cli import main

    monkeypatch.setenv(ENGINE_VARIABLE, "auto")  # restored after the test (run sets it)
    assert main(["run", "scenarios/new_district.yaml", "--engine", "kernel"]) == 2
    assert "approval chain" in capsys.readouterr().err
