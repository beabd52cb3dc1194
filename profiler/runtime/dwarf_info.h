/* dwarf_info.h: the functions of an object and the calls inlined into them,
 * from .debug_info.
 *
 * The reader walks every compile unit's entries and keeps two kinds:
 *   - DW_TAG_subprogram with code (low/high pc or ranges): a top-level
 *     scope, the function as it exists in the binary;
 *   - DW_TAG_inlined_subroutine inside one: a nested scope, a copy of
 *     another function pasted into its caller, which records where it was
 *     pasted (DW_AT_call_file, DW_AT_call_line, DW_AT_GNU_discriminator).
 * Scopes are stored in entry order (a parent before its descendants, each
 * subtree contiguous), with their address ranges. A scope's name and
 * declaration line come from its own entry or, for inlined copies and
 * out-of-line instances, from the entry its DW_AT_abstract_origin (or
 * DW_AT_specification) points to, resolved once all units are read.
 *
 * Running the units also runs their line programs (DW_AT_stmt_list) into
 * the line table given, so that file numbers resolve to paths.
 *
 * Bad input: a unit that cannot be parsed (unknown form, bad abbreviation,
 * truncation) ends there; scopes completed before stay. Never crashes.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_DWARF_INFO_H
#define CPUPROF_DWARF_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "dwarf_form.h"
#include "dwarf_line.h"

#pragma GCC visibility push(hidden)

typedef struct dwarf_scope {
    const char *name;         /* DW_AT_name, or NULL when none was found */
    const char *linkage_name; /* DW_AT_linkage_name, or NULL */
    uint32_t decl_line;       /* the line of the function's name, 0 unknown */
    uint32_t decl_file;       /* line-table file index, or DWARF_NO_FILE */
    uint32_t call_line;       /* inlined scopes: the call site in the parent */
    uint32_t call_file;
    uint32_t call_discr;
    int32_t parent;           /* enclosing scope, -1 for a function */
    uint32_t end;             /* one past the last scope of its subtree */
    uint32_t r_first, r_n;    /* its ranges: ranges[r_first .. + r_n) */
    uint64_t die;             /* offset of its entry in .debug_info */
    uint64_t origin;          /* the entry naming it (0: its own) */
} dwarf_scope;

typedef struct dwarf_range {
    uint64_t lo, hi;
    uint32_t scope;
} dwarf_range;

typedef struct dwarf_decl dwarf_decl; /* private to dwarf_info.c */

typedef struct dwarf_scopes {
    dwarf_scope *scopes;
    size_t n, cap;
    dwarf_range *ranges; /* per scope, contiguous */
    size_t nranges, ranges_cap;
    dwarf_range *top;    /* ranges of functions, sorted by lo */
    size_t ntop;
    dwarf_decl *decls;   /* subprogram entries by offset, for names */
    size_t ndecls, decls_cap;
} dwarf_scopes;

/* Reads all units of s->info into t, and their line programs into lines.
 * Returns 0, or -1 when memory ran out. */
int dwarf_scopes_read(dwarf_scopes *t, dwarf_lines *lines, const dwarf_sections *s);
void dwarf_scopes_free(dwarf_scopes *t);

/* The innermost scope whose ranges contain addr, or -1 when no function
 * does. Its parents are reached through `parent`. */
long dwarf_scopes_find(const dwarf_scopes *t, uint64_t addr);

#pragma GCC visibility pop

#endif
