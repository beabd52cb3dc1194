/* dwarf_index.c: opening an object's DWARF and answering address lookups.
 *
 * Invariants: sec[] points into the image or into owned[] copies; a lookup
 * only reads the finished tables (no allocation, no parsing), so it is
 * cheap and cannot fail on bad input; every string it returns lives as long
 * as the index and the image.
 */
#include "dwarf_index.h"

#include <stdlib.h>
#include <string.h>

static const char *const section_names[9] = {
    ".debug_info",    ".debug_abbrev",      ".debug_line",
    ".debug_str",     ".debug_line_str",    ".debug_str_offsets",
    ".debug_addr",    ".debug_rnglists",    ".debug_ranges",
};

static dwarf_sect *section_slot(dwarf_sections *s, int i) {
    dwarf_sect *slots[9] = {&s->info,        &s->abbrev, &s->line,     &s->str,   &s->line_str,
                            &s->str_offsets, &s->addr,   &s->rnglists, &s->ranges};
    return slots[i];
}

int dwarf_index_open(dwarf_index *dx, const elf_image *im) {
    memset(dx, 0, sizeof *dx);
    for (int i = 0; i < 9; i++) {
        Elf64_Shdr sh;
        if (elf_section_by_name(im, section_names[i], &sh) < 0) continue;
        dwarf_sect *d = section_slot(&dx->sec, i);
        if (elf_section_data(im, &sh, &d->data, &d->size, &dx->owned[i]) < 0) {
            d->data = NULL;
            d->size = 0;
        }
    }
    if (dx->sec.info.data == NULL) {
        dwarf_index_free(dx);
        return -1;
    }
    if (dwarf_scopes_read(&dx->scopes, &dx->lines, &dx->sec) < 0 ||
        dwarf_lines_finish(&dx->lines) < 0) {
        dwarf_index_free(dx);
        return -1;
    }
    if (dx->lines.nrows == 0 && dx->scopes.n == 0) {
        dwarf_index_free(dx);
        return -1;
    }
    return 0;
}

void dwarf_index_free(dwarf_index *dx) {
    dwarf_scopes_free(&dx->scopes);
    dwarf_lines_free(&dx->lines);
    for (int i = 0; i < 9; i++) free(dx->owned[i]);
    memset(dx, 0, sizeof *dx);
}

int dwarf_index_has_lines(const dwarf_index *dx) {
    return dx->lines.nrows > 0;
}

int dwarf_index_has_inlines(const dwarf_index *dx) {
    for (size_t i = 0; i < dx->scopes.n; i++)
        if (dx->scopes.scopes[i].parent >= 0) return 1;
    return 0;
}

static void set_function(const dwarf_index *dx, dwarf_frame *f, const dwarf_scope *s) {
    f->name = s->name;
    f->linkage_name = s->linkage_name;
    f->decl_line = s->decl_line;
    f->decl_file = dwarf_lines_path(&dx->lines, s->decl_file);
}

size_t dwarf_index_lookup(const dwarf_index *dx, uint64_t addr, dwarf_frame *out, size_t max) {
    if (max == 0) return 0;
    const dwarf_row *row = dwarf_lines_find(&dx->lines, addr);
    long sc = dwarf_scopes_find(&dx->scopes, addr);
    if (row == NULL && sc < 0) return 0;
    dwarf_frame *f = &out[0];
    memset(f, 0, sizeof *f);
    f->decl_file = f->file = "";
    if (row != NULL) {
        f->line = row->line;
        f->discr = row->discr;
        f->file = dwarf_lines_path(&dx->lines, row->file);
    }
    if (sc < 0) return 1;
    const dwarf_scope *s = &dx->scopes.scopes[sc];
    set_function(dx, f, s);
    size_t n = 1;
    /* Each inlined scope was called from its parent at call_line. */
    while (s->parent >= 0 && n < max) {
        const dwarf_scope *p = &dx->scopes.scopes[s->parent];
        f = &out[n++];
        set_function(dx, f, p);
        f->line = s->call_line;
        f->discr = s->call_discr;
        f->file = dwarf_lines_path(&dx->lines, s->call_file);
        s = p;
    }
    return n;
}
