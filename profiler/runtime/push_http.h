/* push_http.h: one HTTP/1.1 POST with a deadline, for the push agent
 * (push_http.c).
 *
 * Invariants: the whole exchange (name lookup aside, connect, send, the
 * answer's status line) ends within timeout_ms; the body is sent from the
 * caller's buffers, never copied; no signal is raised (MSG_NOSIGNAL).
 */
#ifndef CPUPROF_PUSH_HTTP_H
#define CPUPROF_PUSH_HTTP_H

#include <stddef.h>

#include "push_request.h"

#pragma GCC visibility push(hidden)

/* The body as consecutive pieces (multipart framing around the profile). */
typedef struct push_piece {
    const void *data;
    size_t len;
} push_piece;

/* POSTs the pieces to t->path?query with the given Content-Type and
 * "Connection: close". Returns the answer's status code (100..599), or -1
 * with err set when there is no answer (name lookup, connect, timeout,
 * a reply that is not HTTP). For a status outside 2xx, err holds the start
 * of the answer's body (one line). */
int push_http_post(const push_target *t, const char *query, const char *content_type,
                   const push_piece *pieces, size_t npieces, int timeout_ms, char *err,
                   size_t errlen);

#pragma GCC visibility pop

#endif
