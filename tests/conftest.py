"""Fixtures shared by tests in several folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.calibrate import calibrate
from simlib.calibrate.hall import Calibration

ROOT = Path(__file__).resolve().parents[1]
SERVICE_CENTRE_LOG = ROOT / "simlib" / "data" / "service_centre_log" / "calls_1999-08-01_14.csv.gz"
SERVICE_CENTRE_MAP = ROOT / "scenarios" / "calibrate_service_centre.yaml"


@pytest.fixture(scope="session")
def service_centre_fit() -> Calibration:
    """The shared service-centre log calibrated with its committed map, once per test
    process (about 8 CPU s) for the tests marked ``SERVICE_CENTRE`` (tests/helpers.py).
    They only read it: writing it, checking its fit and writing its report leave it
    unchanged (its pickle compared before and after)."""
    return calibrate(SERVICE_CENTRE_LOG, SERVICE_CENTRE_MAP)
