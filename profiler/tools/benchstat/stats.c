/* stats.c: the statistics behind benchstat's table.
 *
 * - The center of a sample is its median.
 * - Its interval comes from order statistics: the number of values below
 *   the true median is Binomial(n, 1/2), so [x(lo), x(hi)] holds it with a
 *   known probability. For n <= 30 that binomial is summed exactly, growing
 *   the interval from the middle (ties go left) until it reaches the level;
 *   above 30 a normal approximation is used. No assumption is made about
 *   the shape of the data.
 * - Two samples are compared with the two-sided Mann-Whitney U test: how
 *   likely a rank split at least this lopsided is if both samples came from
 *   one distribution. The exact null distribution of U is counted over all
 *   ways to split the pooled ranks (tied values share their mean rank);
 *   large samples use the normal approximation with tie and continuity
 *   correction.
 * These follow golang.org/x/perf/benchmath and go-moremath's stats, so the
 * numbers match benchstat's.
 */
#include "benchstat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double bs_quantile(const double *xs, int n, double q) {
    if (n == 0)
        return NAN;
    if (q <= 0)
        return xs[0];
    if (q >= 1)
        return xs[n - 1];
    double N = (double)n;
    double pos = 1 / 3.0 + q * (N + 1 / 3.0);
    double kf;
    double frac = modf(pos, &kf);
    int k = (int)kf;
    if (k <= 0)
        return xs[0];
    if (k >= n)
        return xs[n - 1];
    return xs[k - 1] + frac * (xs[k] - xs[k - 1]);
}

/* Binomial coefficient as go-moremath computes it: exact integers up to
 * n = 20, exp(log-gamma) above. */
static double choose(int n, int k) {
    if (k == 0 || k == n)
        return 1;
    if (k < 0 || n < k)
        return 0;
    if (n <= 20) {
        int64_t num = 1, den = 1;
        for (int64_t m = n - (k - 1); m <= n; m++)
            num *= m;
        for (int64_t m = 2; m <= k; m++)
            den *= m;
        return (double)(num / den);
    }
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0));
}

static double binom_pmf(int n, double p, int k) {
    if (k < 0 || k > n)
        return 0;
    return choose(n, k) * pow(p, k) * pow(1 - p, n - k);
}

double bs_norm_cdf(double z) { return erfc(-z / sqrt(2)) / 2; }

/* Acklam's rational approximation of the inverse normal CDF, refined by
 * one Halley step against erfc, which brings it to full precision. */
double bs_norm_inv_cdf(double p) {
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    const double plow = 0.02425, phigh = 1 - plow;
    double x;
    if (p < 0 || p > 1 || isnan(p))
        return NAN;
    if (p == 0)
        return -INFINITY;
    if (p == 1)
        return INFINITY;
    if (p < plow) {
        double q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
             c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (phigh < p) {
        double q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
              c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r +
             a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double e = 0.5 * erfc(-x / sqrt(2)) - p;
    double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

void bs_quantile_ci(int n, double q, double confidence, int *lo, int *hi) {
    int l, r;
    if (confidence >= 1) {
        *lo = 0;
        *hi = n + 1;
        return;
    }
    if (n <= 30) {
        int x = (int)(ceil((double)(n + 1) * q) - 1);
        if (q == 0)
            x = 0;
        double accum = binom_pmf(n, q, x);
        l = x;
        r = x + 1;
        double lp = binom_pmf(n, q, l - 1), rp = binom_pmf(n, q, r);
        while (accum < confidence && (lp > 0 || rp > 0)) {
            if (lp >= rp) {
                accum += lp;
                l--;
                lp = binom_pmf(n, q, l - 1);
            } else {
                accum += rp;
                r++;
                rp = binom_pmf(n, q, r);
            }
        }
    } else {
        double mu = n * q, sigma = sqrt(n * q * (1 - q));
        double alpha = (1 - confidence) / 2;
        double l1 = bs_norm_inv_cdf(alpha) * sigma + mu;
        double r1 = 2 * mu - l1;
        l = (int)floor(floor(l1 - 0.5) + 0.5) + 1;
        r = (int)floor(ceil(r1 - 0.5) + 0.5) + 1;
#define NCDF(v) (erfc(-((v) - mu) / (sigma * sqrt(2))) / 2)
        double conf = NCDF(r - 0.5) - NCDF(l - 0.5);
        double biased = NCDF(r - 1 - 0.5) - NCDF(l - 0.5);
#undef NCDF
        if (biased >= confidence && biased < conf)
            r = r - 1;
    }
    if (l < 0)
        l = 0;
    if (r > n + 1)
        r = n + 1;
    *lo = l;
    *hi = r;
}

/* Ascending, NaNs first (Go's sort.Float64s order). */
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return !isnan(y) ? -1 : !isnan(x) ? 1 : 0;
    return (x > y) - (x < y);
}

/* C(n, k) by the multiplicative formula; exact while it fits a double's
 * 53 bits, which covers the tie-group sizes used here. */
static double binom(int n, int k) {
    double c = 1;
    if (k < 0 || k > n)
        return 0;
    if (k > n - k)
        k = n - k;
    for (int i = 1; i <= k; i++)
        c = c * (n - k + i) / i;
    return c;
}

/* P(U <= u) under the null, for a first sample of n1 out of the pooled
 * sorted ranks whose tie groups have the given sizes: counts the splits
 * of each tie group between the samples (a knapsack over doubled rank
 * sums), divided by C(n1 + n2, n1). */
static double u_cdf(int n1, int n2, const int *ties, int ngroups, double u) {
    if (u < 0)
        return 0;
    if (u >= (double)n1 * n2)
        return 1;
    int N = n1 + n2;
    if (ngroups == 2) {
        /* Two distinct values: with r of the first sample in the upper
         * group, 2U = n1(t0 - n1) + r N, so U <= u counts r up to
         * (2u - n1(t0 - n1)) / N. benchstat rounds that bound toward zero
         * (not down), so a u below the smallest attainable U still counts
         * r = 0; we do the same to print the same p-values. */
        int t0 = ties[0], t1 = ties[1];
        long num = (long)(2 * u) - (long)n1 * (t0 - n1);
        long rmax = num / N;
        int rmin = n1 - t0 > 0 ? n1 - t0 : 0;
        double count = 0;
        for (long r = rmin; r <= rmax && r <= n1 && r <= t1; r++)
            count += binom(t0, n1 - (int)r) * binom(t1, (int)r);
        return count / binom(N, n1);
    }
    /* 2U = 2R - n1(n1+1); keep doubled rank sums up to the limit. */
    long limit = (long)floor(2 * u) + (long)n1 * (n1 + 1);
    size_t width = (size_t)limit + 1;
    double *ways = calloc((size_t)(n1 + 1) * width, sizeof *ways);
    if (ways == NULL)
        return NAN;
    ways[0] = 1;
    int start = 0;
    for (int g = 0; g < ngroups; g++) {
        int t = ties[g];
        long rank2 = 2L * start + t + 1;  /* doubled mean rank of the group */
        for (int j = n1 - 1; j >= 0; j--) {
            double *row = ways + (size_t)j * width;
            for (long s = limit; s >= 0; s--) {
                double w = row[s];
                if (w == 0)
                    continue;
                for (int k = 1; k <= t && j + k <= n1; k++) {
                    long ns = s + k * rank2;
                    if (ns > limit)
                        break;
                    ways[(size_t)(j + k) * width + (size_t)ns] +=
                        w * binom(t, k);
                }
            }
        }
        start += t;
    }
    double count = 0;
    for (long s = 0; s <= limit; s++)
        count += ways[(size_t)n1 * width + (size_t)s];
    free(ways);
    double total = 1;
    for (int i = 1; i <= n1; i++)
        total = total * (N - n1 + i) / i;
    return count / total;
}

/* Equal, counting NaNs as one value so every group makes progress. */
static int same(double a, double b) {
    return a == b || (isnan(a) && isnan(b));
}

bs_test_err bs_mann_whitney(const double *x, int nx, const double *y,
                            int ny, double *p) {
    if (nx == 0 || ny == 0)
        return BS_TEST_SIZE;
    int N = nx + ny;
    double *xs = malloc((size_t)nx * sizeof *xs);
    double *ys = malloc((size_t)ny * sizeof *ys);
    int *ties = malloc((size_t)N * sizeof *ties);
    if (xs == NULL || ys == NULL || ties == NULL) {
        free(xs);
        free(ys);
        free(ties);
        return BS_TEST_SIZE;
    }
    memcpy(xs, x, (size_t)nx * sizeof *xs);
    memcpy(ys, y, (size_t)ny * sizeof *ys);
    qsort(xs, (size_t)nx, sizeof *xs, cmp_double);
    qsort(ys, (size_t)ny, sizeof *ys, cmp_double);

    /* Walk the merged order group by group of equal values; the first
     * sample's rank sum gets the group's mean rank per member. */
    double r1 = 0;
    int ngroups = 0, has_ties = 0;
    int i = 0, j = 0, pos = 0;
    while (i < nx || j < ny) {
        double v = (j >= ny || (i < nx && cmp_double(&xs[i], &ys[j]) <= 0))
                       ? xs[i] : ys[j];
        int in1 = 0, start = pos;
        while (i < nx && same(xs[i], v)) {
            i++;
            in1++;
            pos++;
        }
        while (j < ny && same(ys[j], v)) {
            j++;
            pos++;
        }
        int t = pos - start;
        r1 += (double)(pos + start + 1) / 2 * in1;
        ties[ngroups++] = t;
        if (t > 1)
            has_ties = 1;
    }
    free(xs);
    free(ys);

    double u1 = r1 - (double)(nx * (nx + 1)) / 2;
    double u2 = (double)(nx * ny) - u1;
    double usmall = u1 < u2 ? u1 : u2;
    bs_test_err rc = BS_TEST_OK;

    if ((!has_ties && nx <= 50 && ny <= 50) ||
        (has_ties && nx <= 25 && ny <= 25)) {
        if (ngroups == 1)
            rc = BS_TEST_EQUAL;
        else if (u1 == u2)
            *p = 1;
        else
            *p = u_cdf(nx, ny, ties, ngroups, usmall) * 2;
    } else {
        double tc = 0;
        for (int g = 0; g < ngroups; g++)
            tc += (double)ties[g] * ties[g] * ties[g] - ties[g];
        double n = (double)N;
        double mu = (double)(nx * ny) / 2;
        double sigma = sqrt((double)(nx * ny) * ((n + 1) - tc / (n * (n - 1))) / 12);
        if (sigma == 0) {
            rc = BS_TEST_EQUAL;
        } else {
            double numer = u1 - mu;
            numer -= (numer > 0 ? 1 : numer < 0 ? -1 : 0) * 0.5;
            double z = numer / sigma;
            double c = bs_norm_cdf(z);
            *p = 2 * (c < 1 - c ? c : 1 - c);
        }
    }
    free(ties);
    return rc;
}

double bs_geomean(const double *x, int n) {
    if (n == 0)
        return NAN;
    double m = 0;
    for (int i = 0; i < n; i++) {
        if (!(x[i] > 0))
            return NAN;
        m += (log(x[i]) - m) / (i + 1);
    }
    return exp(m);
}
