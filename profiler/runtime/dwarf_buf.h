/* dwarf_buf.h: a bounds-checked cursor over the bytes of a DWARF section.
 *
 * Every read checks that the bytes are there. A read past the end sets
 * `bad`, moves the cursor to the end and returns 0 (or NULL), so a parser
 * can read a whole record and test `bad` once afterwards: a truncated or
 * corrupt section never reads outside its bytes. Multi-byte values are
 * little-endian (the only byte order the ELF reader accepts on x86-64) and
 * are assembled byte by byte, so no read is ever unaligned.
 *
 * Private to libcpuprof (all static inline; nothing is exported).
 */
#ifndef CPUPROF_DWARF_BUF_H
#define CPUPROF_DWARF_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct dwarf_buf {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last byte */
    int bad;            /* a read ran past end */
} dwarf_buf;

static inline dwarf_buf dwarf_buf_make(const uint8_t *data, size_t size) {
    dwarf_buf b = {data, data + size, 0};
    return b;
}

static inline size_t dwarf_buf_left(const dwarf_buf *b) {
    return (size_t)(b->end - b->p);
}

/* Marks the cursor bad and empties it. */
static inline void dwarf_buf_fail(dwarf_buf *b) {
    b->bad = 1;
    b->p = b->end;
}

static inline int dwarf_buf_need(dwarf_buf *b, size_t n) {
    if (dwarf_buf_left(b) >= n) return 1;
    dwarf_buf_fail(b);
    return 0;
}

static inline void dwarf_skip(dwarf_buf *b, uint64_t n) {
    if (n > dwarf_buf_left(b))
        dwarf_buf_fail(b);
    else
        b->p += n;
}

/* An unsigned little-endian value of n bytes (1 to 8). */
static inline uint64_t dwarf_uint(dwarf_buf *b, size_t n) {
    if (!dwarf_buf_need(b, n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)b->p[i] << (8 * i);
    b->p += n;
    return v;
}

static inline uint8_t dwarf_u8(dwarf_buf *b) { return (uint8_t)dwarf_uint(b, 1); }
static inline uint16_t dwarf_u16(dwarf_buf *b) { return (uint16_t)dwarf_uint(b, 2); }
static inline uint32_t dwarf_u32(dwarf_buf *b) { return (uint32_t)dwarf_uint(b, 4); }
static inline uint64_t dwarf_u64(dwarf_buf *b) { return dwarf_uint(b, 8); }

/* ULEB128; bits beyond 64 are dropped, an unterminated value is bad. */
static inline uint64_t dwarf_uleb(dwarf_buf *b) {
    uint64_t v = 0;
    unsigned shift = 0;
    while (b->p < b->end) {
        uint8_t c = *b->p++;
        if (shift < 64) v |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
        if (!(c & 0x80)) return v;
    }
    dwarf_buf_fail(b);
    return 0;
}

/* SLEB128, same rules. */
static inline int64_t dwarf_sleb(dwarf_buf *b) {
    uint64_t v = 0;
    unsigned shift = 0;
    while (b->p < b->end) {
        uint8_t c = *b->p++;
        if (shift < 64) v |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
        if (!(c & 0x80)) {
            if (shift < 64 && (c & 0x40)) v |= ~(uint64_t)0 << shift;
            return (int64_t)v;
        }
    }
    dwarf_buf_fail(b);
    return 0;
}

/* A NUL-terminated string inside the buffer, or NULL (and bad) when the
 * buffer ends before the NUL. */
static inline const char *dwarf_cstr(dwarf_buf *b) {
    const uint8_t *nul = memchr(b->p, 0, dwarf_buf_left(b));
    if (nul == NULL) {
        dwarf_buf_fail(b);
        return NULL;
    }
    const char *s = (const char *)b->p;
    b->p = nul + 1;
    return s;
}

/* The string at offset off of a string section, or NULL when off is out of
 * range or the string is not terminated inside the section. */
static inline const char *dwarf_str_at(const uint8_t *sec, size_t size, uint64_t off) {
    if (sec == NULL || off >= size) return NULL;
    if (memchr(sec + off, 0, size - (size_t)off) == NULL) return NULL;
    return (const char *)sec + off;
}

/* A unit's initial length: 32-bit DWARF, or 64-bit after the 0xffffffff
 * escape. Sets *offset_size to 4 or 8; returns the length, or 0 and bad
 * for a reserved value. */
static inline uint64_t dwarf_unit_length(dwarf_buf *b, int *offset_size) {
    uint64_t len = dwarf_u32(b);
    *offset_size = 4;
    if (len == 0xffffffffu) {
        len = dwarf_u64(b);
        *offset_size = 8;
    } else if (len >= 0xfffffff0u) {
        dwarf_buf_fail(b);
        return 0;
    }
    return len;
}

/* A sub-cursor over the next len bytes (bad when they are not there); the
 * outer cursor moves past them. */
static inline dwarf_buf dwarf_sub(dwarf_buf *b, uint64_t len) {
    dwarf_buf s = {b->p, b->p, 0};
    if (len > dwarf_buf_left(b)) {
        dwarf_buf_fail(b);
        s.bad = 1;
        return s;
    }
    s.end = b->p + len;
    b->p += len;
    return s;
}

#endif
