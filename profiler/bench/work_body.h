/* work_body.h: the unit of CPU work every bench workload repeats.
 *
 * burn_units(seed, n) runs n units of a dependent multiply/xor/shift chain:
 * each step needs the previous result, so its speed is set by instruction
 * latency, not by memory, branch prediction or code alignment, and the same
 * n costs the same CPU time in whichever function it is inlined into. It
 * makes no calls and touches no memory, so a sample taken inside it always
 * lands in the function that inlined it.
 *
 * Invariants: always inlined (the caller is the leaf frame a profiler
 * sees); deterministic (same seed and n, same result); the result must be
 * consumed (bench_keep) so the optimizer cannot drop the work.
 */
#ifndef PROFBENCH_WORK_BODY_H
#define PROFBENCH_WORK_BODY_H

#include <stdint.h>

/* Steps per unit: about 10 microseconds of work on a 2-3 GHz core. */
#define BURN_STEPS_PER_UNIT 4096

static inline __attribute__((always_inline)) uint64_t burn_units(uint64_t x, uint64_t n) {
    for (uint64_t u = 0; u < n; u++) {
        for (int i = 0; i < BURN_STEPS_PER_UNIT; i++) {
            x ^= x >> 29;
            x *= 0xbf58476d1ce4e5b9ULL;
            x ^= x << 7;
        }
        /* An empty asm that claims to read and change x: the compiler
         * cannot fold or vectorize the units away. */
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

static inline void bench_keep(uint64_t x) {
    __asm__ volatile("" : : "r"(x) : "memory");
}

#endif
