"""The hall kernel's native helpers, or their pure-Python twins: the loop asks here for its
event list (``event_heap``), for later attempts' uniforms (``keyed_uniform``) and for the
buffer its visits are recorded in (``row_buffer``).

The C extension ``_native`` (``_native.c``, built by ``build`` beside the compiled loop)
is used when it was built from the current ``_native.c`` (its ``SOURCE_HASH``) and
``SIMLIB_KERNEL`` is not ``python``; else the classes below, which do the same thing with
heapq and hashlib. Both give the same order of events and the same bits of every uniform
(``tests/unit/test_native.py``), so the records do not depend on which runs.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import math
import os
import struct
import warnings
from hashlib import blake2b
from heapq import heappop, heappush
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from simlib.engine.streams import _PACK, _SCALE

__all__ = [
    "NATIVE",
    "NATIVE_SOURCE",
    "EventList",
    "PyEventHeap",
    "PyKeyedUniform",
    "PyRows",
    "RowBuffer",
    "Uniform",
    "event_heap",
    "keyed_uniform",
    "native_module",
    "row_buffer",
]

NATIVE = "_native"  # the extension's name, beside this file
NATIVE_SOURCE = Path(__file__).resolve().parent / f"{NATIVE}.c"
BUILD_VARIABLE = "SIMLIB_KERNEL"  # "python": the pure-Python twins (as hall.BUILD_VARIABLE)


class EventList(Protocol):
    """The kernel's event list: events ``(time, sequence, kind, payload)`` come out in the
    order of heapq on those tuples; ``pop`` gives ``(time, kind, payload)``. ``schedule``
    pushes with the list's own next sequence number (0, 1, ...), which ``reserve`` takes
    for an event pushed later."""

    def push(self, time: float, seq: int, kind: int, payload: Any, /) -> None: ...

    def schedule(self, time: float, kind: int, payload: Any, /) -> None: ...

    def reserve(self) -> int: ...

    def pop(self) -> tuple[float, int, Any]: ...

    def before(self, time: float, seq: int, kind: int, /) -> bool:
        """Whether the first event comes before an event keyed ``(time, seq, kind)`` (a
        full tie is not before)."""
        ...

    def __len__(self) -> int: ...


class Uniform(Protocol):
    """Later attempts' uniforms of one purpose (``streams.Draws.u`` for attempt ≥ 1)."""

    def u(self, index: int, attempt: int, /) -> float: ...


class PyEventHeap:
    """The event list as heapq of ``(time, sequence, kind, payload)`` tuples. ``window`` is
    the native heap's (its far store's); here it is only checked: heapq's order is the
    same whenever no two events tie in time, sequence and kind."""

    __slots__ = ("_counter", "_items")

    def __init__(self, *, window: float = 0.0) -> None:
        if not 0.0 <= window < math.inf:
            raise ValueError(f"an event heap's window is 0 or more and finite, not {window!r}")
        self._items: list[tuple[float, int, int, Any]] = []
        self._counter = 0

    def push(self, time: float, seq: int, kind: int, payload: Any, /) -> None:
        if not isinstance(time, float | int):
            raise TypeError(f"an event's time is a number, not {type(time).__name__}")
        if time != time:
            raise ValueError("an event's time cannot be NaN")
        heappush(self._items, (time, seq, kind, payload))

    def schedule(self, time: float, kind: int, payload: Any, /) -> None:
        self.push(time, self._counter, kind, payload)
        self._counter += 1

    def reserve(self) -> int:
        n = self._counter
        self._counter = n + 1
        return n

    def pop(self) -> tuple[float, int, Any]:
        if not self._items:
            raise IndexError("pop from an empty event heap")
        time, _, kind, payload = heappop(self._items)
        return time, kind, payload

    def before(self, time: float, seq: int, kind: int, /) -> bool:
        if time != time:
            raise ValueError("an event's time cannot be NaN")
        if not self._items:
            return False
        first = self._items[0]
        return (first[0], first[1], first[2]) < (time, seq, kind)

    def __len__(self) -> int:
        return len(self._items)


class PyKeyedUniform:
    """``streams.Draws.u`` of a later attempt: BLAKE2b-64 keyed by the purpose's key of
    ``pack("<QI", index, attempt)``, its top 53 bits as a float in [0, 1). Hashes with a
    copy of one keyed hasher (the same digest, without setting the key up each time)."""

    __slots__ = ("_hasher",)

    def __init__(self, key: bytes) -> None:
        if not 1 <= len(key) <= 64:
            raise ValueError(f"a BLAKE2b key has 1 to 64 bytes, not {len(key)}")
        self._hasher = blake2b(digest_size=8, key=key)

    def u(self, index: int, attempt: int, /) -> float:
        hasher = self._hasher.copy()
        hasher.update(_PACK(index, attempt))
        return (int.from_bytes(hasher.digest(), "little") >> 11) * _SCALE


class RowBuffer(Protocol):
    """A table's rows written one at a time, taken as each column's bytes."""

    def add(self, *values: Any) -> None: ...

    def take(self) -> tuple[bytes, ...]: ...

    def __len__(self) -> int: ...


TYPECODES = "bBhHiIlLqQfd"  # the array typecodes a row buffer takes


class PyRows:
    """Rows as tuples, packed by ``struct`` when taken: each column's bytes in its array
    typecode's C type (those ``array.append`` writes). A row is checked when added, as the
    native ``Rows`` does: a value out of its column's range raises ``OverflowError``, one of
    the wrong type ``TypeError``, and the rows held stay as they were."""

    __slots__ = ("_check", "_codes", "_rows")

    def __init__(self, typecodes: str) -> None:
        if not 1 <= len(typecodes) <= 16:
            raise ValueError(f"Rows takes 1 to 16 columns, not {len(typecodes)}")
        for code in typecodes:
            if code not in TYPECODES:
                raise ValueError(f"'{code}' is not a typecode Rows takes (one of {TYPECODES})")
        self._codes = typecodes
        self._check = struct.Struct(f"@{typecodes}").pack
        self._rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        if len(values) != len(self._codes):
            raise TypeError(
                f"add takes one value per column ({len(self._codes)}), not {len(values)}"
            )
        try:
            self._check(*values)
        except struct.error as error:
            wrong_type = "required argument is not" in str(error)
            raise (TypeError if wrong_type else OverflowError)(
                f"a row does not fit its columns: {error}"
            ) from error
        self._rows.append(values)

    def take(self) -> tuple[bytes, ...]:
        rows, n = self._rows, len(self._rows)
        columns = zip(*rows, strict=True) if rows else ((),) * len(self._codes)
        packed = tuple(
            struct.pack(f"@{n}{code}", *values)
            for code, values in zip(self._codes, columns, strict=True)
        )
        rows.clear()
        return packed

    def __len__(self) -> int:
        return len(self._rows)


def source_hash(path: Path = NATIVE_SOURCE) -> str:
    """The SHA-256 of ``_native.c``: what a built extension must have been built from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def native_module() -> tuple[ModuleType | None, str]:
    """The built extension if it is there and fresh (else None), and why not; looked at
    once per process."""
    try:
        module = importlib.import_module(f"simlib.engine.kernel.{NATIVE}")
    except ImportError:
        return None, "not built (make, or python -m simlib.engine.kernel.build)"
    if not NATIVE_SOURCE.exists():  # an installed copy without its source: unknown build
        return None, "without its source _native.c to check it against"
    if getattr(module, "SOURCE_HASH", None) != source_hash():
        return None, "built from another version of _native.c (rebuild: make)"
    return module, "built"


_said: set[str] = set()


def _native() -> ModuleType | None:
    """The extension to use, or None (said once per process, as a warning, when a build is
    missing or stale; ``SIMLIB_KERNEL=python`` asks for the pure twins, silently)."""
    if os.environ.get(BUILD_VARIABLE, "") == "python":
        return None
    module, why = native_module()
    if module is None and why not in _said:
        _said.add(why)
        warnings.warn(
            f"simlib: the hall kernel's event list and hashes run as pure Python (same "
            f"records, slower): its C extension is {why}",
            RuntimeWarning,
            stacklevel=3,
        )
    return module


def event_heap(window: float = 0.0) -> EventList:
    """A new, empty event list: the extension's heap when built and fresh, else heapq's.
    ``window`` > 0: the native heap keeps events that far ahead aside until it runs empty
    (the same order of events unless some tie in time, sequence and kind)."""
    module = _native()
    heap: EventList = (
        module.EventHeap(window=window) if module is not None else PyEventHeap(window=window)
    )
    return heap


def row_buffer(typecodes: str) -> RowBuffer:
    """A new, empty row buffer for columns of these array typecodes: native when built."""
    module = _native()
    rows: RowBuffer = module.Rows(typecodes) if module is not None else PyRows(typecodes)
    return rows


def keyed_uniform(key: bytes) -> Uniform:
    """Later attempts' uniforms for a purpose's key: native when built and fresh."""
    module = _native()
    uniform: Uniform = module.KeyedUniform(key) if module is not None else PyKeyedUniform(key)
    return uniform
