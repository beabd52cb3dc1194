/* dwarf_abbrev.h: a unit's abbreviation table, from .debug_abbrev.
 *
 * Every entry of .debug_info starts with an abbreviation code that says its
 * tag, whether it has children, and the (attribute, form) pairs of its
 * values; the table for a unit starts at the offset its header names. This
 * reads one table into an array sorted by code.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_DWARF_ABBREV_H
#define CPUPROF_DWARF_ABBREV_H

#include <stddef.h>
#include <stdint.h>

#include "dwarf_form.h"

#pragma GCC visibility push(hidden)

typedef struct dwarf_attr_spec {
    uint64_t at, form;
    int64_t implicit; /* the value of a DW_FORM_implicit_const */
} dwarf_attr_spec;

typedef struct dwarf_abbrev {
    uint64_t code, tag;
    int children;
    size_t first, n; /* its attribute specs: specs[first .. first + n) */
} dwarf_abbrev;

typedef struct dwarf_abbrevs {
    dwarf_abbrev *list; /* sorted by code, codes unique */
    size_t n, cap;
    dwarf_attr_spec *specs;
    size_t nspecs, specs_cap;
    uint64_t offset; /* where the table was read from */
    int loaded;
} dwarf_abbrevs;

/* Reads the table at offset off, replacing what t held (t is reused from
 * unit to unit; the same offset twice is not read again). 0, or -1 when the
 * table is malformed or memory ran out (t is then empty). */
int dwarf_abbrevs_read(dwarf_abbrevs *t, const dwarf_sect *abbrev, uint64_t off);
void dwarf_abbrevs_free(dwarf_abbrevs *t);

/* The abbreviation with this code, or NULL. */
const dwarf_abbrev *dwarf_abbrevs_find(const dwarf_abbrevs *t, uint64_t code);

#pragma GCC visibility pop

#endif
