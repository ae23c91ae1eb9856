"""The staffing section of the proposal report, from an ``optimize --out`` folder.

:func:`report_section` returns an HTML fragment (headings, tables, the frontier and the
staffing chart embedded as base64 PNG) for ``simlib report`` to place in its page.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.report.folder import read_json

__all__ = ["report_section"]


def _e(x: Any) -> str:
    return html.escape(str(x))


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{digits}g}" if isinstance(x, float) else _e(x)


def _img(path: Path, caption: str) -> str:
    if not path.exists():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def report_section(out_dir: str | Path) -> str:
    """HTML fragment for an optimisation output folder (``result.json`` and friends)."""
    out = Path(out_dir)
    data = read_json(out / "result.json")
    best = data.get("best")
    parts = [f"<section><h2>Staffing: {_e(data['optimize'])}</h2>"]
    if data["feasible"] is True:
        verdict = f"Every requirement holds with {data['confidence']:.0%} confidence."
    elif data["feasible"] is False:
        verdict = "No staffing within the decision ranges meets the requirements."
    else:
        verdict = "The chosen staffing meets the requirements on average, not yet with confidence."
    parts.append(f"<p>{_e(verdict)}</p>")
    if best is not None:
        obj = best["objective"]
        delta = obj["officer_hours"] - obj["officer_hours_today"]
        parts.append(
            f"<p>Officer-hours per working day: <b>{obj['officer_hours']:.1f}</b> "
            f"(today {obj['officer_hours_today']:.1f}, {delta:+.1f}). "
            f"Binding requirement: <b>{_e(best['binding'])}</b>.</p>"
        )
        today, change = data.get("today"), data.get("change")
        if today and change:
            heads = best["headcount"]
            cost = (
                f", cost {change['cost']:+.0f} per working day"
                if change.get("cost") is not None
                else ""
            )
            parts.append(
                f"<p>Today's staffing, simulated on the same seeds: "
                f"{today['objective']['officer_hours']:.1f} officer-hours, "
                f"{today['headcount']['decided_pools']} people in the decided pools. "
                f"Proposed: {heads['decided_pools']} people "
                f"({change['headcount_decided_pools']:+d}; whole hall "
                f"{change['headcount_hall']:+d}), "
                f"{change['officer_hours']:+.1f} officer-hours{cost}. Per pool: "
                + _e(
                    ", ".join(
                        f"{p} {n} (today {today['headcount']['per_pool'][p]})"
                        for p, n in heads["per_pool"].items()
                    )
                )
                + ".</p>"
            )
        rows = "".join(
            f"<tr><td>{_e(r['requirement'])}</td><td>{_e(r['column'])}</td>"
            f"<td>{_num(r['mean'])}</td><td>{_num(r['bound_low'])} – {_num(r['bound_high'])}</td>"
            f"<td>{_e(r['status'])}</td></tr>"
            for r in best["requirements"]
        )
        parts.append(
            "<table><thead><tr><th>requirement</th><th>KPI</th><th>mean</th>"
            "<th>confidence bounds</th><th>status</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    for c in data.get("one_step_cheaper", []):
        why = f" — {c['why']}" if c.get("why") else ""
        parts.append(f"<p>Cheaper ({_e(c['change'])}): {_e(c['verdict'])}{_e(why)}.</p>")
    staffing = out / "staffing.csv"
    if staffing.exists():
        table = pd.read_csv(staffing, dtype={"hour": str})
        if "Erlang C says" in table:
            rows = "".join(
                f"<li>{_e(r['hour'])}:00 — Erlang C says {int(r['Erlang C says'])}, the "
                f"simulation needs {int(r['simulation needs'])}</li>"
                for _, r in table.iterrows()
            )
            parts.append(
                "<p>Erlang C on the modified offered load (the spreadsheet answer) beside the "
                "simulation, officers at the decided windows per hour; the difference is what "
                "returns, lunch, closing, absences and abandonment change:</p>"
                f"<ul>{rows}</ul>"
            )
        keep = [
            c
            for c in table.columns
            if not c.endswith(("_ci_low", "_ci_high", " Erlang C", " needs"))
        ]
        parts.append(table[keep].to_html(index=False, float_format=lambda x: f"{x:.3g}"))
    parts.append(_img(out / "staffing.png", "Officers on shift by hour, chosen vs today"))
    parts.append(
        _img(out / "hours.png", "Today vs proposed by hour, same seeds, share of days met")
    )
    parts.append(_img(out / "frontier.png", "Cost-service frontier of the staffings evaluated"))
    parts.append(
        f"<p>{data['evaluations']} staffings evaluated with {data['runs']} simulation runs.</p>"
    )
    parts.append("</section>")
    return "\n".join(p for p in parts if p)
