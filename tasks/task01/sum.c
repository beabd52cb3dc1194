/* sum.c: adds up an array of ints. It calls no other function, which is
 * what task 1 is about: every sample taken while it runs lands in sum
 * itself. It lives in its own file so the compiler cannot inline it into
 * the benchmark (there is no link-time optimization here). */
#include "sum.h"

int64_t sum(const int *xs, size_t n) {
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) total += xs[i];
    return total;
}
