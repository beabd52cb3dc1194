/* cache.c: the map published through an atomic pointer (task 10's fix).
 *
 * Readers never lock. The current table is immutable once published; a
 * reader loads its pointer with one acquire load and looks the key up in
 * it. A writer copies the table, changes the copy, and publishes the copy
 * with a release store (copy-on-write); writers take `write_lock` among
 * themselves, which readers never touch.
 *
 * Freeing the old table is the hard part: a reader may still be inside it.
 * Each reader thread owns a slot in `readers` (claimed on its first
 * lookup) where it announces, for the duration of a lookup, the epoch it
 * saw when it started; 0 means "not reading". After publishing, the writer
 * advances the epoch to E and waits until no slot holds a nonzero value
 * below E: a reader that announced E or later started after the new table
 * was published, so it cannot hold the old one. Then the old table is
 * freed. The announcement and the loads around it are sequentially
 * consistent, which is what makes the argument hold.
 *
 * Invariants: `current` always points to a complete table; a published
 * table is never written again; a table is freed only by the writer that
 * replaced it, after the wait above. Keys are shared between a table and
 * its copies and freed with the last table (cache_free) or when replaced.
 */
#include "cache.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_READER_THREADS 4096

typedef struct slot {
    const char *key; /* NULL: empty */
    int value;
} slot;

typedef struct table {
    slot *slots;
    size_t cap; /* a power of two */
    size_t len;
} table;

/* One per reader thread, on its own cache line so that announcing does
 * not slow the other readers down. */
typedef struct reader_slot {
    _Alignas(64) atomic_uint_fast64_t epoch;
} reader_slot;

struct cache {
    _Atomic(table *) current;
    atomic_uint_fast64_t epoch; /* starts at 1 */
    pthread_mutex_t write_lock; /* writers only */
};

/* Reader slots are shared by every cache of the process: a thread keeps
 * the one it claimed. */
static reader_slot readers[MAX_READER_THREADS];
static atomic_int nreaders;
static _Thread_local reader_slot *my_slot;

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "cache: out of memory\n");
        exit(1);
    }
    return p;
}

static uint64_t hash(const char *s) {
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static slot *find(slot *slots, size_t cap, const char *key) {
    size_t i = hash(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0) i = (i + 1) & (cap - 1);
    return &slots[i];
}

static table *table_new(size_t cap) {
    table *t = xcalloc(1, sizeof *t);
    t->cap = cap;
    t->slots = xcalloc(cap, sizeof *t->slots);
    return t;
}

/* A copy of t with room for one more key (the same keys, not copied). */
static table *table_copy(const table *t) {
    size_t cap = (t->len + 1) * 2 > t->cap ? t->cap * 2 : t->cap;
    table *n = table_new(cap);
    if (cap == t->cap)
        memcpy(n->slots, t->slots, cap * sizeof *n->slots);
    else
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].key) *find(n->slots, cap, t->slots[i].key) = t->slots[i];
    n->len = t->len;
    return n;
}

cache *cache_new(void) {
    cache *c = xcalloc(1, sizeof *c);
    atomic_init(&c->current, table_new(64));
    atomic_init(&c->epoch, 1);
    pthread_mutex_init(&c->write_lock, NULL);
    return c;
}

void cache_free(cache *c) {
    table *t = atomic_load(&c->current);
    for (size_t i = 0; i < t->cap; i++) free((char *)t->slots[i].key);
    free(t->slots);
    free(t);
    pthread_mutex_destroy(&c->write_lock);
    free(c);
}

static reader_slot *claim_slot(void) {
    int i = atomic_fetch_add(&nreaders, 1);
    if (i >= MAX_READER_THREADS) {
        fprintf(stderr, "cache: more than %d reader threads\n", MAX_READER_THREADS);
        exit(1);
    }
    return &readers[i];
}

int cache_get(cache *c, const char *key, int *value) {
    reader_slot *me = my_slot;
    if (!me) me = my_slot = claim_slot();
    atomic_store(&me->epoch, atomic_load(&c->epoch));
    const table *t = atomic_load(&c->current);
    const slot *s = find(t->slots, t->cap, key);
    int found = s->key != NULL;
    if (found) *value = s->value;
    atomic_store_explicit(&me->epoch, 0, memory_order_release);
    return found;
}

/* Returns once no reader can still be inside a table replaced before
 * this call. */
static void wait_for_readers(cache *c) {
    uint_fast64_t e = atomic_fetch_add(&c->epoch, 1) + 1;
    int n = atomic_load(&nreaders);
    if (n > MAX_READER_THREADS) n = MAX_READER_THREADS;
    for (int i = 0; i < n; i++) {
        uint_fast64_t seen;
        while ((seen = atomic_load(&readers[i].epoch)) != 0 && seen < e) sched_yield();
    }
}

void cache_put(cache *c, const char *key, int value) {
    pthread_mutex_lock(&c->write_lock);
    table *old = atomic_load(&c->current);
    slot *s = find(old->slots, old->cap, key);
    const char *owned = s->key;
    int added = owned == NULL;
    if (added) {
        owned = strdup(key);
        if (!owned) {
            fprintf(stderr, "cache: out of memory\n");
            exit(1);
        }
    }
    table *t = table_copy(old);
    slot *d = find(t->slots, t->cap, key);
    d->key = owned;
    d->value = value;
    t->len += (size_t)added;
    atomic_store(&c->current, t);
    wait_for_readers(c);
    free(old->slots);
    free(old);
    pthread_mutex_unlock(&c->write_lock);
}
