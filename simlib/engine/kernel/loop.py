"""The hall kernel's event loop: a window-only hall on its own event list, without SimPy.

It runs the SimPy engine's model of a hall whose tickets only meet window pools (see
``applies``) with plain data: an event is ``(time, sequence, kind, payload)``, taken in the
order of heapq on those tuples (``native.event_heap``: a heap in C when built, else heapq)
and dispatched on ``kind`` inline; tickets, cases, officers and pools are small classes with
concretely typed attributes, and the per-ticket stages (issue, call, service end, check,
return, reneging, collection) are written out in one loop instead of going through the
engine's objects. The module is written to be compiled by mypyc (``build``; ``hall`` picks
the build), and runs as it is when it was not.

Why the records are identical, ticket by ticket: every event the SimPy engine schedules
that has an effect is scheduled here at the same instant, computed with the same
floating-point expression, with the same priority, and in the same order relative to the
others (the sequence number only breaks ties, so the events that only SimPy has, such as
the backlog sampler's or the officers' start events, do not change the order of the rest).
Random numbers are indexed by applicant, purpose and attempt (``streams``), so the order in
which they are drawn does not matter; the arrival and absence streams are drawn as the
engine's own code draws them (``arrival_times`` and ``roster`` written out as the compiled
classes ``_Arrivals`` and ``_Roster``, tested against them). Sums (busy time, waits) are
added in the same order. Reneging is lazy in both engines, each its own way: here a renege
timer joins the event list only when its 30-minute span starts and finds its ticket taken
if it was called first (then it does nothing); the SimPy engine keeps only the earliest
pending patience end on its list (``Hall._renege_due``). A ticket that reneges leaves at
the same instant in both. ``tests/unit/test_kernel.py`` compares every record of both
engines on several halls, with this module compiled and as it is.
"""

from __future__ import annotations

import gc
import math
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Generator, Iterator
from heapq import heappop, heappush
from itertools import pairwise
from types import FunctionType
from typing import Any, Final, cast

import numpy as np

from simlib.engine import hall
from simlib.engine.arrivals import with_day_factors
from simlib.engine.flow import sampler
from simlib.engine.kernel.native import (
    EventList,
    Uniform,
    event_heap,
    keyed_uniform,
    row_buffer,
)
from simlib.engine.officers import Desk, Officer
from simlib.engine.quantiles import (
    NORMAL_INV_CDF,
    lognormal_parameters,
    quantile_fn,
    triangular_parameters,
)
from simlib.engine.records import STATUSES, PoolTally, Records
from simlib.engine.roster import _END as SHIFT_END
from simlib.engine.roster import Crew, _boundaries
from simlib.engine.start import QUIET_TAIL, hall_calendar, new_records
from simlib.engine.streams import BLOCK_BITS, KEEP_BLOCKS, ApplicantDraws, Draws
from simlib.scenario.dists import BaseDistribution, Constant, Lognormal, MaxOf, Triangular
from simlib.scenario.model import Scenario
from simlib.timekeeping import DAY as _DAY
from simlib.timekeeping import HallCalendar, rate_segments

__all__ = ["run_hall"]

# Every event here has SimPy's normal priority (urgent ones are only the processes' starts,
# done first at time 0), so an event is ordered by (time, sequence number) alone.
# The record codes, as ``Final`` names (compiled, they are constants, not dictionary look-ups).
DECIDED: Final[int] = STATUSES.index("decided")
ABANDONED: Final[int] = STATUSES.index("abandoned")
SERVED: Final[int] = hall.SERVED
RENEGED: Final[int] = hall.RENEGED
SENT_HOME: Final[int] = hall.SENT_HOME
WAITING: Final[int] = hall.WAITING
IN_SERVICE: Final[int] = hall.IN_SERVICE
SUBMIT: Final[int] = hall.SUBMIT
RETURN: Final[int] = hall.RETURN
COLLECT: Final[int] = hall.COLLECT
DAY: Final[float] = _DAY
NAN: Final = float("nan")
INF: Final = float("inf")

# Event kinds.
ARRIVE: Final = 0
END: Final = 1
RENEGE: Final = 2
RETURN_TO_SUBMIT: Final = 3
RETURN_TO_COLLECT: Final = 4
WAKE: Final = 5
ROSTER: Final = 6
CLOSING: Final = 7
HORIZON: Final = 8
CAP: Final = 9
STOP: Final = 10
TIMERS_DUE: Final = 12
# The native event heap keeps events more than this far (minutes) after its earliest aside
# until it runs empty (``native.event_heap``): returns days ahead no longer make it deeper.
HEAP_WINDOW: Final = 1440.0
TIMER_SPAN: Final = 30.0  # minutes of renege timers held aside together (see ``issue``)

# ``streams``' blocks of first-attempt uniforms, as literal constants (compiled, a name of
# another module is looked up at every use): an applicant's block and place in it.
BLOCK_SHIFT: Final = 10
BLOCK_MASK: Final = 1023
if (1 << BLOCK_SHIFT, BLOCK_MASK) != (1 << BLOCK_BITS, (1 << BLOCK_BITS) - 1):
    raise ImportError(f"the kernel's blocks of uniforms are not streams' ({BLOCK_BITS} bits)")

# What the hall draws for an applicant (streams.Draws purposes).
PURPOSES = (
    "accept_time",
    "patience",
    "complete",
    "return_delay",
    "renege_return",
    "renege_delay",
    "collect_delay",
    "collect_time",
)
# Their codes (indices in PURPOSES): a purpose is looked up in a list, not a dictionary.
ACCEPT_TIME: Final = 0
PATIENCE: Final = 1
COMPLETE: Final = 2
RETURN_DELAY: Final = 3
RENEGE_RETURN: Final = 4
RENEGE_DELAY: Final = 5
COLLECT_DELAY: Final = 6
COLLECT_TIME: Final = 7


# Quantile kinds the loop works out itself (else it calls ``quantile_fn``'s function).
OTHER: Final = 0
LOGNORMAL: Final = 1
TRIANGULAR: Final = 2
CONSTANT: Final = 3


def _probe() -> None:
    """A function, to tell whether this module was compiled (then it is a built-in one)."""


# Whether this module runs compiled by mypyc (its functions are then built-in functions).
COMPILED: Final[bool] = not isinstance(_probe, FunctionType)


class _Index:
    """``bisect_left`` and ``bisect_right`` on a sorted list of floats, started from a table
    of where each bucket of ``width`` begins (``width`` the smallest gap between distinct
    values, so a bucket holds about one value): compiled, a search reads the table and two
    or three values, not the eight or so a bisection of the calendar's periods reads (each
    read of a list of floats costs a reference and an unboxing). It then steps to the exact
    index, so it is the index of ``bisect`` whatever the rounding of the bucket; run as pure
    Python, ``bisect`` itself (the same index, faster there)."""

    def __init__(self, a: list[float]):
        self.a = a
        gaps = [y - x for x, y in pairwise(a) if y > x]
        finite = [x for x in a if math.isfinite(x)]
        span = max(finite) - min(finite) if finite else 0.0
        # Not below a 65,536th of the span: the table stays small whatever the gaps.
        self.width = max(min(gaps, default=1.0), span / 65536, 1e-9)
        self.origin = min(finite) if finite else 0.0
        table: list[int] = []
        j = 0
        for b in range(int(span / self.width) + 2):
            x = self.origin + b * self.width
            while j < len(a) and a[j] < x:
                j += 1
            table.append(j)
        self.table = table

    def start(self, x: float) -> int:
        """An index near ``bisect_left(a, x)`` (the search steps from it to the exact one)."""
        q = (x - self.origin) / self.width
        last = len(self.table) - 1
        if not q > 0.0:  # before the first value (or NaN)
            return 0
        if q >= last:
            return self.table[last]
        return self.table[int(q)]

    def left(self, x: float) -> int:
        """``bisect_left(a, x)``: the first index whose value is not below ``x``."""
        a = self.a
        if not COMPILED:
            return bisect_left(a, x)
        i = self.start(x)
        while i > 0 and a[i - 1] >= x:
            i -= 1
        n = len(a)
        while i < n and a[i] < x:
            i += 1
        return i

    def right(self, x: float) -> int:
        """``bisect_right(a, x)``: the first index whose value is above ``x``."""
        a = self.a
        if not COMPILED:
            return bisect_right(a, x)
        if x != x:  # NaN: ``bisect_right`` finds nothing above it
            return len(a)
        i = self.start(x)
        while i > 0 and a[i - 1] > x:
            i -= 1
        n = len(a)
        while i < n and a[i] <= x:
            i += 1
        return i


# fmt: off
def _normal_inv_cdf(p: float, mu: float, sigma: float) -> float:
    """``statistics._normal_dist_inv_cdf`` (Wichura's AS241) copied as it is, for
    0 < p < 1, so that compiled it runs on C doubles without a call through Python objects:
    the same operations in the same order, the same bits (``test_kernel_build.py`` checks
    them against the stdlib's C function)."""
    # There is no closed-form solution to the inverse CDF for the normal
    # distribution, so we use a rational approximation instead:
    # Wichura, M.J. (1988). "Algorithm AS241: The Percentage Points of the
    # Normal Distribution".  Applied Statistics. Blackwell Publishing. 37
    # (3): 477–484. doi:10.2307/2347330. JSTOR 2347330.
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        # Hash sum: 55.88319_28806_14901_4439
        num = (((((((2.50908_09287_30122_6727e+3 * r +
                     3.34305_75583_58812_8105e+4) * r +
                     6.72657_70927_00870_0853e+4) * r +
                     4.59219_53931_54987_1457e+4) * r +
                     1.37316_93765_50946_1125e+4) * r +
                     1.97159_09503_06551_4427e+3) * r +
                     1.33141_66789_17843_7745e+2) * r +
                     3.38713_28727_96366_6080e+0) * q
        den = (((((((5.22649_52788_52854_5610e+3 * r +
                     2.87290_85735_72194_2674e+4) * r +
                     3.93078_95800_09271_0610e+4) * r +
                     2.12137_94301_58659_5867e+4) * r +
                     5.39419_60214_24751_1077e+3) * r +
                     6.87187_00749_20579_0830e+2) * r +
                     4.23133_30701_60091_1252e+1) * r +
                     1.0)
        x = num / den
        return mu + (x * sigma)
    r = p if q <= 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r = r - 1.6
        # Hash sum: 49.33206_50330_16102_89036
        num = (((((((7.74545_01427_83414_07640e-4 * r +
                     2.27238_44989_26918_45833e-2) * r +
                     2.41780_72517_74506_11770e-1) * r +
                     1.27045_82524_52368_38258e+0) * r +
                     3.64784_83247_63204_60504e+0) * r +
                     5.76949_72214_60691_40550e+0) * r +
                     4.63033_78461_56545_29590e+0) * r +
                     1.42343_71107_49683_57734e+0)
        den = (((((((1.05075_00716_44416_84324e-9 * r +
                     5.47593_80849_95344_94600e-4) * r +
                     1.51986_66563_61645_71966e-2) * r +
                     1.48103_97642_74800_74590e-1) * r +
                     6.89767_33498_51000_04550e-1) * r +
                     1.67638_48301_83803_84940e+0) * r +
                     2.05319_16266_37758_82187e+0) * r +
                     1.0)
    else:
        r = r - 5.0
        # Hash sum: 47.52583_31754_92896_71629
        num = (((((((2.01033_43992_92288_13265e-7 * r +
                     2.71155_55687_43487_57815e-5) * r +
                     1.24266_09473_88078_43860e-3) * r +
                     2.65321_89526_57612_30930e-2) * r +
                     2.96560_57182_85048_91230e-1) * r +
                     1.78482_65399_17291_33580e+0) * r +
                     5.46378_49111_64114_36990e+0) * r +
                     6.65790_46435_01103_77720e+0)
        den = (((((((2.04426_31033_89939_78564e-15 * r +
                     1.42151_17583_16445_88870e-7) * r +
                     1.84631_83175_10054_68180e-5) * r +
                     7.86869_13114_56132_59100e-4) * r +
                     1.48753_61290_85061_48525e-2) * r +
                     1.36929_88092_27358_05310e-1) * r +
                     5.99832_20655_58879_37690e-1) * r +
                     1.0)
    x = num / den
    if q < 0.0:
        x = -x
    return mu + (x * sigma)
# fmt: on


def _words(n: int) -> list[int]:
    """numpy's ``_int_to_uint32_array``: a non-negative int as little-endian 32-bit words."""
    if n < 0:
        raise ValueError(f"a stream's seed and numbers are non-negative, not {n}")
    if n == 0:
        return [0]
    words = []
    while n > 0:
        words.append(n & 0xFFFFFFFF)
        n >>= 32
    return words


def stream_words(seed: int, *names: str | int) -> list[int]:
    """The entropy ``SeedSequence(seed, spawn_key=stream_key(*names))`` mixes into its
    pool, as numpy assembles it: the seed's words (padded with zeros to the pool's four when
    there is a spawn key), then each name's (a string's crc32, as ``stream_key``)."""
    words = _words(seed)
    if names and len(words) < 4:
        words += [0] * (4 - len(words))
    for name in names:
        words += _words(name if isinstance(name, int) else zlib.crc32(name.encode()))
    return words


def seeded(words: list[int]) -> Any:
    """``streams.stream``'s generator from its entropy words (``stream_words``): a
    SeedSequence of one array of entropy mixes the same pool as one of a seed and a spawn
    key, the same bits (``tests/unit/test_kernel.py`` checks), for a fifth of the cost
    (numpy converts a spawn key word by word, in Python)."""
    sequence = np.random.SeedSequence(np.array(words, dtype=np.uint32))
    return np.random.Generator(np.random.PCG64(sequence))


def stream(seed: int, *names: str | int) -> Any:
    """``streams.stream(seed, *names)``: the same generator, made faster (``seeded``)."""
    return seeded(stream_words(seed, *names))


class _Quantile:
    """A distribution's quantile: the lognormal, triangular and constant ones written out
    with the very operations of ``quantile_fn`` (so compiled, they run without a Python
    call); any other through ``quantile_fn``. ``needs_u``: whether the value depends on
    the uniform (a constant's does not, and then the loop draws none: draws are indexed,
    so a draw not taken changes no other)."""

    def __init__(self, dist: BaseDistribution):
        self.function = quantile_fn(dist)
        self.kind = OTHER
        self.p = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        self.needs_u = True
        if isinstance(dist, Lognormal) and dist.cv != 0:
            self.kind = LOGNORMAL
            mu, sigma = lognormal_parameters(dist)
            self.p = (mu, sigma, 0.0, 0.0, 0.0, 0.0)
        elif isinstance(dist, Triangular):
            self.kind = TRIANGULAR
            self.p = triangular_parameters(dist)
        elif isinstance(dist, Constant):
            self.kind = CONSTANT
            self.p = (dist.quantile(0.0), 0.0, 0.0, 0.0, 0.0, 0.0)
            self.needs_u = False
        self.a, self.b, self.c, self.d, self.e, self.f = self.p
        # The lognormal's (mu, sigma) as float objects, for the stdlib's function (u >= 1).
        self.mu: Any = self.a
        self.sigma: Any = self.b

    def value(self, u: float) -> float:
        kind = self.kind
        if kind == LOGNORMAL:
            p = u if u > 1e-300 else 1e-300
            if COMPILED and p < 1.0:  # (run as pure Python, the stdlib's C function is faster)
                return math.exp(_normal_inv_cdf(p, self.a, self.b))
            x: float = NORMAL_INV_CDF(p, self.mu, self.sigma)  # p >= 1 raises as the engine's
            return math.exp(x)
        if kind == TRIANGULAR:  # a, b, split, b - a, c - a, b - c
            if u < self.c:
                return self.a + math.sqrt(u * self.d * self.e)
            return self.b - math.sqrt((1 - u) * self.d * self.f)
        if kind == CONSTANT:
            return self.a
        return self.function(u)


class _Matter:
    """A matter, resolved for the kernel: its draws, quantiles and hall queue."""

    def __init__(self, code: int, scenario: Scenario, seed: int, queue: _Queue, pool: int):
        m = scenario.matters[code]
        self.code = code
        self.priority: int = m.priority
        self.draws = ApplicantDraws(seed, m.id)
        self.applicants = 0  # applicants so far (``draws.take`` written out)
        self.queue = queue
        self.pool = pool
        self.accept = sampler(m.acceptance.time, "accept_time")
        self.complete_prob: float = m.complete_prob
        self.collect_in_person: bool = m.collection == "in_person"
        self.collect_time = _Quantile(m.collection_time)
        patience = m.patience if m.patience is not None else scenario.hall.patience
        self.patience = _Quantile(patience) if patience is not None else None
        # A single acceptance time (not the longest of several): its quantile, drawn inline.
        self.accept_q = (
            None if isinstance(m.acceptance.time, MaxOf) else _Quantile(m.acceptance.time)
        )
        # The uniforms' blocks of first attempts (``draws.block``'s), by purpose code
        # (PURPOSES) and block number, and the hash keys of later attempts: ``Draws.u``
        # written out. Blocks are looked up in lists: a dictionary cost a hash per draw.
        # A block is an ``array("d")`` of the doubles numpy drew, not a list of float
        # objects: read once each, long after they were drawn, 1,024 floats objects per
        # block cost their making (``tolist``) and a cache miss per read.
        self.blocks: list[list[array[float] | None]] = [[] for _ in PURPOSES]
        # Their streams' entropy but the block number (``stream_words``), by purpose code.
        self.block_words = [stream_words(seed, "matter", m.id, "attr", p) for p in PURPOSES]
        # Later attempts hash (applicant, attempt) with BLAKE2b keyed by the purpose
        # (``native.keyed_uniform``: in C when built, the same bits); kept as bound methods,
        # so that a draw is a call, without looking ``u`` up by name each time.
        self.uniforms: list[Uniform] = [keyed_uniform(self.draws.key(p)) for p in PURPOSES]
        self.later: list[Callable[[int, int], float]] = [g.u for g in self.uniforms]

    def first_u(self, purpose: int, index: int) -> float:
        """``Draws.u(PURPOSES[purpose], 0)`` of applicant ``index``: the same uniform."""
        blocks = self.blocks[purpose]
        number = index >> BLOCK_SHIFT
        if number < len(blocks):
            block = blocks[number]
            if block is not None:
                return block[index & BLOCK_MASK]
        return self.fill(purpose, number)[index & BLOCK_MASK]

    def fill(self, purpose: int, number: int) -> array[float]:
        """Block ``number`` of ``purpose``: ``draws.block``'s uniforms, made from their
        stream's entropy words (``seeded``); the one ``KEEP_BLOCKS`` before it let go of,
        as ``draws`` lets go of old blocks."""
        rng = seeded(self.block_words[purpose] + _words(number))
        block = array("d")
        block.frombytes(rng.random(1 << BLOCK_SHIFT).tobytes())  # (numpy's float64: "d")
        blocks = self.blocks[purpose]
        while len(blocks) <= number:
            blocks.append(None)
        blocks[number] = block
        if number >= KEEP_BLOCKS:
            blocks[number - KEEP_BLOCKS] = None
        return block


class _Arrivals:
    """A matter's arrival instants before ``horizon``: ``arrivals.arrival_times`` written out
    as a class, so that the compiled loop takes the next one without resuming an interpreted
    generator. The same draws (blocks of 4,096 exponential gaps from ``rng``, one list across
    segments), the same arithmetic (``t += gap / rate`` from each segment's start), the same
    instants (``tests/unit/test_kernel_arrivals.py``)."""

    def __init__(
        self, matter: _Matter, segments: list[tuple[float, float, float]], rng: Any, horizon: float
    ):
        self.matter = matter
        self.segments = segments
        self.rng = rng
        self.horizon = horizon
        self.gaps: list[float] = []
        self.i = -1  # the segment under way
        self.t = 0.0
        self.end = 0.0
        self.rate = 0.0
        self.done = False
        self.next_segment()

    def next_segment(self) -> None:
        i = self.i + 1
        self.i = i
        if i >= len(self.segments):
            self.done = True
            return
        start, end, rate = self.segments[i]
        if start >= self.horizon:
            self.done = True
            return
        self.end = min(end, self.horizon)
        self.t = start
        self.rate = rate

    def next(self) -> float:
        """The next arrival instant, or -1.0 when there is none (instants are >= 0)."""
        while not self.done:
            gaps = self.gaps
            if not gaps:
                gaps = self.gaps = self.rng.standard_exponential(4096).tolist()
                gaps.reverse()
            t = self.t + gaps.pop() / self.rate
            self.t = t
            if t >= self.end:
                self.next_segment()
                continue
            return t
        return -1.0


class _Case:
    """An application at the hall, and its applicant's uniforms (``u``, as ``Draws.u``);
    with its record columns filled in later (visits, status, acceptance and decision),
    which join the records when the run ends (``Records.add_cases``)."""

    __slots__ = (
        "accepted",
        "arrival",
        "cohort",
        "collections",
        "decision",
        "habit",
        "id",
        "index",
        "matter",
        "status",
        "submissions",
        "visits",
    )

    def __init__(self, case_id: int, matter: _Matter, index: int, arrival: float):
        self.index = index
        self.id = case_id
        self.matter = matter
        self.arrival = arrival
        self.habit = arrival % DAY
        self.submissions = 0
        self.visits = 0
        self.collections = 0
        self.cohort = False
        self.status = 0  # the start values of ``Records.new_case``
        self.accepted = NAN
        self.decision = NAN

    def u(self, purpose: int, attempt: int) -> float:
        """``Draws.u(PURPOSES[purpose], attempt)`` of this applicant: the same uniform."""
        matter = self.matter
        index = self.index
        if attempt == 0:
            return matter.first_u(purpose, index)
        return matter.later[purpose](index, attempt)


class _Ticket:
    """A ticket: whose, what for, for which pool and queue, when issued and called."""

    __slots__ = (
        "activity",
        "case",
        "done",
        "enqueued",
        "id",
        "kind",
        "pool",
        "queue",
        "renege_at",
        "renege_seq",
        "started",
        "taken",
        "visit_no",
        "work",
    )

    def __init__(
        self,
        case: _Case,
        kind: int,
        pool: int,
        work: float,
        enqueued: float,
        visit_no: int,
        queue: _Queue,
        activity: int,
        tid: int,
    ):
        self.case = case
        self.kind = kind
        self.pool = pool
        self.work = work
        self.enqueued = enqueued
        self.started = -1.0
        self.taken = False
        self.visit_no = visit_no
        self.queue = queue
        self.activity = activity
        self.id = tid
        self.renege_at = 0.0  # its renege timer's event, while held aside (``issue``)
        self.renege_seq = 0
        self.done = False  # served, or its holder left (``_Kernel.issued``)


class _Queue:
    """A hall queue: FIFO, or by priority (higher first, FIFO within a level) when its
    matters have several levels; tickets taken by reneging stay in it and are skipped."""

    __slots__ = ("fifo", "head", "heap", "items", "live", "owners", "seq")

    def __init__(self, owners: list[_Desk], by_priority: bool):
        self.owners = owners
        self.fifo = not by_priority
        # The FIFO as a list read from ``head`` on (its front dropped now and then): compiled,
        # an append and a read are list operations in C, where a deque's ``append`` and
        # ``popleft`` are method calls looked up by name (about 230 instructions each).
        self.items: list[_Ticket] = []
        self.head = 0
        self.heap: list[tuple[int, int, _Ticket]] = []
        self.seq = 0
        self.live = 0

    def pop(self) -> _Ticket | None:
        if self.fifo:
            items = self.items
            head = self.head
            n = len(items)
            while head < n:
                ticket = items[head]
                head += 1
                if not ticket.taken:
                    self.live -= 1
                    ticket.taken = True
                    if head >= 1024 and 2 * head >= n:
                        del items[:head]  # the front already taken: drop it
                        head = 0
                    self.head = head
                    return ticket
            self.head = head  # all taken (kept until the front is dropped: no reallocation)
            return None
        heap = self.heap
        while heap:
            ticket = heappop(heap)[2]
            if not ticket.taken:
                self.live -= 1
                ticket.taken = True
                return ticket
        return None

    def waiting(self) -> list[_Ticket]:
        if self.fifo:
            return [t for t in self.items[self.head :] if not t.taken]
        return [entry[2] for entry in sorted(self.heap) if not entry[2].taken]


class _Desk:
    """A pool: its officers, hall queue, who is idle and absent, whom it backs up; and the
    sums of its tally that only the loop adds to (written to the tally at the end)."""

    def __init__(self, code: int, name: str, tally: PoolTally):
        self.code = code
        self.name = name
        self.tally = tally
        self.officers: list[_Officer] = []
        self.queue: _Queue | None = None  # its hall queue (None: a pool without tickets)
        self.backup: _Desk | None = None
        self.backs_up: list[_Desk] = []
        self.idle: list[_Officer] = []
        self.absent_today = 0
        self.busy = 0.0
        self.wait_sum = 0.0
        self.wait_n = 0

    def wake_idle(self) -> None:
        idle, self.idle = self.idle, []
        for officer in idle:
            officer.hand(None)


class _Officer:
    """An officer's state; the kernel's loop does its work (``hand`` is for the roster)."""

    __slots__ = (
        "absent",
        "asleep",
        "desk",
        "duty_end",
        "index",
        "kernel",
        "on_duty",
        "start",
        "ticket",
    )

    def __init__(self, kernel: _Kernel, desk: _Desk, index: int):
        self.kernel: _Kernel | None = kernel  # (None once the run is over: ``_Kernel.run``)
        self.desk = desk
        self.index = index
        self.on_duty = False
        self.absent = False
        self.duty_end = 0.0
        self.asleep = True  # its start (as a SimPy process) found nothing to do
        self.ticket: _Ticket | None = None
        self.start = 0.0

    def hand(self, ticket: None) -> None:
        """Wake the waiting officer to look at the queues again (roster, closing)."""
        if self.asleep:
            self.asleep = False
            kernel = self.kernel
            assert kernel is not None, "an officer woken after its run"
            kernel.push(kernel.now, WAKE, self)


class _IdleOfficer(_Officer):
    """An officer of a pool no ticket can reach (a back office, with no window it backs up):
    on and off duty, present or absent (the roster counts its time), never woken, since
    waking would only find nothing to do. The engine's wake-ups of such officers change
    nothing else, so leaving them out keeps the records identical."""

    __slots__ = ()

    def hand(self, ticket: None) -> None:
        pass


class _Roster:
    """``roster.roster`` written out as a class driven by ROSTER events, so that the compiled
    loop puts officers on and off duty without resuming an interpreted generator: the same
    shift boundaries in the same order (``roster._boundaries``), the same absence draws (one
    stream per officer, one uniform per officer and working day, the same two-state chain),
    the same sums of available time, the same wake-ups; its next boundary is put on the
    event list as the generator's ``env.timeout(time - now)`` would."""

    def __init__(self, kernel: _Kernel, crews: list[Crew], desks: list[_Desk]):
        records = kernel.records
        self.kernel = kernel
        self.warmup: float = records.warmup
        self.horizon: float = records.horizon
        self.cap: float = records.cap
        self.desks = desks  # by crew
        self.officers: list[list[_Officer]] = [cast(Any, crew.officers) for crew in crews]
        self.absent = [0] * len(crews)  # by crew: absent today
        self.bounds: list[tuple[float, int, int, float, bool]] = _boundaries(crews)
        # Each officer's absence uniforms, one per working day of its crew, drawn from its
        # stream in one call: the values the engine's ``rng.random()`` per officer and day
        # gives, in the same order (numpy fills an array with the draws it gives one by one),
        # for one numpy call per officer instead of one per officer and day (6 % of the run).
        days = [0] * len(crews)
        for bound in self.bounds:
            if bound[4]:
                days[bound[2]] += 1
        self.uniforms: list[list[list[float]]] = [
            [
                stream(kernel.seed, "pool", crew.desk.name, "absence", crew.first + j)
                .random(days[c])
                .tolist()
                for j in range(len(crew.officers))
            ]
            if crew.absence.daily_prob > 0
            else []
            for c, crew in enumerate(crews)
        ]
        self.day = [0] * len(crews)  # by crew: its working days begun so far
        self.chains = [crew.absence.persistence() for crew in crews]
        self.away: list[list[bool]] = [[False] * len(crew.officers) for crew in crews]
        self.present: list[list[_Officer]] = [list(officers) for officers in self.officers]
        self.next = 0  # the next boundary

    def step(self, resumed: bool) -> None:
        """Work through the boundaries due now; put a ROSTER event at the next one (unless
        ``resumed`` by that event: then its boundary is due, as after the generator's
        timeout, whatever the rounding of ``now + (time - now)``)."""
        kernel = self.kernel
        bounds = self.bounds
        while self.next < len(bounds):
            time, kind, c, end, new_day = bounds[self.next]
            if time >= self.cap:
                self.next = len(bounds)
                return
            now = kernel.now
            if not resumed and time > now:
                kernel.push(now + (time - now), ROSTER, None)
                return
            resumed = False
            self.next += 1
            desk = self.desks[c]
            if kind == SHIFT_END:
                for officer in self.present[c]:
                    officer.on_duty = False
                desk.wake_idle()
                continue
            uniforms = self.uniforms[c]
            if new_day and uniforms:
                stay, fall = self.chains[c]
                day = self.day[c]
                self.day[c] = day + 1
                was = [
                    u[day] < (stay if gone else fall)
                    for gone, u in zip(self.away[c], uniforms, strict=True)
                ]
                self.away[c] = was
                officers = self.officers[c]
                present = [o for o, gone in zip(officers, was, strict=True) if not gone]
                self.present[c] = present
                for o, gone in zip(officers, was, strict=True):
                    o.absent = gone
                absent = len(officers) - len(present)
                desk.absent_today += absent - self.absent[c]
                self.absent[c] = absent
                backup = desk.backup
                if desk.absent_today and backup is not None:
                    backup.wake_idle()  # they may now take our queued work
            present = self.present[c]
            desk.tally.available += len(present) * max(
                0.0, min(end, self.horizon) - max(time, self.warmup)
            )
            for officer in present:
                officer.on_duty = True
                officer.duty_end = end
                officer.hand(None)


class _ProcessClock:
    """What the roster and closing processes see of the clock: ``now`` and ``timeout``,
    which puts their next step on the kernel's list as ``env.timeout`` would."""

    def __init__(self, kernel: _Kernel, kind: int):
        self.kernel = kernel
        self.kind = kind

    @property
    def now(self) -> float:
        return self.kernel.now

    def timeout(self, delay: float) -> None:
        k = self.kernel
        k.push(k.now + delay, self.kind, None)


class _Kernel:
    """One run of a window-only hall."""

    def __init__(self, scenario: Scenario, seed: int, records: Records, calendar: HallCalendar):
        self.scenario = scenario
        self.seed = seed
        self.records = records
        self.calendar = calendar
        self.now = 0.0
        # The event list (``native.event_heap``: in C when built, heapq's order either way).
        self.events: EventList = event_heap(window=HEAP_WINDOW)
        # Its methods, bound once: compiled, a call of a bound method skips looking the
        # method up by name on every event (a tenth of a push's or pop's cost).
        self.push_event: Callable[[float, int, int, Any], None] = self.events.push
        self.pop_event: Callable[[], tuple[float, int, Any]] = self.events.pop
        # Pushes with the list's next sequence number (0, 1, ...), which ``reserve`` takes
        # for an event pushed later: the number never goes through a Python int.
        self.schedule: Callable[[float, int, Any], None] = self.events.schedule
        self.reserve: Callable[[], int] = self.events.reserve
        self.overtime = False
        self.closed_at = 0.0
        self.stopped = False  # the run's end is scheduled
        self.ticket_count = 0
        self.open_cohort = 0  # cases of the measured cohort not yet finished
        self.cohort_size = 0
        self.draining = False
        # Tickets in the order issued, those done dropped now and then: the ones not done
        # at the end, in that order, are the engine's ``Hall.flush`` (a dictionary by id
        # cost an int object, an insertion and a deletion per ticket).
        self.issued: list[_Ticket] = []
        self.open_tickets = 0  # issued and not done
        self.open_i = -1  # the hall's opening period under way at ``now`` (``come_back``)
        self.cases: list[_Case] = []  # by id: their columns join the records at the end
        # Renege timers due in a later span of TIMER_SPAN minutes, by span (see ``issue``):
        # a list indexed by span number (an int key costs an int object and a hash).
        self.timers: list[list[_Ticket] | None] = []
        # The visits, in the order of ``Records.visit``'s arguments, as C values in a buffer
        # per column (``native.row_buffer``): a visit is one call, where seven lists of
        # Python objects cost a boxed value per column and a ``struct`` packing of them
        # later (a ninth of the compiled run). They join the records' columns at the end,
        # each with one ``frombytes``: chunks joining them as the run went copied each
        # growing column again and again (``array`` grows by a sixteenth).
        self.visit_columns = list(records._visits.cols.values())
        self.visit_rows = row_buffer("".join(c.typecode for c in self.visit_columns))
        self.add_visit: Callable[[int, int, int, float, float, float, int], None] = (
            self.visit_rows.add
        )
        pools = list(scenario.pools)
        self.desks = [_Desk(i, p, records.tally[p]) for i, p in enumerate(pools)]
        by_id = {d.name: d for d in self.desks}
        for pid, pool in scenario.pools.items():
            if pool.backup is not None:
                by_id[pid].backup = by_id[pool.backup]
                by_id[pool.backup].backs_up.append(by_id[pid])
        # Hall queues as the engine wires them (Model._wire_queues without skills/bookings).
        acceptance = list(dict.fromkeys(m.acceptance.pool for m in scenario.matters))
        self.queues: list[_Queue] = []
        if scenario.hall.mode == "comprehensive":
            shared = self._queue_for(acceptance, by_id)
            self.queues.append(shared)
            for p in acceptance:
                by_id[p].queue = shared
        else:
            for p in acceptance:
                own = self._queue_for([p], by_id)
                by_id[p].queue = own
                self.queues.append(own)
        for pid, pool in scenario.pools.items():
            desk = by_id[pid]
            reached = desk.queue is not None or any(d.queue for d in desk.backs_up)
            desk.officers = [
                _Officer(self, desk, j) if reached else _IdleOfficer(self, desk, j)
                for j in range(pool.count)
            ]
        self.matters: list[_Matter] = []
        for code, m in enumerate(scenario.matters):
            desk = by_id[m.acceptance.pool]
            assert desk.queue is not None
            self.matters.append(_Matter(code, scenario, seed, desk.queue, desk.code))

    def _queue_for(self, served: list[str], by_id: dict[str, _Desk]) -> _Queue:
        levels = {m.priority for m in self.scenario.matters if m.acceptance.pool in served}
        return _Queue([by_id[p] for p in served], len(levels) >= 2)

    def push(self, at: float, kind: int, payload: Any) -> None:
        """Put an event on the list (after those already there at the same instant)."""
        self.schedule(at, kind, payload)

    # --- processes reused from the engine ------------------------------------------------
    def _roster(self) -> _Roster:
        scenario = self.scenario
        crews = []
        desks: list[_Desk] = []
        for pid, pool in scenario.pools.items():
            desk, first = self.desks[list(scenario.pools).index(pid)], 0
            for shift in pool.crews():
                officers = desk.officers[first : first + shift.count]
                periods = self.calendar.shift_periods(
                    shift.hours, shift.days, shift.hours_by_weekday
                )
                crews.append(
                    Crew(
                        cast(Desk, desk),
                        cast(list[Officer], officers),
                        first,
                        periods,
                        pool.absence,
                    )
                )
                desks.append(desk)
                first += shift.count
        return _Roster(self, crews, desks)

    def _closing(self) -> Generator[None, None, None]:
        """Hall.closing: at each closing time serve the leftovers or send them home."""
        env = _ProcessClock(self, CLOSING)
        closes = self.calendar.closing_times()
        opens = self.calendar.open.starts
        cap = self.records.cap
        send_home = self.scenario.hall.at_close == "send_home"
        for close in closes:
            if close >= cap:
                break
            env.timeout(close - self.now)
            yield
            if send_home:
                for queue in self.queues:
                    for ticket in queue.waiting():
                        ticket.taken = True
                        queue.live -= 1
                        self.leave(ticket, SENT_HOME, True)
                continue
            self.overtime = True
            self.closed_at = close
            for queue in self.queues:
                for desk in queue.owners:
                    for officer in desk.officers:
                        officer.hand(None)
            nxt = next((s for s in opens if s > close), None)
            if nxt is None or nxt >= cap:
                break
            env.timeout(nxt - self.now)
            yield
            self.overtime = False

    # --- the hall -------------------------------------------------------------------------
    def visit(
        self, case: int, kind: int, pool: int, ticket: float, call: float, end: float, outcome: int
    ) -> None:
        """Records.visit, into the row buffer (its columns join the records' at the end)."""
        self.add_visit(case, kind, pool, ticket, call, end, outcome)

    def flush_visits(self) -> None:
        for column, data in zip(self.visit_columns, self.visit_rows.take(), strict=True):
            column.frombytes(data)

    def leave(self, ticket: _Ticket, outcome: int, comes_back: bool) -> None:
        """A waiting ticket's holder left (reneged, sent home): record it, maybe come back."""
        now = self.now
        ticket.done = True
        self.open_tickets -= 1
        case = ticket.case
        self.visit(case.id, ticket.kind, ticket.pool, ticket.enqueued, NAN, now, outcome)
        if ticket.kind == COLLECT:
            if comes_back:
                self.come_back(case, case.visits, RENEGE_DELAY, RETURN_TO_COLLECT)
            else:
                self.finished(case)
        elif comes_back:
            self.come_back(case, case.visits, RENEGE_DELAY, RETURN_TO_SUBMIT)
        else:
            case.status = ABANDONED
            self.finished(case)

    def finished(self, case: _Case) -> None:
        if case.cohort:
            case.cohort = False
            self.open_cohort -= 1
            if self.open_cohort == 0 and self.draining:
                self.stop()

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.push(self.now, STOP, None)

    def come_back(self, case: _Case, attempt: int, purpose: int, kind: int) -> None:
        """CaseFlow._come_back of a walk-in: after the return delay in working days, at the
        applicant's usual time of day when the hall is closed then (``Timetable.add_working``
        written out with the same arithmetic, then ``HallCalendar.next_ticket_at_habit`` as
        ``CaseFlow._come_back`` calls it)."""
        now = self.now
        days = self.return_days.value(case.u(purpose, attempt))
        starts, ends, cum = self.open_starts, self.open_ends, self.open_cum
        # bisect_right(starts, now) - 1, from where the last return left it: ``now`` never
        # goes back, so the period under way only moves forward.
        i = self.open_i
        last = len(starts) - 1
        while i < last and starts[i + 1] <= now:
            i += 1
        self.open_i = i
        target = (0.0 if i < 0 else cum[i] + min(now, ends[i]) - starts[i]) + (
            days * self.day_minutes
        )
        i = self.cum_index.left(target) - 1
        at: float
        if i >= len(starts):
            at = INF
        else:
            i = max(i, 0)
            at = starts[i] + target - cum[i]
        cap = self.cap
        if at < cap:
            j = self.ticket_index.right(at) - 1
            if not (j >= 0 and at < self.ticket_ends[j]):
                at = self.at_habit(at, case.habit)
        delay = at - now
        if delay <= 0:
            if kind == RETURN_TO_SUBMIT:
                self.submit(case)
            else:
                self.collect(case)
            return
        at = now + delay
        if at >= cap:
            return
        # Straight onto the event list, even days ahead: a few thousand events instead of
        # a few hundred cost the C heap only a few cheap comparisons more per push and pop.
        self.push(at, kind, case)

    def at_habit(self, at: float, habit: float) -> float:
        """``HallCalendar.next_ticket_at_habit`` written out (the same arithmetic and
        look-ups: ``Timetable.is_working`` and ``next_working`` on the ticket hours), so that
        a return outside ticket hours costs no interpreted call (3 % of the run)."""
        starts, ends = self.ticket_starts, self.ticket_ends
        workday = self.is_workday
        day = int(at // DAY)
        if day * DAY + habit < at:
            day += 1
        for d in range(day, min(day + 31, self.calendar_days)):
            if workday[d]:
                t = d * DAY + habit
                i = self.ticket_index.right(t) - 1
                if i >= 0 and t < ends[i]:
                    return t
        i = self.ticket_index.right(at) - 1
        if i >= 0 and at < ends[i]:
            return at
        return starts[i + 1] if i + 1 < len(starts) else INF

    def submit(self, case: _Case) -> None:
        matter = case.matter
        k = case.submissions
        accept_q = matter.accept_q
        work: float
        if k == 0 and accept_q is not None:
            work = accept_q.value(matter.first_u(ACCEPT_TIME, case.index))
        elif accept_q is not None:
            work = accept_q.value(case.u(ACCEPT_TIME, k))
        else:
            work = matter.accept(Draws(matter.draws, case.index), k)
        n = case.visits
        case.visits = n + 1
        self.issue(case, SUBMIT if n == 0 else RETURN, matter, self.accept_activity, work, n)

    def collect(self, case: _Case) -> None:
        matter = case.matter
        c = case.collections
        collect_time = matter.collect_time
        work = collect_time.value(case.u(COLLECT_TIME, c) if collect_time.needs_u else 0.0)
        case.collections = c + 1
        n = case.visits
        case.visits = n + 1
        self.issue(case, COLLECT, matter, self.collect_activity, work, n)

    def issue(
        self, case: _Case, kind: int, matter: _Matter, activity: int, work: float, visit_no: int
    ) -> None:
        """Hall.issue: a ticket into the matter's queue, or straight to an idle officer."""
        now = self.now
        queue = matter.queue
        tid = self.ticket_count
        self.ticket_count = tid + 1
        ticket = _Ticket(case, kind, matter.pool, work, now, visit_no, queue, activity, tid)
        issued = self.issued
        issued.append(ticket)
        n = self.open_tickets + 1
        self.open_tickets = n
        if len(issued) > 2 * n + 1024:
            self.issued = [t for t in issued if not t.done]
        # WorkQueue.put
        for desk in queue.owners:
            if desk.idle:
                ticket.taken = True
                officer = desk.idle.pop()
                if officer.asleep:  # (one woken meanwhile takes it on waking, as in Officer.hand)
                    self.begin(officer, ticket)
                return  # taken: no renege timer
        for desk in queue.owners:
            backup = desk.backup
            if backup is not None and backup.idle and desk.absent_today:
                ticket.taken = True
                officer = backup.idle.pop()
                if officer.asleep:
                    self.begin(officer, ticket)
                return
        if queue.fifo:
            queue.items.append(ticket)
        else:
            queue.seq += 1
            heappush(queue.heap, (-matter.priority, queue.seq, ticket))
        queue.live += 1
        patience = matter.patience
        if patience is not None:
            u = (
                matter.first_u(PATIENCE, case.index)
                if visit_no == 0
                else case.u(PATIENCE, visit_no)
            )
            wait = patience.value(u)
            self.renege_timer(ticket, now + wait)

    def renege_timer(self, ticket: _Ticket, at: float) -> None:
        """Put the ticket's renege timer on the event list, or, when it is due in a later
        span of TIMER_SPAN minutes, aside with that span's others until the span starts:
        then only the timers of tickets still waiting join the list, each as the event
        (time, sequence number) it would have been; those of tickets called meanwhile
        (nearly all) would have done nothing, and never cost a heap entry."""
        n = self.reserve()
        # Any span whose start is not after ``at`` keeps the order (its timers join the list
        # before their instant); ``floor`` of the quotient, one lower if rounding put the
        # start past ``at``, is cheaper compiled than ``at // TIMER_SPAN`` (fmod and fixes).
        span = math.floor(at / TIMER_SPAN)
        starts = span * TIMER_SPAN
        if starts > at:
            span -= 1
            starts = span * TIMER_SPAN
        if starts <= self.now:
            self.push_event(at, n, RENEGE, ticket)
            return
        ticket.renege_at = at
        ticket.renege_seq = n
        timers = self.timers
        while len(timers) <= span:
            timers.append(None)
        held = timers[span]
        if held is None:
            held = []
            timers[span] = held
            self.push_event(starts, -1, TIMERS_DUE, held)  # before all then
        held.append(ticket)

    def begin(self, officer: _Officer, ticket: _Ticket) -> None:
        """Officer.hand(ticket) of an asleep officer: the service starts at once."""
        officer.asleep = False
        now = self.now
        if ticket.started < 0:
            ticket.started = now
            if self.warmup <= now < self.horizon:
                desk = self.desks[ticket.pool]
                desk.wait_sum += now - ticket.enqueued
                desk.wait_n += 1
        officer.ticket = ticket
        officer.start = now
        self.push(now + ticket.work, END, officer)

    def next_ticket(self, officer: _Officer) -> None:
        """Officer._loop: the next ticket (own queue, then pools backed up, or after closing
        the leftovers), or sleep."""
        desk = officer.desk
        ticket: _Ticket | None = None
        queue = desk.queue
        if officer.on_duty and self.now < officer.duty_end:
            if queue is not None and queue.live:
                ticket = queue.pop()
            else:
                for other in desk.backs_up:
                    if other.absent_today:
                        q = other.queue
                        if q is not None and q.live:
                            ticket = q.pop()
                            break
        elif (
            self.overtime
            and not officer.absent
            and queue is not None
            and queue.live
            and officer.duty_end >= self.closed_at
        ):
            ticket = queue.pop()
        if ticket is None:
            officer.asleep = True
            if officer.on_duty:
                desk.idle.append(officer)
            return
        self.begin(officer, ticket)

    def served(self, officer: _Officer) -> None:
        """A service ends (Officer._window_done, Hall._served, CaseFlow._checked)."""
        now = self.now
        ticket = officer.ticket
        assert ticket is not None
        start = officer.start
        desk = officer.desk
        horizon, warmup = self.horizon, self.warmup
        if now > officer.duty_end:
            desk.tally.available += max(
                0.0, min(now, horizon) - max(max(start, officer.duty_end), warmup)
            )
        if start >= warmup and now <= horizon:
            desk.busy += now - start
        else:
            desk.busy += max(0.0, min(now, horizon) - max(start, warmup))
        case = ticket.case
        ticket.done = True
        self.open_tickets -= 1
        called = ticket.started
        self.visit(case.id, ticket.kind, ticket.pool, ticket.enqueued, called, now, SERVED)
        if self.full:
            self.records.step(
                case.id, ticket.activity, desk.code, officer.index, ticket.enqueued, called, now
            )
        if ticket.kind != COLLECT:
            matter = case.matter
            k = case.submissions
            case.submissions = k + 1
            complete_prob = matter.complete_prob
            u = 0.0
            if complete_prob < 1:
                u = matter.first_u(COMPLETE, case.index) if k == 0 else case.u(COMPLETE, k)
            if complete_prob < 1 and u >= complete_prob:
                self.come_back(case, k, RETURN_DELAY, RETURN_TO_SUBMIT)
            else:
                case.accepted = now
                case.decision = now  # decided at the window (no chain)
                case.status = DECIDED
                if matter.collect_in_person:
                    self.come_back(case, 0, COLLECT_DELAY, RETURN_TO_COLLECT)
                elif case.cohort:
                    self.finished(case)
        elif case.cohort:
            self.finished(case)
        self.next_ticket(officer)

    def arrive(self, arrivals: _Arrivals) -> None:
        """An applicant of a matter arrives (ArrivalStream): a case and its first ticket."""
        now = self.now
        if now >= self.horizon and not (
            self.open_cohort > QUIET_TAIL * self.cohort_size  # arrivals still needed
        ):
            return
        matter = arrivals.matter
        index = matter.applicants
        matter.applicants = index + 1
        cases = self.cases
        case = _Case(len(cases), matter, index, now)
        cases.append(case)
        if self.warmup <= now < self.horizon:
            case.cohort = True
            self.open_cohort += 1
            self.cohort_size += 1
        self.submit(case)
        t = arrivals.next()
        if t >= 0.0:
            self.push(now + (t - now), ARRIVE, arrivals)

    def renege(self, ticket: _Ticket) -> None:
        """A ticket's holder's patience ran out (nothing happens if it was called)."""
        if ticket.taken:
            return
        ticket.taken = True
        ticket.queue.live -= 1
        back = ticket.case.u(RENEGE_RETURN, ticket.visit_no) < self.renege_back
        self.leave(ticket, RENEGED, back)

    # --- the run ----------------------------------------------------------------------------
    def run(self, detail: str) -> Records:
        records, calendar, scenario = self.records, self.calendar, self.scenario
        self.warmup, self.horizon = records.warmup, records.horizon
        cap = self.cap = records.cap
        self.full = detail == "full"
        self.accept_activity = records.activity_code("acceptance")
        self.collect_activity = records.activity_code("collection")
        self.return_days = _Quantile(scenario.hall.return_delay_days)
        self.open_starts: list[float] = calendar.open.starts
        self.open_ends: list[float] = calendar.open.ends
        self.open_cum: list[float] = calendar.open.cum
        self.day_minutes: float = calendar.day_minutes
        self.ticket_starts: list[float] = calendar.tickets.starts
        # Searched at every return (``come_back``, ``at_habit``).
        self.cum_index = _Index(self.open_cum)
        self.ticket_index = _Index(self.ticket_starts)
        self.ticket_ends: list[float] = calendar.tickets.ends
        self.is_workday: list[bool] = calendar.is_workday
        self.calendar_days: int = calendar.days
        self.renege_back: float = scenario.hall.renege_return_prob

        # The engine's processes start in this order at time 0 (urgent, before any timeout):
        # the officers (asleep: nothing to do yet), the roster, the closing times, the
        # arrival streams, the drain, the backlog sampler.
        rosters = self._roster()
        rosters.step(False)
        closing = self._closing()
        next(closing, None)
        for matter, m in zip(self.matters, scenario.matters, strict=True):
            segments = rate_segments(m.arrivals, calendar, scenario.demand_factor)
            spread = m.arrivals.day_factor
            if spread is not None:
                day_rng = stream(self.seed, "matter", m.id, "day_factor")
                segments = with_day_factors(segments, spread.cv, day_rng, calendar.days)
            rng = stream(self.seed, "matter", m.id, "arrivals")
            arrivals = _Arrivals(matter, segments, rng, cap)
            t = arrivals.next()
            if t >= 0.0:
                self.push(0.0 + (t - 0.0), ARRIVE, arrivals)
        self.push(0.0 + self.horizon, HORIZON, None)
        # The backlog sampler: no back-office work here, so nothing waits at a day's end.
        for day in calendar.workdays():
            if day >= scenario.horizon.days:
                break
            records.backlog_days.append(day + 1)
            records.daily_backlog.append(0.0)
        self.loop(rosters, closing)
        records.end = self.now
        # Officers let go of the kernel, pools of their officers and queues of their
        # tickets (a ticket's case's matter holds its queue): no cycle of the run's objects
        # (some 150,000) is left, so they are freed when the kernel goes, not traversed by
        # the next cyclic collection.
        for desk in self.desks:
            for officer in desk.officers:
                officer.kernel = None
            desk.officers = []  # (each officer holds its desk)
            desk.idle = []
        for queue in self.queues:
            queue.items = []
            queue.heap = []
        for desk in self.desks:  # the sums only the loop added to, in the same order
            desk.tally.busy += desk.busy
            desk.tally.wait_sum += desk.wait_sum
            desk.tally.wait_n += desk.wait_n
        for ticket in self.issued:  # Hall.flush: those not done, in the order issued
            if ticket.done:
                continue
            called, outcome = (ticket.started, IN_SERVICE) if ticket.taken else (NAN, WAITING)
            self.visit(
                ticket.case.id, ticket.kind, ticket.pool, ticket.enqueued, called, NAN, outcome
            )
        self.flush_visits()
        cases = self.cases
        records.add_cases(
            [case.matter.code for case in cases],
            [case.arrival for case in cases],
            {
                "accepted": [case.accepted for case in cases],
                "decision": [case.decision for case in cases],
                "visits": [case.visits for case in cases],
                "status": [case.status for case in cases],
            },
        )
        return records

    def loop(self, rosters: _Roster, closing: Iterator[None]) -> None:
        """Take events in order until the run's end (a STOP event)."""
        pop = self.pop_event
        while True:
            try:  # (cheaper than asking the list for its length before every event)
                now, kind, x = pop()
            except IndexError:
                break
            self.now = now
            if kind == END:
                self.served(x)
            elif kind == ARRIVE:
                self.arrive(x)
            elif kind == RENEGE:
                self.renege(x)
            elif kind == RETURN_TO_SUBMIT:
                self.submit(x)
            elif kind == RETURN_TO_COLLECT:
                self.collect(x)
            elif kind == WAKE:
                self.next_ticket(x)
            elif kind == ROSTER:
                rosters.step(True)
            elif kind == CLOSING:
                next(closing, None)
            elif kind == TIMERS_DUE:  # the span's timers of tickets still waiting join it
                held = cast(list[_Ticket], x)
                for ticket in held:
                    if not ticket.taken:
                        self.push_event(ticket.renege_at, ticket.renege_seq, RENEGE, ticket)
                held.clear()  # its span is over: a later timer of it goes straight on the list
            elif kind == HORIZON:
                if self.open_cohort == 0:
                    self.stop()
                else:
                    self.draining = True
                    self.push(now + (self.cap - now), CAP, None)
            elif kind == CAP:
                self.stop()
            else:  # STOP
                return
        raise RuntimeError("no events left before the end of the run")


def run_hall(scenario: Scenario, seed: int, detail: str) -> Records:
    """Run a window-only hall (``kernel_refusal(scenario) is None``) on the kernel."""
    calendar = hall_calendar(scenario)
    records = new_records(scenario, calendar, detail)  # type: ignore[arg-type]
    paused = gc.isenabled()  # as Model.run: a run makes almost no reference cycles
    gc.disable()
    try:
        return _Kernel(scenario, seed, records, calendar).run(detail)
    finally:
        if paused:
            gc.enable()
