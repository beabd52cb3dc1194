/* sum.h: the function task 1 profiles. */
#ifndef SUM_H
#define SUM_H

#include <stddef.h>
#include <stdint.h>

/* The sum of xs[0..n). */
int64_t sum(const int *xs, size_t n);

#endif
