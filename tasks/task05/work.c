/* work.c: the three workloads of task 5. Each is its own out-of-line
 * function, so each is a frame of its own in a profile. They share the
 * hashing loop below, which is copied into each of them (always_inline):
 * a separate function would be reached by a tail jump, and the three
 * would vanish from the stacks, leaving only the shared loop. */
#include "work.h"

#include <string.h>

#define FAST_ROUNDS 50
#define SLOW_ROUNDS 2000
#define SPIKE_ROUNDS 1000

static inline __attribute__((always_inline)) void chain(uint64_t seed, int rounds,
                                                         uint8_t out[SHA256_DIGEST_LEN]) {
    uint8_t msg[64];
    for (int i = 0; i < 8; i++) memcpy(msg + 8 * i, &seed, 8);
    sha256(msg, sizeof msg, out);
    for (int i = 1; i < rounds; i++) {
        memcpy(msg, out, SHA256_DIGEST_LEN);
        sha256(msg, sizeof msg, out);
    }
}

__attribute__((noinline)) void fast_work(uint64_t seed, uint8_t out[SHA256_DIGEST_LEN]) {
    chain(seed, FAST_ROUNDS, out);
}

__attribute__((noinline)) void slow_work(uint64_t seed, uint8_t out[SHA256_DIGEST_LEN]) {
    chain(seed, SLOW_ROUNDS, out);
}

__attribute__((noinline)) void spike_work(uint64_t seed, uint8_t out[SHA256_DIGEST_LEN]) {
    chain(seed, SPIKE_ROUNDS, out);
}
