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
import yaml

from simlib.metrics import kpi_info
from simlib.report.folder import read_json
from simlib.report.html import table as html_table
from simlib.report.names import Names
from simlib.verdict import fmt_level

__all__ = ["clock_hour", "hour_tables", "report_section"]


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


def clock_hour(hour: Any) -> str:
    """Clock hour "09" (or 9) as "09:00–10:00"."""
    h = int(hour)
    return f"{h:02d}:00–{(h + 1) % 24:02d}:00"


def _names(out: Path) -> Names:
    """Display names of the scenario's pools and matters (from the folder's best.yaml)."""
    path = out / "best.yaml"
    try:
        return Names(yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None)
    except (OSError, yaml.YAMLError, AttributeError, TypeError):
        return Names()


def _kpi_label(column: str, names: Names | None = None) -> str:
    """A KPI column in words ("Mean wait in the hall (09:00–10:00)"); unknown ones as given."""
    try:
        label, unit, _ = kpi_info(column, (names or Names()).mapping)
    except KeyError:
        return column
    return f"{label} [{'%' if unit == 'share' else unit}]"


HOUR_COLUMNS = 4  # result columns per hour table: wider ones are split to fit A4 portrait


def hour_tables(table: pd.DataFrame, names: Names) -> str:
    """The hour-by-hour staffing table, as people read it and as A4 portrait holds it: one
    row per clock hour ("09:00–10:00"), each pool's officers and each KPI as "today →
    proposed" in one cell (fixed decimals per column, from the CIs), at most
    ``HOUR_COLUMNS`` columns per table beside the hour, split into several tables if more."""
    pools = [
        c.removesuffix(" chosen")
        for c in table.columns
        if c.endswith(" chosen") and f"{c.removesuffix(' chosen')} today" in table
    ]
    kpis = [
        c
        for c in table.columns
        if f"{c} today" in table and c not in pools and not c.endswith(("_ci_low", "_ci_high"))
    ]
    head = ["hour"]
    head += [f"{_e(names(p))}<br><span class=muted>[officers]</span>" for p in pools]
    for k in kpis:
        label, unit, _ = kpi_info(k)
        head.append(
            f"{_e(label)}<br><span class=muted>[{_e('%' if unit == 'share' else unit)}]</span>"
        )
    halves = {k: _column_half(table, k) for k in kpis}
    rows = []
    for _, r in table.iterrows():
        cells = [f"<span style='white-space:nowrap'>{_e(clock_hour(r['hour']))}</span>"]
        cells += [f"{int(r[f'{p} today'])} → {int(r[f'{p} chosen'])}" for p in pools]
        for k in kpis:
            today = fmt_level(k, float(r[f"{k} today"]), halves[k]).removesuffix(" %")
            chosen = fmt_level(k, float(r[k]), halves[k]).removesuffix(" %")
            cells.append(_e(f"{today} → {chosen}"))
        rows.append(cells)
    return (
        "<p>Hour by hour, today → proposed (mean over replications; shares in %):</p>"
        + html_table(head, rows, columns=HOUR_COLUMNS)
    )


def _column_half(table: pd.DataFrame, kpi: str) -> float:
    """The median positive CI half-width of a KPI's column (today and proposed): one number
    of decimals per column."""
    halves = []
    for col in (kpi, f"{kpi} today"):
        lo, hi = table.get(f"{col}_ci_low"), table.get(f"{col}_ci_high")
        if lo is not None and hi is not None:
            halves += [h for h in ((hi - lo) / 2).tolist() if math.isfinite(h) and h > 0]
    return sorted(halves)[len(halves) // 2] if halves else math.nan


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
        names = _names(out)
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
                        f"{names(p)} {n} (today {today['headcount']['per_pool'][p]})"
                        for p, n in heads["per_pool"].items()
                    )
                )
                + ".</p>"
            )
        rows = "".join(
            f"<tr><td>{_e(r['requirement'])}</td><td>{_e(_kpi_label(r['column']))}</td>"
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
                f"<li>{_e(clock_hour(r['hour']))} — Erlang C says {int(r['Erlang C says'])}, the "
                f"simulation needs {int(r['simulation needs'])}</li>"
                for _, r in table.iterrows()
            )
            parts.append(
                "<p>Erlang C on the modified offered load (the spreadsheet answer) beside the "
                "simulation, officers at the decided windows per hour; the difference is what "
                "returns, lunch, closing, absences and abandonment change:</p>"
                f"<ul>{rows}</ul>"
            )
        parts.append(hour_tables(table, _names(out)))
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
