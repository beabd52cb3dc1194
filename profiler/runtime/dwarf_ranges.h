/* dwarf_ranges.h: the address ranges of a DWARF entry.
 *
 * Code that is not contiguous (a function split into hot and cold parts, an
 * inlined call whose instructions were scheduled apart) is described by
 * DW_AT_ranges instead of DW_AT_low_pc/DW_AT_high_pc: a list in
 * .debug_rnglists (DWARF 5) or .debug_ranges (DWARF 2-4). This reads such a
 * list, or the low/high pair, into [lo, hi) ranges. Empty ranges are
 * dropped; a list that runs past its section ends where the bytes end.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_DWARF_RANGES_H
#define CPUPROF_DWARF_RANGES_H

#include <stdint.h>

#include "dwarf_form.h"

#pragma GCC visibility push(hidden)

/* Receives one range; returns 0, or -1 to stop (out of memory). */
typedef int (*dwarf_range_fn)(void *ctx, uint64_t lo, uint64_t hi);

/* The ranges of the list DW_AT_ranges points to (v: its value). Returns 0,
 * or -1 when the list cannot be located or fn stopped it. */
int dwarf_ranges_list(const dwarf_unit *u, const dwarf_value *v, dwarf_range_fn fn, void *ctx);

/* The range of a DW_AT_low_pc / DW_AT_high_pc pair (high is an address,
 * or with a constant form a length). Returns 0 with *lo, *hi set, or -1. */
int dwarf_ranges_pair(const dwarf_unit *u, const dwarf_value *low, const dwarf_value *high,
                      uint64_t *lo, uint64_t *hi);

#pragma GCC visibility pop

#endif
