/* handlers.h: the service's three CPU-bound handlers (handlers.c).
 *
 *   /checksum  CRC-32 of a 64 KiB buffer, a few rounds
 *   /render    a small Mandelbrot picture as text
 *   /search    the documents of an in-memory corpus matching three words
 *
 * handlers_init builds the corpus once, before the server starts. Every
 * handler is thread-safe (they share only read-only data) and answers 200
 * with a short text.
 */
#ifndef TASK12_HANDLERS_H
#define TASK12_HANDLERS_H

#include "http_server.h"

void handlers_init(void);

void checksum_handler(const http_request *req, http_response *w);
void render_handler(const http_request *req, http_response *w);
void search_handler(const http_request *req, http_response *w);

#endif
