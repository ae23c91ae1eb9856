"""Charts of a calibration: each returns a matplotlib Figure at most 6.5 in wide."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simlib.calibrate.check import MEASURES, FitCheck
from simlib.calibrate.fitting import frozen
from simlib.calibrate.hall import Calibration
from simlib.plots.style import SEQUENCE
from simlib.scenario.model import WEEKDAYS

__all__ = ["arrivals_by_hour", "officers_by_hour", "patience_curve", "service_qq", "sim_vs_log"]

WIDTH = 6.5
LOG, SIM = "#555555", SEQUENCE[0]
LABELS = {
    "tickets_per_day": "tickets per day",
    "wait_served_min": "mean wait of those served (min)",
    "gave_up_share": "share who gave up",
    "service_level": "share called within target",
}


def _fonts(fig: Figure) -> Figure:
    for ax in fig.axes:
        ax.tick_params(labelsize=8)
        ax.xaxis.label.set_fontsize(9)
        ax.yaxis.label.set_fontsize(9)
        ax.title.set_fontsize(9)
    return fig


def arrivals_by_hour(cal: Calibration) -> Figure:
    """Fresh tickets per hour, observed (mean over dates, 95 % CI) vs the fitted model,
    one panel per opening-hours group of weekdays."""
    from simlib.calibrate.arrivals import fresh_weights

    t = cal.tickets
    w = fresh_weights(t)
    days = t.attrs["days"]
    counts = np.zeros((days, 24))
    np.add.at(counts, (t["day"].to_numpy(), t["hour"].to_numpy()), w)
    day_wd = cal.staffing.day_weekday
    groups: dict[tuple[int, ...], list[int]] = {}
    for wd, hours in cal.staffing.open_hours.items():
        groups.setdefault(tuple(hours), []).append(wd)
    fitted = sum(a.rate.reindex(columns=range(24), fill_value=0.0) for a in cal.arrivals)
    fig = Figure(figsize=(WIDTH, 2.6 * len(groups) + 0.4), layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    for ax, (span, wds) in zip(axes, sorted(groups.items(), key=lambda g: -len(g[1])), strict=True):
        sel = np.isin(day_wd, wds) & ~np.isin(np.arange(days), cal.staffing.holidays)
        obs = counts[sel]
        mean = obs.mean(axis=0)
        half = 1.96 * obs.std(axis=0, ddof=1) / np.sqrt(len(obs)) if len(obs) > 1 else 0 * mean
        fit = fitted.loc[[x for x in wds if x in fitted.index]].mean(axis=0).to_numpy()
        hrs = np.arange(24)
        ax.bar(hrs, mean, width=0.8, color="#cccccc", label="observed (mean of dates)")
        lower = np.minimum(half, mean)  # a count is not negative
        ax.errorbar(hrs, mean, yerr=[lower, half], fmt="none", ecolor=LOG, lw=0.8, capsize=2)
        ax.step(hrs, fit, where="mid", color=SIM, lw=1.6, label="fitted (ML)")
        ax.set_xlim(min(span) - 1.5, max(span) + 1.5)
        ax.set_ylabel("fresh tickets per hour")
        ax.set_title(f"{', '.join(WEEKDAYS[x] for x in sorted(wds))}: {len(obs)} dates, 95 % CI")
        ax.legend(fontsize=8, loc="upper right")
    axes[-1].set_xlabel("clock hour of the ticket")
    fig.suptitle("Arrivals by hour: observed vs fitted (redials removed)", fontsize=10)
    return _fonts(fig)


def service_qq(cal: Calibration) -> Figure:
    """QQ plots of service times against the best family by AIC, per matter (log axes)."""
    items = sorted(cal.service.items(), key=lambda kv: -kv[1].n)[:8]
    cols = 3 if len(items) > 2 else max(len(items), 1)
    rows = int(np.ceil(len(items) / cols))
    fig = Figure(figsize=(WIDTH, 2.0 * rows + 0.7), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    t = cal.tickets
    for ax, (matter, fit) in zip(axes, items, strict=False):
        x = t.loc[t["served"] & (t["matter"] == matter), "service"].dropna().to_numpy()
        x = np.sort(x[x > 0])
        p = (np.arange(len(x)) + 0.5) / len(x)
        q = frozen(fit.best.family, fit.best.mean, fit.best.cv).ppf(p)
        ax.loglog(q, x, ".", ms=1.5, color=SIM)
        lo, hi = min(q[0], x[0]), max(q[-1], x[-1])
        ax.plot([lo, hi], [lo, hi], color=LOG, lw=0.8)
        used = "empirical" if fit.use_empirical else fit.best.family
        ax.set_title(f"{matter} → {used}\nbest {fit.best.family}, AD p={fit.gof_p:.2f}", fontsize=8)
    for ax in axes[len(items) :]:
        ax.set_visible(False)
    fig.supxlabel("fitted quantile (min)", fontsize=9)
    fig.supylabel("observed service time (min)", fontsize=9)
    fig.suptitle("Service times: QQ plots against the family chosen by AIC", fontsize=10)
    return _fonts(fig)


def patience_curve(cal: Calibration) -> Figure:
    """Kaplan-Meier survival of patience, the censored-ML fit, and the naive estimate."""
    p = cal.patience
    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.step(
        np.r_[0, p.km_times], np.r_[1, p.km_surv], where="post", color=LOG, label="Kaplan-Meier"
    )
    grid = np.linspace(0, max(p.km_times.max(), 1), 300)
    for c, colour in zip(p.candidates, SEQUENCE, strict=False):
        style = "-" if c is p.best else ":"
        ax.plot(
            grid, c.frozen().sf(grid), style, color=colour, label=f"{c.family} (AIC {c.aic:.0f})"
        )
    ax.plot(
        grid,
        np.exp(-grid / p.naive_mean),
        "--",
        color=SEQUENCE[5],
        label=f"naive: mean wait of who gave up ({p.naive_mean:.2f} min)",
    )
    ax.axhline(0.5, color="#bbbbbb", lw=0.6)
    ax.set_xlabel("minutes waited")
    ax.set_ylabel("share still willing to wait")
    ax.set_ylim(0, 1.02)
    ax.set_title(
        f"Patience from censored waits: median {p.median:.2f} min (KM {p.km_median:.2f}); "
        f"n={p.n}, {p.n_gave_up} gave up"
    )
    ax.legend(fontsize=8)
    return _fonts(fig)


def officers_by_hour(cal: Calibration) -> Figure:
    """Officers present, busy and effectively available by hour, per weekday."""
    s = cal.staffing
    wds = list(s.effective.index)
    cols = 2
    rows = int(np.ceil(len(wds) / cols))
    fig = Figure(
        figsize=(WIDTH, 1.7 * rows + 0.7),
        layout="constrained",
    )
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
    for ax, w in zip(axes, wds, strict=False):
        hrs = np.arange(24)
        ax.step(hrs, s.present.loc[w], where="mid", color=LOG, label="present (served in the hour)")
        ax.step(
            hrs,
            s.effective.loc[w],
            where="mid",
            color=SEQUENCE[2],
            label="effective (busy while someone waited)",
        )
        if s.simulated is not None:
            ax.step(
                hrs,
                s.simulated.loc[w],
                where="mid",
                color=SIM,
                lw=1.6,
                label="as simulated (refined: served as in the log)",
            )
        ax.step(hrs, s.busy.loc[w], where="mid", color=SEQUENCE[1], ls=":", label="busy on average")
        ax.set_title(WEEKDAYS[w], fontsize=8)
        ax.set_xlim(5.5, 24)
    for ax in axes[len(wds) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8)
    fig.supylabel("officers", fontsize=9)
    fig.suptitle(
        f"Officers on duty by clock hour: effective = {s.availability:.2f} of present "
        "where callers waited",
        fontsize=10,
    )
    return _fonts(fig)


def sim_vs_log(check: FitCheck) -> Figure:
    """The calibrated hall simulated beside the log, hour by hour, with 95 % CIs (log: days
    bootstrapped; simulation: replications) and the mean |relative error| over busy hours."""
    fig = Figure(figsize=(WIDTH, 5.6), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).ravel()
    errors = check.errors()
    hrs = np.arange(24)
    b0, b1 = check.busy_hours
    for ax, k in zip(axes, MEASURES, strict=True):
        lg, sm = check.log_hourly[k], check.sim_hourly[k]
        ax.fill_between(hrs, check.log_lo[k], check.log_hi[k], step="mid", color=LOG, alpha=0.2)
        ax.step(hrs, lg, where="mid", color=LOG, label="log (95 % CI: days bootstrapped)")
        ax.fill_between(hrs, check.sim_lo[k], check.sim_hi[k], step="mid", color=SIM, alpha=0.25)
        ax.step(hrs, sm, where="mid", color=SIM, label=f"simulated ({check.reps} reps, 95 % CI)")
        ax.axvspan(b0 - 0.5, b1 - 0.5, color="#f3e6c8", alpha=0.35, lw=0)
        err = float(errors[k].abs().mean())
        ax.set_title(f"{LABELS[k]}\nmean |error| {b0}–{b1} h: {err:.0%}", fontsize=8)
        ax.set_xlim(5.5, 24)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.supxlabel("clock hour of the ticket (shaded: busy hours)", fontsize=9)
    fig.suptitle(
        f"Calibrated hall vs log, hour by hour (EMD of served waits {check.emd_wait_min:.2f} min)",
        fontsize=10,
    )
    return _fonts(fig)


def wait_ecdf(check: FitCheck) -> Figure:
    """ECDF of waits of those served in busy hours: log vs simulation, with their EMD."""
    fig = Figure(figsize=(WIDTH, 3.2), layout="constrained")
    ax = fig.subplots()
    for x, colour, label in (
        (check.log_wait_sample, LOG, "log"),
        (check.sim_wait_sample, SIM, "simulated"),
    ):
        ax.plot(np.sort(x), (np.arange(len(x)) + 0.5) / len(x), color=colour, label=label)
    ax.set_xlim(0, float(np.quantile(check.log_wait_sample, 0.99)) * 1.2)
    ax.set_xlabel("wait of those served (min)")
    ax.set_ylabel("share served within")
    b0, b1 = check.busy_hours
    ax.set_title(f"Waits of those served {b0}–{b1} h: EMD {check.emd_wait_min:.2f} min")
    ax.legend(fontsize=8)
    return _fonts(fig)


def table_frame(check: FitCheck) -> pd.DataFrame:
    return check.table()
