"""Every chart function on real results, and the process-mining event log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from simlib import load_sweep, plots
from simlib import reforms as R
from simlib.cli import main
from simlib.engine import simulate
from simlib.eventlog import event_log, write_event_log
from simlib.experiment import replicate
from simlib.experiment.compare import compare
from simlib.experiment.sweep import run_sweep
from simlib.scenario import scenario_from_dict
from tests.e2e.test_compare import SMALL, VARIANTS
from tests.e2e.test_sweep import GRID, _files


@pytest.fixture(scope="module")
def hall():
    return scenario_from_dict(SMALL)


@pytest.fixture(scope="module")
def records(hall):
    return simulate(hall, 2)


def _assert_readable(fig: Figure, tmp_path: Path, name: str) -> None:
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert axes
    title = fig.get_suptitle() or axes[0].get_title()
    assert title, "every chart has a title"
    for ax in axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() or ax.get_ylabel(), "axes are labelled"
        assert ax.has_data(), "and show something"
    png, svg = plots.save(fig, tmp_path, name)
    assert png.stat().st_size > 5_000 and svg.stat().st_size > 5_000


def test_comparison_charts(hall, tmp_path: Path) -> None:
    result = compare(hall, VARIANTS, reps=2, seed=1)
    table, stacked = result.table(), result.stacked()
    _assert_readable(plots.kpi_comparison(table), tmp_path, "kpis")
    _assert_readable(plots.waterfall(stacked, "lead_time_mean_days"), tmp_path, "waterfall")
    _assert_readable(plots.visits_per_case(table), tmp_path, "visits")


def test_hall_charts(hall, records, tmp_path: Path) -> None:
    other = simulate(R.one_time_notification(complete_prob=0.95)(hall), 2)
    waits = {"baseline": plots.hall_waits(records), "notify": plots.hall_waits(other)}
    _assert_readable(plots.wait_distribution(waits), tmp_path, "ecdf")
    _assert_readable(plots.queue_over_day(records), tmp_path, "queue")
    _assert_readable(plots.lead_time_by_matter(records), tmp_path, "lead")
    _assert_readable(plots.utilization(replicate(hall, 2, 1)), tmp_path, "util")
    _assert_readable(plots.gantt(records, "r1"), tmp_path, "gantt")


def test_sweep_charts(tmp_path: Path) -> None:
    summary = run_sweep(load_sweep(_files(tmp_path, GRID))).summary()
    _assert_readable(
        plots.sweep_heatmap(summary, "demand_factor", "pools.w.count", "hall_wait_mean_min"),
        tmp_path,
        "heat",
    )
    _assert_readable(
        plots.sweep_lines(summary, "pools.w.count", "hall_wait_mean_min", group="demand_factor"),
        tmp_path,
        "lines",
    )


def test_variant_colours_are_stable() -> None:
    a = plots.variant_colours(["baseline", "x", "y"])
    assert (
        a == plots.variant_colours(["baseline", "x", "y"])
        and a["baseline"] == plots.PALETTE["baseline"]
    )
    assert len(set(a.values())) == 3


def test_event_log_matches_the_records(records) -> None:
    log = event_log(records)
    assert list(log.columns) == [
        "case:concept:name",
        "concept:name",
        "org:resource",
        "time:start_timestamp",
        "time:timestamp",
        "matter",
        "channel",
    ]
    assert len(log) == len(records.steps)
    assert (log["time:timestamp"] >= log["time:start_timestamp"]).all()
    starts = log.groupby("case:concept:name", sort=False)["time:start_timestamp"]
    assert starts.apply(lambda s: s.is_monotonic_increasing).all()  # in order within each case
    assert log["time:start_timestamp"].min() >= pd.Timestamp("2025-01-06")  # default start date
    counts = log.groupby("concept:name").size()
    assert counts["acceptance"] == (records.steps["activity"] == "acceptance").sum()


def test_event_log_file_and_cli(hall, records, tmp_path: Path) -> None:
    path = write_event_log(records, tmp_path / "log.csv")
    back = pd.read_csv(path, parse_dates=["time:start_timestamp", "time:timestamp"])
    assert len(back) == len(records.steps)
    import yaml

    (tmp_path / "hall.yaml").write_text(
        yaml.safe_dump(dict(SMALL, calendar={"start_date": "2025-03-03"}))
    )
    assert (
        main(
            [
                "run",
                str(tmp_path / "hall.yaml"),
                "--reps",
                "1",
                "--quiet",
                "--events",
                str(tmp_path / "ev.csv"),
            ]
        )
        == 0
    )
    ev = pd.read_csv(tmp_path / "ev.csv")
    assert ev["time:start_timestamp"].str.startswith("2025-03").any()
