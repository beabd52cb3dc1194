/* model_errors.c: the one-line error messages of libprofile.
 *
 * Every failing function of profile.h writes its message through pf_errf,
 * which formats into the caller's buffer (when there is one), replaces any
 * newline or other control character by a space so the message stays on one
 * line, and returns -1 so callers can write `return pf_errf(...)`.
 */
#include <stdarg.h>
#include <stdio.h>

#include "model_internal.h"

int pf_errf(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    for (char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
    return -1;
}
