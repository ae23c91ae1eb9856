"""``simlib.optimize`` and ``simlib.calibrate`` are packages that a notebook calls as
functions: both uses must work, and the standard import of a submodule with them."""

from __future__ import annotations

import inspect

import simlib


def test_submodules_import_through_the_dotted_name() -> None:
    # Failed while simlib bound the functions to these names ("cannot import name").
    import simlib.calibrate.fidelity as fidelity
    import simlib.optimize.selection as selection

    assert selection.__name__ == "simlib.optimize.selection"
    assert fidelity.__name__ == "simlib.calibrate.fidelity"


def test_the_packages_call_their_functions_with_their_signatures() -> None:
    from simlib.calibrate import calibrate
    from simlib.optimize import optimize

    assert inspect.signature(simlib.optimize) == inspect.signature(optimize)
    assert inspect.signature(simlib.calibrate) == inspect.signature(calibrate)
    assert simlib.optimize.optimize is optimize and simlib.calibrate.calibrate is calibrate


def test_a_call_reaches_the_function(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[object, ...]] = []
    monkeypatch.setattr(simlib.optimize, "__wrapped__", lambda *a, **k: seen.append((a, k)) or 7)
    assert simlib.optimize("spec", executor=2) == 7
    assert seen == [(("spec",), {"executor": 2})]
