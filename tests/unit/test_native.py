"""The hall kernel's native helpers (``_native.c``) and their pure twins (``native.py``):
the same order of events as heapq on ``(time, sequence, kind, payload)`` tuples, the same
bits as ``streams.Draws.u``, the same records; a stale or missing build is never used."""

from __future__ import annotations

import gc
import heapq
import importlib
import math
import os
import struct
import warnings
import weakref
from array import array
from collections.abc import Callable
from hashlib import blake2b
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simlib.engine.kernel import loop, native
from simlib.engine.streams import ApplicantDraws, Draws
from tests.unit.test_kernel import (
    assert_same_records,
    backup_priority_hall,
    comprehensive_priority_hall,
    district_windows,
)

built, why_not = native.native_module()
# CI builds the extension (make test): there a missing build is a failure, not a skip.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
needs_build = pytest.mark.skipif(
    built is None and not IN_CI, reason=f"native kernel helpers {why_not}"
)


def native_heap() -> native.EventList:
    assert built is not None, f"native kernel helpers {why_not} (make kernel)"
    heap: native.EventList = built.EventHeap()
    return heap


def native_uniform(key: bytes) -> native.Uniform:
    assert built is not None, f"native kernel helpers {why_not} (make kernel)"
    uniform: native.Uniform = built.KeyedUniform(key)
    return uniform


HEAPS = [
    pytest.param(native.PyEventHeap, id="pure"),
    pytest.param(native_heap, id="native", marks=needs_build),
]


def native_scalar_uniform(key: bytes) -> native.Uniform:
    """The native uniforms without AVX2 (what a processor without it runs)."""
    assert built is not None, f"native kernel helpers {why_not} (make kernel)"
    uniform: native.Uniform = built.KeyedUniform(key, vector=False)
    return uniform


UNIFORMS = [
    pytest.param(native.PyKeyedUniform, id="pure"),
    pytest.param(native_uniform, id="native", marks=needs_build),  # AVX2 where there is
    pytest.param(native_scalar_uniform, id="native-scalar", marks=needs_build),
]

# Few distinct values, so that times, sequences (with the -1 of DAY_STARTS and TIMERS_DUE),
# kinds and whole events tie often; the payload carries the sequence, so an order that
# swapped two events differing only there would show.
events = st.tuples(
    st.sampled_from([0.0, -0.0, 1.5, 480.0, 1440.0, 1e9, float("inf"), -2.0]),
    st.integers(-1, 4) | st.integers(-(2**62), 2**62),
    st.sampled_from([0, 1, 11, 12]),
    st.integers(0, 2),
)
# A script: an event to push, or None to pop (when there is one).
scripts = st.lists(st.one_of(events, st.none()), max_size=300)


@pytest.mark.parametrize("make", HEAPS)
@settings(max_examples=150, deadline=None)
@given(script=scripts)
@example(script=[(0.0, 0, 0, 1), (0.0, 0, 0, 0), None, (0.0, -1, 12, 0), (0.0, -1, 11, 0)])
def test_events_come_out_in_the_order_of_heapq_on_tuples(
    make: Callable[[], native.EventList], script: list[tuple[float, int, int, int] | None]
) -> None:
    heap = make()
    reference: list[tuple[float, int, int, tuple[int, int]]] = []
    got, expected = [], []
    for step in script:
        if step is None:
            if reference:
                got.append(heap.pop())
                time, _, kind, payload = heapq.heappop(reference)
                expected.append((time, kind, payload))
            continue
        time, seq, kind, tag = step
        heap.push(time, seq, kind, (tag, seq))
        heapq.heappush(reference, (time, seq, kind, (tag, seq)))
        assert len(heap) == len(reference)
    while reference:
        got.append(heap.pop())
        time, _, kind, payload = heapq.heappop(reference)
        expected.append((time, kind, payload))
    assert got == expected
    assert len(heap) == 0 and not heap


# A script: ("push", event), ("schedule", time, kind), ("reserve",) or ("pop",).
numbered_scripts = st.lists(
    st.one_of(
        st.tuples(st.just("push"), events),
        st.tuples(st.just("schedule"), events.map(lambda e: e[0]), st.sampled_from([0, 1, 12])),
        st.tuples(st.just("reserve")),
        st.tuples(st.just("pop")),
    ),
    max_size=300,
)


@pytest.mark.parametrize("make", HEAPS)
@settings(max_examples=150, deadline=None)
@given(script=numbered_scripts)
def test_scheduled_events_take_the_heaps_own_sequence_numbers(
    make: Callable[[], native.EventList], script: list[tuple[Any, ...]]
) -> None:
    """``schedule`` is ``push`` with the numbers 0, 1, ... (those ``reserve`` took skipped),
    mixed with pushes of any number: the order of heapq on the tuples."""
    heap = make()
    reference: list[tuple[float, int, int, Any]] = []
    counter = 0
    for step in script:
        if step[0] == "push":
            time, seq, kind, tag = step[1]
            heap.push(time, seq, kind, (tag, seq))
            heapq.heappush(reference, (time, seq, kind, (tag, seq)))
        elif step[0] == "schedule":
            heap.schedule(step[1], step[2], (3, counter))
            heapq.heappush(reference, (step[1], counter, step[2], (3, counter)))
            counter += 1
        elif step[0] == "reserve":
            assert heap.reserve() == counter
            counter += 1
        elif reference:
            time, _, kind, payload = heapq.heappop(reference)
            assert heap.pop() == (time, kind, payload)
    while reference:
        time, _, kind, payload = heapq.heappop(reference)
        assert heap.pop() == (time, kind, payload)
    assert len(heap) == 0
    with pytest.raises(ValueError, match="NaN"):
        heap.schedule(float("nan"), 0, None)
    assert heap.reserve() == counter  # a refused event takes no number


def native_window_heap(window: float) -> native.EventList:
    assert built is not None, f"native kernel helpers {why_not} (make kernel)"
    heap: native.EventList = built.EventHeap(window=window)
    return heap


WINDOW_HEAPS = [
    pytest.param(lambda window: native.PyEventHeap(window=window), id="pure"),
    pytest.param(native_window_heap, id="native", marks=needs_build),
]
# Times with ties, infinities and gaps far wider and narrower than the windows.
far_times = st.sampled_from([-math.inf, -5.0, 0.0, 0.5, 1.0, 30.0, 1440.0, 3000.0, math.inf])


@pytest.mark.parametrize("make", WINDOW_HEAPS)
@settings(max_examples=200, deadline=None)
@given(
    window=st.sampled_from([0.0, 1e-9, 0.25, 1.0, 3.0, 1440.0, 1e300]),
    script=st.lists(
        st.one_of(
            st.tuples(far_times | st.integers(-40, 40).map(lambda i: i / 4), st.integers(0, 3)),
            st.none(),
        ),
        max_size=300,
    ),
)
def test_a_heap_with_a_window_keeps_the_order_of_events_that_never_fully_tie(
    make: Callable[[float], native.EventList],
    window: float,
    script: list[tuple[float, int] | None],
) -> None:
    """Events kept aside (a window or more after the heap's earliest) come out in heapq's
    order, popped between pushes or at the end, whatever the window; ``before`` counts them."""
    heap = make(window)
    reference: list[tuple[float, int, int, Any]] = []
    seq = 0
    for step in script:
        if step is None:
            if reference:
                time, _, kind, payload = heapq.heappop(reference)
                assert heap.pop() == (time, kind, payload)
            continue
        heap.push(step[0], seq, step[1], seq)
        heapq.heappush(reference, (step[0], seq, step[1], seq))
        seq += 1
        assert len(heap) == len(reference)
        for probe in (-5.0, 0.0, 30.0, 3000.0):  # ``before`` sees the events kept aside too
            expected = reference[0][:3] < (probe, seq, 0)
            assert heap.before(probe, seq, 0) is expected
    while reference:
        time, _, kind, payload = heapq.heappop(reference)
        assert heap.pop() == (time, kind, payload)
    assert len(heap) == 0
    with pytest.raises(IndexError):
        heap.pop()


@pytest.mark.parametrize("make", WINDOW_HEAPS)
def test_a_heap_window_is_a_finite_number_not_below_zero(
    make: Callable[[float], native.EventList],
) -> None:
    for bad in (-1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="window"):
            make(bad)


def test_the_native_heap_lets_go_of_the_payloads_it_keeps_aside() -> None:
    if built is None:
        pytest.skip(f"native kernel helpers {why_not}")

    class Payload:
        heap: Any = None

    heap = native_window_heap(10.0)
    payload = Payload()
    payload.heap = heap
    heap.push(0.0, 0, 0, "first")
    assert heap.pop() == (0.0, 0, "first")  # the split is now 10
    heap.push(50.0, 1, 0, payload)  # aside
    gone = weakref.ref(payload)
    del heap, payload
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("make", HEAPS)
@settings(max_examples=100, deadline=None)
@given(script=scripts, keys=st.lists(events, min_size=1, max_size=5))
@example(script=[(1.5, 0, 11, 0)], keys=[(1.5, 0, 11, 0), (1.5, 0, 12, 0), (1.5, -1, 12, 0)])
def test_before_says_whether_the_first_event_comes_before_a_key(
    make: Callable[[], native.EventList],
    script: list[tuple[float, int, int, int] | None],
    keys: list[tuple[float, int, int, int]],
) -> None:
    """``before(time, seq, kind)``: the first event's (time, seq, kind) < that key, as tuples
    compare (a full tie is not before; an empty heap has nothing before anything)."""
    heap = make()
    reference: list[tuple[float, int, int, tuple[int, int]]] = []
    for step in [*script, None]:
        if step is None:
            if reference:
                heap.pop()
                heapq.heappop(reference)
        else:
            time, seq, kind, tag = step
            heap.push(time, seq, kind, (tag, seq))
            heapq.heappush(reference, (time, seq, kind, (tag, seq)))
        for time, seq, kind, _ in keys:
            first = reference[0][:3] if reference else None
            expected = first is not None and first < (time, seq, kind)
            assert heap.before(time, seq, kind) is expected
    with pytest.raises(ValueError):
        heap.before(float("nan"), 0, 0)


@pytest.mark.parametrize("make", HEAPS)
def test_a_popped_event_stays_what_it_was_while_it_is_held(
    make: Callable[[], native.EventList],
) -> None:
    """The native heap refills its last result tuple only when nobody holds it."""
    heap = make()
    for i in range(6):
        heap.push(float(i), i, i % 3, f"payload {i}")
    held = heap.pop()
    time, kind, payload = heap.pop()  # unpacked: its tuple may be refilled
    assert (time, kind, payload) == (1.0, 1, "payload 1")
    assert [heap.pop() for _ in range(2)] == [(2.0, 2, "payload 2"), (3.0, 0, "payload 3")]
    assert held == (0.0, 0, "payload 0")
    unpacked = []
    while heap:
        time, kind, payload = heap.pop()
        unpacked.append((time, kind, payload))
    assert unpacked == [(4.0, 1, "payload 4"), (5.0, 2, "payload 5")]


@pytest.mark.parametrize("make", HEAPS)
def test_an_event_heap_refuses_what_heapq_would_not_order(
    make: Callable[[], native.EventList],
) -> None:
    heap = make()
    with pytest.raises(IndexError, match="empty event heap"):
        heap.pop()
    with pytest.raises(ValueError, match="NaN"):
        heap.push(float("nan"), 0, 0, None)
    with pytest.raises(TypeError):
        heap.push("soon", 0, 0, None)  # type: ignore[arg-type]
    heap.push(1.0, 0, 0, object())
    with pytest.raises(TypeError):  # a full tie compares payloads, as tuples do
        heap.push(1.0, 0, 0, object())


def test_the_native_heap_lets_go_of_its_payloads() -> None:
    """Payloads (officers, tickets, which reach the kernel and so the heap) form cycles
    through the heap: the collector must see and break them."""
    if built is None:
        pytest.skip(f"native kernel helpers {why_not}")

    class Payload:
        heap: Any = None

    heap = native_heap()
    payload = Payload()
    payload.heap = heap
    heap.push(0.0, 0, 0, payload)
    gone = weakref.ref(payload)
    del heap, payload
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("make", UNIFORMS)
@settings(max_examples=300, deadline=None)
@given(
    key=st.binary(min_size=1, max_size=64),
    index=st.integers(0, 2**64 - 1),
    attempt=st.integers(0, 2**32 - 1),
)
def test_keyed_uniforms_have_the_bits_of_keyed_blake2b(
    make: Callable[[bytes], native.Uniform], key: bytes, index: int, attempt: int
) -> None:
    digest = blake2b(digest_size=8, key=key)
    digest.update(index.to_bytes(8, "little") + attempt.to_bytes(4, "little"))
    expected = (int.from_bytes(digest.digest(), "little") >> 11) * 2.0**-53
    assert make(key).u(index, attempt) == expected


@pytest.mark.parametrize("make", UNIFORMS)
def test_keyed_uniforms_are_the_applicants_later_draws(
    make: Callable[[bytes], native.Uniform],
) -> None:
    owner = ApplicantDraws(7, "passport")
    for purpose in ("accept_time", "patience", "renege_return"):
        uniform = make(owner.key(purpose))
        for index in (0, 1, 1023, 1024, 99_999):
            for attempt in (1, 2, 7):
                assert uniform.u(index, attempt) == Draws(owner, index).u(purpose, attempt)


@pytest.mark.parametrize("make", UNIFORMS)
def test_keyed_uniforms_refuse_bad_keys_and_numbers(
    make: Callable[[bytes], native.Uniform],
) -> None:
    for key in (b"", bytes(65)):
        with pytest.raises(ValueError, match="1 to 64 bytes"):
            make(key)
    uniform = make(b"k")
    with pytest.raises((OverflowError, struct.error)):
        uniform.u(-1, 1)
    with pytest.raises((OverflowError, struct.error)):
        uniform.u(0, 2**32)


def native_rows(typecodes: str) -> native.RowBuffer:
    assert built is not None, f"native kernel helpers {why_not} (make kernel)"
    rows: native.RowBuffer = built.Rows(typecodes)
    return rows


ROWS = [
    pytest.param(native.PyRows, id="pure"),
    pytest.param(native_rows, id="native", marks=needs_build),
]
# Each typecode's range (floats: any double; "f" rounds it as array does).
RANGES = {
    code: st.integers(-(2 ** (8 * size - 1)), 2 ** (8 * size - 1) - 1)
    if code.islower()
    else st.integers(0, 2 ** (8 * size) - 1)
    for code, size in ((c, array(c).itemsize) for c in "bBhHiIlLqQ")
}
RANGES["d"] = st.floats(allow_nan=False) | st.integers(-(2**53), 2**53)
RANGES["f"] = st.floats(width=32, allow_nan=False)


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[tuple[Any, ...]]]:
    codes = draw(st.text(alphabet=native.TYPECODES, min_size=1, max_size=16))
    rows = draw(st.lists(st.tuples(*(RANGES[c] for c in codes)), max_size=40))
    return codes, rows


@pytest.mark.parametrize("make", ROWS)
@settings(max_examples=150, deadline=None)
@given(table=tables(), split=st.integers(0, 40))
def test_row_buffers_give_the_bytes_array_append_writes(
    make: Callable[[str], native.RowBuffer], table: tuple[str, list[tuple[Any, ...]]], split: int
) -> None:
    codes, rows = table
    buffer = make(codes)
    columns = [array(c) for c in codes]
    for part in (rows[:split], rows[split:]):  # taken twice: the buffer starts over
        expected = [array(c) for c in codes]
        for row in part:
            buffer.add(*row)
            for column, value in zip(expected, row, strict=True):
                column.append(value)
        assert len(buffer) == len(part)
        taken = buffer.take()
        assert len(buffer) == 0
        assert taken == tuple(column.tobytes() for column in expected)
        for column, data in zip(columns, taken, strict=True):
            column.frombytes(data)
    assert [list(c) for c in columns] == [[row[i] for row in rows] for i in range(len(codes))]


@pytest.mark.parametrize("make", ROWS)
def test_row_buffers_refuse_what_array_would_not_hold(
    make: Callable[[str], native.RowBuffer],
) -> None:
    for codes in ("", "x", "d" * 17, "iu"):
        with pytest.raises(ValueError, match=r"(column|typecode)"):
            make(codes)
    buffer = make("ibd")
    buffer.add(1, -128, 0.5)
    with pytest.raises(TypeError, match="one value per column"):
        buffer.add(1, 2)
    for bad in ((2**31, 0, 0.0), (0, 128, 0.0), (0, -129, 0.0), (-(2**31) - 1, 0, 1.0)):
        with pytest.raises(OverflowError):
            buffer.add(*bad)
    for bad in ((1.0, 0, 0.0), (0, "1", 0.0), (0, 0, "soon")):
        with pytest.raises(TypeError):
            buffer.add(*bad)
    # The refused rows left the one added before them as it was.
    assert buffer.take() == (array("i", [1]).tobytes(), b"\x80", array("d", [0.5]).tobytes())


@pytest.mark.parametrize(
    "make", [district_windows, backup_priority_hall, comprehensive_priority_hall]
)
def test_the_loop_writes_the_same_records_with_native_and_pure_helpers(
    make: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    if built is None and not IN_CI:
        pytest.skip(f"native kernel helpers {why_not}")
    assert built is not None, f"native kernel helpers {why_not} (make kernel)"
    scenario = make()
    for seed, detail in ((3, "full"), (11, "kpi")):
        monkeypatch.delenv(native.BUILD_VARIABLE, raising=False)
        assert isinstance(native.event_heap(), built.EventHeap)
        with_native = loop.run_hall(scenario, seed, detail)
        monkeypatch.setenv(native.BUILD_VARIABLE, "python")
        assert isinstance(native.event_heap(), native.PyEventHeap)
        assert_same_records(with_native, loop.run_hall(scenario, seed, detail))


def test_a_stale_or_missing_build_is_never_used(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    request.addfinalizer(native.native_module.cache_clear)  # the real build again, after
    monkeypatch.delenv(native.BUILD_VARIABLE, raising=False)
    monkeypatch.setattr(native, "_said", set())
    monkeypatch.setattr(native, "source_hash", lambda path=native.NATIVE_SOURCE: "0" * 64)
    native.native_module.cache_clear()
    module, why = native.native_module()
    assert module is None
    assert ("another version" in why) if built is not None else ("not built" in why)
    with pytest.warns(RuntimeWarning, match="run as pure Python"):
        assert isinstance(native.event_heap(), native.PyEventHeap)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once per process, not on every run
        assert isinstance(native.keyed_uniform(b"key"), native.PyKeyedUniform)

    monkeypatch.setattr(native, "NATIVE_SOURCE", native.NATIVE_SOURCE.with_name("gone.c"))
    native.native_module.cache_clear()
    module, why = native.native_module()
    assert module is None
    assert ("without its source" in why) if built is not None else ("not built" in why)

    def missing(name: str, package: str | None = None) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", missing)
    native.native_module.cache_clear()
    module, why = native.native_module()
    assert module is None and "not built" in why
    with pytest.warns(RuntimeWarning, match="not built"):
        assert isinstance(native.event_heap(), native.PyEventHeap)
