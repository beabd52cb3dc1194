/* energy.h: the function task 9 profiles. */
#ifndef ENERGY_H
#define ENERGY_H

#include <stddef.h>

/* The energy of a signal: the sum of the squares of xs[0..n), added up in
 * order from xs[0]. */
double energy(const double *xs, size_t n);

#endif
