/* stats.c: the little statistics the bench report needs.
 *
 * Medians and ranges of a handful of repetitions, a distribution-free
 * confidence interval for the median (order statistics: the number of
 * values below the true median is Binomial(n, 1/2), whatever the
 * distribution of the values), and the binomial 95% bound used to judge a
 * sampled share.
 *
 * Invariants: inputs are never modified (sorting works on a copy); n is
 * small (repetitions), so O(n^2) work is fine.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

#define MAX_N 256

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int sorted_copy(const double *x, int n, double *out) {
    if (n < 1 || n > MAX_N) return -1;
    memcpy(out, x, (size_t)n * sizeof *x);
    qsort(out, (size_t)n, sizeof *out, cmp_double);
    return 0;
}

double pb_median(const double *x, int n) {
    double s[MAX_N];
    if (sorted_copy(x, n, s) != 0) return NAN;
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void pb_minmax(const double *x, int n, double *min, double *max) {
    *min = *max = n > 0 ? x[0] : NAN;
    for (int i = 1; i < n; i++) {
        if (x[i] < *min) *min = x[i];
        if (x[i] > *max) *max = x[i];
    }
}

/* P(Binomial(n, 1/2) <= k). */
static double binom_half_cdf(int n, int k) {
    double sum = 0, c = 1; /* C(n, 0) */
    for (int i = 0; i <= k; i++) {
        sum += c;
        c = c * (n - i) / (i + 1);
    }
    return sum * pow(0.5, n);
}

int pb_median_ci(const double *x, int n, double *lo, double *hi, double *coverage) {
    double s[MAX_N];
    if (sorted_copy(x, n, s) != 0) return -1;
    /* [x(k), x(n+1-k)] (1-based) misses the median with probability
     * 2 P(B <= k-1). Take the largest k that keeps coverage >= 95%. */
    int best = 0;
    double cov = 0;
    for (int k = 1; 2 * k <= n; k++) {
        double c = 1 - 2 * binom_half_cdf(n, k - 1);
        if (c >= 0.95) {
            best = k;
            cov = c;
        }
    }
    if (best == 0) return -1;
    *lo = s[best - 1];
    *hi = s[n - best];
    *coverage = cov;
    return 0;
}

double pb_binomial_95(double p, double n) {
    if (n <= 0) return NAN;
    return 1.96 * sqrt(p * (1 - p) / n);
}
