/* main.c: task 12's service, with the push agent: every period its CPU
 * profile goes to a Pyroscope-compatible server (docs/push.md).
 *
 *   bench -push http://127.0.0.1:4040 [-addr 127.0.0.1:8080] [-period 10]
 *         [-workers 4] [-app task12-service]
 *
 * Routes: GET /checksum, /render, /search (service.c, handlers.c). Once
 * listening it prints (port 0 picks a free port, and the line says which):
 *   serving http://127.0.0.1:8080/ (v1)
 * It serves until SIGINT or SIGTERM, then stops the server, stops the
 * agent (which pushes the last, partial period) and exits 0.
 *
 * Task 12 (reference solution): the agent carries the static tag
 * version=v1 or version=v2 (SERVICE_VERSION_NAME), sent in the series
 * name of every push, so the backend tells the two deployments apart.
 *
 * Invariant: SIGINT and SIGTERM are blocked in every thread (blocked
 * before any thread starts) and taken only by sigwait in main.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuprof.h"
#include "handlers.h"
#include "http_server.h"
#include "service.h"
#include "version.h"

typedef struct options {
    const char *addr, *push, *app;
    double period_s;
    int workers;
} options;

static int usage_error(const char *what, const char *arg) {
    fprintf(stderr, "service: %s '%s' (usage: bench -push URL [-addr HOST:PORT] [-period S] "
                    "[-workers N] [-app NAME])\n", what, arg);
    return -1;
}

/* Accepts "-name value" and "-name=value". */
static int parse_options(int argc, char **argv, options *o) {
    static const char *const names[] = {"-addr", "-push", "-period", "-workers", "-app"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        int which = -1;
        for (int k = 0; k < 5; k++)
            if (strlen(names[k]) == nlen && strncmp(a, names[k], nlen) == 0) which = k;
        if (which < 0) return usage_error("unknown flag", a);
        if (eq) val = eq + 1;
        else if (i + 1 < argc) val = argv[++i];
        else return usage_error("missing value for", a);
        char *end;
        if (which == 0) o->addr = val;
        else if (which == 1) o->push = val;
        else if (which == 4) o->app = val;
        else if (which == 2) {
            o->period_s = strtod(val, &end);
            if (*val == '\0' || *end != '\0' || o->period_s < 0.1 || o->period_s > 3600)
                return usage_error("period must be 0.1 to 3600 seconds, not", val);
        } else {
            long n = strtol(val, &end, 10);
            if (*val == '\0' || *end != '\0' || n < 1 || n > 256)
                return usage_error("workers must be 1 to 256, not", val);
            o->workers = (int)n;
        }
    }
    if (!o->push) return usage_error("missing", "-push URL");
    return 0;
}

int main(int argc, char **argv) {
    options o = {.addr = "127.0.0.1:8080", .app = "task12-service", .period_s = 10,
                 .workers = 4};
    if (parse_options(argc, argv, &o) < 0) return 2;

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    handlers_init();
    static const cpuprof_label tags[] = {{"version", SERVICE_VERSION_NAME}};
    cpuprof_push_options push = {
        .url = o.push,
        .app = o.app,
        .tags = tags,
        .ntags = sizeof tags / sizeof tags[0],
        .period_ms = (int)(o.period_s * 1000 + 0.5),
    };
    if (cpuprof_push_start(&push) != 0) {
        fprintf(stderr, "service: cannot start the push agent: %s\n", strerror(errno));
        return 1;
    }
    http_server *s = http_server_start(o.addr, o.workers, service_handle, NULL);
    if (!s) {
        fprintf(stderr, "service: cannot listen on %s: %s\n", o.addr, strerror(errno));
        cpuprof_push_stop();
        return 1;
    }
    const char *colon = strrchr(o.addr, ':');
    int hostlen = colon ? (int)(colon - o.addr) : 0;
    printf("serving http://%.*s:%d/ (%s)\n", hostlen ? hostlen : 9,
           hostlen ? o.addr : "127.0.0.1", http_server_port(s), SERVICE_VERSION_NAME);
    fflush(stdout);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {}
    http_server_stop(s);
    cpuprof_push_stop();
    printf("stopped by %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}
