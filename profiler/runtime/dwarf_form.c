/* dwarf_form.c: decoding attribute values by form, and resolving the
 * indexes and offsets they hold.
 *
 * Invariants: dwarf_form_read consumes exactly the bytes of one value (or
 * fails); the resolvers check every offset and index against the section
 * it points into and never trust a base taken from the input.
 */
#include "dwarf_form.h"

int dwarf_form_read(dwarf_buf *b, const dwarf_unit *u, uint64_t form, int64_t implicit,
                    dwarf_value *v) {
    v->kind = DV_NONE;
    v->u = 0;
    v->s = 0;
    v->str = NULL;
    for (int hops = 0; form == DW_FORM_indirect; hops++) {
        if (hops > 4) return -1;
        form = dwarf_uleb(b);
    }
    size_t osz = (size_t)u->offset_size, asz = (size_t)u->addr_size;
    switch (form) {
    case DW_FORM_addr: v->kind = DV_ADDR; v->u = dwarf_uint(b, asz); break;
    case DW_FORM_addrx:
    case DW_FORM_GNU_addr_index: v->kind = DV_ADDRX; v->u = dwarf_uleb(b); break;
    case DW_FORM_addrx1: v->kind = DV_ADDRX; v->u = dwarf_uint(b, 1); break;
    case DW_FORM_addrx2: v->kind = DV_ADDRX; v->u = dwarf_uint(b, 2); break;
    case DW_FORM_addrx3: v->kind = DV_ADDRX; v->u = dwarf_uint(b, 3); break;
    case DW_FORM_addrx4: v->kind = DV_ADDRX; v->u = dwarf_uint(b, 4); break;

    case DW_FORM_data1:
    case DW_FORM_flag: v->kind = DV_CONST; v->u = dwarf_uint(b, 1); break;
    case DW_FORM_data2: v->kind = DV_CONST; v->u = dwarf_uint(b, 2); break;
    case DW_FORM_data4: v->kind = DV_CONST; v->u = dwarf_uint(b, 4); break;
    case DW_FORM_data8: v->kind = DV_CONST; v->u = dwarf_uint(b, 8); break;
    case DW_FORM_udata: v->kind = DV_CONST; v->u = dwarf_uleb(b); break;
    case DW_FORM_ref1: v->kind = DV_REF_UNIT; v->u = dwarf_uint(b, 1); break;
    case DW_FORM_ref2: v->kind = DV_REF_UNIT; v->u = dwarf_uint(b, 2); break;
    case DW_FORM_ref4: v->kind = DV_REF_UNIT; v->u = dwarf_uint(b, 4); break;
    case DW_FORM_ref8: v->kind = DV_REF_UNIT; v->u = dwarf_uint(b, 8); break;
    case DW_FORM_ref_udata: v->kind = DV_REF_UNIT; v->u = dwarf_uleb(b); break;
    case DW_FORM_sdata: v->kind = DV_SCONST; v->s = dwarf_sleb(b); break;
    case DW_FORM_implicit_const: v->kind = DV_SCONST; v->s = implicit; break;
    case DW_FORM_flag_present: v->kind = DV_CONST; v->u = 1; break;

    case DW_FORM_string: v->kind = DV_STR; v->str = dwarf_cstr(b); break;
    case DW_FORM_strp: v->kind = DV_STRP; v->u = dwarf_uint(b, osz); break;
    case DW_FORM_line_strp: v->kind = DV_LINE_STRP; v->u = dwarf_uint(b, osz); break;
    case DW_FORM_strx:
    case DW_FORM_GNU_str_index: v->kind = DV_STRX; v->u = dwarf_uleb(b); break;
    case DW_FORM_strx1: v->kind = DV_STRX; v->u = dwarf_uint(b, 1); break;
    case DW_FORM_strx2: v->kind = DV_STRX; v->u = dwarf_uint(b, 2); break;
    case DW_FORM_strx3: v->kind = DV_STRX; v->u = dwarf_uint(b, 3); break;
    case DW_FORM_strx4: v->kind = DV_STRX; v->u = dwarf_uint(b, 4); break;

    case DW_FORM_ref_addr:
        v->kind = DV_REF_INFO;
        v->u = dwarf_uint(b, u->version <= 2 ? asz : osz);
        break;
    case DW_FORM_sec_offset: v->kind = DV_SECOFF; v->u = dwarf_uint(b, osz); break;
    case DW_FORM_rnglistx: v->kind = DV_RNGLISTX; v->u = dwarf_uleb(b); break;
    case DW_FORM_loclistx: dwarf_uleb(b); break;

    case DW_FORM_strp_sup:
    case DW_FORM_GNU_strp_alt:
    case DW_FORM_GNU_ref_alt: dwarf_skip(b, osz); break;
    case DW_FORM_ref_sup4: dwarf_skip(b, 4); break;
    case DW_FORM_ref_sup8:
    case DW_FORM_ref_sig8: dwarf_skip(b, 8); break;
    case DW_FORM_data16: dwarf_skip(b, 16); break;
    case DW_FORM_block1: dwarf_skip(b, dwarf_uint(b, 1)); break;
    case DW_FORM_block2: dwarf_skip(b, dwarf_uint(b, 2)); break;
    case DW_FORM_block4: dwarf_skip(b, dwarf_uint(b, 4)); break;
    case DW_FORM_block:
    case DW_FORM_exprloc: dwarf_skip(b, dwarf_uleb(b)); break;
    default: return -1;
    }
    return b->bad ? -1 : 0;
}

/* Entry i of a table of entries of size `size` at base in sect. */
static int table_entry(const dwarf_sect *sect, uint64_t base, uint64_t i, size_t size,
                       uint64_t *out) {
    if (sect->data == NULL || base > sect->size || i > (sect->size - base) / size) return -1;
    uint64_t off = base + i * size;
    if (off + size > sect->size) return -1;
    dwarf_buf b = dwarf_buf_make(sect->data + off, size);
    *out = dwarf_uint(&b, size);
    return b.bad ? -1 : 0;
}

const char *dwarf_value_str(const dwarf_unit *u, const dwarf_value *v) {
    const dwarf_sections *s = u->sec;
    uint64_t off;
    switch (v->kind) {
    case DV_STR: return v->str;
    case DV_STRP: return dwarf_str_at(s->str.data, s->str.size, v->u);
    case DV_LINE_STRP: return dwarf_str_at(s->line_str.data, s->line_str.size, v->u);
    case DV_STRX:
        if (table_entry(&s->str_offsets, u->str_offsets_base, v->u, (size_t)u->offset_size,
                        &off) < 0)
            return NULL;
        return dwarf_str_at(s->str.data, s->str.size, off);
    default: return NULL;
    }
}

int dwarf_value_addr(const dwarf_unit *u, const dwarf_value *v, uint64_t *out) {
    if (v->kind == DV_ADDR) {
        *out = v->u;
        return 0;
    }
    if (v->kind == DV_ADDRX)
        return table_entry(&u->sec->addr, u->addr_base, v->u, (size_t)u->addr_size, out);
    return -1;
}

int dwarf_value_const(const dwarf_value *v, uint64_t *out) {
    if (v->kind == DV_CONST) {
        *out = v->u;
        return 0;
    }
    if (v->kind == DV_SCONST && v->s >= 0) {
        *out = (uint64_t)v->s;
        return 0;
    }
    return -1;
}

int dwarf_value_ref(const dwarf_unit *u, const dwarf_value *v, uint64_t *out) {
    if (v->kind == DV_REF_INFO) {
        *out = v->u;
        return 0;
    }
    if (v->kind == DV_REF_UNIT && v->u < u->end - u->offset) {
        *out = u->offset + v->u;
        return 0;
    }
    return -1;
}
