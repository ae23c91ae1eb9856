"""Per-matter and per-hour KPIs add up to the pooled ones; the JSON and row layouts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.metrics import HOUR_KPIS, MATTER_KPIS, kpi_row, kpis, kpis_by_hour, kpis_by_matter

ROOT = Path(__file__).resolve().parents[2]


def _three_matters(**hall: Any) -> Any:
    """Three matters on two windows: returns, reneging, collection, a time limit, a chain."""
    return scenario_from_dict(
        {
            "name": "three matters",
            "horizon": {"days": 24, "warmup_days": 3},
            "hall": {
                "patience": {"dist": "exponential", "mean": 40},
                "return_delay_days": {"dist": "constant", "value": 1},
                **hall,
            },
            "pools": {"a": {"count": 3}, "b": {"count": 2}, "back": {"count": 2}},
            "matters": [
                {
                    "id": "quick",
                    "arrivals": {"per_day": 120},
                    "complete_prob": 0.7,
                    "acceptance": {"pool": "a", "time": {"dist": "exponential", "mean": 8}},
                    "time_limit_days": 1,
                },
                {
                    "id": "permit",
                    "arrivals": {"per_day": 30, "profile": {"09": 3, "10": 1, "14": 1}},
                    "acceptance": {"pool": "b", "time": {"dist": "exponential", "mean": 15}},
                    "chain": [
                        {
                            "id": "review",
                            "pool": "back",
                            "time": {"dist": "gamma", "mean": 20, "cv": 0.5},
                        }
                    ],
                    "collection": "in_person",
                    "time_limit_days": 5,
                },
                {
                    "id": "notice",
                    "arrivals": {"per_day": 20},
                    "acceptance": {"pool": "b", "time": {"dist": "exponential", "mean": 10}},
                    "chain": [{"id": "wait", "delay_days": 3}],
                },
            ],
        }
    )


def _weighted(by: dict[str, dict[str, float]], kpi: str, weights: dict[str, float]) -> float:
    keys = [k for k in by if weights[k] > 0 and np.isfinite(by[k][kpi])]
    w = np.array([weights[k] for k in keys])
    return float(np.dot([by[k][kpi] for k in keys], w) / w.sum())


def test_per_matter_kpis_aggregate_to_the_pooled_ones() -> None:
    scenario = _three_matters()
    records = simulate(scenario, 5, detail="kpi")
    pooled = kpis(records)
    by = kpis_by_matter(records, scenario)
    assert list(by) == ["quick", "permit", "notice"]
    assert all(set(v) == set(MATTER_KPIS) for v in by.values())
    for count in ("cases_arrived", "cases_completed", "throughput_per_day"):
        assert sum(v[count] for v in by.values()) == pytest.approx(pooled[count])
    arrived = {m: v["cases_arrived"] for m, v in by.items()}
    decided = {m: v["cases_completed"] for m, v in by.items()}
    undecided = {m: v["undecided_rate"] * v["cases_arrived"] for m, v in by.items()}
    assert sum(undecided.values()) == 0  # the drain saw every case decided
    seen = {m: decided[m] + undecided[m] for m in by}  # undecided: censored at the end
    assert _weighted(by, "lead_time_mean_days", seen) == pytest.approx(
        pooled["lead_time_mean_days"]
    )
    assert _weighted(by, "visits_per_case", decided) == pytest.approx(pooled["visits_per_case"])
    assert _weighted(by, "undecided_rate", arrived) == pytest.approx(pooled["undecided_rate"])
    limited = {m: (decided[m] if m != "notice" else 0.0) for m in by}
    assert np.isnan(by["notice"]["on_time_rate"])  # no time limit: not applicable
    assert _weighted(by, "on_time_rate", limited) == pytest.approx(pooled["on_time_rate"])
    # Hall waits are per call: weighted by each matter's called tickets.
    visits = records.visits
    cases = records.cases
    visits["matter"] = cases["matter"].to_numpy()[visits["case"].to_numpy()]
    called = visits[
        (visits["outcome"] == "served")
        & visits["kind"].isin(["submit", "return", "collect"])
        & (visits["ticket"] >= records.warmup)
        & (visits["ticket"] < records.horizon)
    ]
    calls = called.groupby("matter", observed=False).size().to_dict()
    assert _weighted(by, "hall_wait_mean_min", calls) == pytest.approx(pooled["hall_wait_mean_min"])
    # The matters really differ (a 3-calendar-day notice is at least one working day).
    assert by["notice"]["lead_time_mean_days"] > by["quick"]["lead_time_mean_days"] + 1
    assert by["permit"]["visits_per_case"] > by["notice"]["visits_per_case"]  # collection


def test_per_hour_kpis_aggregate_to_the_pooled_hall_kpis() -> None:
    scenario = _three_matters(wait_target_min=10)
    records = simulate(scenario, 6, detail="kpi")
    pooled = kpis(records)
    by = kpis_by_hour(records, scenario)
    assert list(by) == ["09", "10", "11", "13", "14", "15", "16"]  # the default opening hours
    assert all(set(v) == set(HOUR_KPIS) for v in by.values())
    tickets = {h: v["tickets_per_day"] for h, v in by.items()}
    v = records.visits
    window = (v["ticket"] >= records.warmup) & (v["ticket"] < records.horizon)
    hall = v[v["kind"].isin(["submit", "return", "collect"]) & window]
    called = hall[hall["outcome"] == "served"]
    calls = (called["ticket"] % 1440 // 60).astype(int).value_counts()
    calls_by_hour = {h: float(calls.get(int(h), 0)) for h in by}
    assert _weighted(by, "hall_wait_mean_min", calls_by_hour) == pytest.approx(
        pooled["hall_wait_mean_min"]
    )
    for kpi in ("abandon_rate", "hall_service_level"):
        assert _weighted(by, kpi, tickets) == pytest.approx(pooled[kpi])
    # hall_service_level: share of all tickets (abandoned ones too) called within the target.
    assert pooled["hall_service_level"] == pytest.approx(
        float((called["wait"] <= 10).sum()) / len(hall)
    )
    assert pooled["abandon_rate"] > 0 and pooled["hall_service_level"] < 1


def test_kpi_row_names_follow_the_shared_contract() -> None:
    scenario = _three_matters()
    row = kpi_row(simulate(scenario, 1, detail="kpi"), scenario)
    assert "lead_time_mean_days[matter=permit]" in row
    assert "hall_wait_p90_min[hour=09]" in row
    assert "utilization[back]" in row
    assert len([c for c in row if "[matter=" in c]) == 3 * len(MATTER_KPIS)
    assert len([c for c in row if "[hour=" in c]) == 7 * len(HOUR_KPIS)


def test_run_json_has_by_matter_and_by_hour(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "simlib.cli", "run", "scenarios/mm10.yaml", "--reps", "2", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    assert set(data["by_matter"]) == {"walkin"}
    entry = data["by_matter"]["walkin"]["lead_time_mean_days"]
    assert set(entry) == {"mean", "ci95", "values"} and len(entry["values"]) == 2
    assert list(data["by_hour"]) == [f"{h:02d}" for h in range(24)]  # open around the clock
    assert set(data["by_hour"]["00"]) == set(HOUR_KPIS)
    level = data["kpis"]["hall_service_level"]["mean"]
    assert 0 < level <= 1
