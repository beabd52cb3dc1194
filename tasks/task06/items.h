/* items.h: the work of task 6, one small computation per item. */
#ifndef ITEMS_H
#define ITEMS_H

#include <stddef.h>
#include <stdint.h>

#define NITEMS 100000

/* The checksum of one item: 64 rounds of a mixing function seeded by the
 * item's value (a few hundred nanoseconds of pure CPU, no memory). Pure:
 * the same item always gives the same result. */
uint64_t process_item(uint64_t item);

/* The sum of process_item over items[0..n), the answer process_all must
 * return (computed on one thread, for checking). */
uint64_t expected_sum(const uint64_t *items, size_t n);

#endif
