/* load.h: the service's traffic: reader threads and one writer on a cache. */
#ifndef LOAD_H
#define LOAD_H

#include <stdint.h>

#include "cache.h"

#define NKEYS 4096

/* Fills c with the keys "user:0" ... "user:4095". */
void load_fill(cache *c);

/* Runs nreaders reader threads and one writer on c for the given
 * milliseconds, then stops and joins them. Each reader looks up random
 * keys in a loop; the writer updates one key every 50 ms. Returns the
 * number of lookups made; exits the program when a thread cannot start or
 * a lookup misses. */
uint64_t load_run(cache *c, int nreaders, int64_t millis);

#endif
