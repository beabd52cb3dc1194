/* load.c: the traffic of task 10's service.
 *
 * A reader is a request handler in miniature: it makes a key from a random
 * user id (its own formatting, no stdio), looks it up in the cache, and
 * mixes the value into a checksum, in a loop until told to stop. The
 * writer changes one key's value every 50 ms. Keys never disappear and
 * the value of "user:<id>" is always id plus a multiple of NKEYS, so a
 * lookup that misses or returns another value is a bug and stops the
 * program.
 *
 * Invariant: `stop` is the only variable readers and the writer share
 * besides the cache; per-reader counts are written by their reader and
 * read after the join.
 */
#include "load.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_READERS 1024

typedef struct reader {
    cache *c;
    uint64_t seed;
    uint64_t lookups;
    uint64_t checksum;
} reader;

static atomic_int stop;

/* "user:<id>" into buf (at least 16 bytes). */
static void make_key(char *buf, unsigned id) {
    char digits[12];
    int n = 0;
    do digits[n++] = (char)('0' + id % 10);
    while ((id /= 10) != 0);
    memcpy(buf, "user:", 5);
    for (int i = 0; i < n; i++) buf[5 + i] = digits[n - 1 - i];
    buf[5 + n] = '\0';
}

void load_fill(cache *c) {
    char key[16];
    for (unsigned i = 0; i < NKEYS; i++) {
        make_key(key, i);
        cache_put(c, key, (int)i);
    }
}

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *reader_main(void *arg) {
    reader *r = arg;
    char key[16];
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        unsigned id = (unsigned)(next_random(&r->seed) % NKEYS);
        make_key(key, id);
        int v;
        if (!cache_get(r->c, key, &v) || v < 0 || (unsigned)v % NKEYS != id) {
            fprintf(stderr, "load: %s is missing from the cache or has a wrong value\n", key);
            exit(1);
        }
        r->checksum = r->checksum * 31 + (uint64_t)v;
        r->lookups++;
    }
    return NULL;
}

static void *writer_main(void *arg) {
    cache *c = arg;
    uint64_t seed = 0x2545f4914f6cdd1dull;
    char key[16];
    struct timespec nap = {0, 50 * 1000 * 1000};
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        nanosleep(&nap, NULL);
        unsigned id = (unsigned)(next_random(&seed) % NKEYS);
        make_key(key, id);
        cache_put(c, key, (int)(id + (unsigned)(seed & 0xff) * NKEYS));
    }
    return NULL;
}

static void start(pthread_t *t, void *(*fn)(void *), void *arg) {
    int rc = pthread_create(t, NULL, fn, arg);
    if (rc != 0) {
        fprintf(stderr, "load: pthread_create: %s\n", strerror(rc));
        exit(1);
    }
}

uint64_t load_run(cache *c, int nreaders, int64_t millis) {
    static reader readers[MAX_READERS];
    static pthread_t tids[MAX_READERS];
    pthread_t writer;
    if (nreaders < 1 || nreaders > MAX_READERS) {
        fprintf(stderr, "load: %d readers (1 to %d)\n", nreaders, MAX_READERS);
        exit(2);
    }
    atomic_store(&stop, 0);
    for (int i = 0; i < nreaders; i++) {
        readers[i] = (reader){.c = c, .seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1)};
        start(&tids[i], reader_main, &readers[i]);
    }
    start(&writer, writer_main, c);
    struct timespec t = {millis / 1000, (millis % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0) {}
    atomic_store(&stop, 1);
    uint64_t total = 0;
    for (int i = 0; i < nreaders; i++) {
        pthread_join(tids[i], NULL);
        total += readers[i].lookups;
    }
    pthread_join(writer, NULL);
    return total;
}
