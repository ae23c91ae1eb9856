"""The log-distance measures on small hand-made logs whose distances are known by hand
(the definitions of Chapela-Campa et al. 2023 and their package, with completion times)."""

from __future__ import annotations

import pandas as pd
import pytest

from simlib.calibrate.fidelity import (
    cfld,
    circadian,
    damerau_levenshtein,
    log_distances,
    ngram,
    noise_floor,
    planner_measures,
)

MON = pd.Timestamp("2025-01-06 09:00")  # a Monday


def _log(traces: dict[str, list[tuple[str, float]]], origin=MON) -> pd.DataFrame:
    """{case: [(activity, hours after origin), ...]} as a tidy log."""
    rows = [
        {"case": c, "activity": a, "end": origin + pd.Timedelta(hours=h)}
        for c, t in traces.items()
        for a, h in t
    ]
    return pd.DataFrame(rows)


def test_damerau_levenshtein_counts_transpositions_unrestricted() -> None:
    assert damerau_levenshtein(tuple("ab"), tuple("ba")) == 1
    assert damerau_levenshtein(tuple("ca"), tuple("abc")) == 2  # restricted (OSA) gives 3
    assert damerau_levenshtein(tuple("kitten"), tuple("sitting")) == 3
    assert damerau_levenshtein((), tuple("abc")) == 3


def test_control_flow_log_distance_matches_traces_optimally() -> None:
    real = _log({"1": [("a", 0), ("b", 1)], "2": [("a", 0), ("b", 1), ("c", 2)]})
    same = _log({"x": [("a", 0), ("b", 1), ("c", 2)], "y": [("a", 0), ("b", 1)]})
    assert cfld(real, same) == 0.0  # matched across, not in order
    swapped = _log({"1": [("b", 0), ("a", 1)]})
    assert cfld(_log({"1": [("a", 0), ("b", 1)]}), swapped) == pytest.approx(0.5)
    twice = _log({"1": [("a", 0), ("b", 1), ("c", 2)], "2": [("a", 0), ("b", 1), ("c", 2)]})
    assert cfld(twice, real) == pytest.approx((0 + 1 / 3) / 2)


def test_ngram_distance_by_hand() -> None:
    ab = _log({"1": [("a", 0), ("b", 1)]})
    ba = _log({"1": [("b", 0), ("a", 1)]})
    assert ngram(ab, ab) == 0.0
    assert ngram(ab, ba) == 1.0  # no 3-gram in common
    two = _log({"1": [("a", 0), ("b", 1)], "2": [("a", 0), ("c", 1)]})
    twice = _log({"1": [("a", 0), ("b", 1)], "2": [("a", 0), ("b", 1)]})
    assert ngram(two, twice) == pytest.approx(6 / 16)


def test_time_distributions_by_hand() -> None:
    real = _log({"1": [("a", 0), ("b", 1)], "2": [("a", 24), ("b", 27)]})
    later = _log({"1": [("a", 2), ("b", 3)], "2": [("a", 26), ("b", 29)]})
    d = log_distances(real, later)
    assert d["absolute"] == pytest.approx(2.0)  # every event two hours later
    assert d["arrival"] == pytest.approx(2.0)
    assert d["relative"] == pytest.approx(0.0)
    assert d["cycle_time"] == pytest.approx(0.0)
    slower = _log({"1": [("a", 0), ("b", 3)], "2": [("a", 24), ("b", 29)]})
    assert log_distances(real, slower)["cycle_time"] == pytest.approx(2.0)
    # Circadian: Monday and Tuesday, events at 9-12 h vs 11-14 h: 2 h per weekday; the five
    # other weekdays empty in both (0): mean 4/7.
    assert circadian(real, later) == pytest.approx(2 * 2 / 7)
    # A weekday with events in one log only costs 23.
    wed = _log({"1": [("a", 48)]})
    assert circadian(_log({"1": [("a", 0)]}), wed) == pytest.approx(2 * 23 / 7)


def test_noise_floor_and_planner_measures() -> None:
    traces = {str(i): [("a", 24 * i), ("b", 24 * i + 1 + i % 3)] for i in range(40)}
    log = _log(traces)
    log["received"] = log.groupby("case")["end"].transform("min") - pd.Timedelta(days=2)
    floor = noise_floor(log)
    assert floor["random"]["cfld"] == 0.0 and floor["time"]["absolute"] > 400
    p = planner_measures(log, ["a", "b"], reps=50)
    assert p["share:a"].value == 1.0 and p["events_per_case"].value == 2.0
    assert p["first_task_wait_median_days"].value == pytest.approx(2.0)
    assert p["lead_time_median_days"].lo <= p["lead_time_median_days"].value


def test_open_cases_enter_the_lead_time_censored() -> None:
    """Half the cases still open at the log's end after 1 day: the naive median (1 day)
    would call them short; censored, the median is not below the log's end (10 days)."""
    traces = {str(i): [("a", 24.0)] for i in range(20)}
    log = _log(traces)
    log["received"] = MON
    log["closed"] = [MON if i < 10 else pd.NaT for i in range(20)]
    log.attrs["log_end"] = MON + pd.Timedelta(days=10)
    p = planner_measures(log, ["a"], reps=10)
    assert p["lead_time_p90_days"].value != p["lead_time_p90_days"].value or (
        p["lead_time_p90_days"].value >= 10
    )
    log["closed"] = MON
    assert planner_measures(log, ["a"], reps=10)["lead_time_p90_days"].value == pytest.approx(1.0)
