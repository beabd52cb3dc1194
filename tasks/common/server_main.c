/* server_main.c: flags, listeners and the stop on a signal, shared by the
 * exercises' servers (see server_main.h for the command line and output).
 *
 * Invariant: the stop signals are blocked before the first thread starts,
 * so every thread inherits the mask and only the caller takes them.
 */
#include "server_main.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuprof.h"

typedef struct options {
    const char *addr, *pprof;
    int workers;
} options;

static int usage_error(const char *what, const char *arg) {
    fprintf(stderr, "server: %s '%s' (usage: bench [-addr HOST:PORT] [-pprof HOST:PORT] "
                    "[-workers N])\n", what, arg);
    return -1;
}

/* Accepts "-name value" and "-name=value". */
static int parse_options(int argc, char **argv, options *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const char *names[] = {"-addr", "-pprof", "-workers"};
        int which = -1;
        for (int k = 0; k < 3; k++)
            if (strlen(names[k]) == nlen && strncmp(a, names[k], nlen) == 0) which = k;
        if (which < 0) return usage_error("unknown flag", a);
        if (eq) val = eq + 1;
        else if (i + 1 < argc) val = argv[++i];
        else return usage_error("missing value for", a);
        if (which == 0) o->addr = val;
        else if (which == 1) o->pprof = val;
        else {
            char *end;
            long n = strtol(val, &end, 10);
            if (*val == '\0' || *end != '\0' || n < 1 || n > 256)
                return usage_error("workers must be 1 to 256, not", val);
            o->workers = (int)n;
        }
    }
    return 0;
}

/* The host part of "host:port" for printing; no host means loopback. */
static void print_url(const char *label, const char *addr, int port, const char *path) {
    const char *colon = strrchr(addr, ':');
    int hostlen = colon ? (int)(colon - addr) : 0;
    if (hostlen == 0) printf("%s http://127.0.0.1:%d%s\n", label, port, path);
    else printf("%s http://%.*s:%d%s\n", label, hostlen, addr, port, path);
}

int server_main(int argc, char **argv, const server_spec *spec) {
    options o = {.addr = "127.0.0.1:8080", .pprof = "127.0.0.1:6060", .workers = 4};
    if (parse_options(argc, argv, &o) < 0) return 2;

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    http_server *s = http_server_start(o.addr, o.workers, spec->handler, spec->arg);
    if (!s) {
        fprintf(stderr, "server: cannot listen on %s: %s\n", o.addr, strerror(errno));
        return 1;
    }
    int pport = cpuprof_http_start(o.pprof);
    if (pport < 0) {
        fprintf(stderr, "server: cannot serve /debug/pprof/ on %s: %s\n", o.pprof,
                strerror(errno));
        http_server_stop(s);
        return 1;
    }
    print_url("serving", o.addr, http_server_port(s), "/");
    print_url("pprof", o.pprof, pport, "/debug/pprof/");
    fflush(stdout);

    int sig = 0;
    if (spec->wait) sig = spec->wait(&stop);
    else
        while (sigwait(&stop, &sig) != 0) {}
    cpuprof_http_stop();
    http_server_stop(s);
    printf("stopped by %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}
