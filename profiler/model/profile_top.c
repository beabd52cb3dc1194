/* profile_top.c: flat and cum per function, as pprof's -top computes them.
 *
 * A sample's frames are its locations from leaf to root and, inside each
 * location, its lines from the innermost (inlined) function outwards. A row
 * is a function name (or the location's address, 0x..., when a frame has no
 * named function, and "<unknown>" when it has no address either). For
 * sample value v (samples with v == 0 are skipped):
 *   flat(f) += v  when f is the sample's first frame, locs[0]->lines[0];
 *   cum(f)  += v  when f is anywhere in the sample, once per sample even if
 *                 recursion or inlining puts it there several times.
 * total is pprof's: the sum of |v| over all samples, or over the -diff_base
 * samples (label pprof::base=true) alone when those add up to more than 0.
 * Rows with flat == cum == 0 are dropped, and rows sort as pprof sorts them:
 * by |flat| (or |cum|) descending, then by name.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

bool pf_sample_is_base(const pf_sample *s) {
    for (size_t i = 0; i < s->nlabels; i++) {
        const pf_label *l = &s->labels[i];
        if (l->str && strcmp(l->key, "pprof::base") == 0) return strcmp(l->str, "true") == 0;
    }
    return false;
}

const char *pf_frame_name(const pf_location *loc, size_t li, char *buf, size_t buflen) {
    if (li < loc->nlines && loc->lines[li].fn && loc->lines[li].fn->name[0])
        return loc->lines[li].fn->name;
    if (loc->address == 0) return "<unknown>";
    snprintf(buf, buflen, "0x%" PRIx64, loc->address);
    return buf;
}

static int64_t abs64(int64_t v) {
    return v < 0 ? -v : v;
}

static int check_vi(const profile *p, int vi, char *err, size_t errlen) {
    if (vi < 0 || (size_t)vi >= p->nsample_types)
        return pf_errf(err, errlen, "profile: there is no sample type %d (the profile has %zu)",
                       vi, p->nsample_types);
    return 0;
}

/* Calls fn(name, is_leaf, arg) for every frame of s, leaf first. */
static void each_frame(const pf_sample *s, void (*fn)(const char *, bool, void *), void *arg) {
    char buf[32];
    for (size_t i = 0; i < s->nlocs; i++) {
        const pf_location *loc = s->locs[i];
        size_t n = loc->nlines ? loc->nlines : 1;
        for (size_t li = 0; li < n; li++)
            fn(pf_frame_name(loc, li, buf, sizeof(buf)), i == 0 && li == 0, arg);
    }
}

typedef struct top_state {
    pf_map index; /* name -> row number + 1 */
    pf_row *rows;
    size_t nrows, cap;
    size_t *stamp; /* per row: the last sample (+1) that added to its cum */
    size_t sample;
    int64_t v;
} top_state;

static void top_frame(const char *name, bool leaf, void *arg) {
    top_state *t = arg;
    size_t len = strlen(name);
    uintptr_t r = (uintptr_t)pf_map_get(&t->index, name, len);
    if (!r) {
        if (t->nrows == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 64;
            t->rows = pf_xrealloc(t->rows, pf_mul(t->cap, sizeof(pf_row)));
            t->stamp = pf_xrealloc(t->stamp, pf_mul(t->cap, sizeof(size_t)));
        }
        char *copy = pf_xrealloc(NULL, len + 1);
        memcpy(copy, name, len + 1);
        t->rows[t->nrows] = (pf_row){.name = copy};
        t->stamp[t->nrows] = 0;
        r = ++t->nrows;
        pf_map_put(&t->index, name, len, (void *)r);
    }
    pf_row *row = &t->rows[r - 1];
    if (leaf) row->flat += t->v;
    if (t->stamp[r - 1] != t->sample) {
        t->stamp[r - 1] = t->sample;
        row->cum += t->v;
    }
}

static int by_flat(const void *a, const void *b) {
    const pf_row *x = a, *y = b;
    if (abs64(x->flat) != abs64(y->flat)) return abs64(x->flat) > abs64(y->flat) ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (abs64(x->cum) != abs64(y->cum)) return abs64(x->cum) > abs64(y->cum) ? -1 : 1;
    return 0;
}

static int by_cum(const void *a, const void *b) {
    const pf_row *x = a, *y = b;
    if (abs64(x->cum) != abs64(y->cum)) return abs64(x->cum) > abs64(y->cum) ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (abs64(x->flat) != abs64(y->flat)) return abs64(x->flat) > abs64(y->flat) ? -1 : 1;
    return 0;
}

static int64_t pprof_total(const profile *p, int vi) {
    int64_t total = 0, diff_total = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        int64_t v = abs64(p->samples[i].values[vi]);
        total += v;
        if (pf_sample_is_base(&p->samples[i])) diff_total += v;
    }
    return diff_total > 0 ? diff_total : total;
}

int profile_top(const profile *p, int vi, bool by_cum_order, pf_report *out, char *err,
                size_t errlen) {
    memset(out, 0, sizeof(*out));
    if (check_vi(p, vi, err, errlen)) return -1;
    top_state t = {0};
    for (size_t i = 0; i < p->nsamples; i++) {
        t.v = p->samples[i].values[vi];
        if (t.v == 0) continue;
        t.sample = i + 1;
        out->nsamples++;
        each_frame(&p->samples[i], top_frame, &t);
    }
    size_t kept = 0;
    for (size_t i = 0; i < t.nrows; i++) {
        if (t.rows[i].flat == 0 && t.rows[i].cum == 0)
            free((char *)t.rows[i].name);
        else
            t.rows[kept++] = t.rows[i];
    }
    if (kept) qsort(t.rows, kept, sizeof(pf_row), by_cum_order ? by_cum : by_flat);
    out->rows = t.rows;
    out->nrows = kept;
    out->total = pprof_total(p, vi);
    free(t.stamp);
    pf_map_free(&t.index);
    return 0;
}

void pf_report_free(pf_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nrows; i++) free((char *)r->rows[i].name);
    free(r->rows);
    memset(r, 0, sizeof(*r));
}

typedef struct match_state {
    pf_regex *re;
    bool leaf_hit, any_hit;
} match_state;

/* The leaf is the first frame, so once any frame matched, both answers are
 * known and the other frames need no regex. */
static void match_frame(const char *name, bool leaf, void *arg) {
    match_state *m = arg;
    if (m->any_hit) return;
    if (pf_regex_match(m->re, name)) {
        m->any_hit = true;
        m->leaf_hit = leaf;
    }
}

int profile_match_value(const profile *p, int vi, const char *regex, int64_t *flat,
                        int64_t *cum, char *err, size_t errlen) {
    *flat = *cum = 0;
    if (check_vi(p, vi, err, errlen)) return -1;
    pf_regex *re = pf_regex_compile(regex ? regex : "", "match", err, errlen);
    if (!re) return -1;
    for (size_t i = 0; i < p->nsamples; i++) {
        int64_t v = p->samples[i].values[vi];
        if (v == 0) continue;
        match_state m = {.re = re};
        each_frame(&p->samples[i], match_frame, &m);
        if (m.leaf_hit) *flat += v;
        if (m.any_hit) *cum += v;
    }
    pf_regex_free(re);
    return 0;
}
