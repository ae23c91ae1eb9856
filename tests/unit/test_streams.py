"""Later attempts' uniforms: a keyed BLAKE2b hash of (applicant, attempt), whatever the
order in which they are asked for, and whether the hall kernel's C helper hashes them or
Python does (it is used when built)."""

from __future__ import annotations

import struct
from hashlib import blake2b

import pytest

from simlib.engine.kernel import native
from simlib.engine.streams import ApplicantDraws, Draws


def _by_definition(owner: ApplicantDraws, purpose: str, index: int, attempt: int) -> float:
    data = struct.pack("<QI", index, attempt)
    digest = blake2b(data, digest_size=8, key=owner.key(purpose)).digest()
    return (int.from_bytes(digest, "little") >> 11) * 2.0**-53


@pytest.mark.parametrize("built", [True, False], ids=["native if built", "pure Python"])
def test_later_attempts_are_the_keyed_hash_in_any_order(
    built: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not built:
        monkeypatch.setattr(native, "native_module", lambda: (None, "not built"))
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
    module = native.native_module()[0]
    assert type(owner._uniforms["patience"]) is (
        native.PyKeyedUniform if module is None else module.KeyedUniform
    )
