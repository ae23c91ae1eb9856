"""Reform files (``simlib run --reform FILE``): a YAML list of reforms, or a mapping with
one ``reforms:`` list."""

from __future__ import annotations

from pathlib import Path

import yaml

from simlib.files.kinds import KEYS
from simlib.files.located import file_error, reported
from simlib.files.yaml_io import read_yaml
from simlib.reforms import BaseReform, apply_reforms, parse_reforms
from simlib.scenario.errors import Issue
from simlib.scenario.model import Scenario

__all__ = ["apply_reform_file", "load_reforms"]


def _read(path: str | Path) -> tuple[list[BaseReform], yaml.Node | None, str]:
    source = str(path)
    doc = read_yaml(path)
    data, prefix = doc.data, ""
    if isinstance(data, dict) and set(data) == {"reforms"}:
        data, prefix = data["reforms"], "reforms"
    if not isinstance(data, list):
        raise file_error(source, [Issue(prefix, f"a reform file holds {KEYS['reforms']}")])
    with reported(source, doc.tree):
        return parse_reforms(data, where=prefix), doc.tree, prefix


def load_reforms(path: str | Path) -> list[BaseReform]:
    """The reforms in ``path``, each checked on its own (not yet against a scenario)."""
    return _read(path)[0]


def apply_reform_file(scenario: Scenario, path: str | Path) -> Scenario:
    """``scenario`` with the reforms of ``path`` applied in order (errors name the file)."""
    reforms, tree, prefix = _read(path)
    with reported(str(path), tree):
        return apply_reforms(scenario, reforms, where=prefix)
