"""Balking at the ticket display: an applicant who sees too many tickets ahead leaves.

The hall asks :meth:`BalkingRule.balks` before it issues a ticket. The chance of leaving
is a curve of the tickets waiting in the queue the ticket would join (per window on duty
of the pools serving it, with ``per_window``). Its uniform is the applicant's own
(purpose ``"balk"``, indexed by visit), so halls without balking draw nothing new and stay
bit-identical, and a variant with balking sees the same applicants as one without.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simlib.engine.officers import WorkQueue
    from simlib.scenario.model import Balking

__all__ = ["BalkingRule", "balk_probability"]


def balk_probability(rule: Balking, ahead: float) -> float:
    """P(leave without a ticket) when ``ahead`` tickets (per window, if so) are waiting."""
    if rule.curve == "step":
        return 1.0 if ahead >= rule.threshold else 0.0
    if rule.curve == "linear":
        assert rule.full_at is not None  # the scenario model checks it
        return min(1.0, max(0.0, (ahead - rule.threshold) / (rule.full_at - rule.threshold)))
    z = (ahead - rule.threshold) / rule.scale
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def windows_on_duty(queue: WorkQueue) -> int:
    """Officers on duty today at the pools that serve ``queue`` (at least 1)."""
    n = sum(1 for d in queue.owners for o in d.officers if o.on_duty and not o.absent)
    return max(n, 1)


class BalkingRule:
    """The scenario's ``hall.balking``, as the hall engine asks it."""

    def __init__(self, rule: Balking):
        self.rule = rule
        self.return_prob = rule.return_prob

    def balks(self, holder: Any, queue: WorkQueue, visit_no: int) -> bool:
        """Does the applicant ``holder`` (a case) leave instead of joining ``queue``?"""
        ahead: float = queue.live
        if ahead and self.rule.per_window:
            ahead /= windows_on_duty(queue)
        p = balk_probability(self.rule, ahead)
        return p > 0 and holder.u("balk", visit_no) < p

    def comes_back(self, holder: Any, visit_no: int) -> bool:
        return holder.u("balk_return", visit_no) < self.return_prob
