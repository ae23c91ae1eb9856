"""When a change counts (significant AND material) and how numbers are written for people."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from simlib.verdict import (
    Material,
    changes_yardstick,
    digits_from_ci,
    fmt_change,
    fmt_level,
    parse_material,
    verdict,
)


def test_significant_but_immaterial_is_not_called_better() -> None:
    # +0.5 pp on an 83 % on-time rate: the CI excludes zero, but it is under 5 % of 83 %
    assert verdict("on_time_rate", 0.005, 0.003, 0.007, 0.83) == "neutral"
    assert verdict("on_time_rate", 0.10, 0.09, 0.11, 0.83) == "better"
    assert verdict("hall_wait_mean_min", 3.0, 2.0, 4.0, 15.0) == "worse"
    # material but not significant
    assert verdict("hall_wait_mean_min", -3.0, -7.0, 1.0, 15.0) == "neutral"
    # a per-KPI absolute threshold: 2 minutes
    strict = parse_material("5%,hall_wait_mean_min=2")
    assert verdict("hall_wait_mean_min", -1.5, -2.0, -1.0, 15.0, strict) == "neutral"
    assert verdict("hall_wait_mean_min", -2.5, -3.0, -2.0, 15.0, strict) == "better"
    # per-matter columns use their KPI's threshold and direction
    assert verdict("lead_time_mean_days[matter=a]", -1.0, -1.2, -0.8, 3.0, strict) == "better"


def test_changed_time_limits_make_the_on_time_rate_not_comparable() -> None:
    assert verdict("on_time_rate", -0.12, -0.13, -0.11, 0.83, None, True) == "yardstick"
    assert verdict("lead_time_mean_days", -0.3, -0.4, -0.2, 2.6, None, True) == "better"
    assert changes_yardstick([{"type": "time_limit", "factor": 0.6}])
    assert changes_yardstick([{"type": "set", "path": "matters[*].time_limit_days", "value": 3}])
    assert not changes_yardstick([{"type": "online", "share": 0.4}])


def test_parse_material_round_trips_and_rejects_nonsense() -> None:
    m = parse_material("10%,on_time_rate=3pp,lead_time_mean_days=20%,hall_wait_mean_min=2")
    assert m.relative == 0.10 and m.absolute == {"on_time_rate": 0.03, "hall_wait_mean_min": 2}
    assert m.threshold("lead_time_mean_days", 2.0) == pytest.approx(0.4)
    assert parse_material(m.as_text()) == m
    assert parse_material(None) == Material()
    for bad in ("5", "five%", "nonsense_kpi=2", "hall_wait_mean_min=2pp"):
        with pytest.raises(ValueError):
            parse_material(bad)


def test_numbers_for_people() -> None:
    assert fmt_level("on_time_rate", 0.8333, 0.004) == "83.3 %"
    assert fmt_change("on_time_rate", 0.106, 0.005) == "+10.6 pp"
    assert fmt_change("hall_wait_mean_min", -9.5, 0.7, unit=True) == "−9.5 min"
    assert fmt_change("throughput_per_day", 3.79e-14, 0.166) == "0.0"
    assert fmt_level("throughput_per_day", 732.2, 4.0) == "732"
    assert fmt_level("throughput_per_day", 12345.6) == "12,346"
    assert fmt_level("hall_wait_mean_min", math.nan) == "–"
    assert digits_from_ci(0.05) == 2 and digits_from_ci(3.0) == 0
    for x in (1e-9, 3.2e-7, 1e12, -4e-5):
        for text in (fmt_level("visits_per_case", x), fmt_change("abandon_rate", x, 1e-6)):
            assert "e" not in text.lower(), text


def test_a_chart_tells_not_known_from_no_material_change() -> None:
    """A CI that includes zero but reaches a material change is "not known", which a chart
    must not draw like a CI shown to lie within ±material ("no material change")."""
    from matplotlib.patches import Rectangle

    from simlib import plots
    from simlib.verdict import verdict_shown

    wait = "hall_wait_mean_min"  # material: 5 % of 15 min = ±0.75 min
    assert verdict_shown(wait, -1.5, -4.0, 1.0, 15.0) == "unknown"  # CI includes zero
    assert verdict_shown(wait, 0.1, -0.3, 0.5, 15.0) == "immaterial"  # CI within ±0.75
    assert verdict_shown(wait, 0.5, 0.1, 1.2, 15.0) == "unknown"  # significant, may be material
    assert verdict_shown(wait, 0.5, 0.3, 0.7, 15.0) == "immaterial"  # significant, immaterial
    assert verdict_shown(wait, -1.0, float("nan"), float("nan"), 15.0) == "unknown"  # no CI
    assert verdict_shown(wait, -4.0, -5.5, -2.5, 15.0) == "better"
    assert verdict_shown("on_time_rate", -0.1, -0.2, 0.0, 0.8, None, True) == "yardstick"
    rows = [
        {"variant": v, "kpi": wait, "baseline_mean": 15.0, "variant_mean": 15.0 + d}
        | {"diff": d, "diff_ci_low": lo, "diff_ci_high": hi}
        for v, d, lo, hi in (("wide", -1.5, -4.0, 1.0), ("flat", 0.1, -0.3, 0.5))
    ]
    fig = plots.kpi_comparison(pd.DataFrame(rows))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.startswith("not known") for t in labels), labels
    assert any(t.startswith("no material change") for t in labels), labels
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len({(p.get_hatch(), p.get_facecolor()) for p in bars}) == 2  # drawn differently
    fig.canvas.draw()  # the legend fits the A4 column
    box = fig.legends[0].get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width + 1
