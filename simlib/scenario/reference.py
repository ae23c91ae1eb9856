"""The scenario-format reference (``docs/scenario.md``), generated from the JSON Schema that
``simlib schema`` prints, so that the document and the loader cannot disagree. A test checks
that the file's generated part is current; regenerate it with
``python -m simlib.scenario.reference --write docs/scenario.md``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from simlib.scenario.model import Scenario

__all__ = ["BEGIN", "END", "reference", "update"]

BEGIN = "<!-- BEGIN GENERATED: python -m simlib.scenario.reference --write docs/scenario.md -->"
END = "<!-- END GENERATED -->"
DISTRIBUTIONS = {
    "Exponential",
    "Lognormal",
    "Gamma",
    "Triangular",
    "Uniform",
    "Constant",
    "Empirical",
    "MaxOf",
}


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return "distribution" if name in DISTRIBUTIONS else f"[{name}](#{name.lower()})"
    if "oneOf" in prop or "discriminator" in prop:
        refs = {r.get("$ref", "").rsplit("/", 1)[-1] for r in prop.get("oneOf", [])}
        if refs and refs <= DISTRIBUTIONS:
            return "distribution"
        return " or ".join(_type(r) for r in prop.get("oneOf", []))
    if "anyOf" in prop:
        return " or ".join(dict.fromkeys(_type(p) for p in prop["anyOf"]))
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}" if prop.get("items") else "list"
    if kind == "object":
        inner = prop.get("additionalProperties") or next(
            iter(prop.get("patternProperties", {}).values()), None
        )
        return f"mapping to {_type(inner)}" if isinstance(inner, dict) else "mapping"
    return {"number": "number", "integer": "integer", "string": "text", "boolean": "yes/no"}.get(
        str(kind), str(kind or "any")
    )


def _limits(prop: dict[str, Any]) -> str:
    parts = []
    for key, text in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
        ("minItems", "items ≥"),
        ("minProperties", "entries ≥"),
    ):
        if key in prop:
            parts.append(f"{text} {prop[key]}")
    return ", ".join(parts)


def _default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default" not in prop:
        return ""
    return f"`{json.dumps(prop['default'], ensure_ascii=False)}`"


def _table(name: str, schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = [
        f"| `{key}` | {_type(prop)} | {_default(prop, key in required)} | {_limits(prop)} |"
        for key, prop in schema.get("properties", {}).items()
    ]
    return (
        f"### {name}\n\n| key | type | default | allowed |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )


def reference() -> str:
    """Every model of the scenario format as a table: key, type, default, allowed values."""
    schema = Scenario.model_json_schema()
    parts = [_table("Scenario", schema)]
    for name, sub in schema.get("$defs", {}).items():
        parts.append(_table(name, sub))
    return "\n".join(parts)


def update(path: Path) -> bool:
    """Rewrite the generated part of ``path``; True when it changed."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n\n{reference()}\n{END}{tail}"
    path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["--write"]:
        update(Path(sys.argv[2]))
    else:
        print(reference())
