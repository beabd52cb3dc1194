/* stack_table.c: the lock-free stack table of the SIGPROF handler.
 *
 * Layout (one mmap): the header, then nslots slot headers, then
 * nslots * max_depth pcs. nslots is a power of two at least twice
 * max_stacks, so linear probing always reaches an empty slot quickly.
 *
 * A slot goes EMPTY -> WRITING -> READY exactly once. The writer that wins
 * the EMPTY -> WRITING compare-and-swap fills the key and the first counts,
 * then publishes READY with a release store; readers compare keys only of
 * READY slots (acquire load). A prober that meets a WRITING slot does not
 * wait: it moves on, at worst storing a second copy of the same key. The
 * number of keys is bounded by max_stacks through a separate counter that is
 * reserved before claiming a slot.
 */
#include "stack_table.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the handler needs lock-free 64-bit atomics");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the handler needs lock-free atomics");

enum { SLOT_EMPTY = 0, SLOT_WRITING = 1, SLOT_READY = 2 };

typedef struct slot {
    _Atomic unsigned state;
    int depth;
    uint64_t hash;
    const void *labels;
    _Atomic uint64_t count;
    _Atomic uint64_t periods;
} slot;

struct stack_table {
    size_t map_size;    /* bytes of the whole mapping */
    size_t nslots;      /* power of two */
    size_t max_stacks;  /* keys allowed */
    int max_depth;
    _Atomic size_t nstacks; /* keys reserved (stored or being stored) */
    slot *slots;
    uintptr_t *pcs;     /* nslots * max_depth */
};

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t stack_hash(const uintptr_t *pcs, int depth, const void *labels) {
    uint64_t h = mix64((uint64_t)depth + 0x9e3779b97f4a7c15ULL) ^ mix64((uint64_t)(uintptr_t)labels);
    for (int i = 0; i < depth; i++) h = mix64(h ^ (uint64_t)pcs[i]) + (uint64_t)i;
    return h;
}

stack_table *stack_table_new(size_t max_stacks, int max_depth) {
    if (max_stacks == 0 || max_stacks > ((size_t)1 << 24) || max_depth < 1 ||
        max_depth > STACK_TABLE_MAX_DEPTH) {
        errno = EINVAL;
        return NULL;
    }
    size_t nslots = 16;
    while (nslots < 2 * max_stacks) nslots <<= 1;
    size_t head = (sizeof(stack_table) + 63) & ~(size_t)63;
    size_t slots_bytes = nslots * sizeof(slot);
    size_t pcs_bytes = nslots * (size_t)max_depth * sizeof(uintptr_t);
    size_t total = head + slots_bytes + pcs_bytes;
    void *mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return NULL;
    stack_table *t = mem; /* mmap gives zeroed pages: every slot is EMPTY */
    t->map_size = total;
    t->nslots = nslots;
    t->max_stacks = max_stacks;
    t->max_depth = max_depth;
    atomic_init(&t->nstacks, 0);
    t->slots = (slot *)((char *)mem + head);
    t->pcs = (uintptr_t *)((char *)mem + head + slots_bytes);
    return t;
}

void stack_table_free(stack_table *t) {
    if (t) munmap(t, t->map_size);
}

static int same_key(const stack_table *t, size_t i, uint64_t h, const uintptr_t *pcs, int depth,
                    const void *labels) {
    const slot *s = &t->slots[i];
    return s->hash == h && s->depth == depth && s->labels == labels &&
           memcmp(&t->pcs[i * (size_t)t->max_depth], pcs, (size_t)depth * sizeof *pcs) == 0;
}

int stack_table_add(stack_table *t, const uintptr_t *pcs, int depth, const void *labels,
                    uint64_t periods) {
    return stack_table_add_weighted(t, pcs, depth, labels, 1, periods);
}

int stack_table_add_weighted(stack_table *t, const uintptr_t *pcs, int depth, const void *labels,
                             uint64_t count, uint64_t periods) {
    if (depth < 1 || depth > t->max_depth) return -1;
    uint64_t h = stack_hash(pcs, depth, labels);
    size_t mask = t->nslots - 1;
    for (size_t probe = 0, i = (size_t)h & mask; probe < t->nslots; probe++, i = (i + 1) & mask) {
        slot *s = &t->slots[i];
        unsigned st = atomic_load_explicit(&s->state, memory_order_acquire);
        if (st == SLOT_READY) {
            if (same_key(t, i, h, pcs, depth, labels)) {
                atomic_fetch_add_explicit(&s->count, count, memory_order_relaxed);
                atomic_fetch_add_explicit(&s->periods, periods, memory_order_relaxed);
                return 0;
            }
            continue;
        }
        if (st == SLOT_WRITING) continue;
        /* An empty slot: the key is not stored further on. Reserve room for
         * one more key, then claim the slot. */
        if (atomic_fetch_add_explicit(&t->nstacks, 1, memory_order_relaxed) >= t->max_stacks) {
            atomic_fetch_sub_explicit(&t->nstacks, 1, memory_order_relaxed);
            return -1;
        }
        unsigned expected = SLOT_EMPTY;
        if (!atomic_compare_exchange_strong_explicit(&s->state, &expected, SLOT_WRITING,
                                                     memory_order_acquire, memory_order_relaxed)) {
            /* Lost the race for this slot: give the reservation back and
             * look at the slot again as whatever it became. */
            atomic_fetch_sub_explicit(&t->nstacks, 1, memory_order_relaxed);
            i = (i - 1) & mask;
            continue;
        }
        s->hash = h;
        s->depth = depth;
        s->labels = labels;
        memcpy(&t->pcs[i * (size_t)t->max_depth], pcs, (size_t)depth * sizeof *pcs);
        atomic_store_explicit(&s->count, count, memory_order_relaxed);
        atomic_store_explicit(&s->periods, periods, memory_order_relaxed);
        atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
        return 0;
    }
    return -1;
}

size_t stack_table_stacks(const stack_table *t) {
    size_t n = atomic_load_explicit(&((stack_table *)t)->nstacks, memory_order_relaxed);
    return n;
}

int stack_table_next(const stack_table *t, size_t *cursor, stack_entry *out) {
    for (size_t i = *cursor; i < t->nslots; i++) {
        slot *s = &t->slots[i];
        if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY) continue;
        out->pcs = &t->pcs[i * (size_t)t->max_depth];
        out->depth = s->depth;
        out->labels = s->labels;
        out->count = atomic_load_explicit(&s->count, memory_order_relaxed);
        out->periods = atomic_load_explicit(&s->periods, memory_order_relaxed);
        *cursor = i + 1;
        return 1;
    }
    *cursor = t->nslots;
    return 0;
}
