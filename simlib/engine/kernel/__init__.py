"""The hall kernel: the engine's model on a heapq event list instead of SimPy.

``choose_engine`` decides which runs a scenario; see ``applies`` for the halls the kernel
takes. The SimPy engine stays the reference and the general path.
"""

from simlib.engine.kernel.applies import ENGINE_VARIABLE, choose_engine, kernel_refusal
from simlib.engine.kernel.clock import Clock

__all__ = ["ENGINE_VARIABLE", "Clock", "choose_engine", "kernel_refusal"]
