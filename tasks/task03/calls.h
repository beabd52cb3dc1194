/* calls.h: the three functions task 3 profiles, outer -> middle -> leaf. */
#ifndef CALLS_H
#define CALLS_H

#include <stdint.h>

uint64_t outer(uint64_t seed);  /* calls middle 1000 times */
uint64_t middle(uint64_t seed); /* calls leaf 1000 times */
uint64_t leaf(uint64_t seed);   /* a tight loop of arithmetic, no calls */

#endif
