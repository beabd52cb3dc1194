/* mutex_stress.c: contended mutexes while the loader, fork and the CPU
 * sampler are busy, for tests/e2e/mutex_stress.sh. Knows nothing of the
 * profiler (run it under LD_PRELOAD with CPUPROFILE and CPUPROF_MUTEX_RATE).
 *
 *   mutex_stress SECONDS
 *
 * For SECONDS of wall time: 4 threads take one of 3 mutexes (chosen by a
 * per-thread counter) through call chains of varying depth, ending in
 * lock_site; one thread loops dlopen/dlclose of libm; one thread forks
 * children that lock a mutex of their own and exit. Prints the number of
 * locks taken, forks and loads, and exits 0; a hang is the test's failure.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t locks[3] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                                   PTHREAD_MUTEX_INITIALIZER};
static unsigned long guarded[3];
static atomic_int stop;
static atomic_ulong nlocks, nforks, nloads;

__attribute__((noinline)) static void lock_site(int which) {
    pthread_mutex_lock(&locks[which]);
    unsigned long x = guarded[which], mix = 0;
    for (unsigned long i = 0; i < 100; i++) {
        mix += i ^ x;
        __asm__ volatile("" : "+r"(mix));
    }
    guarded[which] = x + 1;
    pthread_mutex_unlock(&locks[which]);
}

__attribute__((noinline)) static void descend(int depth, int which) {
    if (depth == 0) lock_site(which);
    else descend(depth - 1, which);
    __asm__ volatile("");
}

static void *locker(void *arg) {
    unsigned long i = (unsigned long)(uintptr_t)arg;
    while (!atomic_load(&stop)) {
        descend((int)(i % 7), (int)(i % 3));
        atomic_fetch_add(&nlocks, 1);
        i++;
    }
    return NULL;
}

static void *loader(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
        if (h) dlclose(h);
        atomic_fetch_add(&nloads, 1);
    }
    return NULL;
}

static void *forker(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        pid_t p = fork();
        if (p == 0) {
            pthread_mutex_t own = PTHREAD_MUTEX_INITIALIZER;
            pthread_mutex_lock(&own);
            pthread_mutex_unlock(&own);
            _exit(0);
        }
        if (p > 0) waitpid(p, NULL, 0);
        atomic_fetch_add(&nforks, 1);
        usleep(2000);
    }
    return NULL;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 5;
    if (seconds <= 0) {
        fprintf(stderr, "usage: mutex_stress SECONDS\n");
        return 2;
    }
    pthread_t t[6];
    for (int i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, locker, (void *)(uintptr_t)(i * 5)) != 0) return 1;
    if (pthread_create(&t[4], NULL, loader, NULL) != 0) return 1;
    if (pthread_create(&t[5], NULL, forker, NULL) != 0) return 1;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
    atomic_store(&stop, 1);
    for (int i = 0; i < 6; i++) pthread_join(t[i], NULL);
    printf("locks=%lu forks=%lu loads=%lu\n", atomic_load(&nlocks), atomic_load(&nforks),
           atomic_load(&nloads));
    return 0;
}
