"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def green_study_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run store shared, within a test session, by the tests marked ``GREEN_STUDY`` (see
    tests/helpers.py): the second of them reuses the first's runs."""
    return tmp_path_factory.mktemp("green_study_runs")
