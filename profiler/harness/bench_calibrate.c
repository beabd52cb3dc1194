/* bench_calibrate.c: choosing b->n, the way Go's testing package does.
 *
 * A benchmark first runs with n = 1. With -benchtime=Nx it then runs once
 * more with n = N (unless N is 1). With a duration it loops: predict n from
 * the last run (goal * n / time, plus 20% headroom), but grow at most 100x
 * and at least by one, never past 1e9, and stop once a run lasted the goal.
 * The reported result is the last run's.
 */
#include "bench.h"

#define BENCH_MAX_N 1000000000LL

int64_t bench_run_n(bench *b, bench_fn fn, int64_t n) {
    b->n = n;
    b->timer_on = 0;
    b->bytes = 0;
    bench_reset_timer(b);
    bench_start_timer(b);
    fn(b);
    bench_stop_timer(b);
    b->n = n;  /* a benchmark that changed b->n still reports what ran */
    return b->duration_ns;
}

int64_t bench_predict_n(int64_t goal_ns, int64_t prev_n, int64_t prev_ns,
                        int64_t last) {
    if (prev_ns <= 0)
        prev_ns = 1;
    /* Multiply before dividing: for fast benchmarks prev_n ~ prev_ns, and
     * dividing first would lose an order of magnitude. 128 bits keep long
     * goals from overflowing. */
    __int128 p = (__int128)goal_ns * prev_n / prev_ns;
    if (p > BENCH_MAX_N * 2)
        p = BENCH_MAX_N * 2;
    int64_t n = (int64_t)p;
    n += n / 5;
    if (n > 100 * last)
        n = 100 * last;
    if (n < last + 1)
        n = last + 1;
    if (n > BENCH_MAX_N)
        n = BENCH_MAX_N;
    return n;
}

void bench_measure(bench *b, bench_fn fn, const bench_options *opt) {
    bench_run_n(b, fn, 1);
    if (opt->benchtime_n > 0) {
        if (opt->benchtime_n > 1)
            bench_run_n(b, fn, opt->benchtime_n);
        return;
    }
    for (int64_t n = 1; b->duration_ns < opt->benchtime_ns && n < BENCH_MAX_N;) {
        int64_t last = n;
        n = bench_predict_n(opt->benchtime_ns, b->n, b->duration_ns, last);
        bench_run_n(b, fn, n);
    }
}
