/* utf8.h: counting the code points of UTF-8 text. */
#ifndef TASK13_UTF8_H
#define TASK13_UTF8_H

#include <stddef.h>

/* The number of code points in the n bytes at s, or -1 when they are not
 * valid UTF-8 (a bad lead byte, a missing continuation byte, an overlong
 * form, a surrogate, or a value above U+10FFFF). */
long utf8_count(const char *s, size_t n);

#endif
