/* test_benchstat_gate.c: benchstat -gate's verdicts (gate.c).
 *
 * One benchmark at a time (bs_gate_judge): a clear regression, a
 * significant change under the threshold, a large change that is not
 * significant, an improvement, a rate unit, ties (all equal; equal within
 * each side; exactly at the threshold), sample sizes too small for the U
 * test to ever reach p < alpha, empty sides, exact units. Then whole
 * inputs (bs_gate_report): exit status, verdict lines and summary for a
 * pass, a regression, a missing benchmark, an added one, inputs whose
 * configuration lines differ, and an absent unit. p-values are worked out
 * by hand in the comments. The benchstat sources are compiled in.
 */
#include "../../profiler/tools/benchstat/benchfmt.c"
#include "../../profiler/tools/benchstat/collect.c"
#include "../../profiler/tools/benchstat/gate.c"
#include "../../profiler/tools/benchstat/stats.c"
#include "../../profiler/tools/benchstat/table.c"
#include "../../profiler/tools/benchstat/texttab.c"
#include "../../profiler/tools/benchstat/units.c"

#include <check.h>

static const bs_gate_opts opts = {0.05, 0.05, "sec/op"};

/* C(20, 10) = 184756: the two-sided p of fully separated 10+10 samples. */
#define P_10_10 (2.0 / 184756)

static void fill(double *v, int n, double start, double step) {
    for (int i = 0; i < n; i++)
        v[i] = start + step * i;
}

START_TEST(threshold_parsing) {
    double f = -1;
    ck_assert_int_eq(bs_gate_parse_threshold("5%", &f), 0);
    ck_assert_double_eq_tol(f, 0.05, 1e-15);
    ck_assert_int_eq(bs_gate_parse_threshold("5", &f), 0);
    ck_assert_double_eq_tol(f, 0.05, 1e-15);
    ck_assert_int_eq(bs_gate_parse_threshold("2.5%", &f), 0);
    ck_assert_double_eq_tol(f, 0.025, 1e-15);
    ck_assert_int_eq(bs_gate_parse_threshold("0", &f), 0);
    ck_assert_double_eq(f, 0);
    const char *bad[] = {"", "%", "-1%", "5%%", "5 %", "abc", "inf", "nan", "5x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(bs_gate_parse_threshold(bad[i], &f) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

/* 2 / C(nb + nc, nb): 3+3 -> 2/20, 4+4 -> 2/70, 3+4 -> 2/35, 2+10 -> 2/66. */
START_TEST(smallest_p) {
    ck_assert_double_eq_tol(bs_gate_min_p(3, 3), 0.1, 1e-15);
    ck_assert_double_eq_tol(bs_gate_min_p(4, 4), 2.0 / 70, 1e-15);
    ck_assert_double_eq_tol(bs_gate_min_p(3, 4), 2.0 / 35, 1e-15);
    ck_assert_double_eq_tol(bs_gate_min_p(2, 10), 2.0 / 66, 1e-15);
    ck_assert_double_eq_tol(bs_gate_min_p(10, 10), P_10_10, 1e-18);
    ck_assert_double_eq(bs_gate_min_p(1, 1), 1);
    ck_assert_double_eq(bs_gate_min_p(0, 5), 1);
}
END_TEST

START_TEST(rate_units) {
    ck_assert_int_eq(bs_gate_higher_is_better("B/s"), 1);
    ck_assert_int_eq(bs_gate_higher_is_better("ops/s"), 1);
    ck_assert_int_eq(bs_gate_higher_is_better("sec/op"), 0);
    ck_assert_int_eq(bs_gate_higher_is_better("cpu-sec/op"), 0);
    ck_assert_int_eq(bs_gate_higher_is_better("s"), 0);
}
END_TEST

/* base 100..109, cur 120..129: medians 104.5 and 124.5, fully separated. */
START_TEST(clear_regression) {
    double b[10], c[10];
    fill(b, 10, 100, 1);
    fill(c, 10, 120, 1);
    bs_gate_result r;
    bs_gate_judge(b, 10, c, 10, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
    ck_assert_double_eq_tol(r.p, P_10_10, 1e-12);
    ck_assert_double_eq_tol(r.base, 104.5, 1e-12);
    ck_assert_double_eq_tol(r.cur, 124.5, 1e-12);
    ck_assert_double_eq_tol(r.worse, 124.5 / 104.5 - 1, 1e-12);
    ck_assert_int_eq(r.nb, 10);
    ck_assert_int_eq(r.nc, 10);
    /* The same, faster: an improvement never fails the gate. */
    bs_gate_judge(c, 10, b, 10, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_OK);
    ck_assert(r.worse < -0.15);
    ck_assert(r.p < 0.001);
}
END_TEST

/* 3% slower, fully separated (p tiny): real, but under the threshold. */
START_TEST(significant_but_small) {
    double b[10], c[10];
    fill(b, 10, 1000, 1);
    fill(c, 10, 1030, 1);
    bs_gate_result r;
    bs_gate_judge(b, 10, c, 10, 0, 0, &opts, &r);
    ck_assert(r.p < 0.001);
    ck_assert_double_eq_tol(r.worse, 1034.5 / 1004.5 - 1, 1e-12);
    ck_assert_int_eq(r.verdict, BS_GATE_OK);
    /* A 2% threshold catches it. */
    bs_gate_opts tight = {0.02, 0.05, "sec/op"};
    bs_gate_judge(b, 10, c, 10, 0, 0, &tight, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
}
END_TEST

/* Medians 125 -> 133 (+6.4%), but the samples interleave: 100 108 110 118
 * 120 128 ... Each cur value beats the base values below it, U = 21 of 36
 * pairs, far from the extremes: p is large, so no verdict of regression. */
START_TEST(large_but_noisy) {
    double b[6], c[6];
    fill(b, 6, 100, 10);
    fill(c, 6, 108, 10);
    bs_gate_result r;
    bs_gate_judge(b, 6, c, 6, 0, 0, &opts, &r);
    ck_assert(r.worse > 0.05);
    ck_assert(r.p > 0.3);
    ck_assert_int_eq(r.verdict, BS_GATE_OK);
}
END_TEST

/* For a rate (B/s) lower is worse: 20% less throughput regresses. */
START_TEST(rate_regression) {
    double b[8], c[8], d[8];
    fill(b, 8, 100, 0.5);
    fill(c, 8, 80, 0.5);
    fill(d, 8, 120, 0.5);
    bs_gate_result r;
    bs_gate_judge(b, 8, c, 8, 1, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
    ck_assert_double_eq_tol(r.worse, 1 - 81.75 / 101.75, 1e-12);
    bs_gate_judge(b, 8, d, 8, 1, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_OK);
    ck_assert(r.worse < 0);
}
END_TEST

START_TEST(ties) {
    double b[10], c[10];
    bs_gate_result r;
    /* Every value equal on both sides: nothing to test, p = 1, ok. */
    fill(b, 10, 100, 0);
    fill(c, 10, 100, 0);
    bs_gate_judge(b, 10, c, 10, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_OK);
    ck_assert_double_eq(r.p, 1);
    ck_assert_double_eq(r.worse, 0);
    /* Equal within each side, 120 against 100: two tie groups, fully
     * separated, the same p as without ties. */
    fill(c, 10, 120, 0);
    bs_gate_judge(b, 10, c, 10, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
    ck_assert_double_eq_tol(r.p, P_10_10, 1e-12);
    ck_assert_double_eq_tol(r.worse, 0.2, 1e-12);
    /* Exactly 5% worse is not "more than 5%" (105/100 - 1 computes as
     * 0.05000000000000004). */
    fill(c, 10, 105, 0);
    bs_gate_judge(b, 10, c, 10, 0, 0, &opts, &r);
    ck_assert(r.p < 0.001);
    ck_assert_int_eq(r.verdict, BS_GATE_OK);
    fill(c, 10, 105.01, 0);
    bs_gate_judge(b, 10, c, 10, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
    /* Ties across the sides: half of cur equals base. Medians 100 ->
     * 110 (+10%); ranks 1-15 share 8, cur's five 120s take 16-20. */
    fill(c, 5, 100, 0);
    fill(c + 5, 5, 120, 0);
    bs_gate_judge(b, 10, c, 10, 0, 0, &opts, &r);
    ck_assert_double_eq_tol(r.cur, 110, 1e-12);
    ck_assert(r.p < 0.05);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
}
END_TEST

/* With 3 runs a side even +50% cannot reach p < 0.05 (smallest p 0.1):
 * TOO-FEW, whatever the values. 4+4 can (0.029), and 2+10 can (0.030). */
START_TEST(too_few_runs) {
    double b[10], c[10];
    fill(b, 10, 100, 1);
    fill(c, 10, 150, 1);
    bs_gate_result r;
    bs_gate_judge(b, 3, c, 3, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_TOO_FEW);
    ck_assert_double_eq_tol(r.p, 0.1, 1e-12);
    bs_gate_judge(b, 3, c, 4, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_TOO_FEW);
    bs_gate_judge(b, 1, c, 10, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_TOO_FEW);
    /* An unchanged benchmark with too few runs cannot pass either. */
    bs_gate_judge(b, 3, b, 3, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_TOO_FEW);
    bs_gate_judge(b, 4, c, 4, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
    ck_assert_double_eq_tol(r.p, 2.0 / 70, 1e-12);
    bs_gate_judge(b, 2, c, 10, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
    /* A stricter alpha needs more runs: 4+4 cannot reach 0.01. */
    bs_gate_opts strict = {0.05, 0.01, "sec/op"};
    bs_gate_judge(b, 4, c, 4, 0, 0, &strict, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_TOO_FEW);
    bs_gate_judge(b, 6, c, 6, 0, 0, &strict, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
}
END_TEST

START_TEST(empty_sides_and_exact_units) {
    double b[3] = {64, 64, 64}, c[3] = {80, 80, 80};
    bs_gate_result r;
    bs_gate_judge(b, 3, NULL, 0, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_MISSING);
    bs_gate_judge(NULL, 0, c, 3, 0, 0, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_ADDED);
    /* An exact unit needs no test: 3 runs are enough, any change is real. */
    bs_gate_judge(b, 3, c, 3, 0, 1, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_REGRESSED);
    ck_assert_double_eq(r.p, 0);
    bs_gate_judge(b, 3, b, 3, 0, 1, &opts, &r);
    ck_assert_int_eq(r.verdict, BS_GATE_OK);
}
END_TEST

/* ---- whole inputs ---- */

/* n result lines of name with ns/op start, start+step, ... and a steady
 * cpu-ns/op of cpu. */
static void add_runs(FILE *f, const char *name, int n, double start, double step, double cpu) {
    for (int i = 0; i < n; i++)
        fprintf(f, "Benchmark%s-2 1000 %.1f ns/op %.1f cpu-ns/op\n", name, start + step * i,
                cpu + 0.1 * i);
}

typedef struct gate_run {
    int rc;
    char *out;
} gate_run;

static gate_run gate(const char *base, const char *cur, const char *unit) {
    bs_collect c;
    bs_collect_init(&c);
    const char *text[2] = {base, cur}, *label[2] = {"base", "new"};
    for (int i = 0; i < 2; i++) {
        FILE *in = fmemopen((void *)text[i], strlen(text[i]), "r");
        ck_assert_int_eq(bs_read(in, label[i], label[i], &c, stderr), 0);
        fclose(in);
    }
    bs_collect_finish(&c);
    gate_run g = {0, NULL};
    size_t len;
    FILE *f = open_memstream(&g.out, &len);
    bs_gate_opts o = {0.05, 0.05, unit};
    g.rc = bs_gate_report(&c, "base", "new", &o, f);
    fclose(f);
    bs_collect_free(&c);
    return g;
}

/* A file with a header and three benchmarks; crc_start shifts CRC32. */
static char *input(const char *pkg, double crc_start, int with_utf8) {
    char *s = NULL;
    size_t len;
    FILE *f = open_memstream(&s, &len);
    fprintf(f, "goos: linux\npkg: %s\n", pkg);
    add_runs(f, "CRC32", 10, crc_start, 10, 300);
    add_runs(f, "Base64Encode", 10, 500, 1, 50);
    if (with_utf8)
        add_runs(f, "UTF8Count", 10, 700, 1, 70);
    fprintf(f, "PASS\n");
    fclose(f);
    return s;
}

static int has_line(const char *text, const char *prefix) {
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

START_TEST(report_pass_and_regression) {
    char *base = input("task13", 3000, 1), *same = input("task13", 3000, 1),
         *slow = input("task13", 3750, 1);
    gate_run g = gate(base, same, "sec/op");
    ck_assert_int_eq(g.rc, 0);
    ck_assert(has_line(g.out, "ok  CRC32-2 "));
    ck_assert(has_line(g.out, "ok  Base64Encode-2 "));
    ck_assert(has_line(g.out, "ok  UTF8Count-2 "));
    ck_assert(has_line(g.out, "gate: PASS: 3 benchmarks compared in sec/op, none worse by "
                              "more than 5% with p < 0.05"));
    free(g.out);

    g = gate(base, slow, "sec/op");
    ck_assert_int_eq(g.rc, 1);
    /* CRC32: medians 3045 -> 3795 ns, +24.63%, fully separated. */
    ck_assert_msg(has_line(g.out, "REGRESSED  CRC32-2         sec/op  +24.63%  p=0.000  "
                                  "n=10+10  3.045µ -> 3.795µ"),
                  "%s", g.out);
    ck_assert(has_line(g.out, "ok         Base64Encode-2  sec/op   +0.00%  p=1.000"));
    ck_assert(has_line(g.out, "gate: FAIL: 1 of 3 benchmarks regressed in sec/op by more than "
                              "5% (p < 0.05): CRC32-2"));
    free(g.out);

    /* The CPU-time unit did not move: the same inputs pass on it. */
    g = gate(base, slow, "cpu-sec/op");
    ck_assert_int_eq(g.rc, 0);
    ck_assert(has_line(g.out, "ok  CRC32-2         cpu-sec/op  +0.00%"));
    free(g.out);
    free(base);
    free(same);
    free(slow);
}
END_TEST

START_TEST(report_missing_added_config_unit) {
    char *base = input("task13", 3000, 1), *fewer = input("task13", 3000, 0),
         *other = input("other", 3000, 1);
    gate_run g = gate(base, fewer, "sec/op");
    ck_assert_int_eq(g.rc, 2);
    ck_assert(has_line(g.out, "MISSING  UTF8Count-2 "));
    ck_assert(has_line(g.out, "gate: FAIL: in base but not in new: UTF8Count-2\n"));
    free(g.out);

    /* A benchmark that is new has nothing to regress from. */
    g = gate(fewer, base, "sec/op");
    ck_assert_int_eq(g.rc, 0);
    ck_assert(has_line(g.out, "added  UTF8Count-2 "));
    ck_assert(has_line(g.out, "gate: PASS: 2 benchmarks compared"));
    free(g.out);

    /* Different "pkg:" lines: different tables, nothing compared. */
    g = gate(base, other, "sec/op");
    ck_assert_int_eq(g.rc, 2);
    ck_assert(has_line(g.out, "MISSING  CRC32-2 "));
    ck_assert(has_line(g.out, "added    CRC32-2 "));
    ck_assert_ptr_nonnull(strstr(g.out, "configuration lines differ"));
    free(g.out);

    g = gate(base, base, "B/op");
    ck_assert_int_eq(g.rc, 2);
    ck_assert(has_line(g.out, "gate: FAIL: base has no B/op results (its units: sec/op, "
                              "cpu-sec/op); choose one with -gate-unit\n"));
    free(g.out);

    g = gate("PASS\n", base, "sec/op");
    ck_assert_int_eq(g.rc, 2);
    ck_assert(has_line(g.out, "gate: FAIL: base has no benchmark results\n"));
    free(g.out);
    free(base);
    free(fewer);
    free(other);
}
END_TEST

START_TEST(report_too_few) {
    const char *b = "BenchmarkA 1 100 ns/op\nBenchmarkA 1 101 ns/op\nBenchmarkA 1 102 ns/op\n";
    const char *c = "BenchmarkA 1 200 ns/op\nBenchmarkA 1 201 ns/op\nBenchmarkA 1 202 ns/op\n";
    gate_run g = gate(b, c, "sec/op");
    ck_assert_int_eq(g.rc, 2);
    ck_assert(has_line(g.out, "TOO-FEW  A  sec/op  +99.01%  p=0.100  n=3+3"));
    ck_assert(has_line(g.out, "gate: FAIL: too few runs to detect a difference at p < 0.05 (A)"));
    free(g.out);
}
END_TEST

int main(void) {
    Suite *s = suite_create("benchstat_gate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, threshold_parsing);
    tcase_add_test(tc, smallest_p);
    tcase_add_test(tc, rate_units);
    tcase_add_test(tc, clear_regression);
    tcase_add_test(tc, significant_but_small);
    tcase_add_test(tc, large_but_noisy);
    tcase_add_test(tc, rate_regression);
    tcase_add_test(tc, ties);
    tcase_add_test(tc, too_few_runs);
    tcase_add_test(tc, empty_sides_and_exact_units);
    tcase_add_test(tc, report_pass_and_regression);
    tcase_add_test(tc, report_missing_added_config_unit);
    tcase_add_test(tc, report_too_few);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
