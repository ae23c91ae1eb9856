"""Fit a scenario from a ticket log and a process-mining event log, and check the fit.

The fitting modules need scipy.stats and pyarrow (about a second to import), which every
``import simlib`` would otherwise pay, from the CLI's ``validate`` to each notebook kernel:
so this package imports them only when a calibration is asked for (the fit's result,
:class:`simlib.calibrate.hall.Calibration`, is imported from its module). The package is
callable as :func:`calibrate` (:mod:`simlib._callable`): ``simlib.calibrate(...)`` and
``import simlib.calibrate.fidelity as f`` both work.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simlib._callable import make_callable
from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.logmap import LogMap, load_map, read_ticket_log

if TYPE_CHECKING:
    from simlib.calibrate.hall import Calibration
    from simlib.experiment.core import Progress

__all__ = ["CalibrationError", "LogMap", "calibrate", "load_map", "read_ticket_log"]


def calibrate(
    ticket_log: str | Path,
    logmap: str | Path | LogMap,
    events: str | Path | None = None,
    seed: int = 0,
    refine_rounds: int | None = None,
    executor: Any = None,
    on_progress: Progress | None = None,
) -> Calibration:
    """Fit a hall from ``ticket_log`` read through ``logmap`` (and its chains from an event
    log, if given); see :func:`simlib.calibrate.hall.calibrate`. A function here, not a
    name imported from there, so that ``simlib.calibrate(...)`` costs its imports only
    when called."""
    from simlib.calibrate.hall import calibrate as fit

    return fit(ticket_log, logmap, events, seed, refine_rounds, executor, on_progress)


make_callable(__name__, calibrate)
