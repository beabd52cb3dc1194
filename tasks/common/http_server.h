/* http_server.h: a small HTTP/1.1 server shared by the exercises' servers.
 *
 *   static void hello(const http_request *req, http_response *w, void *arg) {
 *       if (strcmp(req->path, "/") != 0) { http_response_status(w, 404); return; }
 *       http_response_printf(w, "hello, %zu bytes\n", req->body_len);
 *   }
 *   http_server *s = http_server_start("127.0.0.1:8080", 4, hello, NULL);
 *   ...
 *   http_server_stop(s);
 *
 * Model: one poller thread accepts connections and watches idle keep-alive
 * connections (epoll); a fixed pool of workers takes ready connections from a
 * bounded queue, reads one request (head up to 8 KiB, Content-Length body up
 * to 1 MiB), calls the handler, sends the response and gives the connection
 * back to the poller (or closes it: "Connection: close", HTTP/1.0 without
 * keep-alive, errors, shutdown). An idle connection costs no worker, so a
 * pool of N workers serves any number of keep-alive clients. Pipelined
 * requests are answered in order.
 *
 * The handler runs on a worker thread, so it may run concurrently with
 * itself: whatever it shares through arg must be thread-safe. The request
 * and its strings are valid only during the call.
 */
#ifndef TASKS_HTTP_SERVER_H
#define TASKS_HTTP_SERVER_H

#include <stddef.h>

#define HTTP_MAX_HEAD 8192          /* request line + headers */
#define HTTP_MAX_BODY (1 << 20)     /* Content-Length bodies */
#define HTTP_MAX_REQ_HEADERS 64
#define HTTP_MAX_CONNS 1024         /* open connections; more get 503 */
#define HTTP_READ_TIMEOUT_MS 10000  /* to read one request, once it starts */
#define HTTP_IDLE_TIMEOUT_MS 30000  /* an idle keep-alive connection */

typedef struct http_request {
    const char *method;   /* "GET", "POST", ... */
    const char *path;     /* up to '?', as sent: "/items/3" */
    const char *query;    /* after '?', as sent; "" when absent */
    const char *body;     /* body_len bytes, NUL-terminated for convenience */
    size_t body_len;
    int minor;            /* HTTP/1.<minor> */
    int nheaders;
    const char *header_name[HTTP_MAX_REQ_HEADERS];
    const char *header_value[HTTP_MAX_REQ_HEADERS];
} http_request;

/* The value of a request header (case-insensitive name), or NULL. */
const char *http_request_header(const http_request *req, const char *name);

typedef struct http_response http_response;

/* The status code (default 200). A status >= 400 with no body written gets
 * its reason phrase as the body. */
void http_response_status(http_response *w, int status);
/* Adds a response header; Content-Type defaults to text/plain. Returns 0,
 * or -1 when the header space (2 KiB) is full or the text has CR/LF. */
int http_response_header(http_response *w, const char *name, const char *value);
/* Appends to the body, which is sent with a Content-Length after the
 * handler returns. Returns 0, or -1 when out of memory. */
int http_response_write(http_response *w, const void *data, size_t len);
int http_response_printf(http_response *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef void (*http_handler)(const http_request *req, http_response *w,
                             void *arg);

typedef struct http_server http_server;

/* Listens on addr ("127.0.0.1:8080", ":8080" and "8080" mean loopback,
 * "0.0.0.0:8080" all interfaces; port 0 picks a free port) and starts
 * workers (1..256) threads. Returns NULL with errno set on failure. */
http_server *http_server_start(const char *addr, int workers, http_handler fn,
                               void *arg);

/* The port the server listens on. */
int http_server_port(const http_server *s);

/* Closes the listener, lets the workers finish the requests they hold
 * (answered with "Connection: close"), joins them, closes every connection
 * and frees the server. */
void http_server_stop(http_server *s);

/* The reason phrase of a status code ("Not Found"), "Unknown" otherwise. */
const char *http_status_text(int status);

#endif
