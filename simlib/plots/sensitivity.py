"""The tornado chart: how far each assumed parameter moves a reform's saving."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from simlib.plots.style import SEQUENCE, caption, figure, styled

__all__ = ["tornado"]


@styled
def tornado(curves: Sequence[Any], note: str = "") -> Figure:
    """One bar per assumed parameter: the applicant-hours saved a year at the low and high
    ends of its swept range, around the saving at the assumed value; widest swing on top.
    ``curves``: :class:`simlib.experiment.sensitivity.Curve` objects."""
    import numpy as np

    rows = []
    for c in curves:
        saved = [s[0] for s in c.saved]
        at = float(np.interp(c.assumed, c.values, saved))
        rows.append((c, saved[0], saved[-1], at))
    rows.sort(key=lambda r: abs(r[2] - r[1]))
    fig = figure(1.2 + 0.55 * len(rows))
    ax = fig.subplots()
    for i, (c, low, high, at) in enumerate(rows):
        ax.barh(i, low - at, left=at, color=SEQUENCE[1], height=0.6)
        ax.barh(i, high - at, left=at, color=SEQUENCE[0], height=0.6)
        ax.annotate(
            f"{c.values[0]:g}",
            (low, i),
            ha="center",
            va="bottom",
            xytext=(0, 9),
            textcoords="offset points",
            fontsize=8,
        )
        ax.annotate(
            f"{c.values[-1]:g}",
            (high, i),
            ha="center",
            va="bottom",
            xytext=(0, 9),
            textcoords="offset points",
            fontsize=8,
        )
        ax.plot([at], [i], marker="|", color="black", markersize=14)
    ax.set_yticks(
        range(len(rows)), [f"{c.variant}\n{c.parameter} (assumed {c.assumed:g})" for c, *_ in rows]
    )
    ax.set_xlabel("applicant-hours saved a year (vs the baseline)")
    ax.set_title("Saving at the ends of each assumed range")
    ax.margins(x=0.08, y=0.25)
    ax.grid(axis="x", alpha=0.3)
    from matplotlib.patches import Patch

    caption(
        fig,
        note,
        [
            Patch(color=SEQUENCE[1], label="low end of the range"),
            Patch(color=SEQUENCE[0], label="high end of the range"),
        ],
    )
    return fig
