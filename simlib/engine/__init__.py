"""The SimPy model of the hall and its approval chains. Knows nothing of files or plots;
its calendar arithmetic is :mod:`simlib.timekeeping`."""

from simlib.engine.model import Model, back_office_visits, simulate
from simlib.engine.records import Records

__all__ = ["Model", "Records", "back_office_visits", "simulate"]
