"""Study files are read by :mod:`simlib.files.study`; these names stay importable here."""

from simlib.files.study import Study, StudyFile, load_study

__all__ = ["Study", "StudyFile", "load_study"]
