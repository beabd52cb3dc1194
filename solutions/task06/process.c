/* process.c: a fixed pool of 16 threads shares the items (task 6's fix).
 *
 * process_all starts NWORKERS threads once per call. Each one claims the
 * next unprocessed index with an atomic fetch-and-add, processes it, and
 * adds the result to a sum of its own; when the index passes n it returns
 * that sum, and process_all joins the workers and adds their sums. A
 * thread costs its creation once per 6,250 items instead of once per item,
 * and the only shared write per item is the one fetch-and-add.
 */
#include "process.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "items.h"

#define NWORKERS 16

typedef struct pool {
    const uint64_t *items;
    size_t n;
    atomic_size_t next; /* the next index to claim */
} pool;

typedef struct worker {
    pool *p;
    uint64_t sum;
} worker;

static void *pool_worker(void *arg) {
    worker *w = arg;
    pool *p = w->p;
    uint64_t sum = 0;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (i >= p->n) break;
        sum += process_item(p->items[i]);
    }
    w->sum = sum;
    return NULL;
}

uint64_t process_all(const uint64_t *items, size_t n) {
    pool p = {.items = items, .n = n};
    atomic_init(&p.next, 0);
    worker ws[NWORKERS];
    pthread_t tids[NWORKERS];
    for (int i = 0; i < NWORKERS; i++) {
        ws[i] = (worker){.p = &p};
        int rc = pthread_create(&tids[i], NULL, pool_worker, &ws[i]);
        if (rc != 0) {
            fprintf(stderr, "pthread_create: %s\n", strerror(rc));
            exit(1);
        }
    }
    uint64_t sum = 0;
    for (int i = 0; i < NWORKERS; i++) {
        pthread_join(tids[i], NULL);
        sum += ws[i].sum;
    }
    return sum;
}
