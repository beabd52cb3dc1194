/* labels_handlers.c: a program that labels its work with cpuprof_do, for
 * the labels e2e test. Link with libcpuprof.so and profile it with
 * CPUPROFILE=... (the library's constructor starts the profiler).
 *
 *   labels_handlers SECONDS
 *
 * Runs, one after the other, each burning SECONDS of CPU:
 *   checkout_work  under handler=checkout
 *   search_work    under handler=search
 *   passed_work    in a thread started under handler=search that was given
 *                  the creator's set and adds worker=pool to it
 *   orphan_work    in a thread started under handler=search that was given
 *                  nothing: it has no labels
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cpuprof.h"

static double seconds;
static volatile uint64_t sink;

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* salt: each caller passes its own, so the compiler cannot fold the four
 * work functions into one. */
static void burn(uint64_t salt) {
    double until = thread_cpu() + seconds;
    uint64_t x = sink ^ salt;
    while (thread_cpu() < until)
        for (int i = 0; i < 10000; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    sink = x;
}

__attribute__((noinline)) static void checkout_work(void *arg) {
    (void)arg;
    burn(1);
}

__attribute__((noinline)) static void search_work(void) {
    burn(2);
}

__attribute__((noinline)) static void passed_work(void *arg) {
    (void)arg;
    burn(3);
}

__attribute__((noinline)) static void orphan_work(void) {
    burn(4);
}

static void *passed_main(void *arg) {
    cpuprof_labels_set(arg); /* the creator's set, passed explicitly */
    cpuprof_label l[] = {{"worker", "pool"}};
    cpuprof_do(l, 1, passed_work, NULL);
    return NULL;
}

static void *orphan_main(void *arg) {
    (void)arg;
    orphan_work(); /* nothing passed: no labels */
    return NULL;
}

static void search_handler(void *arg) {
    (void)arg;
    search_work();
    pthread_t t;
    const cpuprof_labelset *mine = cpuprof_labels_current();
    if (pthread_create(&t, NULL, passed_main, (void *)mine) != 0) exit(1);
    pthread_join(t, NULL);
    if (pthread_create(&t, NULL, orphan_main, NULL) != 0) exit(1);
    pthread_join(t, NULL);
}

int main(int argc, char **argv) {
    seconds = argc > 1 ? atof(argv[1]) : 0.2;
    if (seconds <= 0 || seconds > 60) {
        fprintf(stderr, "usage: labels_handlers SECONDS\n");
        return 2;
    }
    cpuprof_label checkout[] = {{"handler", "checkout"}};
    cpuprof_label search[] = {{"handler", "search"}};
    if (cpuprof_do(checkout, 1, checkout_work, NULL) != 0 ||
        cpuprof_do(search, 1, search_handler, NULL) != 0) {
        perror("cpuprof_do");
        return 1;
    }
    return 0;
}
