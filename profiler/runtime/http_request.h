/* http_request.h: the request-head parser of the /debug/pprof endpoint
 * (private to libcpuprof).
 *
 * The parser is pure: it reads a byte buffer and fills a fixed struct, it
 * never allocates and never reads past the length it is given. It accepts
 * HTTP/1.0 and HTTP/1.1 requests in origin form ("GET /path?query HTTP/1.1")
 * and answers everything else with the HTTP status the server should send.
 *
 * The names start with cpuprof_ and are hidden, so linking libcpuprof.a next
 * to a program's own HTTP code never collides and the shared library never
 * exports them.
 */
#ifndef CPUPROF_HTTP_REQUEST_H
#define CPUPROF_HTTP_REQUEST_H

#include <stddef.h>

#define CPUPROF_HIDDEN __attribute__((visibility("hidden")))

#define CPUPROF_HTTP_MAX_HEAD 8192 /* request line + headers, in bytes */
#define CPUPROF_HTTP_MAX_HEADERS 64
#define CPUPROF_HTTP_NEED_MORE 1   /* parse result: head not complete yet */

typedef struct cpuprof_http_request {
    char method[16];
    char path[2048];            /* the target up to '?', as sent */
    char query[2048];           /* after '?', as sent; "" when absent */
    int minor;                  /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
    int has_host;
    int keep_alive;             /* the client's wish (version + Connection) */
    long long content_length;   /* -1 when the header is absent */
    size_t head_len;            /* bytes of the head, blank line included */
} cpuprof_http_request;

/* Parses the head at buf[0..len). Returns 0 when it is complete and valid
 * (req filled), CPUPROF_HTTP_NEED_MORE when more bytes are needed, or the
 * HTTP status to answer with: 400 malformed, 414 target too long,
 * 431 head larger than CPUPROF_HTTP_MAX_HEAD or too many headers,
 * 501 a Transfer-Encoding (chunked bodies are not supported),
 * 505 an HTTP version other than 1.0 and 1.1. */
CPUPROF_HIDDEN int cpuprof_http_parse(const char *buf, size_t len,
                                      cpuprof_http_request *req);

/* Looks up key in a query string ("a=1&seconds=5") and parses its value as
 * a decimal integer in [min, max]. Returns 1 and sets *out when found and
 * valid, 0 when the key is absent, -1 when the value is malformed or out of
 * range. Percent-encoded digits are decoded. */
CPUPROF_HIDDEN int cpuprof_http_query_int(const char *query, const char *key,
                                          long min, long max, long *out);

/* The reason phrase of a status code ("Not Found"); "Unknown" otherwise. */
CPUPROF_HIDDEN const char *cpuprof_http_reason(int status);

#endif
