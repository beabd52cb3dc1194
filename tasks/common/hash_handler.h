/* hash_handler.h: the request handler of the hashing server (tasks 2 and 8).
 *
 * Any request to "/" is answered with the hex SHA-256 digest of its body,
 * computed HASH_ROUNDS times in a chain (each round hashes the previous
 * digest and the whole body), so every request costs real CPU in SHA-256.
 * Other paths get 404. Thread-safe: it keeps no state between calls.
 */
#ifndef TASKS_HASH_HANDLER_H
#define TASKS_HASH_HANDLER_H

#include "http_server.h"

#define HASH_ROUNDS 1000

void hash_handler(const http_request *req, http_response *w, void *arg);

#endif
