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

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.calibrate.fitting import ServiceFit, fit_service
from simlib.calibrate.logmap import CalibrationError
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
    handoff_days: dict[str, float]
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
        step = {"id": activity, "pool": self.pool_of[activity], "time": fit.spec}
        rw = self.rework.get(activity, 0.0)
        if rw > 0.005:
            step["rework_prob"] = round(rw, 4)
        return Note(step, text)


def read_event_log(path: str | Path) -> pd.DataFrame:
    source = str(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CalibrationError(f"{source}: no such event log") from None
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


def _variant(group: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    rows = group.sort_values(["start", "end"])
    out: list[list[str]] = []
    group_end = None
    for act, s, e in zip(rows["activity"], rows["start"], rows["end"], strict=True):
        if out and group_end is not None and s < group_end and act not in out[-1]:
            out[-1].append(act)
            group_end = max(group_end, e)
        elif not out or act not in out[-1]:
            out.append([act])
            group_end = e
    return tuple(tuple(sorted(g)) for g in out)


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
        counts = Counter(_variant(c) for _, c in g.groupby("case"))
        variants[str(matter)] = counts
        chain[str(matter)] = [list(grp) for grp in counts.most_common(1)[0][0]]
        n_cases[str(matter)] = int(g["case"].nunique())
        gaps = []
        for _, c in g.sort_values("s").groupby("case"):
            acts, s, e = c["activity"].to_numpy(), c["s"].to_numpy(), c["e"].to_numpy()
            for i in range(1, len(acts)):
                if pool_of[acts[i]] != pool_of[acts[i - 1]] and s[i] >= e[i - 1]:
                    gaps.append((s[i] - e[i - 1]) / 1440)
        handoff[str(matter)] = float(np.quantile(gaps, 0.1)) if gaps else 0.0
    step_fit = {}
    rework = {}
    for i, (act, g) in enumerate(back.groupby("activity")):
        dur = working(g["s"].to_numpy(), g["e"].to_numpy()) if working else g["e"] - g["s"]
        step_fit[str(act)] = fit_service(np.asarray(dur, dtype=float), seed=100 + i)
        per_case = g.groupby("case").size()
        rework[str(act)] = float(1 - len(per_case) / per_case.sum())
    return Chains(variants, chain, pool_of, size, step_fit, handoff, n_cases, rework)
