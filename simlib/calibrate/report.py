"""The fit report: one self-contained HTML page (in the style of ``simlib report``) and PNGs.

What was fitted and how well: arrivals by hour, service-time QQ plots, the patience
curve, officers on duty, and the calibrated hall simulated beside the log hour by hour.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from simlib.calibrate import charts
from simlib.calibrate.check import FitCheck
from simlib.calibrate.hall import Calibration, persons_note
from simlib.report.html import CSS
from simlib.report.html import figure as _figure

__all__ = ["write_fit_report"]


def _num(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def esc(x: object) -> str:
    return html.escape(str(x))


def html_table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(
        f'<th class="{"l" if i == 0 else ""}">{esc(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"l" if i == 0 else ""}">{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _pct(x: float) -> str:
    return f"{x:+.1%}" if x == x else "–"


def _issues_section(issues: Any) -> list[str]:
    """The log's bad rows: what was wrong with each and what was done (all of them)."""
    if issues is None:
        return []
    if not issues.items:
        return [f"<p>All {issues.n_rows} rows of the log were usable.</p>"]
    counts = ", ".join(f"{n} {esc(k)}" for k, n in issues.counts().items())
    rows = [
        [i.row, esc(i.problem), esc(i.action)] for i in sorted(issues.items, key=lambda i: i.row)
    ]
    return [
        "<h2>Rows of the log that could not be used</h2>",
        f"<p>{len({i.row for i in issues.items})} of {issues.n_rows} rows "
        f"({issues.share:.2%}): {counts}. The log is refused only when the share exceeds "
        "the map's <code>max_bad_share</code>. Row numbers count the header as row 1.</p>",
        html_table(["row", "problem", "action"], rows),
    ]


def write_fit_report(
    cal: Calibration,
    check: FitCheck | None,
    out: str | Path,
    charts_of_cal: str | Path | None = None,
) -> Path:
    """Write ``report.html`` and the charts (PNG) into ``out``. ``charts_of_cal``: the
    folder of a fit report of the same ``cal`` (the hold-out's report beside the main one)
    whose charts of the calibration alone are copied instead of drawn again (same bytes;
    the QQ panels' log axes alone cost over a second)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    captions = _charts(cal, check, out, None if charts_of_cal is None else Path(charts_of_cal))
    t = cal.tickets
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Fit report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Fit report: {esc(cal.logmap.name)}</h1>",
        f"<p class='muted'>simlib calibrate, {dt.date.today()}; "
        f"log {esc(Path(t.attrs['source']).name)}: "
        f"{len(t)} tickets, {t.attrs['start_date']} + {t.attrs['days']} days.</p>",
    ]
    parts += _issues_section(t.attrs.get("issues"))
    if check is not None:
        parts += _check_section(cal, check, out, captions)
    parts += _arrivals_section(cal, out, captions)
    parts += _service_section(cal, out, captions)
    parts += _patience_and_officers(cal, out, captions)
    parts.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(parts))
    return path


def _charts(
    cal: Calibration, check: FitCheck | None, out: Path, reuse: Path | None = None
) -> dict[str, str]:
    """Draw the charts into ``out`` (PNG only: the page embeds them); their captions. The
    charts of ``cal`` alone are copied from ``reuse`` where it has them."""
    of_cal: dict[str, tuple[Callable[[Calibration], Figure], str]] = {
        "arrivals_by_hour": (charts.arrivals_by_hour, "Fresh arrivals by hour: observed vs fitted"),
        "service_qq": (charts.service_qq, "Service times against the family chosen by AIC"),
        "officers_by_hour": (charts.officers_by_hour, "Officers present, busy and effective"),
    }
    if cal.patience.observed:
        of_cal["patience_km"] = (charts.patience_curve, "Patience: Kaplan-Meier and censored ML")
    captions = {}
    for name, (draw, caption) in of_cal.items():
        done = None if reuse is None else reuse / f"{name}.png"
        if done is not None and done.is_file():
            shutil.copyfile(done, out / f"{name}.png")
        else:
            draw(cal).savefig(out / f"{name}.png", dpi=150)
        captions[name] = caption
    if check is not None:
        of_check = {
            "sim_vs_log": (charts.sim_vs_log, "Simulated vs log, hour by hour"),
            "wait_ecdf": (charts.wait_ecdf, "Waits of those served: log vs simulated"),
        }
        for name, (draw_check, caption) in of_check.items():
            draw_check(check).savefig(out / f"{name}.png", dpi=150)
            captions[name] = caption
    return captions


def _check_section(
    cal: Calibration, check: FitCheck, out: Path, captions: dict[str, str]
) -> list[str]:
    """Does the fitted hall reproduce the log: overall, by priority level, hour by hour."""
    s = check.summary()
    rows = []
    for k, label in charts.LABELS.items():
        lo, sm = check.log_overall[k], check.sim_overall[k]
        rows.append(
            [
                label,
                _num(lo),
                f"{_num(sm)} ± {_num(check.sim_overall_ci[k])}",
                _pct(sm / lo - 1),
            ]
        )
    parts = [
        "<h2>Does the fitted hall reproduce the log?</h2>",
        f"<p>The calibrated scenario simulated {check.reps} times over the log's days. "
        f"Tickets per day over the whole day; the others over the busy hours "
        f"{check.busy_hours[0]}:00–{check.busy_hours[1]}:00.</p>",
        html_table(["measure", "log", "simulated (95 % CI)", "error"], rows),
        html_table(
            ["busy hours within", "mean wait of those served", "share who gave up"],
            [
                [
                    "25 %",
                    f"{s['wait_served_min_hours_within_25pct']:.0%}",
                    f"{s['gave_up_share_hours_within_25pct']:.0%}",
                ],
                [
                    "40 %",
                    f"{s['wait_served_min_hours_within_40pct']:.0%}",
                    f"{s['gave_up_share_hours_within_40pct']:.0%}",
                ],
                [
                    "log's own error (median bootstrap SE)",
                    f"{s['wait_served_min_log_rel_se_median']:.0%}",
                    f"{s['gave_up_share_log_rel_se_median']:.0%}",
                ],
            ],
        ),
        _figure(out / "sim_vs_log.png", captions["sim_vs_log"]),
        _figure(out / "wait_ecdf.png", captions["wait_ecdf"]),
    ]
    parts += _levels_table(cal, check)
    parts.append(_hourly_table(check))
    return parts


def _levels_table(cal: Calibration, check: FitCheck) -> list[str]:
    """Log and simulation by priority level (busy hours), when the log has levels."""
    if check.log_by_level is None or check.sim_by_level is None or len(check.log_by_level) <= 1:
        return []
    lv, sv = check.log_by_level, check.sim_by_level.reindex(check.log_by_level.index)
    rows = [
        [
            lvl,
            _num(lv.loc[lvl, "wait_served_min"]),
            _num(sv.loc[lvl, "wait_served_min"]),
            _num(lv.loc[lvl, "gave_up_share"]),
            _num(sv.loc[lvl, "gave_up_share"]),
        ]
        for lvl in lv.index
    ]
    return [
        "<p>By priority level (busy hours). "
        + (
            "The simulated hall calls higher levels first from one queue: "
            if cal.ahead
            else "The simulated hall serves all levels from one FIFO queue (each "
            "level keeps its own patience): "
        )
        + f"{esc(cal.ahead_note)}.</p>"
        + html_table(["level", "wait log", "wait sim", "gave up log", "gave up sim"], rows)
    ]


def _hourly_table(check: FitCheck) -> str:
    """Log, simulation and error hour by hour for tickets, waits and give-ups."""
    tab = check.table()
    rows = [
        [f"{h:02d}:00"]
        + [
            _num(tab.loc[h, (k, c)]) if c != "error" else _pct(tab.loc[h, (k, c)])
            for k in ("tickets_per_day", "wait_served_min", "gave_up_share")
            for c in ("log", "sim", "error")
        ]
        for h in tab.index
    ]
    header = ["hour", "tickets log", "sim", "err", "wait log", "sim", "err"]
    return html_table([*header, "gave up log", "sim", "err"], rows)


def _arrivals_section(cal: Calibration, out: Path, captions: dict[str, str]) -> list[str]:
    """Fresh arrivals by matter (rates, the Poisson tests) and the redials removed."""
    header = ["matter", "tickets", "per day (fresh)", "LR p (vs free weekday×hour)"]
    table = html_table(
        [*header, "dispersion X²/df", "p", "Poisson"],
        [
            [
                esc(a.matter),
                a.n_tickets,
                _num(a.per_day),
                f"{a.lr_p:.3f}",
                _num(a.dispersion),
                f"{a.dispersion_p:.3f}",
                "rejected" if a.poisson_rejected else "not rejected",
            ]
            for a in cal.arrivals
        ],
    )
    r = cal.redials
    return [
        "<h2>Arrivals</h2>",
        _figure(out / "arrivals_by_hour.png", captions["arrivals_by_hour"]),
        table,
        f"<p>Redials: {r['n_redials']} of {r['n_gave_up_identified']} identified applicants "
        f"who gave up called again within {cal.logmap.redial_window_min:g} min (return "
        f"probability {r['return_prob']:.2f}, mean delay {r['mean_delay_min']:.1f} min); they "
        "are removed from the arrivals and made by the simulated hall itself.</p>",
    ]


def _service_section(cal: Calibration, out: Path, captions: dict[str, str]) -> list[str]:
    """Service times by matter: the family chosen by AIC and its fit."""
    return [
        "<h2>Service times</h2>",
        _figure(out / "service_qq.png", captions["service_qq"]),
        html_table(
            ["matter", "n", "sample mean", "best (AIC)", "fitted mean", "AD p", "used"],
            [
                [
                    esc(m),
                    f.n,
                    _num(f.sample_mean),
                    f.best.family,
                    f"{_num(f.best.mean)} ({f.mean_error:+.0%})",
                    f"{f.gof_p:.3f}",
                    "empirical" if f.use_empirical else f.best.family,
                ]
                for m, f in cal.service.items()
            ],
        ),
    ]


def _patience_and_officers(cal: Calibration, out: Path, captions: dict[str, str]) -> list[str]:
    """The patience fitted (or why none was) and the officers on duty."""
    p = cal.patience
    return [
        "<h2>Patience</h2>",
        _figure(out / "patience_km.png", captions["patience_km"])
        + f"<p>Chosen: {p.best.family}, mean {_num(p.best.mean)} min, median "
        f"{_num(p.median)} min (Kaplan-Meier median {_num(p.km_median)}). The mean wait of "
        f"those who gave up ({_num(p.naive_mean)} min) is not an estimate of patience.</p>"
        if p.observed
        else f"<p>Only {p.n_gave_up} of {p.n} applicants gave up: no patience fitted.</p>",
        "<h2>Officers</h2>",
        _figure(out / "officers_by_hour.png", captions["officers_by_hour"]),
        f"<p>Effective availability: the mean number of officers busy while someone waited; "
        f"{cal.staffing.availability:.2f} of those present overall. These counts, refined by "
        "simulation, are the shifts of the scenario: "
        f"{esc(persons_note(cal.staffing))}.</p>",
    ]
