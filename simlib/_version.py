"""simlib's version, in a module of its own so that anything (the run store's keys, report
footers) can read it without importing the whole package."""

__version__ = "0.1.0"
