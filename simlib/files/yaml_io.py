"""Reading a YAML file once, safely: the data, its node tree (for line numbers), or a
:class:`~simlib.scenario.errors.ScenarioError` that names the file and the line.

Why a loader of our own rather than ``yaml.safe_load``:

* one parse (with libyaml's C parser where installed) gives both the data and the nodes
  that error messages take their line numbers from;
* a key given twice in one mapping is refused, naming both lines (PyYAML lets the last win);
* aliases are cheap to write and explosive to expand (the "billion laughs" bomb), so the
  expanded size of the document is counted on the node graph before anything is built,
  and a recursive alias is refused;
* the file's size is bounded before it is read.

Limits can be raised with the environment variables ``SIMLIB_MAX_FILE_MB`` and
``SIMLIB_MAX_YAML_NODES`` (see :mod:`simlib.limits`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simlib.limits import limit
from simlib.scenario.errors import Issue, ScenarioError

__all__ = [
    "YamlDocument",
    "line_for_path",
    "line_of_keys",
    "parse_yaml",
    "read_text",
    "read_yaml",
]

_Base: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """The safe loader (C parser where installed) with dates that fail with their line."""


def _timestamp(loader: Any, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a valid date ({exc})", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class YamlDocument:
    """Parsed YAML: ``data`` (plain Python) and ``tree`` (the root node, for line numbers)."""

    __slots__ = ("data", "tree")

    def __init__(self, data: Any, tree: yaml.Node | None):
        self.data = data
        self.tree = tree


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _syntax_issue(exc: yaml.YAMLError) -> Issue:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = _one_line(" ".join(str(p) for p in (exc.context, exc.problem) if p))
        kind = (
            "YAML error"
            if isinstance(exc, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        return Issue("", f"{kind}: {what}", mark.line + 1 if mark else None)
    # A ReaderError (control characters, bad encoding) prints over several lines.
    return Issue("", f"YAML error: {_one_line(str(exc))}")


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.tag}>"


def _check_tree(root: yaml.Node, source: str) -> None:
    """Duplicate keys, recursive aliases, and the expanded size of the node graph."""
    max_nodes = limit("yaml_nodes")
    sizes: dict[int, int] = {}
    active: set[int] = set()
    issues: list[Issue] = []

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ScenarioError(
                source,
                [Issue("", "a YAML alias refers to itself (recursive)", node.start_mark.line + 1)],
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    line = k.start_mark.line + 1
                    if k.value in seen:
                        issues.append(
                            Issue(
                                "",
                                f"key '{_key_text(k)}' is given twice in one mapping "
                                f"(lines {seen[k.value]} and {line}); keep one",
                                line,
                            )
                        )
                    else:
                        seen[k.value] = line
                total += size(k) + size(v)
                if total > max_nodes:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
                if total > max_nodes:
                    break
        active.discard(key)
        sizes[key] = total
        if total > max_nodes:
            raise ScenarioError(
                source,
                [
                    Issue(
                        "",
                        f"the document expands to more than {max_nodes:,} YAML nodes "
                        "(aliases included); simlib files are far smaller. Raise the limit "
                        "with SIMLIB_MAX_YAML_NODES if this file is meant to be this big",
                        node.start_mark.line + 1,
                    )
                ],
            )
        return total

    size(root)
    if issues:
        raise ScenarioError(source, issues)


def parse_yaml(text: str, source: str = "<text>") -> YamlDocument:
    """Parse one YAML document from ``text`` (see the module docstring for what is refused)."""
    loader = _Loader(text)
    try:
        tree = loader.get_single_node()
        if tree is None:
            return YamlDocument(None, None)
        _check_tree(tree, source)
        data = loader.construct_document(tree)
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [_syntax_issue(exc)]) from None
    except RecursionError:
        raise ScenarioError(source, [Issue("", "the YAML nesting is too deep")]) from None
    finally:
        loader.dispose()
    return YamlDocument(data, tree)


def read_text(path: str | Path) -> str:
    """The text of ``path``, bounded in size, or a ScenarioError saying why not."""
    path = Path(path)
    source = str(path)
    max_mb = limit("file_mb")
    try:
        if path.is_dir():
            raise ScenarioError(source, [Issue("", "this is a folder, not a file")])
        cap = max_mb * 1024 * 1024
        size = path.stat().st_size
        if size <= cap:  # a device or a pipe says 0: read at most one byte past the cap
            with path.open("rb") as f:
                raw = f.read(8192)
                if b"\x00" not in raw:  # binary (e.g. /dev/zero): refused below, unread
                    raw += f.read(cap + 1 - len(raw))
            size = len(raw)
        if size > cap:
            raise ScenarioError(
                source,
                [
                    Issue(
                        "",
                        f"the file is over {max_mb} MB; the limit is {max_mb} MB "
                        "(raise it with SIMLIB_MAX_FILE_MB)",
                    )
                ],
            )
    except FileNotFoundError:
        raise ScenarioError(source, [Issue("", "file not found")]) from None
    except OSError as exc:
        raise ScenarioError(source, [Issue("", f"cannot read the file: {exc.strerror}")]) from None
    if b"\x00" in raw[:8192]:
        raise ScenarioError(
            source, [Issue("", "this is a binary file, not YAML text; give a .yaml file")]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            source,
            [Issue("", f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8")],
        ) from None


_last: tuple[tuple[str, int, int], YamlDocument] | None = None


def read_yaml(path: str | Path) -> YamlDocument:
    """Read and parse ``path`` (any top-level type; callers check the kind).

    The last document read is kept while its file is unchanged, so telling a file's kind
    and then loading it (``simlib validate``) parses it once.
    """
    global _last
    try:
        st = Path(path).stat()
        key = (str(Path(path).resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key is not None and _last is not None and _last[0] == key:
        return _last[1]
    doc = parse_yaml(read_text(path), str(path))
    if key is not None:
        _last = (key, doc)
    return doc


def line_of_keys(node: yaml.Node | None, keys: list[Any]) -> int | None:
    """The line of the deepest node reached by following ``keys`` (exact mapping keys or
    list indexes) from ``node``."""
    line = None
    for key in keys:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _keys(path: str) -> list[Any]:
    """``matters[2].chain[1].pool`` as ``["matters", 2, "chain", 1, "pool"]``; a selector
    that is not an index (``matters[company_setup]``) stays a string."""
    keys: list[Any] = []
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and part.endswith("]"):
            inner = part[1:-1]
            keys.append(int(inner) if inner.isdigit() else inner)
        else:
            keys.append(part)
    return keys


def line_for_path(tree: yaml.Node | None, path: str) -> int | None:
    """The line of the deepest node of ``path`` that exists in the file."""
    if tree is None:
        return None
    return line_of_keys(tree, _keys(path))
