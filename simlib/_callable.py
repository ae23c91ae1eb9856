"""``simlib.calibrate`` and ``simlib.optimize`` are packages and, to a notebook, the
functions it calls (``simlib.optimize(opt, executor=2)``).

Binding the function to the package's name on ``simlib`` broke the standard import of a
submodule: ``import simlib.optimize.selection as s`` resolves ``simlib.optimize`` as an
attribute, found the function and failed ("cannot import name 'selection'"). So the name
stays the package, and the package is made callable instead.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

__all__ = ["CallablePackage", "make_callable"]


class CallablePackage(types.ModuleType):
    """A package that, when called, calls its namesake function (``__wrapped__``, which
    ``inspect.signature`` and ``help``'s signature line also follow)."""

    __wrapped__: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__wrapped__(*args, **kwargs)


def make_callable(package: str, function: Callable[..., Any]) -> None:
    """Make the imported ``package`` call ``function`` when called."""
    module = sys.modules[package]
    module.__class__ = CallablePackage
    module.__wrapped__ = function  # type: ignore[attr-defined]
