/* main.c: task 5's server. GET /fast, /slow and /spike are answered by
 * route_request (handlers.c), each under its own endpoint label; the
 * profiler's /debug/pprof/ endpoint listens on a second address, the way a
 * Go server imports net/http/pprof.
 *
 *   bench [-addr 127.0.0.1:8080] [-pprof 127.0.0.1:6060] [-workers 4]
 *
 * The flags, the two listeners, the lines it prints and the stop on
 * SIGINT or SIGTERM are those of the exercises' shared server main
 * (tasks/common/server_main.h), as in task 2.
 */
#include "handlers.h"
#include "server_main.h"

int main(int argc, char **argv) {
    server_spec spec = {.handler = route_request};
    return server_main(argc, argv, &spec);
}
