"""The hall kernel: window-only halls on their own heapq event loop instead of SimPy.

``choose_engine`` decides which runs a scenario; see ``applies`` for the halls the kernel
takes and ``hall`` for the loop and why its records are those of the SimPy engine. The
SimPy engine stays the reference and the general path.
"""

from simlib.engine.kernel.applies import ENGINE_VARIABLE, choose_engine, kernel_refusal

__all__ = ["ENGINE_VARIABLE", "choose_engine", "kernel_refusal"]
