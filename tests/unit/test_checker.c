/* test_checker.c: unit tests of the checker's machinery that needs no
 * exercise run: counting a writeup's answer lines, judging and printing
 * bounds, reading benchmark output as the checker does (with libbenchstat's
 * reader and median), and running child processes. The checker's files and
 * the benchstat sources it links are compiled into this test directly. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../checker/notes.c"
#include "../../checker/report.c"
#include "../../checker/run.c"
#include "../../profiler/tools/benchstat/benchfmt.c"
#include "../../profiler/tools/benchstat/collect.c"
#include "../../profiler/tools/benchstat/stats.c"
#include "../../profiler/tools/benchstat/units.c"

static char tmpl[] = "/tmp/test_checker_XXXXXX";

static const char *write_notes(const char *text) {
    static char path[64];
    snprintf(path, sizeof path, "%s", tmpl);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int answer_lines(const char *text) {
    const char *p = write_notes(text);
    int n = -1;
    char err[ERRLEN];
    int rc = notes_answer_lines(p, &n, err, sizeof err);
    unlink(p);
    return rc < 0 ? -1 : n;
}

START_TEST(untouched_template_has_no_lines) {
    ck_assert_int_eq(answer_lines("# T\n\nQuestion?\n\n## Answer\n\n"
                                  "<!-- Write 5 to 15 lines here. -->\n"),
                     0);
}
END_TEST

START_TEST(counts_non_blank_lines_until_next_heading) {
    ck_assert_int_eq(answer_lines("# T\n## Answer\none\n\ntwo\n  \nthree\n## Other\nfour\n"), 3);
    ck_assert_int_eq(answer_lines("## Answer\na\n### sub heading counts\nb\n# End\nc\n"), 3);
}
END_TEST

START_TEST(comments_do_not_count_even_across_lines) {
    ck_assert_int_eq(answer_lines("## Answer\n<!-- a\nb\nc -->\nreal <!-- x --> text\n"), 1);
}
END_TEST

START_TEST(missing_heading_is_an_error) {
    const char *p = write_notes("# Notes\nno answer heading here\n");
    int n;
    char err[ERRLEN] = "";
    ck_assert_int_eq(notes_answer_lines(p, &n, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "## Answer"));
    unlink(p);
    ck_assert_int_eq(notes_answer_lines("/nonexistent/NOTES.md", &n, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot read"));
}
END_TEST

START_TEST(bounds_compare_the_printed_value) {
    criterion k = {.op = BOUND_AT_LEAST, .lo = 90, .unit = "%"};
    ck_assert(criterion_passes(&k, 90.0));
    ck_assert(criterion_passes(&k, 89.96)); /* prints as 90.0% */
    ck_assert(!criterion_passes(&k, 89.94));
    criterion most = {.op = BOUND_AT_MOST, .hi = 5, .unit = " points"};
    ck_assert(criterion_passes(&most, 5.0));
    ck_assert(!criterion_passes(&most, 5.2));
    criterion between = {.op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines"};
    ck_assert(!criterion_passes(&between, 4));
    ck_assert(criterion_passes(&between, 5));
    ck_assert(criterion_passes(&between, 15));
    ck_assert(!criterion_passes(&between, 16));
    criterion holds = {.op = BOUND_HOLDS, .bound_text = "in order"};
    ck_assert(criterion_passes(&holds, 1));
    ck_assert(!criterion_passes(&holds, 0));
}
END_TEST

START_TEST(bound_text_reads_like_the_table) {
    char buf[128];
    criterion k = {.op = BOUND_AT_LEAST, .lo = 90, .unit = "%"};
    criterion_bound_text(&k, buf, sizeof buf);
    ck_assert_str_eq(buf, ">= 90%");
    criterion b = {.op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines"};
    criterion_bound_text(&b, buf, sizeof buf);
    ck_assert_str_eq(buf, "5 to 15 lines");
}
END_TEST

/* The lines of a bench.txt the checker reads: result lines of the named
 * benchmark with and without "-P", another benchmark, a malformed line. */
static const char *const bench_txt[] = {
    "goos: linux",
    "pkg: task07",
    "BenchmarkValidate-2   \t  1000\t  3000 ns/op\t  12 B/op",
    "BenchmarkValidateAll-2\t  10\t  99999 ns/op",
    "BenchmarkValidate-2   \t  1000\t  1000.5 ns/op",
    "BenchmarkValidate\t  1000\t  2000 ns/op",
    "BenchmarkValidate-2 garbage",
    "cpuprof: wrote x",
    "PASS",
};

START_TEST(benchstat_reader_gives_the_checker_its_values) {
    double secs[8], bytes[8];
    int ns = 0, nb = 0, errors = 0;
    for (size_t i = 0; i < sizeof bench_txt / sizeof bench_txt[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s", bench_txt[i]);
        bs_line l;
        bs_line_kind kind = bs_parse_line(line, &l);
        if (kind == BS_LINE_ERROR) errors++;
        if (kind != BS_LINE_RESULT || strncmp(l.name, "Validate", 8) != 0 ||
            (l.name[8] != '\0' && l.name[8] != '-'))
            continue;
        for (int j = 0; j < l.nvalues; j++) {
            if (strcmp(l.values[j].unit, "sec/op") == 0) secs[ns++] = l.values[j].value;
            if (strcmp(l.values[j].unit, "B/op") == 0) bytes[nb++] = l.values[j].value;
        }
    }
    ck_assert_int_eq(errors, 1);
    ck_assert_int_eq(ns, 3);
    ck_assert_double_eq_tol(secs[0], 3000e-9, 1e-15);
    ck_assert_double_eq_tol(secs[1], 1000.5e-9, 1e-15);
    ck_assert_double_eq_tol(secs[2], 2000e-9, 1e-15);
    ck_assert_int_eq(nb, 1);
    ck_assert(bytes[0] == 12);
    double sorted[] = {1000.5e-9, 2000e-9, 3000e-9};
    ck_assert_double_eq_tol(bs_quantile(sorted, 3, 0.5), 2000e-9, 1e-15);
}
END_TEST

START_TEST(median_of_even_count_is_the_mean_of_the_middle_two) {
    double v[] = {1, 2, 3, 4};
    ck_assert(bs_quantile(v, 4, 0.5) == 2.5);
}
END_TEST

START_TEST(run_reports_exit_status_and_exec_failure) {
    char err[ERRLEN] = "";
    const char *ok[] = {"true", NULL};
    const char *bad[] = {"false", NULL};
    const char *none[] = {"/nonexistent/program", NULL};
    run_opts q = {.quiet = true, .timeout_sec = 30};
    ck_assert_int_eq(run_cmd(ok, &q, err, sizeof err), 0);
    ck_assert_int_eq(run_cmd(bad, &q, err, sizeof err), -1);
    ck_assert_str_eq(err, "false exited with status 1");
    ck_assert_int_eq(run_cmd(none, &q, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot run /nonexistent/program"));
}
END_TEST

START_TEST(run_kills_a_child_past_its_limit) {
    char err[ERRLEN] = "";
    const char *slow[] = {"sleep", "30", NULL};
    run_opts o = {.quiet = true, .timeout_sec = 1};
    ck_assert_int_eq(run_cmd(slow, &o, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "timed out"));
}
END_TEST

START_TEST(run_capture_reads_stdout) {
    char buf[64], err[ERRLEN];
    const char *echo[] = {"echo", "hello", NULL};
    ck_assert_int_eq(run_capture(echo, buf, sizeof buf, err, sizeof err), 0);
    ck_assert_str_eq(buf, "hello\n");
    char tiny[4];
    ck_assert_int_eq(run_capture(echo, tiny, sizeof tiny, err, sizeof err), 0);
    ck_assert_str_eq(tiny, "hel");
}
END_TEST

START_TEST(run_writes_output_file) {
    char path[64] = "/tmp/test_checker_out_XXXXXX", err[ERRLEN];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    const char *argv[] = {"sh", "-c", "echo out; echo err >&2", NULL};
    run_opts o = {.out_path = path, .timeout_sec = 30};
    ck_assert_int_eq(run_cmd(argv, &o, err, sizeof err), 0);
    char buf[64] = "";
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "out\nerr\n");
    unlink(path);
}
END_TEST

int main(void) {
    Suite *s = suite_create("checker");
    TCase *notes = tcase_create("notes");
    tcase_add_test(notes, untouched_template_has_no_lines);
    tcase_add_test(notes, counts_non_blank_lines_until_next_heading);
    tcase_add_test(notes, comments_do_not_count_even_across_lines);
    tcase_add_test(notes, missing_heading_is_an_error);
    suite_add_tcase(s, notes);
    TCase *bounds = tcase_create("bounds");
    tcase_add_test(bounds, bounds_compare_the_printed_value);
    tcase_add_test(bounds, bound_text_reads_like_the_table);
    suite_add_tcase(s, bounds);
    TCase *bf = tcase_create("benchfmt");
    tcase_add_test(bf, benchstat_reader_gives_the_checker_its_values);
    tcase_add_test(bf, median_of_even_count_is_the_mean_of_the_middle_two);
    suite_add_tcase(s, bf);
    TCase *run = tcase_create("run");
    tcase_set_timeout(run, 20);
    tcase_add_test(run, run_reports_exit_status_and_exec_failure);
    tcase_add_test(run, run_kills_a_child_past_its_limit);
    tcase_add_test(run, run_capture_reads_stdout);
    tcase_add_test(run, run_writes_output_file);
    suite_add_tcase(s, run);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
