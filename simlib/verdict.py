"""When a change counts, and how to write numbers for people.

A change is an *improvement* (or a *deterioration*) only when it is both significant (its
95 % confidence interval excludes zero) and material (at least the threshold a planner
cares about: by default 5 % of the baseline). Charts, the report and the terminal table all
judge through :func:`verdict`, so a colour means the same everywhere.

Numbers are written as people read them: shares as per cent, changes of shares in
percentage points, never scientific notation, and as many digits as the confidence
interval supports (:func:`digits_from_ci`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from simlib.metrics import KPI_INFO

__all__ = [
    "SHARE_FLOOR",
    "Material",
    "changes_yardstick",
    "digits_from_ci",
    "fmt_change",
    "fmt_level",
    "is_share",
    "kpi_info",
    "parse_material",
    "verdict",
    "verdict_shown",
]


def kpi_info(column: str, names: Mapping[str, str] | None = None) -> tuple[str, str, str]:
    """(label, unit, better) of a KPI column: plain, per pool (``utilization[front]``), per
    matter (``on_time_rate[matter=x]``) or per hour (``[hour=09]``, written "09:00–10:00");
    ``names`` maps matter and pool ids to their display names. ``better`` is "" for a KPI
    simlib does not know (then no change of it is called better or worse)."""
    base, _, rest = column.partition("[")
    label, unit, better = KPI_INFO.get(base, (base.replace("_", " "), "", ""))
    if rest:
        what = rest[:-1]
        key, _, value = what.rpartition("=")
        if key == "hour" and value.isdigit():
            value = f"{int(value):02d}:00–{(int(value) + 1) % 24:02d}:00"
        value = (names or {}).get(value, value)
        label = f"{label}, {value}" if key else f"{label} ({value})"
    return label, unit, better


def changes_yardstick(reforms: list[dict]) -> bool:
    """True when a variant changes the time limits: its on-time rate is then measured against
    another yardstick and is not comparable with the baseline's."""
    for r in reforms:
        kind = r.get("type")
        if kind == "time_limit":
            return True
        paths = [r.get("path") or "", *(r.get("values") or {})] if kind == "set" else []
        if any("time_limit" in str(p) for p in paths):
            return True
    return False


def is_share(kpi: str) -> bool:
    """True for KPIs that are shares (written in %, their changes in percentage points)."""
    return kpi_info(kpi)[1] == "share"


SHARE_FLOOR = 0.005  # the smallest material change of a share, unless given per KPI


@dataclass(frozen=True)
class Material:
    """The smallest change that matters, per KPI.

    ``relative`` is a share of the baseline value (0.05 = 5 %); ``absolute`` maps a KPI to a
    threshold in its own unit (shares: a fraction, 0.03 = 3 percentage points)."""

    relative: float = 0.05
    absolute: dict[str, float] = field(default_factory=dict)
    per_kpi_relative: dict[str, float] = field(default_factory=dict)

    def threshold(self, kpi: str, baseline: float) -> float:
        """The material change of ``kpi`` at ``baseline``, in the KPI's unit. A relative
        threshold of a share is at least ``SHARE_FLOOR`` (half a percentage point): 5 % of a
        0.2 % abandon rate is no change anyone would act on."""
        base = kpi.split("[")[0]
        floor = SHARE_FLOOR if is_share(kpi) else 0.0
        for key in (kpi, base):
            if key in self.absolute:
                return self.absolute[key]
            if key in self.per_kpi_relative:
                return max(floor, self.per_kpi_relative[key] * abs(baseline))
        return max(floor, self.relative * abs(baseline))

    def describe(self, kpi: str | None = None) -> str:
        """The rule in words, for the report (``kpi=None``: the default and every override)."""
        if kpi is None:
            parts = [
                f"{_pct(self.relative)} of the baseline value (of a share, at least "
                f"{SHARE_FLOOR * 100:g} percentage point)"
            ]
            for k, v in self.absolute.items():
                parts.append(
                    f"{k}: {v:g} {kpi_info(k)[1]}"
                    if not is_share(k)
                    else f"{k}: {v * 100:g} percentage points"
                )
            for k, v in self.per_kpi_relative.items():
                parts.append(f"{k}: {_pct(v)} of its baseline")
            return "; ".join(parts)
        base = kpi.split("[")[0]
        if kpi in self.absolute or base in self.absolute:
            v = self.absolute.get(kpi, self.absolute.get(base, 0.0))
            return f"{v * 100:g} pp" if is_share(kpi) else f"{v:g} {kpi_info(kpi)[1]}"
        v = self.per_kpi_relative.get(kpi, self.per_kpi_relative.get(base, self.relative))
        return f"{_pct(v)} of baseline"

    def as_text(self) -> str:
        """The command-line form that gives this rule back (``parse_material``)."""
        parts = [f"{self.relative * 100:g}%"]
        parts += [
            f"{k}={v * 100:g}pp" if is_share(k) else f"{k}={v:g}" for k, v in self.absolute.items()
        ]
        parts += [f"{k}={v * 100:g}%" for k, v in self.per_kpi_relative.items()]
        return ",".join(parts)


def _pct(x: float) -> str:
    return f"{x * 100:g} %"


_ITEM = re.compile(
    r"^\s*(?:(?P<kpi>[a-z_0-9\[\]=.\-]+)\s*=\s*)?(?P<num>[0-9.]+)\s*(?P<unit>%|pp)?\s*$"
)


def parse_material(text: str | None) -> Material:
    """``"5%"`` (of the baseline, every KPI), optionally followed by per-KPI thresholds:
    ``"5%,hall_wait_mean_min=2,on_time_rate=3pp,lead_time_mean_days=10%"`` (a bare number is
    in the KPI's unit; ``pp`` = percentage points, for shares)."""
    if not text:
        return Material()
    relative = 0.05
    absolute: dict[str, float] = {}
    per_rel: dict[str, float] = {}
    for item in text.split(","):
        match = _ITEM.match(item)
        if not match:
            raise ValueError(
                f"--material: cannot read '{item.strip()}'; write 5% or KPI=2 or KPI=3pp or KPI=10%"
            )
        kpi, num, unit = match["kpi"], float(match["num"]), match["unit"]
        if kpi is None:
            if unit != "%":
                raise ValueError(f"--material: the default '{item.strip()}' must be a percentage")
            relative = num / 100
            continue
        if kpi.split("[")[0] not in KPI_INFO:
            raise ValueError(
                f"--material: '{kpi}' is not a KPI name; KPIs are: " + ", ".join(KPI_INFO)
            )
        if unit == "%":
            per_rel[kpi] = num / 100
        elif unit == "pp":
            if not is_share(kpi):
                raise ValueError(f"--material: {kpi} is not a share; pp only applies to shares")
            absolute[kpi] = num / 100
        else:
            absolute[kpi] = num
    return Material(relative, absolute, per_rel)


def verdict(
    kpi: str,
    diff: float,
    low: float,
    high: float,
    baseline: float,
    material: Material | None = None,
    yardstick_changed: bool = False,
) -> str:
    """``"better"``, ``"worse"``, ``"neutral"`` (not significant, or not material), or
    ``"yardstick"`` (an on-time rate under changed time limits: not comparable)."""
    material = material or Material()
    if yardstick_changed and kpi.split("[")[0] == "on_time_rate":
        return "yardstick"
    if not all(math.isfinite(v) for v in (diff, low, high)):
        return "neutral"
    if low <= 0 <= high:
        return "neutral"
    limit = material.threshold(kpi, baseline if math.isfinite(baseline) else 0.0)
    if abs(diff) < limit:
        return "neutral"
    better = kpi_info(kpi)[2]
    if not better:
        return "neutral"
    improves = diff < 0 if better == "lower" else diff > 0
    return "better" if improves else "worse"


def verdict_shown(
    kpi: str,
    diff: float,
    low: float,
    high: float,
    baseline: float,
    material: Material | None = None,
    yardstick_changed: bool = False,
) -> str:
    """:func:`verdict` for a chart, with its ``"neutral"`` split in two, since "not known" is
    not "no difference": ``"immaterial"`` when the whole 95 % CI lies within ±material (shown
    to be no material change), ``"unknown"`` otherwise (the CI holds changes both under and
    over the threshold, e.g. it includes zero and reaches a material change, or there is no
    CI). A KPI without a better direction stays ``"neutral"``."""
    material = material or Material()
    key = verdict(kpi, diff, low, high, baseline, material, yardstick_changed)
    if key != "neutral" or not kpi_info(kpi)[2]:
        return key
    limit = material.threshold(kpi, baseline if math.isfinite(baseline) else 0.0)
    inside = math.isfinite(low) and math.isfinite(high) and -limit <= low and high <= limit
    return "immaterial" if inside else "unknown"


def digits_from_ci(half_width: float, value: float = 0.0) -> int:
    """Decimals to show: down to the first significant digit of the CI half-width (at least
    0, at most 4); without a CI, three significant digits of the value."""
    if not (math.isfinite(half_width) and half_width > 1e-9 * max(1.0, abs(value))):
        mag = abs(value)
        return 0 if mag >= 100 else 1 if mag >= 10 else 2 if mag >= 0.1 or mag == 0 else 4
    return max(0, min(4, -math.floor(math.log10(half_width))))


def _plain(x: float, decimals: int) -> str:
    text = f"{x:,.{decimals}f}"
    if text.lstrip("-+").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.0"
    return text


def fmt_level(kpi: str, value: float, half: float = math.nan, unit: bool = False) -> str:
    """A KPI level: shares in %, others in their unit; digits from the CI half-width."""
    if value is None or not math.isfinite(value):
        return "–"
    if is_share(kpi):
        d = digits_from_ci(half * 100, value * 100)
        return f"{_plain(value * 100, d)} %"
    d = digits_from_ci(half, value)
    text = _plain(value, d)
    return f"{text} {_unit(kpi)}" if unit else text


def fmt_change(kpi: str, diff: float, half: float = math.nan, unit: bool = False) -> str:
    """A change: signed; shares in percentage points; digits from the CI half-width."""
    if diff is None or not math.isfinite(diff):
        return "–"
    if is_share(kpi):
        d = digits_from_ci(half * 100, diff * 100)
        text = _plain(diff * 100, d)
        return (
            ("+" if not text.startswith("-") and text.strip("0.,") else "")
            + text.replace("-", "−")
            + " pp"
        )
    d = digits_from_ci(half, diff)
    text = _plain(diff, d)
    text = ("+" if not text.startswith("-") and text.strip("0.,") else "") + text.replace("-", "−")
    return f"{text} {_unit(kpi)}" if unit else text


def _unit(kpi: str) -> str:
    return {"min": "min", "working days": "working days"}.get(kpi_info(kpi)[1], kpi_info(kpi)[1])
