/* main.c: task 2's server. POST (or GET) / is answered by hash_handler
 * (tasks/common/hash_handler.c), which hashes the body 1,000 times with
 * SHA-256; the profiler's /debug/pprof/ endpoint listens on a second
 * address, the way a Go server imports net/http/pprof.
 *
 *   bench [-addr 127.0.0.1:8080] [-pprof 127.0.0.1:6060] [-workers 4]
 *
 * The flags, the two listeners, the lines it prints and the stop on
 * SIGINT or SIGTERM are those of the exercises' shared server main
 * (tasks/common/server_main.h).
 */
#include "hash_handler.h"
#include "server_main.h"

int main(int argc, char **argv) {
    server_spec spec = {.handler = hash_handler};
    return server_main(argc, argv, &spec);
}
