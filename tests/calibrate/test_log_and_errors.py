"""Reading ticket logs through a map, and the errors bad logs and maps get."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from simlib.calibrate import CalibrationError, load_map, read_ticket_log
from simlib.calibrate.fitting import kaplan_meier, km_quantile
from simlib.calibrate.staffing import shifts_from_counts

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "simlib" / "data" / "service_centre_log" / "calls_1999-08-01_14.csv.gz"
MAP = ROOT / "scenarios" / "calibrate_service_centre.yaml"


def _small_log(tmp_path: Path, n: int = 300, edit=None) -> Path:
    with gzip.open(LOG, "rt") as f:
        lines = [next(f) for _ in range(n)]
    if edit is not None:
        lines = edit(lines)
    path = tmp_path / "log.csv"
    path.write_text("".join(lines))
    return path


def test_shared_log_reads_as_tickets() -> None:
    t = read_ticket_log(LOG, load_map(MAP))
    assert t.attrs["days"] == 14 and str(t.attrs["start_date"]) == "1999-08-01"
    # Phantom calls and hang-ups in the voice unit are not tickets.
    assert len(t) == 20014
    assert t["served"].sum() == 14565
    assert (t["wait"].dropna() >= 0).all() and (t["service"].dropna() >= 0).all()
    assert set(t["level"]) == {0, 1}
    assert {"PS_regular", "PS_high", "NW_regular"} <= set(t["matter"])


def test_map_naming_a_missing_column(tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text(MAP.read_text().replace("matter: type", "matter: service_kind"))
    with pytest.raises(CalibrationError, match=r"'service_kind' \(map: matter\)"):
        read_ticket_log(_small_log(tmp_path), load_map(bad))


def test_log_missing_a_column(tmp_path: Path) -> None:
    def drop_server(lines: list[str]) -> list[str]:
        return [",".join(line.rstrip("\n").split(",")[:-1]) + "\n" for line in lines]

    with pytest.raises(CalibrationError, match=r"'server' \(map: officer\)"):
        read_ticket_log(_small_log(tmp_path, edit=drop_server), load_map(MAP))


def test_unparsable_time_names_the_row(tmp_path: Path) -> None:
    def garble(lines: list[str]) -> list[str]:
        cells = lines[50].split(",")
        cells[13] = "10h30"  # ser_start
        cells[12] = "AGENT"
        lines[50] = ",".join(cells)
        return lines

    strict = tmp_path / "map.yaml"  # no bad row allowed (by default: 1 % of them skipped)
    strict.write_text(MAP.read_text() + "max_bad_share: 0\n")
    with pytest.raises(CalibrationError, match=r"row 51: .*column 'ser_start'.*'10h30'"):
        read_ticket_log(_small_log(tmp_path, edit=garble), load_map(strict))


def test_bad_map_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("columns: {ticket: a}\nserved: [x]\n")
    with pytest.raises(CalibrationError, match=r"map.yaml: .*columns.call"):
        load_map(bad)


def test_cli_exits_2_with_a_clear_message(tmp_path: Path, capsys) -> None:
    from simlib.cli import main

    code = main(["calibrate", str(tmp_path / "none.csv"), "--map", str(MAP), "--out", "x.yaml"])
    assert code == 2
    assert "no such ticket log" in capsys.readouterr().err


def test_kaplan_meier_by_hand() -> None:
    # times 1, 2+, 3, 3, 4+ : S(1) = 4/5, S(3) = 4/5 * (1 - 2/3)
    times, surv = kaplan_meier(np.array([1, 2, 3, 3, 4.0]), np.array([1, 0, 1, 1, 0], bool))
    assert times.tolist() == [1, 3]
    assert surv == pytest.approx([0.8, 0.8 / 3])
    assert km_quantile(times, surv, 0.5) == 3


def test_shifts_match_fractional_counts() -> None:
    import pandas as pd

    counts = pd.DataFrame(0.0, index=[0, 4], columns=range(24))
    counts.loc[0, 9:11] = [2.5, 3.0, 1.0]
    counts.loc[4, 9:11] = [2.5, 3.0, 1.0]
    shifts = shifts_from_counts(counts)
    minutes = np.zeros(24 * 60)
    for s in shifts:
        assert s["days"] == ["mon", "fri"]
        for rng in s["hours"]:
            a, b = rng.split("-")
            lo = int(a[:2]) * 60 + int(a[3:])
            hi = int(b[:2]) * 60 + int(b[3:])
            minutes[lo:hi] += s["count"]
    for h, want in ((9, 2.5), (10, 3.0), (11, 1.0), (12, 0.0)):
        assert minutes[h * 60 : h * 60 + 60].mean() == pytest.approx(want)


def test_cli_round_trip_on_simlib_logs(tmp_path: Path, capsys) -> None:
    """simlib run --tickets --events, then simlib calibrate on what it wrote."""
    from simlib import load_scenario
    from simlib.cli import main
    from simlib.ticketlog import MAP_PATH

    hall = ROOT / "simlib" / "data" / "demo_hall.yaml"
    tickets, events = tmp_path / "t.csv", tmp_path / "e.csv"
    assert (
        main(["run", str(hall), "--reps", "1", "--tickets", str(tickets), "--events", str(events)])
        == 0
    )
    out = tmp_path / "fitted.yaml"
    code = main(
        [
            "calibrate",
            str(tickets),
            "--map",
            str(MAP_PATH),
            "--out",
            str(out),
            "--events",
            str(events),
        ]
    )
    assert code == 0, capsys.readouterr().err
    fitted = load_scenario(out)
    assert any(m.chain for m in fitted.matters)


def test_event_log_errors_name_the_column_and_row(tmp_path: Path) -> None:
    from simlib.calibrate.events import read_event_log

    bad = tmp_path / "events.csv"
    bad.write_text("case:concept:name,concept:name,time:timestamp\n1,review,2025-01-06T10:00:00\n")
    with pytest.raises(CalibrationError, match=r"org:resource.*time:start_timestamp"):
        read_event_log(bad)
    bad.write_text(
        "case:concept:name,concept:name,org:resource,time:start_timestamp,time:timestamp\n"
        "1,review,back#0,2025-01-06T10:00:00,2025-01-06T10:20:00\n"
        "1,sign,lead#0,yesterday,2025-01-06T11:00:00\n"
    )
    with pytest.raises(CalibrationError, match=r"row 3, column 'time:start_timestamp'"):
        read_event_log(bad)
