"""What a portfolio search hands to people: text, JSON, the frontier table and chart,
runnable scenario files of the chosen packages, and an HTML section for the report."""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from simlib import plots
from simlib.experiment.replicate import Replications
from simlib.metrics import kpi_info
from simlib.optimize.describe import Comparison
from simlib.optimize.portfolio import Frontier, Step
from simlib.report.folder import read_json
from simlib.report.names import Names
from simlib.writing import write_csv, yaml_text

__all__ = [
    "frontier_chart",
    "frontier_json",
    "frontier_table",
    "frontier_text",
    "portfolio_report_section",
    "write_outputs",
]


def _num(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _ci(t: tuple[float, float, float]) -> dict[str, Any]:
    def clean(x: float) -> float | None:
        return float(x) if math.isfinite(x) else None

    return {"mean": clean(t[0]), "ci95": [clean(t[1]), clean(t[2])]}


def _label(step: Step) -> str:
    return " + ".join(step.portfolio) if step.portfolio else "(no reform)"


def _goal_label(frontier: Frontier) -> tuple[str, str]:
    goal = frontier.spec.goal
    label, unit, _ = kpi_info(goal.kpi)
    if goal.matter:
        label += f" ({Names(frontier.spec.study.baseline)(goal.matter)})"
    return label, unit


def _per_unit_saved(step: Step, minimize: bool) -> float:
    """One-off cost per unit of objective improvement (NaN if nothing is gained)."""
    gain = -step.effect[0] if minimize else step.effect[0]
    return step.cost.cost / gain if gain > 0 and step.cost.cost > 0 else math.nan


def frontier_table(frontier: Frontier) -> pd.DataFrame:
    """One row per budget: the chosen package, its costs, objective and effect with CIs."""
    rows = []
    minimize = frontier.spec.goal.minimize
    for step in frontier.steps:
        c = step.choice
        rows.append(
            {
                "budget": c.budget,
                "portfolio": _label(step),
                "feasible": step.feasible,
                "separated": c.separated,
                "unseparated": "; ".join(" + ".join(s) or "(none)" for s in c.survivors)
                if not c.separated
                else "",
                "cost": step.cost.cost,
                "officer_hours": step.cost.officer_hours,
                "officer_hours_source": step.cost.officer_hours_source,
                "running_cost_per_day": step.cost.running_cost_per_day,
                "objective": step.objective[0],
                "objective_ci_low": step.objective[1],
                "objective_ci_high": step.objective[2],
                "effect": step.effect[0],
                "effect_ci_low": step.effect[1],
                "effect_ci_high": step.effect[2],
                "cost_per_unit_gained": _per_unit_saved(step, minimize),
                "replications": step.replications,
                "portfolios_within_budget": c.within_budget,
                "portfolios_simulated": len(c.simulated),
                "screening_replications": c.screening_runs,
                "finalists": len(c.finalists),
            }
        )
    return pd.DataFrame(rows)


def frontier_text(frontier: Frontier) -> str:
    spec = frontier.spec
    label, unit = _goal_label(frontier)
    verb = "minimise" if spec.goal.minimize else "maximise"
    lines = [
        f"{spec.name}: {verb} {label} [{unit}] over {len(spec.study.variants)} candidate reforms",
        f"  requirements: {', '.join(n.label() for n in spec.needs) or 'none'}; "
        f"confidence {spec.confidence:.0%}, indifference {spec.goal.delta:g} {unit}",
        "",
    ]
    for step in frontier.steps:
        c = step.choice
        head = f"Budget {_num(c.budget)}: "
        if not step.feasible:
            lines.append(head + "no portfolio within budget meets the requirements")
            continue
        o, e = step.objective, step.effect
        lines.append(head + _label(step))
        lines.append(
            f"  cost {_num(step.cost.cost)}, {step.cost.officer_hours:+.1f} officer-h/day "
            f"({step.cost.officer_hours_source}); {label} {_num(o[0])} "
            f"[{_num(o[1])}, {_num(o[2])}], change {_num(e[0])} [{_num(e[1])}, {_num(e[2])}]"
        )
        told = step.description
        if told is not None:
            lines.append(
                f"  against today: {told.effect.verdict} ({told.effect.replications} "
                f"replications); what each reform adds (verdicts right together with "
                f"{told.confidence:.0%} confidence, each interval at {told.level:.2%}):"
            )
        for name, t in step.contributions.items():
            said = ""
            if told is not None:
                one = told.contributions[name]
                said = f": {one.verdict} ({one.replications} replications)"
            lines.append(f"    {name:<28} adds {_num(t[0])} [{_num(t[1])}, {_num(t[2])}]{said}")
        if not c.separated:
            others = "; ".join(" + ".join(s) or "(none)" for s in c.survivors)
            lines.append(
                f"  NOT separated within {step.replications} replications: {others} "
                "(differences may be below the indifference zone)"
            )
        lines.append(
            f"  {c.within_budget} portfolios within budget, {len(c.simulated)} simulated "
            f"({c.screening_runs} screening replications), {len(c.finalists)} in the final "
            "selection"
        )
    lines.append(
        f"\n{frontier.evaluations} simulation runs, {frontier.oracle.simulated_days:,} simulated "
        f"days, in {frontier.seconds:.1f} s (shared between budgets, common random numbers)"
    )
    return "\n".join(lines)


def _kpis_json(frontier: Frontier, step: Step) -> dict[str, Any]:
    oracle = frontier.oracle
    scenario = oracle.scenario(step.portfolio)
    first = step.choice.first_replication
    reps = range(first, first + step.replications)
    rows = [{"replication": r, **oracle.row(step.portfolio, r)} for r in reps]
    return Replications(scenario, frontier.spec.seed, pd.DataFrame(rows)).to_json()["kpis"]


def _step_json(frontier: Frontier, step: Step) -> dict[str, Any]:
    c = step.choice
    return {
        "budget": c.budget,
        "feasible": step.feasible,
        "decisions": {"reforms": list(step.portfolio), **step.cost.as_row()},
        "objective": _ci(step.objective),
        "effect": _ci(step.effect),
        "contributions": {n: _ci(t) for n, t in step.contributions.items()},
        **_description_json(step),
        "separated": c.separated,
        "unseparated": [list(s) for s in c.survivors] if not c.separated else [],
        "replications": step.replications,
        "portfolios_within_budget": c.within_budget,
        "portfolios_simulated": len(c.simulated),
        "screening_replications": c.screening_runs,
        "finalists": [list(s) for s in c.finalists],
        "selection": {"method": c.selection.method, "looks": list(c.selection.looks)},
    }


def _description_json(step: Step) -> dict[str, Any]:
    """Each comparison's verdict, replications and interval at the level that decided it
    (beside the contract's 95 % ``effect`` and ``contributions``)."""
    told = step.description
    if told is None:
        return {}

    def one(c: Comparison) -> dict[str, Any]:
        lo, hi = c.ci
        return {
            "verdict": c.verdict,
            "replications": c.replications,
            "ci": [lo if math.isfinite(lo) else None, hi if math.isfinite(hi) else None],
        }

    return {
        "description": {
            "confidence": told.confidence,
            "level": told.level,
            "looks": list(told.looks),
            "effect": one(told.effect),
            "contributions": {n: one(c) for n, c in told.contributions.items()},
        }
    }


def frontier_json(frontier: Frontier) -> dict[str, Any]:
    """The ``simlib optimize --json`` object (DESIGN §9); ``best`` is the largest budget's."""
    spec, best = frontier.spec, frontier.best
    goal = spec.goal
    return {
        "optimize": spec.name,
        "feasible": best.feasible,
        "best": {
            **_step_json(frontier, best),
            "objective": {
                "kpi": goal.kpi,
                "matter": goal.matter,
                "direction": "minimize" if goal.minimize else "maximize",
                **_ci(best.objective),
            },
            "kpis": _kpis_json(frontier, best),
        },
        "evaluations": frontier.evaluations,
        "simulated_days": frontier.oracle.simulated_days,
        "seconds": round(frontier.seconds, 2),
        "confidence": spec.confidence,
        "indifference": goal.delta,
        "requirements": [n.label() for n in spec.needs],
        "frontier": [_step_json(frontier, s) for s in frontier.steps],
    }


def cost_axis_label(currency: str) -> str:
    """The cost axis: one-off cost in the portfolio file's currency."""
    return f"one-off cost of the package [{currency or 'the study’s currency'}]"


def frontier_chart(frontier: Frontier) -> Figure:
    """The paired change of the objective against the package's one-off cost: one point per
    budget (the best package within it) with the 95 % CI of its paired difference from
    today, and today itself at (0, 0). Points, not a line: nothing lies between budgets."""
    label, unit = _goal_label(frontier)
    minimize = frontier.spec.goal.minimize
    fig = Figure(figsize=(6.5, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.axhline(0, color=plots.PALETTE["neutral"], lw=1)
    ax.plot([0], [0], "s", color=plots.PALETTE["baseline"], label="today (no reform)")
    steps = [s for s in frontier.steps if s.feasible]
    xs = [s.cost.cost for s in steps]
    ys = [s.effect[0] for s in steps]
    err = [
        [max(0.0, y - s.effect[1]) for y, s in zip(ys, steps, strict=True)],
        [max(0.0, s.effect[2] - y) for y, s in zip(ys, steps, strict=True)],
    ]
    ax.errorbar(
        xs,
        ys,
        yerr=err,
        fmt="o",
        linestyle="none",
        color=plots.PALETTE["better"],
        capsize=3,
        label="best package per budget: change vs today (95 % CI, paired)",
    )
    right = max(xs, default=0.0)
    for s, x, y in zip(steps, xs, ys, strict=True):
        text = "\n".join(s.portfolio) or "(no reform)"
        last = x == right and len(xs) > 1  # the rightmost label goes left, inside the axes
        ax.annotate(
            text,
            (x, y),
            textcoords="offset points",
            xytext=(-8 if last else 8, 6),
            ha="right" if last else "left",
            fontsize=8,
        )
    for k, s in enumerate(frontier.steps):
        ax.axvline(
            s.choice.budget,
            color=plots.PALETTE["neutral"],
            ls=":",
            lw=1,
            label="budgets" if k == 0 else None,
        )
    ax.margins(x=0.15, y=0.2)
    ax.set_xlabel(cost_axis_label(frontier.spec.currency))
    better = "lower" if minimize else "higher"
    what = f"change of {label[0].lower()}{label[1:]} [{unit}]"
    ax.set_ylabel(what if len(what) <= 45 else what.replace(" [", "\n["), fontsize=9)
    ax.set_title(
        f"Best reform package per budget: change against today ({better} is better)", fontsize=10
    )
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, loc="best")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    return fig


def _scenario_yaml(frontier: Frontier, step: Step) -> str:
    spec = frontier.spec
    data = spec.study.baseline.model_dump(mode="json", exclude_unset=True)
    data["name"] = f"{spec.study.baseline.name} + {_label(step)}"
    data["reforms"] = [
        r.model_dump(mode="json") for n in step.portfolio for r in spec.study.variants[n]
    ]
    notes = [
        f"{spec.name}: the package chosen for budget {_num(step.choice.budget)}",
        f"reforms: {_label(step)}; one-off cost {_num(step.cost.cost)}",
        "the baseline of the study with the package's reforms (applied on load)",
    ]
    return yaml_text(data, notes)


def write_outputs(frontier: Frontier, out: str | Path) -> list[Path]:
    """``best.yaml`` (largest budget), ``portfolio_<budget>.yaml`` per budget, the frontier
    table (CSV) and chart (PNG, SVG), and ``portfolio.json`` (the --json object)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for step in frontier.steps:
        if step.feasible:
            path = out / f"portfolio_{step.choice.budget:.0f}.yaml"
            path.write_text(_scenario_yaml(frontier, step), encoding="utf-8")
            written.append(path)
    if frontier.best.feasible:
        (out / "best.yaml").write_text(_scenario_yaml(frontier, frontier.best), encoding="utf-8")
        written.append(out / "best.yaml")
    write_csv(frontier_table(frontier), out / "frontier.csv", index=False)
    written.append(out / "frontier.csv")
    written += plots.save(frontier_chart(frontier), out, "frontier")
    meta = frontier_json(frontier)
    meta["source"] = str(frontier.spec.path)
    meta["objective_label"] = " [".join(_goal_label(frontier)) + "]"
    names = Names(frontier.spec.study.baseline).mapping
    meta["requirement_words"] = [n.words(names) for n in frontier.spec.needs]
    (out / "portfolio.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    written.append(out / "portfolio.json")
    return written


def portfolio_report_section(out_dir: str | Path) -> str:
    """An HTML section (for ``simlib report``) from a portfolio output folder: the package
    per budget, what each reform adds on top of the others, cost per unit gained."""
    out = Path(out_dir)
    meta = read_json(out / "portfolio.json")
    e = html.escape
    what = meta.get("objective_label", meta["best"]["objective"]["kpi"])
    rows = []
    for f in meta["frontier"]:
        d = f["decisions"]
        obj, eff = f["objective"], f["effect"]
        gain = (
            -(eff["mean"] or 0)
            if meta["best"]["objective"]["direction"] == "minimize"
            else (eff["mean"] or 0)
        )
        per = d["cost"] / gain if gain > 0 and d["cost"] > 0 else math.nan
        adds = "; ".join(
            f"{e(n)} {_num(c['mean'])} [{_num(c['ci95'][0])}, {_num(c['ci95'][1])}]"
            for n, c in f["contributions"].items()
        )
        sep = (
            ""
            if f["separated"]
            else (
                "<br><em>not separated from: "
                + e("; ".join(" + ".join(s) or "(none)" for s in f["unseparated"]))
                + "</em>"
            )
        )
        rows.append(
            "<tr>"
            f"<td>{_num(f['budget'])}</td>"
            f"<td class=l>{e(' + '.join(d['reforms']) or '(no reform)')}{sep}</td>"
            f"<td>{_num(d['cost'])}</td><td>{_num(d['officer_hours'])}</td>"
            f"<td>{_num(obj['mean'])} [{_num(obj['ci95'][0])}, {_num(obj['ci95'][1])}]</td>"
            f"<td>{_num(eff['mean'])} [{_num(eff['ci95'][0])}, {_num(eff['ci95'][1])}]</td>"
            f"<td>{_num(per)}</td><td class=l>{adds}</td></tr>"
        )
    chart = ""
    if (out / "frontier.png").exists():
        data = base64.b64encode((out / "frontier.png").read_bytes()).decode("ascii")
        chart = (
            f'<figure><img alt="efficient frontier" src="data:image/png;base64,{data}">'
            "<figcaption>Best package per budget: its change against today (paired, on the "
            "same applicants) with the 95 % confidence interval, against its one-off cost"
            "</figcaption>"
            "</figure>"
        )
    return (
        _answer(meta, what)
        + f"<section><h2>Reform package under budget: {e(meta['optimize'])}</h2>"
        f"<p>Objective: {e(what)}. Requirements: {e(', '.join(_needs(meta)) or 'none')}. "
        f"Each package was chosen with probability at least {meta['confidence']:.0%} of being "
        f"the best feasible one, up to differences of {meta['indifference']:g} (ranking and "
        "selection by sequential paired t-tests on common random numbers, after simulating "
        "every reform alone and in pairs, so that reforms that overlap or depend on each other "
        f"are not simply added up). {meta['evaluations']} simulation runs.</p>"
        "<table><tr><th>budget</th><th class=l>recommended package</th><th>one-off cost</th>"
        "<th>officer-h / day</th><th>objective [95 % CI]</th><th>change vs today</th>"
        "<th>cost per unit gained</th><th class=l>what each reform adds on top of the others"
        "</th></tr>" + "".join(rows) + f"</table>{chart}</section>" + _method(meta, out)
    )


def _needs(meta: dict) -> list[str]:
    """The requirements in words (folders written before they were kept: as given)."""
    return list(meta.get("requirement_words") or meta["requirements"])


def _answer(meta: dict, what: str) -> str:
    """The executive summary of a portfolio report: the question and, per budget, the
    package with its change against today and the CI (what a director signs)."""
    e = html.escape
    budgets = [f["budget"] for f in meta["frontier"]]
    question = (
        f"Which reforms should be adopted within a budget of {', '.join(_num(b) for b in budgets)}"
        f" to improve {what.lower()}"
        + (f", while {', '.join(_needs(meta))}" if meta["requirements"] else "")
        + "?"
    )
    parts = []
    for f in meta["frontier"]:
        d, eff = f["decisions"], f["effect"]
        package = " + ".join(d["reforms"]) or "no reform"
        sure = "" if f["separated"] else " (not separated from the runners-up: see the table)"
        parts.append(
            f"with {_num(f['budget'])}: <b>{e(package)}</b> (cost {_num(d['cost'])}), "
            f"change {_num(eff['mean'])} [{_num(eff['ci95'][0])}, {_num(eff['ci95'][1])}]{sure}"
        )
    feasible = "" if meta.get("feasible", True) else " No package meets every requirement."
    return (
        "<h2>Executive summary</h2><div class=summary>"
        f"<p><b>Question.</b> {e(question)}</p>"
        f"<p><b>Answer.</b> {'; '.join(parts)}.{feasible}</p></div>"
    )


def _method(meta: dict, out: Path) -> str:
    """How the packages were found, and the command that finds them again."""
    e = html.escape
    source = meta.get("source") or "PORTFOLIO.yaml"
    command = f"simlib optimize {source} --out {out}"
    return (
        "<h2>Method</h2><p>Every reform alone and every pair within budget was simulated on "
        "common random numbers (the same applicants in every package), larger packages were "
        "predicted from the singles and the measured pairwise interactions, the best "
        "predictions were simulated (pairs and larger packages on three replications, more "
        "only while a test could not yet tell whether they were among the finalists), and "
        "paired t-tests in looks (more replications only while undecided, Bonferroni over "
        "comparisons and looks) chose among "
        "the finalists on fresh replications, at the stated confidence and indifference zone. "
        "Changes are paired differences against today with Student-t 95 % confidence "
        "intervals; costs are the study file's (marked [illustrative] there when assumed).</p>"
        f"<p>To reproduce every number in this report:</p><p><code>{e(command)}</code></p>"
    )
