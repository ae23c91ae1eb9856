"""Confidence intervals of non-negative levels stop at zero; CSV numbers carry no float noise."""

from __future__ import annotations

import pandas as pd

from simlib.experiment.stats import CSV_FLOAT, level_ci, mean_ci, summarize


def test_a_level_that_cannot_be_negative_has_no_negative_ci() -> None:
    waits = [0.0, 0.0, 9.0]  # a rare long wait: the t-interval reaches far below zero
    assert mean_ci(waits)[1] < 0
    m, lo, hi = level_ci(waits)
    assert lo == 0.0 and hi == mean_ci(waits)[2] and m == 3.0
    # a change can be negative: its CI is left alone
    assert level_ci([-1.0, 0.5, 2.0])[1] == mean_ci([-1.0, 0.5, 2.0])[1]
    table = summarize(pd.DataFrame({"hall_wait_mean_min": waits}), ["hall_wait_mean_min"])
    assert table.loc["hall_wait_mean_min", "ci95_low"] == 0.0


def test_csv_numbers_have_twelve_significant_digits(tmp_path) -> None:
    path = tmp_path / "x.csv"
    pd.DataFrame({"x": [0.1 + 0.2, 1 / 3, 123456.789]}).to_csv(
        path, index=False, float_format=CSV_FLOAT
    )
    assert path.read_text().split() == ["x", "0.3", "0.333333333333", "123456.789"]
