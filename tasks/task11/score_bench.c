/* score_bench.c: the benchmark of task 11. Each op scores a batch of
 * 16,384 events with the mix of a typical feed: 90% latencies, 6%
 * counters, 3.9% gauges, 0.1% errors, in random order.
 *
 *   build/tasks/yours/task11/bench -bench=. -cpuprofile=tasks/task11/out/cpu.pb.gz
 *
 * The batch is made once, outside the timed loop, from a xorshift
 * generator, so the compiler cannot know any of it.
 */
#include <stdint.h>

#include "bench.h"
#include "score.h"

#define N 16384

static event batch[N];
static int made;

static uint32_t next(uint32_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void make_batch(void) {
    uint32_t x = 2463534242u;
    for (int i = 0; i < N; i++) {
        uint32_t r = next(&x) % 1000;
        event *e = &batch[i];
        e->kind = r < 900 ? EV_LATENCY : r < 960 ? EV_COUNTER : r < 999 ? EV_GAUGE : EV_ERROR;
        e->key = next(&x) % 64;
        /* from 1 us to about an hour, most of them small */
        e->value = (int64_t)(next(&x) >> (next(&x) % 32));
    }
}

BENCHMARK(Score) {
    if (!made) {
        make_batch();
        made = 1;
        bench_reset_timer(b);
    }
    for (int64_t i = 0; i < b->n; i++) bench_sink_i64(score_batch(batch, N));
}
