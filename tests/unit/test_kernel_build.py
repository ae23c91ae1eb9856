"""The compiled hall kernel: used only when built from the current loop.py, and then it
writes the records of the pure-Python loop, ticket by ticket."""

from __future__ import annotations

import ast
import bisect
import gc
import math
import os
import struct
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.engine import streams
from simlib.engine.kernel import hall, loop
from simlib.engine.kernel.build import compiled_source
from simlib.engine.quantiles import NORMAL_INV_CDF
from tests.unit.test_kernel import (
    assert_same_records,
    backup_priority_hall,
    comprehensive_priority_hall,
    district_windows,
)

compiled, why_not = hall.compiled_loop()


def test_the_loop_that_runs_is_the_fresh_compiled_one_or_the_pure_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(hall.BUILD_VARIABLE, raising=False)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        chosen = hall.which_loop()
    if compiled is None:
        assert chosen is loop
        assert why_not in str(said[0].message) if said else why_not in hall._said
    else:
        assert chosen is compiled and not said
        assert hall.source_hash() == compiled.SOURCE_HASH  # type: ignore[attr-defined]
    monkeypatch.setenv(hall.BUILD_VARIABLE, "python")
    assert hall.which_loop() is loop


def test_a_build_from_another_loop_py_is_never_used(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    request.addfinalizer(hall.compiled_loop.cache_clear)  # the real hash again, after
    monkeypatch.delenv(hall.BUILD_VARIABLE, raising=False)
    monkeypatch.setattr(hall, "source_hash", lambda path=hall.SOURCE: "0" * 64)
    monkeypatch.setattr(hall, "_said", set())
    hall.compiled_loop.cache_clear()
    module, why = hall.compiled_loop()
    assert module is None
    assert ("another version" in why) if compiled is not None else ("not built" in why)
    with pytest.warns(RuntimeWarning, match="runs as pure Python"):
        assert hall.which_loop() is loop
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once per process, not on every run
        assert hall.which_loop() is loop


def test_the_compiled_copy_keeps_the_code_and_records_its_source() -> None:
    """The copy mypyc compiles is loop.py without its __slots__ (which mypyc refuses) and
    with its source hash: the same statements otherwise."""

    class NoSlots(ast.NodeTransformer):
        def visit_Assign(self, node: ast.Assign) -> ast.Assign | None:
            slots = any(isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets)
            return None if slots else node

    text = hall.SOURCE.read_text()
    copy = ast.parse(compiled_source(text, "abc"))
    *body, last = copy.body
    assert ast.unparse(last) == "SOURCE_HASH = 'abc'"
    assert "__slots__" in text
    expected = NoSlots().visit(ast.parse(text))
    assert ast.dump(ast.Module(body=body, type_ignores=[])) == ast.dump(expected)


# CI builds the compiled loop (make test): there a missing build is a failure, not a skip.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.mark.skipif(compiled is None and not IN_CI, reason=f"compiled hall kernel {why_not}")
@pytest.mark.parametrize(
    "make", [district_windows, backup_priority_hall, comprehensive_priority_hall]
)
def test_compiled_and_pure_loops_write_the_same_records(make: object) -> None:
    assert compiled is not None, f"compiled hall kernel {why_not} (make kernel)"
    scenario = make()  # type: ignore[operator]
    for seed, detail in ((3, "full"), (11, "kpi")):
        assert_same_records(
            loop.run_hall(scenario, seed, detail), compiled.run_hall(scenario, seed, detail)
        )


@pytest.mark.skipif(compiled is None, reason=f"compiled kernel: {why_not}")
@settings(deadline=None)  # the pure loop's table of a wide list takes a while to build
@given(
    st.lists(
        st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 1e9, -3.0, float("inf")]) | st.floats(-1e5, 1e5),
        max_size=40,
    ),
    st.sampled_from([-5.0, 0.0, 0.25, 0.5, 1.0, 1.75, 2.0, 1e10, float("inf"), float("nan")])
    | st.floats(-2e5, 2e5),
    st.floats(0.0, 1.0),
)
def test_the_compiled_searches_find_the_index_bisect_finds(
    values: list[float], x: float, hint: float
) -> None:
    """The loop's searches from a bucket table (``_Index``, compiled; ties, gaps of every
    size, infinities and NaN included), and the pure loop's, which call ``bisect`` itself;
    and the compiled ones again from a table that points anywhere (a start rounded to the
    wrong bucket): they step to the same index from every start."""
    a = sorted(values)
    assert compiled is not None and compiled.COMPILED and not loop.COMPILED
    for module in (compiled, loop):
        index = module._Index(a)
        assert index.right(x) == bisect.bisect_right(a, x)
        assert index.left(x) == bisect.bisect_left(a, x)
    wrong = compiled._Index(a)
    wrong.table = [round(hint * len(a))] * len(wrong.table)
    assert wrong.right(x) == bisect.bisect_right(a, x)
    assert wrong.left(x) == bisect.bisect_left(a, x)


def _inv_cdf_points() -> list[float]:
    """Uniforms across (0, 1), and around each branch of AS241: |p - 0.5| = 0.425, the
    tails' r = 5 (p = exp(-25)), the smallest and largest p the loop passes."""
    points = np.random.default_rng(21).random(200_000).tolist()
    points += np.exp(-np.random.default_rng(5).uniform(0.0, 690.0, 20_000)).tolist()
    for edge in (0.075, 0.925, math.exp(-25.0), 1.0 - math.exp(-25.0), 1e-300, 0.5):
        x = edge
        for _ in range(20):
            points += [x, 1.0 - x]
            x = math.nextafter(x, 0.0)
        x = edge
        for _ in range(20):
            x = math.nextafter(x, 1.0)
            points += [x, 1.0 - x]
    points.append(math.nextafter(1.0, 0.0))
    return [p for p in points if 0.0 < p < 1.0]


@pytest.mark.skipif(compiled is None, reason=f"compiled kernel: {why_not}")
def test_the_compiled_inverse_normal_cdf_gives_the_stdlib_bits() -> None:
    """The kernel's lognormal quantiles call AS241 copied from ``statistics``; compiled,
    it must give the very doubles of the stdlib's function (its C version), which the
    SimPy engine calls, for every uniform (both branches and tails)."""
    assert compiled is not None
    for mu, sigma in ((0.0, 1.0), (2.6, 0.47), (-1.3, 2.2)):
        got = [compiled._normal_inv_cdf(p, mu, sigma) for p in _inv_cdf_points()]
        expected = [NORMAL_INV_CDF(p, mu, sigma) for p in _inv_cdf_points()]
        assert [struct.pack("<d", x) for x in got] == [struct.pack("<d", x) for x in expected]


LOOPS = [pytest.param(loop, id="pure")] + (
    [pytest.param(compiled, id="compiled")] if compiled is not None else []
)


@pytest.mark.parametrize("module", LOOPS)
@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1) | st.sampled_from([2**32, 2**40 + 5, 2**70 + 3]),
    names=st.lists(st.text(max_size=8) | st.integers(0, 2**40), max_size=6),
)
def test_the_kernels_streams_are_the_named_streams(
    module: object, seed: int, names: list[str | int]
) -> None:
    """The kernel seeds its generators from the entropy numpy assembles from a seed and a
    spawn key (``loop.stream_words``): the very numbers of ``streams.stream`` (a numpy that
    assembled them otherwise would fail here)."""
    kernel_stream = module.stream  # type: ignore[attr-defined]
    expected = streams.stream(seed, *names)
    assert kernel_stream(seed, *names).random(5).tolist() == expected.random(5).tolist()


@pytest.mark.parametrize("module", LOOPS)
def test_the_kernels_blocks_of_uniforms_are_the_applicants_first_draws(module: object) -> None:
    draws = streams.ApplicantDraws(11, "passport")
    for purpose in (0, 1, 7):
        for number in (0, 1, 9, 70_000):
            words = module.stream_words(11, "matter", "passport", "attr", loop.PURPOSES[purpose])  # type: ignore[attr-defined]
            block = module.seeded(words + module._words(number)).random(1024).tolist()  # type: ignore[attr-defined]
            assert block == draws.block(loop.PURPOSES[purpose], number)
    with pytest.raises(ValueError, match="non-negative"):
        module.stream(-1, "x")  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", LOOPS)
def test_a_run_leaves_no_cycles_of_its_tickets_and_cases(module: object) -> None:
    """A run's objects are freed when it ends, not by the cyclic collector: what is left
    for it is a few pools and queues (before, every case and ticket: thousands)."""
    scenario = district_windows()
    gc.collect()
    paused = gc.isenabled()
    gc.disable()
    try:
        module.run_hall(scenario, 1, "kpi")  # type: ignore[attr-defined]
        gc.set_debug(gc.DEBUG_SAVEALL)
        assert gc.collect() < 200
        kinds = {type(o).__name__ for o in gc.garbage}
        assert not kinds & {"_Ticket", "_Case", "_Kernel", "_Officer", "_Matter"}, kinds
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if paused:
            gc.enable()
