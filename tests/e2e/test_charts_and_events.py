"""Every chart function on real results, and the process-mining event log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from simlib import load_sweep, plots
from simlib import reforms as R
from simlib.cli import main
from simlib.engine import simulate
from simlib.eventlog import event_log, write_event_log
from simlib.experiment import replicate
from simlib.experiment.compare import compare
from simlib.experiment.sweep import run_sweep
from simlib.files import scenario_from_dict
from tests.e2e.test_compare import SMALL, VARIANTS
from tests.e2e.test_sweep import GRID, _files


@pytest.fixture(scope="module")
def hall():
    return scenario_from_dict(SMALL)


@pytest.fixture(scope="module")
def records(hall):
    return simulate(hall, 2)


def _texts(fig: Figure) -> list[Text]:
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.axes is not False
    ]


def _assert_readable(fig: Figure, tmp_path: Path, name: str, colours_mean: bool = True) -> None:
    """Pasteable: at most 6.5 in wide, every text at least 8 pt at that size, a legend (or a
    colour bar) wherever colours encode meaning, a title, labelled axes."""
    width = fig.get_size_inches()[0]
    assert width <= plots.WIDTH_IN + 1e-9, f"{name}: {width:.1f} in wide"
    fig.canvas.draw()  # tick labels exist only once drawn
    small = [(t.get_text()[:30], t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 8]
    assert not small, f"{name}: text under 8 pt: {small}"
    if colours_mean:
        legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
        colourbar = any(ax.get_label() == "<colorbar>" for ax in fig.axes)
        assert legends or colourbar, f"{name}: colours encode meaning but there is no legend"
        for legend in legends:
            assert all(t.get_text() for t in legend.get_texts()), "every legend entry is named"
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
    table, stacked, runs = result.table(), result.stacked(), result.runs
    note = plots.run_caption(2, 10, 2, 1)
    _assert_readable(plots.kpi_comparison(table, note=note), tmp_path, "kpis")
    for kpi in ("lead_time_mean_days", "hall_wait_mean_min", "on_time_rate"):
        fig = plots.waterfall(stacked, kpi, runs=runs, note=note)
        _assert_readable(fig, tmp_path, "waterfall")
    _assert_readable(plots.visits_per_case(table, runs=runs, note=note), tmp_path, "visits")
    assert note in [t.get_text() for t in _texts(fig)], "n and horizon in a caption line"


def test_level_bars_carry_level_cis_and_change_bars_change_cis(hall) -> None:
    """The waterfall's baseline and full-package bars get the CI of their level (never a
    change's CI around a level, which ran below zero)."""
    result = compare(hall, VARIANTS, reps=3, seed=1)
    stacked, runs = result.stacked(), result.runs
    fig = plots.waterfall(stacked, "hall_wait_mean_min", runs=runs)
    ax = fig.axes[0]
    ends = []
    for container in ax.containers:
        if hasattr(container, "has_xerr") and container.has_xerr:
            (bars,) = container.lines[2]
            ends += [seg[:, 0] for seg in bars.get_segments()]
    last = result.stack[-1]
    for kind, name in (("stacked", last), ("baseline", "baseline")):
        _, lo, hi = plots.level_ci(runs, kind, name, "hall_wait_mean_min")
        lo = max(lo, 0.0)  # a level's interval is cut at zero: no negative waits
        assert any(abs(e[0] - lo) < 1e-9 and abs(e[1] - hi) < 1e-9 for e in ends), (kind, ends)
    row = stacked[(stacked["kpi"] == "hall_wait_mean_min") & (stacked["stage"] == 1)].iloc[0]
    base = row["baseline_mean"]
    width = row["contribution_ci_high"] - row["contribution_ci_low"]
    assert any(
        abs((e[1] - e[0]) - width) < 1e-9 and abs(e[0] - (base + row["contribution_ci_low"])) < 1e-9
        for e in ends
    ), "the first change bar carries the CI of its change, at its end"


def test_hall_charts(hall, records, tmp_path: Path) -> None:
    other = simulate(R.one_time_notification(complete_prob=0.95)(hall), 2)
    waits = {"baseline": plots.hall_waits(records), "notify": plots.hall_waits(other)}
    _assert_readable(plots.wait_distribution(waits), tmp_path, "ecdf")
    _assert_readable(plots.queue_over_day(records), tmp_path, "queue", colours_mean=False)
    _assert_readable(plots.lead_time_by_matter(records), tmp_path, "lead")
    _assert_readable(plots.utilization(replicate(hall, 2, 1)), tmp_path, "util")
    _assert_readable(plots.gantt(records, "r1"), tmp_path, "gantt")
    for fig in (plots.queue_over_day(records), plots.lead_time_by_matter(records)):
        assert fig.get_size_inches()[0] <= plots.WIDTH_IN


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
    _assert_readable(
        plots.sweep_lines(summary, "pools.w.count", "hall_wait_mean_min"),
        tmp_path,
        "one_line",
        colours_mean=False,
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
        "case:submitted",
    ]
    assert len(log) == len(records.steps)
    assert (log["case:submitted"] <= log["time:start_timestamp"]).all()
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
