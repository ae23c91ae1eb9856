"""Decisions by simulation: staffing search and reform portfolios.

:func:`optimize` and :func:`optimize_portfolio` are doors to the searches in
:mod:`.search` and :mod:`.portfolio`: these need scipy.stats (about a second to import),
which ``import simlib`` (each CLI call, notebook kernel and spawned worker) should not pay
for. ``simlib.optimize`` is this package, made callable as :func:`optimize`
(:mod:`simlib._callable`), so that ``import simlib.optimize.selection as s`` works too.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simlib._callable import make_callable

if TYPE_CHECKING:
    from simlib.experiment.core import Progress
    from simlib.experiment.store import RunStore
    from simlib.optimize.portfolio import Frontier
    from simlib.optimize.portfolio_spec import PortfolioSpec
    from simlib.optimize.search import OptimizeResult
    from simlib.optimize.spec import Optimization


def optimize(
    opt: Optimization,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_progress: Progress | None = None,
    on_best: Callable[[dict[str, Any]], None] | None = None,
    hall_only: bool = True,
) -> OptimizeResult:
    """Find the cheapest staffing that meets every requirement: see
    :func:`simlib.optimize.search.optimize`."""
    from simlib.optimize.search import optimize as search

    return search(opt, executor, out, resume, on_progress, on_best, hall_only)


def optimize_portfolio(
    spec: PortfolioSpec,
    executor: Executor | int = 1,
    store: RunStore | None = None,
    on_progress: Progress | None = None,
) -> Frontier:
    """The best reform portfolio at every budget of ``spec``: see
    :func:`simlib.optimize.portfolio.optimize_portfolio`."""
    from simlib.optimize.portfolio import optimize_portfolio as search

    return search(spec, executor, store, on_progress)


make_callable(__name__, optimize)
