"""The scenario format is documented inside the repository, and the document matches the
JSON Schema the loader uses; the README links nowhere outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from simlib.scenario.model import Scenario
from simlib.scenario.reference import BEGIN, END, reference

ROOT = Path(__file__).resolve().parents[2]


def test_docs_scenario_md_is_generated_from_the_current_schema() -> None:
    text = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert generated == reference().strip(), (
        "docs/scenario.md is stale: python -m simlib.scenario.reference --write docs/scenario.md"
    )
    schema = Scenario.model_json_schema()
    for name, sub in [("Scenario", schema), *schema["$defs"].items()]:
        assert f"### {name}" in generated
        for key in sub.get("properties", {}):
            assert f"| `{key}` |" in generated, f"{name}.{key} is not documented"


def test_readme_links_only_inside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"https?://", readme)
    assert "../" not in readme, "no path outside the repository"
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        assert (ROOT / target).exists(), f"README links to a missing file: {target}"
    assert "docs/scenario.md" in readme
