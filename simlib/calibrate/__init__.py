"""Fit a scenario from a ticket log and a process-mining event log, and check the fit."""

from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.hall import Calibration, calibrate
from simlib.calibrate.logmap import LogMap, load_map, read_ticket_log

__all__ = ["Calibration", "CalibrationError", "LogMap", "calibrate", "load_map", "read_ticket_log"]
