/* The hall kernel's native helpers (plain CPython C API; built by build.py, optional).
 *
 * EventHeap: the kernel's event list. An event is (time, sequence, kind, payload); it is
 * ordered exactly as heapq orders the tuple (time, sequence, kind, payload): by time, then
 * sequence, then kind, then (only on a full tie) the payloads as tuple comparison does. The
 * sifts are heapq's own (_siftdown, _siftup), so even equal events come out in heapq's
 * order. Time, sequence and kind live in a C array, so pushing allocates no tuple and
 * compares doubles instead of Python objects; pop's (time, kind, payload) tuple is refilled
 * when its last taker has let go of it. schedule(time, kind, payload) numbers the event
 * itself (0, 1, ..., the numbers reserve() hands out for later pushes included).
 * EventHeap(window=w), w > 0, keeps events w or more after the heap's earliest aside,
 * unsorted, until the heap runs empty: the heap stays a window deep (the kernel's returns
 * days ahead no longer add levels to every sift). Events come out in the same order, unless
 * two tie in time, sequence and kind (then their order may differ from heapq's).
 *
 * KeyedUniform: the uniform of a later attempt, (BLAKE2b-64 keyed by the purpose of the
 * 12 bytes pack("<QI", applicant, attempt), read little-endian) >> 11, times 2**-53: the
 * bits of streams.Draws.u. The state after the key block is worked out once per key.
 *
 * Rows: a table's rows as C values in a buffer per column (array typecodes), taken as bytes
 * for array.frombytes: a visit recorded with one call.
 *
 * SOURCE_HASH (a macro set by build.py) is the SHA-256 of this file: native.py never uses
 * a build of another version.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>

#ifndef SOURCE_HASH
#define SOURCE_HASH ""
#endif

/* ---------------------------------------------------------------- the event heap */

typedef struct {
    double time;
    long long seq;
    long kind;
    PyObject *payload; /* owned */
} Event;

typedef struct {
    PyObject_HEAD
    Event *items;
    Py_ssize_t size;
    Py_ssize_t capacity;
    PyObject *result; /* the last pop's tuple, reused once its taker has let go of it */
    long long counter; /* the next sequence number schedule() and reserve() give */
    /* The far store (EventHeap(window=w), w > 0): events at or after `split` wait unsorted
     * in `far`; when the heap runs empty, those before the earliest of them + w join it. */
    double window;
    double split;
    Event *far;
    Py_ssize_t far_size;
    Py_ssize_t far_capacity;
} EventHeap;

/* A full tie of time, sequence and kind: tuple comparison looks at the payloads (equal ones:
 * not less). Out of line: the kernel's events never tie so (their sequences differ). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
payload_less(const Event *a, const Event *b)
{
    PyObject *x = a->payload, *y = b->payload;
    if (x == y)
        return 0;
    Py_INCREF(x);
    Py_INCREF(y);
    int r = PyObject_RichCompareBool(x, y, Py_EQ);
    if (r == 0)
        r = PyObject_RichCompareBool(x, y, Py_LT);
    else if (r > 0)
        r = 0;
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

/* 1 if a < b by time, sequence and kind, 0 if not, TIE if they are equal in all three
 * (then the payloads decide: payload_less). Decided here, no Python code runs, so the
 * sifts check that the heap is unchanged only after a TIE (the kernel's events never tie:
 * the checks after every comparison cost an eighth of a pop). */
#define TIE 2
static inline int
key_less(const Event *a, const Event *b)
{
    if (a->time != b->time)
        return a->time < b->time;
    if (a->seq != b->seq)
        return a->seq < b->seq;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    return TIE;
}

/* A payload's comparison changed the heap (as heapq, an error): put the item being moved
 * back if its array is still the heap's, and say so. */
static int
heap_changed(EventHeap *h, Event *items, Py_ssize_t pos, Event item)
{
    if (items == h->items && pos < h->size)
        items[pos] = item;
    else
        Py_DECREF(item.payload);
    PyErr_SetString(PyExc_RuntimeError, "event heap changed during a comparison");
    return -1;
}

/* heapq._siftdown: move the item at pos up towards startpos. */
static int
sift_down(EventHeap *h, Py_ssize_t startpos, Py_ssize_t pos)
{
    Event *items = h->items;
    Event item = items[pos];
    Py_ssize_t size = h->size;
    while (pos > startpos) {
        Py_ssize_t parentpos = (pos - 1) >> 1;
        int less = key_less(&item, &items[parentpos]);
        if (less == TIE) {
            less = payload_less(&item, &items[parentpos]);
            if (less < 0) {
                items[pos] = item;
                return -1;
            }
            if (size != h->size || items != h->items)
                return heap_changed(h, items, pos, item);
        }
        if (!less)
            break;
        items[pos] = items[parentpos];
        pos = parentpos;
    }
    items[pos] = item;
    return 0;
}

/* heapq._siftup: the smaller child up until a leaf, then the item back down. */
static int
sift_up(EventHeap *h, Py_ssize_t pos)
{
    Event *items = h->items;
    Py_ssize_t endpos = h->size;
    Py_ssize_t startpos = pos;
    Event item = items[pos];
    Py_ssize_t childpos = 2 * pos + 1;
    while (childpos < endpos) {
        Py_ssize_t rightpos = childpos + 1;
        if (rightpos < endpos) {
            int less = key_less(&items[childpos], &items[rightpos]);
            if (less == TIE) {
                less = payload_less(&items[childpos], &items[rightpos]);
                if (less < 0) {
                    items[pos] = item;
                    return -1;
                }
                if (endpos != h->size || items != h->items)
                    return heap_changed(h, items, pos, item);
            }
            if (!less)
                childpos = rightpos;
        }
        items[pos] = items[childpos];
        pos = childpos;
        childpos = 2 * pos + 1;
    }
    items[pos] = item;
    return sift_down(h, startpos, pos);
}

static int
heap_grow(EventHeap *h)
{
    Py_ssize_t capacity = h->capacity ? h->capacity * 2 : 1024;
    Event *items = PyMem_Realloc(h->items, (size_t)capacity * sizeof(Event));
    if (items == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    h->items = items;
    h->capacity = capacity;
    return 0;
}

/* An event onto the heap, or into the far store when it is at or after its split. */
static int
heap_insert(EventHeap *h, double time, long long seq, long kind, PyObject *payload)
{
    if (h->window > 0.0 && !(time < h->split)) {
        if (h->far_size == h->far_capacity) {
            Py_ssize_t capacity = h->far_capacity ? h->far_capacity * 2 : 1024;
            Event *far = PyMem_Realloc(h->far, (size_t)capacity * sizeof(Event));
            if (far == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            h->far = far;
            h->far_capacity = capacity;
        }
        Event *e = &h->far[h->far_size++];
        e->time = time;
        e->seq = seq;
        e->kind = kind;
        Py_INCREF(payload);
        e->payload = payload;
        return 0;
    }
    if (h->size == h->capacity && heap_grow(h) < 0)
        return -1;
    Event *e = &h->items[h->size];
    e->time = time;
    e->seq = seq;
    e->kind = kind;
    Py_INCREF(payload);
    e->payload = payload;
    h->size++;
    return sift_down(h, 0, h->size - 1);
}

/* The heap ran empty: the far store's events before (its earliest time + window), and those
 * at its earliest time (when adding the window changes nothing, as at infinity), join it. */
static int
heap_refill(EventHeap *h)
{
    Event *far = h->far;
    Py_ssize_t n = h->far_size;
    double first = far[0].time;
    for (Py_ssize_t i = 1; i < n; i++)
        if (far[i].time < first)
            first = far[i].time;
    double split = first + h->window;
    h->split = split;
    Py_ssize_t kept = 0;
    int status = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Event e = far[i];
        if (status == 0 && (e.time < split || e.time == first)) {
            if (h->size == h->capacity && heap_grow(h) < 0) {
                status = -1;
                far[kept++] = e;
                continue;
            }
            h->items[h->size++] = e;
            if (sift_down(h, 0, h->size - 1) < 0)
                status = -1; /* (a full tie's payloads failed to compare: e stays put) */
        }
        else
            far[kept++] = e;
    }
    h->far_size = kept;
    return status;
}

static PyObject *
heap_push(EventHeap *h, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_Format(PyExc_TypeError,
                     "push(time, sequence, kind, payload) takes 4 arguments (%zd given)", nargs);
        return NULL;
    }
    double time = PyFloat_AsDouble(args[0]);
    if (time == -1.0 && PyErr_Occurred())
        return NULL;
    if (time != time) {
        PyErr_SetString(PyExc_ValueError, "an event's time cannot be NaN");
        return NULL;
    }
    long long seq = PyLong_AsLongLong(args[1]);
    if (seq == -1 && PyErr_Occurred())
        return NULL;
    long kind = PyLong_AsLong(args[2]);
    if (kind == -1 && PyErr_Occurred())
        return NULL;
    if (heap_insert(h, time, seq, kind, args[3]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* push(time, n, kind, payload) with n the heap's next sequence number: what the kernel
 * does for nearly every event, without its sequence number going through a Python int. */
static PyObject *
heap_schedule(EventHeap *h, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError,
                     "schedule(time, kind, payload) takes 3 arguments (%zd given)", nargs);
        return NULL;
    }
    double time = PyFloat_CheckExact(args[0]) ? PyFloat_AS_DOUBLE(args[0])
                                              : PyFloat_AsDouble(args[0]);
    if (time == -1.0 && PyErr_Occurred())
        return NULL;
    if (time != time) {
        PyErr_SetString(PyExc_ValueError, "an event's time cannot be NaN");
        return NULL;
    }
    long kind = PyLong_AsLong(args[1]);
    if (kind == -1 && PyErr_Occurred())
        return NULL;
    if (heap_insert(h, time, h->counter++, kind, args[2]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* The heap's next sequence number, taken (for an event pushed later with push). */
static PyObject *
heap_reserve(EventHeap *h, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLongLong(h->counter++);
}

static PyObject *
heap_pop(EventHeap *h, PyObject *Py_UNUSED(ignored))
{
    if (h->size == 0) {
        if (h->far_size == 0) {
            PyErr_SetString(PyExc_IndexError, "pop from an empty event heap");
            return NULL;
        }
        if (heap_refill(h) < 0)
            return NULL;
    }
    Event *items = h->items;
    Event first = items[0];
    h->size--;
    if (h->size > 0) {
        items[0] = items[h->size];
        if (sift_up(h, 0) < 0) {
            Py_DECREF(first.payload);
            return NULL;
        }
    }
    PyObject *time = PyFloat_FromDouble(first.time);
    PyObject *kind = PyLong_FromLong(first.kind);
    if (time == NULL || kind == NULL) {
        Py_XDECREF(time);
        Py_XDECREF(kind);
        Py_DECREF(first.payload);
        return NULL;
    }
    PyObject *result = h->result;
    if (result != NULL && Py_REFCNT(result) == 1) {
        /* Nobody else holds the last pop's tuple (the loop unpacked it): refill it, as
         * zip and enumerate do with theirs, instead of making a new one per event. */
        PyObject *old[3];
        for (int i = 0; i < 3; i++)
            old[i] = PyTuple_GET_ITEM(result, i);
        PyTuple_SET_ITEM(result, 0, time);
        PyTuple_SET_ITEM(result, 1, kind);
        PyTuple_SET_ITEM(result, 2, first.payload); /* the heap's reference, handed on */
        if (!PyObject_GC_IsTracked(result))
            PyObject_GC_Track(result);
        for (int i = 0; i < 3; i++)
            Py_DECREF(old[i]);
        Py_INCREF(result);
        return result;
    }
    result = PyTuple_New(3);
    if (result == NULL) {
        Py_DECREF(time);
        Py_DECREF(kind);
        Py_DECREF(first.payload);
        return NULL;
    }
    PyTuple_SET_ITEM(result, 0, time);
    PyTuple_SET_ITEM(result, 1, kind);
    PyTuple_SET_ITEM(result, 2, first.payload);
    Py_XSETREF(h->result, result); /* kept for the next pop */
    Py_INCREF(result);
    return result;
}

/* before(time, sequence, kind): whether the first event comes before an event with that
 * key (a full tie is not before). A batch of events that share one instant (the engine's
 * courier rounds and wake-ups) asks it to go on with its next member at once when nothing
 * else is due first, instead of a push and a pop per member. Reads the heap only. */
static PyObject *
heap_before(EventHeap *h, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError,
                     "before(time, sequence, kind) takes 3 arguments (%zd given)", nargs);
        return NULL;
    }
    Event key;
    key.time = PyFloat_AsDouble(args[0]);
    if (key.time == -1.0 && PyErr_Occurred())
        return NULL;
    if (key.time != key.time) {
        PyErr_SetString(PyExc_ValueError, "an event's time cannot be NaN");
        return NULL;
    }
    key.seq = PyLong_AsLongLong(args[1]);
    if (key.seq == -1 && PyErr_Occurred())
        return NULL;
    key.kind = PyLong_AsLong(args[2]);
    if (key.kind == -1 && PyErr_Occurred())
        return NULL;
    key.payload = NULL;
    if (h->size > 0) /* the far store's events all come after the heap's */
        return PyBool_FromLong(key_less(&h->items[0], &key) == 1);
    for (Py_ssize_t i = 0; i < h->far_size; i++) /* an empty heap: the far store unsorted */
        if (key_less(&h->far[i], &key) == 1)
            Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

static Py_ssize_t
heap_len(EventHeap *h)
{
    return h->size + h->far_size;
}

static int
heap_traverse(EventHeap *h, visitproc visit, void *arg)
{
    for (Py_ssize_t i = 0; i < h->size; i++)
        Py_VISIT(h->items[i].payload);
    for (Py_ssize_t i = 0; i < h->far_size; i++)
        Py_VISIT(h->far[i].payload);
    Py_VISIT(h->result);
    return 0;
}

static int
heap_clear(EventHeap *h)
{
    Py_ssize_t size = h->size;
    h->size = 0;
    for (Py_ssize_t i = 0; i < size; i++)
        Py_CLEAR(h->items[i].payload);
    size = h->far_size;
    h->far_size = 0;
    for (Py_ssize_t i = 0; i < size; i++)
        Py_CLEAR(h->far[i].payload);
    Py_CLEAR(h->result);
    return 0;
}

static void
heap_dealloc(EventHeap *h)
{
    PyObject_GC_UnTrack(h);
    heap_clear(h);
    PyMem_Free(h->items);
    PyMem_Free(h->far);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyObject *
heap_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    double window = 0.0;
    static char *names[] = {"window", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$d:EventHeap", names, &window))
        return NULL;
    if (!(window >= 0.0) || window == Py_HUGE_VAL) {
        PyObject *given = PyFloat_FromDouble(window);
        if (given != NULL) {
            PyErr_Format(PyExc_ValueError,
                         "an event heap's window is 0 or more and finite, not %R", given);
            Py_DECREF(given);
        }
        return NULL;
    }
    EventHeap *h = (EventHeap *)type->tp_alloc(type, 0);
    if (h == NULL)
        return NULL;
    h->items = NULL;
    h->size = 0;
    h->capacity = 0;
    h->result = NULL;
    h->counter = 0;
    h->window = window;
    h->split = -Py_HUGE_VAL;
    h->far = NULL;
    h->far_size = 0;
    h->far_capacity = 0;
    return (PyObject *)h;
}

static PyMethodDef heap_methods[] = {
    {"push", (PyCFunction)(void (*)(void))heap_push, METH_FASTCALL,
     "push(time, sequence, kind, payload): add an event."},
    {"schedule", (PyCFunction)(void (*)(void))heap_schedule, METH_FASTCALL,
     "schedule(time, kind, payload): push(time, n, kind, payload), n the next sequence "
     "number (0, 1, ... shared with reserve)."},
    {"reserve", (PyCFunction)heap_reserve, METH_NOARGS,
     "reserve() -> the next sequence number, taken (for a push later)."},
    {"pop", (PyCFunction)heap_pop, METH_NOARGS,
     "pop() -> (time, kind, payload) of the first event."},
    {"before", (PyCFunction)(void (*)(void))heap_before, METH_FASTCALL,
     "before(time, sequence, kind) -> whether the first event comes before that key."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods heap_as_sequence = {
    .sq_length = (lenfunc)heap_len,
};

static PyTypeObject EventHeapType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "simlib.engine.kernel._native.EventHeap",
    .tp_doc = "The hall kernel's event list, in the order of heapq on (time, sequence, kind, "
              "payload) tuples.",
    .tp_basicsize = sizeof(EventHeap),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = heap_new,
    .tp_dealloc = (destructor)heap_dealloc,
    .tp_traverse = (traverseproc)heap_traverse,
    .tp_clear = (inquiry)heap_clear,
    .tp_methods = heap_methods,
    .tp_as_sequence = &heap_as_sequence,
};

/* ---------------------------------------------------------------- keyed BLAKE2b uniforms */

static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
    0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
    0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t blake2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static inline uint64_t
rotr64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

static inline uint64_t
load64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
#endif
}

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* BLAKE2b's compression of one 128-byte block, as 16 little-endian words m (RFC 7693,
 * section 3.2). Inlined, so that for a message block the compiler drops the words known
 * to be zero. */
static ALWAYS_INLINE void
blake2b_compress(uint64_t h[8], const uint64_t m[16], uint64_t t, int last)
{
    uint64_t v[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= t; /* messages here are far shorter than 2**64 bytes: the high word is 0 */
    if (last)
        v[14] = ~v[14];
#define G(a, b, c, d, x, y)                 \
    do {                                    \
        v[a] = v[a] + v[b] + (x);           \
        v[d] = rotr64(v[d] ^ v[a], 32);     \
        v[c] = v[c] + v[d];                 \
        v[b] = rotr64(v[b] ^ v[c], 24);     \
        v[a] = v[a] + v[b] + (y);           \
        v[d] = rotr64(v[d] ^ v[a], 16);     \
        v[c] = v[c] + v[d];                 \
        v[b] = rotr64(v[b] ^ v[c], 63);     \
    } while (0)
#define ROUND(r)                                                   \
    do {                                                           \
        G(0, 4, 8, 12, m[blake2b_sigma[r][0]], m[blake2b_sigma[r][1]]);   \
        G(1, 5, 9, 13, m[blake2b_sigma[r][2]], m[blake2b_sigma[r][3]]);   \
        G(2, 6, 10, 14, m[blake2b_sigma[r][4]], m[blake2b_sigma[r][5]]);  \
        G(3, 7, 11, 15, m[blake2b_sigma[r][6]], m[blake2b_sigma[r][7]]);  \
        G(0, 5, 10, 15, m[blake2b_sigma[r][8]], m[blake2b_sigma[r][9]]);  \
        G(1, 6, 11, 12, m[blake2b_sigma[r][10]], m[blake2b_sigma[r][11]]); \
        G(2, 7, 8, 13, m[blake2b_sigma[r][12]], m[blake2b_sigma[r][13]]);  \
        G(3, 4, 9, 14, m[blake2b_sigma[r][14]], m[blake2b_sigma[r][15]]);  \
    } while (0)
    /* The twelve rounds written out: the message schedule becomes constant indices. */
    ROUND(0);
    ROUND(1);
    ROUND(2);
    ROUND(3);
    ROUND(4);
    ROUND(5);
    ROUND(6);
    ROUND(7);
    ROUND(8);
    ROUND(9);
    ROUND(10);
    ROUND(11);
#undef ROUND
#undef G
    for (int i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
}

/* The same compression of the one message block u() hashes, (index, attempt) and zeros,
 * in AVX2 when the processor has it: the sixteen words as four rows of four lanes, each
 * G step done on the four columns (then the four diagonals) at once, as in RFC 7693's
 * reference vector implementations; about half the instructions of the scalar one. Only
 * h[0], the digest's first 8 bytes, is returned. */
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_PATH 1
#include <immintrin.h>

#define ROW_ROT32(x) _mm256_shuffle_epi32((x), _MM_SHUFFLE(2, 3, 0, 1))
#define ROW_ROT24(x) _mm256_shuffle_epi8((x), rot24)
#define ROW_ROT16(x) _mm256_shuffle_epi8((x), rot16)
#define ROW_ROT63(x) _mm256_or_si256(_mm256_srli_epi64((x), 63), _mm256_add_epi64((x), (x)))
#define ROW_G(x, y)                                                      \
    do {                                                                 \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), (x));               \
        d = ROW_ROT32(_mm256_xor_si256(d, a));                           \
        c = _mm256_add_epi64(c, d);                                      \
        b = ROW_ROT24(_mm256_xor_si256(b, c));                           \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), (y));               \
        d = ROW_ROT16(_mm256_xor_si256(d, a));                           \
        c = _mm256_add_epi64(c, d);                                      \
        b = ROW_ROT63(_mm256_xor_si256(b, c));                           \
    } while (0)
/* Message words of round r for lanes of the columns (k = 0) or diagonals (k = 8). */
#define ROW_MSG(r, k, j)                                                  \
    _mm256_setr_epi64x((long long)m[blake2b_sigma[r][(k) + (j)]],         \
                       (long long)m[blake2b_sigma[r][(k) + (j) + 2]],     \
                       (long long)m[blake2b_sigma[r][(k) + (j) + 4]],     \
                       (long long)m[blake2b_sigma[r][(k) + (j) + 6]])
#define ROW_ROUND(r)                                                           \
    do {                                                                       \
        ROW_G(ROW_MSG(r, 0, 0), ROW_MSG(r, 0, 1));                             \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));              \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));              \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));              \
        ROW_G(ROW_MSG(r, 8, 0), ROW_MSG(r, 8, 1));                             \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));              \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));              \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));              \
    } while (0)

__attribute__((target("avx2"))) static uint64_t
blake2b_last_avx2(const uint64_t state[8], uint64_t index, uint64_t attempt, uint64_t t)
{
    const uint64_t m[16] = {index, attempt};
    const __m256i rot24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
                                           3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    const __m256i rot16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
                                           2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    __m256i a = _mm256_loadu_si256((const __m256i *)&state[0]);
    __m256i b = _mm256_loadu_si256((const __m256i *)&state[4]);
    __m256i c = _mm256_loadu_si256((const __m256i *)&blake2b_iv[0]);
    /* v12 ^= t (the high word t1 is 0), v14 = ~v14 (the last block). */
    __m256i d = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)&blake2b_iv[4]),
                                 _mm256_setr_epi64x((long long)t, 0, -1, 0));
    ROW_ROUND(0);
    ROW_ROUND(1);
    ROW_ROUND(2);
    ROW_ROUND(3);
    ROW_ROUND(4);
    ROW_ROUND(5);
    ROW_ROUND(6);
    ROW_ROUND(7);
    ROW_ROUND(8);
    ROW_ROUND(9);
    ROW_ROUND(10);
    ROW_ROUND(11);
    /* h[0] ^= v[0] ^ v[8] */
    __m256i x = _mm256_xor_si256(a, c);
    return state[0] ^ (uint64_t)_mm_cvtsi128_si64(_mm256_castsi256_si128(x));
}
#undef ROW_ROUND
#undef ROW_MSG
#undef ROW_G
#undef ROW_ROT63
#undef ROW_ROT16
#undef ROW_ROT24
#undef ROW_ROT32
#endif

/* Whether this processor runs the AVX2 compression (looked up once, at import). */
static int have_avx2 = 0;

typedef struct {
    PyObject_HEAD
    uint64_t state[8]; /* after the key block, before the message */
    int vector;        /* hash with blake2b_last_avx2 (same bits) */
} KeyedUniform;

static PyObject *
keyed_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_buffer key;
    int vector = 1;
    static char *names[] = {"key", "vector", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*|$p:KeyedUniform", names, &key, &vector))
        return NULL;
    if (key.len < 1 || key.len > 64) {
        PyErr_Format(PyExc_ValueError, "a BLAKE2b key has 1 to 64 bytes, not %zd", key.len);
        PyBuffer_Release(&key);
        return NULL;
    }
    KeyedUniform *self = (KeyedUniform *)type->tp_alloc(type, 0);
    if (self == NULL) {
        PyBuffer_Release(&key);
        return NULL;
    }
    /* Parameter block: digest length 8, key length, fanout 1, depth 1. */
    memcpy(self->state, blake2b_iv, sizeof(blake2b_iv));
    self->state[0] ^= 0x01010000ULL ^ ((uint64_t)key.len << 8) ^ 8ULL;
    uint8_t block[128] = {0};
    uint64_t m[16];
    memcpy(block, key.buf, (size_t)key.len);
    for (int i = 0; i < 16; i++)
        m[i] = load64(block + 8 * i);
    blake2b_compress(self->state, m, 128, 0);
    self->vector = vector && have_avx2;
    PyBuffer_Release(&key);
    return (PyObject *)self;
}

static PyObject *
keyed_u(KeyedUniform *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "u(index, attempt) takes 2 arguments (%zd given)", nargs);
        return NULL;
    }
    unsigned long long index = PyLong_AsUnsignedLongLong(args[0]);
    if (index == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    unsigned long attempt = PyLong_AsUnsignedLong(args[1]);
    if (attempt == (unsigned long)-1 && PyErr_Occurred())
        return NULL;
    if (attempt > 0xffffffffUL) {
        PyErr_SetString(PyExc_OverflowError, "an attempt number must fit in 32 bits");
        return NULL;
    }
#ifdef HAVE_AVX2_PATH
    if (self->vector)
        return PyFloat_FromDouble(
            (double)(blake2b_last_avx2(self->state, index, attempt, 128 + 12) >> 11) * 0x1p-53);
#endif
    /* The block pack("<QI", index, attempt) and zeros, as little-endian words. */
    const uint64_t m[16] = {(uint64_t)index, (uint64_t)attempt};
    uint64_t h[8];
    memcpy(h, self->state, sizeof(h));
    blake2b_compress(h, m, 128 + 12, 1);
    /* The digest's 8 bytes read little-endian are h[0]. */
    return PyFloat_FromDouble((double)(h[0] >> 11) * 0x1p-53);
}

static PyMethodDef keyed_methods[] = {
    {"u", (PyCFunction)(void (*)(void))keyed_u, METH_FASTCALL,
     "u(index, attempt) -> the uniform of this key's purpose for that applicant and attempt."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject KeyedUniformType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "simlib.engine.kernel._native.KeyedUniform",
    .tp_doc = "KeyedUniform(key, *, vector=True): later attempts' uniforms of one purpose, "
              "BLAKE2b-64 keyed by its key (vector: in AVX2 when the processor has it, the "
              "same bits).",
    .tp_basicsize = sizeof(KeyedUniform),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = keyed_new,
    .tp_methods = keyed_methods,
};

/* ---------------------------------------------------------------- record rows */

/* Rows(typecodes): a table's rows written one at a time (add, one value per column), kept
 * as C values in one buffer per column, each in its array typecode's C type; take() gives
 * each column's bytes (what array.frombytes wants) and empties the buffers. The kernel
 * records a visit with one call instead of boxing seven values into seven lists and packing
 * them with struct later. A value out of its column's range (or of the wrong type) raises
 * as array.append does, and leaves the rows as they were. */
#define ROWS_MAX_COLUMNS 16

typedef union {
    long long i;
    unsigned long long u;
    double d;
    float f;
} RowValue;

/* What a column holds: its C type's family, size and range (set up once per column). */
enum { ROW_FLOAT64, ROW_FLOAT32, ROW_SIGNED, ROW_UNSIGNED };

typedef struct {
    int family;
    Py_ssize_t size;
    long long lo, hi;       /* ROW_SIGNED */
    unsigned long long top; /* ROW_UNSIGNED */
    char code;
} RowColumn;

typedef struct {
    PyObject_HEAD
    Py_ssize_t ncols;
    RowColumn columns[ROWS_MAX_COLUMNS];
    char *data[ROWS_MAX_COLUMNS];
    Py_ssize_t size;     /* rows held */
    Py_ssize_t capacity; /* rows the buffers have room for */
} Rows;

/* A column of array typecode `code` (0 if it is not one Rows takes). */
static int
row_column(char code, RowColumn *column)
{
    column->code = code;
    column->lo = column->hi = 0;
    column->top = 0;
    column->family = ROW_SIGNED;
    switch (code) {
    case 'd': column->family = ROW_FLOAT64; column->size = sizeof(double); return 1;
    case 'f': column->family = ROW_FLOAT32; column->size = sizeof(float); return 1;
    case 'b': column->size = 1; column->lo = SCHAR_MIN; column->hi = SCHAR_MAX; return 1;
    case 'h': column->size = sizeof(short); column->lo = SHRT_MIN; column->hi = SHRT_MAX;
              return 1;
    case 'i': column->size = sizeof(int); column->lo = INT_MIN; column->hi = INT_MAX; return 1;
    case 'l': column->size = sizeof(long); column->lo = LONG_MIN; column->hi = LONG_MAX;
              return 1;
    case 'q': column->size = sizeof(long long); column->lo = LLONG_MIN; column->hi = LLONG_MAX;
              return 1;
    }
    column->family = ROW_UNSIGNED;
    switch (code) {
    case 'B': column->size = 1; column->top = UCHAR_MAX; return 1;
    case 'H': column->size = sizeof(short); column->top = USHRT_MAX; return 1;
    case 'I': column->size = sizeof(int); column->top = UINT_MAX; return 1;
    case 'L': column->size = sizeof(long); column->top = ULONG_MAX; return 1;
    case 'Q': column->size = sizeof(long long); column->top = ULLONG_MAX; return 1;
    }
    return 0;
}

/* Whether x is an int of one digit or none (most of a table's integers): then *value is it. */
static ALWAYS_INLINE int
small_int(PyObject *x, long long *value)
{
    if (!PyLong_CheckExact(x))
        return 0;
#if PY_VERSION_HEX >= 0x030C0000
    if (!PyUnstable_Long_IsCompact((PyLongObject *)x))
        return 0;
    *value = (long long)PyUnstable_Long_CompactValue((PyLongObject *)x);
    return 1;
#else
    Py_ssize_t size = Py_SIZE(x);
    if (size < -1 || size > 1)
        return 0;
    *value = (long long)size * (long long)((PyLongObject *)x)->ob_digit[0];
    return 1;
#endif
}

static int
row_not_int(const RowColumn *column, PyObject *x)
{
    PyErr_Format(PyExc_TypeError, "a column of typecode '%c' takes integers, not %.100s",
                 column->code, Py_TYPE(x)->tp_name);
    return -1;
}

/* One value converted for its column (0), or an exception set (-1). */
static ALWAYS_INLINE int
row_convert(const RowColumn *column, PyObject *x, RowValue *out)
{
    if (column->family == ROW_FLOAT64 || column->family == ROW_FLOAT32) {
        double d = PyFloat_CheckExact(x) ? PyFloat_AS_DOUBLE(x) : PyFloat_AsDouble(x);
        if (d == -1.0 && PyErr_Occurred())
            return -1;
        if (column->family == ROW_FLOAT64)
            out->d = d;
        else
            out->f = (float)d;
        return 0;
    }
    long long i;
    int small = small_int(x, &i);
    if (!small && !PyLong_Check(x))
        return row_not_int(column, x);
    if (column->family == ROW_SIGNED) {
        if (!small) {
            i = PyLong_AsLongLong(x);
            if (i == -1 && PyErr_Occurred())
                return -1;
        }
        if (i < column->lo || i > column->hi) {
            PyErr_Format(PyExc_OverflowError,
                         "%lld is out of range for a column of typecode '%c'", i, column->code);
            return -1;
        }
        out->i = i;
        return 0;
    }
    unsigned long long u;
    if (small) {
        if (i < 0) {
            PyErr_Format(PyExc_OverflowError,
                         "%lld is out of range for a column of typecode '%c'", i, column->code);
            return -1;
        }
        u = (unsigned long long)i;
    }
    else {
        u = PyLong_AsUnsignedLongLong(x);
        if (u == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
    }
    if (u > column->top) {
        PyErr_Format(PyExc_OverflowError, "%llu is too large for a column of typecode '%c'", u,
                     column->code);
        return -1;
    }
    out->u = u;
    return 0;
}

/* A converted value into its column's C type (an integer: its low bytes, as a cast does). */
static ALWAYS_INLINE void
row_store(const RowColumn *column, char *at, const RowValue *v)
{
    if (column->family == ROW_FLOAT64) {
        memcpy(at, &v->d, sizeof(double));
        return;
    }
    if (column->family == ROW_FLOAT32) {
        memcpy(at, &v->f, sizeof(float));
        return;
    }
    switch (column->size) {
    case 1: { uint8_t x = (uint8_t)v->u; memcpy(at, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v->u; memcpy(at, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v->u; memcpy(at, &x, 4); break; }
    default: memcpy(at, &v->u, 8); break;
    }
}

static PyObject *
rows_add(Rows *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t ncols = self->ncols;
    if (nargs != ncols) {
        PyErr_Format(PyExc_TypeError, "add takes one value per column (%zd), not %zd", ncols,
                     nargs);
        return NULL;
    }
    RowValue values[ROWS_MAX_COLUMNS];
    for (Py_ssize_t c = 0; c < ncols; c++)
        if (row_convert(&self->columns[c], args[c], &values[c]) < 0)
            return NULL;
    if (self->size == self->capacity) {
        Py_ssize_t capacity = self->capacity ? self->capacity * 2 : 4096;
        for (Py_ssize_t c = 0; c < ncols; c++) {
            char *data =
                PyMem_Realloc(self->data[c], (size_t)(capacity * self->columns[c].size));
            if (data == NULL)
                return PyErr_NoMemory();
            self->data[c] = data;
        }
        self->capacity = capacity;
    }
    Py_ssize_t row = self->size;
    for (Py_ssize_t c = 0; c < ncols; c++)
        row_store(&self->columns[c], self->data[c] + row * self->columns[c].size, &values[c]);
    self->size = row + 1;
    Py_RETURN_NONE;
}

static PyObject *
rows_take(Rows *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *result = PyTuple_New(self->ncols);
    if (result == NULL)
        return NULL;
    for (Py_ssize_t c = 0; c < self->ncols; c++) {
        PyObject *bytes = PyBytes_FromStringAndSize(
            self->size ? self->data[c] : NULL, self->size * self->columns[c].size);
        if (bytes == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, c, bytes);
    }
    self->size = 0;
    return result;
}

static Py_ssize_t
rows_len(Rows *self)
{
    return self->size;
}

static void
rows_dealloc(Rows *self)
{
    for (Py_ssize_t c = 0; c < self->ncols; c++)
        PyMem_Free(self->data[c]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
rows_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    const char *codes;
    Py_ssize_t ncols;
    static char *names[] = {"typecodes", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s#:Rows", names, &codes, &ncols))
        return NULL;
    if (ncols < 1 || ncols > ROWS_MAX_COLUMNS) {
        PyErr_Format(PyExc_ValueError, "Rows takes 1 to %d columns, not %zd", ROWS_MAX_COLUMNS,
                     ncols);
        return NULL;
    }
    RowColumn columns[ROWS_MAX_COLUMNS];
    for (Py_ssize_t c = 0; c < ncols; c++)
        if (!row_column(codes[c], &columns[c])) {
            PyErr_Format(PyExc_ValueError,
                         "'%c' is not a typecode Rows takes (one of bBhHiIlLqQfd)", codes[c]);
            return NULL;
        }
    Rows *self = (Rows *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->ncols = ncols;
    for (Py_ssize_t c = 0; c < ncols; c++) {
        self->columns[c] = columns[c];
        self->data[c] = NULL;
    }
    self->size = 0;
    self->capacity = 0;
    return (PyObject *)self;
}

static PyMethodDef rows_methods[] = {
    {"add", (PyCFunction)(void (*)(void))rows_add, METH_FASTCALL,
     "add(*values): a row, one value per column."},
    {"take", (PyCFunction)rows_take, METH_NOARGS,
     "take() -> each column's bytes in its typecode's C type; the rows are then dropped."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods rows_as_sequence = {
    .sq_length = (lenfunc)rows_len,
};

static PyTypeObject RowsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "simlib.engine.kernel._native.Rows",
    .tp_doc = "Rows(typecodes): a table's rows as C values, a column per typecode (array's).",
    .tp_basicsize = sizeof(Rows),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = rows_new,
    .tp_dealloc = (destructor)rows_dealloc,
    .tp_methods = rows_methods,
    .tp_as_sequence = &rows_as_sequence,
};

/* ---------------------------------------------------------------- the module */

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "simlib.engine.kernel._native",
    .m_doc = "The hall kernel's native helpers: its event heap, keyed-hash uniforms and "
             "record rows.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__native(void)
{
#ifdef HAVE_AVX2_PATH
    __builtin_cpu_init();
    have_avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
    if (PyType_Ready(&EventHeapType) < 0 || PyType_Ready(&KeyedUniformType) < 0 ||
        PyType_Ready(&RowsType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&native_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddStringConstant(m, "SOURCE_HASH", SOURCE_HASH) < 0 ||
        PyModule_AddObjectRef(m, "EventHeap", (PyObject *)&EventHeapType) < 0 ||
        PyModule_AddObjectRef(m, "KeyedUniform", (PyObject *)&KeyedUniformType) < 0 ||
        PyModule_AddObjectRef(m, "Rows", (PyObject *)&RowsType) < 0 ||
        PyModule_AddIntConstant(m, "AVX2", have_avx2) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
