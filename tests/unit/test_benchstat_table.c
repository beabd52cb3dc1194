/* test_benchstat_table.c: whole benchstat tables, byte for byte.
 *
 * The expected texts were printed by golang.org/x/perf's benchstat (v2)
 * for the same inputs: significant and non-significant changes, unequal
 * sample counts, "all samples are equal", footnotes for too few samples,
 * binary (Ki) scaling, a row missing from the baseline, and the -alpha
 * and -confidence options. The benchstat sources are compiled in.
 */
#include "../../profiler/tools/benchstat/benchfmt.c"
#include "../../profiler/tools/benchstat/collect.c"
#include "../../profiler/tools/benchstat/stats.c"
#include "../../profiler/tools/benchstat/table.c"
#include "../../profiler/tools/benchstat/texttab.c"
#include "../../profiler/tools/benchstat/units.c"

#include <check.h>

static const char in_t0[] =
    "goos: linux\n"
    "pkg: demo\n"
    "BenchmarkFast-2 100 1200 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1210 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1190 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1205 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1195 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1202 ns/op 64 B/op\n"
    "BenchmarkSlow-2 10 912300 ns/op 2048 B/op\n"
    "BenchmarkSlow-2 10 912400 ns/op 2048 B/op\n"
    "BenchmarkSlow-2 10 912200 ns/op 2048 B/op\n";

static const char in_t1[] =
    "goos: linux\n"
    "pkg: demo\n"
    "BenchmarkFast-2 100 1000 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1010 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 990 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1005 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 995 ns/op 64 B/op\n"
    "BenchmarkFast-2 100 1002 ns/op 64 B/op\n"
    "BenchmarkSlow-2 10 912300 ns/op 2048 B/op\n"
    "BenchmarkSlow-2 10 912500 ns/op 4096 B/op\n";

static const char in_u0[] =
    "BenchmarkA 1 100 ns/op\n"
    "BenchmarkA 1 101 ns/op\n"
    "BenchmarkA 1 102 ns/op\n"
    "BenchmarkA 1 103 ns/op\n"
    "BenchmarkA 1 104 ns/op\n"
    "BenchmarkA 1 105 ns/op\n"
    "BenchmarkA 1 106 ns/op\n"
    "BenchmarkA 1 107 ns/op\n";

static const char in_u1[] =
    "BenchmarkA 1 100 ns/op\n"
    "BenchmarkA 1 101 ns/op\n"
    "BenchmarkA 1 102 ns/op\n"
    "BenchmarkA 1 103 ns/op\n"
    "BenchmarkA 1 104 ns/op\n"
    "BenchmarkA 1 105 ns/op\n"
    "BenchmarkA 1 106 ns/op\n"
    "BenchmarkA 1 108 ns/op\n"
    "BenchmarkB 1 5 ns/op\n";

/* benchstat t0.txt t1.txt */
static const char want_t[] =
    "goos: linux\n"
    "pkg: demo\n"
    "        \xe2\x94\x82    t0.txt     \xe2\x94\x82                  t1.txt                  \xe2\x94\x82\n"
    "        \xe2\x94\x82    sec/op     \xe2\x94\x82    sec/op      vs base                   \xe2\x94\x82\n"
    "Fast-2    1.201\xc2\xb5 \xc2\xb1 1%     1.001\xc2\xb5 \xc2\xb1 1%    -16.65% (p=0.002 n=6)\n"
    "Slow-2    912.3\xc2\xb5 \xc2\xb1  \xe2\x88\x9e \xc2\xb9   912.4\xc2\xb5 \xc2\xb1  \xe2\x88\x9e \xc2\xb9        ~ (p=0.600 n=3+2) \xc2\xb2\n"
    "geomean   33.10\xc2\xb5          30.22\xc2\xb5          -8.70%\n"
    "\xc2\xb9 need >= 6 samples for confidence interval at level 0.95\n"
    "\xc2\xb2 need >= 4 samples to detect a difference at alpha level 0.05\n"
    "\n"
    "        \xe2\x94\x82     t0.txt     \xe2\x94\x82                  t1.txt                   \xe2\x94\x82\n"
    "        \xe2\x94\x82      B/op      \xe2\x94\x82      B/op       vs base                   \xe2\x94\x82\n"
    "Fast-2      64.00 \xc2\xb1 0%       64.00 \xc2\xb1 0%          ~ (p=1.000 n=6)   \xc2\xb9\n"
    "Slow-2    2.000Ki \xc2\xb1  \xe2\x88\x9e \xc2\xb2   3.000Ki \xc2\xb1  \xe2\x88\x9e \xc2\xb2        ~ (p=0.800 n=3+2) \xc2\xb3\n"
    "geomean     362.0            443.4         +22.47%\n"
    "\xc2\xb9 all samples are equal\n"
    "\xc2\xb2 need >= 6 samples for confidence interval at level 0.95\n"
    "\xc2\xb3 need >= 4 samples to detect a difference at alpha level 0.05\n";

/* benchstat u0.txt u1.txt */
static const char want_u[] =
    "        \xe2\x94\x82   u0.txt    \xe2\x94\x82               u1.txt                \xe2\x94\x82\n"
    "        \xe2\x94\x82   sec/op    \xe2\x94\x82    sec/op      vs base              \xe2\x94\x82\n"
    "A         103.5n \xc2\xb1 3%   103.5n \xc2\xb1 3%         ~ (p=0.971 n=8)\n"
    "B                       5.000n \xc2\xb1  \xe2\x88\x9e \xc2\xb9\n"
    "geomean   103.5n        22.75n         +0.00%\n"
    "\xc2\xb9 need >= 6 samples for confidence interval at level 0.95\n";

/* benchstat -alpha 0.5 -confidence 0.5 t0.txt t1.txt */
static const char want_t_flags[] =
    "goos: linux\n"
    "pkg: demo\n"
    "        \xe2\x94\x82   t0.txt    \xe2\x94\x82                t1.txt                \xe2\x94\x82\n"
    "        \xe2\x94\x82   sec/op    \xe2\x94\x82   sec/op     vs base                 \xe2\x94\x82\n"
    "Fast-2    1.201\xc2\xb5 \xc2\xb1 0%   1.001\xc2\xb5 \xc2\xb1 1%  -16.65% (p=0.002 n=6)\n"
    "Slow-2    912.3\xc2\xb5 \xc2\xb1 0%   912.4\xc2\xb5 \xc2\xb1 0%        ~ (p=0.600 n=3+2)\n"
    "geomean   33.10\xc2\xb5        30.22\xc2\xb5        -8.70%\n"
    "\n"
    "        \xe2\x94\x82    t0.txt    \xe2\x94\x82                  t1.txt                  \xe2\x94\x82\n"
    "        \xe2\x94\x82     B/op     \xe2\x94\x82     B/op       vs base                   \xe2\x94\x82\n"
    "Fast-2      64.00 \xc2\xb1 0%     64.00 \xc2\xb1  0%        ~ (p=1.000 n=6)   \xc2\xb9\n"
    "Slow-2    2.000Ki \xc2\xb1 0%   3.000Ki \xc2\xb1 33%        ~ (p=0.800 n=3+2)\n"
    "geomean     362.0          443.4        +22.47%\n"
    "\xc2\xb9 all samples are equal\n";

/* Runs the tables for two inputs and returns the text (malloc'ed). */
static char *render(const char *a, const char *la, const char *b,
                    const char *lb, double alpha, double confidence) {
    bs_collect c;
    bs_opts o = {alpha, confidence};
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    bs_collect_init(&c);
    FILE *in = fmemopen((void *)a, strlen(a), "r");
    ck_assert_int_eq(bs_read(in, la, la, &c, stderr), 0);
    fclose(in);
    in = fmemopen((void *)b, strlen(b), "r");
    ck_assert_int_eq(bs_read(in, lb, lb, &c, stderr), 0);
    fclose(in);
    bs_collect_finish(&c);
    bs_print_tables(&c, &o, f);
    fclose(f);
    bs_collect_free(&c);
    return out;
}

START_TEST(two_units_with_notes) {
    char *got = render(in_t0, "t0.txt", in_t1, "t1.txt", 0.05, 0.95);
    ck_assert_str_eq(got, want_t);
    free(got);
}
END_TEST

START_TEST(row_missing_from_baseline) {
    char *got = render(in_u0, "u0.txt", in_u1, "u1.txt", 0.05, 0.95);
    ck_assert_str_eq(got, want_u);
    free(got);
}
END_TEST

START_TEST(alpha_and_confidence) {
    char *got = render(in_t0, "t0.txt", in_t1, "t1.txt", 0.5, 0.5);
    ck_assert_str_eq(got, want_t_flags);
    free(got);
}
END_TEST

/* Same data on both sides: never significant. */
START_TEST(same_data_is_not_significant) {
    char *got = render(in_t0, "a", in_t0, "b", 0.05, 0.95);
    ck_assert_ptr_nonnull(strstr(got, "~ (p=1.000 n=6)"));
    ck_assert_ptr_null(strstr(got, "%  (p="));
    free(got);
}
END_TEST

START_TEST(float_text) {
    char buf[64];
    bs_fmt_float(buf, sizeof buf, 0.95);
    ck_assert_str_eq(buf, "0.95");
    bs_fmt_float(buf, sizeof buf, 0.05);
    ck_assert_str_eq(buf, "0.05");
    bs_fmt_float(buf, sizeof buf, 100);
    ck_assert_str_eq(buf, "100");
    bs_fmt_float(buf, sizeof buf, 1e-5);
    ck_assert_str_eq(buf, "1e-05");
    bs_fmt_float(buf, sizeof buf, 1.5e21);
    ck_assert_str_eq(buf, "1.5e+21");
}
END_TEST

START_TEST(texttab_layout) {
    bs_texttab *t = bs_tt_new();
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    bs_tt_row(t);
    bs_tt_cell(t, "name", BS_LEFT, NULL);
    bs_tt_span(t, 2, "wide header", BS_CENTER, NULL);
    bs_tt_row(t);
    bs_tt_cell(t, "x", BS_LEFT, NULL);
    bs_tt_cell(t, "1", BS_RIGHT, NULL);
    bs_tt_cell(t, "22", BS_RIGHT, NULL);
    bs_tt_print(t, f);
    fclose(f);
    bs_tt_free(t);
    /* Columns: "name" (4), then " 1" and " 22" widened to fit the
     * 12-character span: the extra goes to the wider column first. */
    ck_assert_str_eq(out, "name wide header\n"
                          "x        1    22\n");
    free(out);
}
END_TEST

int main(void) {
    Suite *s = suite_create("benchstat_table");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, two_units_with_notes);
    tcase_add_test(tc, row_missing_from_baseline);
    tcase_add_test(tc, alpha_and_confidence);
    tcase_add_test(tc, same_data_is_not_significant);
    tcase_add_test(tc, float_text);
    tcase_add_test(tc, texttab_layout);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
