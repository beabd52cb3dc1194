/* labels.c: label sets and cpuprof_do, the C form of Go's pprof.Do.
 *
 * A label set is an immutable array of key/value pairs, sorted by key with
 * unique keys, stored once: equal sets are the same pointer (interned). The
 * empty set is NULL. Each thread has one current set, an initial-exec
 * thread-local pointer, which the SIGPROF handler copies into the stack
 * table key; sample_export.c turns it into Sample.label pairs.
 *
 * Storage: sets live in an append-only arena of malloc'ed chunks, found
 * through a fixed array of hash buckets. Each bucket is a chain of sets
 * linked newest first; a set's `next` is written before it is published
 * with a release store to the bucket head and never changes afterwards, so
 * lookups walk the chains with no lock. Inserting takes a spinlock (not a
 * pthread mutex: the mutex profiler interposes pthread_mutex_lock), looks
 * again, then copies the set and its strings into the arena.
 *
 * Invariants: a published set is never modified or freed; cpuprof_do
 * allocates only the first time a set is seen; fork happens only while
 * the insert lock is free (taken in the prepare handler, released in the
 * parent and the child), so the child's arena is whole; the arena never
 * exceeds ARENA_MAX bytes (past it, new sets are refused with ENOMEM and
 * the caller keeps its previous set). A new thread starts with no labels: nothing here
 * copies a creator's set into the threads it starts.
 */
#include "labels.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 4096
#define CHUNK_SIZE ((size_t)64 << 10)
#define ARENA_MAX ((size_t)64 << 20)

struct cpuprof_labelset {
    const cpuprof_labelset *next; /* bucket chain; immutable once published */
    uint64_t hash;
    size_t n;
    cpuprof_label pairs[]; /* sorted by key; strings follow in the same block */
};

CPUPROF_TLS const cpuprof_labelset *cpuprof_tls_labels;

static const cpuprof_labelset *_Atomic buckets[NBUCKETS];
static atomic_flag insert_lock = ATOMIC_FLAG_INIT;
/* Under insert_lock. */
static char *chunk;
static size_t chunk_left;
static size_t arena_used;

static uint64_t hash_pairs(const cpuprof_label *pairs, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, with the NULs as separators */
    for (size_t i = 0; i < n; i++) {
        for (const char *s = pairs[i].key;; s++) {
            h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
            if (!*s) break;
        }
        for (const char *s = pairs[i].value;; s++) {
            h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
            if (!*s) break;
        }
    }
    return h;
}

static int same_pairs(const cpuprof_labelset *s, uint64_t h, const cpuprof_label *pairs,
                      size_t n) {
    if (s->hash != h || s->n != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->pairs[i].key, pairs[i].key) != 0 ||
            strcmp(s->pairs[i].value, pairs[i].value) != 0)
            return 0;
    return 1;
}

static const cpuprof_labelset *find(uint64_t h, const cpuprof_label *pairs, size_t n) {
    const cpuprof_labelset *s =
        atomic_load_explicit(&buckets[h % NBUCKETS], memory_order_acquire);
    for (; s; s = s->next)
        if (same_pairs(s, h, pairs, n)) return s;
    return NULL;
}

/* Bump allocation from the arena, 16-byte aligned. Under insert_lock. */
static void *arena_alloc(size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (size > chunk_left) {
        size_t want = size > CHUNK_SIZE ? size : CHUNK_SIZE;
        if (arena_used + want > ARENA_MAX) return NULL;
        char *c = malloc(want);
        if (!c) return NULL;
        arena_used += want;
        chunk = c; /* the rest of the old chunk is abandoned, never freed */
        chunk_left = want;
    }
    void *p = chunk;
    chunk += size;
    chunk_left -= size;
    return p;
}

static void lock_insert(void) {
    while (atomic_flag_test_and_set_explicit(&insert_lock, memory_order_acquire)) sched_yield();
}

static void unlock_insert(void) {
    atomic_flag_clear_explicit(&insert_lock, memory_order_release);
}

/* The interned copy of pairs (sorted, unique keys, n >= 1); NULL when the
 * arena is full or out of memory. */
static const cpuprof_labelset *intern(const cpuprof_label *pairs, size_t n) {
    uint64_t h = hash_pairs(pairs, n);
    const cpuprof_labelset *s = find(h, pairs, n);
    if (s) return s;
    lock_insert();
    s = find(h, pairs, n); /* another thread may have added it meanwhile */
    if (!s) {
        size_t size = sizeof(cpuprof_labelset) + n * sizeof(cpuprof_label);
        for (size_t i = 0; i < n; i++)
            size += strlen(pairs[i].key) + strlen(pairs[i].value) + 2;
        cpuprof_labelset *ns = arena_alloc(size);
        if (ns) {
            char *str = (char *)&ns->pairs[n];
            for (size_t i = 0; i < n; i++) {
                size_t kl = strlen(pairs[i].key) + 1, vl = strlen(pairs[i].value) + 1;
                memcpy(str, pairs[i].key, kl);
                ns->pairs[i].key = str;
                str += kl;
                memcpy(str, pairs[i].value, vl);
                ns->pairs[i].value = str;
                str += vl;
            }
            ns->n = n;
            ns->hash = h;
            ns->next = atomic_load_explicit(&buckets[h % NBUCKETS], memory_order_relaxed);
            atomic_store_explicit(&buckets[h % NBUCKETS], ns, memory_order_release);
            s = ns;
        }
    }
    unlock_insert();
    return s;
}

/* Puts (key, value) into the sorted array out[0..*n): replaces the value of
 * an equal key, else inserts in order. Returns -1 when out is full. */
static int put_pair(cpuprof_label *out, size_t *n, const char *key, const char *value) {
    size_t i = 0;
    int c = 1;
    while (i < *n && (c = strcmp(out[i].key, key)) < 0) i++;
    if (i < *n && c == 0) {
        out[i].value = value;
        return 0;
    }
    if (*n >= CPUPROF_LABELS_MAX) return -1;
    memmove(&out[i + 1], &out[i], (*n - i) * sizeof *out);
    out[i].key = key;
    out[i].value = value;
    (*n)++;
    return 0;
}

int cpuprof_do(const cpuprof_label *labels, size_t n, void (*fn)(void *), void *arg) {
    if (!fn || (n > 0 && !labels)) {
        errno = EINVAL;
        return -1;
    }
    const cpuprof_labelset *prev = cpuprof_tls_labels;
    cpuprof_label merged[CPUPROF_LABELS_MAX];
    size_t m = prev ? prev->n : 0;
    if (m) memcpy(merged, prev->pairs, m * sizeof *merged);
    for (size_t i = 0; i < n; i++) {
        if (!labels[i].key || !labels[i].value ||
            put_pair(merged, &m, labels[i].key, labels[i].value) != 0) {
            errno = EINVAL;
            return -1;
        }
    }
    if (n == 0) {
        fn(arg);
        return 0;
    }
    const cpuprof_labelset *set = intern(merged, m);
    if (!set) {
        fn(arg);
        errno = ENOMEM;
        return -1;
    }
    cpuprof_tls_labels = set;
    fn(arg);
    cpuprof_tls_labels = prev;
    return 0;
}

const cpuprof_labelset *cpuprof_labels_current(void) {
    return cpuprof_tls_labels;
}

void cpuprof_labels_set(const cpuprof_labelset *set) {
    cpuprof_tls_labels = set;
}

size_t cpuprof_labelset_len(const cpuprof_labelset *set) {
    return set ? set->n : 0;
}

const cpuprof_label *cpuprof_labelset_pair(const cpuprof_labelset *set, size_t i) {
    return set && i < set->n ? &set->pairs[i] : NULL;
}

const char *cpuprof_label_get(const cpuprof_labelset *set, const char *key) {
    if (!set || !key) return NULL;
    for (size_t i = 0; i < set->n; i++) {
        int c = strcmp(set->pairs[i].key, key);
        if (c == 0) return set->pairs[i].value;
        if (c > 0) break;
    }
    return NULL;
}

void labels_lock(void) {
    lock_insert();
}

void labels_unlock(void) {
    unlock_insert();
}

/* fork holds the insert lock, so no thread is halfway through an insert
 * (the arena's chunk and chunk_left, a bucket head) when the child's copy
 * is made. glibc runs these before it takes malloc's locks, the same order
 * as intern (insert lock, then malloc). */
__attribute__((constructor)) static void labels_init(void) {
    pthread_atfork(labels_lock, labels_unlock, labels_unlock);
}
