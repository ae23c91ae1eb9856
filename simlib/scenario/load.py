"""Reading scenario files: safe YAML, validation, errors with file, line and path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simlib.scenario.errors import Issue, ScenarioError, issues_from_validation
from simlib.scenario.model import Scenario

__all__ = ["expect_kind", "file_kind", "load_scenario", "read_yaml", "scenario_from_dict"]

_KEYS = {
    "scenario": "name:, pools: and matters:",
    "study": "study:, baseline: and variants:",
    "sweep": "sweep:, scenario: and parameters:",
    "optimize": "optimize:, scenario: (or study:), decisions: and requirements:",
}


def file_kind(data: dict[str, Any]) -> str:
    """'optimize', 'study', 'sweep' or 'scenario': what a parsed simlib file is, by its
    top-level keys (a portfolio file has ``optimize`` and ``study``: it is an optimisation)."""
    if "optimize" in data or "portfolio" in data:
        return "optimize"
    return "study" if "study" in data else "sweep" if "sweep" in data else "scenario"


def expect_kind(data: dict[str, Any], path: str | Path, wanted: str) -> None:
    """A clear error when a study is given where a sweep is expected, and so on."""
    found = file_kind(data)
    if found != wanted:
        message = f"this is a {found} file; a {wanted} file has {_KEYS[wanted]}"
        raise ScenarioError(str(path), [Issue("", message)])


def read_yaml(path: str | Path) -> tuple[dict[str, Any], yaml.Node | None]:
    """The mapping in ``path`` and its node tree (for line numbers), or a ScenarioError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), [Issue("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [Issue("", f"cannot read the file: {exc}")]) from None
    try:
        data = yaml.safe_load(text)
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError(str(path), [Issue("", f"YAML syntax error: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), [Issue("", f"YAML error: {exc}")]) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            str(path), [Issue("", f"the file is {kind}; it must be a mapping of keys (name: ...)")]
        )
    return data, tree


def scenario_from_dict(
    data: dict[str, Any], source: str = "<scenario>", tree: yaml.Node | None = None
) -> Scenario:
    """Validate a plain mapping (as parsed from YAML) into a :class:`Scenario`."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [Issue("", "a scenario must be a mapping of keys")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, issues_from_validation(exc, data, Scenario, tree)) from None
    if not scenario.reforms:
        return scenario
    from simlib.reforms import ReformError, apply_reforms  # reforms build on this module

    try:
        return apply_reforms(scenario.model_copy(update={"reforms": []}), scenario.reforms)
    except ReformError as exc:
        raise ScenarioError(source, _with_lines(exc.issues, tree)) from None


def _with_lines(issues: list[Issue], tree: yaml.Node | None) -> list[Issue]:
    from simlib.scenario.errors import line_for_path

    return [Issue(i.path, i.message, line_for_path(tree, i.path)) for i in issues]


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; every problem is reported in one ScenarioError."""
    data, tree = read_yaml(path)
    expect_kind(data, path, "scenario")
    return scenario_from_dict(data, str(path), tree)
