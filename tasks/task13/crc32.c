/* crc32.c: CRC-32 with a 256-entry table, one byte per step.
 *
 * The table is built on the first call (the library is single-threaded).
 * Invariant: crc32_ieee returns the standard CRC-32 (reflected polynomial
 * 0xedb88320, initial value and final xor 0xffffffff) whatever the build.
 *
 * TASK13_REGRESS is the regression task 13's gate must catch: built with
 * -DTASK13_REGRESS, every call also re-hashes the first quarter of the
 * buffer as a "self-check", so the function does 25% more work for the
 * same answer. Nothing else changes.
 */
#include "crc32.h"

static uint32_t table[256];
static int table_ready;

#ifdef TASK13_REGRESS
/* Where the self-check's result goes, so the compiler must compute it. */
volatile uint32_t crc32_selfcheck;
#endif

static void build_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    table_ready = 1;
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

uint32_t crc32_ieee(const void *data, size_t n) {
    if (!table_ready)
        build_table();
    uint32_t crc = crc_update(0xffffffffu, data, n) ^ 0xffffffffu;
#ifdef TASK13_REGRESS
    crc32_selfcheck = crc_update(0xffffffffu, data, n / 4);
#endif
    return crc;
}
