/* mutex_contend.c: threads taking a pthread mutex, for the mutex profile's
 * end-to-end tests. It knows nothing of the profiler (run it under
 * LD_PRELOAD=libcpuprof.so with CPUPROF_MUTEX_PROFILE=...).
 *
 *   mutex_contend THREADS ITERS shared|private
 *
 * Each thread calls bump_counter ITERS times; bump_counter takes the lock,
 * does a little work holding it, and releases it. "shared": every thread
 * uses one mutex (heavy contention). "private": each thread has its own
 * (never contended). Prints the final count, which must be THREADS * ITERS.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64

typedef struct worker {
    pthread_mutex_t *lock;
    unsigned long *counter; /* guarded by lock */
    long iters;
    pthread_t tid;
} worker;

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long shared_counter;
static pthread_mutex_t private_locks[MAX_THREADS];
static unsigned long private_counters[MAX_THREADS];

/* The contended call site: the mutex profile should name this function. */
__attribute__((noinline)) static void bump_counter(pthread_mutex_t *lock, unsigned long *counter) {
    pthread_mutex_lock(lock);
    unsigned long x = *counter, mix = 0;
    for (unsigned long i = 0; i < 200; i++) {
        mix += i * x;
        __asm__ volatile("" : "+r"(mix)); /* keeps the loop: work under the lock */
    }
    *counter = x + 1;
    pthread_mutex_unlock(lock);
}

static void *run(void *arg) {
    worker *w = arg;
    for (long i = 0; i < w->iters; i++) bump_counter(w->lock, w->counter);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: mutex_contend THREADS ITERS shared|private\n");
        return 2;
    }
    int n = atoi(argv[1]);
    long iters = atol(argv[2]);
    int shared = strcmp(argv[3], "shared") == 0;
    if (n < 1 || n > MAX_THREADS || iters < 1 || (!shared && strcmp(argv[3], "private") != 0)) {
        fprintf(stderr, "mutex_contend: bad arguments\n");
        return 2;
    }
    worker w[MAX_THREADS];
    for (int i = 0; i < n; i++) {
        pthread_mutex_init(&private_locks[i], NULL);
        w[i].lock = shared ? &shared_lock : &private_locks[i];
        w[i].counter = shared ? &shared_counter : &private_counters[i];
        w[i].iters = iters;
        if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0) {
            fprintf(stderr, "mutex_contend: pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < n; i++) pthread_join(w[i].tid, NULL);
    unsigned long total = shared_counter;
    for (int i = 0; i < n; i++) total += private_counters[i];
    printf("count=%lu\n", total);
    return 0;
}
