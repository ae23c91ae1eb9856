"""`make test` runs `pytest -n 2 --dist loadgroup`: tests marked with an xdist group (the
demo and notebook 02, which share one run store) must run one after the other on one
worker. pytest-xdist marks a grouped test by a suffix of its node id; if a pytest release
stops carrying it (pytest 9.2 with xdist 3.8 did), the groups are silently ignored."""

from __future__ import annotations

import pytest

from tests.helpers import GREEN_STUDY


@GREEN_STUDY
def test_grouped_tests_carry_their_group_under_loadgroup(request: pytest.FixtureRequest) -> None:
    # xdist sets ``loadgroup`` on each worker of a `--dist loadgroup` run (its ``dist`` is "no").
    if not getattr(request.config.option, "loadgroup", False):
        return  # one process, or another distribution mode: nothing is grouped
    assert request.node.nodeid.endswith("@green_study"), request.node.nodeid
