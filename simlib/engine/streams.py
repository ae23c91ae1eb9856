"""Named random streams for common random numbers.

Every stream is derived from the run's seed and a *name* (``("matter", "company",
"arrivals")``) through ``numpy.random.SeedSequence``, so it does not depend on the order
of matters in a file or on which other streams exist.

Applicant attributes are counter-based: the uniform for (purpose, applicant k, attempt)
is a keyed BLAKE2b hash of (k, attempt), keyed by the purpose's SeedSequence state. So
the k-th applicant of a matter has the same needs in every reform variant, whatever
happened to the applicants before it and whichever attributes a variant happens to use
(full attribute synchronisation at about a microsecond per draw, no buffers to keep).
"""

from __future__ import annotations

import struct
import zlib
from hashlib import blake2b

import numpy as np

__all__ = ["ApplicantDraws", "Draws", "stream", "stream_key"]

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


class ApplicantDraws:
    """Per-matter source of applicant attributes: one key per purpose."""

    def __init__(self, seed: int, matter: str):
        self.seed = seed
        self.matter = matter
        self._keys: dict[str, bytes] = {}
        self._count = 0

    def key(self, purpose: str) -> bytes:
        key = self._keys.get(purpose)
        if key is None:
            state = _seq(self.seed, ("matter", self.matter, "attr", purpose)).generate_state(4)
            key = self._keys[purpose] = state.tobytes()
        return key

    def next(self) -> Draws:
        """The draws of the next applicant of this matter (applicants are counted)."""
        draws = Draws(self, self._count)
        self._count += 1
        return draws


class Draws:
    """The uniforms of one applicant: ``u(purpose, attempt)`` in [0, 1)."""

    __slots__ = ("index", "owner")

    def __init__(self, owner: ApplicantDraws, index: int):
        self.owner = owner
        self.index = index

    def u(self, purpose: str, attempt: int = 0) -> float:
        digest = blake2b(
            _PACK(self.index, attempt), digest_size=8, key=self.owner.key(purpose)
        ).digest()
        return (int.from_bytes(digest, "little") >> 11) * _SCALE
