"""Charts of what happened in the hall, from a run's records (and replications' KPIs):
waits per variant, queues over the day, lead times per matter, officer load, and a day's
Gantt chart of one pool (the replay of a hall day)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from simlib.engine.records import Records
from simlib.experiment.replicate import Replications
from simlib.plots.style import PALETTE, SEQUENCE, figure, share_axis, styled, variant_colours
from simlib.timekeeping import DAY

__all__ = [
    "gantt",
    "hall_waits",
    "lead_time_by_matter",
    "queue_over_day",
    "utilization",
    "wait_distribution",
]

_HALL = ("submit", "return", "collect")


def hall_waits(records: Records) -> np.ndarray:
    """Minutes from ticket to call of every walk-in served after warm-up."""
    v = records.visits
    keep = v["kind"].isin(_HALL) & (v["outcome"] == "served") & (v["ticket"] >= records.warmup)
    return v.loc[keep, "wait"].to_numpy(float)


@styled
def wait_distribution(waits: Mapping[str, np.ndarray], title: str = "") -> Figure:
    """Share of calls that waited at most x minutes (ECDF) per variant, with a 95 %
    Dvoretzky-Kiefer-Wolfowitz band."""
    colours = variant_colours(list(waits))
    fig = figure(4.0)
    ax = fig.subplots()
    top = 0.0
    for name, values in waits.items():
        x = np.sort(np.asarray(values, dtype=float))
        if not len(x):
            continue
        y = np.arange(1, len(x) + 1) / len(x)
        band = np.sqrt(np.log(2 / 0.05) / (2 * len(x)))
        ax.step(x, y, where="post", color=colours[name], label=f"{name} (mean {x.mean():.1f} min)")
        ax.fill_between(
            x,
            np.clip(y - band, 0, 1),
            np.clip(y + band, 0, 1),
            step="post",
            color=colours[name],
            alpha=0.15,
        )
        top = max(top, float(np.quantile(x, 0.99)))
    ax.set_xlim(0, top or 1)
    ax.set_ylim(0, 1)
    share_axis(ax.yaxis)
    ax.set_xlabel("wait from ticket to call [min]")
    ax.set_ylabel("share of calls waiting at most this long")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title or "Hall waits: distribution per variant (95 % band)")
    return fig


@styled
def queue_over_day(
    records: Records,
    pools: Sequence[str] | None = None,
    step: float = 10.0,
    title: str = "",
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Tickets waiting by time of day (mean and 5-95 % band across workdays after warm-up),
    one panel per hall queue (``names``: display names of pools, id -> name)."""
    v = records.visits
    v = v[v["kind"].isin(_HALL) & (v["ticket"] >= records.warmup)]
    left = v["call"].where(v["call"].notna(), v["end"]).fillna(records.horizon).to_numpy(float)
    cal = records.calendar
    days = [d for d in cal.workdays() if d * DAY >= records.warmup]
    first, last = cal.hours[0][0], cal.hours[-1][1]
    clock = np.arange(first, last + 60 + step, step)
    busiest = v.groupby("pool", observed=True).size().sort_values(ascending=False)
    chosen = list(pools) if pools is not None else list(busiest.index[:6])
    cols = min(2, len(chosen)) or 1
    rows_n = -(-len(chosen) // cols) or 1
    fig = figure(2.6 * rows_n + 0.6)
    axes = np.atleast_1d(fig.subplots(rows_n, cols, squeeze=False).ravel())
    for ax, (k, pool) in zip(axes, enumerate(chosen), strict=False):
        mine = (v["pool"] == pool).to_numpy()
        ticket, gone = v["ticket"].to_numpy(float)[mine], left[mine]
        counts = (
            np.array(
                [
                    [
                        np.count_nonzero((ticket <= d * DAY + t) & (gone > d * DAY + t))
                        for t in clock
                    ]
                    for d in days
                ]
            )
            if days
            else np.zeros((1, len(clock)))
        )
        hours = clock / 60
        colour = SEQUENCE[k % len(SEQUENCE)]
        ax.plot(hours, counts.mean(axis=0), color=colour, label="mean")
        ax.fill_between(
            hours,
            np.quantile(counts, 0.05, axis=0),
            np.quantile(counts, 0.95, axis=0),
            color=colour,
            alpha=0.2,
            label="5-95 % of days",
        )
        ax.set_title(str((names or {}).get(str(pool), pool)), fontsize=9)
        ax.set_xlabel("time of day [h]")
        ax.set_ylabel("tickets waiting [applicants]")
        ax.grid(alpha=0.3)
    for ax in axes[len(chosen) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    fig.suptitle(title or "Queue in the hall over the day (workdays after warm-up)")
    return fig


@styled
def lead_time_by_matter(
    records: Records, title: str = "", names: Mapping[str, str] | None = None
) -> Figure:
    """Lead time per matter (working days): 10-90 % range, median, mean with 95 % CI, and
    the promised time limit. ``names``: display names of matters (id -> name)."""
    cases = records.cases
    decided = cases[(cases["status"] == "decided") & (cases["arrival"] >= records.warmup)]
    lead = records.calendar.working_days(
        decided["arrival"].to_numpy(float), decided["decision"].to_numpy(float)
    )
    frame = pd.DataFrame({"matter": decided["matter"].astype(str).to_numpy(), "lead": lead})
    matters = [m for m in records.matters if m in set(frame["matter"])]
    fig = figure(0.35 * len(matters) + 1.8)
    ax = fig.subplots()
    for i, matter in enumerate(matters):
        x = frame.loc[frame["matter"] == matter, "lead"].to_numpy()
        p10, p50, p90 = np.quantile(x, [0.1, 0.5, 0.9])
        half = 1.96 * x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else 0.0
        ax.plot(
            [p10, p90], [i, i], color=SEQUENCE[0], linewidth=6, alpha=0.35, solid_capstyle="butt"
        )
        ax.plot(p50, i, "|", color=SEQUENCE[0], markersize=14)
        ax.errorbar(x.mean(), i, xerr=half, fmt="o", color="black", capsize=3, markersize=4)
        limit = records.time_limits.get(matter)
        if limit:
            ax.plot(limit, i, "D", color=PALETTE["worse"], markersize=7)
            ax.annotate(
                f"{np.mean(x <= limit):.0%} on time".replace("%", " %"),
                (max(p90, limit), i),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    ax.set_yticks(range(len(matters)), [(names or {}).get(m, m) for m in matters])
    ax.invert_yaxis()
    ax.set_xlabel("lead time, first submission to decision [working days]")
    ax.grid(axis="x", alpha=0.3)
    ax.plot([], [], color=SEQUENCE[0], linewidth=6, alpha=0.35, label="10-90 % of cases")
    ax.plot([], [], "|", color=SEQUENCE[0], markersize=14, linestyle="none", label="median")
    ax.plot([], [], "o", color="black", label="mean, 95 % CI")
    ax.plot([], [], "D", color=PALETTE["worse"], label="time limit")
    ax.set_xlim(0, ax.get_xlim()[1] * 1.18)  # room for the "on time" notes
    ax.set_ylim(len(matters) - 0.4, -0.6)
    fig.legend(loc="outside lower center", ncols=4, frameon=False)
    ax.set_title(title or "Lead time per matter against its time limit")
    return fig


@styled
def utilization(result: Replications, title: str = "") -> Figure:
    """Officer utilisation per pool: mean over replications with 95 % CI error bars; pools
    by their display names where the scenario gives them."""
    shown = {k: p.name or k for k, p in result.scenario.pools.items()}
    summary = result.summary()
    rows = summary[summary.index.str.startswith("utilization[")]
    names = [i[len("utilization[") : -1] for i in rows.index]
    order = np.argsort(rows["mean"].to_numpy())[::-1]
    fig = figure(0.28 * len(names) + 1.6)
    ax = fig.subplots()
    means = rows["mean"].to_numpy()[order]
    low, high = rows["ci95_low"].to_numpy()[order], rows["ci95_high"].to_numpy()[order]
    colours = [PALETTE["worse"] if m >= 0.85 else SEQUENCE[0] for m in means]
    y = np.arange(len(names))
    ax.barh(y, means, color=colours)
    ax.errorbar(
        means,
        y,
        xerr=np.nan_to_num(np.vstack([means - low, high - means])),
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    ax.axvline(
        0.85,
        color=PALETTE["worse"],
        linestyle="--",
        linewidth=1,
        label="85 %: queues grow fast above",
    )
    ax.set_yticks(y, [shown.get(names[i], names[i]) for i in order])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    share_axis(ax.xaxis)
    ax.set_xlabel("utilisation: busy share of officers' present time")
    line = ax.get_legend_handles_labels()[0]
    fig.legend(
        handles=[
            Patch(color=SEQUENCE[0], label="below 85 %"),
            Patch(color=PALETTE["worse"], label="85 % or more"),
            *line,
        ],
        loc="outside lower center",
        ncols=3,
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        title or f"Officer load per pool (mean of {len(result.runs)} replications, 95 % CI)"
    )
    return fig


@styled
def gantt(
    records: Records,
    pool: str,
    day: int | None = None,
    title: str = "",
    names: Mapping[str, str] | None = None,
) -> Figure:
    """One day of one pool: who served what when (the replay of a hall day); ``names``:
    display names of pools and matters (id -> name)."""
    shown = (names or {}).get(pool, pool)
    log = records.steps
    log = log[log["pool"] == pool]
    if day is None:
        busy = (log["start"] // DAY).astype(int)
        busy = busy[busy * DAY >= records.warmup]
        day = int(busy.mode().iloc[0]) if len(busy) else 0
    start, end = day * DAY, (day + 1) * DAY
    today = log[(log["end"] > start) & (log["start"] < end)]
    activities = list(dict.fromkeys(today["activity"].astype(str)))
    colours = {a: SEQUENCE[i % len(SEQUENCE)] for i, a in enumerate(activities)}
    officers = sorted(today["officer"].unique()) if len(today) else []
    fig = figure(0.3 * max(len(officers), 3) + 2.0)
    ax = fig.subplots()
    # Back-office work pauses outside the shift (lunch, night): draw only the worked parts;
    # window service is not interrupted (it may run past the shift's end).
    shifts = [(start + s, start + e) for s, e in records.pool_hours.get(pool, [(0, DAY)])]
    for row in today.itertuples():
        window = str(row.activity) in ("acceptance", "collection")
        spans = [(start, end)] if window else shifts
        for lo, hi in spans:
            s, e = max(row.start, lo), min(row.end, hi)
            if e > s:
                ax.barh(
                    officers.index(row.officer),
                    (e - s) / 60,
                    left=(s - start) / 60,
                    color=colours[str(row.activity)],
                    edgecolor="white",
                    linewidth=0.3,
                )
    handles = [Patch(color=c, label=a) for a, c in colours.items()]
    ax.set_yticks(range(len(officers)), [f"{shown} #{o}" for o in officers])
    ax.invert_yaxis()
    ax.set_xlabel("time of day [h]")
    ax.set_ylabel("officer")
    first, last = records.calendar.hours[0][0] / 60, records.calendar.hours[-1][1] / 60
    ax.set_xlim(first - 0.5, last + 1)
    ax.grid(axis="x", alpha=0.3)
    if handles:
        fig.legend(
            handles=handles,
            fontsize=8,
            ncols=min(4, len(handles)),
            loc="outside lower center",
            frameon=False,
        )
    ax.set_title(title or f"A day at {shown}: day {day} (each bar: one service)")
    return fig
