/* dwarf_index.h: source positions for code addresses, from an object's
 * DWARF (.debug_line and .debug_info).
 *
 * For an address inside the object (an ELF virtual address: the runtime
 * address minus the load bias), dwarf_index_lookup gives the chain of
 * frames at that instruction, innermost first: the function whose code it
 * is, with the line (and discriminator) from the line table, then for each
 * call that was inlined the function it was pasted into, with the line of
 * that call. A function compiled without inlining gives one frame.
 *
 * The index reads every unit when opened and keeps the image's sections it
 * points into: the image must stay open while the index is used. Nothing is
 * read from separate debug files here.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_DWARF_INDEX_H
#define CPUPROF_DWARF_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "dwarf_form.h"
#include "dwarf_info.h"
#include "dwarf_line.h"
#include "elf_image.h"

#pragma GCC visibility push(hidden)

typedef struct dwarf_index {
    dwarf_sections sec;
    void *owned[9]; /* inflated copies of compressed sections */
    dwarf_lines lines;
    dwarf_scopes scopes;
} dwarf_index;

typedef struct dwarf_frame {
    const char *name;         /* the function (DW_AT_name); NULL when the
                                 address has a line but no known function */
    const char *linkage_name; /* the symbol name, or NULL (C: same as name) */
    const char *decl_file;    /* where the function is defined, "" unknown */
    uint32_t decl_line;       /* line of the function's name, 0 unknown */
    const char *file;         /* the file of this position, "" unknown */
    uint32_t line;            /* 0 unknown */
    uint32_t discr;           /* discriminator as encoded in the DWARF */
} dwarf_frame;

/* Reads the DWARF of im. Returns 0 when the object has a line table or
 * functions, -1 when it has neither (or memory ran out); the index is
 * empty then, and dwarf_index_free is still safe. */
int dwarf_index_open(dwarf_index *dx, const elf_image *im);
void dwarf_index_free(dwarf_index *dx);

/* True when the index holds lines / inlined calls. */
int dwarf_index_has_lines(const dwarf_index *dx);
int dwarf_index_has_inlines(const dwarf_index *dx);

/* The frames at ELF address addr, innermost first, at most max of them
 * (the outermost are dropped when there are more). Returns how many were
 * written; 0 when the address has neither a line nor a function. */
size_t dwarf_index_lookup(const dwarf_index *dx, uint64_t addr, dwarf_frame *out, size_t max);

#pragma GCC visibility pop

#endif
