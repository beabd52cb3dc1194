/* calls_bench.c: the benchmark of task 3. Each op is one call of outer,
 * that is a million calls of leaf.
 *
 *   build/tasks/yours/task03/bench -bench=. -cpuprofile=tasks/task03/out/cpu.pb.gz
 */
#include <stdint.h>

#include "bench.h"
#include "calls.h"

BENCHMARK(Outer) {
    for (int64_t i = 0; i < b->n; i++) bench_sink_i64((int64_t)outer((uint64_t)i));
}
