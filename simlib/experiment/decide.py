"""``compare --decide``: add replications until every reform's verdict is decided.

An *inconclusive* reform is one whose confidence intervals still reach a material change
(:mod:`simlib.reform_verdict`). More replications narrow them. This procedure adds
replications sequentially, on the same seeds as before (replication i always uses
``replication_seed(seed, i)``, so the new runs are common random numbers with the baseline's),
and runs only the baseline and the reforms still open: a decided reform costs nothing more.
Each round goes at most to twice the replications so far, and not beyond the estimate of the
replications that would decide the open reforms, nor ``max_reps``.

Looking at the verdict after every round is a sequential test: the chance that some open
reform is called better or worse by luck grows with the number of looks. The rounds are few
(doubling), and the output says how many there were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simlib.experiment.compare import BASELINE, Comparison, run_arms, runs_frame
from simlib.experiment.core import Progress, replication_seed
from simlib.experiment.runner import ExecutorArg
from simlib.reform_verdict import ReformVerdict
from simlib.reforms import apply_reforms

__all__ = ["DecideRun", "decide"]


@dataclass
class DecideRun:
    """What ``--decide`` did: the replications per round and what stayed open."""

    max_reps: int
    rounds: list[dict[str, Any]] = field(default_factory=list)  # {replications, open, verdicts}
    still_open: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"max_reps": self.max_reps, "rounds": self.rounds, "still_open": self.still_open}

    def text(self) -> str:
        path = " → ".join(str(r["replications"]) for r in self.rounds)
        if not self.still_open:
            return (
                f"--decide: every verdict is decided (replications per round: {path}; the "
                "baseline and open reforms only, common random numbers)."
            )
        return (
            f"--decide: STILL OPEN after {self.rounds[-1]['replications']} replications "
            f"(--max-reps {self.max_reps}): {', '.join(self.still_open)} "
            f"(replications per round: {path})."
        )


def decide(
    comparison: Comparison,
    judge: Callable[[Comparison], dict[str, ReformVerdict]],
    max_reps: int,
    executor: ExecutorArg = None,
    on_progress: Progress | None = None,
) -> Comparison:
    """Add replications to ``comparison`` (the baseline and the inconclusive reforms alone)
    until ``judge`` finds no inconclusive reform or the baseline has ``max_reps``;
    ``meta["decide"]`` says how it went."""
    run = DecideRun(max_reps)
    while True:
        verdicts = judge(comparison)
        still = [v for v, x in verdicts.items() if x.verdict == "inconclusive"]
        n = int(comparison.runs.loc[comparison.runs["kind"] == BASELINE, "replication"].max()) + 1
        run.rounds.append(
            {
                "replications": n,
                "open": still,
                "verdicts": {v: x.verdict for v, x in verdicts.items()},
            }
        )
        if not still or n >= max_reps:
            run.still_open = still
            break
        needed = [verdicts[v].to_decide for v in still]
        goal = max_reps if None in needed else max(x for x in needed if x is not None)
        target = max(n + 1, min(2 * n, goal, max_reps))
        arms = [(BASELINE, BASELINE, 0, comparison.baseline)] + [
            ("alone", v, 0, apply_reforms(comparison.baseline, comparison.variants[v]))
            for v in still
        ]
        reps = list(range(n, target))
        seeds = [replication_seed(comparison.seed, i) for i in reps]
        rows = run_arms(arms, seeds, reps, executor, on_progress)
        comparison.runs = runs_frame(
            comparison.runs.to_dict("records") + rows  # same columns, new replications
        )
    comparison.meta["decide"] = run
    return comparison
