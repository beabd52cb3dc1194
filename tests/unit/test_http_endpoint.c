/* test_http_endpoint.c: cpuprof_http_start/stop from code: address forms,
 * loopback by default (read back from /proc/net/tcp), EBUSY, restart, and
 * stop ending a long capture early with the partial profile still sent. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpuprof.h"

/* The local address (hex, as /proc/net/tcp writes it) of the socket
 * listening on port, or "" when none. */
static void listen_addr(int port, char *out, size_t n) {
    out[0] = '\0';
    FILE *f = fopen("/proc/net/tcp", "r");
    ck_assert_ptr_nonnull(f);
    char line[512], addr[16];
    unsigned p, st;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, " %*d: %15[0-9A-F]:%X %*s %X", addr, &p, &st) == 3 &&
            (int)p == port && st == 0x0A /* LISTEN */)
            snprintf(out, n, "%s", addr);
    fclose(f);
}

START_TEST(loopback_by_default) {
    char a[16];
    const char *forms[] = {"0", ":0", "127.0.0.1:0"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        int port = cpuprof_http_start(forms[i]);
        ck_assert_msg(port > 0, "%s: %s", forms[i], strerror(errno));
        listen_addr(port, a, sizeof a);
        ck_assert_msg(strcmp(a, "0100007F") == 0, "%s bound %s", forms[i], a);
        cpuprof_http_stop();
    }
    int port = cpuprof_http_start("0.0.0.0:0"); /* only when asked */
    ck_assert_int_gt(port, 0);
    listen_addr(port, a, sizeof a);
    ck_assert_str_eq(a, "00000000");
    cpuprof_http_stop();
}
END_TEST

START_TEST(bad_addresses) {
    const char *bad[] = {"", "abc", "127.0.0.1:", "127.0.0.1:65536", ":-1",
                         "[::1", "1.2.3.4.5:80x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        ck_assert_msg(cpuprof_http_start(bad[i]) == -1, "accepted '%s'", bad[i]);
        ck_assert_int_ne(errno, 0);
    }
    ck_assert_int_eq(cpuprof_http_start(NULL), -1);
    ck_assert_int_eq(errno, EINVAL);
    cpuprof_http_stop(); /* not serving: harmless */
}
END_TEST

START_TEST(busy_and_restart) {
    int port = cpuprof_http_start("127.0.0.1:0");
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(cpuprof_http_start("127.0.0.1:0"), -1);
    ck_assert_int_eq(errno, EBUSY);
    cpuprof_http_stop();
    cpuprof_http_stop();
    port = cpuprof_http_start("127.0.0.1:0");
    ck_assert_int_gt(port, 0);
    cpuprof_http_stop();
}
END_TEST

/* A forked child starts with no endpoint and may serve on its own port,
 * while the parent keeps serving on its port. */
START_TEST(fork_child_starts_fresh) {
    int port = cpuprof_http_start("127.0.0.1:0");
    ck_assert_int_gt(port, 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int p2 = cpuprof_http_start("127.0.0.1:0");
        if (p2 <= 0 || p2 == port) _exit(1);
        cpuprof_http_stop();
        _exit(0);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char a[16];
    listen_addr(port, a, sizeof a);
    ck_assert_str_eq(a, "0100007F"); /* the parent still listens */
    cpuprof_http_stop();
}
END_TEST

/* A one-hour capture, then stop: the client still gets a 200 profile. */
START_TEST(stop_ends_capture) {
    int port = cpuprof_http_start("127.0.0.1:0");
    ck_assert_int_gt(port, 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    const char *req = "GET /debug/pprof/profile?seconds=3600 HTTP/1.0\r\n\r\n";
    ck_assert_int_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
    usleep(300000);
    cpuprof_http_stop();
    char buf[65536];
    size_t len = 0;
    ssize_t n;
    while ((n = recv(fd, buf + len, sizeof buf - 1 - len, 0)) > 0) len += (size_t)n;
    buf[len] = '\0';
    close(fd);
    ck_assert_msg(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0, "got: %.60s", buf);
    char *body = strstr(buf, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    ck_assert_uint_ge(len - (size_t)(body + 4 - buf), 2);
    ck_assert_int_eq((unsigned char)body[4], 0x1f); /* gzip magic */
    ck_assert_int_eq((unsigned char)body[5], 0x8b);
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_endpoint");
    TCase *tc = tcase_create("endpoint");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, loopback_by_default);
    tcase_add_test(tc, bad_addresses);
    tcase_add_test(tc, busy_and_restart);
    tcase_add_test(tc, fork_child_starts_fresh);
    tcase_add_test(tc, stop_ends_capture);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
