"""One way to turn problems found in a file's data into a :class:`ScenarioError` whose
issues carry the file's line numbers (the loaders of every file kind use it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from simlib.files.yaml_io import line_for_path
from simlib.reforms import ReformError
from simlib.scenario.errors import Issue, ScenarioError, issues_from_validation
from simlib.scenario.paths import PathError

__all__ = ["file_error", "located", "reported", "validated"]

M = TypeVar("M", bound=BaseModel)


def located(issues: list[Issue], tree: yaml.Node | None, prefix: str = "") -> list[Issue]:
    """``issues`` with ``prefix`` put before their paths and the line of each path added."""
    out = []
    for issue in issues:
        path = f"{prefix}.{issue.path}" if prefix and issue.path else (prefix or issue.path)
        line = issue.line if issue.line is not None else line_for_path(tree, path)
        out.append(Issue(path, issue.message, line))
    return out


def file_error(
    source: str, issues: list[Issue], tree: yaml.Node | None = None, prefix: str = ""
) -> ScenarioError:
    """A ScenarioError for ``source`` whose issues carry line numbers."""
    return ScenarioError(source, located(issues, tree, prefix))


def validated(
    model: type[M], data: Any, source: str, tree: yaml.Node | None = None, prefix: str = ""
) -> M:
    """``model`` validated from ``data``, or a ScenarioError naming every problem's line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = issues_from_validation(exc, data, model)
        raise file_error(source, issues, tree, prefix) from None


@contextmanager
def reported(source: str, tree: yaml.Node | None = None, prefix: str = "") -> Iterator[None]:
    """Reform and path errors raised inside the block become a line-numbered ScenarioError."""
    try:
        yield
    except ReformError as exc:
        raise file_error(source, exc.issues, tree, prefix) from None
    except PathError as exc:
        raise file_error(source, [Issue("", str(exc))], tree, prefix) from None
