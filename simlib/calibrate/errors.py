"""The one error calibration raises for a log or map it cannot use; its own module so that
every reader (ticket log, event log, the mess checks) can raise it without importing another."""

from __future__ import annotations

__all__ = ["CalibrationError"]


class CalibrationError(ValueError):
    """A ticket log, event log or map that cannot be used (the CLI exits 2 with it)."""
