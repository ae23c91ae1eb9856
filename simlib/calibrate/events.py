"""Approval chains from a process-mining event log (the columns simlib itself exports).

Per matter: each case's activities in start order, where activities whose times overlap
form a parallel group; the most frequent such variant is the matter's chain. Step times
are working minutes (the hall calendar's open hours between start and end), fitted like
service times. Pools come from resources: ``pool#officer`` names give the pool directly;
otherwise activities that share a resource share a pool. The gap between steps of
different pools is a hand-off plus a wait for an officer: the lower decile of those gaps
estimates the hand-off alone.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.fitting import ServiceFit, fit_service
from simlib.calibrate.mess import check_log_file
from simlib.calibrate.yamlout import Note

__all__ = ["Chains", "fit_chains"]

CASE, ACT, RES, END = "case:concept:name", "concept:name", "org:resource", "time:timestamp"
STARTS = ("time:start_timestamp", "start_timestamp")
HALL_ACTIVITIES = ("acceptance", "collection")


@dataclass
class Chains:
    variants: dict[str, Counter]  # matter -> variant counts
    chain: dict[str, list[list[str]]]  # matter -> most frequent variant (groups)
    pool_of: dict[str, str]  # activity -> pool
    pool_size: dict[str, int]
    step_fit: dict[str, ServiceFit]
    handoff_days: dict[str, float]  # matter -> lower decile of gaps between pools (days)
    n_cases: dict[str, int]
    rework: dict[str, float] = field(default_factory=dict)

    def apply(self, data: dict[str, Any], type_of: dict[str, str]) -> None:
        """Write pools and chains into the scenario ``data`` (matters matched by type)."""
        for pool, n in sorted(self.pool_size.items()):
            if pool in data["pools"]:
                continue
            data["pools"][pool] = {
                "count": Note(n, "distinct resources of the pool in the event log")
            }
        for matter in data["matters"]:
            kind = type_of.get(matter["id"], matter["id"])
            if kind not in self.chain:
                continue
            items: list[Any] = []
            for group in self.chain[kind]:
                steps = [self._step(a) for a in group]
                items.append(steps[0] if len(steps) == 1 else {"parallel": steps})
            v = self.variants[kind]
            top = v.most_common(1)[0][1]
            matter["chain"] = Note(
                items,
                f"most frequent variant: {top} of {sum(v.values())} cases ({len(v)} variants)",
            )
            matter["handoff_days"] = Note(
                round(self.handoff_days.get(kind, 0.0), 4),
                "lower decile of gaps between steps of different pools (days)",
            )

    def _step(self, activity: str) -> Any:
        fit = self.step_fit[activity]
        text = (
            f"n={fit.n}; working minutes; best {fit.best.family} (mean {fit.best.mean:.3g}), "
            f"sample mean {fit.sample_mean:.3g}, AD p={fit.gof_p:.3f}"
        )
        if fit.use_empirical:
            text += f"; {fit.reason}"
        step: dict[str, Any] = {"id": activity, "pool": self.pool_of[activity], "time": fit.spec}
        rw = self.rework.get(activity, 0.0)
        if rw > 0.005:
            step["rework_prob"] = round(rw, 4)
        return Note(step, text)


def read_event_log(path: str | Path) -> pd.DataFrame:
    source = str(path)
    check_log_file(path, "event log")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CalibrationError(f"{source}: no such event log") from None
    except pd.errors.EmptyDataError:
        raise CalibrationError(f"{source}: the event log has no header row") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"{source}: cannot read the event log as CSV ({exc})") from None
    start = next((c for c in STARTS if c in df.columns), None)
    missing = [c for c in (CASE, ACT, RES, END) if c not in df.columns]
    if start is None:
        missing.append(" or ".join(STARTS))
    if missing:
        raise CalibrationError(
            f"{source}: the event log lacks column(s) {', '.join(missing)}; it has "
            f"{', '.join(df.columns)}"
        )
    out = pd.DataFrame({"case": df[CASE], "activity": df[ACT], "resource": df[RES]})
    for name, col in (("start", start), ("end", END)):
        t = pd.to_datetime(df[col], errors="coerce", format="ISO8601")
        if t.isna().any():
            i = int(np.flatnonzero(t.isna().to_numpy())[0])
            raise CalibrationError(
                f"{source}: row {i + 2}, column '{col}': cannot read time '{df[col].iloc[i]}'"
            )
        out[name] = t
    out["matter"] = df["matter"] if "matter" in df.columns else "all"
    return out


def _pools(log: pd.DataFrame) -> tuple[dict[str, str], dict[str, int]]:
    res = log["resource"].astype(str)
    if res.str.contains("#").all():
        pool = res.str.split("#").str[0]
        pool_of = (
            log.assign(pool=pool)
            .groupby("activity")["pool"]
            .agg(lambda s: s.value_counts().index[0])
        )
        size = log.assign(pool=pool).groupby("pool")["resource"].nunique()
        return pool_of.to_dict(), {str(k): int(v) for k, v in size.items()}
    # Activities that share a resource share a pool (connected components).
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            a = parent[a]
        return a

    for _, acts in log.groupby("resource")["activity"]:
        acts = list(dict.fromkeys(acts))
        for b in acts[1:]:
            parent[find(b)] = find(acts[0])
    pool_of = {a: "pool_" + find(a) for a in log["activity"].unique()}
    size = log.assign(pool=log["activity"].map(pool_of)).groupby("pool")["resource"].nunique()
    return pool_of, {str(k): int(v) for k, v in size.items()}


Case = dict[str, tuple[float, float]]  # activity -> (first start, last end), start order


def _cases(g: pd.DataFrame) -> list[Case]:
    """Each case's activities (first occurrence; repeats are rework) in start order."""
    g = g.sort_values(["case", "s", "e"])
    out: list[Case] = []
    current: Case = {}
    last: object = object()
    for case, act, s, e in zip(g["case"], g["activity"], g["s"], g["e"], strict=True):
        if case != last:
            current = {}
            out.append(current)
            last = case
        if act in current:
            current[act] = (current[act][0], max(current[act][1], e))
        else:
            current[act] = (s, e)
    return out


def _concurrent(cases: list[Case], share: float = 0.1) -> set[frozenset[str]]:
    """Pairs of activities that run in parallel: in cases with both, each comes first in
    at least ``share`` of them, or they overlap in time in at least ``share`` of them."""
    first: Counter = Counter()
    overlap: Counter = Counter()
    both: Counter = Counter()
    for seen in cases:
        acts = sorted(seen)
        for i, a in enumerate(acts):
            for b in acts[i + 1 :]:
                (sa, ea), (sb, eb) = seen[a], seen[b]
                both[(a, b)] += 1
                if sa < eb and sb < ea:
                    overlap[(a, b)] += 1
                elif sa < sb:
                    first[(a, b)] += 1
                else:
                    first[(b, a)] += 1
    out = set()
    for (a, b), n in both.items():
        if overlap[(a, b)] >= share * n or min(first[(a, b)], first[(b, a)]) >= share * n:
            out.add(frozenset((a, b)))
    return out


def _variant(case: Case, concurrent: set[frozenset[str]]) -> tuple:
    """The case's activities in start order, concurrent neighbours merged into groups."""
    out: list[list[str]] = []
    for act in case:
        if out and all(frozenset((act, b)) in concurrent for b in out[-1]):
            out[-1].append(act)
        else:
            out.append([act])
    return tuple(tuple(sorted(g)) for g in out)


def _handoff_gaps(cases: list[Case], groups: list[list[str]], pool_of: dict) -> list[float]:
    """Days from the end of one group of the chain to the start of the next, where the
    two groups are done by different pools."""
    gaps = []
    for seen in cases:
        for prev, nxt in itertools.pairwise(groups):
            if not all(a in seen for a in prev + nxt):
                continue
            if {pool_of[a] for a in prev} & {pool_of[a] for a in nxt}:
                continue  # same pool: no hand-off
            gap = min(seen[a][0] for a in nxt) - max(seen[a][1] for a in prev)
            if gap >= 0:
                gaps.append(gap / 1440)
    return gaps


def fit_chains(path: str | Path, working: Any = None) -> Chains:
    """Chains, step times, hand-offs and pools from the event log at ``path``.

    ``working(start_min, end_min)`` gives working minutes between two instants (minutes
    after the log's first day); without it, step times are elapsed minutes."""
    log = read_event_log(path)
    origin = log["start"].min().normalize()
    log["s"] = (log["start"] - origin).dt.total_seconds() / 60
    log["e"] = (log["end"] - origin).dt.total_seconds() / 60
    back = log[~log["activity"].isin(HALL_ACTIVITIES)]
    pool_of, size = _pools(back)
    variants: dict[str, Counter] = {}
    chain: dict[str, list[list[str]]] = {}
    handoff: dict[str, float] = {}
    n_cases: dict[str, int] = {}
    for matter, g in back.groupby("matter"):
        cases = _cases(g)
        concurrent = _concurrent(cases)
        counts = Counter(_variant(c, concurrent) for c in cases)
        variants[str(matter)] = counts
        chain[str(matter)] = [list(grp) for grp in counts.most_common(1)[0][0]]
        n_cases[str(matter)] = len(cases)
        gaps = _handoff_gaps(cases, chain[str(matter)], pool_of)
        handoff[str(matter)] = float(np.quantile(gaps, 0.1)) if gaps else 0.0
    step_fit = {}
    rework = {}
    for i, (act, g) in enumerate(back.groupby("activity")):
        dur = working(g["s"].to_numpy(), g["e"].to_numpy()) if working else g["e"] - g["s"]
        step_fit[str(act)] = fit_service(np.asarray(dur, dtype=float), seed=100 + i)
        per_case = g.groupby("case").size()
        rework[str(act)] = float(1 - len(per_case) / per_case.sum())
    return Chains(variants, chain, pool_of, size, step_fit, handoff, n_cases, rework)
