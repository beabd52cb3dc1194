/* dwarf_line.c: running line-number programs (DWARF 2 to 5) into one
 * address-sorted row table.
 *
 * Invariants:
 *   - rows[] holds complete sequences only: a sequence's rows are appended
 *     while the program runs and dropped again if the program breaks off
 *     before its DW_LNE_end_sequence.
 *   - After dwarf_lines_finish, sequences are ordered by start address and
 *     keep their internal row order (rows at the same address: the last
 *     one is the one that covers code).
 *   - Every file index stored in a row is < nfiles or DWARF_NO_FILE.
 */
#include "dwarf_line.h"

#include <stdlib.h>
#include <string.h>

enum {
    DW_LNS_copy = 1,
    DW_LNS_advance_pc = 2,
    DW_LNS_advance_line = 3,
    DW_LNS_set_file = 4,
    DW_LNS_const_add_pc = 8,
    DW_LNS_fixed_advance_pc = 9,
    DW_LNE_end_sequence = 1,
    DW_LNE_set_address = 2,
    DW_LNE_set_discriminator = 4,
    DW_LNCT_path = 1,
    DW_LNCT_directory_index = 2,
};

#define MAX_DIRS 65536

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

/* dir/name, or name when it is absolute or dir is empty. */
static int add_file(dwarf_lines *t, const char *dir, const char *name) {
    if (name == NULL) name = "";
    if (grow((void **)&t->files, &t->files_cap, t->nfiles + 1, sizeof(*t->files)) < 0)
        return -1;
    size_t dl = (name[0] == '/' || dir == NULL) ? 0 : strlen(dir);
    size_t nl = strlen(name);
    char *path = malloc(dl + 1 + nl + 1);
    if (path == NULL) return -1;
    if (dl) {
        memcpy(path, dir, dl);
        path[dl] = '/';
        memcpy(path + dl + 1, name, nl + 1);
    } else {
        memcpy(path, name, nl + 1);
    }
    t->files[t->nfiles++] = path;
    return 0;
}

/* ---- the header ------------------------------------------------------- */

typedef struct line_header {
    int version, addr_size;
    uint8_t min_inst, default_stmt, line_range, opcode_base;
    int8_t line_base;
    uint8_t std_len[256];
} line_header;

/* DWARF 2-4: directory strings, then file entries (name, dir, mtime, size). */
static int read_files_v4(dwarf_lines *t, dwarf_buf *b, const char *comp_dir,
                         dwarf_line_files *out) {
    const char *dirs[1024];
    size_t ndirs = 0;
    dirs[ndirs++] = comp_dir;
    for (;;) {
        const char *d = dwarf_cstr(b);
        if (d == NULL) return -1;
        if (*d == 0) break;
        if (ndirs < sizeof dirs / sizeof dirs[0]) dirs[ndirs++] = d;
    }
    out->first = 1;
    out->base = (uint32_t)t->nfiles;
    for (;;) {
        const char *name = dwarf_cstr(b);
        if (name == NULL) return -1;
        if (*name == 0) break;
        uint64_t di = dwarf_uleb(b);
        dwarf_uleb(b);
        dwarf_uleb(b);
        if (b->bad) return -1;
        if (add_file(t, di < ndirs ? dirs[di] : NULL, name) < 0) return -1;
        out->count++;
    }
    return 0;
}

/* One DWARF 5 entry format: (content type, form) pairs. */
typedef struct entry_format {
    uint64_t type[16], form[16];
    int n;
} entry_format;

static int read_format(dwarf_buf *b, entry_format *f) {
    f->n = dwarf_u8(b);
    if (f->n > 16) return -1;
    for (int i = 0; i < f->n; i++) {
        f->type[i] = dwarf_uleb(b);
        f->form[i] = dwarf_uleb(b);
    }
    return b->bad ? -1 : 0;
}

/* One entry: its path and its directory index (when it has them). */
static int read_entry(dwarf_buf *b, const dwarf_unit *u, const entry_format *f,
                      const char **path, uint64_t *dir) {
    *path = NULL;
    *dir = 0;
    for (int i = 0; i < f->n; i++) {
        dwarf_value v;
        if (dwarf_form_read(b, u, f->form[i], 0, &v) < 0) return -1;
        if (f->type[i] == DW_LNCT_path)
            *path = dwarf_value_str(u, &v);
        else if (f->type[i] == DW_LNCT_directory_index)
            dwarf_value_const(&v, dir);
    }
    return 0;
}

/* DWARF 5: directory and file tables described by entry formats. */
static int read_files_v5(dwarf_lines *t, dwarf_buf *b, const dwarf_unit *u,
                         dwarf_line_files *out) {
    entry_format f;
    if (read_format(b, &f) < 0) return -1;
    uint64_t ndirs = dwarf_uleb(b);
    if (b->bad || ndirs > MAX_DIRS) return -1;
    const char **dirs = calloc(ndirs ? ndirs : 1, sizeof(*dirs));
    if (dirs == NULL) return -1;
    int rc = 0;
    for (uint64_t i = 0; i < ndirs && rc == 0; i++) {
        uint64_t unused;
        rc = read_entry(b, u, &f, &dirs[i], &unused);
    }
    if (rc == 0) rc = read_format(b, &f);
    uint64_t nfiles = rc == 0 ? dwarf_uleb(b) : 0;
    out->first = 0;
    out->base = (uint32_t)t->nfiles;
    for (uint64_t i = 0; i < nfiles && rc == 0 && !b->bad; i++) {
        const char *name;
        uint64_t di;
        rc = read_entry(b, u, &f, &name, &di);
        if (rc == 0) rc = add_file(t, di < ndirs ? dirs[di] : NULL, name);
        if (rc == 0) out->count++;
    }
    free(dirs);
    return rc == 0 && !b->bad ? 0 : -1;
}

/* ---- the program ------------------------------------------------------ */

typedef struct machine {
    uint64_t addr;
    uint64_t file;
    int64_t line;
    uint32_t discr;
} machine;

static void machine_reset(machine *m) {
    m->addr = 0;
    m->file = 1;
    m->line = 1;
    m->discr = 0;
}

static int emit(dwarf_lines *t, const machine *m, const dwarf_line_files *pf, int end) {
    if (grow((void **)&t->rows, &t->rows_cap, t->nrows + 1, sizeof(*t->rows)) < 0) return -1;
    dwarf_row *r = &t->rows[t->nrows++];
    r->addr = m->addr;
    r->line = m->line > 0 && m->line <= INT32_MAX ? (uint32_t)m->line : 0;
    r->file = dwarf_line_file(pf, m->file);
    r->discr = m->discr;
    r->end = (uint32_t)end;
    return 0;
}

static int close_sequence(dwarf_lines *t, size_t start) {
    if (t->nrows == start) return 0;
    if (grow((void **)&t->seqs, &t->seqs_cap, t->nseqs + 1, sizeof(*t->seqs)) < 0) return -1;
    dwarf_seq *s = &t->seqs[t->nseqs++];
    s->start = start;
    s->n = t->nrows - start;
    s->lo = t->rows[start].addr;
    return 0;
}

static int run_program(dwarf_lines *t, dwarf_buf *b, const line_header *h,
                       const dwarf_line_files *pf) {
    machine m;
    machine_reset(&m);
    size_t seq_start = t->nrows;
    while (dwarf_buf_left(b) > 0) {
        uint8_t op = dwarf_u8(b);
        if (op >= h->opcode_base) {
            unsigned adj = (unsigned)(op - h->opcode_base);
            m.addr += (uint64_t)(adj / h->line_range) * h->min_inst;
            m.line += h->line_base + (int)(adj % h->line_range);
            if (emit(t, &m, pf, 0) < 0) return -1;
            m.discr = 0;
            continue;
        }
        switch (op) {
        case 0: {
            uint64_t len = dwarf_uleb(b);
            dwarf_buf ext = dwarf_sub(b, len);
            if (b->bad || len == 0) goto broken;
            uint8_t sub = dwarf_u8(&ext);
            if (sub == DW_LNE_end_sequence) {
                if (emit(t, &m, pf, 1) < 0 || close_sequence(t, seq_start) < 0) return -1;
                seq_start = t->nrows;
                machine_reset(&m);
            } else if (sub == DW_LNE_set_address) {
                size_t n = dwarf_buf_left(&ext);
                if (n != 4 && n != 8) goto broken;
                m.addr = dwarf_uint(&ext, n);
            } else if (sub == DW_LNE_set_discriminator) {
                m.discr = (uint32_t)dwarf_uleb(&ext);
            }
            break;
        }
        case DW_LNS_copy:
            if (emit(t, &m, pf, 0) < 0) return -1;
            m.discr = 0;
            break;
        case DW_LNS_advance_pc: m.addr += dwarf_uleb(b) * h->min_inst; break;
        case DW_LNS_advance_line: m.line += dwarf_sleb(b); break;
        case DW_LNS_set_file: m.file = dwarf_uleb(b); break;
        case DW_LNS_const_add_pc:
            m.addr += (uint64_t)((255u - h->opcode_base) / h->line_range) * h->min_inst;
            break;
        case DW_LNS_fixed_advance_pc: m.addr += dwarf_u16(b); break;
        default:
            /* Standard opcodes without meaning for addresses (columns,
             * flags, ISA) and unknown ones: skip their ULEB operands. */
            for (unsigned i = 0; i < h->std_len[op]; i++) dwarf_uleb(b);
            break;
        }
        if (b->bad) goto broken;
    }
    t->nrows = seq_start; /* an unterminated sequence is dropped */
    return 0;
broken:
    t->nrows = seq_start;
    return -1;
}

int dwarf_lines_add(dwarf_lines *t, const dwarf_sections *s, uint64_t off, const char *comp_dir,
                    dwarf_line_files *out) {
    out->base = (uint32_t)t->nfiles;
    out->count = 0;
    out->first = 1;
    if (s->line.data == NULL || off >= s->line.size) return -1;
    dwarf_buf all = dwarf_buf_make(s->line.data + off, s->line.size - (size_t)off);
    int osz;
    uint64_t len = dwarf_unit_length(&all, &osz);
    dwarf_buf b = dwarf_sub(&all, len);
    if (all.bad) return -1;
    line_header h;
    memset(&h, 0, sizeof h);
    h.version = dwarf_u16(&b);
    if (h.version < 2 || h.version > 5) return -1;
    h.addr_size = 8;
    if (h.version >= 5) {
        h.addr_size = dwarf_u8(&b);
        dwarf_u8(&b); /* segment selector size */
    }
    uint64_t hlen = dwarf_uint(&b, (size_t)osz);
    dwarf_buf hb = dwarf_sub(&b, hlen);
    if (b.bad) return -1;
    h.min_inst = dwarf_u8(&hb);
    if (h.version >= 4) dwarf_u8(&hb); /* maximum operations per instruction */
    h.default_stmt = dwarf_u8(&hb);
    h.line_base = (int8_t)dwarf_u8(&hb);
    h.line_range = dwarf_u8(&hb);
    h.opcode_base = dwarf_u8(&hb);
    if (hb.bad || h.line_range == 0 || h.opcode_base == 0) return -1;
    for (unsigned i = 1; i < h.opcode_base; i++) h.std_len[i] = dwarf_u8(&hb);
    int rc;
    if (h.version >= 5) {
        dwarf_unit u;
        memset(&u, 0, sizeof u);
        u.sec = s;
        u.version = h.version;
        u.offset_size = osz;
        u.addr_size = h.addr_size == 4 ? 4 : 8;
        rc = read_files_v5(t, &hb, &u, out);
    } else {
        rc = read_files_v4(t, &hb, comp_dir, out);
    }
    if (rc < 0) return -1;
    return run_program(t, &b, &h, out);
}

static int seq_cmp(const void *a, const void *b) {
    const dwarf_seq *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

int dwarf_lines_finish(dwarf_lines *t) {
    if (t->nseqs == 0) {
        free(t->seqs);
        t->seqs = NULL;
        t->nrows = 0;
        return 0;
    }
    qsort(t->seqs, t->nseqs, sizeof(*t->seqs), seq_cmp);
    dwarf_row *rows = malloc(t->nrows * sizeof(*rows));
    if (rows == NULL) return -1;
    size_t n = 0;
    for (size_t i = 0; i < t->nseqs; i++) {
        memcpy(rows + n, t->rows + t->seqs[i].start, t->seqs[i].n * sizeof(*rows));
        n += t->seqs[i].n;
    }
    free(t->rows);
    t->rows = rows;
    t->nrows = t->rows_cap = n;
    free(t->seqs);
    t->seqs = NULL;
    t->nseqs = t->seqs_cap = 0;
    return 0;
}

void dwarf_lines_free(dwarf_lines *t) {
    for (size_t i = 0; i < t->nfiles; i++) free(t->files[i]);
    free(t->files);
    free(t->rows);
    free(t->seqs);
    memset(t, 0, sizeof *t);
}

const dwarf_row *dwarf_lines_find(const dwarf_lines *t, uint64_t addr) {
    size_t lo = 0, hi = t->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->rows[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    const dwarf_row *r = &t->rows[lo - 1];
    return r->end ? NULL : r;
}

uint32_t dwarf_line_file(const dwarf_line_files *pf, uint64_t f) {
    if (f < pf->first || f - pf->first >= pf->count) return DWARF_NO_FILE;
    return pf->base + (uint32_t)(f - pf->first);
}

const char *dwarf_lines_path(const dwarf_lines *t, uint32_t i) {
    return i < t->nfiles ? t->files[i] : "";
}
