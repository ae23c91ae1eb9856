"""Experiments on scenarios: one run core (:mod:`simlib.experiment.core`) under
replications, comparisons with common random numbers, and sweeps."""

from simlib.experiment.core import Job, check_seed, evaluate, replication_seed
from simlib.experiment.replicate import Replications, replicate, run_once
from simlib.experiment.runner import process_pool
from simlib.experiment.stats import mean_ci, summarize

__all__ = [
    "Job",
    "Replications",
    "check_seed",
    "evaluate",
    "mean_ci",
    "process_pool",
    "replicate",
    "replication_seed",
    "run_once",
    "summarize",
]
