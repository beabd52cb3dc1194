/* items.c: process_item, the real work of task 6, kept out of line so that
 * it shows as its own frame in a profile.
 *
 * Each round depends on the one before, so the loop can be neither
 * vectorized nor folded at compile time.
 */
#include "items.h"

#define ROUNDS 1500

__attribute__((noinline)) uint64_t process_item(uint64_t item) {
    uint64_t x = item * 0x9e3779b97f4a7c15ull + 1;
    for (int i = 0; i < ROUNDS; i++) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 29;
    }
    return x;
}

uint64_t expected_sum(const uint64_t *items, size_t n) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += process_item(items[i]);
    return sum;
}
