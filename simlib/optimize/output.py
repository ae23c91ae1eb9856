"""What the planner sees: the JSON object, the staffing table, the frontier, the files.

``--out DIR`` holds ``best.yaml`` (the chosen staffing as a scenario, runnable by
``simlib run``), ``result.json`` (what ``--json`` prints), ``staffing.csv`` (officers by
pool and hour, today and chosen, with the hour's KPIs and CIs), ``trace.csv`` (every
candidate the search evaluated), ``frontier.csv`` and ``frontier.png|svg`` (officer-hours
against the binding KPI), and ``runs/`` (every replication, for ``--resume``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.duty import on_duty, rostered
from simlib.experiment.replicate import Replications
from simlib.experiment.stats import mean_ci
from simlib.metrics import HOUR_KPIS, kpi_info
from simlib.optimize.candidate import Candidate, apply, officer_hours
from simlib.optimize.evaluate import Judgement, judge, share_bounds
from simlib.optimize.search import TODAY, OptimizeResult
from simlib.optimize.shifts import roster
from simlib.scenario.model import Scenario
from simlib.writing import write_csv, yaml_text

__all__ = ["frontier", "result_json", "staffing_table", "summary_text", "write_outputs"]


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, (np.floating, np.integer)):
        return _clean(x.item())
    return x


def _bounded(kpi: str, ci: tuple[float, float, float]) -> tuple[float, float, float]:
    """A CI of a KPI that cannot be negative (waits, shares) cut at 0, and at 1 for shares."""
    m, lo, hi = ci
    top = 1.0 if kpi_info(kpi)[1] == "share" else math.inf
    return m, min(max(lo, 0.0), top), min(max(hi, 0.0), top)


def _ci(values: list[float]) -> tuple[float, float, float]:
    x = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    return mean_ci(x) if len(x) else (math.nan, math.nan, math.nan)


def jsonable(obj: Any) -> Any:
    """``obj`` with every NaN/inf as None and numpy scalars as Python ones (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return _clean(obj)


def frontier(result: OptimizeResult) -> pd.DataFrame:
    """Every evaluated staffing: objective and the binding KPI (mean, 95 % CI); ``pareto``
    marks those no cheaper staffing beats on that KPI."""
    ev = result.evaluator
    binding = result.judgement.binding if result.judgement else None
    if binding is None:
        return pd.DataFrame()
    req, column = binding.requirement, binding.column
    on_days = req.on_days is not None
    sense = "min" if on_days else req.sense  # on days: the share of days met is drawn
    hour = column.split("[hour=")[1][:2] if "[hour=" in column else None
    rows = []
    for key, cand in ev.candidates.items():
        if key == TODAY.key():  # today is drawn beside the proposal, not on the frontier
            continue
        runs = ev.rows.get(key, [])
        values = [r.get(column, math.nan) for r in runs]
        if not values:
            continue
        if on_days:
            met_col, days_col = req.days_columns(hour)
            met = float(np.nansum([r.get(met_col, math.nan) for r in runs]))
            days = float(np.nansum([r.get(days_col, math.nan) for r in runs]))
            m = met / days if days else math.nan
            lo, hi = share_bounds(met, days, 0.025)
            meets = m >= req.on_days  # type: ignore[operator]
        else:
            m, lo, hi = _bounded(column, _ci(values))
            meets = m <= req.bound if req.sense == "max" else m >= req.bound
        j = ev.judge(cand)
        rows.append(
            {
                "objective": ev.objective(cand),
                "officer_hours": ev.officer_hours(cand),
                "kpi": f"share of days {column} {'<=' if req.sense == 'max' else '>='} "
                f"{req.bound:g}"
                if on_days
                else column,
                "mean": m,
                "ci95_low": lo,
                "ci95_high": hi,
                "replications": len(values),
                "meets_in_this_hour": bool(meets),
                "feasible_on_means": j.point_feasible,
                "feasible": j.feasible,
                "chosen": key == result.best.key() if result.best else False,
                "decisions": json.dumps(cand.decisions(result.hours)),
            }
        )
    table = pd.DataFrame(rows).sort_values(["objective", "mean"]).reset_index(drop=True)
    best_so_far = math.inf
    pareto = []
    for value in table["mean"]:
        score = value if sense == "max" else -value
        pareto.append(score < best_so_far - 1e-12)
        best_so_far = min(best_so_far, score)
    table["pareto"] = pareto
    return table


def staffing_table(result: OptimizeResult) -> pd.DataFrame:
    """Officers on shift by pool and open hour, today and chosen, with the hall's KPIs in
    that hour (mean and 95 % CI over the final replications)."""
    if result.best is None:
        return pd.DataFrame()
    base, best = result.opt.base, result.best_scenario
    assert best is not None
    pools = [d.pool for d in result.opt.levels] + [d.pool for d in result.opt.by_hour]
    rows_runs = result.evaluator.rows.get(result.best.key(), [])
    today_runs = result.evaluator.rows.get(result.today.key(), [])
    out = []
    today = {p: on_duty(base, p, result.hours) for p in pools}
    chosen = {p: on_duty(best, p, result.hours) for p in pools}
    for i, h in enumerate(result.hours):
        row: dict[str, Any] = {"hour": f"{h:02d}"}
        for p in pools:
            row[f"{p} today"] = today[p][i]
            row[f"{p} chosen"] = chosen[p][i]
        if result.start is not None and result.start.hourly:  # Erlang C vs the simulation
            erlang = dict(result.start.hourly)
            needs = dict(result.best.hourly)
            row["Erlang C says"] = sum(n[i] for n in erlang.values())
            row["simulation needs"] = sum(n[i] for n in needs.values())
            for p in erlang:
                row[f"{p} Erlang C"] = erlang[p][i]
                row[f"{p} needs"] = needs[p][i]
        for req in result.opt.requirements:  # share of days that met the bound, per hour
            if req.every_hour:
                label = _days_label(req)
                row[label] = result.evaluator.share(result.best, req, f"{h:02d}")
                row[f"{label} today"] = result.evaluator.share(result.today, req, f"{h:02d}")
        for kpi in HOUR_KPIS:
            col = f"{kpi}[hour={h:02d}]"
            if any(col in r for r in rows_runs):
                m, lo, hi = _bounded(kpi, _ci([r.get(col, math.nan) for r in rows_runs]))
                row[kpi] = m
                row[f"{kpi}_ci_low"] = lo
                row[f"{kpi}_ci_high"] = hi
            if any(col in r for r in today_runs):
                m, lo, hi = _bounded(kpi, _ci([r.get(col, math.nan) for r in today_runs]))
                row[f"{kpi} today"] = m
                row[f"{kpi} today_ci_low"] = lo
                row[f"{kpi} today_ci_high"] = hi
        out.append(row)
    return pd.DataFrame(out)


def _days_label(req: Any) -> str:
    """The staffing-table column of the share of days on which an hour met ``req``."""
    op = "<=" if req.sense == "max" else ">="
    return f"days {req.kpi} {op} {req.bound:g}"


def _decisions_today(result: OptimizeResult) -> dict[str, Any]:
    """Today's values of the decided pools, in the form of ``Candidate.decisions``."""
    base = result.opt.base
    out: dict[str, Any] = {
        f"pools.{d.pool}.count": base.pools[d.pool].count for d in result.opt.levels
    }
    for d in result.opt.by_hour:
        out[f"pools.{d.pool}.shifts"] = {
            "by_hour": dict(
                zip(
                    [f"{h:02d}" for h in result.hours],
                    on_duty(base, d.pool, result.hours),
                    strict=True,
                )
            ),
            "shifts": [
                {
                    "hours": list(x.hours or base.calendar.hours),
                    "count": x.count,
                    **(
                        {"hours_by_weekday": dict(x.hours_by_weekday)} if x.hours_by_weekday else {}
                    ),
                }
                for x in base.pools[d.pool].crews()
            ],
        }
    return out


def _headcount(result: OptimizeResult, scenario: Scenario) -> dict[str, Any]:
    """People (not officer-hours) per decided pool, their total, and the whole hall's."""
    decided = [d.pool for d in result.opt.levels] + [d.pool for d in result.opt.by_hour]
    per_pool = {p: rostered(scenario, p) for p in decided}
    return {
        "per_pool": per_pool,
        "decided_pools": sum(per_pool.values()),
        "hall": sum(rostered(scenario, p) for p in scenario.pools),
    }


def _staffing_json(
    result: OptimizeResult, cand: Candidate, j: Judgement | None, decisions: dict[str, Any]
) -> dict[str, Any]:
    """One staffing (the chosen one, or today's) as the ``best`` / ``today`` object."""
    opt, ev = result.opt, result.evaluator
    runs = pd.DataFrame(ev.rows.get(cand.key(), []))
    scenario = apply(opt.base, cand)
    rep = Replications(scenario, opt.seed, runs).to_json() if len(runs) else {}
    cost = opt.objective == "cost"
    return {
        "decisions": decisions,
        "objective": {
            "minimize": opt.objective,
            "value": ev.objective(cand),
            "today": officer_hours(opt.base, cost=cost),
            "officer_hours": ev.officer_hours(cand),
            "officer_hours_today": officer_hours(opt.base),
            "officer_hours_decided_pools": _decided_hours(result, scenario),
            "cost": officer_hours(scenario, cost=True) if _priced(opt.base) else None,
        },
        "headcount": _headcount(result, scenario),
        "kpis": rep.get("kpis", {}),
        "by_hour": rep.get("by_hour", {}),
        "by_matter": rep.get("by_matter", {}),
        "replications": len(runs),
        "requirements": [
            {
                "requirement": c.requirement.label(),
                "column": c.column,
                "mean": _clean(c.mean),
                "bound_low": _clean(c.low),
                "bound_high": _clean(c.high),
                "replications": len(runs) if c.on_days else c.n,
                "days": c.n if c.on_days else None,  # days judged (requirements on days)
                "status": c.status,
                "share_of_days_met": _clean(c.share),
                "on_days": c.requirement.on_days,
            }
            for c in (j.checks if j else [])
        ],
        "binding": (j.binding.requirement.label() if j and j.binding else None),
    }


def _decided_hours(result: OptimizeResult, scenario: Scenario) -> float:
    """Officer-hours per working day of the decided pools alone (the hall-wide figure
    includes the back offices, which no decision touches)."""
    decided = {d.pool for d in result.opt.levels} | {d.pool for d in result.opt.by_hour}
    return officer_hours(scenario, pools=decided)


def _priced(scenario: Scenario) -> bool:
    return any(p.cost_per_hour is not None for p in scenario.pools.values())


def result_json(result: OptimizeResult) -> dict[str, Any]:
    """The ``simlib optimize --json`` object (DESIGN §9): ``best`` and ``today`` (the
    scenario's own staffing on the same seeds) in the same shape, and the change."""
    opt, ev = result.opt, result.evaluator
    best: dict[str, Any] | None = None
    today = _staffing_json(result, result.today, result.today_judgement, _decisions_today(result))
    change: dict[str, Any] | None = None
    if result.best is not None:
        best = _staffing_json(
            result, result.best, result.judgement, result.best.decisions(result.hours)
        )
        change = {
            "officer_hours": best["objective"]["officer_hours"]
            - today["objective"]["officer_hours"],
            "officer_hours_decided_pools": best["objective"]["officer_hours_decided_pools"]
            - today["objective"]["officer_hours_decided_pools"],
            "headcount_decided_pools": best["headcount"]["decided_pools"]
            - today["headcount"]["decided_pools"],
            "headcount_hall": best["headcount"]["hall"] - today["headcount"]["hall"],
            "cost": best["objective"]["cost"] - today["objective"]["cost"]
            if best["objective"]["cost"] is not None
            else None,
        }
    table = frontier(result)
    return jsonable(
        {
            "optimize": opt.name,
            "feasible": result.feasible,
            "confidence": opt.confidence,
            "best": best,
            "today": today,
            "change": change,
            "evaluations": len(result.trace),
            "runs": ev.runs,
            # each run's horizon, warm-up included (no drain tail): the search's cost
            "simulated_days": ev.runs * opt.base.horizon.days,
            "model": _model_json(result),  # hall only or the whole model, and why
            "one_step_cheaper": result.cheaper,
            "frontier": [
                {k: _clean(v) for k, v in row.items()}
                for row in table[table["pareto"]].to_dict("records")
            ]
            if len(table)
            else [],
        }
    )


def _verdict(result: OptimizeResult) -> str:
    conf = f"{result.opt.confidence:.0%}"
    if result.feasible is True:
        head = f"Every requirement holds with {conf} confidence."
    elif result.feasible is False:
        head = "No staffing within the decision ranges meets the requirements."
    else:
        head = (
            f"The chosen staffing meets the requirements on average, but not yet with {conf} "
            f"confidence after {result.opt.reps_max} replications (raise replications.max)."
        )
    adopted = [c for c in result.cheaper if c["verdict"] == "adopted"]
    cheaper = [c for c in result.cheaper if c["verdict"] != "adopted"]
    if adopted:
        head += (
            f" {len(adopted)} cheaper staffing(s) were shown to meet every requirement and "
            "adopted in turn."
        )
    if result.feasible is True and not cheaper:
        head += (
            " No cheaper staffing is left to settle: one officer fewer in the hours with most "
            "room re-rosters to no saving, and none cheaper met the requirements on the means."
        )
    if cheaper and all(c["verdict"] == "infeasible" for c in cheaper):
        head += (
            f" Every cheaper staffing tried (one step cheaper, and those that met the "
            f"requirements on the means) is shown infeasible with {conf} confidence."
        )
    elif any(c["verdict"] == "undecided" for c in cheaper):
        undecided = "; ".join(
            f"{c['change']} ({c['objective']:.1f})" for c in cheaper if c["verdict"] == "undecided"
        )
        head += f" Could not decide whether a cheaper staffing also works: {undecided}."
    return head


def _rosters(shifts: list[dict[str, Any]]) -> str:
    """``5 x 09:00-17:00 (7 h at the window, off 12:00-13:00)``: paid roster, worked hours."""
    out = []
    for s in shifts:
        if "roster" not in s:
            out.append(f"{s['count']} x {', '.join(s['hours'])}")
            continue
        off = f", off {', '.join(s['off'])}" if s["off"] else ""
        out.append(f"{s['count']} x {s['roster']} ({s['worked_hours']:g} h at the window{off})")
    return "; ".join(out)


def summary_text(result: OptimizeResult, data: dict[str, Any]) -> str:
    """The planner's summary: the verdict, the staffing, the binding requirement, the table."""
    lines = [f"Optimisation '{result.opt.name}'", _verdict(result)]
    best = data["best"]
    if best is not None:
        obj = best["objective"]
        delta = obj["officer_hours"] - obj["officer_hours_today"]
        lines.append(
            f"Officer-hours per working day: {obj['officer_hours']:.1f} "
            f"(today {obj['officer_hours_today']:.1f}, {'+' if delta >= 0 else ''}{delta:.1f})"
        )
        if obj["minimize"] == "cost":
            lines.append(f"Cost per working day: {obj['value']:.0f} (today {obj['today']:.0f})")
        mine = obj["officer_hours_decided_pools"]
        then = data["today"]["objective"]["officer_hours_decided_pools"]
        lines.append(
            f"  of which the decided pools: {mine:.1f} (today {then:.1f}, {mine - then:+.1f})"
        )
        heads, before = best["headcount"], data["today"]["headcount"]
        per_pool = ", ".join(
            f"{p} {n} (today {before['per_pool'][p]})" for p, n in heads["per_pool"].items()
        )
        lines.append(
            f"Headcount (people): decided pools {heads['decided_pools']} "
            f"(today {before['decided_pools']}); whole hall {heads['hall']} "
            f"(today {before['hall']}): {per_pool}"
        )
        for name, value in best["decisions"].items():
            if isinstance(value, dict):
                lines.append(f"  {name}: {_rosters(value['shifts'])}")
            else:
                lines.append(f"  {name}: {value}")
        lines.append(f"Binding requirement: {best['binding']}")
        for req in best["requirements"]:
            if "[hour=" in req["column"] and req["status"] == "met":
                continue
            what = "share of days" if req.get("on_days") else "mean"
            lines.append(
                f"  {req['requirement']:<45} {req['column']:<32} {what} {req['mean']:.3g} "
                f"[{req['bound_low']:.3g}, {req['bound_high']:.3g}] {req['status']}"
                if req["mean"] is not None
                else f"  {req['requirement']}: no data"
            )
    for c in result.cheaper:
        why = f": {c['why']}" if c.get("why") else ""
        lines.append(
            f"Cheaper ({c['change']}, {c['objective']:.1f}): {c['verdict']} "
            f"({c['replications']} reps){why}"
        )
    table = staffing_table(result)
    if len(table):
        kpis = [r.kpi for r in result.opt.requirements if r.every_hour]
        days = [_days_label(r) for r in result.opt.requirements if r.every_hour]
        keep = ["hour"]
        pools = [d.pool for d in result.opt.levels] + [d.pool for d in result.opt.by_hour]
        keep += [f"{p} {w}" for p in pools for w in ("today", "chosen")]
        keep += [c for k in dict.fromkeys(kpis) for c in (f"{k} today", k) if c in table]
        keep += [c for d in days for c in (f"{d} today", d) if c in table]
        if "Erlang C says" in table:
            lines.append(
                "Erlang C on the modified offered load vs the simulation, officers at the "
                "windows decided (what returns, lunch, closing, absences and abandonment change):"
            )
            for _, r in table.iterrows():
                n, m = int(r["Erlang C says"]), int(r["simulation needs"])
                lines.append(
                    f"  {r['hour']}:00  Erlang C says {n}, the simulation needs {m} ({m - n:+d})"
                )
        lines.append("By hour, today and chosen (same seeds); 'days ...': share of days met:")
        lines.append(table[keep].to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    lines.append(
        f"{data['evaluations']} staffings evaluated, {data['runs']} simulation runs, "
        f"{data['simulated_days']:,} simulated days."
    )
    model = data["model"]
    if model["hall_only"]:
        lines.append(f"Simulated the hall alone, without {'; '.join(model['left_out'])}: ")
        lines.append(f"  {model['why']}.")
        check = model.get("whole_model_check")
        if check:
            lines.append(
                f"  On the whole model ({check['replications']} runs) the chosen staffing is "
                f"{_shown_as(check['feasible'])}; on the hall alone it was "
                f"{_shown_as(check['hall_only_feasible'])}."
            )
    else:
        lines.append(f"Simulated: {model['why']}.")
    return "\n".join(lines)


def _shown_as(feasible: bool | None) -> str:
    if feasible is None:
        return "not decided"
    return "shown feasible" if feasible else "shown infeasible"


def _model_json(result: OptimizeResult) -> dict[str, Any]:
    """What the runs simulated and why; with replayed collections, the chosen staffing's
    check on the whole model beside its verdict on the hall alone."""
    ev = result.evaluator
    out = ev.hall.as_json()
    if ev.hall.replayed and result.best is not None:
        key = result.best.key()
        alone = ev.hall_rows.get(key, {})
        rows = [alone[r] for r in sorted(alone)]
        out["whole_model_check"] = {
            "replications": ev.have(result.best),
            "feasible": result.feasible,
            "hall_only_replications": len(rows),
            "hall_only_feasible": (
                judge(rows, result.opt.requirements, result.opt.confidence).feasible
                if rows
                else None
            ),
            "today": "whole model (its runs keep the collections replayed)",
        }
    return out


def _hour_span(column: str) -> str:
    """``hall_wait_p90_min[hour=10]`` -> ``10:00-11:00`` (the clock hour a column is about)."""
    if "[hour=" not in column:
        return ""
    h = int(column.split("[hour=")[1][:2])
    return f"{h:02d}:00–{(h + 1) % 24:02d}:00"


def frontier_chart(result: OptimizeResult, table: pd.DataFrame) -> Any:
    """Officer-hours (or cost) against the binding KPI in the binding hour, with 95 % CIs
    and the bound; a point is marked a miss only when it misses in that hour."""
    from matplotlib.figure import Figure

    from simlib.metrics import kpi_info
    from simlib.plots.style import PALETTE

    fig = Figure(figsize=(6.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    binding = result.judgement.binding if result.judgement else None
    if binding is None or not len(table):
        return fig
    req = binding.requirement
    base = binding.column.split("[hour=")[0].split("[matter=")[0]
    label, unit, _ = kpi_info(base)
    span = _hour_span(binding.column)
    ok = table["meets_in_this_hour"].astype(bool)
    where = f" in {span}" if span else ""
    for mask, style, name in ((ok, "o", f"meets{where}"), (~ok, "x", f"misses{where}")):
        part = table[mask]
        if len(part):
            ax.errorbar(
                part["objective"],
                part["mean"],
                yerr=[
                    (part["mean"] - part["ci95_low"]).clip(lower=0),
                    (part["ci95_high"] - part["mean"]).clip(lower=0),
                ],
                fmt=style,
                color=PALETTE["better"] if name.startswith("meets") else PALETTE["worse"],
                ecolor="#999999",
                capsize=2,
                markersize=5,
                label=name,
            )
    chosen = table[table["chosen"]]
    if len(chosen):
        ax.plot(
            chosen["objective"],
            chosen["mean"],
            "s",
            mfc="none",
            mec="black",
            markersize=11,
            label="chosen",
        )
    op = "≤" if req.sense == "max" else "≥"
    if req.on_days is not None:
        ax.axhline(req.on_days, color=PALETTE["baseline"], ls="--", lw=1, label="required share")
        ax.set_ylabel("Share of days meeting the bound")
        label = f"share of days with {label.lower()} {op} {req.bound:g} {unit}"
        ax.set_ylim(min(0.0, float(table["ci95_low"].min())), 1.02)
    else:
        ax.axhline(req.bound, color=PALETTE["baseline"], ls="--", lw=1, label="required")
        ax.set_ylabel(f"{label} ({unit})")
        ax.set_ylim(bottom=0)
    obj = (
        "cost per working day"
        if result.opt.objective == "cost"
        else "officer-hours per working day"
    )
    ax.set_xlabel(obj.capitalize())
    ax.set_title(
        f"Cost-service frontier, binding hour {span or binding.column}\n{label}", fontsize=9
    )
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, loc="best")
    return fig


def hours_chart(result: OptimizeResult, table: pd.DataFrame) -> Any:
    """Today vs proposed by hour: the hourly requirement's KPI (same seeds) with its bound,
    and the share of days that met it written above each hour."""
    from matplotlib.figure import Figure

    from simlib.metrics import kpi_info
    from simlib.plots.style import PALETTE

    fig = Figure(figsize=(6.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    reqs = [r for r in result.opt.requirements if r.every_hour]
    if not reqs or reqs[0].kpi not in table:
        return fig
    req = reqs[0]
    label, unit, _ = kpi_info(req.kpi)
    x = np.arange(len(table))
    for col, name, color in (
        (f"{req.kpi} today", "today", PALETTE["worse"]),
        (req.kpi, "proposed", PALETTE["better"]),
    ):
        if col not in table:
            continue
        m = table[col].to_numpy(dtype=float)
        lo = table[f"{col}_ci_low"].to_numpy(dtype=float)
        hi = table[f"{col}_ci_high"].to_numpy(dtype=float)
        ax.errorbar(
            x,
            m,
            yerr=[np.clip(m - lo, 0, None), np.clip(hi - m, 0, None)],
            fmt="o-",
            color=color,
            capsize=2,
            markersize=4,
            label=f"{name} (mean over runs, 95 % CI)",
        )
    ax.axhline(req.bound, color=PALETTE["baseline"], ls="--", lw=1, label="bound")
    days = _days_label(req)
    if days in table:
        for i, (now, then) in enumerate(
            zip(table[days], table.get(f"{days} today", table[days]), strict=True)
        ):
            ax.text(
                x[i],
                1.01,
                f"{now:.0%}\n({then:.0%})",
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_xticks(x, [f"{h}:00" for h in table["hour"]])
    ax.set_xlabel("Clock hour (tickets drawn)")
    ax.set_ylabel(f"{label} ({unit})")
    ax.set_ylim(bottom=0)
    need = f" (required {req.on_days:.0%})" if req.on_days is not None else ""
    ax.set_title(
        f"Today vs proposed by hour, same seeds\nabove: share of days meeting the bound, "
        f"proposed (today){need}",
        fontsize=9,
        pad=26,
    )
    fig.legend(fontsize=7, ncol=3, loc="outside lower center")
    return fig


def staffing_chart(result: OptimizeResult, table: pd.DataFrame) -> Any:
    """Officers on shift by hour per decided pool: chosen (bars) and today (black ticks)."""
    from matplotlib.figure import Figure

    from simlib.plots.style import SEQUENCE

    pools = [c[: -len(" chosen")] for c in table.columns if c.endswith(" chosen")]
    fig = Figure(figsize=(6.5, 3.4 + 0.2 * ((len(pools) + 3) // 4)), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(table))
    width = 0.8 / max(1, len(pools))
    for i, p in enumerate(pools):
        pos = x + i * width - 0.4 + width / 2
        ax.bar(pos, table[f"{p} chosen"], width, color=SEQUENCE[i % 8], label=p)
        ax.plot(
            pos,
            table[f"{p} today"],
            "_",
            color="black",
            markersize=max(4, 40 * width),
            mew=1.5,
            label="today" if i == 0 else None,
        )
    ax.set_xticks(x, table["hour"])
    ax.set_xlabel("Clock hour")
    ax.set_ylabel("Officers on shift")
    ax.set_title("Staffing by hour: chosen (bars) vs today (black ticks)", fontsize=10)
    ax.tick_params(labelsize=8)
    fig.legend(fontsize=8, ncol=4, loc="outside lower center")
    return fig


def write_outputs(result: OptimizeResult, data: dict[str, Any], out: str | Path) -> None:
    from simlib.plots.style import save

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scenario = result.best_scenario
    if scenario is not None:
        dumped = scenario.model_dump(mode="json", exclude_none=True)
        dumped["name"] = f"{scenario.name} (optimised: {result.opt.name})"
        for d in result.opt.by_hour:  # each shift as the roster paid, hours at the window beside
            for shift in dumped["pools"][d.pool].get("shifts", []):
                if shift.get("hours"):
                    shift["roster"] = str(roster(shift["hours"])["roster"])
        notes = [f"Staffing chosen by `simlib optimize` ({result.opt.name}).", _verdict(result)]
        rosters = [
            f"  {name[len('pools.') : -len('.shifts')]}: {_rosters(value['shifts'])}"
            for name, value in (data["best"] or {}).get("decisions", {}).items()
            if isinstance(value, dict)
        ]
        if rosters:
            notes.append(
                "Rosters (paid start-end; the hall's lunch inside counts; hours at the window "
                "beside). Under shifts: roster is the paid start-end, hours the hours at the "
                "window (what the engine runs)."
            )
            notes.extend(rosters)
        (out / "best.yaml").write_text(yaml_text(dumped, notes), encoding="utf-8")
    (out / "result.json").write_text(json.dumps(data, indent=2, default=_clean))
    trace = pd.DataFrame(result.trace)
    if len(trace):
        trace["decisions"] = trace["decisions"].map(json.dumps)
        write_csv(trace, out / "trace.csv", index=False)
    table = frontier(result)
    if len(table):
        write_csv(table, out / "frontier.csv", index=False)
        save(frontier_chart(result, table), out, "frontier")
    staffing = staffing_table(result)
    if len(staffing):
        write_csv(staffing, out / "staffing.csv", index=False)
        if result.opt.by_hour:
            save(staffing_chart(result, staffing), out, "staffing")
        if any(r.every_hour for r in result.opt.requirements):
            save(hours_chart(result, staffing), out, "hours")
