/* dl_stress.c: hammers the dynamic loader while being profiled, to prove
 * the sampler never deadlocks or crashes there.
 *
 *   dl_stress SECONDS LIBPATH
 *
 * For SECONDS of wall time, at once:
 *   - 2 threads loop dlopen(LIBPATH) / dlsym / call / dlclose, and
 *     dlopen("libm.so.6") / dlclose, pausing 0.3 ms between rounds;
 *   - 1 thread loops fork(); the child exits at once with _exit;
 *   - 1 thread loops dl_iterate_phdr (as C++ exception unwinding does) with
 *     malloc/free in its callback and around it (the other half of the
 *     classic loader/malloc deadlock), pausing 1 ms every 20 rounds;
 *   - 2 threads burn CPU in cpu_work().
 * Then prints "loads=N forks=N iterations=N" and exits 0. Any failure of a
 * loader call is an error (exit 1). It knows nothing about the profiler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *libpath;
static double deadline;
static _Atomic long loads, forks, iterations;
static _Atomic int failed;
static volatile double sink;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_us(long us) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = us * 1000};
    nanosleep(&ts, NULL);
}

static void *loader(void *arg) {
    (void)arg;
    while (now() < deadline && !failed) {
        void *h = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "dl_stress: dlopen: %s\n", dlerror());
            failed = 1;
            break;
        }
        int (*work)(int) = (int (*)(int))dlsym(h, "dl_stress_work");
        if (!work) {
            fprintf(stderr, "dl_stress: dlsym failed\n");
            failed = 1;
        } else {
            sink += work(1000);
        }
        dlclose(h);
        void *m = dlopen("libm.so.6", RTLD_NOW);
        if (m) dlclose(m);
        loads++;
        pause_us(300); /* leave the loader idle part of the time, so that
                          handlers also unwind while loads come and go */
    }
    return NULL;
}

static void *forker(void *arg) {
    (void)arg;
    while (now() < deadline && !failed) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        if (pid < 0) {
            perror("dl_stress: fork");
            failed = 1;
            break;
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "dl_stress: child did not exit cleanly\n");
            failed = 1;
        }
        forks++;
    }
    return NULL;
}

static int count_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)info;
    (void)size;
    ++*(int *)data;
    void *p = malloc(64); /* allocate while holding the loader lock */
    free(p);
    return 0;
}

static void *iterator(void *arg) {
    (void)arg;
    while (now() < deadline && !failed) {
        int n = 0;
        dl_iterate_phdr(count_object, &n);
        for (int i = 0; i < 100; i++) free(malloc((size_t)(16 + i * 8)));
        iterations++;
        if (iterations % 20 == 0) pause_us(1000);
    }
    return NULL;
}

__attribute__((noinline)) static double cpu_work(double x) {
    for (int i = 0; i < 100000; i++) x = x * 1.0000001 + 0.25 / (x + 1.0);
    return x;
}

static void *burner(void *arg) {
    (void)arg;
    double x = 1.0;
    while (now() < deadline && !failed) x = cpu_work(x);
    sink += x;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 || atof(argv[1]) <= 0) {
        fprintf(stderr, "usage: dl_stress SECONDS LIBPATH\n");
        return 2;
    }
    libpath = argv[2];
    deadline = now() + atof(argv[1]);
    void *(*roles[])(void *) = {loader, loader, forker, iterator, burner, burner};
    enum { N = sizeof roles / sizeof roles[0] };
    pthread_t th[N];
    for (int i = 0; i < N; i++)
        if (pthread_create(&th[i], NULL, roles[i], NULL) != 0) {
            fprintf(stderr, "dl_stress: pthread_create failed\n");
            return 1;
        }
    for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
    printf("loads=%ld forks=%ld iterations=%ld\n", (long)loads, (long)forks, (long)iterations);
    return failed ? 1 : 0;
}
