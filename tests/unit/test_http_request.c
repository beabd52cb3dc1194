/* test_http_request.c: the /debug/pprof endpoint's request parser and query
 * parsing (profiler/runtime/http_request.c), byte strings in, status out. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../profiler/runtime/http_request.h"

static int parse(const char *s, cpuprof_http_request *req) {
    return cpuprof_http_parse(s, strlen(s), req);
}

START_TEST(good_request) {
    cpuprof_http_request r;
    const char *s = "GET /debug/pprof/profile?seconds=5 HTTP/1.1\r\n"
                    "Host: 127.0.0.1:6060\r\nUser-Agent: curl/7.88\r\n"
                    "Accept: */*\r\n\r\n";
    ck_assert_int_eq(parse(s, &r), 0);
    ck_assert_str_eq(r.method, "GET");
    ck_assert_str_eq(r.path, "/debug/pprof/profile");
    ck_assert_str_eq(r.query, "seconds=5");
    ck_assert_int_eq(r.minor, 1);
    ck_assert_int_eq(r.keep_alive, 1);
    ck_assert_int_eq(r.content_length, -1);
    ck_assert_uint_eq(r.head_len, strlen(s));
}
END_TEST

START_TEST(bare_lf_and_trailing_bytes) {
    cpuprof_http_request r;
    const char *s = "GET /x HTTP/1.0\nConnection: keep-alive\n\nBODY";
    ck_assert_int_eq(parse(s, &r), 0);
    ck_assert_str_eq(r.path, "/x");
    ck_assert_str_eq(r.query, "");
    ck_assert_int_eq(r.keep_alive, 1);
    ck_assert_uint_eq(r.head_len, strlen(s) - 4);
}
END_TEST

START_TEST(need_more) {
    cpuprof_http_request r;
    ck_assert_int_eq(parse("", &r), CPUPROF_HTTP_NEED_MORE);
    ck_assert_int_eq(parse("GET /debug/pp", &r), CPUPROF_HTTP_NEED_MORE);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: a\r\n", &r),
                     CPUPROF_HTTP_NEED_MORE);
}
END_TEST

START_TEST(header_too_large) {
    cpuprof_http_request r;
    size_t n = CPUPROF_HTTP_MAX_HEAD + 100;
    char *s = malloc(n + 1);
    strcpy(s, "GET / HTTP/1.1\r\nX-Big: ");
    size_t k = strlen(s);
    memset(s + k, 'a', n - k);
    s[n] = '\0';
    ck_assert_int_eq(cpuprof_http_parse(s, n, &r), 431); /* never ends */
    memcpy(s + n - 4, "\r\n\r\n", 4);
    ck_assert_int_eq(cpuprof_http_parse(s, n, &r), 431); /* ends too late */
    free(s);
}
END_TEST

START_TEST(too_many_headers) {
    cpuprof_http_request r;
    char s[4096] = "GET / HTTP/1.0\r\n";
    for (int i = 0; i < CPUPROF_HTTP_MAX_HEADERS + 1; i++) strcat(s, "A: b\r\n");
    strcat(s, "\r\n");
    ck_assert_int_eq(parse(s, &r), 431);
}
END_TEST

START_TEST(bad_request_line) {
    cpuprof_http_request r;
    ck_assert_int_eq(parse("garbage\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET /\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET x HTTP/1.1\r\nHost: a\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / FTP/1.1\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", &r), 400);
    /* Rejected as soon as the line is complete, without waiting for more. */
    ck_assert_int_eq(cpuprof_http_parse("\x16\x03\x01\x02\x00\x01\x00\n", 8, &r), 400);
}
END_TEST

START_TEST(bad_headers) {
    cpuprof_http_request r;
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\nNoColon\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\n: empty\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\nBad Name: x\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\nA: b\r\n folded\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\nContent-Length: 12a\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\nContent-Length: 1\r\n"
                           "Content-Length: 2\r\n\r\n", &r), 400);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &r), 400);
}
END_TEST

START_TEST(host_rules) {
    cpuprof_http_request r;
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\n\r\n", &r), 0); /* fine in 1.0 */
    ck_assert_int_eq(r.minor, 0);
    ck_assert_int_eq(r.keep_alive, 0);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\n\r\n", &r), 400); /* 1.1 needs it */
}
END_TEST

START_TEST(versions) {
    cpuprof_http_request r;
    ck_assert_int_eq(parse("GET / HTTP/2.0\r\n\r\n", &r), 505);
    ck_assert_int_eq(parse("GET / HTTP/1.2\r\n\r\n", &r), 505);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                           &r), 0);
    ck_assert_int_eq(r.keep_alive, 0);
}
END_TEST

START_TEST(chunked_not_supported) {
    cpuprof_http_request r;
    ck_assert_int_eq(parse("POST / HTTP/1.1\r\nHost: a\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n", &r), 501);
}
END_TEST

START_TEST(content_length) {
    cpuprof_http_request r;
    ck_assert_int_eq(parse("POST /p HTTP/1.1\r\nHost: a\r\n"
                           "content-length:  42 \r\n\r\n", &r), 0);
    ck_assert_int_eq(r.content_length, 42);
    ck_assert_str_eq(r.method, "POST");
}
END_TEST

START_TEST(target_too_long) {
    cpuprof_http_request r;
    char s[6000] = "GET /";
    memset(s + 5, 'a', 3000);
    strcpy(s + 3005, " HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(parse(s, &r), 414);
}
END_TEST

START_TEST(query_int) {
    long v = -7;
    ck_assert_int_eq(cpuprof_http_query_int("seconds=5", "seconds", 1, 3600, &v), 1);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(cpuprof_http_query_int("a=1&seconds=%33%30", "seconds", 1, 3600, &v), 1);
    ck_assert_int_eq(v, 30);
    ck_assert_int_eq(cpuprof_http_query_int("", "seconds", 1, 3600, &v), 0);
    ck_assert_int_eq(cpuprof_http_query_int("secs=4", "seconds", 1, 3600, &v), 0);
    ck_assert_int_eq(cpuprof_http_query_int("seconds=abc", "seconds", 1, 3600, &v), -1);
    ck_assert_int_eq(cpuprof_http_query_int("seconds=", "seconds", 1, 3600, &v), -1);
    ck_assert_int_eq(cpuprof_http_query_int("seconds", "seconds", 1, 3600, &v), -1);
    ck_assert_int_eq(cpuprof_http_query_int("seconds=-1", "seconds", 1, 3600, &v), -1);
    ck_assert_int_eq(cpuprof_http_query_int("seconds=0", "seconds", 1, 3600, &v), -1);
    ck_assert_int_eq(cpuprof_http_query_int("seconds=3601", "seconds", 1, 3600, &v), -1);
    ck_assert_int_eq(cpuprof_http_query_int("seconds=99999999999999999999", "seconds",
                                            1, 3600, &v), -1);
    ck_assert_int_eq(cpuprof_http_query_int("seconds=%zz", "seconds", 1, 3600, &v), -1);
    ck_assert_int_eq(v, 30); /* untouched by the failures */
}
END_TEST

START_TEST(reasons) {
    ck_assert_str_eq(cpuprof_http_reason(404), "Not Found");
    ck_assert_str_eq(cpuprof_http_reason(431), "Request Header Fields Too Large");
    ck_assert_str_eq(cpuprof_http_reason(299), "Unknown");
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_request");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, good_request);
    tcase_add_test(tc, bare_lf_and_trailing_bytes);
    tcase_add_test(tc, need_more);
    tcase_add_test(tc, header_too_large);
    tcase_add_test(tc, too_many_headers);
    tcase_add_test(tc, bad_request_line);
    tcase_add_test(tc, bad_headers);
    tcase_add_test(tc, host_rules);
    tcase_add_test(tc, versions);
    tcase_add_test(tc, chunked_not_supported);
    tcase_add_test(tc, content_length);
    tcase_add_test(tc, target_too_long);
    tcase_add_test(tc, query_int);
    tcase_add_test(tc, reasons);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
