"""The SimPy model of the hall and its approval chains. Knows nothing of files or plots."""

from simlib.engine.calendar import DAY, HallCalendar, Timetable
from simlib.engine.model import Model, simulate
from simlib.engine.records import Records

__all__ = ["DAY", "HallCalendar", "Model", "Records", "Timetable", "simulate"]
