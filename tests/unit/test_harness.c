/* test_harness.c: libbench's calibration, output format, flags and runner.
 *
 * Benchmarks here fake their time (stop the clock and set the counted
 * duration to n microseconds), so calibration is deterministic and no
 * test depends on how fast this machine is.
 */
#include "bench.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t seen_n[16];
static int nseen;

/* 1 µs per op, exactly. */
BENCHMARK(FakeMicro) {
    bench_stop_timer(b);
    b->duration_ns = b->n * 1000;
    if (nseen < 16)
        seen_n[nseen++] = b->n;
}

BENCHMARK(FakeMetric) {
    bench_stop_timer(b);
    b->duration_ns = b->n * 25;
    bench_set_bytes(b, 1000);
    bench_report_metric(b, 2.5, "widgets/op");
    bench_report_metric(b, 7, "a-units");
}

BENCHMARK(Sinks) {
    int64_t acc = 0;
    for (int64_t i = 0; i < b->n; i++) {
        acc += i;
        bench_sink_i64(acc);
        bench_sink_ptr(&acc);
        bench_sink_f64((double)acc);
    }
}

START_TEST(predict_follows_go) {
    /* goal 1s, last run 1 op in 1000 ns: 1e6 predicted, +20%, capped at
     * 100x the last n. */
    ck_assert_int_eq(bench_predict_n(1000000000, 1, 1000, 1), 100);
    /* 100 ops in 100 µs -> 1.2e6 wanted, capped at 100 * 100. */
    ck_assert_int_eq(bench_predict_n(1000000000, 100, 100000, 100), 10000);
    /* Room to grow: 1e4 ops in 10 ms -> 1e6 * 1.2. */
    ck_assert_int_eq(bench_predict_n(1000000000, 10000, 10000000, 1000000),
                     1200000);
    /* Slow op (2 s each): at least last + 1. */
    ck_assert_int_eq(bench_predict_n(1000000000, 1, 2000000000, 1), 2);
    /* Zero time counts as 1 ns; never above 1e9. */
    ck_assert_int_eq(bench_predict_n(1000000000, 1000000, 0, 100000000),
                     1000000000);
    /* Long goals do not overflow. */
    ck_assert_int_eq(bench_predict_n(INT64_MAX / 2, 1000000, 1, 1000000),
                     100000000);
}
END_TEST

START_TEST(measure_sequence) {
    bench_options opt;
    char err[256];
    char *argv[] = {"prog", "-benchtime=1s", NULL};
    ck_assert_int_eq(bench_parse_args(2, argv, &opt, err, sizeof err), 0);
    bench b;
    memset(&b, 0, sizeof b);
    nseen = 0;
    bench_measure(&b, bench_func(0), &opt);
    /* 1, then x100 steps, then the 1e6 that takes the full second. */
    ck_assert_int_eq(nseen, 4);
    ck_assert_int_eq(seen_n[0], 1);
    ck_assert_int_eq(seen_n[1], 100);
    ck_assert_int_eq(seen_n[2], 10000);
    ck_assert_int_eq(seen_n[3], 1000000);
    ck_assert_int_eq(b.n, 1000000);
    ck_assert_int_eq(b.duration_ns, 1000000000);

    /* -benchtime=100x: one run of 1, then exactly 100. */
    char *argv2[] = {"prog", "-benchtime", "100x", NULL};
    ck_assert_int_eq(bench_parse_args(3, argv2, &opt, err, sizeof err), 0);
    nseen = 0;
    bench_measure(&b, bench_func(0), &opt);
    ck_assert_int_eq(nseen, 2);
    ck_assert_int_eq(seen_n[1], 100);
    ck_assert_int_eq(b.n, 100);
}
END_TEST

START_TEST(pretty_print_like_go) {
    char buf[64];
    bench_pretty(buf, sizeof buf, 1234, "ns/op");
    ck_assert_str_eq(buf, "      1234 ns/op");
    bench_pretty(buf, sizeof buf, 999.96, "ns/op");
    ck_assert_str_eq(buf, "      1000 ns/op");
    bench_pretty(buf, sizeof buf, 123.45, "ns/op");
    ck_assert_str_eq(buf, "       123.5 ns/op");
    bench_pretty(buf, sizeof buf, 12.34, "ns/op");
    ck_assert_str_eq(buf, "        12.34 ns/op");
    bench_pretty(buf, sizeof buf, 1.5, "x");
    ck_assert_str_eq(buf, "         1.500 x");
    bench_pretty(buf, sizeof buf, 0.2411, "ns/op");
    ck_assert_str_eq(buf, "         0.2411 ns/op");
    bench_pretty(buf, sizeof buf, 0.0000123, "ns/op");
    ck_assert_str_eq(buf, "         0.0000123 ns/op");
    bench_pretty(buf, sizeof buf, 0, "ns/op");
    ck_assert_str_eq(buf, "         0 ns/op");
}
END_TEST

START_TEST(result_line) {
    bench b;
    char buf[256];
    memset(&b, 0, sizeof b);
    b.n = 1000;
    b.duration_ns = 25000;
    b.bytes = 1000;
    bench_report_metric(&b, 2.5, "widgets/op");
    bench_report_metric(&b, 7, "a-units");
    bench_result_string(buf, sizeof buf, &b);
    /* 25 ns/op; 1000 B per 25 ns = 40000 MB/s; extras sorted by unit. */
    ck_assert_str_eq(buf, "    1000\t        25.00 ns/op\t40000.00 MB/s"
                          "\t         7.000 a-units\t         2.500 widgets/op");
    /* Reported ns/op replaces the measurement. */
    bench_report_metric(&b, 3, "ns/op");
    b.bytes = 0;
    bench_result_string(buf, sizeof buf, &b);
    ck_assert_str_eq(buf, "    1000\t         3.000 ns/op"
                          "\t         7.000 a-units\t         2.500 widgets/op");
    /* Bad units are refused. */
    ck_assert_int_eq(bench_report_metric(&b, 1, "has space"), -1);
    ck_assert_int_eq(bench_report_metric(&b, 1, ""), -1);
    bench_reset_timer(&b);
    ck_assert_int_eq(b.nmetrics, 0);
}
END_TEST

START_TEST(names) {
    char buf[64];
    bench_full_name(buf, sizeof buf, "BenchmarkSum", 8);
    ck_assert_str_eq(buf, "BenchmarkSum-8");
    bench_full_name(buf, sizeof buf, "BenchmarkSum", 1);
    ck_assert_str_eq(buf, "BenchmarkSum");
    ck_assert_int_eq(bench_count(), 3);
    ck_assert_str_eq(bench_name(0), "BenchmarkFakeMicro");
    ck_assert_ptr_null(bench_name(3));
}
END_TEST

START_TEST(flags) {
    bench_options o;
    char err[256];
    int64_t ns, n;
    ck_assert_int_eq(bench_parse_benchtime("1s", &ns, &n), 0);
    ck_assert_int_eq(ns, 1000000000);
    ck_assert_int_eq(bench_parse_benchtime("1m30s", &ns, &n), 0);
    ck_assert_int_eq(ns, 90000000000LL);
    ck_assert_int_eq(bench_parse_benchtime("1.5ms", &ns, &n), 0);
    ck_assert_int_eq(ns, 1500000);
    ck_assert_int_eq(bench_parse_benchtime("250us", &ns, &n), 0);
    ck_assert_int_eq(ns, 250000);
    ck_assert_int_eq(bench_parse_benchtime("100x", &ns, &n), 0);
    ck_assert_int_eq(n, 100);
    ck_assert_int_eq(bench_parse_benchtime("0x", &ns, &n), -1);
    ck_assert_int_eq(bench_parse_benchtime("10", &ns, &n), -1);
    ck_assert_int_eq(bench_parse_benchtime("1q", &ns, &n), -1);
    ck_assert_int_eq(bench_parse_benchtime("", &ns, &n), -1);
    ck_assert_int_eq(bench_parse_benchtime("x", &ns, &n), -1);

    char *a[] = {"p", "-bench=.", "--count", "3", "-test.benchtime=10x",
                 "-run=^$", "-cpuprofile", "cpu.pb.gz"};
    ck_assert_int_eq(bench_parse_args(8, a, &o, err, sizeof err), 0);
    ck_assert_str_eq(o.bench_re, ".");
    ck_assert_int_eq(o.count, 3);
    ck_assert_int_eq(o.benchtime_n, 10);
    ck_assert_str_eq(o.cpuprofile, "cpu.pb.gz");
    ck_assert_str_eq(o.run_re, "^$");

    char *b[] = {"p", "-nope=1"};
    ck_assert_int_eq(bench_parse_args(2, b, &o, err, sizeof err), -1);
    ck_assert_str_eq(err, "flag provided but not defined: -nope");
    char *c[] = {"p", "-count=0"};
    ck_assert_int_eq(bench_parse_args(2, c, &o, err, sizeof err), -1);
    char *d[] = {"p", "-bench"};
    ck_assert_int_eq(bench_parse_args(2, d, &o, err, sizeof err), -1);
    ck_assert_str_eq(err, "flag needs an argument: -bench");
    char *e[] = {"p", "stray"};
    ck_assert_int_eq(bench_parse_args(2, e, &o, err, sizeof err), -1);
    char *h[] = {"p", "-h"};
    ck_assert_int_eq(bench_parse_args(2, h, &o, err, sizeof err), 0);
    ck_assert_int_eq(o.help, 1);
}
END_TEST

static char *run(const char *re, const char *benchtime, int count, int *rc) {
    bench_options o;
    char err[256];
    char arg[64], *out = NULL;
    size_t len = 0;
    snprintf(arg, sizeof arg, "-benchtime=%s", benchtime);
    char *argv[] = {"p", arg};
    ck_assert_int_eq(bench_parse_args(2, argv, &o, err, sizeof err), 0);
    o.bench_re = re;
    o.count = count;
    FILE *f = open_memstream(&out, &len);
    *rc = bench_run(&o, f, err, sizeof err);
    fclose(f);
    return out;
}

START_TEST(runner_output) {
    int rc;
    char name[64], line[256];
    long procs = sysconf(_SC_NPROCESSORS_ONLN);
    char *out = run("Fake", "1s", 2, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert(strncmp(out, "goos: linux\ngoarch: ", 20) == 0);
    ck_assert_ptr_nonnull(strstr(out, "\npkg: "));
    bench_full_name(name, sizeof name, "BenchmarkFakeMicro", (int)procs);
    /* Padding: longest matching name plus "-P" plus one. */
    int width = (int)strlen("BenchmarkFakeMetric") + 2 * (procs != 1 ?
                (int)snprintf(NULL, 0, "-%ld", procs) : 0) + 1;
    snprintf(line, sizeof line, "\n%-*s\t 1000000\t      1000 ns/op\n"
             "%-*s\t 1000000\t      1000 ns/op\n", width, name, width, name);
    ck_assert_ptr_nonnull(strstr(out, line));
    ck_assert_ptr_nonnull(strstr(out, "ns/op\t40000.00 MB/s"));
    ck_assert_ptr_null(strstr(out, "Sinks"));
    free(out);

    /* Nothing matches: nothing printed at all. */
    out = run("NoSuchBenchmark", "1s", 1, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(out, "");
    free(out);

    /* Real work through the sinks, 10 iterations. */
    out = run("Sinks$", "10x", 1, &rc);
    ck_assert_ptr_nonnull(strstr(out, "\t      10\t"));
    free(out);

    out = run("(", "1s", 1, &rc);
    ck_assert_int_eq(rc, -1);
    free(out);
}
END_TEST

int main(void) {
    Suite *s = suite_create("harness");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, predict_follows_go);
    tcase_add_test(tc, measure_sequence);
    tcase_add_test(tc, pretty_print_like_go);
    tcase_add_test(tc, result_line);
    tcase_add_test(tc, names);
    tcase_add_test(tc, flags);
    tcase_add_test(tc, runner_output);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
