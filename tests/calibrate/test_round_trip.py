"""Round trip: simulate a known hall, export its ticket log and event log, calibrate, and
recover what went in; the calibrated hall, re-simulated, gives the original KPIs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simlib import scenario_from_dict
from simlib.calibrate import calibrate
from simlib.calibrate.fitting import frozen
from simlib.engine import simulate
from simlib.eventlog import write_event_log
from simlib.ticketlog import MAP_PATH, write_ticket_log
from tests.helpers import kpi_samples

DAYS = 12
PROFILE = {"08": 1, "09": 2, "10": 3, "11": 3, "12": 2, "13": 2, "14": 3, "15": 2, "16": 1, "17": 1}
KNOWN = {
    "name": "known hall",
    "horizon": {"days": DAYS, "warmup_days": 0},
    "calendar": {
        "workdays": ["mon", "tue", "wed", "thu", "fri"],
        "hours": ["08:00-18:00"],
        "hours_by_weekday": {"fri": ["08:00-13:00"]},
        "start_date": "2025-03-03",
    },
    "hall": {
        "patience": {"dist": "exponential", "mean": 12.0},
        "renege_return_prob": 0.3,
        "return_delay_days": {"dist": "exponential", "mean": 0.03},
    },
    "pools": {
        "desk": {
            "shifts": [
                {"hours": ["08:00-18:00"], "count": 3},
                {"hours": ["10:00-16:00"], "count": 2, "days": ["mon", "tue", "wed", "thu"]},
            ]
        },
        "back": {"count": 6},
        "fire": {"count": 3},
        "env": {"count": 3},
    },
    "matters": [
        {
            "id": "permit",
            "priority": 1,
            "arrivals": {"per_day": 160, "profile": PROFILE},
            "acceptance": {"pool": "desk", "time": {"dist": "lognormal", "mean": 4.0, "cv": 0.8}},
            "handoff_days": 0.2,
            "chain": [
                {"id": "review", "pool": "back", "time": {"dist": "gamma", "mean": 12, "cv": 0.5}},
                {
                    "parallel": [
                        {
                            "id": "fire_check",
                            "pool": "fire",
                            "time": {"dist": "exponential", "mean": 9},
                        },
                        {
                            "id": "env_check",
                            "pool": "env",
                            "time": {"dist": "gamma", "mean": 8, "cv": 0.4},
                        },
                    ]
                },
            ],
        },
        {
            "id": "licence",
            "arrivals": {"per_day": 110, "profile": PROFILE, "weekday_factors": {"mon": 1.4}},
            "acceptance": {"pool": "desk", "time": {"dist": "gamma", "mean": 6.0, "cv": 0.5}},
            "chain": [
                {"id": "check", "pool": "back", "time": {"dist": "lognormal", "mean": 6, "cv": 1.0}}
            ],
        },
    ],
}


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory):
    known = scenario_from_dict(KNOWN)
    records = simulate(known, 5)
    d = tmp_path_factory.mktemp("trip")
    tickets = write_ticket_log(
        records, d / "tickets.csv", {m.id: m.priority for m in known.matters}
    )
    events = write_event_log(records, d / "events.csv")
    cal = calibrate(tickets, MAP_PATH, events=events, refine_rounds=1)
    cal.write(d / "calibrated.yaml")
    return known, cal, records


def _matter(cal, mid: str) -> dict:
    from simlib.calibrate.yamlout import plain

    return next(m for m in plain(cal.data)["matters"] if m["id"] == mid)


def test_arrival_rates_and_calendar_recovered(trip) -> None:
    known, cal, _ = trip
    fitted = {a.matter: a for a in cal.arrivals}
    for m in known.matters:
        a = fitted[m.id]
        # Mon-Thu days carry per_day x factor; 10 weekdays, 2 of them short Fridays.
        days = a.n_days
        half = 1.96 * math.sqrt(a.per_day * days) / days * 1.5  # Poisson, a few redials removed
        assert abs(a.per_day - m.arrivals.per_day * _mean_factor(m)) <= half, (m.id, a.per_day)
    data = cal.scenario()
    assert data.calendar.hours == ["08:00-18:00"]
    assert data.calendar.hours_by_weekday == {"fri": ["08:00-13:00"]}
    assert data.horizon.days == DAYS and str(data.calendar.start_date) == "2025-03-03"
    assert _matter(cal, "permit")["priority"] == 1 and _matter(cal, "licence")["priority"] == 0


def _mean_factor(m) -> float:
    # per_day is the mean over the main weekday group (Mon-Thu here).
    f = [m.arrivals.weekday_factors.get(d, 1.0) for d in ("mon", "tue", "wed", "thu")]
    return float(np.mean(f))


def test_service_families_and_means_recovered(trip) -> None:
    known, cal, _ = trip
    for m in known.matters:
        fit = cal.service[m.id]
        assert fit.best.family == m.acceptance.time.dist
        half = 1.96 * fit.sample_mean * fit.sample_cv / math.sqrt(fit.n)
        assert abs(fit.best.mean - m.acceptance.time.mean) <= 1.2 * half + 0.01
        assert not fit.use_empirical
    for step in ("review", "check"):
        fit = cal.chains.step_fit[step]
        truth = next(s for m in known.matters for s in m.steps() if s.id == step)
        assert fit.best.family == truth.time.dist
        assert fit.best.mean == pytest.approx(truth.time.mean, rel=0.12)


def test_patience_redials_staffing_and_chains_recovered(trip) -> None:
    _, cal, _ = trip
    truth = frozen("exponential", 12.0, 1.0)
    assert cal.patience.median == pytest.approx(truth.median(), rel=0.10)
    assert cal.redials["return_prob"] == pytest.approx(0.3, abs=0.06)
    present = cal.staffing.present
    for wd in (0, 1, 2, 3):  # Mon-Thu: 3 officers, 5 from 10:00 to 16:00
        assert present.loc[wd, 11] == pytest.approx(5, abs=0.5)
        assert present.loc[wd, 8] == pytest.approx(3, abs=0.5)
    assert present.loc[4, 11] == pytest.approx(3, abs=0.5)
    assert cal.chains.chain["permit"] == [["review"], ["env_check", "fire_check"]]
    assert cal.chains.chain["licence"] == [["check"]]
    assert cal.chains.pool_of["fire_check"] == "fire" and cal.chains.pool_size["back"] == 6
    assert cal.chains.handoff_days["permit"] == pytest.approx(0.2, abs=0.03)
    assert cal.chains.handoff_days["licence"] == 0.0


def test_resimulated_kpis_match_the_known_hall(trip) -> None:
    known, cal, _ = trip
    kpis = ("hall_wait_mean_min", "abandon_rate", "lead_time_mean_days")
    a = kpi_samples(known, 6, 21, *kpis)
    b = kpi_samples(cal.scenario(), 6, 21, *kpis)
    for k in kpis:
        ma, mb = a[k].mean(), b[k].mean()
        se = math.sqrt(a[k].var(ddof=1) / 6 + b[k].var(ddof=1) / 6)
        assert abs(mb - ma) <= max(2.6 * se, 0.1 * ma), (k, ma, mb)
