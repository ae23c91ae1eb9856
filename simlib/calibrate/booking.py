"""Appointments from a ticket log that marks booked tickets (map ``columns.booked``).

Per matter with bookings: the share who book (booked tickets, no-shows included, over all
first tickets and no-shows), the no-show share (needs the map's ``no_show`` outcome codes),
punctuality (check-in minus slot, needs ``columns.slot``), the slot length, the places per
slot and the early and late windows the calls show. Each value carries its source and,
where it is an estimate, a 95 % interval. A matter without booked tickets gets no
``appointments`` key; a value the log cannot show is left out (the scenario's default then
holds, and the note says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.calibrate.yamlout import Note

__all__ = ["BookingFit", "fit_bookings", "wilson"]

Z95 = 1.959964


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson interval of a share k / n."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class BookingFit:
    """What the log shows of one matter's bookings."""

    matter: str
    n_booked: int  # booked tickets, no-shows included
    n_tickets: int  # every ticket of the matter, no-shows included
    n_no_show: int | None  # None: the map names no no-show outcome
    offsets: np.ndarray  # check-in minus slot (minutes) of those who came
    slot_min: float | None
    places: dict[str, int]  # most booked in one slot, per clock hour
    early_call_min: float | None  # earliest call before the slot
    late_call_min: float | None  # latest check-in after the slot still called as booked

    @property
    def share(self) -> tuple[float, tuple[float, float]]:
        return self.n_booked / self.n_tickets, wilson(self.n_booked, self.n_tickets)

    @property
    def no_show(self) -> tuple[float, tuple[float, float]] | None:
        if self.n_no_show is None:
            return None
        return self.n_no_show / self.n_booked, wilson(self.n_no_show, self.n_booked)

    def punctuality(self) -> tuple[float, float, tuple[float, float]] | None:
        """Mean and sd of check-in minus slot, and a 95 % interval of the mean."""
        x = self.offsets
        if len(x) < 2:
            return None
        mean, sd = float(x.mean()), float(x.std(ddof=1))
        half = Z95 * sd / math.sqrt(len(x))
        return mean, sd, (mean - half, mean + half)

    def keys(self) -> dict[str, Note]:
        """The ``appointments`` keys, each with its source."""
        share, (lo, hi) = self.share
        out = {
            "share": Note(
                round(share, 4),
                f"{self.n_booked} booked of {self.n_tickets} tickets (no-shows counted; "
                f"those who found no slot count as walk-ins) 95% CI [{lo:.3f}, {hi:.3f}]",
            )
        }
        if self.slot_min is not None:
            out["slot_min"] = Note(self.slot_min, "most common gap between slot times in a day")
        if self.places:
            out["template"] = Note(
                self.places, "most booked in one slot, per clock hour (at least these places)"
            )
        ns = self.no_show
        if ns is not None:
            p, (lo, hi) = ns
            out["no_show"] = Note(
                round(p, 4),
                f"{self.n_no_show} no-shows of {self.n_booked} bookings "
                f"95% CI [{lo:.3f}, {hi:.3f}]",
            )
        punct = self.punctuality()
        if punct is not None:
            mean, sd, (lo, hi) = punct
            early = max(0.0, math.ceil(-float(self.offsets.min())))
            shifted = mean + early
            cv = sd / shifted if shifted > 0 else 0.0
            out["early_by_min"] = Note(early, "the earliest check-in before its slot (minutes)")
            out["punctuality"] = Note(
                {"dist": "gamma", "mean": round(shifted, 3), "cv": round(max(cv, 1e-3), 4)}
                if cv > 0
                else {"dist": "constant", "value": round(shifted, 3)},
                f"check-in minus slot plus early_by_min, moments of n={len(self.offsets)}: "
                f"mean offset {mean:.2f} min 95% CI [{lo:.2f}, {hi:.2f}], sd {sd:.2f}",
            )
        if self.early_call_min is not None:
            out["early_window_min"] = Note(
                math.ceil(self.early_call_min), "the earliest call before a slot (at least this)"
            )
        if self.late_call_min is not None:
            out["late_window_min"] = Note(
                math.ceil(self.late_call_min),
                "the latest check-in after its slot still called as booked (at least this)",
            )
        return out


def fit_bookings(t: pd.DataFrame) -> dict[str, BookingFit]:
    """Bookings per matter from a log read with a booked column (else {})."""
    booking: pd.DataFrame | None = t.attrs.get("booking")
    if booking is None or booking.empty:
        return {}
    out = {}
    for matter, b in booking.groupby("matter"):
        came = ~b["no_show"].to_numpy()
        n_no = int((~came).sum())
        slot = b["slot"].to_numpy()
        has_slot = ~np.isnan(slot)
        offsets = (b["ticket"].to_numpy() - slot)[came & has_slot]
        called = b["call"].to_numpy() - slot
        called = called[has_slot & ~np.isnan(called)]
        served_offsets = (b["ticket"].to_numpy() - slot)[has_slot & ~np.isnan(b["call"].to_numpy())]
        out[str(matter)] = BookingFit(
            str(matter),
            len(b),
            int((t["matter"] == matter).sum()) + n_no,
            n_no if t.attrs.get("no_show_codes") else None,
            offsets,
            _slot_length(slot[has_slot]),
            _places(slot[has_slot]),
            float(-called.min()) if len(called) and called.min() < 0 else None,
            float(served_offsets.max())
            if len(served_offsets) and served_offsets.max() > 0
            else None,
        )
    return out


def _latest(offsets: np.ndarray) -> float | None:
    """The latest check-in after its slot (None: nobody came late)."""
    return float(offsets.max()) if len(offsets) and offsets.max() > 0 else None


def _slot_length(slots: np.ndarray) -> float | None:
    """The most common positive gap between distinct slot times of one day."""
    distinct = np.unique(np.round(slots, 3))
    gaps = np.diff(distinct)
    same_day = np.diff(distinct // 1440) == 0
    gaps = np.round(gaps[same_day & (gaps > 0)], 1)
    if len(gaps) == 0:
        return None
    values, counts = np.unique(gaps, return_counts=True)
    return float(values[np.argmax(counts)])


def _places(slots: np.ndarray) -> dict[str, int]:
    """Most bookings in one slot, per clock hour of the slot."""
    if len(slots) == 0:
        return {}
    times, counts = np.unique(np.round(slots, 3), return_counts=True)
    hours = ((times % 1440) // 60).astype(int)
    out: dict[str, int] = {}
    for h, n in zip(hours, counts, strict=True):
        key = f"{h:02d}"
        out[key] = max(out.get(key, 0), int(n))
    return dict(sorted(out.items()))
