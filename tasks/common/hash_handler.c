/* hash_handler.c: hashes the request body HASH_ROUNDS times with SHA-256.
 *
 * Round 0 hashes the body; round i hashes digest(i-1) followed by the body.
 * Chaining the rounds keeps the compiler from doing the work only once, and
 * keeps the answer checkable: it depends on every round.
 */
#include "hash_handler.h"

#include <string.h>

#include "sha256.h"

static void hash_rounds(const char *body, size_t len, uint8_t digest[SHA256_DIGEST_LEN]) {
    sha256(body, len, digest);
    for (int i = 1; i < HASH_ROUNDS; i++) {
        sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, digest, SHA256_DIGEST_LEN);
        sha256_update(&c, body, len);
        sha256_final(&c, digest);
    }
}

void hash_handler(const http_request *req, http_response *w, void *arg) {
    (void)arg;
    if (strcmp(req->path, "/") != 0) {
        http_response_status(w, 404);
        return;
    }
    uint8_t digest[SHA256_DIGEST_LEN];
    char hex[65];
    hash_rounds(req->body, req->body_len, digest);
    sha256_hex(digest, hex);
    http_response_printf(w, "%s\n", hex);
}
