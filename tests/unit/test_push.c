/* test_push.c: the push agent (cpuprof_push_start, docs/push.md).
 *
 * Request pieces: URL parsing (http only), the series name and the rules
 * on tags, query escaping, a boundary that never occurs in the data, the
 * multipart framing. The agent against a small server run by the test on
 * a thread: every request is a POST to /ingest with the name, from, until,
 * spyName and sampleRate, a multipart body whose "profile" file parses
 * with libprofile and carries the cpuprof_do labels of the work; an
 * unreachable server only counts failures; a server that never answers
 * does not keep the program from working while the agent waits on it; a
 * profile already running makes periods skipped, not broken. Nothing
 * passes or fails on time: waits are for events, with generous caps.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../profiler/runtime/push_request.h"
#include "cpuprof.h"
#include "profile.h"

/* ---- the request pieces ---------------------------------------------- */

START_TEST(url_parsing) {
    push_target t;
    char err[256];
    ck_assert_int_eq(push_parse_url("http://127.0.0.1:4040", &t, err, sizeof err), 0);
    ck_assert_str_eq(t.host, "127.0.0.1");
    ck_assert_str_eq(t.port, "4040");
    ck_assert_str_eq(t.path, "/ingest");
    ck_assert_str_eq(t.host_hdr, "127.0.0.1:4040");
    ck_assert_int_eq(push_parse_url("http://pyro.local/base/", &t, err, sizeof err), 0);
    ck_assert_str_eq(t.port, "80");
    ck_assert_str_eq(t.path, "/base/ingest");
    ck_assert_int_eq(push_parse_url("http://[::1]:4040/x?y=1", &t, err, sizeof err), 0);
    ck_assert_str_eq(t.host, "::1");
    ck_assert_str_eq(t.path, "/x/ingest");
    ck_assert_int_eq(push_parse_url("https://pyro:4040", &t, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "https"));
    ck_assert_int_eq(push_parse_url("ftp://pyro", &t, err, sizeof err), -1);
    ck_assert_int_eq(push_parse_url("http://:4040", &t, err, sizeof err), -1);
    ck_assert_int_eq(push_parse_url("http://pyro:99999", &t, err, sizeof err), -1);
    ck_assert_int_eq(push_parse_url("http://pyro:", &t, err, sizeof err), -1);
    ck_assert_int_eq(push_parse_url("", &t, err, sizeof err), -1);
}
END_TEST

START_TEST(name_and_tags) {
    char name[PUSH_NAME_MAX], err[256];
    cpuprof_label t[] = {{"version", "v1"}, {"region", "eu-west-1"}};
    ck_assert_int_eq(push_make_name("shop.api", t, 2, name, sizeof name, err, sizeof err), 0);
    ck_assert_str_eq(name, "shop.api{version=v1,region=eu-west-1}");
    ck_assert_int_eq(push_make_name("shop", NULL, 0, name, sizeof name, err, sizeof err), 0);
    ck_assert_str_eq(name, "shop{}");
    ck_assert_int_eq(push_make_name("my shop", NULL, 0, name, sizeof name, err, sizeof err), -1);
    ck_assert_int_eq(push_make_name("", NULL, 0, name, sizeof name, err, sizeof err), -1);
    cpuprof_label bad_key[] = {{"ver-sion", "v1"}};
    ck_assert_int_eq(push_make_name("a", bad_key, 1, name, sizeof name, err, sizeof err), -1);
    cpuprof_label reserved[] = {{"__name__", "x"}};
    ck_assert_int_eq(push_make_name("a", reserved, 1, name, sizeof name, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "reserved"));
    cpuprof_label comma[] = {{"k", "a,b"}};
    ck_assert_int_eq(push_make_name("a", comma, 1, name, sizeof name, err, sizeof err), -1);
    cpuprof_label brace[] = {{"k", "a}"}};
    ck_assert_int_eq(push_make_name("a", brace, 1, name, sizeof name, err, sizeof err), -1);
    cpuprof_label twice[] = {{"k", "1"}, {"k", "2"}};
    ck_assert_int_eq(push_make_name("a", twice, 2, name, sizeof name, err, sizeof err), -1);
    cpuprof_label empty[] = {{"k", ""}};
    ck_assert_int_eq(push_make_name("a", empty, 1, name, sizeof name, err, sizeof err), -1);
    char small[8];
    ck_assert_int_eq(push_make_name("a", t, 2, small, sizeof small, err, sizeof err), -1);
}
END_TEST

START_TEST(query_escaping) {
    char q[PUSH_QUERY_MAX];
    ck_assert_int_eq(push_make_query(q, sizeof q, "app{version=v1,r=x}", 100, 110, 100), 0);
    ck_assert_str_eq(q, "name=app%7Bversion%3Dv1%2Cr%3Dx%7D&from=100&until=110"
                        "&spyName=cpuprof&sampleRate=100");
    char e[8];
    ck_assert_int_eq(push_query_escape("a b", e, sizeof e), 0);
    ck_assert_str_eq(e, "a%20b");
    ck_assert_int_eq(push_query_escape("{{{", e, sizeof e), -1);
}
END_TEST

START_TEST(boundary_avoids_data) {
    char b1[PUSH_BOUNDARY_LEN + 1], b2[PUSH_BOUNDARY_LEN + 1];
    push_make_boundary(42, NULL, 0, b1);
    ck_assert_uint_eq(strlen(b1), PUSH_BOUNDARY_LEN);
    uint8_t data[100];
    memset(data, 'x', sizeof data);
    memcpy(data + 10, b1, PUSH_BOUNDARY_LEN);
    push_make_boundary(42, data, sizeof data, b2);
    ck_assert_str_ne(b1, b2);
    ck_assert_ptr_null(memmem(data, sizeof data, b2, PUSH_BOUNDARY_LEN));
    char pre[256], post[64];
    push_multipart_frame(b2, pre, sizeof pre, post, sizeof post);
    ck_assert_ptr_nonnull(strstr(pre, "name=\"profile\"; filename=\"profile.pprof\""));
    ck_assert_int_eq(strncmp(pre, "--", 2), 0);
    ck_assert_ptr_nonnull(strstr(post, b2));
    ck_assert_ptr_nonnull(strstr(post, "--\r\n"));
}
END_TEST

/* ---- a server on a thread of the test -------------------------------- */

enum { ANSWER_200, ANSWER_NEVER };
#define MAX_REQS 64

typedef struct test_server {
    int fd, port, mode;
    pthread_t th;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int quit;
    int nreqs;      /* complete requests received */
    int holding;    /* ANSWER_NEVER: a request is received and held */
    char *reqs[MAX_REQS];
    size_t lens[MAX_REQS];
} test_server;

static size_t content_length(const char *head) {
    const char *p = strcasestr(head, "\r\nContent-Length:");
    return p ? (size_t)strtoul(p + 17, NULL, 10) : 0;
}

/* Reads one request (head and Content-Length body); NULL on EOF/quit. */
static char *read_request(test_server *s, int c, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        buf[n] = '\0';
        char *e = strstr(buf, "\r\n\r\n");
        if (e && n >= (size_t)(e + 4 - buf) + content_length(buf)) break;
        struct pollfd pf = {c, POLLIN, 0};
        if (poll(&pf, 1, 100) == 0) {
            pthread_mutex_lock(&s->lock);
            int q = s->quit;
            pthread_mutex_unlock(&s->lock);
            if (q) break;
            continue;
        }
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
        ssize_t r = recv(c, buf + n, cap - n, 0);
        if (r <= 0) {
            free(buf);
            return NULL;
        }
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

static void *server_main(void *arg) {
    test_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        int q = s->quit;
        pthread_mutex_unlock(&s->lock);
        if (q) break;
        struct pollfd pf = {s->fd, POLLIN, 0};
        if (poll(&pf, 1, 100) <= 0) continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) continue;
        size_t len;
        char *req = read_request(s, c, &len);
        if (req) {
            pthread_mutex_lock(&s->lock);
            if (s->nreqs < MAX_REQS) {
                s->reqs[s->nreqs] = req;
                s->lens[s->nreqs] = len;
                req = NULL;
            }
            s->nreqs++;
            if (s->mode == ANSWER_NEVER) s->holding = 1;
            pthread_cond_broadcast(&s->changed);
            pthread_mutex_unlock(&s->lock);
            free(req);
            if (s->mode == ANSWER_200) {
                static const char ok[] =
                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                ssize_t w = send(c, ok, sizeof ok - 1, MSG_NOSIGNAL);
                (void)w;
            } else {
                /* Hold the connection until the client gives up. */
                char scratch[256];
                struct pollfd cp = {c, POLLIN, 0};
                while (poll(&cp, 1, 100) >= 0) {
                    pthread_mutex_lock(&s->lock);
                    int qq = s->quit;
                    pthread_mutex_unlock(&s->lock);
                    if (qq || (cp.revents && recv(c, scratch, sizeof scratch, 0) <= 0)) break;
                }
                pthread_mutex_lock(&s->lock);
                s->holding = 0;
                pthread_cond_broadcast(&s->changed);
                pthread_mutex_unlock(&s->lock);
            }
        }
        close(c);
    }
    return NULL;
}

static void server_start(test_server *s, int mode) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    s->mode = mode;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    ck_assert_int_eq(listen(s->fd, 16), 0);
    ck_assert_int_eq(pthread_create(&s->th, NULL, server_main, s), 0);
}

static void server_stop(test_server *s) {
    pthread_mutex_lock(&s->lock);
    s->quit = 1;
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->th, NULL);
    close(s->fd);
    for (int i = 0; i < s->nreqs && i < MAX_REQS; i++) free(s->reqs[i]);
}

/* Waits until pred(s) holds, at most cap_s seconds; returns pred's value. */
static int server_wait(test_server *s, int (*pred)(test_server *), int cap_s) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += cap_s;
    pthread_mutex_lock(&s->lock);
    int ok;
    while (!(ok = pred(s)) && pthread_cond_timedwait(&s->changed, &s->lock, &until) == 0) {}
    ok = pred(s);
    pthread_mutex_unlock(&s->lock);
    return ok;
}

static int three_requests(test_server *s) { return s->nreqs >= 3; }
static int holding(test_server *s) { return s->holding; }

static volatile uint64_t sink;

static void spin(void *arg) {
    uint64_t n = *(uint64_t *)arg, x = sink;
    for (uint64_t i = 0; i < n; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    sink = x;
}

static char url_buf[64];
static const char *server_url(const test_server *s) {
    snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%d", s->port);
    return url_buf;
}

/* The "profile" file part of a multipart request, parsed. */
static profile *request_profile(const char *req, size_t len) {
    const char *ct = strcasestr(req, "\r\nContent-Type: multipart/form-data; boundary=");
    ck_assert_ptr_nonnull(ct);
    char boundary[80];
    ck_assert_int_eq(sscanf(ct + 46, "%79[0-9a-f]", boundary), 1);
    char delim[96];
    snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    const char *body = strstr(req, "\r\n\r\n") + 4;
    ck_assert_int_eq(strncmp(body + 2, boundary, strlen(boundary)), 0);
    ck_assert_ptr_nonnull(strstr(body, "name=\"profile\"; filename="));
    const char *data = strstr(body, "\r\n\r\n") + 4;
    const char *end = memmem(data, (size_t)(req + len - data), delim, strlen(delim));
    ck_assert_ptr_nonnull(end);
    profile *p = NULL;
    char err[256];
    int rc = profile_parse(data, (size_t)(end - data), &p, err, sizeof err);
    ck_assert_msg(rc == 0, "profile: %s", err);
    return p;
}

START_TEST(pushes_every_period_with_labels) {
    test_server s;
    server_start(&s, ANSWER_200);
    cpuprof_label tags[] = {{"version", "v1"}};
    cpuprof_push_options o = {.url = server_url(&s), .app = "unit", .tags = tags, .ntags = 1,
                              .period_ms = 200};
    ck_assert_int_eq(cpuprof_push_start(&o), 0);
    ck_assert_int_eq(cpuprof_push_start(&o), -1);
    ck_assert_int_eq(errno, EBUSY);
    cpuprof_label l = {"endpoint", "/unit"};
    uint64_t n = 20000000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!server_wait(&s, three_requests, 0)) {
        ck_assert_int_eq(cpuprof_do(&l, 1, spin, &n), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ck_assert_msg(t1.tv_sec - t0.tv_sec < 60, "no 3 requests within 60 s");
    }
    ck_assert_int_eq(cpuprof_push_stop(), 0);
    ck_assert_int_eq(cpuprof_push_stop(), -1);
    cpuprof_push_stats st;
    cpuprof_push_get_stats(&st);
    ck_assert_uint_ge(st.pushed, 3);
    ck_assert_uint_eq(st.failed, 0);
    ck_assert_int_eq(st.last_status, 200);
    server_stop(&s);
    ck_assert_int_ge(s.nreqs, 3);
    int labelled = 0;
    for (int i = 0; i < s.nreqs && i < MAX_REQS; i++) {
        const char *r = s.reqs[i];
        ck_assert_int_eq(strncmp(r, "POST /ingest?name=unit%7Bversion%3Dv1%7D&from=", 46), 0);
        long long from, until;
        int hz;
        ck_assert_int_eq(sscanf(r + 46, "%lld&until=%lld&spyName=cpuprof&sampleRate=%d", &from,
                                &until, &hz), 3);
        ck_assert_int_le(from, until);
        ck_assert_int_le(until - from, 2);
        ck_assert_int_eq(hz, 100);
        profile *p = request_profile(r, s.lens[i]);
        ck_assert_int_ge(profile_value_index(p, "cpu"), 0);
        pf_tags tg;
        char err[256];
        ck_assert_int_eq(profile_tags(p, profile_value_index(p, "cpu"), &tg, err, sizeof err), 0);
        for (size_t k = 0; k < tg.ntags; k++)
            if (strcmp(tg.tags[k].key, "endpoint") == 0 && tg.tags[k].nvalues == 1 &&
                strcmp(tg.tags[k].values[0].value, "/unit") == 0)
                labelled++;
        pf_tags_free(&tg);
        profile_free(p);
    }
    ck_assert_int_ge(labelled, 1);
}
END_TEST

START_TEST(unreachable_server_only_counts) {
    /* A port that was free a moment ago: nothing listens there. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    cpuprof_push_options o = {.url = url, .app = "unit", .period_ms = 100};
    ck_assert_int_eq(cpuprof_push_start(&o), 0);
    uint64_t n = 5000000, rounds = 0;
    cpuprof_push_stats st;
    for (;;) {
        spin(&n);
        rounds++;
        cpuprof_push_get_stats(&st);
        if (st.failed >= 3) break;
        ck_assert_uint_lt(rounds, 100000);
    }
    ck_assert_int_eq(cpuprof_push_stop(), 0);
    cpuprof_push_get_stats(&st);
    ck_assert_uint_eq(st.pushed, 0);
    ck_assert_uint_ge(st.failed, 3);
    ck_assert_int_eq(st.last_status, 0);
    ck_assert_ptr_nonnull(strstr(st.last_error, "connect"));
    /* The profiler is free again for others. */
    ck_assert_int_eq(cpuprof_start_opts(NULL, NULL), 0);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    free(buf);
}
END_TEST

START_TEST(silent_server_does_not_block) {
    test_server s;
    server_start(&s, ANSWER_NEVER);
    cpuprof_push_options o = {.url = server_url(&s), .app = "unit", .period_ms = 100,
                              .timeout_ms = 3000};
    ck_assert_int_eq(cpuprof_push_start(&o), 0);
    ck_assert_msg(server_wait(&s, holding, 60), "no upload reached the server");
    /* The agent's thread now waits for an answer that never comes; the
     * program keeps working meanwhile. */
    uint64_t n = 1000, done = 0;
    pthread_mutex_lock(&s.lock);
    int held = s.holding;
    pthread_mutex_unlock(&s.lock);
    for (int i = 0; i < 1000; i++) {
        spin(&n);
        done++;
    }
    pthread_mutex_lock(&s.lock);
    int still = s.holding;
    pthread_mutex_unlock(&s.lock);
    ck_assert_int_eq(held, 1);
    ck_assert_int_eq(done, 1000);
    ck_assert_msg(still == 1, "the upload ended before the work: the test shows nothing");
    ck_assert_int_eq(cpuprof_push_stop(), 0);
    cpuprof_push_stats st;
    cpuprof_push_get_stats(&st);
    ck_assert_uint_ge(st.failed, 1);
    ck_assert_uint_eq(st.pushed, 0);
    ck_assert_ptr_nonnull(strstr(st.last_error, "no answer"));
    server_stop(&s);
}
END_TEST

START_TEST(running_profile_skips_periods) {
    test_server s;
    server_start(&s, ANSWER_200);
    ck_assert_int_eq(cpuprof_start_opts(NULL, NULL), 0);
    cpuprof_push_options o = {.url = server_url(&s), .app = "unit", .period_ms = 100};
    ck_assert_int_eq(cpuprof_push_start(&o), 0);
    cpuprof_push_stats st;
    uint64_t n = 1000000, rounds = 0;
    for (;;) {
        spin(&n);
        cpuprof_push_get_stats(&st);
        if (st.skipped >= 2) break;
        ck_assert_uint_lt(++rounds, 1000000);
    }
    ck_assert_int_eq(cpuprof_push_stop(), 0);
    cpuprof_push_get_stats(&st);
    ck_assert_uint_eq(st.pushed, 0);
    ck_assert_uint_eq(st.failed, 0);
    ck_assert_uint_ge(st.skipped, 2);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    free(buf);
    server_stop(&s);
    ck_assert_int_eq(s.nreqs, 0);
}
END_TEST

START_TEST(bad_options_are_einval) {
    cpuprof_push_options o = {.url = "https://x:4040", .app = "a"};
    ck_assert_int_eq(cpuprof_push_start(&o), -1);
    ck_assert_int_eq(errno, EINVAL);
    o.url = "http://127.0.0.1:1";
    o.app = "bad name";
    ck_assert_int_eq(cpuprof_push_start(&o), -1);
    ck_assert_int_eq(errno, EINVAL);
    o.app = "a";
    o.period_ms = 10;
    ck_assert_int_eq(cpuprof_push_start(&o), -1);
    o.period_ms = 0;
    o.hz = 20000;
    ck_assert_int_eq(cpuprof_push_start(&o), -1);
    ck_assert_int_eq(cpuprof_push_start(NULL), -1);
    ck_assert_int_eq(cpuprof_push_stop(), -1);
}
END_TEST

int main(void) {
    Suite *s = suite_create("push");
    TCase *tr = tcase_create("request");
    tcase_add_test(tr, url_parsing);
    tcase_add_test(tr, name_and_tags);
    tcase_add_test(tr, query_escaping);
    tcase_add_test(tr, boundary_avoids_data);
    suite_add_tcase(s, tr);
    TCase *ta = tcase_create("agent");
    tcase_set_timeout(ta, 120);
    tcase_add_test(ta, pushes_every_period_with_labels);
    tcase_add_test(ta, unreachable_server_only_counts);
    tcase_add_test(ta, silent_server_does_not_block);
    tcase_add_test(ta, running_profile_skips_periods);
    tcase_add_test(ta, bad_options_are_einval);
    suite_add_tcase(s, ta);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
