/* dwarf_form.h: DWARF sections, units, and attribute values by form.
 *
 * An attribute's value is stored in one of about forty encodings ("forms").
 * dwarf_form_read decodes one from the cursor into a dwarf_value that keeps
 * what was there (an address or an index into .debug_addr, a string or an
 * offset or index into a string section, ...). Indexes are resolved later,
 * by the dwarf_value_* functions, because the bases they need
 * (DW_AT_str_offsets_base, DW_AT_addr_base) may come after them in the
 * compile unit's own entry. Every resolution is bounds-checked and fails
 * (NULL or -1) rather than read outside a section.
 *
 * Covers DWARF 2 to 5 as gcc 12 and clang 14 emit them, plus the GNU
 * extension forms for split DWARF indexes. Supplementary object files
 * (DW_FORM_strp_sup, DW_FORM_GNU_strp_alt, ...) are read past but give no
 * value.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_DWARF_FORM_H
#define CPUPROF_DWARF_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "dwarf_buf.h"

#pragma GCC visibility push(hidden)

/* Tags, attributes and forms this reader uses (values from the DWARF 5
 * standard, section 7, and the GNU extensions). */
enum {
    DW_TAG_inlined_subroutine = 0x1d,
    DW_TAG_compile_unit = 0x11,
    DW_TAG_subprogram = 0x2e,
    DW_TAG_partial_unit = 0x3c,
    DW_TAG_skeleton_unit = 0x4a,

    DW_AT_name = 0x03,
    DW_AT_stmt_list = 0x10,
    DW_AT_low_pc = 0x11,
    DW_AT_high_pc = 0x12,
    DW_AT_abstract_origin = 0x31,
    DW_AT_decl_file = 0x3a,
    DW_AT_decl_line = 0x3b,
    DW_AT_specification = 0x47,
    DW_AT_ranges = 0x55,
    DW_AT_call_file = 0x58,
    DW_AT_call_line = 0x59,
    DW_AT_linkage_name = 0x6e,
    DW_AT_str_offsets_base = 0x72,
    DW_AT_addr_base = 0x73,
    DW_AT_rnglists_base = 0x74,
    DW_AT_MIPS_linkage_name = 0x2007,
    DW_AT_GNU_addr_base = 0x2133,
    DW_AT_GNU_discriminator = 0x2136,

    DW_FORM_addr = 0x01,
    DW_FORM_block2 = 0x03,
    DW_FORM_block4 = 0x04,
    DW_FORM_data2 = 0x05,
    DW_FORM_data4 = 0x06,
    DW_FORM_data8 = 0x07,
    DW_FORM_string = 0x08,
    DW_FORM_block = 0x09,
    DW_FORM_block1 = 0x0a,
    DW_FORM_data1 = 0x0b,
    DW_FORM_flag = 0x0c,
    DW_FORM_sdata = 0x0d,
    DW_FORM_strp = 0x0e,
    DW_FORM_udata = 0x0f,
    DW_FORM_ref_addr = 0x10,
    DW_FORM_ref1 = 0x11,
    DW_FORM_ref2 = 0x12,
    DW_FORM_ref4 = 0x13,
    DW_FORM_ref8 = 0x14,
    DW_FORM_ref_udata = 0x15,
    DW_FORM_indirect = 0x16,
    DW_FORM_sec_offset = 0x17,
    DW_FORM_exprloc = 0x18,
    DW_FORM_flag_present = 0x19,
    DW_FORM_strx = 0x1a,
    DW_FORM_addrx = 0x1b,
    DW_FORM_ref_sup4 = 0x1c,
    DW_FORM_strp_sup = 0x1d,
    DW_FORM_data16 = 0x1e,
    DW_FORM_line_strp = 0x1f,
    DW_FORM_ref_sig8 = 0x20,
    DW_FORM_implicit_const = 0x21,
    DW_FORM_loclistx = 0x22,
    DW_FORM_rnglistx = 0x23,
    DW_FORM_ref_sup8 = 0x24,
    DW_FORM_strx1 = 0x25,
    DW_FORM_strx2 = 0x26,
    DW_FORM_strx3 = 0x27,
    DW_FORM_strx4 = 0x28,
    DW_FORM_addrx1 = 0x29,
    DW_FORM_addrx2 = 0x2a,
    DW_FORM_addrx3 = 0x2b,
    DW_FORM_addrx4 = 0x2c,
    DW_FORM_GNU_addr_index = 0x1f01,
    DW_FORM_GNU_str_index = 0x1f02,
    DW_FORM_GNU_ref_alt = 0x1f20,
    DW_FORM_GNU_strp_alt = 0x1f21,
};

typedef struct dwarf_sect {
    const uint8_t *data; /* NULL when the section is absent */
    size_t size;
} dwarf_sect;

/* The sections a reader needs, as found in one ELF image. */
typedef struct dwarf_sections {
    dwarf_sect info, abbrev, line, str, line_str, str_offsets, addr, rnglists, ranges;
} dwarf_sections;

/* One unit of .debug_info as its header and its root entry describe it. */
typedef struct dwarf_unit {
    const dwarf_sections *sec;
    uint64_t offset;      /* of the unit header in .debug_info */
    uint64_t end;         /* one past the unit's last byte */
    int version;          /* 2 to 5 */
    int offset_size;      /* 4 or 8 */
    int addr_size;        /* 4 or 8 */
    uint64_t str_offsets_base, addr_base, rnglists_base;
    uint64_t base_pc;     /* the root's DW_AT_low_pc: base of range lists */
} dwarf_unit;

typedef enum dwarf_vkind {
    DV_NONE,      /* read past, no usable value (blocks, supplementary refs) */
    DV_ADDR,      /* u: an address */
    DV_ADDRX,     /* u: an index into .debug_addr */
    DV_CONST,     /* u: an unsigned constant (also flags) */
    DV_SCONST,    /* s: a signed constant */
    DV_STR,       /* str: a string inside the unit */
    DV_STRP,      /* u: an offset into .debug_str */
    DV_LINE_STRP, /* u: an offset into .debug_line_str */
    DV_STRX,      /* u: an index into .debug_str_offsets */
    DV_REF_UNIT,  /* u: an offset from the start of the unit */
    DV_REF_INFO,  /* u: an offset into .debug_info */
    DV_SECOFF,    /* u: an offset into another section */
    DV_RNGLISTX,  /* u: an index into the unit's range list offsets */
} dwarf_vkind;

typedef struct dwarf_value {
    dwarf_vkind kind;
    uint64_t u;
    int64_t s;
    const char *str;
} dwarf_value;

/* Decodes a value of the given form (implicit is the abbreviation's
 * constant for DW_FORM_implicit_const). Returns 0, or -1 for a form this
 * reader does not know (the rest of the unit cannot be parsed) or when the
 * cursor ran out. */
int dwarf_form_read(dwarf_buf *b, const dwarf_unit *u, uint64_t form, int64_t implicit,
                    dwarf_value *v);

/* The value as a string: DV_STR, DV_STRP, DV_LINE_STRP, DV_STRX. NULL when
 * it is not a string or points outside its section. */
const char *dwarf_value_str(const dwarf_unit *u, const dwarf_value *v);
/* The value as an address (DV_ADDR, DV_ADDRX). 0 or -1. */
int dwarf_value_addr(const dwarf_unit *u, const dwarf_value *v, uint64_t *out);
/* The value as an unsigned constant (DV_CONST, or a DV_SCONST >= 0). 0 or -1. */
int dwarf_value_const(const dwarf_value *v, uint64_t *out);
/* A reference as an offset into .debug_info. 0 or -1. */
int dwarf_value_ref(const dwarf_unit *u, const dwarf_value *v, uint64_t *out);

#pragma GCC visibility pop

#endif
