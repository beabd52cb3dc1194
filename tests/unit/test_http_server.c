/* test_http_server.c: the exercises' HTTP server (tasks/common/http_server.c):
 * its request parser, then a live server on a free loopback port driven by
 * raw sockets: keep-alive, pipelining, Connection: close, bodies, errors,
 * more idle clients than workers, and a clean stop. tasks/common is not part
 * of any library, so the source is compiled into this test directly. */
#include <check.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "../../tasks/common/http_server.c"

/* ---- the parser --------------------------------------------------------- */

static int parse(const char *text, http_request *r, head_info *h) {
    static char buf[HTTP_MAX_HEAD * 2];
    size_t n = strlen(text);
    memcpy(buf, text, n + 1);
    return parse_head(buf, n, r, h);
}

START_TEST(parse_good) {
    http_request r;
    head_info h;
    ck_assert_int_eq(parse("POST /items?id=3 HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 7\r\nX-Trace:  abc \r\n\r\npayload", &r, &h), 0);
    ck_assert_str_eq(r.method, "POST");
    ck_assert_str_eq(r.path, "/items");
    ck_assert_str_eq(r.query, "id=3");
    ck_assert_int_eq(h.content_length, 7);
    ck_assert_int_eq(h.keep_alive, 1);
    ck_assert_str_eq(http_request_header(&r, "x-trace"), "abc");
    ck_assert_ptr_null(http_request_header(&r, "Cookie"));
    ck_assert_uint_eq(h.head_len, strlen("POST /items?id=3 HTTP/1.1\r\nHost: x\r\n"
                                         "Content-Length: 7\r\nX-Trace:  abc \r\n\r\n"));
}
END_TEST

START_TEST(parse_errors) {
    http_request r;
    head_info h;
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r, &h), NEED_MORE);
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\n\r\n", &r, &h), 0); /* no Host: fine */
    ck_assert_int_eq(h.keep_alive, 0);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\n\r\n", &r, &h), 400);
    ck_assert_int_eq(parse("hello\r\n\r\n", &r, &h), 400);
    ck_assert_int_eq(parse("GET / HTTP/3.0\r\n\r\n", &r, &h), 505);
    ck_assert_int_eq(parse("POST / HTTP/1.1\r\nHost: x\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n", &r, &h), 411);
    ck_assert_int_eq(parse("POST / HTTP/1.1\r\nHost: x\r\n"
                           "Transfer-Encoding: gzip\r\n\r\n", &r, &h), 501);
    ck_assert_int_eq(parse("POST / HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 99999999\r\n\r\n", &r, &h), 413);
    ck_assert_int_eq(parse("POST / HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: -1\r\n\r\n", &r, &h), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                           &r, &h), 0);
    ck_assert_int_eq(h.keep_alive, 0);

    static char big[HTTP_MAX_HEAD + 64];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    ck_assert_int_eq(parse(big, &r, &h), 431);
}
END_TEST

/* ---- a live server ------------------------------------------------------ */

static void handler(const http_request *req, http_response *w, void *arg) {
    (void)arg;
    if (strcmp(req->path, "/echo") == 0) {
        http_response_header(w, "Content-Type", "application/octet-stream");
        http_response_write(w, req->body, req->body_len);
    } else if (strcmp(req->path, "/missing") == 0) {
        http_response_status(w, 404);
    } else if (strcmp(req->path, "/") == 0) {
        http_response_printf(w, "hello %s %zu", req->method, req->body_len);
    } else {
        http_response_status(w, 404);
    }
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void say(int fd, const char *s) {
    ck_assert_int_eq(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads exactly one response into out (head and body, NUL-terminated).
 * Returns the status, or -1 when the connection ended first. */
static int hear(int fd, char *out, size_t cap) {
    size_t len = 0;
    for (;;) {
        out[len] = '\0';
        char *end = strstr(out, "\r\n\r\n");
        if (end) {
            char *cl = strcasestr(out, "Content-Length:");
            size_t want = (size_t)(end + 4 - out) + (cl ? (size_t)atol(cl + 15) : 0);
            if (len >= want) {
                /* Keep nothing beyond one response: read byte-exact below. */
                out[want] = '\0';
                return atoi(out + 9);
            }
        }
        ssize_t n = recv(fd, out + len, 1, 0); /* one byte: never over-read */
        if (n <= 0 || len + 2 >= cap) return -1;
        len += (size_t)n;
    }
}

static int closed_by_peer(int fd) {
    char c;
    return recv(fd, &c, 1, 0) == 0;
}

static http_server *srv;
static int port;

static void setup(void) {
    srv = http_server_start("127.0.0.1:0", 2, handler, NULL);
    ck_assert_ptr_nonnull(srv);
    port = http_server_port(srv);
    ck_assert_int_gt(port, 0);
}

static void teardown(void) { http_server_stop(srv); }

START_TEST(keep_alive_and_close) {
    char buf[4096];
    int fd = dial(port);
    say(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    ck_assert_ptr_nonnull(strstr(buf, "hello GET 0"));
    ck_assert_ptr_null(strcasestr(buf, "Connection: close"));
    say(fd, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\n\r\npayload");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    ck_assert_ptr_nonnull(strstr(buf, "hello POST 7"));
    say(fd, "GET /missing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 404);
    ck_assert_ptr_nonnull(strcasestr(buf, "Connection: close"));
    ck_assert_ptr_nonnull(strstr(buf, "404 Not Found"));
    ck_assert(closed_by_peer(fd));
    close(fd);
}
END_TEST

START_TEST(http10_closes) {
    char buf[4096];
    int fd = dial(port);
    say(fd, "GET / HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    ck_assert(strncmp(buf, "HTTP/1.0 200", 12) == 0);
    ck_assert(closed_by_peer(fd));
    close(fd);
}
END_TEST

START_TEST(pipelined_in_order) {
    char buf[4096];
    int fd = dial(port);
    say(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\none"
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\ntwo"
            "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    ck_assert(strcmp(buf + strlen(buf) - 3, "one") == 0);
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    ck_assert(strcmp(buf + strlen(buf) - 3, "two") == 0);
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    ck_assert_ptr_nonnull(strstr(buf, "hello GET 0"));
    close(fd);
}
END_TEST

START_TEST(body_in_pieces_and_continue) {
    char buf[4096];
    int fd = dial(port);
    say(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n"
            "Expect: 100-continue\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 100);
    say(fd, "01234");
    usleep(20000);
    say(fd, "56789");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    ck_assert(strcmp(buf + strlen(buf) - 10, "0123456789") == 0);
    close(fd);
}
END_TEST

/* A body larger than the worker's first buffer: the buffer grows, and the
 * request's strings must follow it. */
START_TEST(large_body_echo) {
    size_t n = 300000;
    char *body = malloc(n), *buf = malloc(n + 4096);
    for (size_t i = 0; i < n; i++) body[i] = (char)('a' + i % 26);
    int fd = dial(port);
    char head[256];
    snprintf(head, sizeof head, "POST /echo?x=1 HTTP/1.1\r\nHost: t\r\n"
             "Content-Length: %zu\r\n\r\n", n);
    say(fd, head);
    size_t off = 0;
    while (off < n) {
        ssize_t k = send(fd, body + off, n - off > 65536 ? 65536 : n - off, MSG_NOSIGNAL);
        ck_assert_int_gt(k, 0);
        off += (size_t)k;
    }
    ck_assert_int_eq(hear(fd, buf, n + 4096), 200);
    ck_assert(memcmp(buf + strlen(buf) - n, body, n) == 0);
    close(fd);
    free(body);
    free(buf);
}
END_TEST

START_TEST(bad_requests_close) {
    char buf[4096];
    int fd = dial(port);
    say(fd, "\x01\x02garbage\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 400);
    ck_assert(closed_by_peer(fd));
    close(fd);
    fd = dial(port);
    say(fd, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 411);
    close(fd);
    /* The server still answers afterwards. */
    fd = dial(port);
    say(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    close(fd);
}
END_TEST

/* Ten keep-alive clients, two workers: idle connections hold no worker. */
START_TEST(more_clients_than_workers) {
    char buf[4096];
    int fds[10];
    for (int i = 0; i < 10; i++) {
        fds[i] = dial(port);
        say(fds[i], "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        ck_assert_int_eq(hear(fds[i], buf, sizeof buf), 200);
    }
    for (int round = 0; round < 3; round++)
        for (int i = 9; i >= 0; i--) {
            say(fds[i], "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            ck_assert_int_eq(hear(fds[i], buf, sizeof buf), 200);
        }
    for (int i = 0; i < 10; i++) close(fds[i]);
}
END_TEST

/* A client that sends half a head and waits holds one worker; the other
 * worker keeps serving. */
START_TEST(slow_client_does_not_block) {
    char buf[4096];
    int slow = dial(port);
    say(slow, "GET / HTTP/1.1\r\nHo");
    usleep(50000);
    for (int i = 0; i < 5; i++) {
        int fd = dial(port);
        say(fd, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
        close(fd);
    }
    close(slow);
}
END_TEST

START_TEST(start_errors) {
    ck_assert_ptr_null(http_server_start("127.0.0.1:99999", 1, handler, NULL));
    ck_assert_ptr_null(http_server_start("nonsense:", 1, handler, NULL));
    ck_assert_ptr_null(http_server_start("127.0.0.1:0", 0, handler, NULL));
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    ck_assert_ptr_null(http_server_start(addr, 1, handler, NULL)); /* in use */
    ck_assert_int_eq(errno, EADDRINUSE);
}
END_TEST

/* Stop with idle keep-alive clients connected: returns, and they see EOF. */
START_TEST(stop_with_idle_clients) {
    char buf[4096];
    http_server *s = http_server_start("0", 3, handler, NULL);
    ck_assert_ptr_nonnull(s);
    int fd = dial(http_server_port(s));
    say(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(hear(fd, buf, sizeof buf), 200);
    http_server_stop(s);
    ck_assert(closed_by_peer(fd));
    close(fd);
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_server");
    TCase *p = tcase_create("parser");
    tcase_add_test(p, parse_good);
    tcase_add_test(p, parse_errors);
    suite_add_tcase(s, p);
    TCase *live = tcase_create("live");
    tcase_add_checked_fixture(live, setup, teardown);
    tcase_set_timeout(live, 30);
    tcase_add_test(live, keep_alive_and_close);
    tcase_add_test(live, http10_closes);
    tcase_add_test(live, pipelined_in_order);
    tcase_add_test(live, body_in_pieces_and_continue);
    tcase_add_test(live, large_body_echo);
    tcase_add_test(live, bad_requests_close);
    tcase_add_test(live, more_clients_than_workers);
    tcase_add_test(live, slow_client_does_not_block);
    tcase_add_test(live, start_errors);
    tcase_add_test(live, stop_with_idle_clients);
    suite_add_tcase(s, live);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
