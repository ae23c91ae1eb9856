"""HTML pieces of the report: escaping, embedded figures, tables, the page and its print
style (A4, so that Chromium's print-to-PDF gives the same document)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

__all__ = ["CSS", "e", "figure", "page", "table"]

CSS = """
@page{size:A4;margin:16mm 14mm 16mm 14mm}
body{font-family:'DejaVu Sans',system-ui,-apple-system,'Segoe UI',sans-serif;max-width:182mm;
margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4;font-size:10pt}
h1{font-size:17pt;margin-bottom:.2em}h2{font-size:13pt;margin-top:1.4em;
border-bottom:2px solid #0072B2;break-after:avoid}h3{font-size:11pt;break-after:avoid}
table{border-collapse:collapse;margin:.5em 0;font-size:8.5pt;break-inside:auto}
tr{break-inside:avoid}th,td{border:1px solid #ccc;padding:.2em .35em;text-align:right;
vertical-align:top}th{background:#f0f4f8}td.l,th.l{text-align:left}
.better{color:#0072B2;font-weight:600}.worse{color:#D55E00;font-weight:600}
.muted{color:#666}.ci{color:#666;font-size:90%;white-space:nowrap}
.summary{background:#f4f8fb;border-left:4px solid #0072B2;padding:.4em 1em;margin:.8em 0}
.note{font-size:9pt;color:#444}
.warn{background:#fff4e5;border-left:4px solid #D55E00;padding:.3em 1em;margin:.8em 0;
font-size:9pt}.warn ul{margin:.2em 0;padding-left:1.2em}
table.ranked{width:100%}table.ranked td{text-align:left}
figure{margin:.8em 0;break-inside:avoid}figure img{width:100%;max-width:165mm;border:0}
figcaption{color:#555;font-size:9pt}
code{background:#f4f4f4;padding:0 .3em;font-size:90%;overflow-wrap:anywhere}
table.sheet{width:100%;table-layout:fixed}table.sheet tr>:nth-child(1){width:34%}
table.sheet tr>:nth-child(2){width:26%}table.sheet tr>:nth-child(3){width:13%}
"""


def e(x: Any) -> str:
    """Escaped text."""
    return html.escape(str(x))


def _png(source: Path | Figure) -> str:
    if isinstance(source, Figure):
        buf = io.BytesIO()
        source.savefig(buf, format="png", dpi=150)
        data = buf.getvalue()
    else:
        data = source.read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def figure(source: Path | Figure, caption: str) -> str:
    """An embedded PNG with its caption (no network needed to open the report)."""
    return (
        f'<figure><img alt="{e(caption)}" src="{_png(source)}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
    )


def table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    left: int = 1,
    cls: str = "",
    columns: int | None = None,
) -> str:
    """A table of already formatted (and escaped) cells; the first ``left`` columns are text.
    ``columns``: at most this many other columns per table — a wider one is split into
    several tables, each repeating the first ``left`` columns, so that it fits A4 portrait."""
    if columns is not None and len(head) - left > columns:
        parts = []
        for start in range(left, len(head), columns):
            keep = list(range(left)) + list(range(start, min(start + columns, len(head))))
            parts.append(
                table([head[i] for i in keep], [[r[i] for i in keep] for r in rows], left, cls)
            )
        return "".join(parts)
    th = "".join(f"<th{' class=l' if i < left else ''}>{h}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=l' if i < left else ''}>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table{f' class={cls}' if cls else ''}><tr>{th}</tr>{body}</table>"


def page(title: str, subtitle: str, body: str) -> str:
    """The whole self-contained document."""
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<style>{CSS}</style></head>"
        f"<body><h1>{e(title)}</h1><p class=muted>{subtitle}</p>{body}</body></html>"
    )
