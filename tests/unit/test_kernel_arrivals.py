"""The hall kernel's arrival instants (``loop._Arrivals``) are those of the engine's
``arrivals.arrival_times``: the same draws, the same arithmetic, the same end."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.engine.arrivals import arrival_times
from simlib.engine.kernel import loop

segments = st.lists(
    st.tuples(
        st.floats(0, 5000, allow_nan=False),
        st.floats(0, 3000, allow_nan=False),
        st.floats(0.001, 5, allow_nan=False),
    ),
    max_size=6,
).map(lambda raw: sorted((s, s + length, rate) for s, length, rate in raw))


@settings(max_examples=150, deadline=None)
@given(segments=segments, horizon=st.floats(0, 12000, allow_nan=False), seed=st.integers(0, 9))
def test_kernel_arrivals_are_the_engines(
    segments: list[tuple[float, float, float]], horizon: float, seed: int
) -> None:
    expected = list(arrival_times(segments, np.random.default_rng(seed), horizon))
    arrivals = loop._Arrivals(cast(Any, None), segments, np.random.default_rng(seed), horizon)
    got = []
    while (t := arrivals.next()) >= 0.0:
        got.append(t)
    assert got == expected
    assert arrivals.next() == -1.0  # and stays done
