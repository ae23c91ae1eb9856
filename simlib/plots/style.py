"""What every chart shares: a width that fits an A4 column (6.5 in, fonts at least 8 pt at
that size), colour-blind-safe colours (Okabe-Ito), one colour per variant across all charts,
a caption line (n, horizon, seed) under the axes, and saving as PNG and SVG."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, ParamSpec

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

P = ParamSpec("P")

__all__ = [
    "MIN_FONT_PT",
    "PALETTE",
    "SEQUENCE",
    "WIDTH_IN",
    "bar_style",
    "caption",
    "errors",
    "figure",
    "run_caption",
    "save",
    "share_axis",
    "styled",
    "variant_colours",
    "verdict_handles",
]

WIDTH_IN = 6.5  # an A4 text column: charts are pasted at 100 %
MIN_FONT_PT = 8.0

PALETTE = {
    "better": "#0072B2",  # blue
    "worse": "#D55E00",  # vermilion
    "neutral": "#BBBBBB",  # light grey: a KPI with no better direction
    "immaterial": "#BBBBBB",  # light grey: the CI shows no material change
    "unknown": "#FFFFFF",  # dotted white: not known, the CI crosses ± the threshold
    "yardstick": "#FFFFFF",  # hatched: not comparable
    "baseline": "#555555",
    "total": "#009E73",  # bluish green
}
SEQUENCE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

_RC: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 10,
}


def figure(height: float, width: float = WIDTH_IN) -> Figure:
    """A new figure in the house style (constrained layout; never wider than the column)."""
    return Figure(figsize=(min(width, WIDTH_IN), height), layout="constrained")


def styled(func: Callable[P, Figure]) -> Callable[P, Figure]:
    """Draw a chart function's artists with the house font sizes."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        import matplotlib as mpl

        with mpl.rc_context(_RC):  # type: ignore[arg-type]
            return func(*args, **kwargs)

    return wrapper


def caption(fig: Figure, text: str, handles: Sequence | None = None, ncols: int = 2) -> None:
    """The legend (``handles``) under the chart, headed by a grey line saying what the chart
    rests on (n, horizon, seed); without handles, the line alone."""
    if handles:
        legend = fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=ncols,
            frameon=False,
            title=text or None,
            title_fontsize=MIN_FONT_PT,
            alignment="left",
        )
        legend.get_title().set_color("#444444")
        legend.set_gid("legend")
    elif text:
        fig.supxlabel(text, fontsize=MIN_FONT_PT, color="#444444", x=0.01, ha="left")


def run_caption(
    n: int | None = None,
    days: int | None = None,
    warmup: int | None = None,
    seed: int | None = None,
    extra: str = "",
    per: str = "variant",
) -> str:
    """ "n = 10 replications · 28 simulated days (7 warm-up) · seed 1 · ..." """
    parts = []
    if n is not None:
        parts.append(f"n = {n} replication{'s' if n != 1 else ''} per {per}")
    if days is not None:
        parts.append(f"{days} simulated days" + (f" ({warmup} warm-up)" if warmup else ""))
    if seed is not None:
        parts.append(f"seed {seed}")
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def share_axis(axis, change: bool = False) -> None:
    """Per cent on a share axis; percentage points on an axis of changes of a share."""
    if change:
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:+.0f} pp" if v else "0"))
    else:
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def verdict_handles(used: Collection[str], material: str = "5 % of baseline") -> list[Patch]:
    """Legend entries for the verdict colours that appear in a chart."""
    text = {
        "better": f"better (significant and ≥ {material})",
        "worse": f"worse (significant and ≥ {material})",
        "immaterial": f"no material change (CI within ± {material})",
        "unknown": f"not known (CI crosses ± {material})",
        "neutral": "changed (no better direction)",
        "yardstick": "time limits changed: on-time rate not comparable",
    }
    return [
        Patch(**bar_style(key), label=text[key])
        for key in ("better", "worse", "immaterial", "unknown", "neutral", "yardstick")
        if key in used
    ]


def bar_style(key: str) -> dict[str, Any]:
    """Face, edge and hatch of a bar judged ``key`` (see :func:`simlib.verdict.verdict_shown`):
    hatched white for another yardstick, dotted white for not known, else the colour."""
    if key == "yardstick":
        return {"facecolor": PALETTE[key], "edgecolor": "#555555", "hatch": "///"}
    if key == "unknown":
        return {"facecolor": PALETTE[key], "edgecolor": "#777777", "hatch": "...", "lw": 0.8}
    return {"facecolor": PALETTE[key], "edgecolor": PALETTE[key]}


def variant_colours(names: Sequence[str]) -> dict[str, str]:
    """A fixed colour per variant (the baseline always dark grey), the same in every chart
    that is given the same names in the same order."""
    out = {}
    k = 0
    for name in names:
        if name == "baseline":
            out[name] = PALETTE["baseline"]
        else:
            out[name] = SEQUENCE[k % len(SEQUENCE)]
            k += 1
    return out


def errors(mid: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar extents (2 x n) from an interval; missing bounds draw no bar."""
    return np.clip(np.nan_to_num(np.vstack([mid - low, high - mid]), nan=0.0), 0, None)


def save(fig: Figure, directory: str | Path, name: str) -> list[Path]:
    """Write ``name.png`` (150 dpi) and ``name.svg`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{name}.png", directory / f"{name}.svg"]
    fig.savefig(paths[0], dpi=150)
    fig.savefig(paths[1])
    return paths
