/* concat.c: s = concat(s, part), the C spelling of `s += part`.
 *
 * Each call allocates a block for the whole new string, copies the old
 * string and the part into it, and frees the old block. Building a string
 * of n parts this way copies the first part n times, the second n - 1
 * times, and so on: the work grows with the square of the length. It
 * lives in its own file so the compiler cannot inline it into its caller,
 * and every sample taken in it shows concat as a frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concat.h"

char *concat(char *s, const char *part) {
    size_t len = s ? strlen(s) : 0, plen = strlen(part);
    char *out = malloc(len + plen + 1);
    if (!out) {
        fprintf(stderr, "concat: out of memory\n");
        exit(1);
    }
    if (len) memcpy(out, s, len);
    memcpy(out + len, part, plen + 1);
    free(s);
    return out;
}
