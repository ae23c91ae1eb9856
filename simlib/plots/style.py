"""What every chart shares: colour-blind-safe colours (Okabe-Ito), one colour per variant
across all charts, and saving as PNG and SVG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

__all__ = ["PALETTE", "SEQUENCE", "save", "variant_colours"]

PALETTE = {
    "better": "#0072B2",  # blue
    "worse": "#D55E00",  # vermilion
    "neutral": "#999999",  # grey
    "baseline": "#555555",
    "total": "#009E73",  # bluish green
}
SEQUENCE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


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


def save(fig: Figure, directory: str | Path, name: str) -> list[Path]:
    """Write ``name.png`` (150 dpi) and ``name.svg`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{name}.png", directory / f"{name}.svg"]
    fig.savefig(paths[0], dpi=150)
    fig.savefig(paths[1])
    return paths
