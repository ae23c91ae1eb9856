"""Networks of pools against product-form, fork-join and transient results."""

from __future__ import annotations

import pytest

from simlib import theory
from simlib.files import scenario_from_dict
from simlib.metrics import HOUR_KPIS
from tests.helpers import always_open, assert_in_ci, exp, kpi_row_samples, kpi_samples


def test_jackson_tandem_each_pool_is_erlang_c() -> None:
    lam = 0.8  # per minute
    stations = {"front": (2, 2.0), "review": (1, 1.0), "signoff": (3, 3.0)}  # rho 0.8 each
    # 30 days (was 60): the 99 % intervals' half-widths are 5.7, 7.8 and 8.1 % of Erlang C's
    # waits, inside the 10 % that makes it a test.
    scenario = always_open(
        30,
        2,
        {p: {"count": c} for p, (c, _) in stations.items()},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": lam * 60},
                "acceptance": {"pool": "front", "time": exp(2.0)},
                "chain": [
                    {"id": "review", "pool": "review", "time": exp(1.0)},
                    {"id": "signoff", "pool": "signoff", "time": exp(3.0)},
                ],
            }
        ],
    )
    names = [f"queue_wait_mean_min[{p}]" for p in stations]
    got = kpi_samples(scenario, 8, 3, *names)
    for pool, (c, mean) in stations.items():
        expected = theory.mmc_mean_wait(lam, 1 / mean, c)
        assert_in_ci(got[f"queue_wait_mean_min[{pool}]"], expected, 0.10)


@pytest.mark.parametrize(("mode", "servers"), [("dedicated", 5), ("comprehensive", 10)])
def test_dedicated_vs_comprehensive_windows(mode: str, servers: int) -> None:
    """Two streams on two pools of 5: 2 x M/M/5 when dedicated, M/M/10 when pooled."""
    lam_each, mean = 0.45, 10.0
    matters = [
        {
            "id": m,
            "arrivals": {"per_hour": lam_each * 60},
            "acceptance": {"pool": p, "time": exp(mean)},
        }
        for m, p in (("a", "desk_a"), ("b", "desk_b"))
    ]
    scenario = always_open(
        30, 3, {"desk_a": {"count": 5}, "desk_b": {"count": 5}}, matters, hall={"mode": mode}
    )
    got = kpi_samples(scenario, 12, 5, "hall_wait_mean_min")
    lam = lam_each * servers / 5
    expected = theory.mmc_mean_wait(lam, 1 / mean, servers)
    # The two theories differ by a factor 2.3, so a 15 % interval tells them apart. 30 days
    # (was 90) give half-widths of 5.6 % (dedicated) and 8.1 % (comprehensive).
    assert_in_ci(got["hall_wait_mean_min"], expected, 0.15)


def _fork_join(parallel: bool) -> object:
    steps = [{"id": b, "pool": b, "time": exp(1.0)} for b in ("fire", "env")]
    return always_open(
        40,
        2,
        {"desk": {"count": 1}, "fire": {"count": 1}, "env": {"count": 1}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": 0.5 * 60},
                "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 0}},
                "chain": [{"parallel": steps}] if parallel else steps,
            }
        ],
    )


def test_fork_join_of_two_mm1_matches_flatto_hahn() -> None:
    lam, mu = 0.5, 1.0
    got = kpi_samples(_fork_join(True), 10, 9, "lead_time_mean_days")
    response_min = got["lead_time_mean_days"] * 1440  # 24/7 hall: a working day is 1440 min
    expected = theory.fork_join2_mean_response(lam, mu)
    assert_in_ci(response_min, expected, 0.06)
    # and it is clearly not the series sum 2 / (mu - lam) = 4 min
    series = (
        kpi_samples(_fork_join(False), 10, 9, "lead_time_mean_days")["lead_time_mean_days"] * 1440
    )
    assert_in_ci(series, 2 / (mu - lam), 0.06)
    assert response_min.mean() < 0.8 * series.mean()


def test_returned_submissions_product_form() -> None:
    """Incomplete documents with an exponential return delay: the desk is M/M/c at lam/q."""
    q, c, mean = 0.6, 3, 10.0
    lam_eff = 0.8 * c / mean  # rho 0.8 at the desk including returns
    lam = lam_eff * q
    scenario = always_open(
        300,
        3,
        {"desk": {"count": c}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": lam * 60},
                "complete_prob": q,
                "acceptance": {"pool": "desk", "time": exp(mean)},
            }
        ],
        hall={"return_delay_days": exp(0.05)},
    )
    got = kpi_samples(scenario, 8, 13, "hall_wait_mean_min", "visits_per_case")
    assert_in_ci(got["hall_wait_mean_min"], theory.mmc_mean_wait(lam_eff, 1 / mean, c), 0.10)
    assert_in_ci(got["visits_per_case"], 1 / q, 0.02)


def test_one_day_with_hourly_rates_matches_kolmogorov_forward_equations() -> None:
    """An 8-hour day, rates changing by the hour, served to empty after closing: the day's
    mean wait, and by the clock hour of the ticket its arrivals, mean wait and service level."""
    per_hour = [20, 40, 60, 50, 30, 40, 50, 20]
    c, mean, target = 6, 6.0, 2.0
    profile = {f"{9 + h:02d}": r for h, r in enumerate(per_hour)}
    scenario = scenario_from_dict(
        {
            "name": "one day",
            "horizon": {"days": 600, "warmup_days": 0},
            "calendar": {
                "workdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "hours": ["09:00-17:00"],
            },
            "hall": {"at_close": "serve_all", "wait_target_min": target},
            "pools": {"desk": {"count": c}},
            "matters": [
                {
                    "id": "m",
                    "arrivals": {"per_day": sum(per_hour), "profile": profile},
                    "acceptance": {"pool": "desk", "time": exp(mean)},
                }
            ],
        }
    )
    rates = [r / 60 for r in per_hour]
    expected = theory.transient_mmc_mean_wait(rates, 60.0, 1 / mean, c)
    waits, within = theory.transient_mmc_by_period(rates, 60.0, 1 / mean, c, target=target)
    hours = [f"{9 + h:02d}" for h in range(8)]
    names = ["hall_wait_mean_min", *(f"{k}[hour={h}]" for h in hours for k in HOUR_KPIS)]
    got = kpi_row_samples(scenario, 8, 17, *names)
    assert_in_ci(got["hall_wait_mean_min"], expected, 0.07)
    # Stationary Erlang C at the daily mean rate would be a different number: the test can tell.
    stationary = theory.mmc_mean_wait(sum(per_hour) / 480, 1 / mean, c)
    assert abs(stationary - expected) / expected > 0.2
    for h, rate, wait, level in zip(hours, per_hour, waits, within, strict=True):
        # Poisson counts: the standard error of the mean over 8 x 600 days is known.
        assert abs(got[f"tickets_per_day[hour={h}]"].mean() - rate) < 4 * (rate / 4800) ** 0.5
        # 16 more intervals: at 99.9 % each, so that the family rarely fails by chance.
        assert_in_ci(got[f"hall_service_level[hour={h}]"], level, 0.06, level=0.999)
        if wait > 2.0:  # quiet hours' short waits cannot give a tight relative CI
            assert_in_ci(got[f"hall_wait_mean_min[hour={h}]"], wait, 0.12, level=0.999)
        else:
            assert abs(got[f"hall_wait_mean_min[hour={h}]"].mean() - wait) < 0.25
    # The hourly profile matters: the busiest hour waits far longer than the day's mean.
    assert waits.max() > 2 * expected
