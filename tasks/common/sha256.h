/* sha256.h: SHA-256 (FIPS 180-4) for the exercises: streaming and one-shot.
 *
 * A context hashes any number of update() calls of any sizes; final()
 * writes the 32-byte digest and leaves the context unusable until the next
 * init(). No allocation, no global state: contexts are independent, so
 * threads may each hash their own.
 */
#ifndef TASKS_SHA256_H
#define TASKS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32

typedef struct sha256_ctx {
    uint32_t h[8];       /* the chaining state */
    uint64_t total;      /* bytes hashed so far */
    uint8_t block[64];   /* bytes waiting for a full block */
    size_t used;         /* how many of block[] are filled, always < 64 */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN]);

/* The digest of data[0..len) in one call. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);

/* Writes the digest as 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char hex[65]);

#endif
