"""The chart set. Every function returns a matplotlib ``Figure`` (no pyplot state, nothing
shown): title, units on the axes, 95 % confidence intervals, colour-blind-safe colours,
one colour per variant across charts. ``save(fig, dir, name)`` writes PNG and SVG."""

from simlib.plots.comparison import kpi_comparison, visits_per_case, waterfall
from simlib.plots.hall import (
    gantt,
    hall_waits,
    lead_time_by_matter,
    queue_over_day,
    utilization,
    wait_distribution,
)
from simlib.plots.style import PALETTE, SEQUENCE, save, variant_colours
from simlib.plots.sweep import sweep_heatmap, sweep_lines

__all__ = [
    "PALETTE",
    "SEQUENCE",
    "gantt",
    "hall_waits",
    "kpi_comparison",
    "lead_time_by_matter",
    "queue_over_day",
    "save",
    "sweep_heatmap",
    "sweep_lines",
    "utilization",
    "variant_colours",
    "visits_per_case",
    "wait_distribution",
    "waterfall",
]
