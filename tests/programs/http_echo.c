/* http_echo.c: a tiny server on tasks/common/http_server for the e2e tests.
 * Usage: http_echo [addr [workers]]. Prints "port N" once listening, then
 * serves until stdin closes or a line arrives, then stops cleanly and prints
 * "served N". Routes: POST/GET / answers "ok <body length>"; /sha256 answers
 * the hex SHA-256 of the body; anything else is 404. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tasks/common/http_server.h"
#include "../../tasks/common/sha256.h"

static atomic_long served;

static void handle(const http_request *req, http_response *w, void *arg) {
    (void)arg;
    atomic_fetch_add(&served, 1);
    if (strcmp(req->path, "/") == 0) {
        http_response_printf(w, "ok %zu\n", req->body_len);
    } else if (strcmp(req->path, "/sha256") == 0) {
        uint8_t d[SHA256_DIGEST_LEN];
        char hex[65];
        sha256(req->body, req->body_len, d);
        sha256_hex(d, hex);
        http_response_printf(w, "%s\n", hex);
    } else {
        http_response_status(w, 404);
    }
}

int main(int argc, char **argv) {
    const char *addr = argc > 1 ? argv[1] : "127.0.0.1:0";
    int workers = argc > 2 ? atoi(argv[2]) : 4;
    http_server *s = http_server_start(addr, workers, handle, NULL);
    if (!s) {
        perror("http_echo: http_server_start");
        return 1;
    }
    printf("port %d\n", http_server_port(s));
    fflush(stdout);
    char line[64];
    (void)!fgets(line, sizeof line, stdin);
    http_server_stop(s);
    printf("served %ld\n", atomic_load(&served));
    return 0;
}
