/* test_benchstat_parse.c: reading Go's benchmark format, odd input
 * included, and benchstat's unit tidying and scaling.
 *
 * The benchstat sources it needs are compiled into this test.
 */
#include "../../profiler/tools/benchstat/benchfmt.c"
#include "../../profiler/tools/benchstat/collect.c"
#include "../../profiler/tools/benchstat/units.c"

#include <check.h>

static bs_line_kind parse(const char *text, bs_line *l) {
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s", text);
    return bs_parse_line(buf, l);
}

START_TEST(result_line) {
    bs_line l;
    ck_assert_int_eq(parse("BenchmarkEncode/json-48  \t 690848\t  1726 ns/op\t"
                           "  64 B/op\t 2 allocs/op", &l), BS_LINE_RESULT);
    ck_assert_str_eq(l.name, "Encode/json-48");
    ck_assert_int_eq(l.iters, 690848);
    ck_assert_int_eq(l.nvalues, 3);
    ck_assert_str_eq(l.values[0].unit, "sec/op");
    ck_assert_double_eq_tol(l.values[0].value, 1726e-9, 1e-20);
    ck_assert_str_eq(l.values[1].unit, "B/op");
    ck_assert_double_eq(l.values[1].value, 64);
    ck_assert_str_eq(l.values[2].unit, "allocs/op");
    ck_assert_int_eq(parse("BenchmarkX 1 2.5e3 MB/s", &l), BS_LINE_RESULT);
    ck_assert_str_eq(l.values[0].unit, "B/s");
    ck_assert_double_eq_tol(l.values[0].value, 2.5e9, 1);
}
END_TEST

START_TEST(result_errors) {
    bs_line l;
    ck_assert_int_eq(parse("BenchmarkX 10", &l), BS_LINE_ERROR);
    ck_assert_str_eq(l.err, "missing measurements");
    ck_assert_int_eq(parse("BenchmarkX ten 5 ns/op", &l), BS_LINE_ERROR);
    ck_assert_str_eq(l.err, "parsing iteration count: invalid syntax");
    ck_assert_int_eq(parse("BenchmarkX 10 5", &l), BS_LINE_ERROR);
    ck_assert_str_eq(l.err, "missing units");
    ck_assert_int_eq(parse("BenchmarkX 10 fast ns/op", &l), BS_LINE_ERROR);
    ck_assert_str_eq(l.err, "parsing measurement: invalid syntax");
    ck_assert_int_eq(parse("BenchmarkX 99999999999999999999 5 ns/op", &l),
                     BS_LINE_ERROR);
    ck_assert_str_eq(l.err, "parsing iteration count: value out of range");
    ck_assert_int_eq(parse("BenchmarkX ", &l), BS_LINE_ERROR);
    ck_assert_str_eq(l.err, "missing iteration count");
}
END_TEST

START_TEST(ignored_lines) {
    bs_line l;
    ck_assert_int_eq(parse("BenchmarkOnlyAName", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("PASS", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("ok  \tpkg\t1.2s", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("--- BENCH: BenchmarkX", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("Key: upper case first", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("my key: has a space", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("key:novalue-space", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("benchmarkX 1 2 ns/op", &l), BS_LINE_OTHER);
    ck_assert_int_eq(parse("\xff\xfe garbage \x01", &l), BS_LINE_OTHER);
}
END_TEST

START_TEST(config_lines) {
    bs_line l;
    ck_assert_int_eq(parse("goos: linux", &l), BS_LINE_CONFIG);
    ck_assert_str_eq(l.key, "goos");
    ck_assert_str_eq(l.value, "linux");
    ck_assert_int_eq(parse("cpu: \tAMD EPYC 7B13 64-Core", &l), BS_LINE_CONFIG);
    ck_assert_str_eq(l.value, "AMD EPYC 7B13 64-Core");
    ck_assert_int_eq(parse("note:", &l), BS_LINE_CONFIG);
    ck_assert_str_eq(l.value, "");
    ck_assert_int_eq(parse("a-b.c: x:y", &l), BS_LINE_CONFIG);
    ck_assert_str_eq(l.key, "a-b.c");
    ck_assert_str_eq(l.value, "x:y");
}
END_TEST

START_TEST(unit_lines) {
    bs_line l;
    ck_assert_int_eq(parse("Unit text-bytes assume=exact", &l), BS_LINE_UNIT);
    ck_assert_str_eq(l.unit, "text-bytes");
    ck_assert_int_eq(l.nmeta, 1);
    ck_assert_str_eq(l.meta_key[0], "assume");
    ck_assert_str_eq(l.meta_val[0], "exact");
    ck_assert_int_eq(parse("Unit ns/op =x", &l), BS_LINE_ERROR);
    ck_assert_int_eq(parse("Unit", &l), BS_LINE_ERROR);
    ck_assert_int_eq(parse("Units are nice", &l), BS_LINE_OTHER);
}
END_TEST

/* A whole input: config applies to what follows, deletions, errors. */
START_TEST(read_file) {
    const char *text =
        "goos: linux\n"
        "pkg: a\n"
        "BenchmarkA-2 10 100 ns/op\n"
        "BenchmarkA-2 bad 100 ns/op\n"
        "pkg:\n"
        "BenchmarkA-2 10 200 ns/op\n"
        "Unit x/op assume=exact\n"
        "BenchmarkB 1 5 x/op\r\n";
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    char *err = NULL;
    size_t errlen = 0;
    FILE *errs = open_memstream(&err, &errlen);
    bs_collect c;
    bs_collect_init(&c);
    ck_assert_int_eq(bs_read(in, "in.txt", "in", &c, errs), 0);
    fclose(in);
    fclose(errs);
    ck_assert_str_eq(err, "in.txt:4: parsing iteration count: invalid syntax\n");
    free(err);
    ck_assert_int_eq(c.nkeys, 2);
    ck_assert_int_eq(c.ntables, 3);  /* (linux,a,sec/op) (linux,,sec/op) x/op */
    ck_assert_int_eq(c.nrows, 2);
    ck_assert_str_eq(c.rows[0], "A-2");
    ck_assert_int_eq(bs_collect_is_exact(&c, "x/op"), 1);
    ck_assert_int_eq(bs_collect_is_exact(&c, "sec/op"), 0);
    bs_collect_finish(&c);
    /* pkg "" sorts before "a". */
    ck_assert_str_eq(c.tables[0].config[1], "");
    ck_assert_str_eq(c.tables[1].config[1], "");
    ck_assert_str_eq(c.tables[2].config[1], "a");
    bs_collect_free(&c);
}
END_TEST

START_TEST(tidy_units) {
    char buf[64];
    ck_assert_double_eq(bs_tidy_unit("ns/op", buf, sizeof buf), 1e-9);
    ck_assert_str_eq(buf, "sec/op");
    ck_assert_double_eq(bs_tidy_unit("MB/s", buf, sizeof buf), 1e6);
    ck_assert_str_eq(buf, "B/s");
    ck_assert_double_eq(bs_tidy_unit("ns/GC", buf, sizeof buf), 1e-9);
    ck_assert_str_eq(buf, "sec/GC");
    ck_assert_double_eq(bs_tidy_unit("op/ns", buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "op/ns");
    ck_assert_double_eq(bs_tidy_unit("allocs/op", buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "allocs/op");
    ck_assert_double_eq(bs_tidy_unit("widgets", buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "widgets");
    ck_assert_int_eq(bs_unit_class("B/op"), BS_BINARY);
    ck_assert_int_eq(bs_unit_class("text-bytes"), BS_BINARY);
    ck_assert_int_eq(bs_unit_class("sec/op"), BS_DECIMAL);
    ck_assert_int_eq(bs_unit_class("op/B"), BS_DECIMAL);
}
END_TEST

static const char *scaled(const double *v, int n, bs_class cls, double x) {
    static char buf[64];
    bs_scale_format(buf, sizeof buf, bs_common_scale(v, n, cls), x);
    return buf;
}

START_TEST(scale_values) {
    double a[] = {912.3e-6, 950e-6};
    ck_assert_str_eq(scaled(a, 2, BS_DECIMAL, a[0]), "912.3\xc2\xb5");
    /* One scale per row, set by its smallest value. */
    double a2[] = {912.3e-6, 1.718e-6};
    ck_assert_str_eq(scaled(a2, 2, BS_DECIMAL, a2[0]), "912.300\xc2\xb5");
    double b[] = {1.718e-6};
    ck_assert_str_eq(scaled(b, 1, BS_DECIMAL, b[0]), "1.718\xc2\xb5");
    double c[] = {10500};
    ck_assert_str_eq(scaled(c, 1, BS_DECIMAL, c[0]), "10.50k");
    double d[] = {999.96};  /* rounds up: moves to k */
    ck_assert_str_eq(scaled(d, 1, BS_DECIMAL, d[0]), "1.000k");
    double e[] = {2048};
    ck_assert_str_eq(scaled(e, 1, BS_BINARY, e[0]), "2.000Ki");
    double f[] = {64};
    ck_assert_str_eq(scaled(f, 1, BS_BINARY, f[0]), "64.00");
    double z[] = {0};
    ck_assert_str_eq(scaled(z, 1, BS_DECIMAL, 0), "0.000");
    double tiny[] = {1.5e-12};
    ck_assert_str_eq(scaled(tiny, 1, BS_DECIMAL, tiny[0]), "0.001500n");
}
END_TEST

int main(void) {
    Suite *s = suite_create("benchstat_parse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, result_line);
    tcase_add_test(tc, result_errors);
    tcase_add_test(tc, ignored_lines);
    tcase_add_test(tc, config_lines);
    tcase_add_test(tc, unit_lines);
    tcase_add_test(tc, read_file);
    tcase_add_test(tc, tidy_units);
    tcase_add_test(tc, scale_values);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
