/* cpu_burn.c: an unmodified CPU-bound program for the profiler's e2e tests.
 *
 *   cpu_burn SECONDS [THREADS]
 *
 * Starts THREADS threads (default 1; with 1 the main thread does the work)
 * that each spin in hot_loop() until they have used SECONDS of their own CPU
 * time, then prints the process's CPU time from getrusage as
 * "rusage_cpu_ns=N". It knows nothing about the profiler: tests attach it
 * with LD_PRELOAD. The leaf function hot_loop is noinline so it shows up by
 * name as the top of the profile.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double seconds;
static volatile double sink;

__attribute__((noinline)) static double hot_loop(double x) {
    for (int i = 0; i < 200000; i++) x = x * 1.0000001 + 0.5 / (x + 1.0);
    return x;
}

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *burn(void *arg) {
    (void)arg;
    double x = 1.0, start = thread_cpu();
    while (thread_cpu() - start < seconds) x = hot_loop(x);
    sink = x;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: cpu_burn SECONDS [THREADS]\n");
        return 2;
    }
    seconds = atof(argv[1]);
    int n = argc == 3 ? atoi(argv[2]) : 1;
    if (seconds <= 0 || n < 1 || n > 64) {
        fprintf(stderr, "cpu_burn: bad arguments\n");
        return 2;
    }
    if (n == 1) {
        burn(NULL);
    } else {
        pthread_t th[64];
        for (int i = 0; i < n; i++)
            if (pthread_create(&th[i], NULL, burn, NULL) != 0) {
                fprintf(stderr, "cpu_burn: pthread_create failed\n");
                return 1;
            }
        for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long long ns = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                   ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    printf("rusage_cpu_ns=%lld\n", ns);
    return 0;
}
