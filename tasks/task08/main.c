/* main.c: task 8's server: the same hashing server as task 2 (POST / is
 * answered by hash_handler, tasks/common/hash_handler.c, which hashes the
 * body 1,000 times with SHA-256; /debug/pprof/ on a second address), whose
 * main thread runs an event loop that does housekeeping about every 400 ms
 * (idle_loop.c), with or without requests.
 *
 *   bench [-addr 127.0.0.1:8080] [-pprof 127.0.0.1:6060] [-workers 4]
 *
 * The flags, the two listeners, the lines it prints and the stop on
 * SIGINT or SIGTERM are those of the exercises' shared server main
 * (tasks/common/server_main.h); the event loop is what its main thread
 * does while serving, and a stop signal ends it.
 */
#include <stdio.h>

#include "hash_handler.h"
#include "housekeeping.h"
#include "idle_loop.h"
#include "server_main.h"

int main(int argc, char **argv) {
    if (idle_housekeeping_init() < 0) {
        fprintf(stderr, "server: out of memory for the session table\n");
        return 1;
    }
    server_spec spec = {.handler = hash_handler, .wait = idle_loop};
    int rc = server_main(argc, argv, &spec);
    idle_housekeeping_free();
    return rc;
}
