"""Shift rules: every roster the covering program chooses, for random demand curves and
rules, keeps to the allowed lengths, the start grid, the opening hours and the break rule,
covers every hour's need, and respects the part-time cap."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.optimize.shifts import ShiftRule, cover, roster_patterns
from simlib.scenario.model import parse_hours

OPENING = parse_hours(["08:00-12:00", "13:00-18:00"])  # lunch 12-13 (a closure)
OPEN_HOURS = [8, 9, 10, 11, 13, 14, 15, 16, 17]


@st.composite
def rules(draw: st.DrawFn) -> ShiftRule:
    grid = draw(st.sampled_from([30, 60]))
    lengths = draw(st.sets(st.sampled_from([4, 5, 6, 8, 9, 10]), min_size=1, max_size=3))
    lengths |= {10}  # a full day (08-18) keeps every hour coverable
    brk = draw(st.sampled_from([None, (6, 30), (5, 45)]))
    share = draw(st.sampled_from([None, 0.0, 0.3, 1.0]))
    return ShiftRule(
        tuple(60 * n for n in sorted(lengths)),
        grid,
        brk[0] * 60 if brk else None,
        brk[1] if brk else 0,
        share,
    )


@settings(max_examples=40, deadline=None)
@given(rules(), st.lists(st.integers(0, 9), min_size=9, max_size=9))
def test_every_chosen_roster_keeps_the_rules(rule: ShiftRule, demand: list[int]) -> None:
    patterns = roster_patterns(OPENING, rule)
    need = dict(zip(OPEN_HOURS, demand, strict=True))
    chosen = cover(
        need,
        patterns,
        part_time=(rule.full_time, rule.part_time_share)
        if rule.part_time_share is not None
        else None,
    )
    for h, k in need.items():  # officer-minutes: a half-hour break is half an officer
        assert sum(n * p.share.get(h, 0.0) for p, n in chosen) >= k - 1e-9
    heads = sum(n for _, n in chosen)
    part = sum(n for p, n in chosen if p.minutes < rule.full_time)
    if rule.part_time_share is not None:
        assert part <= rule.part_time_share * heads + 1e-9
    for p, _ in chosen:
        spans = parse_hours(p.hours)
        assert p.end - p.start in rule.lengths  # paid length: start to end, lunch inside
        assert p.start % rule.start_every == 0
        assert OPENING[0][0] <= p.start and p.end <= OPENING[-1][1]
        assert any(a <= p.start < b for a, b in OPENING)  # starts while the hall is open
        assert all(any(a <= s and e <= b for a, b in OPENING) for s, e in spans)  # works open
        gaps = [(x[1], y[0]) for x, y in itertools.pairwise(spans)]
        lunch_inside = p.start <= 12 * 60 and p.end >= 13 * 60
        due = rule.break_after is not None and p.minutes > rule.break_after
        breaks = [g for g in gaps if g != (12 * 60, 13 * 60)]
        if due and not (lunch_inside and rule.break_minutes <= 60):
            assert [b - a for a, b in breaks] == [rule.break_minutes]
        else:
            assert breaks == []
        assert p.worked == p.minutes - sum(b - a for a, b in gaps)
