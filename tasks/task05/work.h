/* work.h: the CPU work behind task 5's three endpoints. */
#ifndef WORK_H
#define WORK_H

#include <stdint.h>

#include "sha256.h"

/* Each chains n rounds of SHA-256 over a 64-byte message made from seed
 * and writes the last digest: fast_work 50 rounds, slow_work 2,000,
 * spike_work 1,000. Three functions rather than one with a parameter, so
 * that a profile tells them apart. */
void fast_work(uint64_t seed, uint8_t out[SHA256_DIGEST_LEN]);
void slow_work(uint64_t seed, uint8_t out[SHA256_DIGEST_LEN]);
void spike_work(uint64_t seed, uint8_t out[SHA256_DIGEST_LEN]);

#endif
