"""Every notebook runs top to bottom (small size: SIMLIB_SMALL=1); a failing cell fails."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import GREEN_STUDY

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_the_planner_notebooks_exist() -> None:
    assert {"01", "02", "03", "04", "05", "06", "07", "08", "09"} <= {p.stem[:2] for p in NOTEBOOKS}


def _param(path: Path) -> object:
    """Notebook 02 runs the demo's green approval study: with the demo test, on its runs."""
    marks = [GREEN_STUDY] if path.stem.startswith("02") else []
    return pytest.param(path, marks=marks, id=path.stem)


@pytest.mark.parametrize("path", [_param(p) for p in NOTEBOOKS])
def test_notebook_runs(
    path: Path, monkeypatch: pytest.MonkeyPatch, green_study_cache: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("SIMLIB_SMALL", "1")
    # Notebooks that write files write them here (not into notebooks/out/ or /tmp): removed.
    monkeypatch.setenv("SIMLIB_NOTEBOOK_OUT", str(tmp_path))
    if path.stem.startswith("02"):
        monkeypatch.setenv("SIMLIB_CACHE", str(green_study_cache))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    outputs = [
        o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
    ]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    if "SIMLIB_NOTEBOOK_OUT" in path.read_text():
        assert any(tmp_path.iterdir()), "its files went somewhere else"
    assert any("image/png" in o.get("data", {}) for o in outputs) or path.stem.startswith("03")
