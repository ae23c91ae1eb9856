"""Scenario files: validated into a :class:`Scenario`, with the file's ``reforms:`` applied.

The ``reforms:`` key belongs to the file, not to the Scenario: a loaded scenario is always
the reformed one, so the engine never sees reforms still to apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simlib.files.kinds import expect_kind, register_loader
from simlib.files.located import file_error, reported, validated
from simlib.files.yaml_io import read_yaml
from simlib.reforms import apply_reforms
from simlib.scenario.errors import Issue
from simlib.scenario.model import Scenario

__all__ = ["load_referenced", "load_scenario", "scenario_from_dict"]


def scenario_from_dict(
    data: dict[str, Any], source: str = "<scenario>", tree: yaml.Node | None = None
) -> Scenario:
    """Validate a plain mapping (as parsed from YAML) into a :class:`Scenario`, applying
    its ``reforms:`` list in order. Every problem is reported in one ScenarioError."""
    if not isinstance(data, dict):
        raise file_error(source, [Issue("", "a scenario must be a mapping of keys")])
    reforms = data.get("reforms") or []
    if not isinstance(reforms, list):
        raise file_error(source, [Issue("reforms", "must be a list of reforms")], tree)
    plain = {k: v for k, v in data.items() if k != "reforms"}
    scenario = validated(Scenario, plain, source, tree)
    if not reforms:
        return scenario
    with reported(source, tree):
        return apply_reforms(scenario, reforms, where="reforms")


def load_referenced(
    name: str, base_dir: Path, source: str, tree: yaml.Node | None, key: str
) -> tuple[Path, Scenario]:
    """The scenario file ``name`` that file ``source`` refers to under ``key`` (relative to
    ``base_dir``); a missing file is reported at that key of the referring file."""
    path = (base_dir / name).resolve()
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "is not found"
        raise file_error(source, [Issue(key, f"the scenario file {path} {what}")], tree)
    return path, load_scenario(path)


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; every problem is reported in one ScenarioError."""
    doc = read_yaml(path)
    expect_kind(doc.data, path, "scenario")
    return scenario_from_dict(doc.data, str(path), doc.tree)


register_loader("scenario", lambda path: load_scenario(path))
