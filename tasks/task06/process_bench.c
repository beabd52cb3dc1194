/* process_bench.c: the benchmark of task 6. Each op processes all 100,000
 * items with process_all and checks the sum against a one-thread run.
 *
 *   build/tasks/yours/task06/bench -bench=. -benchtime=1x -count=10 \
 *       -cpuprofile=tasks/task06/out/cpu.pb.gz
 *
 * The items and the expected sum are made once, outside the timed loop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "items.h"
#include "process.h"

static uint64_t items[NITEMS];
static uint64_t want;
static int ready;

BENCHMARK(ProcessItems) {
    if (!ready) {
        for (uint64_t i = 0; i < NITEMS; i++) items[i] = i * 2654435761u + 17;
        want = expected_sum(items, NITEMS);
        ready = 1;
        bench_reset_timer(b);
    }
    for (int64_t i = 0; i < b->n; i++) {
        uint64_t got = process_all(items, NITEMS);
        if (got != want) {
            fprintf(stderr, "process_all: sum %" PRIu64 ", want %" PRIu64 "\n", got, want);
            exit(1);
        }
    }
}
