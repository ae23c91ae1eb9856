"""Compile the hall kernel's loop (``loop.py``) with mypyc and its native helpers
(``_native.c``) as a C extension: ``python -m simlib.engine.kernel.build`` (what ``make``
runs, best effort: each part that does not build runs as pure Python, same records).

The compiled module, ``_loop_mypyc``, is built from a copy of ``loop.py`` that carries the
SHA-256 of the source
it came from (``SOURCE_HASH``), so that ``hall`` can tell a stale build from a fresh one and
never runs old code. The copy drops the ``__slots__`` declarations: mypyc's native classes
have fixed attributes already and refuse them. Nothing else changes, so the compiled module
does the same floating-point operations in the same order and gives identical records.

The extension ``_native`` is compiled with setuptools' ``build_ext`` (setuptools is what
mypyc builds with too) with the SHA-256 of ``_native.c`` as its ``SOURCE_HASH``, checked
the same way by ``native``.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

from simlib.engine.kernel import native
from simlib.engine.kernel.hall import COMPILED, SOURCE, source_hash

__all__ = ["build", "build_native", "compiled_source"]

HERE = SOURCE.parent


def compiled_source(text: str, digest: str) -> str:
    """``loop.py`` as mypyc compiles it: without ``__slots__``, with its source hash."""
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in targets):
                    drop.update(range(stmt.lineno - 1, (stmt.end_lineno or stmt.lineno)))
    kept = "".join(line for i, line in enumerate(lines) if i not in drop)
    return kept + f'\nSOURCE_HASH = "{digest}"\n'


def build_native() -> int:
    """Compile ``_native.c`` into the extension ``_native`` beside it (0 if it built).

    Run in a child process, so that a failing compiler (no gcc, no Python headers) is
    reported like mypyc's and the rest of the build goes on."""
    root = HERE.parent.parent.parent
    script = (
        "import sys\n"
        "from setuptools import Distribution, Extension\n"
        "from setuptools.command.build_ext import build_ext\n"
        "source, digest, temp = sys.argv[1:]\n"
        "extension = Extension('simlib.engine.kernel._native', [source],\n"
        "    define_macros=[('SOURCE_HASH', '\"' + digest + '\"')],\n"
        "    extra_compile_args=['-O3'])\n"
        "command = build_ext(Distribution({'ext_modules': [extension]}))\n"
        "command.inplace = True\n"
        "command.build_temp = temp\n"
        "command.ensure_finalized()\n"
        "command.run()\n"
    )
    source = native.NATIVE_SOURCE.relative_to(root)
    temp = str(Path("build") / "native")
    return subprocess.call(
        [sys.executable, "-c", script, str(source), native.source_hash(), temp], cwd=root
    )


def build() -> int:
    """Compile ``_native.c`` and ``loop.py`` (returns 0 if both built, else the first
    failure's exit status; a part that built is kept)."""
    status = build_native()
    return build_loop() or status


def build_loop() -> int:
    """Compile ``loop.py`` into ``_loop_mypyc`` (returns the compiler's exit status)."""
    root = HERE.parent.parent.parent
    copy = HERE / f"{COMPILED}.py"
    copy.write_text(compiled_source(SOURCE.read_text(), source_hash()))
    mypyc = shutil.which("mypyc", path=str(Path(sys.executable).parent)) or "mypyc"
    env = dict(os.environ, MYPYC_OPT_LEVEL=os.environ.get("MYPYC_OPT_LEVEL", "3"))
    try:
        return subprocess.call(
            [mypyc, "--config-file", str(root / "pyproject.toml"), str(copy.relative_to(root))],
            cwd=root,
            env=env,
        )
    finally:
        copy.unlink()


if __name__ == "__main__":
    sys.exit(build())
