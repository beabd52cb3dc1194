/* dwarf_info.c: walking .debug_info into the scope tree of dwarf_info.h.
 *
 * Invariants:
 *   - scopes[] is in entry order; scope i's subtree is [i, scopes[i].end),
 *     and every scope in it other than i has its parent inside it.
 *   - A scope exists only when at least one of its ranges is non-empty; a
 *     function whose code starts at address 0 (one the linker discarded,
 *     which gcc leaves in the debug info at 0) gets no scope, and neither
 *     do the calls inlined into it.
 *   - ranges[] entries of scope i are contiguous; top[] is sorted by lo.
 *   - Strings point into the sections (owned by the caller's image), never
 *     into freed memory.
 */
#include "dwarf_info.h"

#include <stdlib.h>
#include <string.h>

#include "dwarf_abbrev.h"
#include "dwarf_ranges.h"

enum {
    DW_UT_compile = 1,
    DW_UT_type = 2,
    DW_UT_partial = 3,
    DW_UT_split_type = 6,
    DW_AT_comp_dir = 0x1b,
};

#define MAX_DEPTH 4096
#define MAX_ORIGIN_HOPS 8

struct dwarf_decl {
    uint64_t die, origin;
    const char *name, *linkage;
    uint32_t decl_line, decl_file;
};

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

/* ---- one entry's attributes ------------------------------------------- */

enum {
    A_NAME, A_LINKAGE, A_LOW, A_HIGH, A_RANGES, A_DECL_FILE, A_DECL_LINE, A_CALL_FILE,
    A_CALL_LINE, A_DISCR, A_ORIGIN, A_SPEC, A_STMT, A_COMP_DIR, A_STR_BASE, A_ADDR_BASE,
    A_RNG_BASE, A_COUNT
};

typedef struct die_attrs {
    unsigned have; /* bit i: slot i was read */
    dwarf_value v[A_COUNT];
} die_attrs;

static int slot_of(uint64_t at) {
    switch (at) {
    case DW_AT_name: return A_NAME;
    case DW_AT_linkage_name:
    case DW_AT_MIPS_linkage_name: return A_LINKAGE;
    case DW_AT_low_pc: return A_LOW;
    case DW_AT_high_pc: return A_HIGH;
    case DW_AT_ranges: return A_RANGES;
    case DW_AT_decl_file: return A_DECL_FILE;
    case DW_AT_decl_line: return A_DECL_LINE;
    case DW_AT_call_file: return A_CALL_FILE;
    case DW_AT_call_line: return A_CALL_LINE;
    case DW_AT_GNU_discriminator: return A_DISCR;
    case DW_AT_abstract_origin: return A_ORIGIN;
    case DW_AT_specification: return A_SPEC;
    case DW_AT_stmt_list: return A_STMT;
    case DW_AT_comp_dir: return A_COMP_DIR;
    case DW_AT_str_offsets_base: return A_STR_BASE;
    case DW_AT_addr_base:
    case DW_AT_GNU_addr_base: return A_ADDR_BASE;
    case DW_AT_rnglists_base: return A_RNG_BASE;
    default: return -1;
    }
}

static int read_die(dwarf_buf *b, const dwarf_unit *u, const dwarf_abbrevs *ab,
                    const dwarf_abbrev *a, die_attrs *d) {
    d->have = 0;
    for (size_t i = 0; i < a->n; i++) {
        const dwarf_attr_spec *s = &ab->specs[a->first + i];
        dwarf_value v;
        if (dwarf_form_read(b, u, s->form, s->implicit, &v) < 0) return -1;
        int k = slot_of(s->at);
        if (k >= 0) {
            d->v[k] = v;
            d->have |= 1u << k;
        }
    }
    return 0;
}

static int has(const die_attrs *d, int k) { return (d->have >> k) & 1; }

static const char *attr_str(const dwarf_unit *u, const die_attrs *d, int k) {
    return has(d, k) ? dwarf_value_str(u, &d->v[k]) : NULL;
}

static uint64_t attr_const(const die_attrs *d, int k) {
    uint64_t x = 0;
    if (!has(d, k) || dwarf_value_const(&d->v[k], &x) < 0) return 0;
    return x;
}

/* A section offset (DW_FORM_sec_offset, or a constant in DWARF 2-3). */
static uint64_t attr_offset(const die_attrs *d, int k) {
    if (has(d, k) && d->v[k].kind == DV_SECOFF) return d->v[k].u;
    return attr_const(d, k);
}

static uint32_t attr_u32(const die_attrs *d, int k) {
    uint64_t x = attr_const(d, k);
    return x <= UINT32_MAX ? (uint32_t)x : 0;
}

static uint32_t attr_file(const die_attrs *d, int k, const dwarf_line_files *pf) {
    return has(d, k) ? dwarf_line_file(pf, attr_const(d, k)) : DWARF_NO_FILE;
}

static uint64_t attr_ref(const dwarf_unit *u, const die_attrs *d) {
    uint64_t off = 0;
    int k = has(d, A_ORIGIN) ? A_ORIGIN : has(d, A_SPEC) ? A_SPEC : -1;
    if (k < 0 || dwarf_value_ref(u, &d->v[k], &off) < 0) return 0;
    return off;
}

/* ---- scopes ----------------------------------------------------------- */

typedef struct range_ctx {
    dwarf_scopes *t;
    uint32_t scope;
    int top; /* drop ranges at address 0 */
} range_ctx;

static int add_range(void *ctx, uint64_t lo, uint64_t hi) {
    range_ctx *c = ctx;
    if (c->top && lo == 0) return 0;
    dwarf_scopes *t = c->t;
    if (grow((void **)&t->ranges, &t->ranges_cap, t->nranges + 1, sizeof(*t->ranges)) < 0)
        return -1;
    t->ranges[t->nranges++] = (dwarf_range){lo, hi, c->scope};
    return 0;
}

/* Adds a scope for the entry when it has code; returns its index, -1 when
 * it has none, -2 on out of memory. */
static long add_scope(dwarf_scopes *t, const dwarf_unit *u, const die_attrs *d,
                      const dwarf_line_files *pf, uint64_t die, int32_t parent) {
    if (t->n >= INT32_MAX) return -1;
    uint32_t idx = (uint32_t)t->n;
    size_t r0 = t->nranges;
    range_ctx c = {t, idx, parent < 0};
    if (has(d, A_RANGES)) {
        /* A malformed list keeps the ranges read before the damage. */
        (void)dwarf_ranges_list(u, &d->v[A_RANGES], add_range, &c);
    } else if (has(d, A_LOW) && has(d, A_HIGH)) {
        uint64_t lo, hi;
        if (dwarf_ranges_pair(u, &d->v[A_LOW], &d->v[A_HIGH], &lo, &hi) == 0 &&
            add_range(&c, lo, hi) < 0)
            return -2;
    }
    if (t->nranges == r0) return -1;
    if (grow((void **)&t->scopes, &t->cap, t->n + 1, sizeof(*t->scopes)) < 0) {
        t->nranges = r0;
        return -2;
    }
    dwarf_scope *s = &t->scopes[t->n++];
    memset(s, 0, sizeof *s);
    s->name = attr_str(u, d, A_NAME);
    s->linkage_name = attr_str(u, d, A_LINKAGE);
    s->decl_line = attr_u32(d, A_DECL_LINE);
    s->decl_file = attr_file(d, A_DECL_FILE, pf);
    s->call_line = attr_u32(d, A_CALL_LINE);
    s->call_file = attr_file(d, A_CALL_FILE, pf);
    s->call_discr = attr_u32(d, A_DISCR);
    s->parent = parent;
    s->end = idx + 1;
    s->r_first = (uint32_t)r0;
    s->r_n = (uint32_t)(t->nranges - r0);
    s->die = die;
    s->origin = attr_ref(u, d);
    return idx;
}

static int add_decl(dwarf_scopes *t, const dwarf_unit *u, const die_attrs *d,
                    const dwarf_line_files *pf, uint64_t die) {
    if (grow((void **)&t->decls, &t->decls_cap, t->ndecls + 1, sizeof(*t->decls)) < 0)
        return -1;
    dwarf_decl *x = &t->decls[t->ndecls++];
    x->die = die;
    x->origin = attr_ref(u, d);
    x->name = attr_str(u, d, A_NAME);
    x->linkage = attr_str(u, d, A_LINKAGE);
    x->decl_line = attr_u32(d, A_DECL_LINE);
    x->decl_file = attr_file(d, A_DECL_FILE, pf);
    return 0;
}

/* ---- units ------------------------------------------------------------ */

typedef struct level {
    int32_t scope; /* the scope children belong to, -1 none */
    int32_t own;   /* the scope this entry made, -1 none */
} level;

/* Closes every open level's scope at the current end of the table. */
static void close_levels(dwarf_scopes *t, const level *stack, size_t depth) {
    for (size_t i = 0; i < depth; i++)
        if (stack[i].own >= 0) t->scopes[stack[i].own].end = (uint32_t)t->n;
}

/* Walks the entries of one unit. Returns 0 (also when the unit turned out
 * malformed: it simply ends there), or -1 on out of memory. */
static int walk_unit(dwarf_scopes *t, dwarf_lines *lines, dwarf_unit *u, dwarf_buf *b,
                     dwarf_abbrevs *ab, level *stack) {
    die_attrs d;
    const dwarf_abbrev *a = dwarf_abbrevs_find(ab, dwarf_uleb(b));
    if (b->bad || a == NULL || read_die(b, u, ab, a, &d) < 0) return 0;
    if (a->tag != DW_TAG_compile_unit && a->tag != DW_TAG_partial_unit &&
        a->tag != DW_TAG_skeleton_unit)
        return 0;
    /* The bases first: the root's own strings and addresses may use them. */
    u->str_offsets_base = has(&d, A_STR_BASE) ? attr_offset(&d, A_STR_BASE) : 8;
    u->addr_base = has(&d, A_ADDR_BASE) ? attr_offset(&d, A_ADDR_BASE) : 8;
    u->rnglists_base = has(&d, A_RNG_BASE) ? attr_offset(&d, A_RNG_BASE) : 12;
    if (has(&d, A_LOW)) dwarf_value_addr(u, &d.v[A_LOW], &u->base_pc);
    dwarf_line_files pf = {0, 0, 1};
    if (has(&d, A_STMT))
        (void)dwarf_lines_add(lines, u->sec, attr_offset(&d, A_STMT), attr_str(u, &d, A_COMP_DIR),
                              &pf);
    if (!a->children) return 0;
    size_t depth = 0;
    stack[depth++] = (level){-1, -1};
    while (depth > 0 && dwarf_buf_left(b) > 0) {
        uint64_t die = (uint64_t)(b->p - u->sec->info.data);
        uint64_t code = dwarf_uleb(b);
        if (b->bad) break;
        if (code == 0) {
            depth--;
            if (stack[depth].own >= 0) t->scopes[stack[depth].own].end = (uint32_t)t->n;
            continue;
        }
        a = dwarf_abbrevs_find(ab, code);
        if (a == NULL || read_die(b, u, ab, a, &d) < 0) break;
        long own = -1;
        int32_t parent = stack[depth - 1].scope;
        if (a->tag == DW_TAG_subprogram) {
            if (add_decl(t, u, &d, &pf, die) < 0) goto oom;
            own = add_scope(t, u, &d, &pf, die, -1);
        } else if (a->tag == DW_TAG_inlined_subroutine && parent >= 0) {
            own = add_scope(t, u, &d, &pf, die, parent);
        }
        if (own == -2) goto oom;
        if (a->children) {
            if (depth == MAX_DEPTH) break;
            stack[depth++] = (level){own >= 0 ? (int32_t)own : parent, (int32_t)own};
        }
    }
    close_levels(t, stack, depth);
    return 0;
oom:
    close_levels(t, stack, depth);
    return -1;
}

static int decl_cmp(const void *a, const void *b) {
    const dwarf_decl *x = a, *y = b;
    return x->die < y->die ? -1 : x->die > y->die;
}

static const dwarf_decl *find_decl(const dwarf_scopes *t, uint64_t die) {
    size_t lo = 0, hi = t->ndecls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->decls[mid].die < die)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->ndecls && t->decls[lo].die == die ? &t->decls[lo] : NULL;
}

/* Fills what a scope's own entry lacks from the entries it refers to. */
static void resolve_names(dwarf_scopes *t) {
    if (t->ndecls) qsort(t->decls, t->ndecls, sizeof(*t->decls), decl_cmp);
    for (size_t i = 0; i < t->n; i++) {
        dwarf_scope *s = &t->scopes[i];
        uint64_t off = s->origin;
        for (int hops = 0; off != 0 && hops < MAX_ORIGIN_HOPS; hops++) {
            const dwarf_decl *x = find_decl(t, off);
            if (x == NULL) break;
            if (s->name == NULL) s->name = x->name;
            if (s->linkage_name == NULL) s->linkage_name = x->linkage;
            if (s->decl_line == 0) {
                s->decl_line = x->decl_line;
                s->decl_file = x->decl_file;
            }
            off = x->origin;
        }
    }
}

static int range_cmp(const void *a, const void *b) {
    const dwarf_range *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    return x->hi < y->hi ? -1 : x->hi > y->hi;
}

static int build_top(dwarf_scopes *t) {
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->scopes[i].parent < 0) n += t->scopes[i].r_n;
    t->top = malloc((n ? n : 1) * sizeof(*t->top));
    if (t->top == NULL) return -1;
    for (size_t i = 0; i < t->n; i++) {
        const dwarf_scope *s = &t->scopes[i];
        if (s->parent >= 0) continue;
        memcpy(t->top + t->ntop, t->ranges + s->r_first, s->r_n * sizeof(*t->top));
        t->ntop += s->r_n;
    }
    qsort(t->top, t->ntop, sizeof(*t->top), range_cmp);
    return 0;
}

int dwarf_scopes_read(dwarf_scopes *t, dwarf_lines *lines, const dwarf_sections *s) {
    dwarf_abbrevs ab;
    memset(&ab, 0, sizeof ab);
    level *stack = malloc(MAX_DEPTH * sizeof(*stack));
    if (stack == NULL) return -1;
    int rc = 0;
    uint64_t pos = 0;
    while (rc == 0 && s->info.data != NULL && pos < s->info.size) {
        dwarf_buf all = dwarf_buf_make(s->info.data + pos, s->info.size - (size_t)pos);
        dwarf_unit u;
        memset(&u, 0, sizeof u);
        u.sec = s;
        u.offset = pos;
        uint64_t len = dwarf_unit_length(&all, &u.offset_size);
        dwarf_buf b = dwarf_sub(&all, len);
        if (all.bad || len == 0) break;
        pos = (uint64_t)(all.p - s->info.data);
        u.end = pos;
        u.version = dwarf_u16(&b);
        uint64_t abbrev_off;
        int kind = DW_UT_compile;
        if (u.version >= 5) {
            kind = dwarf_u8(&b);
            u.addr_size = dwarf_u8(&b);
            abbrev_off = dwarf_uint(&b, (size_t)u.offset_size);
            if (kind == DW_UT_type || kind == DW_UT_split_type)
                dwarf_skip(&b, 8 + (uint64_t)u.offset_size); /* signature, type offset */
            else if (kind != DW_UT_compile && kind != DW_UT_partial)
                dwarf_skip(&b, 8); /* skeleton and split units: the dwo id */
        } else {
            abbrev_off = dwarf_uint(&b, (size_t)u.offset_size);
            u.addr_size = dwarf_u8(&b);
        }
        if (b.bad || u.version < 2 || u.version > 5 || (u.addr_size != 4 && u.addr_size != 8))
            continue;
        if (dwarf_abbrevs_read(&ab, &s->abbrev, abbrev_off) < 0) continue;
        rc = walk_unit(t, lines, &u, &b, &ab, stack);
    }
    free(stack);
    dwarf_abbrevs_free(&ab);
    if (rc == 0) {
        resolve_names(t);
        rc = build_top(t);
    }
    return rc;
}

void dwarf_scopes_free(dwarf_scopes *t) {
    free(t->scopes);
    free(t->ranges);
    free(t->top);
    free(t->decls);
    memset(t, 0, sizeof *t);
}

static int contains(const dwarf_scopes *t, size_t i, uint64_t addr) {
    const dwarf_scope *s = &t->scopes[i];
    for (uint32_t r = 0; r < s->r_n; r++) {
        const dwarf_range *x = &t->ranges[s->r_first + r];
        if (x->lo <= addr && addr < x->hi) return 1;
    }
    return 0;
}

long dwarf_scopes_find(const dwarf_scopes *t, uint64_t addr) {
    size_t lo = 0, hi = t->ntop;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->top[mid].lo <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || addr >= t->top[lo - 1].hi) return -1;
    size_t cur = t->top[lo - 1].scope;
    size_t end = t->scopes[cur].end;
    for (size_t i = cur + 1; i < end && i < t->n; i++) {
        const dwarf_scope *s = &t->scopes[i];
        if (s->parent != (int32_t)cur) continue;
        if (contains(t, i, addr))
            cur = i;
        else if (s->end > i + 1)
            i = s->end - 1; /* skip the subtree */
    }
    return (long)cur;
}
