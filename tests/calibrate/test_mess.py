"""Real logs' mess on the hall side: bad rows skipped and reported by row number, the fit
unchanged by them, and a log refused (exit 2) only when too many rows are bad."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from simlib.calibrate import CalibrationError, calibrate, load_map, read_ticket_log
from simlib.calibrate.mess import clock_problems, date_outliers
from simlib.calibrate.yamlout import plain

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "simlib" / "data" / "service_centre_log" / "calls_1999-08-01_14.csv.gz"
MAP = ROOT / "scenarios" / "calibrate_service_centre.yaml"
SER_START, Q_START, OUTCOME = 13, 9, 12


def _week() -> list[str]:
    with gzip.open(LOG, "rt") as f:
        lines = f.readlines()
    return [lines[0]] + [x for x in lines[1:] if x.split(",")[5] <= "1999-08-07"]


def _served(lines: list[str], k: int) -> int:
    """Index of the k-th served row that queued."""
    hits = [
        i
        for i, x in enumerate(lines)
        if i and x.split(",")[OUTCOME] == "AGENT" and x.split(",")[Q_START] != "0:00:00"
    ]
    return hits[k]


def _with_cells(line: str, **cells: str) -> str:
    c = line.split(",")
    for k, v in cells.items():
        c[{"ser_start": SER_START, "call_id": 1}[k]] = v
    return ",".join(c)


def test_clock_and_date_screens() -> None:
    import pandas as pd

    bad = clock_problems(pd.Series(["7:05:00", "25:61:00", "10h30", "23:59:59", "12:60", "0:00"]))
    assert bad.tolist() == [False, True, True, False, True, False]
    days = np.array([0, 1, 2, 3, 40000, np.nan, 5])
    assert date_outliers(days).tolist() == [False, False, False, False, True, False, False]


def test_messy_week_is_fitted_as_the_clean_week(tmp_path: Path) -> None:
    """A duplicated row, an inconsistent row (service before the ticket) and a 25:61:00
    inserted into one week of the shared log: calibrate succeeds, names each row, and the
    fitted scenario is the same as from the clean week."""
    clean = _week()
    messy = list(clean)
    i, j, k = _served(clean, 10), _served(clean, 200), _served(clean, 400)
    inconsistent = _with_cells(clean[j], call_id="999001", ser_start="0:00:01")
    impossible = _with_cells(clean[k], call_id="999002", ser_start="25:61:00")
    # Inserted after rows i, j, k (in that order, so the row numbers below are the file's).
    messy.insert(k + 1, impossible)
    messy.insert(j + 1, inconsistent)
    messy.insert(i + 1, clean[i])
    rows = {"duplicate": i + 2, "inconsistent": j + 3, "impossible": k + 4}  # header = row 1
    for name, lines in (("clean", clean), ("messy", messy)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "week.csv").write_text("".join(lines))
    a = calibrate(tmp_path / "clean" / "week.csv", MAP, refine_rounds=0)
    b = calibrate(tmp_path / "messy" / "week.csv", MAP, refine_rounds=0)
    assert not a.tickets.attrs["issues"].items
    issues = b.tickets.attrs["issues"]
    found = {i.problem.split(":")[0]: i.row for i in issues.items}
    assert found == {
        "duplicate": rows["duplicate"],
        "inconsistent times": rows["inconsistent"],
        "impossible time": rows["impossible"],
    }, issues.summary()
    assert f"the same as row {i + 1}" in issues.summary()
    assert plain(a.data) == plain(b.data)  # the fit is unchanged
    assert "Rows skipped as bad" in b.header()
    from simlib.calibrate.report import write_fit_report

    html = write_fit_report(b, None, tmp_path / "report").read_text()
    assert f'<td class="l">{rows["impossible"]}</td>' in html and "25:61:00" in html


def test_too_many_bad_rows_refuse_the_log_and_say_why(tmp_path: Path) -> None:
    week = _week()[:3000]
    doubled = [week[0]] + [x for x in week[1:] for _ in range(2)]  # every row twice
    (tmp_path / "twice.csv").write_text("".join(doubled))
    with pytest.raises(CalibrationError, match=r"rows \(50\.0%\) cannot be used.*max_bad_share"):
        read_ticket_log(tmp_path / "twice.csv", load_map(MAP))
    # The map may allow more: then the copies are skipped and the demand is not doubled.
    lenient = tmp_path / "map.yaml"
    lenient.write_text(MAP.read_text() + "max_bad_share: 0.6\n")
    (tmp_path / "once.csv").write_text("".join(week))
    t2 = read_ticket_log(tmp_path / "twice.csv", load_map(lenient))
    assert len(t2) == len(read_ticket_log(tmp_path / "once.csv", load_map(MAP)))


def test_unparsable_time_is_skipped_or_refused_by_row(tmp_path: Path) -> None:
    lines = _week()[:300]
    c = lines[50].split(",")
    c[SER_START], c[OUTCOME] = "10h30", "AGENT"
    lines[50] = ",".join(c)
    (tmp_path / "log.csv").write_text("".join(lines))
    t = read_ticket_log(tmp_path / "log.csv", load_map(MAP))  # 1 row of 299: skipped
    assert 51 not in set(t["row"]) and t.attrs["issues"].items[0].row == 51
    strict = tmp_path / "map.yaml"
    strict.write_text(MAP.read_text() + "max_bad_share: 0\n")
    with pytest.raises(CalibrationError, match=r"row 51: impossible time: column 'ser_start'"):
        read_ticket_log(tmp_path / "log.csv", load_map(strict))


def test_a_row_dated_2099_is_skipped_not_allocated(tmp_path: Path) -> None:
    lines = _week()
    c = lines[500].split(",")
    c[5] = "2099-08-01"
    lines.insert(501, ",".join(c))
    (tmp_path / "log.csv").write_text("".join(lines))
    t = read_ticket_log(tmp_path / "log.csv", load_map(MAP))
    assert t.attrs["days"] == 7
    assert "date far from the rest" in t.attrs["issues"].summary()


def test_cli_refuses_unusable_inputs_before_fitting(tmp_path: Path, capsys) -> None:
    from simlib.cli import main

    week = tmp_path / "week.csv"
    week.write_text("".join(_week()[:400]))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    cases = [
        (empty, tmp_path / "a.yaml", "the ticket log is empty (0 bytes)"),
        (Path("/dev/zero"), tmp_path / "a.yaml", "not a regular file"),
        (tmp_path, tmp_path / "a.yaml", "not a regular file"),
        (week, tmp_path, "is a folder; give a file"),
    ]
    import os

    if os.geteuid() != 0:  # root writes anywhere
        cases.append((week, locked / "x" / "a.yaml", "no permission to write in"))
    for log, out, message in cases:
        code = main(["calibrate", str(log), "--map", str(MAP), "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and message in err and "Traceback" not in err, err


def _recorded_progress(monkeypatch: pytest.MonkeyPatch) -> tuple[list, list]:
    """The progress bars ``simlib calibrate`` makes (enabled or not) and every tick of them."""
    from simlib.commands import calibrate as command

    made: list[bool] = []
    ticks: list[tuple[int, int]] = []

    def progress_bar(enabled: bool, total: int, what: str = "runs"):
        made.append(enabled)
        return None, lambda done, n, failed=0: ticks.append((done, n))

    monkeypatch.setattr(command, "progress_bar", progress_bar)
    return made, ticks


def test_holdout_on_a_ticket_log(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """--holdout DATE: the later days are not fitted (the scenario covers the others) and
    the fit is checked on them too. The progress bar counts every run as one total: the
    refinement round (3), the scale grid (5 x 3), the fit check (2) and the hold-out's (2)."""
    import tempfile

    import yaml

    from simlib.cli import main

    made, ticks = _recorded_progress(monkeypatch)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    (tmp_path / "week.csv").write_text("".join(_week()))
    quick = tmp_path / "map.yaml"
    quick.write_text(MAP.read_text() + "refine_rounds: 1\n")
    out, report = tmp_path / "hall.yaml", tmp_path / "fit"
    argv = ["calibrate", str(tmp_path / "week.csv"), "--map", str(quick), "--out", str(out)]
    code = main([*argv, "--report", str(report), "--reps", "2", "--holdout", "1999-08-06"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "1999-08-06 - 1999-08-07 (2 of 7 days)" in captured.err
    assert yaml.safe_load(out.read_text())["horizon"]["days"] == 5
    assert "Hold-out check" in captured.out
    assert (report / "holdout" / "report.html").exists()
    assert made == [True] and ticks[-1] == (22, 22)
    assert [n for _, n in ticks] == sorted(n for _, n in ticks)
    assert main([*argv, "--holdout", "1999-09-01"]) == 2
    assert "leaves no day on one side" in capsys.readouterr().err
    assert list(scratch.iterdir()) == []  # the halves' scratch folders are gone, error or not


def test_quiet_silences_the_progress_bar_and_notes(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``calibrate --quiet``: no progress bar and no hold-out note (the test above shows
    both without it)."""
    from simlib.cli import main

    made, ticks = _recorded_progress(monkeypatch)
    (tmp_path / "week.csv").write_text("".join(_week()))
    quick = tmp_path / "map.yaml"
    quick.write_text(MAP.read_text() + "refine_rounds: 0\n")
    argv = ["calibrate", str(tmp_path / "week.csv"), "--map", str(quick)]
    argv += ["--out", str(tmp_path / "hall.yaml"), "--holdout", "1999-08-06", "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert made == [False] and ticks == [] and "Hold-out: days" not in err, err
