/* crc32.h: CRC-32 (the IEEE polynomial of zlib, gzip and PNG) of a buffer. */
#ifndef TASK13_CRC32_H
#define TASK13_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32 of n bytes at data; crc32_ieee("123456789", 9) is 0xcbf43926. */
uint32_t crc32_ieee(const void *data, size_t n);

#endif
