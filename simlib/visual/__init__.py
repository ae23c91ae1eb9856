"""Seeing the model: the replay of a simulated day (offline HTML) and maps of the chains."""

from simlib.visual.replay import Replay, replay

__all__ = ["Replay", "replay"]
