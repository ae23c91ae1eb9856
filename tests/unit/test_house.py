"""The house rules (issue 20), read from the source by ``benchmarks/house.py``: the engine
knows nothing of files, plots or the command line; files parse and experiments run (files/
never imports experiment/); calendar arithmetic lives outside the engine; no lazy
``__getattr__`` look-ups; no new import cycle or back arrow."""

from __future__ import annotations

from benchmarks.house import arrows, back_arrows, cycles, floor, module_getattr, modules, room

ALL = arrows()

# No import cycle is left: a new one fails.
KNOWN_CYCLES: list[set[str]] = []
# Every command module lives in simlib/commands: a new back arrow fails.
KNOWN_BACK_ARROWS: set[tuple[str, str]] = set()


def _imports_of(package: str) -> set[str]:
    return {a.target for a in ALL if room(a.source) == package}


def test_the_engine_imports_only_the_scenario_and_the_calendar() -> None:
    rooms = {room(t) for t in _imports_of("engine")}
    assert rooms <= {"engine", "scenario", "timekeeping"}, rooms


def test_files_parse_experiments_run() -> None:
    rooms = {room(t) for t in _imports_of("files")}
    assert "experiment" not in rooms, rooms
    assert rooms <= {"files", "scenario", "reforms", "limits", "design", "costs", "duty"}, rooms


def test_calendar_and_duty_are_pure() -> None:
    for module in ("timekeeping", "duty", "costs", "design"):
        rooms = {room(t) for t in _imports_of(module)}
        assert rooms <= {module, "scenario", "reforms", "limits", "timekeeping", "duty"}, (
            module,
            rooms,
        )


def test_no_lazy_module_lookups() -> None:
    assert module_getattr() == []


def test_no_new_import_cycle() -> None:
    new = [group for group in cycles(ALL) if set(group) not in KNOWN_CYCLES]
    assert new == [], new


def test_no_new_back_arrow_and_every_room_on_a_floor() -> None:
    for name in modules():
        floor(room(name))  # a new room must be given its floor
    new = {(a.source, a.target) for a in back_arrows(ALL)} - KNOWN_BACK_ARROWS
    assert new == set(), new


def test_the_guard_sees_imports_inside_functions() -> None:
    """Sanity of the reader: a function-level import (cli.py registers calibrate lazily)
    and a relative-free ``from simlib import x`` module import are both arrows."""
    pairs = {(a.source, a.target) for a in ALL}
    assert ("simlib.cli", "simlib.commands.calibrate") in pairs
    assert ("simlib.optimize.candidate", "simlib.duty") in pairs
