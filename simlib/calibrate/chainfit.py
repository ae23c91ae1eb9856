"""A chain as the event log shows it: optional steps, blocks of steps taken together,
either-order pairs, rework, and step times from completion times alone.

The structure is one sequence of items in the order activities usually come (the mean
relative position of their first completion in a case). Each activity is an optional step
taken by its share of cases, or, where it almost never occurs without an earlier optional
activity (a document request and its checks), taken only after that one with its
conditional probability (``requires``). An activity that the log shows in either order
with one of the previous item's (each first in at least ``either_share`` of the cases
with both) joins that item as a parallel branch (so two sequences done in either order,
T02-T04-T05 and T06-T10, become one parallel group: their inner order is lost). An
activity completed more than once in a case is rework, with probability
1 - cases/completions (a geometric number of repeats). Activities in fewer than the map's
``min_activity_share`` of cases are lumped out; the share of cases the chain can produce
exactly (activity set and order) is reported as coverage.

Step times from completion times only (no starts): a task can start only when its case's
previous event is done and its officer has finished the previous task, so its duration is
at most the gap since the *later* of the two (the usual estimate, e.g. Martin et al. 2016,
Camargo et al. 2020). Gaps over the map's ``session_gap_min`` are not work on one task
(the officer was away or on other processes): they are waiting, not working. A run of
completions by one officer, each within ``batch_gap_min`` of the previous, is batch work.
A repeated activity (rework) is left out of the step-time sample: what enabled it (the
applicant's supplement) is not in the log, so its gap measures an officer's idle time too;
so is a step after a hold (over ``hold_gap_hours`` since the case's previous event).

Holds between sittings (:func:`fit_holds`): a started case that waits days for its next
step waited on someone outside the back office, not on an officer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simlib.calibrate.fitting import ServiceFit, fit_service

__all__ = ["ChainFit", "HoldFit", "fit_chain", "fit_holds", "step_times"]


@dataclass
class ChainFit:
    order: list[list[str]]  # items: one activity, or the activities of a parallel group
    share: dict[str, float]  # activity -> share of cases with it
    prob: dict[str, float]  # activity -> probability of the step (conditional if requires)
    requires: dict[str, str | None]
    rework: dict[str, float]
    lumped: list[str]
    n_cases: int
    covered: float  # share of cases the fitted chain can produce exactly
    variants: int
    top_variant_share: float
    ids: dict[str, str] = field(default_factory=dict)  # activity label -> step id


def step_id(label: str, taken: set[str]) -> str:
    """A scenario id from a label: the task code where there is one ("T06 ..." -> T06),
    else the label in snake case."""
    m = re.match(r"^(T\d+(?:-\d+)?)\b", label)
    base = m.group(1).replace("-", "_") if m else re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")
    base = (base or "step").lower() if not m else base
    if not base[0].isalpha():
        base = "s_" + base
    out, k = base[:60], 2
    while out in taken:
        out, k = f"{base[:56]}_{k}", k + 1
    taken.add(out)
    return out


def _traces(ev: pd.DataFrame) -> dict[str, list[str]]:
    return {str(c): list(g) for c, g in ev.groupby("case", sort=False)["activity"]}


def fit_chain(
    ev: pd.DataFrame,
    min_share: float = 0.01,
    either_share: float = 0.1,
    requires_leak: float = 0.05,
    certain: float = 0.995,
    main_share: float = 0.5,
) -> ChainFit:
    """The chain of the events ``ev`` (sorted by case and completion)."""
    traces = _traces(ev)
    n = len(traces)
    firsts = {c: list(dict.fromkeys(t)) for c, t in traces.items()}
    has = Counter(a for f in firsts.values() for a in f)
    share = {a: k / n for a, k in has.items()}
    kept = [a for a in has if share[a] >= min_share]
    lumped = sorted(a for a in has if share[a] < min_share)
    pos: dict[str, list[float]] = {a: [] for a in kept}
    for f in firsts.values():
        for i, a in enumerate(f):
            if a in pos:
                pos[a].append(i / max(len(f) - 1, 1))
    order = sorted(kept, key=lambda a: (np.mean(pos[a]), -share[a], a))
    either = _either_order(firsts.values(), set(kept), either_share)
    mean_pos = {a: float(np.mean(pos[a])) for a in kept}
    items = _group(
        [a for a in order if share[a] >= main_share], either, []
    )  # the main line first, so rare activities cannot split its parallel groups
    for a in (a for a in order if share[a] < main_share):
        at = sum(1 for it in items if np.mean([mean_pos[b] for b in it]) <= mean_pos[a])
        if at and any(frozenset((a, b)) in either for b in items[at - 1]):
            items[at - 1].append(a)
        else:
            items.insert(at, [a])
    # Branches of a group in the order of the most frequent path: one officer doing a
    # case's group in one sitting takes them in the listed order.
    top = Counter(tuple(f) for f in firsts.values()).most_common(1)[0][0]
    rank = {a: i for i, a in enumerate(top)}
    items = [sorted(it, key=lambda a: (rank.get(a, len(rank)), mean_pos[a])) for it in items]
    order = [a for it in items for a in it]
    sets = {c: set(f) for c, f in firsts.items()}
    prob: dict[str, float] = {}
    requires: dict[str, str | None] = {}
    seen: list[str] = []
    for item in items:
        for b in item:
            seen_here = [a for a in item if a != b and order.index(a) < order.index(b)]
            with_b = [c for c, s in sets.items() if b in s]
            best, best_p = None, 0.0
            for a in seen + seen_here:
                if share[a] >= certain:
                    continue
                with_a = sum(1 for s in sets.values() if a in s)
                both = sum(1 for c in with_b if a in sets[c])
                if len(with_b) - both <= requires_leak * len(with_b) and both / with_a > best_p:
                    best, best_p = a, both / with_a
            if best is not None:
                requires[b], prob[b] = best, min(best_p, 1.0)
            else:
                requires[b], prob[b] = None, share[b]
            if prob[b] >= certain:
                prob[b] = 1.0
        seen += item
    rework = {}
    for a in kept:
        total = sum(t.count(a) for t in traces.values())
        rework[a] = float(1 - has[a] / total) if total else 0.0
    fit = ChainFit(items, share, prob, requires, rework, lumped, n, 0.0, 0, 0.0)
    fit.covered = coverage(fit, traces)
    v = Counter(tuple(t) for t in traces.values())
    fit.variants, fit.top_variant_share = len(v), v.most_common(1)[0][1] / n
    taken: set[str] = set()
    fit.ids = {a: step_id(a, taken) for a in order}
    return fit


def _group(acts: list[str], either: set[frozenset[str]], items: list[list[str]]) -> list:
    for a in acts:
        if items and any(frozenset((a, b)) in either for b in items[-1]):
            items[-1].append(a)
        else:
            items.append([a])
    return items


def _either_order(firsts: Any, kept: set[str], share: float) -> set[frozenset[str]]:
    before: Counter = Counter()
    both: Counter = Counter()
    for f in firsts:
        acts = [a for a in f if a in kept]
        for i, a in enumerate(acts):
            for b in acts[i + 1 :]:
                before[(a, b)] += 1
                both[frozenset((a, b))] += 1
    out = set()
    for pair, k in both.items():
        a, b = tuple(pair)
        if k >= 5 and min(before[(a, b)], before[(b, a)]) >= share * k:
            out.add(pair)
    return out


def coverage(fit: ChainFit, traces: dict[str, list[str]]) -> float:
    """Share of cases whose trace the chain can produce: activities all kept, each
    ``requires`` met, first completions in item order, repeats only of reworked steps."""
    item_of = {a: i for i, item in enumerate(fit.order) for a in item}
    ok = 0
    for t in traces.values():
        first = list(dict.fromkeys(t))
        if any(a not in item_of for a in first):
            continue
        if any(fit.requires.get(a) and fit.requires[a] not in first for a in first):
            continue
        idx = [item_of[a] for a in first]
        if idx != sorted(idx):  # order within a parallel group is free
            continue
        if any(fit.rework.get(a, 0) == 0 and t.count(a) > 1 for a in first):
            continue
        ok += 1
    return ok / len(traces) if traces else 0.0


@dataclass
class StepTimes:
    fits: dict[str, ServiceFit]  # activity -> fit of its working time (minutes)
    samples: dict[str, np.ndarray]
    n_events: int
    n_working: int  # events with a gap short enough to be work on that task
    batch_share: float  # share of events in batch runs
    n_batches: int
    working_minutes: float  # total estimated working time
    waiting_days: float  # total waiting (lead time minus working time), in days
    pooled: ServiceFit | None = None


def step_times(
    ev: pd.DataFrame,
    batch_gap_min: float,
    session_gap_min: float,
    seed: int = 0,
    hold_gap_hours: float | None = None,
) -> StepTimes:
    """Working times per activity from completion times (see the module docstring)."""
    e = ev.sort_values(["end", "row"], kind="stable").copy()
    e["prev_case"] = e.groupby("case")["end"].shift()
    e["prev_case"] = e["prev_case"].fillna(e["received"])
    has_res = e["resource"].notna()
    e["prev_res"] = pd.NaT
    e.loc[has_res, "prev_res"] = e[has_res].groupby("resource")["end"].shift()
    e["prev_res"] = pd.to_datetime(e["prev_res"])
    ready = e[["prev_case", "prev_res"]].max(axis=1)
    gap = (e["end"] - ready).dt.total_seconds().to_numpy() / 60
    if e["start"].notna().any():  # a log with start times: use them
        real = (e["end"] - e["start"]).dt.total_seconds().to_numpy() / 60
        gap = np.where(e["start"].notna(), real, gap)
    # A repeat (rework) is enabled by something the log does not show (a supplement
    # arriving): its gap since the visible events is not its work.
    repeat = (e.groupby(["case", "activity"]).cumcount() > 0).to_numpy()
    working = (gap >= 0) & (gap <= session_gap_min) & ~repeat
    if hold_gap_hours is not None:
        # Likewise a step after a hold (see fit_holds): the end of the hold is not in the
        # log, so the gap since the officer's previous completion may be idle time.
        held = (e["end"] - e["prev_case"]).dt.total_seconds().to_numpy() > hold_gap_hours * 3600
        working &= ~held
    # Batch runs: consecutive completions of one officer within batch_gap_min.
    res_gap = (e["end"] - e["prev_res"]).dt.total_seconds().to_numpy() / 60
    in_batch = has_res.to_numpy() & (res_gap <= batch_gap_min)
    nxt = np.zeros(len(e), dtype=bool)  # the first of a run is in it too
    order = e[has_res].groupby("resource")["end"].shift(-1)
    nxt[has_res.to_numpy()] = (
        order - e.loc[has_res, "end"]
    ).dt.total_seconds().to_numpy() / 60 <= batch_gap_min
    starts = nxt & ~in_batch
    fits, samples = {}, {}
    all_work = gap[working]
    pooled = fit_service(all_work, seed=seed) if len(all_work) >= 10 else None
    acts = e["activity"].to_numpy()
    for i, a in enumerate(sorted(set(acts))):
        x = gap[working & (acts == a)]
        samples[a] = x
        if len(x) >= 10:
            fits[a] = fit_service(x, seed=seed + 1 + i)
    lead = (
        e.groupby("case")["end"].max() - e.groupby("case")["received"].first()
    ).dt.total_seconds().sum() / 86400
    work_min = float(all_work.sum())
    return StepTimes(
        fits,
        samples,
        len(e),
        int(working.sum()),
        float((in_batch | nxt).mean()),
        int(starts.sum()),
        work_min,
        float(lead - work_min / 1440),
        pooled,
    )


@dataclass
class HoldFit:
    """A step's hold: the share of the cases taking it that were put aside before it, and
    how long (calendar days from the end of the case's previous chain item)."""

    n: int  # first completions of the step after an earlier item
    held: np.ndarray  # the gaps (days) over the hold threshold
    fit: ServiceFit | None

    @property
    def prob(self) -> float:
        return len(self.held) / self.n if self.n else 0.0


def fit_holds(
    ev: pd.DataFrame,
    order: list[list[str]],
    hold_gap_hours: float,
    min_held: int = 10,
    seed: int = 0,
) -> dict[str, HoldFit]:
    """Holds between sittings, from the gaps between a case's batches of work.

    A case already started is worked in one sitting unless it waits on someone outside
    the back office (the applicant, an adviser, the post): the officer finishes a started
    case first (pool order ``started_first``), so a queue cannot keep it waiting for days.
    A step completed more than ``hold_gap_hours`` after the case's previous chain item
    ended (its latest completion of an earlier item; a branch of a parallel group counts
    from the group's start, as the engine starts every branch then) was held; the gap,
    in calendar days, is the hold. Shorter gaps (the officer's day ending) the engine's
    calendar reproduces itself. The first item has no hold: its wait is the queue's.
    Activities with fewer than ``min_held`` held cases get none (too few to fit)."""
    item_of = {a: i for i, item in enumerate(order) for a in item}
    e = ev[ev["activity"].isin(item_of)].sort_values(["case", "end"], kind="stable")
    # First completions are held or not; a repeat (rework) waited for the applicant's
    # supplement (the return delay), but it ends its item, so it counts as a base.
    first = ~e.duplicated(["case", "activity"]).to_numpy()
    gaps: dict[str, list[float]] = {a: [] for a in item_of}
    pos = 0
    for _, g in e.groupby("case", sort=False):
        ends = g["end"].to_numpy()
        idx = g["activity"].map(item_of).to_numpy()
        new = first[pos : pos + len(g)]
        pos += len(g)
        for k, a in enumerate(g["activity"]):
            if not new[k]:
                continue
            earlier = ends[: k + 1][idx[: k + 1] < idx[k]]
            if len(earlier):
                gaps[a].append(float((ends[k] - earlier.max()) / np.timedelta64(1, "s")) / 86400)
    out = {}
    for i, (a, x) in enumerate(gaps.items()):
        arr = np.asarray(x)
        held = arr[arr > hold_gap_hours / 24]
        fit = fit_service(held, seed=seed + i) if len(held) >= min_held else None
        out[a] = HoldFit(len(arr), held if fit is not None else held[:0], fit)
    return out
