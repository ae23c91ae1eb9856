"""Later attempts' uniforms: a keyed BLAKE2b hash of (applicant, attempt), whatever the
order in which they are asked for (the engine hashes with copies of one keyed hasher)."""

from __future__ import annotations

import struct
from hashlib import blake2b

from simlib.engine.streams import ApplicantDraws, Draws


def _by_definition(owner: ApplicantDraws, purpose: str, index: int, attempt: int) -> float:
    data = struct.pack("<QI", index, attempt)
    digest = blake2b(data, digest_size=8, key=owner.key(purpose)).digest()
    return (int.from_bytes(digest, "little") >> 11) * 2.0**-53


def test_later_attempts_are_the_keyed_hash_in_any_order() -> None:
    owner = ApplicantDraws(7, "permit")
    asks = [
        (k, p, a) for k in (0, 5, 1023, 1024) for p in ("complete", "patience") for a in (1, 2, 3)
    ]
    forward = [Draws(owner, k).u(p, a) for k, p, a in asks]
    backward = [Draws(owner, k).u(p, a) for k, p, a in reversed(asks)][::-1]
    assert forward == backward == [_by_definition(owner, p, k, a) for k, p, a in asks]
    assert len(set(forward)) == len(forward)
    fresh = ApplicantDraws(7, "permit")  # a new run of the same seed: the same uniforms
    assert [Draws(fresh, k).u(p, a) for k, p, a in asks] == forward
