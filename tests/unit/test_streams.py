"""Later attempts' uniforms: a keyed BLAKE2b hash of (applicant, attempt), whatever the
order in which they are asked for, and whether Python (``KeyedHash``) or the hall kernel's
C helper (used by the engine when built) hashes them."""

from __future__ import annotations

import struct
from collections.abc import Callable
from hashlib import blake2b

import pytest

from simlib.engine.kernel import native
from simlib.engine.model import keyed_uniforms
from simlib.engine.streams import ApplicantDraws, Draws, KeyedHash, Uniform

built = native.native_module()[0]
KEYED: list[Callable[[bytes], Uniform]] = [KeyedHash]
if built is not None:
    KEYED.append(built.KeyedUniform)


def _by_definition(owner: ApplicantDraws, purpose: str, index: int, attempt: int) -> float:
    data = struct.pack("<QI", index, attempt)
    digest = blake2b(data, digest_size=8, key=owner.key(purpose)).digest()
    return (int.from_bytes(digest, "little") >> 11) * 2.0**-53


@pytest.mark.parametrize("keyed", KEYED)
def test_later_attempts_are_the_keyed_hash_in_any_order(
    keyed: Callable[[bytes], Uniform],
) -> None:
    owner = ApplicantDraws(7, "permit", keyed)
    asks = [
        (k, p, a) for k in (0, 5, 1023, 1024) for p in ("complete", "patience") for a in (1, 2, 3)
    ]
    forward = [Draws(owner, k).u(p, a) for k, p, a in asks]
    backward = [Draws(owner, k).u(p, a) for k, p, a in reversed(asks)][::-1]
    assert forward == backward == [_by_definition(owner, p, k, a) for k, p, a in asks]
    assert len(set(forward)) == len(forward)
    fresh = ApplicantDraws(7, "permit")  # a new run of the same seed: the same uniforms
    assert [Draws(fresh, k).u(p, a) for k, p, a in asks] == forward
    assert type(owner.uniform("patience")) is keyed


def test_the_engine_hashes_in_c_when_the_kernel_helpers_are_built() -> None:
    assert keyed_uniforms() is (built.KeyedUniform if built is not None else KeyedHash)
