"""The proposal report: one self-contained HTML file (and a PDF printed from it) from an
output folder. Figures are embedded, nothing is fetched from a network, so the file can be
mailed or attached to a proposal as it is.

The folder's kind is told by its JSON file (``FOLDER_KINDS``): ``study.json`` (compare),
``sweep.json`` (sweep), ``optimize.json`` (staffing search) and ``portfolio.json`` (reform
portfolio). The last two are written and reported by ``simlib.optimize``: their section is
``simlib.optimize.report.report_section(out_dir)`` /
``simlib.optimize.portfolio_outputs.portfolio_report_section(out_dir)``, each returning HTML.
A damaged JSON file is a :class:`~simlib.report.folder.FolderError` naming the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from simlib.report.compare import compare_body
from simlib.report.folder import read_json
from simlib.report.html import e, page
from simlib.report.pdf import print_pdf
from simlib.report.sweep import sweep_body
from simlib.verdict import Material, parse_material

__all__ = ["FOLDER_KINDS", "folder_kind", "write_report"]

# JSON file -> (kind, title suffix, module and function giving the section, for other layers)
FOLDER_KINDS: dict[str, tuple[str, str, str | None]] = {
    "study.json": ("compare", "what the reforms change", None),
    "sweep.json": ("sweep", "sweep results", None),
    "optimize.json": ("optimize", "staffing that meets the targets", "report_section"),
    "portfolio.json": ("portfolio", "the reform portfolio", "portfolio_report_section"),
}


def folder_kind(out: Path) -> str | None:
    """The JSON file that says what kind of output ``out`` is (None: not an output folder)."""
    for name in FOLDER_KINDS:
        if (out / name).exists():
            if name == "sweep.json" and not (out / "summary.csv").exists():
                continue
            return name
    return None


def _optimize_section(out: Path, function: str) -> str:
    """The section ``simlib.optimize`` writes for its folder (staffing or portfolio)."""
    if function == "portfolio_report_section":
        from simlib.optimize.portfolio_outputs import portfolio_report_section

        return portfolio_report_section(out)
    from simlib.optimize.report import report_section

    return report_section(out)


def write_report(out: str | Path, material: Material | str | None = None, pdf: bool = True) -> Path:
    """Write ``report.html`` (and ``report.pdf``, when Chromium is installed) into an output
    folder of ``simlib compare``, ``sweep`` or ``optimize``. ``material``: the threshold
    below which a change is not called better or worse (default: the folder's, else 5 %)."""
    out = Path(out)
    name = folder_kind(out)
    if name is None:
        raise FileNotFoundError(
            f"{out} is not an output folder of compare, sweep or optimize: no study.json, "
            "sweep.json (with summary.csv), optimize.json or portfolio.json in it"
        )
    meta = read_json(out / name)
    if name == "optimize.json" and meta.get("portfolio"):  # one JSON name for both searches
        name = "portfolio.json"
    kind, suffix, function = FOLDER_KINDS[name]
    if isinstance(material, str) or material is None:
        material = parse_material(material or meta.get("material"))
    if kind == "compare":
        title, body = f"{meta['study']}: {suffix}", compare_body(out, meta, material)
    elif kind == "sweep":
        title, body = f"{meta['sweep']}: {suffix}", sweep_body(out, meta)
    else:
        title = f"{meta.get('optimize') or meta.get('portfolio') or out.name}: {suffix}"
        body = _optimize_section(out, function or "")
    from simlib._version import __version__

    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    subtitle = f"Generated {stamp} by simlib {e(__version__)} from <code>{e(out)}</code>."
    path = out / "report.html"
    path.write_text(page(title, subtitle, body), encoding="utf-8")
    if pdf:
        problem = print_pdf(path, out / "report.pdf")
        if problem:
            import sys

            print(f"simlib report: {problem}", file=sys.stderr)
    return path
