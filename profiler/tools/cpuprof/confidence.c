/* confidence.c: the Wilson score interval behind `cpuprof -ci`.
 *
 * A sampling profile's flat% for a function is a proportion: k of the n
 * samples had the function as their leaf. Treating each sample as an
 * independent draw, the Wilson interval at normal quantile z (1.96 for 95%)
 * is
 *
 *     center = (p + z^2/(2n)) / (1 + z^2/n)
 *     half   = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/(4n^2))
 *
 * with p = k/n, and the interval is [center - half, center + half]. Unlike
 * p +- z*sqrt(p(1-p)/n) it stays inside [0, 1] and is not empty when k is
 * 0 or n. Invariant: 0 <= lo <= p <= hi <= 1 for 0 <= k <= n, n > 0.
 */
#include <math.h>

#include "analyzer.h"

void wilson_interval(int64_t k, int64_t n, double z, double *lo, double *hi) {
    if (n <= 0 || k < 0 || k > n) {
        *lo = 0;
        *hi = 0;
        return;
    }
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double denom = 1 + z2 / nn;
    double center = (p + z2 / (2 * nn)) / denom;
    double half = z / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = center - half;
    *hi = center + half;
    if (*lo < 0) *lo = 0;
    if (*hi > 1) *hi = 1;
}
