"""Experiments on scenarios: replications, comparisons with common random numbers, sweeps."""

from simlib.experiment.replicate import Replications, replicate, replication_seed, run_once
from simlib.experiment.stats import mean_ci, summarize

__all__ = ["Replications", "mean_ci", "replicate", "replication_seed", "run_once", "summarize"]
