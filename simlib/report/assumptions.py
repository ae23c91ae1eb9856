"""The assumptions sheet: every parameter of the baseline scenario file with the source
note written beside it.

We read the notes from the YAML comments rather than asking for a new ``sources:`` map:
the shipped scenarios already mark each number ``[source: ...]`` or ``[illustrative]`` on
its own line, a note beside the number cannot drift away from it when the number changes,
and a planner editing the file sees both at once. A parameter without a comment of its own
inherits the tag of the comment block above it (a section comment such as "# Back
offices [illustrative]: ..."), and is marked "not stated" when there is none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simlib.report.html import e, table
from simlib.report.names import Names

__all__ = ["Assumption", "assumptions", "assumptions_section", "readable"]

_TAG = re.compile(r"\[([^\]]+)\]")


@dataclass(frozen=True)
class Assumption:
    path: str
    value: str
    note: str
    basis: str  # "source", "illustrative" or "not stated"


def readable(value: Any) -> str:
    """A parameter value as text for people: no Python reprs, no braces."""
    if isinstance(value, dict):
        if "dist" in value:
            rest = ", ".join(f"{k} {readable(v)}" for k, v in value.items() if k != "dist")
            return f"{value['dist']} ({rest})" if rest else str(value["dist"])
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "none"
    return str(value)


def _comment(line: str) -> str:
    """The comment on a YAML line (a # outside quotes), or ""."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


def _basis(note: str) -> str:
    tags = " ".join(_TAG.findall(note)).lower()
    if "illustrative" in tags:
        return "illustrative"
    if tags:
        return "source"
    return ""


def _block_note(lines: list[str], row: int, indent: int, first: int = 0) -> str:
    """The comment block just above ``row`` at this or a lower indentation (a section note);
    the file's header (lines before ``first``) is not a section note."""
    notes: list[str] = []
    k = row - 1
    while k >= first:
        text = lines[k]
        stripped = text.lstrip()
        if stripped.startswith("#"):
            if len(text) - len(stripped) <= indent:
                notes.insert(0, stripped[1:].strip())
            k -= 1
            continue
        if not stripped:
            k -= 1
            continue
        if notes:
            break
        # a sibling parameter line: keep looking above it for the section's comment
        if len(text) - len(stripped) < indent:
            break
        k -= 1
    return " ".join(notes)


def _label(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return value.value
    return None


Place = tuple[int, int]  # (line, column) of a key: where its comments are looked for


def _walk(
    node: yaml.Node, path: str, where: list[Place], out: list[tuple[str, yaml.Node, list[Place]]]
) -> None:
    flow = getattr(node, "flow_style", False)
    if isinstance(node, yaml.MappingNode) and not flow:
        for key, value in node.value:
            place = (key.start_mark.line, key.start_mark.column)
            _walk(value, f"{path}.{key.value}" if path else key.value, [*where, place], out)
    elif (
        isinstance(node, yaml.SequenceNode)
        and not flow
        and any(isinstance(v, yaml.MappingNode) for v in node.value)
    ):
        for i, item in enumerate(node.value):
            name = _label(item)
            place = (item.start_mark.line, item.start_mark.column)
            _walk(item, f"{path}[{name if name is not None else i}]", [*where, place], out)
    else:
        out.append((path, node, where))


def assumptions(path: str | Path) -> list[Assumption]:
    """Every parameter in a scenario file with its note and basis."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = yaml.compose(text, Loader=yaml.SafeLoader)
    leaves: list[tuple[str, yaml.Node, list[Place]]] = []
    if tree is not None:
        _walk(tree, "", [], leaves)
    first = next((i for i, t in enumerate(lines) if t.strip() and not t.startswith("#")), 0)
    header = " ".join(t.lstrip("# ") for t in lines[:first] if t.startswith("#"))
    default = "illustrative" if "everything else is [illustrative]" in header else ""
    rows = []
    for name, node, where in leaves:
        if name in ("name", "description") or name.endswith((".name", ".id", ".description")):
            continue
        own = " ".join(
            c for c in (_comment(lines[r]) for r in {where[-1][0], node.start_mark.line}) if c
        )
        section = ""
        for row, col in reversed(where[-2:]):  # the key's own section, or its parent's
            section = _block_note(lines, row, col, first)
            if section:
                break
        basis = _basis(own) or _basis(section) or default or "not stated"
        if basis == default and not (_basis(own) or _basis(section)):
            basis = f"{default} (file's rule)"
        value = yaml.safe_load(yaml.serialize(node))
        rows.append(Assumption(name, readable(value), own or section, basis))
    return rows


def assumptions_section(
    path: str | Path | None, settings: dict[str, str], names: Names | None = None
) -> str:
    """The sheet: the run settings, then every parameter with its note, and a count of how
    many numbers rest on a source and how many are illustrative. Matters and pools with a
    display name are written by it, in the parameter's path too."""
    names = names or Names()
    run = table(["setting", "value"], [[e(k), e(v)] for k, v in settings.items()])
    if path is None or not Path(path).exists():
        return (
            "<h2>Assumptions</h2>" + run + "<p class=note>The baseline scenario file was not "
            "found, so the parameters' source notes cannot be shown.</p>"
        )
    rows = assumptions(path)
    count = {
        b: sum(r.basis.startswith(b) for r in rows)
        for b in ("source", "illustrative", "not stated")
    }
    body = table(
        ["parameter", "value", "basis", "note in the file"],
        [
            [f"<code>{e(names.text(r.path))}</code>", e(names.text(r.value)), e(r.basis), e(r.note)]
            for r in rows
        ],
        left=4,
        cls="sheet",
    )
    return (
        "<h2>Assumptions</h2>"
        f"<p>Every parameter of <code>{e(Path(path).name)}</code>, with the note the file gives "
        f"it: {count['source']} rest on a cited source, {count['illustrative']} are illustrative "
        f"(plausible, not measured) and {count['not stated']} carry no note. Results are only as "
        "good as the illustrative numbers: replace them with your hall's data before deciding."
        "</p>" + run + body
    )
