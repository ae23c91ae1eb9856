"""``Records.add_cases`` (the hall kernel's cases at the end of a run) leaves the columns
that ``new_case`` and writes by index would have left, byte for byte."""

from __future__ import annotations

import math
import struct

import pytest

from simlib.engine.records import Records


def _records() -> Records:
    return Records(detail="kpi", warmup=0.0, horizon=100.0, matters=["a", "b"], pools=["p"])


@pytest.mark.parametrize("n", [0, 1, 4095, 4096, 4097, 9000])
def test_add_cases_writes_what_new_case_and_item_writes_write(n: int) -> None:
    one_by_one, at_once = _records(), _records()
    matter = [i % 2 for i in range(n)]
    arrival = [i * 0.37 for i in range(n)]
    status = [(i * 7) % 3 for i in range(n)]
    accepted = [math.nan if i % 5 else i * 1.5 for i in range(n)]
    visits = [1 + i % 4 for i in range(n)]
    cols = one_by_one.case_cols()
    for i in range(n):
        case = one_by_one.new_case(matter[i], 0, arrival[i])
        cols["status"][case] = status[i]
        cols["accepted"][case] = accepted[i]
        cols["visits"][case] = visits[i]
    at_once.add_cases(matter, arrival, {"status": status, "accepted": accepted, "visits": visits})
    for name, column in one_by_one.case_cols().items():
        assert at_once.case_cols()[name].tobytes() == column.tobytes(), name
    assert at_once.new_case(1, 0, 5.0) == one_by_one.new_case(1, 0, 5.0) == n


def test_add_cases_refuses_what_it_cannot_write_exactly() -> None:
    records = _records()
    with pytest.raises(ValueError, match="one value per case"):
        records.add_cases([0, 1], [0.0], {})
    with pytest.raises(ValueError, match="one value per case"):
        records.add_cases([0, 1], [0.0, 1.0], {"status": [0]})
    with pytest.raises(ValueError, match="not a column filled in later"):
        records.add_cases([0], [0.0], {"arrival": [1.0]})
    with pytest.raises(struct.error):  # the column's C type, as array.append checks it
        records.add_cases([0], [0.0], {"status": [300]})
    assert len(records.case_cols()["matter"]) == 0  # nothing written
    records = _records()
    records.new_case(0, 0, 1.0)
    with pytest.raises(ValueError, match="1 exist"):
        records.add_cases([0], [0.0], {})
