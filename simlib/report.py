"""The proposal report: one self-contained HTML file from a ``compare`` or ``sweep`` output
folder. Figures are embedded as base64 PNG, nothing is fetched from a network, so the file
can be mailed or attached to a proposal as it is. It states the method (replications,
seeds, common random numbers, warm-up) so that a reviewer can reproduce every number."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from simlib import plots
from simlib.experiment.replicate import replication_seed
from simlib.metrics import kpi_info
from simlib.outputs import SCREEN_KPIS
from simlib.scenario.chain import branches

__all__ = ["write_report"]

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:2px solid #0072B2}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}th,td{border:1px solid #ccc;
padding:.25em .6em;text-align:right}th{background:#f0f4f8}td.l,th.l{text-align:left}
.better{color:#0072B2;font-weight:600}.worse{color:#D55E00;font-weight:600}.muted{color:#777}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{color:#555;font-size:.9em}
code{background:#f4f4f4;padding:0 .3em}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _png(source: Path | Figure) -> str:
    if isinstance(source, Figure):
        buf = io.BytesIO()
        source.savefig(buf, format="png", dpi=110)
        data = buf.getvalue()
    else:
        data = source.read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _figure(source: Path | Figure, caption: str) -> str:
    return (
        f'<figure><img alt="{_e(caption)}" src="{_png(source)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _scenario_section(scenario: dict[str, Any]) -> str:
    horizon = scenario["horizon"]
    rows = []
    for m in scenario["matters"]:
        arrivals = m["arrivals"]
        rate = (
            f"{arrivals['per_day']:g}/day"
            if arrivals.get("per_day") is not None
            else f"{arrivals['per_hour']:g}/h"
        )
        steps = []
        for item in m["chain"]:
            ids = [b["id"] for b in branches(item)]
            steps.append("(" + " ∥ ".join(ids) + ")" if "parallel" in item else ids[0])
        limit = m.get("time_limit_days")
        rows.append(
            f"<tr><td class=l>{_e(m.get('name') or m['id'])}</td><td>{rate}</td>"
            f"<td>{m['complete_prob']:.0%}</td><td>{m['online_share']:.0%}</td>"
            f"<td>{'–' if limit is None else f'{limit:g}'}</td>"
            f"<td class=l>{_e(' → '.join(steps) or '–')}</td></tr>"
        )
    pools = ", ".join(f"{_e(p)} ({v['count']})" for p, v in scenario["pools"].items())
    return (
        f"<h2>The baseline: {_e(scenario['name'])}</h2><p>{_e(scenario.get('description', ''))}</p>"
        f"<p>Simulated {horizon['days']} days, the first {horizon['warmup_days']} "
        "discarded as warm-up; "
        f"hall {_e(scenario['hall']['mode'])}, open {_e(', '.join(scenario['calendar']['hours']))} "
        f"on {_e(', '.join(scenario['calendar']['workdays']))}.</p>"
        "<table><tr><th class=l>matter</th><th>arrivals</th><th>documents complete</th>"
        "<th>online</th><th>time limit [working days]</th><th class=l>approval chain</th></tr>"
        + "".join(rows)
        + f"</table><p class=muted>Officers per pool: {pools}</p>"
    )


def _reforms_section(variants: dict[str, list[dict[str, Any]]], stack: list[str]) -> str:
    items = []
    for name, reforms in variants.items():
        params = "; ".join(
            _e(r["type"])
            + " "
            + _e(
                ", ".join(
                    f"{k}={v}" for k, v in r.items() if k != "type" and v not in (None, [], {})
                )
            )
            for r in reforms
        )
        items.append(f"<li><b>{_e(name)}</b>: {params or 'no change'}</li>")
    return (
        "<h2>The reforms</h2><ul>" + "".join(items) + "</ul>"
        f"<p>Stacked in this order for the waterfall: {_e(' → '.join(stack))}.</p>"
    )


def _kpi_table(table: pd.DataFrame) -> str:
    head = (
        "<tr><th class=l>reform (alone)</th>"
        + "".join(
            f"<th>{_e(kpi_info(k)[0])}<br><span class=muted>[{_e(kpi_info(k)[1])}]</span></th>"
            for k in SCREEN_KPIS
        )
        + "</tr>"
    )
    base = table.drop_duplicates("kpi").set_index("kpi")["baseline_mean"]
    rows = [
        "<tr><td class=l><b>baseline</b></td>"
        + "".join(f"<td>{_num(base.get(k))}</td>" for k in SCREEN_KPIS)
        + "</tr>"
    ]
    for variant, group in table.groupby("variant", sort=False):
        g = group.set_index("kpi")
        cells = []
        for k in SCREEN_KPIS:
            r = g.loc[k]
            better = kpi_info(k)[2]
            cls = ""
            if r["significant"]:
                improves = r["diff"] < 0 if better == "lower" else r["diff"] > 0
                cls = "better" if improves else "worse"
            cells.append(
                f"<td class='{cls}'>{_num(r['variant_mean'])}<br>"
                f"<span class=muted>{r['diff']:+.3g} "
                f"[{_num(r['diff_ci_low'])}, {_num(r['diff_ci_high'])}]</span></td>"
            )
        rows.append(f"<tr><td class=l>{_e(variant)}</td>{''.join(cells)}</tr>")
    return "<table>" + head + "".join(rows) + "</table>"


def _compare_body(out: Path, meta: dict[str, Any]) -> str:
    table = pd.read_csv(out / "comparison.csv")
    reps, seed = meta["replications"], meta["seed"]
    seeds = ", ".join(str(replication_seed(seed, i)) for i in range(reps))
    charts = [
        (
            "kpi_comparison.png",
            "Each reform alone: change against the baseline, 95 % confidence intervals.",
        ),
        (
            "waterfall_lead_time.png",
            "Reforms added one after another: contribution to the mean lead time.",
        ),
        (
            "waterfall_hall_wait.png",
            "Reforms added one after another: contribution to the mean hall wait.",
        ),
        ("visits_per_case.png", "Hall visits per decided case under each reform."),
    ]
    figures = "".join(_figure(out / f, c) for f, c in charts if (out / f).exists())
    return (
        _scenario_section(meta["baseline_scenario"])
        + _reforms_section(meta["variants"], meta["stack"])
        + "<h2>Results</h2><p>Mean over replications; under each value, the change against the "
        "baseline with its 95 % confidence interval. <span class=better>Blue</span>: a clear "
        "improvement, <span class=worse>vermilion</span>: a clear deterioration (the interval "
        "excludes zero).</p>" + _kpi_table(table) + figures + "<h2>Method</h2>"
        f"<p>Discrete-event simulation (simlib) of the hall and its approval chains. Each variant "
        f"was run {reps} times with the seeds {seeds} (derived from base seed {seed}); replication "
        "i of every variant uses the same seed, and every applicant's needs (documents, service "
        "times, patience, ...) are indexed by applicant, so all variants see the same applicants "
        "(<i>common random numbers</i>): differences are the reforms' effects, not luck. "
        "Confidence intervals are Student-t intervals of the paired differences across "
        f"replications. The first {meta['warmup_days']} of {meta['horizon_days']} simulated days "
        "are discarded as warm-up.</p>"
        f"<p>To reproduce: <code>simlib compare {_e(meta.get('source') or 'STUDY.yaml')} "
        f"--reps {reps} "
        f"--seed {seed}</code></p>"
    )


def _sweep_body(out: Path, spec: dict[str, Any]) -> str:
    summary = pd.read_csv(out / "summary.csv")
    params = list(spec["parameters"])
    figures = []
    for kpi in ("hall_wait_mean_min", "lead_time_mean_days"):
        if kpi not in summary:
            continue
        if len(params) >= 2:
            figures.append(
                _figure(
                    plots.sweep_heatmap(summary, params[0], params[1], kpi),
                    f"{kpi_info(kpi)[0]} over {params[0]} and {params[1]}.",
                )
            )
        figures.append(
            _figure(
                plots.sweep_lines(summary, params[0], kpi),
                f"{kpi_info(kpi)[0]} against {params[0]}, 95 % CI band.",
            )
        )
    cols = [*params, "runs", "failures", *[k for k in SCREEN_KPIS if k in summary]]
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{_num(float(r[c])) if isinstance(r[c], (int, float)) else _e(r[c])}</td>"
            for c in cols
        )
        + "</tr>"
        for _, r in summary.iterrows()
    )
    reps, seed = spec.get("replications", 5), spec.get("seed", 0)
    levels = "".join(
        f"<li><code>{_e(p)}</code>: {_e(v)}</li>" for p, v in spec["parameters"].items()
    )
    return (
        f"<h2>The sweep</h2><p>{_e(spec.get('description', ''))}</p><p>Scenario "
        f"<code>{_e(spec['scenario'])}</code>, design {_e(spec.get('design', {'type': 'grid'}))}, "
        f"{len(summary)} points × {reps} replications. Parameters:</p><ul>{levels}</ul>"
        + "".join(figures)
        + f"<h2>Every point</h2><table><tr>{head}</tr>{body}</table>"
        + "<h2>Method</h2><p>Each point was run with the same replication seeds (derived from base "
        f"seed {seed}), so neighbouring points are compared on the same applicants. Means over "
        "replications with Student-t 95 % confidence intervals (in <code>summary.csv</code>).</p>"
    )


def write_report(out: str | Path) -> Path:
    """Write ``report.html`` into a ``simlib compare`` or ``simlib sweep`` output folder."""
    out = Path(out)
    if (out / "study.json").exists():
        meta = json.loads((out / "study.json").read_text())
        title, body = f"{meta['study']}: what the reforms change", _compare_body(out, meta)
    elif (out / "sweep.json").exists() and (out / "summary.csv").exists():
        spec = json.loads((out / "sweep.json").read_text())
        title, body = f"{spec['sweep']}: sweep results", _sweep_body(out, spec)
    else:
        raise FileNotFoundError(
            f"{out} is not a compare or sweep output folder "
            "(no study.json, nor sweep.json with summary.csv)"
        )
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    from simlib import __version__

    page = (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<style>{CSS}</style></head>"
        f"<body><h1>{_e(title)}</h1><p class=muted>Generated {stamp} by simlib {__version__} from "
        f"<code>{_e(out)}</code>.</p>{body}</body></html>"
    )
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
