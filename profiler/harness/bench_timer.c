/* bench_timer.c: the benchmark clock and the per-run metrics.
 *
 * A run's time is the sum of the intervals between start and stop; only
 * CLOCK_MONOTONIC is used, so wall-clock jumps never show. reset zeroes
 * the sum (restarting the interval if the clock runs) and forgets the
 * reported metrics, as testing.B.ResetTimer does.
 */
#include "bench.h"

#include <string.h>
#include <time.h>

int64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void bench_start_timer(bench *b) {
    if (!b->timer_on) {
        b->start_ns = bench_now_ns();
        b->timer_on = 1;
    }
}

void bench_stop_timer(bench *b) {
    if (b->timer_on) {
        b->duration_ns += bench_now_ns() - b->start_ns;
        b->timer_on = 0;
    }
}

void bench_reset_timer(bench *b) {
    if (b->timer_on)
        b->start_ns = bench_now_ns();
    b->duration_ns = 0;
    b->nmetrics = 0;
}

void bench_set_bytes(bench *b, int64_t bytes) { b->bytes = bytes; }

int bench_report_metric(bench *b, double value, const char *unit) {
    size_t len = unit ? strlen(unit) : 0;
    if (len == 0 || len >= BENCH_UNIT_MAX || strpbrk(unit, " \t\r\n\v\f"))
        return -1;
    for (int i = 0; i < b->nmetrics; i++) {
        if (strcmp(b->metrics[i].unit, unit) == 0) {
            b->metrics[i].value = value;
            return 0;
        }
    }
    if (b->nmetrics == BENCH_MAX_METRICS)
        return -1;
    memcpy(b->metrics[b->nmetrics].unit, unit, len + 1);
    b->metrics[b->nmetrics].value = value;
    b->nmetrics++;
    return 0;
}
