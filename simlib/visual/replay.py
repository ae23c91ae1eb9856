"""The replay: one simulated day of the hall as a single offline HTML file.

The file holds the day's columns (see ``scene``) as compact JSON and a small canvas player
(``replay.html`` beside this module: vanilla JavaScript, no network). Two runs on the same
seed play side by side (common random numbers: the same applicants arrive in both halls).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from simlib.engine.records import OUTCOMES, Records
from simlib.scenario.model import Scenario
from simlib.timekeeping import DAY
from simlib.visual.scene import HALL_KINDS, default_day, hall_day

__all__ = ["PALETTE", "Replay", "replay"]

# Tableau 10 and 10 lighter companions: distinct for up to 20 matters, then repeated.
PALETTE = (
    *("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"),
    *("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"),
    *("#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5"),
    *("#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"),
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Replay:
    """A replay page: ``.html`` (the whole file), ``.save(path)``, shown inline by Jupyter."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    @property
    def html(self) -> str:
        template = files("simlib.visual").joinpath("replay.html").read_text(encoding="utf-8")
        payload = json.dumps(self.data, separators=(",", ":"), allow_nan=False)
        payload = payload.replace("</", "<\\/")  # never closes the script element early
        return template.replace("__TITLE__", html.escape(self.data["title"])).replace(
            "__DATA__", payload
        )

    def save(self, path: str | Path) -> Path:
        """Write the page; it opens with a double-click, offline."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        page = html.escape(self.html, quote=True)
        height = 260 + 40 * max(len(h["areas"]) for h in self.data["halls"])
        return (
            f'<iframe srcdoc="{page}" style="width:100%;height:{height}px;border:1px solid #ddd" '
            'sandbox="allow-scripts"></iframe>'
        )


def _span(halls: list[dict[str, Any]]) -> list[float]:
    """From a quarter hour before opening to ten minutes after the last one leaves."""
    first = min(min(s for s, _e in h["open"]) for h in halls if h["open"])
    close = max(max(e for _s, e in h["open"]) for h in halls if h["open"])
    ends = [e for h in halls for e in h["tickets"]["end"] if e is not None]
    last = max([close, *ends])
    return [max(0.0, first - 15), min(float(DAY), last + 10)]


def replay(
    records: Records | Sequence[Records],
    scenario: Scenario | Sequence[Scenario],
    seed: int | None = None,
    *,
    day: int | None = None,
    labels: Sequence[str] | None = None,
    title: str | None = None,
) -> Replay:
    """The replay of one day of one run, or of runs side by side.

    Parameters
    ----------
    records, scenario
        A run (``simlib.simulate(scenario, seed)``, detail "full") and the scenario it ran;
        or lists of them (baseline first) to play side by side: run them on the same seed.
    seed
        The run's seed (default: the scenario's, as ``simulate``); it redraws who is absent.
    day
        The day to play (calendar day from 0; default the first working day after warm-up).
    labels, title
        Names of the halls (default the scenario names) and of the page.
    """
    runs = [records] if isinstance(records, Records) else list(records)
    scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    if not runs or len(runs) != len(scenarios):
        raise ValueError(
            f"replay needs one scenario per run; got {len(runs)} run(s) and "
            f"{len(scenarios)} scenario(s)"
        )
    first = scenarios[0]
    seed = first.seed if seed is None else seed
    day = default_day(runs[0], first) if day is None else day
    names = labels or [s.name for s in scenarios]
    matters = list(runs[0].matters)
    halls = []
    for rec, scen, label in zip(runs, scenarios, names, strict=False):
        hall = hall_day(rec, scen, seed, day)
        matters += [m for m in rec.matters if m not in matters]
        recode = [matters.index(m) for m in rec.matters]
        hall["tickets"]["matter"] = [recode[m] for m in hall["tickets"]["matter"]]
        halls.append({"label": label, **hall})
    by_id = {m.id: m.name or m.id for s in scenarios for m in s.matters}
    cal = runs[0].calendar
    date = cal.start_date + dt.timedelta(days=day) if cal.start_date else None
    when = (
        f"{WEEKDAYS[cal.weekday[day]]} {date.isoformat()}" if date else WEEKDAYS[cal.weekday[day]]
    )
    tickets = sum(len(h["tickets"]["id"]) for h in halls)
    data = {
        "title": title or f"A day in the hall: {first.name}",
        "subtitle": f"Day {day} ({when}), seed {seed}: {tickets} tickets"
        + (" (same applicants in both halls: common random numbers)" if len(halls) > 1 else ""),
        "day": day,
        "seed": seed,
        "matters": [
            {"id": m, "name": by_id.get(m, m), "color": PALETTE[i % len(PALETTE)]}
            for i, m in enumerate(matters)
        ],
        "outcomes": list(OUTCOMES),
        "kinds": list(HALL_KINDS),
        "span": _span(halls),
        "halls": halls,
    }
    return Replay(data)
