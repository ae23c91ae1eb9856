"""``import simlib`` and the CLI stay light: scipy.stats, scipy.integrate and matplotlib
cost about a second each time a CLI call, notebook kernel or spawned worker starts, and
only calibration, searches, charts and reports need them. The doors that keep them out
(``simlib.calibrate``, ``simlib.optimize``, ``simlib.optimize_portfolio``) must take
what the functions they open onto take."""

from __future__ import annotations

import inspect
import subprocess
import sys

import simlib

HEAVY = ("scipy.stats", "scipy.integrate", "matplotlib")


def test_import_simlib_and_the_cli_leave_the_heavy_modules_out() -> None:
    code = (
        f"import sys, simlib, simlib.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def _parameters(fn: object) -> list[tuple[str, object]]:
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]  # type: ignore[arg-type]


def test_the_doors_take_what_the_functions_behind_them_take() -> None:
    from simlib.calibrate.hall import calibrate
    from simlib.optimize.portfolio import optimize_portfolio
    from simlib.optimize.search import optimize

    assert _parameters(simlib.calibrate) == _parameters(calibrate)
    assert _parameters(simlib.optimize) == _parameters(optimize)
    assert _parameters(simlib.optimize_portfolio) == _parameters(optimize_portfolio)


def test_the_public_names_are_the_real_ones_and_the_doors_stay_callable() -> None:
    # `simlib.optimize` is the function, so the subpackage's modules are reached by name.
    from simlib.calibrate import LogMap
    from simlib.optimize import portfolio_spec, spec

    assert callable(simlib.calibrate) and callable(simlib.optimize)
    assert simlib.load_portfolio is portfolio_spec.load_portfolio
    assert simlib.load_optimization is spec.load_optimization
    assert LogMap.__module__ == "simlib.calibrate.logmap"
    for name in simlib.__all__:
        assert getattr(simlib, name) is not None
