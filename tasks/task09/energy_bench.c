/* energy_bench.c: the benchmark of task 9. Each op computes the energy of
 * a signal of 100,000 samples.
 *
 *   build/tasks/yours/task09/bench -bench=. -cpuprofile=tasks/task09/out/cpu.pb.gz
 *
 * The signal is filled on the first call, outside the timed loop, from a
 * xorshift generator, so the compiler cannot know any of it.
 */
#include <stdint.h>

#include "bench.h"
#include "energy.h"

#define N 100000

static double signal[N];
static int filled;

BENCHMARK(Energy) {
    if (!filled) {
        uint32_t x = 2463534242u;
        for (int i = 0; i < N; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            signal[i] = (double)x / 4294967296.0 - 0.5;
        }
        filled = 1;
        bench_reset_timer(b);
    }
    for (int64_t i = 0; i < b->n; i++) bench_sink_f64(energy(signal, N));
}
