/* export_llvm.c: `cpuprof -llvm_sample=OUT FILE`, a CPU profile turned into
 * LLVM's text sample profile, the input of clang's -fprofile-sample-use.
 *
 * The format has one record per function the samples ran in:
 *
 *     name:total:head
 *      offset[.discriminator]: count [callee:count ...]
 *      offset[.discriminator]: inlined_callee:total
 *       offset: count ...               (the callee's lines, one level deeper)
 *
 * where offset is a source line minus the line of the function's name
 * (DW_AT_decl_line), so the profile survives edits elsewhere in the file,
 * and the discriminator (the base part of the DWARF one) tells apart blocks
 * that share a line. What goes in:
 *   - body counts: each sample counts once, at the leaf's line, in the
 *     record of the function the instruction belongs to; a leaf inside an
 *     inlined call counts in that callee's nested record, under the call
 *     site in its caller (so inlining seen in the profiled binary is
 *     described exactly as clang expects it);
 *   - call targets: for each caller frame, the callee (the next frame
 *     down the stack) is added at the caller's call line with the sample's
 *     count. For an indirect call this names the functions actually
 *     reached, which is what lets clang promote the call to a guarded
 *     direct call and inline it. A line that makes calls gets at least as
 *     many body samples as its calls took, because timer samples land in
 *     the callee and would otherwise leave the caller's loop looking cold;
 *   - head: the samples that reached the function through a call.
 * Counts are sample counts.
 *
 * Source positions come from the binary the profile names (its mapping's
 * file, used only when its build id matches), read with libcpuprof's DWARF
 * reader: that is where discriminators are. When the binary is gone, the
 * profile's own lines are used, with discriminator 0 everywhere.
 *
 * Invariants: every string the records point to is owned by the profile or
 * by a binary kept open until the file is written; counts are > 0; the file
 * is written to OUT.tmp and renamed, so OUT is never half-written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "../../runtime/dwarf_index.h"
#include "../../runtime/elf_image.h"

#define MAX_FRAMES 32

/* ---- source positions ------------------------------------------------- */

typedef struct frame {
    const char *name;
    uint32_t decl_line, line, discr;
} frame;

typedef struct binary {
    const pf_mapping *m;
    int ok;
    uint64_t bias;
    elf_image im;
    dwarf_index dx;
} binary;

typedef struct loc_frames {
    const pf_location *loc;
    frame *f;
    size_t n;
} loc_frames;

typedef struct exporter {
    const profile *p;
    binary *bins;
    size_t nbins;
    loc_frames *locs; /* one per location, sorted by pointer */
    size_t from_dwarf, from_profile;
} exporter;

/* The base discriminator of an LLVM-encoded one: clang packs the base,
 * a duplication factor and a copy id into the DWARF value, and a sample
 * profile is keyed by the base only. The base is a prefix-encoded field:
 * a low bit of 1 means 0, else 5 or 12 bits follow. */
static uint32_t base_discriminator(uint32_t d) {
    if (d & 1) return 0;
    d >>= 1;
    return (d & 0x20) ? ((d & 0x1f) | ((d >> 1) & 0xfe0)) : (d & 0x1f);
}

/* A C function's name as clang knows it: the symbol without the suffix a
 * compiler adds to a clone or a split part (".cold", ".part.0", ...). */
static const char *plain_name(const char *s, char *buf, size_t len) {
    const char *dot = strchr(s, '.');
    if (dot == NULL || dot == s) return s;
    snprintf(buf, len, "%.*s", (int)(dot - s), s);
    return buf;
}

static binary *binary_for(exporter *x, const pf_mapping *m) {
    for (size_t i = 0; i < x->nbins; i++)
        if (x->bins[i].m == m) return &x->bins[i];
    binary *b = &x->bins[x->nbins++];
    memset(b, 0, sizeof *b);
    b->m = m;
    if (m->file[0] != '/' || !m->has_functions) return b; /* [vdso], unknown */
    if (elf_image_open(&b->im, m->file) < 0) {
        fprintf(stderr, "cpuprof: -llvm_sample: cannot read %s; using the profile's lines\n",
                m->file);
        return b;
    }
    char id[2 * 64 + 1];
    if (elf_build_id(&b->im, id, sizeof id) < 0) id[0] = '\0';
    if (m->build_id[0] && strcmp(id, m->build_id) != 0) {
        fprintf(stderr,
                "cpuprof: -llvm_sample: %s is not the binary that was profiled (build id %s, "
                "the profile has %s); using the profile's lines\n",
                m->file, id[0] ? id : "none", m->build_id);
    } else if (elf_load_bias(&b->im, m->start, m->offset, &b->bias) == 0 &&
               dwarf_index_open(&b->dx, &b->im) == 0) {
        b->ok = 1;
        return b;
    }
    elf_image_close(&b->im);
    return b;
}

/* The frames at loc, innermost first. */
static size_t frames_of(exporter *x, const pf_location *loc, frame *out) {
    binary *b = loc->mapping ? binary_for(x, loc->mapping) : NULL;
    if (b && b->ok) {
        dwarf_frame df[MAX_FRAMES];
        size_t n = dwarf_index_lookup(&b->dx, loc->address - b->bias, df, MAX_FRAMES);
        int named = n > 0;
        for (size_t i = 0; i < n; i++) named = named && df[i].name != NULL;
        if (named) {
            for (size_t i = 0; i < n; i++) {
                out[i].name = df[i].linkage_name ? df[i].linkage_name : df[i].name;
                out[i].decl_line = df[i].decl_line;
                out[i].line = df[i].line;
                out[i].discr = base_discriminator(df[i].discr);
            }
            x->from_dwarf++;
            return n;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < loc->nlines && n < MAX_FRAMES; i++) {
        const pf_line *l = &loc->lines[i];
        if (l->fn == NULL) continue;
        out[n].name = l->fn->system_name[0] ? l->fn->system_name : l->fn->name;
        out[n].decl_line = l->fn->start_line > 0 && l->fn->start_line <= UINT32_MAX
                               ? (uint32_t)l->fn->start_line
                               : 0;
        out[n].line = l->line > 0 && l->line <= UINT32_MAX ? (uint32_t)l->line : 0;
        out[n].discr = 0;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        if (out[i].line > 0) {
            x->from_profile++;
            break;
        }
    return n;
}

static int loc_cmp(const void *a, const void *b) {
    const loc_frames *x = a, *y = b;
    return x->loc < y->loc ? -1 : x->loc > y->loc;
}

static const loc_frames *frames_at(const exporter *x, const pf_location *loc) {
    loc_frames key = {loc, NULL, 0};
    return bsearch(&key, x->locs, x->p->nlocations, sizeof(*x->locs), loc_cmp);
}

/* ---- the records ------------------------------------------------------ */

typedef struct target {
    const char *name;
    int64_t count;
} target;

typedef struct body {
    uint32_t off, discr;
    int64_t count;
    target *targets;
    size_t ntargets;
} body;

typedef struct record record;

typedef struct callsite {
    uint32_t off, discr;
    record *callee;
} callsite;

struct record {
    char *name;
    uint32_t decl_line;
    int64_t head, total;
    body *body;
    size_t nbody;
    callsite *calls;
    size_t ncalls;
};

typedef struct records {
    record **top;
    size_t ntop;
} records;

static int push(void **arr, size_t *n, size_t elem) {
    /* capacity doubles at powers of two */
    if (*n && (*n & (*n - 1))) {
        (*n)++;
        return 0;
    }
    void *a = realloc(*arr, (*n ? 2 * *n : 1) * elem);
    if (a == NULL) return -1;
    *arr = a;
    (*n)++;
    return 0;
}

static record *record_new(const char *name, uint32_t decl_line) {
    record *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    r->name = strdup(name);
    if (r->name == NULL) {
        free(r);
        return NULL;
    }
    r->decl_line = decl_line;
    return r;
}

static void record_free(record *r) {
    if (r == NULL) return;
    for (size_t i = 0; i < r->nbody; i++) free(r->body[i].targets);
    free(r->body);
    for (size_t i = 0; i < r->ncalls; i++) record_free(r->calls[i].callee);
    free(r->calls);
    free(r->name);
    free(r);
}

static record *top_record(records *rs, const frame *f) {
    char buf[256];
    const char *name = plain_name(f->name, buf, sizeof buf);
    for (size_t i = 0; i < rs->ntop; i++)
        if (strcmp(rs->top[i]->name, name) == 0) return rs->top[i];
    record *r = record_new(name, f->decl_line);
    if (r == NULL || push((void **)&rs->top, &rs->ntop, sizeof(*rs->top)) < 0) {
        record_free(r);
        return NULL;
    }
    rs->top[rs->ntop - 1] = r;
    return r;
}

/* The line offset of f in its function; -1 when it has no usable line. */
static int64_t offset_of(const frame *f) {
    if (f->line == 0 || f->decl_line == 0) return -1;
    return (int64_t)((f->line - f->decl_line) & 0xffff);
}

/* The nested record of callee f (called from caller frame at) in r. */
static record *callsite_record(record *r, const frame *at, const frame *f) {
    int64_t off = offset_of(at);
    if (off < 0 || f->decl_line == 0) return NULL;
    for (size_t i = 0; i < r->ncalls; i++) {
        callsite *c = &r->calls[i];
        if (c->off == off && c->discr == at->discr && strcmp(c->callee->name, f->name) == 0)
            return c->callee;
    }
    record *callee = record_new(f->name, f->decl_line);
    if (callee == NULL || push((void **)&r->calls, &r->ncalls, sizeof(*r->calls)) < 0) {
        record_free(callee);
        return NULL;
    }
    r->calls[r->ncalls - 1] = (callsite){(uint32_t)off, at->discr, callee};
    return callee;
}

static body *body_at(record *r, const frame *f) {
    int64_t off = offset_of(f);
    if (off < 0) return NULL;
    for (size_t i = 0; i < r->nbody; i++)
        if (r->body[i].off == off && r->body[i].discr == f->discr) return &r->body[i];
    if (push((void **)&r->body, &r->nbody, sizeof(*r->body)) < 0) return NULL;
    body *b = &r->body[r->nbody - 1];
    memset(b, 0, sizeof *b);
    b->off = (uint32_t)off;
    b->discr = f->discr;
    return b;
}

/* The record of the innermost frame of fr[0..n), through the nested
 * records of the inlined calls; NULL when a frame lacks a line. */
static record *context(records *rs, const frame *fr, size_t n) {
    if (n == 0 || fr[n - 1].decl_line == 0) return NULL;
    record *r = top_record(rs, &fr[n - 1]);
    for (size_t i = n - 1; r != NULL && i > 0; i--) r = callsite_record(r, &fr[i], &fr[i - 1]);
    return r;
}

static int add_target(body *b, const char *name, int64_t count) {
    for (size_t i = 0; i < b->ntargets; i++)
        if (strcmp(b->targets[i].name, name) == 0) {
            b->targets[i].count += count;
            return 0;
        }
    if (push((void **)&b->targets, &b->ntargets, sizeof(*b->targets)) < 0) return -1;
    b->targets[b->ntargets - 1] = (target){name, count};
    return 0;
}

/* Adds one sample: its leaf line, and each call edge up the stack. Returns
 * 1 when the leaf had a line, 0 when it had none. */
static int add_sample(exporter *x, records *rs, const pf_sample *s, int64_t count) {
    int used = 0;
    const loc_frames *prev = NULL;
    for (size_t k = 0; k < s->nlocs; k++) {
        const loc_frames *lf = frames_at(x, s->locs[k]);
        if (lf == NULL || lf->n == 0) {
            prev = NULL;
            continue;
        }
        record *r = context(rs, lf->f, lf->n);
        body *b = r ? body_at(r, &lf->f[0]) : NULL;
        if (k == 0 && b != NULL) {
            b->count += count;
            used = 1;
        } else if (k > 0 && b != NULL && prev != NULL) {
            /* The callee is the function the call entered: the outermost
             * frame of the location below. */
            char buf[256];
            const frame *callee = &prev->f[prev->n - 1];
            const char *name = plain_name(callee->name, buf, sizeof buf);
            record *cr = top_record(rs, callee);
            if (cr != NULL) cr->head += count;
            if (cr != NULL) name = cr->name;
            add_target(b, name, count);
        }
        prev = lf;
    }
    return used;
}

/* ---- writing ---------------------------------------------------------- */

static int64_t targets_sum(const body *b) {
    int64_t n = 0;
    for (size_t i = 0; i < b->ntargets; i++) n += b->targets[i].count;
    return n;
}

/* A call line's count: its own samples, or what its calls took if more. */
static int64_t body_count(const body *b) {
    int64_t t = targets_sum(b);
    return b->count > t ? b->count : t;
}

static int64_t compute_total(record *r) {
    int64_t t = 0;
    for (size_t i = 0; i < r->nbody; i++) t += body_count(&r->body[i]);
    for (size_t i = 0; i < r->ncalls; i++) t += compute_total(r->calls[i].callee);
    r->total = t;
    return t;
}

static int body_cmp(const void *a, const void *b) {
    const body *x = a, *y = b;
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    return x->discr < y->discr ? -1 : x->discr > y->discr;
}

static int call_cmp(const void *a, const void *b) {
    const callsite *x = a, *y = b;
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    if (x->discr != y->discr) return x->discr < y->discr ? -1 : 1;
    return strcmp(x->callee->name, y->callee->name);
}

static int target_cmp(const void *a, const void *b) {
    const target *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int top_cmp(const void *a, const void *b) {
    const record *x = *(record *const *)a, *y = *(record *const *)b;
    if (x->total != y->total) return x->total > y->total ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void write_location(FILE *f, int depth, uint32_t off, uint32_t discr) {
    fprintf(f, "%*s%u", depth, "", off);
    if (discr) fprintf(f, ".%u", discr);
    fputs(":", f);
}

/* The lines of r, one level of indentation per depth. */
static void write_body(FILE *f, record *r, int depth) {
    if (r->nbody) qsort(r->body, r->nbody, sizeof(*r->body), body_cmp);
    for (size_t i = 0; i < r->nbody; i++) {
        body *b = &r->body[i];
        int64_t n = body_count(b);
        if (n <= 0) continue;
        write_location(f, depth, b->off, b->discr);
        fprintf(f, " %lld", (long long)n);
        if (b->ntargets) qsort(b->targets, b->ntargets, sizeof(*b->targets), target_cmp);
        for (size_t j = 0; j < b->ntargets; j++)
            fprintf(f, " %s:%lld", b->targets[j].name, (long long)b->targets[j].count);
        fputs("\n", f);
    }
    if (r->ncalls) qsort(r->calls, r->ncalls, sizeof(*r->calls), call_cmp);
    for (size_t i = 0; i < r->ncalls; i++) {
        callsite *c = &r->calls[i];
        if (c->callee->total <= 0) continue;
        write_location(f, depth, c->off, c->discr);
        fprintf(f, " %s:%lld\n", c->callee->name, (long long)c->callee->total);
        write_body(f, c->callee, depth + 1);
    }
}

static int write_file(records *rs, const char *path, size_t *nfuncs, char *err, size_t errlen) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        snprintf(err, errlen, "-llvm_sample: cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < rs->ntop; i++) compute_total(rs->top[i]);
    if (rs->ntop) qsort(rs->top, rs->ntop, sizeof(*rs->top), top_cmp);
    *nfuncs = 0;
    for (size_t i = 0; i < rs->ntop; i++) {
        record *r = rs->top[i];
        if (r->total <= 0) continue;
        fprintf(f, "%s:%lld:%lld\n", r->name, (long long)r->total, (long long)r->head);
        write_body(f, r, 1);
        (*nfuncs)++;
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, errlen, "-llvm_sample: writing %s failed", tmp);
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        snprintf(err, errlen, "-llvm_sample: cannot rename %s to %s: %s", tmp, path,
                 strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ---- the command ------------------------------------------------------ */

static int prepare_locations(exporter *x) {
    const profile *p = x->p;
    x->locs = calloc(p->nlocations ? p->nlocations : 1, sizeof(*x->locs));
    x->bins = calloc(p->nmappings ? p->nmappings : 1, sizeof(*x->bins));
    if (x->locs == NULL || x->bins == NULL) return -1;
    for (size_t i = 0; i < p->nlocations; i++) {
        frame fr[MAX_FRAMES];
        size_t n = frames_of(x, p->locations[i], fr);
        x->locs[i].loc = p->locations[i];
        x->locs[i].n = n;
        if (n) {
            x->locs[i].f = malloc(n * sizeof(*fr));
            if (x->locs[i].f == NULL) return -1;
            memcpy(x->locs[i].f, fr, n * sizeof(*fr));
        }
    }
    if (p->nlocations) qsort(x->locs, p->nlocations, sizeof(*x->locs), loc_cmp);
    return 0;
}

static void exporter_free(exporter *x) {
    if (x->locs)
        for (size_t i = 0; i < x->p->nlocations; i++) free(x->locs[i].f);
    free(x->locs);
    for (size_t i = 0; i < x->nbins; i++) {
        if (!x->bins[i].ok) continue;
        dwarf_index_free(&x->bins[i].dx);
        elf_image_close(&x->bins[i].im);
    }
    free(x->bins);
}

int export_llvm_sample(const view *v, const char *path, FILE *out, char *err, size_t errlen) {
    const profile *p = v->p;
    int vi = v->si >= 0 ? v->si : v->vi;
    exporter x = {.p = p};
    records rs = {NULL, 0};
    int rc = -1;
    if (prepare_locations(&x) < 0) {
        snprintf(err, errlen, "-llvm_sample: out of memory");
        goto done;
    }
    int64_t used = 0, dropped = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        int64_t c = p->samples[i].values[vi];
        if (c <= 0) continue;
        if (add_sample(&x, &rs, &p->samples[i], c))
            used += c;
        else
            dropped += c;
    }
    if (used == 0) {
        snprintf(err, errlen,
                 "-llvm_sample: no sample has a source line (build the program with -g or "
                 "-gline-tables-only, and keep the binary where the profile says it is)");
        goto done;
    }
    size_t nfuncs = 0;
    if (write_file(&rs, path, &nfuncs, err, errlen) < 0) goto done;
    fprintf(out,
            "cpuprof: wrote %s: %zu functions, %lld samples with a source line "
            "(%lld without, left out); lines from %s\n",
            path, nfuncs, (long long)used, (long long)dropped,
            x.from_dwarf && x.from_profile ? "the binaries' DWARF and the profile"
            : x.from_dwarf                 ? "the binary's DWARF (with discriminators)"
                                           : "the profile (no discriminators)");
    rc = 0;
done:
    for (size_t i = 0; i < rs.ntop; i++) record_free(rs.top[i]);
    free(rs.top);
    exporter_free(&x);
    return rc;
}
