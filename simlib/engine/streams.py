"""Named random streams for common random numbers.

Every stream is derived from the run's seed and a *name* (``("matter", "company",
"arrivals")``) through ``numpy.random.SeedSequence``, so it does not depend on the order
of matters in a file or on which other streams exist.

Applicant attributes are indexed, not consumed: the uniform for (purpose, applicant k,
attempt) depends only on those three and the seed. So the k-th applicant of a matter has
the same needs in every reform variant, whatever happened to the applicants before it and
whichever attributes a variant happens to use (full attribute synchronisation). First
attempts (nearly all draws) come from blocks of 1,024 uniforms, one SeedSequence stream per
(purpose, block), regenerated on demand when an old block was dropped; later attempts (a
return, a redo) from a keyed BLAKE2b hash of (k, attempt).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from hashlib import blake2b
from typing import Protocol

import numpy as np

__all__ = [
    "BLOCK_BITS",
    "KEEP_BLOCKS",
    "ApplicantDraws",
    "Draws",
    "KeyedHash",
    "Uniform",
    "stream",
    "stream_key",
]

_PACK = struct.Struct("<QI").pack
_SCALE = 2.0**-53


def stream_key(*names: str | int) -> tuple[int, ...]:
    """A stable spawn key for a name (crc32 is the same in every process, unlike hash)."""
    return tuple(n if isinstance(n, int) else zlib.crc32(n.encode()) for n in names)


def _seq(seed: int, names: tuple[str | int, ...]) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=stream_key(*names))


def stream(seed: int, *names: str | int) -> np.random.Generator:
    """An independent generator for the purpose ``names`` of the run seeded ``seed``."""
    return np.random.Generator(np.random.PCG64(_seq(seed, names)))


class Uniform(Protocol):
    """Later attempts' uniforms of one purpose: ``u(applicant index, attempt)``."""

    def u(self, index: int, attempt: int, /) -> float: ...


class KeyedHash:
    """Later attempts' uniforms in Python: BLAKE2b-64 keyed by the purpose's key of
    ``pack("<QI", index, attempt)``, its top 53 bits as a float in [0, 1). Hashes with a copy
    of one keyed hasher (the same digest, without setting the key up each time). The hall
    kernel's C ``KeyedUniform`` gives the same bits (``tests/unit/test_native.py``)."""

    __slots__ = ("_hasher",)

    def __init__(self, key: bytes) -> None:
        self._hasher = blake2b(digest_size=8, key=key)

    def u(self, index: int, attempt: int, /) -> float:
        hasher = self._hasher.copy()
        hasher.update(_PACK(index, attempt))
        return (int.from_bytes(hasher.digest(), "little") >> 11) * _SCALE


BLOCK_BITS = _BLOCK_BITS = 10
_BLOCK_MASK = (1 << _BLOCK_BITS) - 1
KEEP_BLOCKS = _KEEP_BLOCKS = 8  # per purpose; older blocks are regenerated if needed again


class ApplicantDraws:
    """Per-matter source of applicant attributes. ``keyed`` makes the later attempts' uniforms
    of a purpose from its key: ``KeyedHash``, or the same bits faster (the engine passes the
    hall kernel's C ``KeyedUniform`` when it is built)."""

    def __init__(self, seed: int, matter: str, keyed: Callable[[bytes], Uniform] = KeyedHash):
        self.seed = seed
        self.matter = matter
        self._keyed = keyed
        self._keys: dict[str, bytes] = {}
        self._uniforms: dict[str, Uniform] = {}  # later attempts' uniforms, per purpose
        self._blocks: dict[str, dict[int, list[float]]] = {}
        self._count = 0

    def first(self, purpose: str, index: int) -> float:
        """The first-attempt uniform of applicant ``index`` for ``purpose``."""
        return self.block(purpose, index >> _BLOCK_BITS)[index & _BLOCK_MASK]

    def block(self, purpose: str, number: int) -> list[float]:
        """The first-attempt uniforms of applicants ``number * 1024`` to ``number * 1024 +
        1023`` for ``purpose``."""
        blocks = self._blocks.get(purpose)
        if blocks is None:
            blocks = self._blocks[purpose] = {}
        block = blocks.get(number)
        if block is None:
            names = ("matter", self.matter, "attr", purpose, number)
            # As Python floats (the same values): indexing a list is the cheaper read.
            block = blocks[number] = stream(self.seed, *names).random(1 << _BLOCK_BITS).tolist()
            if len(blocks) > _KEEP_BLOCKS:
                del blocks[min(blocks)]
        return block

    def key(self, purpose: str) -> bytes:
        key = self._keys.get(purpose)
        if key is None:
            state = _seq(self.seed, ("matter", self.matter, "attr", purpose)).generate_state(4)
            key = self._keys[purpose] = state.tobytes()
        return key

    def uniform(self, purpose: str) -> Uniform:
        """Later attempts' uniforms for ``purpose``."""
        uniform = self._uniforms.get(purpose)
        if uniform is None:
            uniform = self._uniforms[purpose] = self._keyed(self.key(purpose))
        return uniform

    def take(self) -> int:
        """The number of the next applicant of this matter (applicants are counted)."""
        index = self._count
        self._count = index + 1
        return index


class Draws:
    """The uniforms of one applicant: ``u(purpose, attempt)`` in [0, 1). The engine's
    ``Case`` is a ``Draws``: an application carries its applicant's random needs."""

    __slots__ = ("index", "owner")

    def __init__(self, owner: ApplicantDraws, index: int):
        self.owner = owner
        self.index = index

    def u(self, purpose: str, attempt: int = 0) -> float:
        if attempt == 0:
            # ApplicantDraws.first, its usual case inlined (the hot path of every draw).
            # A try costs nothing when the block is there (nearly always).
            owner, index = self.owner, self.index
            try:
                return owner._blocks[purpose][index >> _BLOCK_BITS][index & _BLOCK_MASK]
            except KeyError:
                return owner.first(purpose, index)
        uniform = self.owner._uniforms.get(purpose)
        if uniform is None:
            uniform = self.owner.uniform(purpose)
        return uniform.u(self.index, attempt)
