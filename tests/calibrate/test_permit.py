"""Event-log calibration: a round trip on a simulated permit log (branches, rework, batch
work, completion times only), and the shared permit receipt log through the CLI."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simlib.calibrate.chainfit import fit_chain, fit_holds, step_times
from simlib.calibrate.eventmap import read_events
from simlib.calibrate.logmap import load_map
from simlib.engine import simulate
from simlib.eventlog import event_log
from tests.helpers import always_open, exp

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "simlib" / "data" / "permit_receipt_log" / "receipt_2010-10_2011-06.csv.gz"
MAP = ROOT / "scenarios" / "calibrate_permit_receipt.yaml"

MEANS = {"receipt": 20.0, "check": 6.0, "advice": 15.0, "advice_check": 4.0, "decide": 8.0}
HOLD = {"prob": 0.25, "days": {"dist": "gamma", "mean": 4.0, "cv": 0.5}}
CHAIN = [
    {"id": "receipt", "pool": "back", "time": exp(MEANS["receipt"])},
    {"id": "check", "pool": "back", "time": exp(MEANS["check"]), "rework_prob": 0.2},
    {"id": "advice", "pool": "back", "time": exp(MEANS["advice"]), "prob": 0.3},
    {
        "id": "advice_check",
        "pool": "back",
        "time": exp(MEANS["advice_check"]),
        "prob": 0.6,
        "requires": "advice",
    },
    # Put aside before the decision in a quarter of the cases (the applicant's answer):
    # calendar days, no officer busy.
    {"id": "decide", "pool": "back", "time": exp(MEANS["decide"]), "hold": HOLD},
]


@pytest.fixture(scope="module")
def trip():
    """Simulated permits: completion times only, officers finishing a started case first
    (batch work), the receipt time as a case attribute."""
    pools = {"desk": {"count": 3}, "back": {"count": 3, "order": "started_first"}}
    matter = {
        "id": "permit",
        "arrivals": {"per_hour": 0.25},
        "online_share": 1.0,
        "time_limit_days": 40,
        "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 1.0}},
        "chain": CHAIN,
    }
    # Rework waits for the applicant's supplement (days): its gap is waiting, not work.
    hall = {"return_delay_days": {"dist": "constant", "value": 2.0}}
    sc = always_open(150, 0, pools, [matter], seed=9, hall=hall)
    log = event_log(simulate(sc, 9))
    log = log[~log["concept:name"].isin(["acceptance", "collection"])].reset_index(drop=True)
    ev = pd.DataFrame(
        {
            "case": log["case:concept:name"],
            "activity": log["concept:name"].astype(str),
            "end": log["time:timestamp"],
            "start": pd.NaT,  # completion times only
            "resource": log["org:resource"],
            "received": log["case:submitted"],
            "row": np.arange(len(log)) + 2,
        }
    ).sort_values(["case", "end"], kind="stable")
    fit = fit_chain(ev, 0.01)
    return ev, fit, step_times(ev, 15.0, 120.0, hold_gap_hours=24.0), fit_holds(ev, fit.order, 24.0)


def _binom_ci(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(0.99)
    return ci.low, ci.high


def test_round_trip_recovers_branches_and_rework(trip) -> None:
    ev, fit, _, _ = trip
    n = fit.n_cases
    assert n > 700
    assert fit.requires["advice_check"] == "advice"
    for act, p, trials in (
        ("advice", 0.3, n),
        ("advice_check", 0.6, round(n * fit.share["advice"])),
    ):
        lo, hi = _binom_ci(round(fit.prob[act] * trials), trials)
        assert lo <= p <= hi, (act, fit.prob[act], trials)
        assert abs(fit.prob[act] - p) < 0.1  # the test can fail: a marginal 0.18 would not pass
    done = int((ev["activity"] == "check").sum())
    lo, hi = _binom_ci(done - n, done)
    assert lo <= 0.2 <= hi, fit.rework["check"]
    assert fit.prob["receipt"] == fit.prob["check"] == fit.prob["decide"] == 1.0
    assert fit.covered > 0.99


def test_round_trip_recovers_step_times_from_completions(trip) -> None:
    _, _, times, _ = trip
    # An officer finishes a started case: runs of completions (steps of 4-20 min, 15 min gap)
    assert times.batch_share > 0.3 and times.n_batches > 100
    for act, mean in MEANS.items():
        x = times.samples[act]
        assert len(x) > 100, act
        half = stats.t.ppf(0.995, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
        assert abs(x.mean() - mean) <= half, (act, x.mean(), mean, half)
        assert half < 0.25 * mean  # tight enough to tell a wrong estimate apart


def test_round_trip_recovers_the_hold_between_sittings(trip) -> None:
    """The hold's probability and mean (calendar days) from the gaps between a case's
    sittings; steps without one get none, though the rework's supplement waits 2 days."""
    _, _, _, holds = trip
    decide = holds["decide"]
    assert decide.fit is not None and decide.n > 700
    lo, hi = _binom_ci(len(decide.held), decide.n)
    assert lo <= HOLD["prob"] <= hi, decide.prob
    x = decide.held
    half = stats.t.ppf(0.995, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    assert abs(x.mean() - 4.0) <= half and half < 0.6, (x.mean(), half)
    for act in ("check", "advice", "advice_check"):
        assert holds[act].fit is None and holds[act].prob < 0.02, (act, holds[act].prob)


def test_hold_is_validated_with_a_clear_error() -> None:
    from simlib import scenario_from_dict
    from simlib.scenario.errors import ScenarioError

    pools = {"desk": {"count": 1}, "back": {"count": 1}}
    bad = dict(CHAIN[-1], hold={"prob": 1.5, "days": {"dist": "constant", "value": 1}})
    matter = {
        "id": "permit",
        "arrivals": {"per_hour": 1},
        "acceptance": {"pool": "desk", "time": exp(1.0)},
        "chain": [bad],
    }
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict({"name": "x", "pools": pools, "matters": [matter]})
    text = str(err.value)
    assert "matters[0].chain[0]" in text and "hold.prob" in text, text


def test_validate_refuses_a_bad_hold_gap_in_the_map(tmp_path: Path, capsys) -> None:
    from simlib.cli import main

    bad = tmp_path / "map.yaml"
    bad.write_text(MAP.read_text().replace("hold_gap_hours: 24 ", "hold_gap_hours: -1 "))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "hold_gap_hours" in err and "greater than 0" in err and "Traceback" not in err


def test_shared_permit_log_reads_with_its_mess() -> None:
    ev = read_events(LOG, load_map(MAP))
    assert ev["case"].nunique() == 944 and len(ev) == 5764
    issues = ev.attrs["issues"]
    assert [i.action for i in issues.items] == ["corrected", "corrected"]  # two early events
    assert (ev.groupby("case")["end"].min() >= ev.groupby("case")["received"].first()).all()
    # Daylight saving: local clock hours, no event at 05:00-06:00 from a +02:00 offset read as UTC.
    assert ev["end"].dt.hour.between(7, 22).all()
    fit = fit_chain(ev, 0.01)
    assert fit.variants == 96 and abs(fit.top_variant_share - 0.41) < 0.01
    assert fit.covered > 0.7
    assert (
        "T02 Check confirmation of receipt" in fit.ids
        and fit.ids["T02 Check confirmation of receipt"] == "T02"
    )


def test_availability_as_hours_spends_the_effective_capacity_every_day() -> None:
    """``availability_as: hours``: the effective officers (head count x availability) on duty
    every working day for that share of the open hours, in slices over the day."""
    from simlib.calibrate.eventcal import calibrate_events

    m = load_map(MAP).model_copy(update={"availability_as": "hours"})
    cal = calibrate_events(LOG, m, refine_rounds=0)
    pool = cal.scenario().pools["back_office"]
    eff = cal.head_count * cal.availability
    (shift,) = pool.crews()
    assert cal.weekdays is not None  # the capacity by weekday (default with hours)
    factor = cal.weekdays.factor
    assert shift.count == pool.count == math.ceil(eff * max(factor.values()))
    assert shift.days is None and set(shift.hours_by_weekday) == set(factor)
    spans = [(int(h[:2]) * 60 + int(h[3:5]), int(h[6:8]) * 60 + int(h[9:11])) for h in shift.hours]
    lo, hi = (int(x[:2]) * 60 for x in cal.data["calendar"]["hours"].value[0].split("-"))
    on = sum(e - s for s, e in spans)
    assert abs(shift.count * on - eff * (hi - lo)) <= len(spans) * shift.count  # rounding
    assert len(spans) > 1 and spans[0][0] == lo and spans[-1][1] > (lo + hi) / 2  # spread
    # The same officers, each weekday its share: officer-minutes = eff x factor x open minutes
    assert np.mean(list(factor.values())) == pytest.approx(1.0)  # the mean day stays eff
    assert factor["fri"] < 0.8 < min(factor[d] for d in ("tue", "thu"))  # Fridays carry less
    for day, hours in shift.hours_by_weekday.items():
        minutes = sum(
            int(h[6:8]) * 60 + int(h[9:11]) - int(h[:2]) * 60 - int(h[3:5]) for h in hours
        )
        assert abs(shift.count * minutes - eff * factor[day] * (hi - lo)) <= 8 * shift.count
    assert "capacity by weekday" in cal.header() and "fri 0.66 [" in cal.header()
    flat_map = m.model_copy(update={"capacity_by_weekday": False})
    flat = calibrate_events(LOG, flat_map, refine_rounds=0)
    (same,) = flat.scenario().pools["back_office"].crews()
    assert flat.weekdays is None and not same.hours_by_weekday
    assert "availability_as: hours" in cal.header() and pool.absence.daily_prob == 0
    from simlib import scenario_from_dict

    (more,) = scenario_from_dict(cal.with_officers(1)).pools["back_office"].crews()
    on_more = sum(
        int(h[6:8]) * 60 + int(h[9:11]) - int(h[:2]) * 60 - int(h[3:5]) for h in more.hours
    )
    added = more.count * on_more - shift.count * on  # one more person's minutes a day
    assert abs(added - cal.availability * (hi - lo)) <= (len(spans) + len(more.hours)) * more.count
    days = calibrate_events(LOG, m.model_copy(update={"availability_as": "days"}), refine_rounds=0)
    pool = days.scenario().pools["back_office"]  # the head count, absent on most days
    assert pool.count == days.head_count and pool.shifts is None
    assert pool.absence.daily_prob == pytest.approx(1 - days.availability, abs=1e-4)


def test_cli_calibrates_runs_and_judges_the_permit_log(tmp_path: Path, capsys) -> None:
    from simlib.cli import main

    quick = tmp_path / "map.yaml"
    # Few rounds and a short run-in: this test checks the wiring, not the fit.
    text = MAP.read_text().replace("warmup_waits: 6 ", "warmup_waits: 1 ")
    assert "warmup_waits: 1 " in text
    quick.write_text(text + "refine_rounds: 1\nrefine_reps: 2\n")
    out, report = tmp_path / "permits.yaml", tmp_path / "fit"
    code = main(
        [
            "calibrate",
            str(LOG),
            "--map",
            str(quick),
            "--out",
            str(out),
            "--report",
            str(report),
            "--reps",
            "2",
            "--holdout",
            "25%",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0 and "covers" in text and "hold-out" in text
    tables = json.loads((report / "fidelity.json").read_text())
    assert set(tables) == {"in-sample", "hold-out"}
    assert set(tables["in-sample"]["distances"]) >= {"cfld", "ngram", "circadian", "cycle_time"}
    assert (report / "lead_times.png").stat().st_size > 10_000
    page = (report / "report.html").read_text()  # the real log's map beside the model's
    maps = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(maps) == 2
    assert ">The real log<" in maps[0] and ">The calibrated model (one simulated log)<" in maps[1]
    real, model = (set(re.findall(r'class="node">\s*<title>(.*?)</title>', m)) for m in maps)
    assert real == model and "log__T02 Check confirmation of receipt" in real  # same steps
    assert f">{tables['in-sample']['cases']['real']}×<" in maps[0]  # the log's cases start
    yaml_text = out.read_text()
    for key in (
        "label: ",
        "prob: ",
        "requires: ",
        "rework_prob: ",
        "time_limit_days: ",
        "online_share: ",
        "started_first",
        "pick:  # first task taken up",
        "by: deadline",
        "dist: empirical",
        "head count",
        "hold: {prob: ",
        "run-in ",
        "simulated days",
    ):
        assert key in yaml_text, key
    # The run-in: the simulated log opens on a running queue, before the log's window.
    assert re.search(r"warmup_days: [1-9]\d*", yaml_text)
    events = tmp_path / "sim.csv"
    assert main(["run", str(out), "--reps", "1", "--events", str(events)]) == 0
    sim = pd.read_csv(events)
    assert "T02 Check confirmation of receipt" in set(sim["concept:name"])
    assert "case:submitted" in sim.columns
    capsys.readouterr()
    assert main(["fidelity", str(LOG), str(events), "--map", str(MAP), "--json"]) == 0
    measures = json.loads(capsys.readouterr().out)
    assert 0 <= measures["distances"]["cfld"]["simulated"] <= 1
    # Compared over the real log's receipt window: the run-in's cases are left out.
    assert pd.to_datetime(sim["case:submitted"]).min() < pd.Timestamp("2010-10-01")
    assert measures["cases"]["simulated"] < sim["case:concept:name"].nunique()


def test_lead_before_the_deadline_is_recovered_from_completion_times() -> None:
    """Round trip of the take-up by deadline: a weekday back office (08:00-16:00) whose
    first task becomes eligible a uniform 5-25 working days before a 40-day deadline, with
    ample officers; the lead estimated from receipt and first completion alone is that
    uniform (less minutes of work). Fails on calendar days for working days (x 7/5), on a
    day of 24 h for the open day, and on a constant lead."""
    from simlib import scenario_from_dict
    from simlib.calibrate.pickfit import lead_days, working_days_waited

    hours, workdays = ["08:00-16:00"], ["mon", "tue", "wed", "thu", "fri"]
    data = {
        "name": "pick",
        "horizon": {"days": 120, "warmup_days": 0},
        "calendar": {"workdays": workdays, "hours": hours, "start_date": "2011-01-03"},
        "pools": {
            "desk": {"count": 2},
            "back": {
                "count": 30,
                "pick": {"by": "deadline", "lead_days": {"dist": "uniform", "min": 5, "max": 25}},
            },
        },
        "matters": [
            {
                "id": "permit",
                "arrivals": {"per_hour": 1.0},
                "online_share": 1.0,
                "time_limit_days": 40,
                "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 1.0}},
                "chain": [{"id": "receipt", "pool": "back", "time": exp(10.0)}],
            }
        ],
    }
    sc = scenario_from_dict(data)
    log = event_log(simulate(sc, 5))
    log = log[log["concept:name"] == "receipt"]
    ev = pd.DataFrame(
        {"case": log["case:concept:name"], "end": log["time:timestamp"]}
        | {"received": log["case:submitted"]}
    )
    # cases whose deadline falls inside the run (the others never start)
    ev = ev[ev["received"] < pd.Timestamp("2011-01-03") + pd.Timedelta(days=60)]
    lead = lead_days(working_days_waited(ev, workdays, hours, 480.0), 40.0)
    assert len(lead) > 300
    assert lead.min() > 5 - 0.3 and lead.max() <= 25 + 1e-6
    assert stats.kstest(lead, stats.uniform(5, 20).cdf).pvalue > 1e-3


def test_pick_by_deadline_needs_the_deadline_column() -> None:
    from simlib.calibrate.errors import CalibrationError
    from simlib.calibrate.eventcal import calibrate_events

    m = load_map(MAP)
    cols = m.columns.model_copy(update={"deadline": None})
    with pytest.raises(CalibrationError, match=r"pick: deadline needs each case's deadline"):
        calibrate_events(LOG, m.model_copy(update={"columns": cols}), refine_rounds=0)
