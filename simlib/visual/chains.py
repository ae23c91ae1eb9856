"""Maps of the approval chains as process maps, laid out by Graphviz (``dot``).

Two sources give one kind of picture:

* :func:`chain_map`: each matter's chain as the scenario defines it: acceptance at the
  hall (with the share returned for missing documents), steps as boxes with their pool,
  parallel groups as fork and join bars, calendar delays, rework loops and hand-offs with
  their delay, the decision and collection. Given a run's records it adds, per step, the
  mean wait for an officer and the mean working time measured in that run.
* :func:`log_map` (``flowmap``): the directly-follows graph of an event log.

Both are first a :class:`ProcessMap` (plain nodes and edges, so tests read what is drawn),
then DOT source through the ``graphviz`` package. An edge carries an optional probability:
a branch (one of several next steps, with its probability) is one more edge with ``prob``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib.engine.records import Records
from simlib.scenario.chain import branches
from simlib.scenario.model import DelayStep, Matter, Scenario

__all__ = ["Edge", "Node", "ProcessMap", "chain_map", "duration", "step_stats"]


@dataclass
class Node:
    id: str
    label: str
    shape: str = "box"  # box | bar | delay | start | end
    lines: list[str] = field(default_factory=list)  # detail under the label
    count: int | None = None  # how often it happened (log maps)


@dataclass
class Edge:
    src: str
    dst: str
    label: str = ""
    prob: float | None = None  # taken with this probability (rework, branch, incomplete)
    count: int | None = None
    back: bool = False  # a loop back (rework): drawn dashed, not ranked


@dataclass
class ProcessMap:
    """Clusters of nodes (one per matter) and the edges between them."""

    title: str
    clusters: dict[str, list[Node]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        for nodes in self.clusters.values():
            for n in nodes:
                if n.id == node_id:
                    return n
        raise KeyError(node_id)


def duration(minutes: float) -> str:
    """Minutes as a planner reads them: 12 min, 3.5 h, 2.1 d (calendar)."""
    if not np.isfinite(minutes):
        return "–"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 24 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %" if p >= 0.01 else f"{100 * p:.1f} %"


def step_stats(records: Records) -> dict[tuple[str, str], dict[str, float]]:
    """Per (matter, activity): mean wait for an officer (calendar minutes, enqueued to
    start), mean working time (the pool's working minutes from start to end: work held over
    a night counts its working hours only) and how many times it was done."""
    steps = records.arrays("steps")
    if not len(steps["case"]):
        return {}
    matter = records.arrays("cases")["matter"][steps["case"]]
    wait = steps["start"] - steps["enqueued"]
    work = np.empty(len(wait))
    for code, pool in enumerate(records.pools):
        sel = steps["pool"] == code
        if sel.any():
            table = records.calendar.timetable(records.pool_hours[pool])
            work[sel] = table.working_minutes_array(steps["start"][sel], steps["end"][sel])
    out: dict[tuple[str, str], dict[str, float]] = {}
    key = matter.astype(np.int64) * len(records.activities) + steps["activity"]
    for k in np.unique(key):
        sel = key == k
        m, a = divmod(int(k), len(records.activities))
        out[(records.matters[m], records.activities[a])] = {
            "wait": float(wait[sel].mean()),
            "work": float(work[sel].mean()),
            "n": float(sel.sum()),
        }
    return out


def _measured(stats: dict, matter: str, activity: str) -> list[str]:
    s = stats.get((matter, activity))
    if s is None:
        return []
    return [f"wait {duration(s['wait'])} · work {duration(s['work'])}"]


def _handoff(m: Matter) -> str:
    if m.handoff is not None:
        return "courier " + ", ".join(m.handoff.rounds)
    return f"hand-off {m.handoff_days:g} d" if m.handoff_days else "hand-off"


def _matter(pm: ProcessMap, m: Matter, stats: dict) -> None:
    """One matter's cluster: acceptance, the chain items in order, decision, collection."""
    nodes: list[Node] = []
    pid = m.id + "__"
    nodes.append(Node(pid + "start", m.name or m.id, "start"))
    accept = Node(
        pid + "acceptance",
        "acceptance",
        lines=[m.acceptance.pool, *_measured(stats, m.id, "acceptance")],
    )
    nodes.append(accept)
    pm.edges.append(
        Edge(pid + "start", accept.id, _pct(m.online_share) + " online")
        if m.online_share
        else Edge(pid + "start", accept.id)
    )
    if m.complete_prob < 1:
        pm.edges.append(
            Edge(accept.id, accept.id, "incomplete: comes back", 1 - m.complete_prob, back=True)
        )
    before = [accept.id]
    skips: list[Edge] = []  # optional steps not taken: edges to whatever comes next
    pools = {m.acceptance.pool}

    def enter(dst: str, to: set[str], taken: float = 1.0, when: str = "") -> None:
        """Edges into ``dst`` from the item before it (and from skipped optional steps)."""
        for e in _link(before, dst, m, pools, to):
            if taken < 1:
                e.label, e.prob = (f"{when} {e.label}".strip(), taken)
            pm.edges.append(e)
        if not when:  # a step that requires another is never reached by skipping that one
            pm.edges.extend(Edge(s.src, dst, s.label, s.prob) for s in skips)

    for j, item in enumerate(m.chain):
        group = branches(item)
        to = {s.pool for s in group if not isinstance(s, DelayStep)}
        if len(group) > 1:
            fork = Node(f"{pid}fork{j}", "", "bar")
            join = Node(f"{pid}join{j}", "", "bar")
            nodes.append(fork)
            enter(fork.id, to)
            skips = []
            for step in group:
                sid = _step_node(nodes, pm, pid, m, step, stats)
                taken, when = _branch(step)
                pm.edges.append(Edge(fork.id, sid, when, taken if taken < 1 else None))
                if taken < 1:
                    pm.edges.append(Edge(fork.id, join.id, f"skip {step.id}", 1 - taken))
                pm.edges.append(Edge(sid, join.id))
            nodes.append(join)
            before = [join.id]
        else:
            step = group[0]
            sid = _step_node(nodes, pm, pid, m, step, stats)
            taken, when = _branch(step)
            enter(sid, to, taken, when)
            # Cases that skip an optional step go on from where they were (past the steps
            # that require it, too).
            carried = skips if when else []
            skips = carried + (
                [Edge(h, "", "skip", 1 - taken) for h in before] if taken < 1 else []
            )
            before = [sid]
        pools = to or pools
    decision = Node(pid + "decision", "decision", "end")
    nodes.append(decision)
    enter(decision.id, set())
    if m.collection == "in_person":
        collect = Node(
            pid + "collection",
            "collection",
            lines=[m.acceptance.pool, *_measured(stats, m.id, "collection")],
        )
        nodes.append(collect)
        pm.edges.append(Edge(decision.id, collect.id, "comes to collect"))
    elif m.collection == "mail":
        pm.edges.append(Edge(decision.id, decision.id, "mailed", back=True))
    pm.clusters[m.id] = nodes


def _step_node(
    nodes: list[Node], pm: ProcessMap, pid: str, m: Matter, step: Any, stats: dict
) -> str:
    """A step's box (or a delay's dashed box) and its rework loop; returns its node id."""
    sid = pid + step.id
    if isinstance(step, DelayStep):
        nodes.append(Node(sid, step.id, "delay", [f"wait {step.delay_days:g} d"]))
        return sid
    lines = [step.pool, *_measured(stats, m.id, step.id)]
    if step.applicant_visit:
        lines.append("applicant comes in")
    nodes.append(Node(sid, step.id, "box", lines))
    if step.rework_prob:
        pm.edges.append(Edge(sid, sid, "rework", step.rework_prob, back=True))
    return sid


def _branch(step: Any) -> tuple[float, str]:
    """(probability the step is taken, its condition): optional steps and ``requires``
    (schema keys of issue 19; 1.0 and "" where the schema has no branches)."""
    taken = float(getattr(step, "prob", 1.0) or 1.0)
    requires = getattr(step, "requires", None)
    return taken, (f"after {requires}:" if requires else "")


def _link(heads: list[str], dst: str, m: Matter, pools: set[str], to: set[str]) -> list[Edge]:
    """Edges into the next item; labelled with the hand-off when the file changes pools."""
    moves = bool(to) and not to <= pools
    label = _handoff(m) if moves else ""
    return [Edge(h, dst, label) for h in heads]


def chain_map(
    scenario: Scenario, records: Records | None = None, matters: list[str] | None = None
) -> ProcessMap:
    """Each matter's approval chain (``matters``: only these); with ``records`` (a run of
    ``scenario`` with detail "full"), the measured wait and working time per step."""
    stats = step_stats(records) if records is not None else {}
    pm = ProcessMap(f"Approval chains: {scenario.name}")
    known = [m.id for m in scenario.matters]
    for wanted in matters or []:
        if wanted not in known:
            raise ValueError(f"no matter '{wanted}' in the scenario; it has {', '.join(known)}")
    for m in scenario.matters:
        if not matters or m.id in matters:
            _matter(pm, m, stats)
    return pm


def to_dot(pm: ProcessMap) -> Any:
    """The map as a ``graphviz.Digraph`` (left to right, one cluster per matter)."""
    import graphviz

    g = graphviz.Digraph(
        "chains",
        graph_attr={
            "rankdir": "LR",
            "label": pm.title,
            "labelloc": "t",
            "labeljust": "l",  # wide maps: the title where the reader starts
            "fontname": "Helvetica",
            "fontsize": "16",
            "nodesep": "0.25",
        },
    )
    g.attr("node", fontname="Helvetica", fontsize="10")
    g.attr("edge", fontname="Helvetica", fontsize="9", color="#555555")
    for name, nodes in pm.clusters.items():
        with g.subgraph(name=f"cluster_{name}") as c:
            c.attr(label=name, style="rounded", color="#bbbbbb", fontsize="12")
            for n in nodes:
                c.node(n.id, **_node_attrs(n))
    for e in pm.edges:
        text = e.label
        if e.prob is not None:
            text = f"{text} {_pct(e.prob)}".strip()
        if e.count is not None:
            text = f"{text}\\n{e.count}" if text else str(e.count)
        attrs = {"label": text} if text else {}
        if e.back:
            attrs.update(style="dashed", color="#c0392b", fontcolor="#c0392b", constraint="false")
        g.edge(e.src, e.dst, **attrs)
    return g


def _node_attrs(n: Node) -> dict[str, str]:
    label = "\\n".join([n.label, *n.lines])  # DOT's line break
    if n.count is not None:
        label += f"\\n{n.count}×"
    if n.shape == "bar":
        return {
            "label": "",
            "shape": "box",
            "style": "filled",
            "fillcolor": "#333333",
            "width": "0.08",
            "height": "0.5",
            "fixedsize": "true",
        }
    if n.shape == "start":
        return {"label": label, "shape": "ellipse", "style": "filled", "fillcolor": "#e8f0fa"}
    if n.shape == "end":
        return {"label": label, "shape": "doublecircle", "fontsize": "9"}
    if n.shape == "delay":
        return {"label": label, "shape": "box", "style": "dashed,rounded"}
    return {"label": label, "shape": "box", "style": "rounded,filled", "fillcolor": "#f7f7f7"}


def dot_missing() -> str:
    """Why maps cannot be drawn here, or "" when Graphviz's ``dot`` is installed."""
    import shutil

    if shutil.which("dot") is None:
        return "Graphviz's dot is not installed (apt-get install graphviz; make test installs it)"
    return ""


def write_map(maps: ProcessMap | list[ProcessMap], path: Any) -> None:
    """Write ``path`` by its suffix: .svg (drawn), .html (the SVG in a page; several maps
    side by side, e.g. a real log beside the simulated one) or .dot."""
    import html
    from pathlib import Path

    maps = [maps] if isinstance(maps, ProcessMap) else maps
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix in (".dot", ".svg") and len(maps) != 1:
        raise ValueError(f"{path}: several maps go side by side in an .html file")
    if path.suffix == ".dot":
        path.write_text(to_dot(maps[0]).source, encoding="utf-8")
        return
    if path.suffix == ".svg":
        path.write_text(to_dot(maps[0]).pipe(format="svg").decode("utf-8"), encoding="utf-8")
        return
    title = html.escape(" | ".join(pm.title for pm in maps))
    path.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{title}</title><style>body{{font:13px system-ui,sans-serif;margin:12px}}</style>"
        f"</head><body>{maps_html(maps)}</body></html>",
        encoding="utf-8",
    )


def maps_html(maps: list[ProcessMap]) -> str:
    """An HTML fragment: the key, then the maps side by side as inline SVG (for a page or a
    report, e.g. a real log's map beside the calibrated model's)."""
    cells = []
    for pm in maps:
        svg = to_dot(pm).pipe(format="svg").decode("utf-8")
        cells.append(f"<div style='flex:1 1 0;min-width:0'>{svg[svg.index('<svg') :]}</div>")
    return (
        "<style>.simlib-maps{display:flex;gap:16px;align-items:flex-start}"
        ".simlib-maps svg{max-width:100%;height:auto}</style>"
        f"<p>{_KEY}</p><div class='simlib-maps'>{''.join(cells)}</div>"
    )


_KEY = (
    "Boxes: steps with their pool (and, from a run, the mean wait for an officer and the mean "
    "working time). Bars: a parallel group forks and joins. Dashed boxes: calendar delays. "
    "Red dashed loops: rework or documents incomplete, with their probability. Edge labels: "
    "hand-offs between pools; on a log map, how often one activity directly followed another."
)
