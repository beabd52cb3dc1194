/* dwarf_abbrev.c: reading one abbreviation table.
 *
 * Invariants: after a successful read, list[] is sorted by code with no
 * duplicates, and every entry's specs range lies inside specs[]. A failed
 * read leaves the table empty (n == 0, loaded == 0), so a lookup finds
 * nothing rather than a half-read entry.
 */
#include "dwarf_abbrev.h"

#include <stdlib.h>
#include <string.h>

static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) ncap *= 2;
    void *n = realloc(*arr, ncap * elem);
    if (n == NULL) return -1;
    *arr = n;
    *cap = ncap;
    return 0;
}

static int code_cmp(const void *a, const void *b) {
    const dwarf_abbrev *x = a, *y = b;
    return x->code < y->code ? -1 : x->code > y->code;
}

static int fail(dwarf_abbrevs *t) {
    t->n = t->nspecs = 0;
    t->loaded = 0;
    return -1;
}

int dwarf_abbrevs_read(dwarf_abbrevs *t, const dwarf_sect *abbrev, uint64_t off) {
    if (t->loaded && t->offset == off) return 0;
    t->n = t->nspecs = 0;
    t->loaded = 0;
    t->offset = off;
    if (abbrev->data == NULL || off >= abbrev->size) return fail(t);
    dwarf_buf b = dwarf_buf_make(abbrev->data + off, abbrev->size - (size_t)off);
    int sorted = 1;
    for (;;) {
        uint64_t code = dwarf_uleb(&b);
        if (b.bad) return fail(t);
        if (code == 0) break;
        if (grow((void **)&t->list, &t->cap, t->n + 1, sizeof(*t->list)) < 0) return fail(t);
        dwarf_abbrev *a = &t->list[t->n];
        a->code = code;
        a->tag = dwarf_uleb(&b);
        a->children = dwarf_u8(&b) != 0;
        a->first = t->nspecs;
        for (;;) {
            uint64_t at = dwarf_uleb(&b), form = dwarf_uleb(&b);
            if (b.bad) return fail(t);
            if (at == 0 && form == 0) break;
            if (grow((void **)&t->specs, &t->specs_cap, t->nspecs + 1, sizeof(*t->specs)) < 0)
                return fail(t);
            dwarf_attr_spec *s = &t->specs[t->nspecs++];
            s->at = at;
            s->form = form;
            s->implicit = form == DW_FORM_implicit_const ? dwarf_sleb(&b) : 0;
        }
        a->n = t->nspecs - a->first;
        if (t->n > 0 && t->list[t->n - 1].code >= code) sorted = 0;
        t->n++;
    }
    if (!sorted) {
        qsort(t->list, t->n, sizeof(*t->list), code_cmp);
        for (size_t i = 1; i < t->n; i++)
            if (t->list[i].code == t->list[i - 1].code) return fail(t);
    }
    t->loaded = 1;
    return 0;
}

void dwarf_abbrevs_free(dwarf_abbrevs *t) {
    free(t->list);
    free(t->specs);
    memset(t, 0, sizeof *t);
}

const dwarf_abbrev *dwarf_abbrevs_find(const dwarf_abbrevs *t, uint64_t code) {
    /* Compilers number codes 1, 2, 3, ...: try the direct slot first. */
    if (code >= 1 && code <= t->n && t->list[code - 1].code == code) return &t->list[code - 1];
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->list[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->list[lo].code == code ? &t->list[lo] : NULL;
}
