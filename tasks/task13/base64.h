/* base64.h: standard base64 encoding (RFC 4648, with '=' padding). */
#ifndef TASK13_BASE64_H
#define TASK13_BASE64_H

#include <stddef.h>

/* Bytes of output for n bytes of input, without a terminating NUL. */
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)

/* Encodes n bytes of in into out (BASE64_LEN(n) bytes, not NUL-terminated)
 * and returns BASE64_LEN(n). */
size_t base64_encode(const void *in, size_t n, char *out);

#endif
