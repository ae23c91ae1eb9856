"""Which build of the hall kernel's loop runs: the mypyc-compiled module when it was built
from the current ``loop.py``, else ``loop.py`` itself (the same code, slower).

The compiled module (``_loop_mypyc``, built by ``make`` or ``python -m
simlib.engine.kernel.build``) records the SHA-256 of the source it was compiled from; a
module built from another version of ``loop.py`` is never used. ``SIMLIB_KERNEL=python``
forces the pure-Python loop. Whichever runs, the records are identical
(``tests/unit/test_kernel.py``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import warnings
from pathlib import Path
from types import ModuleType

from simlib.engine.kernel import loop
from simlib.engine.records import Records
from simlib.scenario.model import Scenario

__all__ = ["BUILD_VARIABLE", "COMPILED", "SOURCE", "compiled_loop", "run_hall", "which_loop"]

BUILD_VARIABLE = "SIMLIB_KERNEL"  # "python": run the pure-Python loop even when compiled
SOURCE = Path(loop.__file__).resolve()
COMPILED = "_loop_mypyc"  # the compiled module's name, beside ``loop.py``


def source_hash(path: Path = SOURCE) -> str:
    """The SHA-256 of the loop's source: what a compiled module must have been built from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


_said: set[str] = set()


@functools.cache
def compiled_loop() -> tuple[ModuleType | None, str]:
    """The compiled loop if it is there and fresh (else None), and why not. Looked at once
    per process: the pure ``loop`` a process has imported does not change either."""
    try:
        module = importlib.import_module(f"simlib.engine.kernel.{COMPILED}")
    except ImportError:
        return None, "not built (make, or python -m simlib.engine.kernel.build)"
    if getattr(module, "SOURCE_HASH", None) != source_hash():
        return None, "built from another version of loop.py (rebuild: make)"
    return module, "compiled"


def which_loop() -> ModuleType:
    """The loop module to run: compiled if fresh and not disabled, else pure Python (said
    once per process, as a warning, when a build is missing or stale)."""
    if os.environ.get(BUILD_VARIABLE, "") == "python":
        return loop
    module, why = compiled_loop()
    if module is None:
        if why not in _said:
            _said.add(why)
            warnings.warn(
                f"simlib: the hall kernel runs as pure Python (same records, slower): "
                f"its compiled module is {why}",
                RuntimeWarning,
                stacklevel=3,
            )
        return loop
    return module


def run_hall(scenario: Scenario, seed: int, detail: str) -> Records:
    """Run a window-only hall (``kernel_refusal(scenario) is None``) on the kernel."""
    records: Records = which_loop().run_hall(scenario, seed, detail)
    return records
