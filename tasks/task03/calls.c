/* calls.c: a three-level call chain where all the work is in the leaf.
 *
 * outer calls middle 1000 times, middle calls leaf 1000 times, and leaf
 * runs LEAF_ROUNDS rounds of a xorshift generator: each round depends on
 * the one before, so the compiler can neither vectorize nor fold the loop,
 * and nearly all CPU time is spent inside leaf.
 *
 * noinline: at -O2 the compiler would happily paste leaf into middle and
 * middle into outer; the profile would then show one function doing
 * everything and there would be nothing to read about flat versus cum.
 * The attribute keeps each function a real frame on the stack.
 */
#include "calls.h"

#define CALLS 1000
#define LEAF_ROUNDS 200

__attribute__((noinline)) uint64_t leaf(uint64_t seed) {
    uint64_t x = seed | 1;
    for (int i = 0; i < LEAF_ROUNDS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

__attribute__((noinline)) uint64_t middle(uint64_t seed) {
    uint64_t acc = 0;
    for (uint64_t i = 0; i < CALLS; i++) acc += leaf(seed + i);
    return acc;
}

__attribute__((noinline)) uint64_t outer(uint64_t seed) {
    uint64_t acc = 0;
    for (uint64_t i = 0; i < CALLS; i++) acc ^= middle(seed + i * CALLS);
    return acc;
}
