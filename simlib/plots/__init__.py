"""The chart set. Every function returns a matplotlib ``Figure`` (no pyplot state, nothing
shown): title, units on the axes, 95 % confidence intervals, colour-blind-safe colours,
one colour per variant across charts; at most 6.5 in wide (an A4 column), fonts at least
8 pt, a legend for every colour that means something, n and horizon in a caption line.
``save(fig, dir, name)`` writes PNG and SVG."""

from simlib.plots.comparison import kpi_comparison, level_ci, visits_per_case, waterfall
from simlib.plots.hall import (
    gantt,
    hall_waits,
    lead_time_by_matter,
    queue_over_day,
    utilization,
    wait_distribution,
)
from simlib.plots.style import (
    MIN_FONT_PT,
    PALETTE,
    SEQUENCE,
    WIDTH_IN,
    run_caption,
    save,
    variant_colours,
)
from simlib.plots.sweep import sweep_heatmap, sweep_lines

__all__ = [
    "MIN_FONT_PT",
    "PALETTE",
    "SEQUENCE",
    "WIDTH_IN",
    "gantt",
    "hall_waits",
    "kpi_comparison",
    "lead_time_by_matter",
    "level_ci",
    "queue_over_day",
    "run_caption",
    "save",
    "sweep_heatmap",
    "sweep_lines",
    "utilization",
    "variant_colours",
    "visits_per_case",
    "wait_distribution",
    "waterfall",
]
