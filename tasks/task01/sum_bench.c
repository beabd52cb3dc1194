/* sum_bench.c: the benchmark of task 1. Each op sums 1,000,000 ints.
 *
 *   build/tasks/yours/task01/bench -bench=. -cpuprofile=tasks/task01/out/cpu.pb.gz
 *
 * The data is filled on the first call, outside the timed loop;
 * bench_sink_i64 keeps the compiler from dropping calls whose result is
 * unused. */
#include <stdint.h>

#include "bench.h"
#include "sum.h"

#define N 1000000

static int data[N];
static int filled;

BENCHMARK(Sum) {
    if (!filled) {
        for (int i = 0; i < N; i++) data[i] = i % 1000;
        filled = 1;
        bench_reset_timer(b);
    }
    for (int64_t i = 0; i < b->n; i++) bench_sink_i64(sum(data, N));
}
