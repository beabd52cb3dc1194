/* gzip.c: gzip in and out of memory, with zlib.
 *
 * pf_gunzip inflates every concatenated gzip member (as Go's reader does)
 * into one malloc'ed buffer that grows as needed and never beyond
 * pf_inflate_limit bytes, so a small "gzip bomb" cannot take the machine's
 * memory: past the limit it fails with a clear error. Truncated or corrupt
 * input is an error too, never a partial result. pf_gzip compresses a whole
 * buffer as a single member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model_internal.h"

size_t pf_inflate_limit = (size_t)1 << 30; /* 1 GiB */

bool pf_is_gzip(const void *data, size_t len) {
    const unsigned char *d = data;
    return len >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}

int pf_gunzip(const void *data, size_t len, uint8_t **out, size_t *outlen, char *err,
              size_t errlen) {
    const size_t chunk = (size_t)1 << 30; /* zlib counts in uInt */
    *out = NULL;
    *outlen = 0;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return pf_errf(err, errlen, "profile: cannot start gzip decoder");
    const unsigned char *end = (const unsigned char *)data + len;
    zs.next_in = (Bytef *)data;
    size_t cap = len < 16384 ? 65536 : len * 4, used = 0;
    if (cap > pf_inflate_limit) cap = pf_inflate_limit;
    uint8_t *buf = pf_xrealloc(NULL, cap ? cap : 1);
    int rc = 0;
    for (;;) {
        size_t in_left = (size_t)(end - zs.next_in);
        zs.avail_in = (uInt)(in_left < chunk ? in_left : chunk);
        /* When the buffer is at the limit, ask for one more byte: getting
         * it proves the data is too big. */
        unsigned char probe;
        bool probing = false;
        if (used == cap) {
            if (cap >= pf_inflate_limit) {
                probing = true;
            } else {
                cap = cap > pf_inflate_limit / 2 ? pf_inflate_limit : cap * 2;
                buf = pf_xrealloc(buf, cap);
            }
        }
        if (probing) {
            zs.next_out = &probe;
            zs.avail_out = 1;
        } else {
            zs.next_out = buf + used;
            zs.avail_out = (uInt)(cap - used < chunk ? cap - used : chunk);
        }
        uInt before = zs.avail_out;
        int zr = inflate(&zs, Z_NO_FLUSH);
        size_t produced = before - zs.avail_out;
        if (probing && produced) {
            rc = pf_errf(err, errlen,
                         "profile: gzip data inflates to more than %zu bytes (the limit)",
                         pf_inflate_limit);
            break;
        }
        if (!probing) used += produced;
        in_left = (size_t)(end - zs.next_in);
        if (zr == Z_STREAM_END) {
            if (in_left == 0) break;
            if (pf_is_gzip(zs.next_in, in_left)) {
                inflateReset(&zs); /* the next member */
                continue;
            }
            rc = pf_errf(err, errlen, "profile: %zu bytes of garbage after the gzip data",
                         in_left);
            break;
        }
        if (zr == Z_OK) continue;
        if (zr == Z_BUF_ERROR && in_left == 0) {
            rc = pf_errf(err, errlen, "profile: truncated gzip data");
            break;
        }
        if (zr == Z_BUF_ERROR) continue; /* output was full; the loop grows it */
        rc = pf_errf(err, errlen, "profile: corrupt gzip data: %s",
                     zs.msg ? zs.msg : "inflate failed");
        break;
    }
    inflateEnd(&zs);
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = used;
    return 0;
}

int pf_gzip(const void *data, size_t len, uint8_t **out, size_t *outlen, char *err,
            size_t errlen) {
    *out = NULL;
    *outlen = 0;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return pf_errf(err, errlen, "profile: cannot start gzip encoder");
    size_t cap = deflateBound(&zs, len > (1u << 30) ? (1u << 30) : (uLong)len) + 64;
    uint8_t *buf = pf_xrealloc(NULL, cap);
    size_t used = 0;
    const unsigned char *in = data;
    size_t in_left = len;
    int zr;
    do {
        if (cap - used < 4096) {
            cap *= 2;
            buf = pf_xrealloc(buf, cap);
        }
        uInt in_chunk = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
        uInt out_chunk = cap - used > (1u << 30) ? (1u << 30) : (uInt)(cap - used);
        zs.next_in = (Bytef *)in;
        zs.avail_in = in_chunk;
        zs.next_out = buf + used;
        zs.avail_out = out_chunk;
        zr = deflate(&zs, in_chunk == in_left ? Z_FINISH : Z_NO_FLUSH);
        used += out_chunk - zs.avail_out;
        in += in_chunk - zs.avail_in;
        in_left -= in_chunk - zs.avail_in;
        if (zr == Z_STREAM_ERROR) {
            deflateEnd(&zs);
            free(buf);
            return pf_errf(err, errlen, "profile: gzip compression failed");
        }
    } while (zr != Z_STREAM_END);
    deflateEnd(&zs);
    *out = buf;
    *outlen = used;
    return 0;
}
