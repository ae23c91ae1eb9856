"""A note before a search: decided pools that today already meet the requirements with room
to spare by theory (often a bound in the wrong unit). Apart from :mod:`.sanity` because it
needs the search's theory start, which needs the spec that the sanity checks serve."""

from __future__ import annotations

from typing import Any

from simlib.duty import on_duty
from simlib.optimize.offered import open_hours
from simlib.optimize.search import theory_start

__all__ = ["ROOM", "room_to_spare"]

ROOM = 2.0  # today has at least twice the officers Erlang says, in every hour


def room_to_spare(opt: Any) -> list[str]:
    """Notes for decided pools whose staffing today, in every open hour, is at least
    :data:`ROOM` times what Erlang C on the modified offered load says the requirements
    need (and at least two officers more): the requirements are met with room to spare
    before any search, by theory."""
    start, _ = theory_start(opt)
    base, hours = opt.base, open_hours(opt.base)
    needs: dict[str, list[int]] = {p: [n] * len(hours) for p, n in start.levels}
    needs.update({p: list(n) for p, n in start.hourly})
    notes = []
    for pool, need in needs.items():
        today = on_duty(base, pool, hours)
        if need and all(t >= max(ROOM * n, n + 2) for t, n in zip(today, need, strict=True)):
            notes.append(
                f"pool {pool}: today's staffing already meets the requirements with room to "
                f"spare by Erlang C (it needs at most {max(need)} on duty in an hour, today has "
                f"at least {min(today)}): the search will look for a cheaper staffing; if you "
                "meant a stricter bound, check its unit (minutes, shares as 0.95)"
            )
    return notes
