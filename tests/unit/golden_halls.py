"""Small halls that pin the engine's behaviour: golden records and kernel identity use them.

Each hall exercises a different corner of the model (returns, reneging, shifts, priorities,
lunch, absences, AB posts, parallel chains, commitment, online submission, deadline order),
small enough to run in well under a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simlib.files import load_scenario, scenario_from_dict
from simlib.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


def _dist(mean: float, cv: float = 0.5, kind: str = "lognormal") -> dict[str, Any]:
    return {"dist": kind, "mean": mean, "cv": cv}


def district(days: int = 6, warmup: int = 1) -> Scenario:
    """The baseline district hall, shortened (returns, reneging, absences, lunch, chains,
    courier rounds, delay steps, rework, applicant visits)."""
    base = load_scenario(ROOT / "scenarios" / "new_district.yaml")
    horizon = base.horizon.model_copy(update={"days": days, "warmup_days": warmup})
    return base.model_copy(update={"horizon": horizon})


def windows_hall() -> Scenario:
    """Window pools only: shifts, priorities, per-matter patience, lunch, absences, returns,
    collection, a ticket cut-off and overtime service of the leftovers."""
    return scenario_from_dict(
        {
            "name": "windows",
            "horizon": {"days": 12, "warmup_days": 2},
            "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri", "sat"]},
            "hall": {
                "ticket_cutoff": "16:30",
                "patience": _dist(40, 0.6),
                "renege_return_prob": 0.7,
                "return_delay_days": {"dist": "triangular", "min": 1, "mode": 2, "max": 4},
            },
            "pools": {
                "a_window": {
                    "shifts": [
                        {"hours": ["08:30-12:30"], "count": 2},
                        {"hours": ["12:00-17:00"], "count": 2, "days": ["mon", "wed", "fri"]},
                        {"count": 1},
                    ],
                    "absence": {"daily_prob": 0.1, "mean_days": 2},
                },
                "b_window": {"count": 2, "absence": {"daily_prob": 0.05}},
            },
            "matters": [
                {
                    "id": "urgent",
                    "arrivals": {"per_hour": 3},
                    "priority": 2,
                    "complete_prob": 0.8,
                    "acceptance": {"pool": "a_window", "time": _dist(12)},
                    "collection": "in_person",
                    "collection_time": _dist(4),
                    "patience": _dist(90, 0.4),
                },
                {
                    "id": "routine",
                    "arrivals": {
                        "per_day": 45,
                        "profile": {"09": 2, "10": 1.5, "11": 1, "13": 1, "14": 1, "15": 1},
                    },
                    "complete_prob": 0.7,
                    "acceptance": {"pool": "a_window", "time": _dist(15)},
                },
                {
                    "id": "other",
                    "arrivals": {"per_hour": 4, "weekday_factors": {"sat": 0.5}},
                    "acceptance": {"pool": "b_window", "time": _dist(20, 0.8, "gamma")},
                    "collection": "in_person",
                },
            ],
        }
    )


def send_home_hall() -> Scenario:
    """Sent home at closing, comprehensive windows, an AB post, hours by weekday."""
    return scenario_from_dict(
        {
            "name": "send-home",
            "horizon": {"days": 10, "warmup_days": 1},
            "calendar": {
                "hours": ["09:00-12:00", "13:30-17:00"],
                "hours_by_weekday": {"fri": ["09:00-12:00"]},
            },
            "hall": {
                "mode": "comprehensive",
                "at_close": "send_home",
                "patience": _dist(60),
                "renege_return_prob": 0.5,
            },
            "pools": {
                "w1": {"count": 3, "absence": {"daily_prob": 0.2}, "backup": "w3"},
                "w2": {"count": 2, "hours": ["09:00-12:00", "13:30-16:00"]},
                "w3": {"count": 1, "absence": {"daily_prob": 0.1}},
            },
            "matters": [
                {
                    "id": "x",
                    "arrivals": {"per_hour": 8},
                    "complete_prob": 0.85,
                    "acceptance": {"pool": "w1", "time": _dist(14)},
                },
                {
                    "id": "y",
                    "arrivals": {"per_hour": 4},
                    "acceptance": {"pool": "w2", "time": _dist(10, 0.3, "gamma")},
                    "collection": "in_person",
                },
            ],
        }
    )


def chains_hall() -> Scenario:
    """Back offices: parallel groups, AB backup of a back office, deadline order, online
    submission, commitment with verification, hand-off days, a delay step, rework."""
    return scenario_from_dict(
        {
            "name": "chains",
            "horizon": {"days": 15, "warmup_days": 3},
            "hall": {"patience": _dist(80)},
            "pools": {
                "window": {"count": 3},
                "review": {"count": 2, "absence": {"daily_prob": 0.1}, "backup": "spare"},
                "fire": {"count": 2, "order": "deadline"},
                "env": {"count": 1, "hours": ["10:00-12:00", "14:00-16:00"]},
                "spare": {"count": 1},
                "leader": {"count": 1, "hours": ["16:00-17:00"]},
            },
            "matters": [
                {
                    "id": "permit",
                    "arrivals": {"per_day": 14},
                    "online_share": 0.3,
                    "complete_prob": 0.75,
                    "acceptance": {"pool": "window", "time": _dist(15)},
                    "chain": [
                        {"id": "review", "pool": "review", "time": _dist(40, 0.6, "gamma")},
                        {
                            "parallel": [
                                {"id": "fire", "pool": "fire", "time": _dist(45, 0.5, "gamma")},
                                {"id": "env", "pool": "env", "time": _dist(12, 0.5, "gamma")},
                                {"id": "notice", "delay_days": 1},
                            ]
                        },
                        {
                            "id": "sign",
                            "pool": "leader",
                            "time": _dist(2),
                            "rework_prob": 0.1,
                            "applicant_visit": True,
                        },
                    ],
                    "handoff_days": 0.5,
                    "collection": "in_person",
                    "time_limit_days": 5,
                },
                {
                    "id": "fast",
                    "arrivals": {"per_day": 20},
                    "acceptance": {"pool": "window", "time": _dist(8)},
                    "chain": [{"id": "check", "pool": "review", "time": _dist(15, 0.6, "gamma")}],
                    "commitment": {"eligible": True, "verify": ["check"], "fail_rate": 0.1},
                    "handoff": {"rounds": ["10:00", "15:00"]},
                    "time_limit_days": 2,
                },
            ],
        }
    )


HALLS = {
    "district": district,
    "windows": windows_hall,
    "send_home": send_home_hall,
    "chains": chains_hall,
}

if __name__ == "__main__":  # print a hall as YAML, to read what it exercises
    import sys

    print(yaml.safe_dump(HALLS[sys.argv[1]]().model_dump(mode="json", exclude_defaults=True)))
