"""The house of simlib in figures (issue 20): rooms, back arrows, import cycles, and the
longest file and function. ``python benchmarks/house.py`` prints them; the guard test
``tests/unit/test_house.py`` keeps the rules that must hold.

* A *room* is a package of ``simlib`` (a top-level module counts as a room of its own).
* The rooms stand on *floors*, lowest first (:data:`FLOORS`): a room may import from its
  own floor and the floors below. An import from a lower floor to a higher one is a *back
  arrow* (the engine asking the command line for something, say).
* A *cycle* is a set of modules that import each other, directly or not. Imports made
  inside functions count: they are still arrows, only hidden from the import-time check.

Pure reading of the source with :mod:`ast`; nothing is imported.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "simlib"

# Lowest floor first. Files parse, experiments run: the models both need (design, costs)
# stand below both; the engine stands on the scenario and the calendar only.
FLOORS: list[set[str]] = [
    {"_version", "_callable", "limits", "writing"},
    {"scenario"},
    {"reforms", "timekeeping", "duty", "design", "costs", "theory"},
    {"files"},
    {"engine"},
    {"warmup", "metrics", "eventlog", "ticketlog", "verdict", "reform_verdict"},
    {"experiment", "checks"},
    {"plots", "outputs", "visual"},
    {"optimize", "calibrate", "report"},
    {"cli_checks", "commands", "cli", "simlib", "__main__"},
]


@dataclass(frozen=True)
class Arrow:
    source: str  # importing module
    target: str  # imported module
    line: int


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (no arrow at run time)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def arrows(root: Path = ROOT) -> list[Arrow]:
    """Every import of one simlib module by another, wherever it is written."""
    mods = modules(root)
    out = []
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                # "from simlib.x import y": y may be a module of its own
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names
                ]
            else:
                continue
            for target in dict.fromkeys(targets):
                while target and target not in mods:  # "import simlib.x.y" names simlib.x.y
                    target = target.rpartition(".")[0]
                if target and target != name:
                    out.append(Arrow(name, target, node.lineno))
    return out


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "simlib"


def floor(room_name: str) -> int:
    for i, rooms in enumerate(FLOORS):
        if room_name in rooms:
            return i
    raise KeyError(f"room {room_name!r} is on no floor: add it to FLOORS in {__file__}")


def back_arrows(all_arrows: list[Arrow]) -> list[Arrow]:
    """Imports from a lower floor up to a higher one."""
    return [a for a in all_arrows if floor(room(a.source)) < floor(room(a.target))]


def cycles(all_arrows: list[Arrow]) -> list[list[str]]:
    """Strongly connected sets of modules (Tarjan), those of more than one module."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a in all_arrows:
        graph[a.source].add(a.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def lengths(
    root: Path = ROOT,
) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]]:
    """(lines, name), longest first, of every file, every function (methods included) and
    every class (a 300-line class is a room of its own too)."""
    files, functions, classes = [], [], []
    for name, path in modules(root).items():
        text = path.read_text()
        files.append((len(text.splitlines()), str(path.relative_to(root.parent))))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                kind = classes if isinstance(node, ast.ClassDef) else functions
                kind.append((size, f"{name}.{node.name}"))
    return (
        sorted(files, reverse=True),
        sorted(functions, reverse=True),
        sorted(classes, reverse=True),
    )


def module_getattr(root: Path = ROOT) -> list[str]:
    """Modules with a module-level ``__getattr__`` (lazy look-ups: merge scaffolding)."""
    return [
        name
        for name, path in modules(root).items()
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
    ]


def main() -> None:
    all_arrows = arrows()
    mods = modules()
    rooms = sorted({room(m) for m in mods})
    packages = sorted({room(m) for m, p in mods.items() if p.parent != ROOT})
    back = back_arrows(all_arrows)
    files, functions, classes = lengths()
    print(f"modules            {len(mods)}")
    print(f"rooms              {len(rooms)} ({len(packages)} packages: {', '.join(packages)})")
    print(f"back arrows        {len(back)}")
    for a in back:
        print(f"    {a.source}:{a.line} -> {a.target}")
    found = cycles(all_arrows)
    print(f"import cycles      {len(found)}")
    for group in found:
        print(f"    {' <-> '.join(group)}")
    print(f"module __getattr__ {module_getattr() or 'none'}")
    print(f"longest file       {files[0][1]} {files[0][0]} lines")
    print(f"longest function   {functions[0][1]} {functions[0][0]} lines")
    print(f"longest class      {classes[0][1]} {classes[0][0]} lines")
    for label, defs in (("functions", functions), ("classes", classes)):
        long_defs = [(n, d) for n, d in defs if n > 100]
        print(f"{label} over 100 lines: {len(long_defs)}")
        for n, d in long_defs:
            print(f"    {d} {n}")


if __name__ == "__main__":
    main()
