/* server_main.h: the main of the exercises' HTTP servers (tasks 2, 5, 8).
 *
 *   bench [-addr 127.0.0.1:8080] [-pprof 127.0.0.1:6060] [-workers 4]
 *
 * A task's main.c names its handler and calls server_main, which parses
 * the flags ("-name value" or "-name=value"), starts the exercise server
 * (http_server.h) on -addr with -workers threads and the profiler's
 * /debug/pprof/ endpoint on -pprof (the way a Go server imports
 * net/http/pprof), and once both listen prints the two lines the checker
 * reads (port 0 picks a free port, and the line says which):
 *   serving http://127.0.0.1:8080/
 *   pprof http://127.0.0.1:6060/debug/pprof/
 * It serves until SIGINT or SIGTERM, then stops both, prints "stopped by
 * SIGTERM" (or SIGINT) and returns 0; 2 for a bad flag, 1 when a listener
 * cannot start, each with a one-line message on stderr.
 *
 * Invariant: SIGINT and SIGTERM are blocked in every thread (they are
 * blocked before any thread starts) and taken only on the calling thread,
 * by sigwait or by the spec's wait function.
 */
#ifndef TASKS_SERVER_MAIN_H
#define TASKS_SERVER_MAIN_H

#include <signal.h>

#include "http_server.h"

typedef struct server_spec {
    http_handler handler; /* answers every request, on the server's threads */
    void *arg;            /* passed to the handler */
    /* Optional: what the calling thread does while the server serves. It
     * runs until one of the signals in stop arrives and returns it. NULL:
     * wait in sigwait. */
    int (*wait)(const sigset_t *stop);
} server_spec;

/* Runs the server as described above; main returns what it returns. */
int server_main(int argc, char **argv, const server_spec *spec);

#endif
