/* strbuf.h: a growable string, appended to in amortized constant time. */
#ifndef STRBUF_H
#define STRBUF_H

#include <stddef.h>

typedef struct strbuf {
    char *buf;  /* NUL-terminated when len > 0; NULL before the first append */
    size_t len; /* bytes in use, without the NUL */
    size_t cap; /* bytes allocated */
} strbuf;

/* Appends n bytes of s. Exits the program when out of memory. */
void strbuf_append(strbuf *sb, const char *s, size_t n);

/* Hands the string over to the caller (who frees it) and empties sb. */
char *strbuf_take(strbuf *sb);

#endif
