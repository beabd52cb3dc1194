/* stack_table.h: the fixed-size, lock-free table the SIGPROF handler stores
 * stacks in.
 *
 * Allocated once at start with mmap (pages cost nothing until touched) and
 * never grown, so adding a stack never allocates. A stack is keyed by
 * (depth, pcs[], labels); adding an existing key increments its counters
 * with atomics, adding a new key claims an empty slot with one
 * compare-and-swap. When the table already holds max_stacks keys, the add
 * fails and the caller counts the sample as dropped.
 *
 * Invariants: stack_table_add is async-signal-safe and lock-free (it never
 * waits for another thread); a slot, once published, never changes key;
 * reading the table (stack_table_next) is only done after every writer has
 * stopped (or accepts a snapshot, see stack_table_next). Two threads adding the same new stack at the same instant may
 * each claim a slot: the reader sees two entries with the same key, which
 * profile consumers add up.
 */
#ifndef CPUPROF_STACK_TABLE_H
#define CPUPROF_STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#define STACK_TABLE_MAX_DEPTH 256

typedef struct stack_table stack_table;

typedef struct stack_entry {
    const uintptr_t *pcs; /* pcs[0] is the leaf */
    int depth;
    const void *labels;
    uint64_t count;   /* samples */
    uint64_t periods; /* timer periods the samples stand for (1 + overruns) */
} stack_entry;

/* A table for max_stacks distinct stacks of up to max_depth frames
 * (1..STACK_TABLE_MAX_DEPTH). NULL with errno set on failure. */
stack_table *stack_table_new(size_t max_stacks, int max_depth);
void stack_table_free(stack_table *t);

/* Adds one sample standing for `periods` timer periods. Async-signal-safe.
 * Returns 0 when stored, -1 when the table is full (or depth is out of
 * range). */
int stack_table_add(stack_table *t, const uintptr_t *pcs, int depth, const void *labels,
                    uint64_t periods);

/* The same, adding `count` to the entry's count instead of 1. The mutex
 * profile stores weighted contentions in count and weighted delay (ns) in
 * periods. Async-signal-safe. */
int stack_table_add_weighted(stack_table *t, const uintptr_t *pcs, int depth, const void *labels,
                             uint64_t count, uint64_t periods);

/* Distinct stacks stored so far. Async-signal-safe. */
size_t stack_table_stacks(const stack_table *t);

/* Iterates the stored stacks: start with *cursor = 0; returns 1 and fills
 * *out while there are more, 0 at the end. Normally only after writers
 * stopped. Reading while writers still run (the mutex profile does) is
 * safe too: it sees the slots published so far, each key complete, and
 * counters that may be one update behind each other. */
int stack_table_next(const stack_table *t, size_t *cursor, stack_entry *out);

#pragma GCC visibility pop

#endif
