/* strbuf.c: the string builder that replaces s = concat(s, part).
 *
 * When an append does not fit, the capacity at least doubles, so a string
 * of final length L is reallocated about log2(L) times and each byte is
 * copied a small constant number of times on average: appending is
 * amortized O(part length), where concat was O(length so far).
 * Invariant: buf[len] == '\0' whenever buf != NULL; len < cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static void grow(strbuf *sb, size_t need) {
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need) cap *= 2;
    char *p = realloc(sb->buf, cap);
    if (!p) {
        fprintf(stderr, "strbuf: out of memory\n");
        exit(1);
    }
    sb->buf = p;
    sb->cap = cap;
}

void strbuf_append(strbuf *sb, const char *s, size_t n) {
    if (sb->len + n + 1 > sb->cap) grow(sb, sb->len + n + 1);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

char *strbuf_take(strbuf *sb) {
    char *s = sb->buf ? sb->buf : calloc(1, 1);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return s;
}
