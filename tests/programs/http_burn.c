/* http_burn.c: burns CPU in a known function while the /debug/pprof endpoint
 * serves, for tests/e2e/http_endpoint.sh.
 * Usage: http_burn [addr]   with addr "-": no cpuprof_http_start call (the
 * endpoint comes from CPUPROF_HTTP with LD_PRELOAD instead). Built with
 * -DHTTP_BURN_PLAIN it does not refer to libcpuprof at all, so it runs
 * without it, as a program profiled by LD_PRELOAD alone would.
 * Prints "port N" when it started the endpoint itself, then burns until
 * stdin gives a line or closes, stops the endpoint and prints "stopped". */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#ifdef HTTP_BURN_PLAIN
#define cpuprof_http_start(addr) ((void)(addr), -1)
#define cpuprof_http_stop() ((void)0)
#else
#include "cpuprof.h"
#endif

static atomic_int done;

/* The hot function the profile must show. */
__attribute__((noinline)) static double burn_cpu_hot(double x) {
    for (int i = 0; i < 200000; i++) x = x * 1.0000001 + 1e-9;
    return x;
}

static void *burner(void *arg) {
    (void)arg;
    volatile double sink = 1;
    while (!atomic_load(&done)) sink = burn_cpu_hot(sink);
    return NULL;
}

int main(int argc, char **argv) {
    const char *addr = argc > 1 ? argv[1] : "127.0.0.1:0";
    int own = strcmp(addr, "-") != 0;
    if (own) {
        int port = cpuprof_http_start(addr);
        if (port < 0) {
            perror("http_burn: cpuprof_http_start");
            return 1;
        }
        printf("port %d\n", port);
        fflush(stdout);
    }
    pthread_t t;
    pthread_create(&t, NULL, burner, NULL);
    char line[64];
    (void)!fgets(line, sizeof line, stdin);
    atomic_store(&done, 1);
    pthread_join(t, NULL);
    if (own) cpuprof_http_stop();
    printf("stopped\n");
    return 0;
}
