"""The fit report of an event-log calibration: the fitted chain, the log's bad rows, and
the simulated log set beside the real one (log distances with their noise floor, planner
measures with intervals, lead-time curves), in sample and on the held-out cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simlib.calibrate.eventcal import EventCalibration
from simlib.calibrate.report import esc as _e
from simlib.calibrate.report import html_table as _table
from simlib.report.html import CSS
from simlib.report.html import figure as _figure

__all__ = ["write_event_report"]


def _n(x: Any) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "–"
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def _ci(e: dict | None) -> str:
    return "–" if e is None else f"{_n(e['value'])} [{_n(e['lo'])}, {_n(e['hi'])}]"


def _lead_chart(logs: dict[str, tuple[pd.DataFrame, list[pd.DataFrame]]], path: Path) -> None:
    fig = Figure(figsize=(10, 3.8))
    axes = fig.subplots(1, 2)
    for ax, (what, title) in zip(
        axes,
        (("first", "Wait before the first task"), ("last", "Lead time: receipt to last event")),
        strict=True,
    ):
        for (name, (real, sims)), color in zip(logs.items(), ("C0", "C2"), strict=False):
            pooled = pd.concat([x.assign(case=f"{i}:" + x["case"]) for i, x in enumerate(sims)])
            for log, style, label in ((real, "-", "real"), (pooled, "--", "simulated")):
                g = log.groupby("case")
                x = (
                    (g["end"].min() if what == "first" else g["end"].max()) - g["received"].first()
                ).dt.total_seconds() / 86400
                x = np.sort(x.to_numpy())
                ax.plot(
                    x,
                    np.arange(1, len(x) + 1) / len(x),
                    style,
                    color=color,
                    label=f"{name}: {label}",
                )
        ax.set_xlim(0, 100)
        ax.set_xlabel("days after receipt")
        ax.set_ylabel("share of cases")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=150)


_MAP_SHARE = 0.05  # activities of at least this share of cases are drawn (as the measures)


def _flow(log: pd.DataFrame, activities: set[str]) -> pd.DataFrame:
    """A tidy log (real or simulated) in the columns of ``visual.flowmap.log_map``: the
    chain's activities only, by completion (the simulated logs carry no start times)."""
    log = log[log["activity"].isin(activities)]
    return pd.DataFrame(
        {
            "case": log["case"].astype(str),
            "activity": log["activity"].astype(str),
            "time": log["end"],
            "start": pd.NaT,
            "matter": "",
        }
    )


def _maps(cal: EventCalibration, sims: list[pd.DataFrame]) -> list[str]:
    """The real log's process map beside the calibrated model's (its first simulated log)."""
    from simlib.visual.chains import dot_missing, maps_html
    from simlib.visual.flowmap import log_map

    c = cal.chain
    acts = {a for item in c.order for a in item if c.share[a] >= _MAP_SHARE}
    rare = sorted({a for item in c.order for a in item} - acts)
    head = [
        "<h2>The process: real log and calibrated model</h2>",
        "<p>Directly-follows maps, as process-mining tools draw them: how many events of each "
        "activity (boxes), how often one directly followed another in a case (edges) and the "
        "mean gap between their completions. First the real log, then one simulated log of "
        "the calibrated scenario over the same receipt period; drawn at full size (scroll "
        f"sideways). Activities of fewer than {_MAP_SHARE:.0%} of the cases are left out of "
        f"both{': ' + _e(', '.join(rare)) if rare else ''}.</p>",
    ]
    if not sims:
        return []
    if dot_missing():
        return [*head, f"<p class='muted'>Not drawn: {_e(dot_missing())}.</p>"]
    real = log_map(_flow(cal.events, acts), "The real log")
    model = log_map(_flow(sims[0], acts), "The calibrated model (one simulated log)")
    return [
        *head,
        "<style>.fit-maps{overflow-x:auto}.fit-maps .simlib-maps{flex-direction:column}"
        ".fit-maps .simlib-maps svg{max-width:none;zoom:.7}</style>",
        f"<div class='fit-maps'>{maps_html([real, model])}</div>",
    ]


def _hold_cells(cal: EventCalibration, act: str) -> list[str]:
    hold = cal.holds.get(act)
    if hold is None or hold.fit is None:
        return ["", ""]
    return [f"{hold.prob:.1%}", _n(float(hold.held.mean()))]


def write_event_report(
    cal: EventCalibration,
    tables: dict[str, dict[str, Any]],
    logs: dict[str, tuple[pd.DataFrame, list[pd.DataFrame]]],
    out: str | Path,
) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _lead_chart(logs, out / "lead_times.png")
    c, ev = cal.chain, cal.events
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Fit report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Fit report: {_e(cal.logmap.name)}</h1>",
        f"<p class='muted'>simlib calibrate, {dt.date.today()}; event log "
        f"{_e(Path(ev.attrs['source']).name)}: {c.n_cases} cases, {len(ev)} events"
        + (
            f"; {cal.holdout['case'].nunique()} later cases held out"
            if cal.holdout is not None
            else ""
        )
        + ".</p>",
        "<h2>Does the simulated log look like the real one?</h2>",
        "<p>Log-distance measures of Chapela-Campa et al. (2023), mean over the simulated "
        "logs, beside the noise floor: the same measure between two halves of the real log "
        "(split at the median receipt, and at random). The ratio is to the larger of the two "
        "floors; near 1, the model is as close to the log as the log is to itself. The "
        "time split sets the floor of the absolute and arrival distributions high (the halves "
        "cover different months): read those against the random split.</p>",
    ]
    for name, t in tables.items():
        parts.append(f"<h3>{_e(name)} ({t['cases']['real']} real cases)</h3>")
        parts.append(
            _table(
                ["measure", "simulated vs real", "floor (time)", "floor (random)", "× floor"],
                [
                    [
                        _e(d["label"]),
                        _n(d["simulated"]),
                        _n(d["floor_time"]),
                        _n(d["floor_random"]),
                        _n(d["ratio_to_floor"]),
                    ]
                    for d in t["distances"].values()
                ],
            )
        )
        parts.append(
            _table(
                ["planner measure", "real (95 % CI)", "simulated (95 % CI)"],
                [[_e(k), _ci(d["real"]), _ci(d["simulated"])] for k, d in t["planner"].items()],
            )
        )
    parts.append(_figure(out / "lead_times.png", "Waits and lead times: real vs simulated"))
    parts += _maps(cal, logs["in-sample"][1] if "in-sample" in logs else [])
    parts += ["<h2>The fitted chain</h2>", f"<pre>{_e(cal.header())}</pre>"]
    rows = []
    for i, item in enumerate(c.order):
        for a in item:
            rows.append(
                [
                    f"{i + 1}{' (parallel)' if len(item) > 1 else ''}",
                    _e(a),
                    f"{c.share[a]:.1%}",
                    f"{c.prob[a]:.3f}",
                    _e(c.ids.get(c.requires[a] or "", "")),
                    f"{c.rework[a]:.1%}",
                    _n(
                        float(np.mean(cal.times.samples[a]))
                        if len(cal.times.samples.get(a, []))
                        else None
                    ),
                    *_hold_cells(cal, a),
                ]
            )
    parts.append(
        "<p>Held: the share of the cases taking the step that were put aside before it "
        f"(completed over {cal.logmap.hold_gap_hours:g} h after the case's previous item "
        "ended: waiting on the applicant or an adviser, not on an officer, who finishes a "
        "started case first), and the mean hold in calendar days.</p>"
    )
    parts.append(
        _table(
            [
                "item",
                "activity",
                "cases",
                "prob",
                "requires",
                "repeats",
                "work (min)",
                "held",
                "hold (days)",
            ],
            rows,
        )
    )
    issues = ev.attrs.get("issues")
    if issues is not None and issues.items:
        parts.append("<h2>Rows of the log with problems</h2>")
        parts.append(
            _table(
                ["row", "problem", "action"],
                [
                    [i.row, _e(i.problem), _e(i.action)]
                    for i in sorted(issues.items, key=lambda i: i.row)
                ],
            )
        )
    parts.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(parts))
    return path
