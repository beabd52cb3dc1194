/* energy.c: the sum of squares of a signal, written with a tiny helper.
 *
 * add is static and two instructions long, the kind of function an
 * optimizing compiler pastes into its caller: built as shipped (-O2), the
 * program has no function add at all, and no profile can show it. Built
 * with -fno-inline, add stays a real function called once per element, and
 * its own frame shows up in the profile. Nothing in the source says which
 * of the two you get; the compiler decides. Task 9 is about what that does
 * to the profile you read.
 *
 * The sum is of doubles, added strictly in order (floating-point addition
 * is not associative, and the compiler may not reorder it without
 * -ffast-math), so every step waits for the one before: the loop can be
 * neither folded nor vectorized away, and the values come from an array
 * filled at run time.
 */
#include "energy.h"

static double add(double a, double b) {
    return a + b;
}

double energy(const double *xs, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum = add(sum, xs[i] * xs[i]);
    return sum;
}
