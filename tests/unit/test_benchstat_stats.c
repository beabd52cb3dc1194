/* test_benchstat_stats.c: benchstat's statistics on small cases.
 *
 * Expected values are worked out by hand in the comments, or (marked
 * "benchstat") printed by golang.org/x/perf's benchstat / go-moremath for
 * the same input. The benchstat sources are compiled into this test.
 */
#include "../../profiler/tools/benchstat/stats.c"

#include <check.h>

#define EPS 1e-12

START_TEST(median_even_odd) {
    double a[] = {1, 2, 3, 4}, b[] = {1, 3, 5}, c[] = {7};
    ck_assert_double_eq_tol(bs_quantile(a, 4, 0.5), 2.5, EPS);
    ck_assert_double_eq_tol(bs_quantile(b, 3, 0.5), 3, EPS);
    ck_assert_double_eq_tol(bs_quantile(c, 1, 0.5), 7, EPS);
    ck_assert(isnan(bs_quantile(c, 0, 0.5)));
}
END_TEST

/* n = 10, 95%: grow [5,6) from the middle over Binomial(10, 1/2) weights
 * 252, then 210|210 (left first), 120|120, 45|45: 957/1024 < 0.95, so one
 * more step (right, 45 > 10) gives 1002/1024: orders 2..9 (lo=2, hi=9). */
START_TEST(median_ci_by_hand) {
    int lo, hi;
    bs_quantile_ci(10, 0.5, 0.95, &lo, &hi);
    ck_assert_int_eq(lo, 2);
    ck_assert_int_eq(hi, 9);
    /* n = 5 cannot reach 95% without the whole range: lo = 0 (unbounded). */
    bs_quantile_ci(5, 0.5, 0.95, &lo, &hi);
    ck_assert_int_eq(lo, 0);
    bs_quantile_ci(6, 0.5, 0.95, &lo, &hi);
    ck_assert_int_eq(lo, 1);
    ck_assert_int_eq(hi, 6);
    bs_quantile_ci(10, 0.5, 1.0, &lo, &hi);
    ck_assert_int_eq(lo, 0);
    ck_assert_int_eq(hi, 11);
}
END_TEST

/* benchstat (go-moremath QuantileCI), exact and normal-approximation. */
START_TEST(median_ci_matches_benchstat) {
    static const int want[][3] = {{30, 10, 21}, {31, 10, 22}, {50, 18, 32},
                                  {100, 40, 60}};
    int lo, hi;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        bs_quantile_ci(want[i][0], 0.5, 0.95, &lo, &hi);
        ck_assert_int_eq(lo, want[i][1]);
        ck_assert_int_eq(hi, want[i][2]);
    }
    bs_quantile_ci(10, 0.5, 0.9, &lo, &hi);
    ck_assert_int_eq(lo, 2);
    ck_assert_int_eq(hi, 8);
}
END_TEST

/* No ties, n = 3 + 3: U1 = 0, the most extreme of C(6,3) = 20 splits on
 * each side: p = 2/20. */
START_TEST(utest_exact_extreme) {
    double x[] = {1, 2, 3}, y[] = {6, 5, 4}, p = -1;
    ck_assert_int_eq(bs_mann_whitney(x, 3, y, 3, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 0.1, EPS);
    ck_assert_int_eq(bs_mann_whitney(y, 3, x, 3, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 0.1, EPS);
}
END_TEST

/* x = {1,3,5}: rank sum 9, U1 = 3. Subsets of {1..6} of size 3 with rank
 * sum <= 9: 123, 124, 125, 134, 126, 135, 234 = 7 of 20: p = 14/20. */
START_TEST(utest_exact_interleaved) {
    double x[] = {1, 3, 5}, y[] = {2, 4, 6}, p;
    ck_assert_int_eq(bs_mann_whitney(x, 3, y, 3, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 0.7, EPS);
}
END_TEST

/* 10 vs 10 fully separated: p = 2 / C(20,10) = 2/184756. */
START_TEST(utest_exact_ten) {
    double x[10], y[10], p;
    for (int i = 0; i < 10; i++) {
        x[i] = 100 + i;
        y[i] = 200 + i;
    }
    ck_assert_int_eq(bs_mann_whitney(x, 10, y, 10, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 2.0 / 184756, 1e-15);
}
END_TEST

/* Ties, exact: x = {1,2,2}, y = {2,3,4}. Mean ranks 1 | 3,3,3 | 5 | 6,
 * x's rank sum 7, U1 = 1. Splits with U <= 1: value 1 plus two of the
 * three 2s = 3 of 20: p = 0.3 (benchstat agrees). */
START_TEST(utest_exact_ties) {
    double x[] = {1, 2, 2}, y[] = {2, 3, 4}, p;
    ck_assert_int_eq(bs_mann_whitney(x, 3, y, 3, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 0.3, EPS);
    double a[] = {1, 1, 2, 2, 3}, b[] = {2, 3, 3, 4, 4, 5};
    ck_assert_int_eq(bs_mann_whitney(a, 5, b, 6, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 0.043290043290043288, EPS);  /* benchstat */
}
END_TEST

/* Two distinct values only: benchstat's bound rounding (see u_cdf). */
START_TEST(utest_two_values) {
    double x[] = {1, 3, 3}, y[] = {1, 1, 1, 1, 1}, p;
    ck_assert_int_eq(bs_mann_whitney(x, 3, y, 5, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 40.0 / 56, EPS);  /* benchstat: 0.714 */
}
END_TEST

/* Normal approximation: 60 vs 60 without ties (n > 50), and 30 vs 30 with
 * ties (n > 25). Values from benchstat. */
START_TEST(utest_normal) {
    double x[60], y[60], p;
    for (int i = 0; i < 60; i++) {
        x[i] = i;
        y[i] = 30 + i;
    }
    ck_assert_int_eq(bs_mann_whitney(x, 60, y, 60, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 1.4065275903970681e-12, 1e-20);
    for (int i = 0; i < 30; i++) {
        x[i] = i % 7;
        y[i] = i % 5 + 1;
    }
    ck_assert_int_eq(bs_mann_whitney(x, 30, y, 30, &p), BS_TEST_OK);
    ck_assert_double_eq_tol(p, 0.69148813728512804, 1e-12);
}
END_TEST

START_TEST(utest_degenerate) {
    double x[] = {5, 5, 5}, y[] = {5, 5}, p = 42;
    ck_assert_int_eq(bs_mann_whitney(x, 3, y, 2, &p), BS_TEST_EQUAL);
    ck_assert_int_eq(bs_mann_whitney(x, 0, y, 2, &p), BS_TEST_SIZE);
    double big[60];
    for (int i = 0; i < 60; i++)
        big[i] = 1;
    ck_assert_int_eq(bs_mann_whitney(big, 60, big, 60, &p), BS_TEST_EQUAL);
}
END_TEST

START_TEST(normal_and_geomean) {
    ck_assert_double_eq_tol(bs_norm_cdf(0), 0.5, EPS);
    ck_assert_double_eq_tol(bs_norm_cdf(1.959963984540054), 0.975, 1e-12);
    ck_assert_double_eq_tol(bs_norm_inv_cdf(0.975), 1.959963984540054, 1e-12);
    ck_assert_double_eq_tol(bs_norm_inv_cdf(0.01), -2.3263478740408408, 1e-12);
    double g[] = {1, 4, 16};
    ck_assert_double_eq_tol(bs_geomean(g, 3), 4, 1e-12);
    double z[] = {1, 0};
    ck_assert(isnan(bs_geomean(z, 2)));
    ck_assert(isnan(bs_geomean(z, 0)));
}
END_TEST

int main(void) {
    Suite *s = suite_create("benchstat_stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, median_even_odd);
    tcase_add_test(tc, median_ci_by_hand);
    tcase_add_test(tc, median_ci_matches_benchstat);
    tcase_add_test(tc, utest_exact_extreme);
    tcase_add_test(tc, utest_exact_interleaved);
    tcase_add_test(tc, utest_exact_ten);
    tcase_add_test(tc, utest_exact_ties);
    tcase_add_test(tc, utest_two_values);
    tcase_add_test(tc, utest_normal);
    tcase_add_test(tc, utest_degenerate);
    tcase_add_test(tc, normal_and_geomean);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
