/* process.h: processing every item on threads. */
#ifndef PROCESS_H
#define PROCESS_H

#include <stddef.h>
#include <stdint.h>

/* Runs process_item on each of items[0..n), concurrently, and returns the
 * sum of the results. Exits the program when a thread cannot be made. */
uint64_t process_all(const uint64_t *items, size_t n);

#endif
