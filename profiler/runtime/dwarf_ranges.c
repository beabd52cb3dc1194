/* dwarf_ranges.c: range lists of DWARF 5 (.debug_rnglists) and of DWARF
 * 2-4 (.debug_ranges), and low/high pairs.
 *
 * Invariants: every range handed to the callback has lo < hi; the base
 * address starts as the unit's DW_AT_low_pc and changes only through the
 * list's own base-address entries; the reader never leaves the section.
 */
#include "dwarf_ranges.h"

enum {
    DW_RLE_end_of_list = 0,
    DW_RLE_base_addressx = 1,
    DW_RLE_startx_endx = 2,
    DW_RLE_startx_length = 3,
    DW_RLE_offset_pair = 4,
    DW_RLE_base_address = 5,
    DW_RLE_start_end = 6,
    DW_RLE_start_length = 7,
};

/* Entries per list at most: a guard against a corrupt list that never
 * ends inside a large section. */
#define MAX_ENTRIES 100000

static int emit(dwarf_range_fn fn, void *ctx, uint64_t lo, uint64_t hi) {
    return lo < hi ? fn(ctx, lo, hi) : 0;
}

static int addrx(const dwarf_unit *u, uint64_t i, uint64_t *out) {
    dwarf_value v = {DV_ADDRX, i, 0, NULL};
    return dwarf_value_addr(u, &v, out);
}

static int rnglists(const dwarf_unit *u, uint64_t off, dwarf_range_fn fn, void *ctx) {
    const dwarf_sect *s = &u->sec->rnglists;
    if (s->data == NULL || off >= s->size) return -1;
    dwarf_buf b = dwarf_buf_make(s->data + off, s->size - (size_t)off);
    uint64_t base = u->base_pc;
    size_t asz = (size_t)u->addr_size;
    for (int n = 0; n < MAX_ENTRIES && !b.bad; n++) {
        uint8_t kind = dwarf_u8(&b);
        uint64_t a = 0, c = 0;
        int rc = 0;
        switch (kind) {
        case DW_RLE_end_of_list: return b.bad ? -1 : 0;
        case DW_RLE_base_addressx:
            if (addrx(u, dwarf_uleb(&b), &base) < 0) return -1;
            break;
        case DW_RLE_startx_endx:
            a = dwarf_uleb(&b);
            c = dwarf_uleb(&b);
            if (addrx(u, a, &a) < 0 || addrx(u, c, &c) < 0) return -1;
            rc = emit(fn, ctx, a, c);
            break;
        case DW_RLE_startx_length:
            a = dwarf_uleb(&b);
            c = dwarf_uleb(&b);
            if (addrx(u, a, &a) < 0) return -1;
            rc = emit(fn, ctx, a, a + c);
            break;
        case DW_RLE_offset_pair:
            a = dwarf_uleb(&b);
            c = dwarf_uleb(&b);
            rc = emit(fn, ctx, base + a, base + c);
            break;
        case DW_RLE_base_address: base = dwarf_uint(&b, asz); break;
        case DW_RLE_start_end:
            a = dwarf_uint(&b, asz);
            c = dwarf_uint(&b, asz);
            rc = emit(fn, ctx, a, c);
            break;
        case DW_RLE_start_length:
            a = dwarf_uint(&b, asz);
            c = dwarf_uleb(&b);
            rc = emit(fn, ctx, a, a + c);
            break;
        default: return -1;
        }
        if (rc < 0) return -1;
    }
    return -1;
}

static int ranges_v4(const dwarf_unit *u, uint64_t off, dwarf_range_fn fn, void *ctx) {
    const dwarf_sect *s = &u->sec->ranges;
    if (s->data == NULL || off >= s->size) return -1;
    dwarf_buf b = dwarf_buf_make(s->data + off, s->size - (size_t)off);
    size_t asz = (size_t)u->addr_size;
    uint64_t maxaddr = asz == 8 ? UINT64_MAX : UINT32_MAX;
    uint64_t base = u->base_pc;
    for (int n = 0; n < MAX_ENTRIES; n++) {
        uint64_t a = dwarf_uint(&b, asz), c = dwarf_uint(&b, asz);
        if (b.bad) return -1;
        if (a == 0 && c == 0) return 0;
        if (a == maxaddr) {
            base = c;
            continue;
        }
        if (emit(fn, ctx, base + a, base + c) < 0) return -1;
    }
    return -1;
}

int dwarf_ranges_list(const dwarf_unit *u, const dwarf_value *v, dwarf_range_fn fn, void *ctx) {
    if (u->version >= 5) {
        uint64_t off;
        if (v->kind == DV_RNGLISTX) {
            /* An index into the offset table that starts at the unit's
             * DW_AT_rnglists_base; the offsets are relative to that base. */
            const dwarf_sect *s = &u->sec->rnglists;
            size_t osz = (size_t)u->offset_size;
            uint64_t at = u->rnglists_base + v->u * osz;
            if (s->data == NULL || v->u > s->size / osz || at > s->size || s->size - at < osz)
                return -1;
            dwarf_buf b = dwarf_buf_make(s->data + at, osz);
            off = u->rnglists_base + dwarf_uint(&b, osz);
        } else if (v->kind == DV_SECOFF || v->kind == DV_CONST) {
            off = v->u;
        } else {
            return -1;
        }
        return rnglists(u, off, fn, ctx);
    }
    if (v->kind != DV_SECOFF && v->kind != DV_CONST) return -1;
    return ranges_v4(u, v->u, fn, ctx);
}

int dwarf_ranges_pair(const dwarf_unit *u, const dwarf_value *low, const dwarf_value *high,
                      uint64_t *lo, uint64_t *hi) {
    if (dwarf_value_addr(u, low, lo) < 0) return -1;
    uint64_t len;
    if (dwarf_value_const(high, &len) == 0)
        *hi = *lo + len;
    else if (dwarf_value_addr(u, high, hi) < 0)
        return -1;
    return *lo < *hi ? 0 : -1;
}
