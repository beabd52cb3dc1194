/* profile_diff.c: pprof's -base and -diff_base.
 *
 * profile_merge_base(p, base, diff_base) does what pprof does with a base
 * profile: base's samples get negated values (and, for -diff_base, the label
 * pprof::base=true), then both profiles are merged as pprof's Merge does:
 * - base's mappings, functions and locations are mapped onto p's equal ones
 *   (mappings by range, offset, file and build id; functions by their four
 *   fields; locations by mapping, address and all lines) or added to p with
 *   fresh ids;
 * - samples with the same locations and the same labels become one sample
 *   whose values are the sums, and samples whose values are all zero are
 *   dropped, so work present in both with equal weight disappears under
 *   -base while removed work shows as negative values;
 * - headers: the earliest nonzero time, the sum of durations, the larger
 *   period, comments of both without repeats.
 * The sample types (type and unit) must be the same, and the period types
 * when both are set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

typedef struct merger {
    profile *p;
    const profile *base;
    pf_map mappings;  /* mapping content key -> p's mapping */
    pf_map locations; /* location content key -> p's location */
    pf_map loc_of;    /* base location pointer -> p's location */
    uint8_t *kbuf;    /* scratch for keys */
    size_t kcap;
} merger;

static void key_reserve(merger *mg, size_t n) {
    if (n > mg->kcap) {
        mg->kcap = n * 2;
        mg->kbuf = pf_xrealloc(mg->kbuf, mg->kcap);
    }
}

static size_t key_put(uint8_t *buf, size_t off, const void *v, size_t len) {
    memcpy(buf + off, v, len);
    return off + len;
}

/* Strings in keys are p-interned pointers: equal content, equal pointer. */
static size_t mapping_key(merger *mg, const pf_mapping *m, const char *file, const char *bid) {
    key_reserve(mg, 5 * 8);
    size_t o = 0;
    o = key_put(mg->kbuf, o, &m->start, 8);
    o = key_put(mg->kbuf, o, &m->limit, 8);
    o = key_put(mg->kbuf, o, &m->offset, 8);
    o = key_put(mg->kbuf, o, &file, sizeof(file));
    o = key_put(mg->kbuf, o, &bid, sizeof(bid));
    return o;
}

/* lines' functions must already be p's. */
static size_t location_key(merger *mg, const pf_mapping *m, uint64_t address,
                           pf_function *const *fns, const int64_t *lines, size_t n) {
    key_reserve(mg, sizeof(m) + 8 + n * (sizeof(void *) + 8));
    size_t o = 0;
    o = key_put(mg->kbuf, o, &m, sizeof(m));
    o = key_put(mg->kbuf, o, &address, 8);
    for (size_t i = 0; i < n; i++) {
        o = key_put(mg->kbuf, o, &fns[i], sizeof(fns[i]));
        o = key_put(mg->kbuf, o, &lines[i], 8);
    }
    return o;
}

static size_t p_location_key(merger *mg, const pf_location *loc) {
    pf_function **fns = pf_xcalloc(loc->nlines, sizeof(*fns));
    int64_t *lines = pf_xcalloc(loc->nlines, sizeof(*lines));
    for (size_t i = 0; i < loc->nlines; i++) {
        fns[i] = loc->lines[i].fn;
        lines[i] = loc->lines[i].line;
    }
    size_t n = location_key(mg, loc->mapping, loc->address, fns, lines, loc->nlines);
    free(fns);
    free(lines);
    return n;
}

static pf_mapping *map_mapping(merger *mg, const pf_mapping *bm) {
    if (!bm) return NULL;
    const char *file = profile_str(mg->p, bm->file), *bid = profile_str(mg->p, bm->build_id);
    size_t n = mapping_key(mg, bm, file, bid);
    pf_mapping *m = pf_map_get(&mg->mappings, mg->kbuf, n);
    if (m) return m;
    m = profile_add_mapping(mg->p, bm->start, bm->limit, bm->offset, file, bid);
    m->has_functions = bm->has_functions;
    m->has_filenames = bm->has_filenames;
    m->has_line_numbers = bm->has_line_numbers;
    m->has_inline_frames = bm->has_inline_frames;
    pf_map_put(&mg->mappings, mg->kbuf, n, m);
    return m;
}

static pf_location *map_location(merger *mg, const pf_location *bl) {
    pf_location *loc = pf_map_get(&mg->loc_of, &bl, sizeof(bl));
    if (loc) return loc;
    profile *p = mg->p;
    pf_mapping *m = map_mapping(mg, bl->mapping);
    pf_function **fns = pf_xcalloc(bl->nlines, sizeof(*fns));
    int64_t *lines = pf_xcalloc(bl->nlines, sizeof(*lines));
    for (size_t i = 0; i < bl->nlines; i++) {
        const pf_function *bf = bl->lines[i].fn;
        fns[i] = bf ? profile_function(p, bf->name, bf->system_name, bf->filename,
                                       bf->start_line)
                    : NULL;
        lines[i] = bl->lines[i].line;
    }
    size_t n = location_key(mg, m, bl->address, fns, lines, bl->nlines);
    loc = pf_map_get(&mg->locations, mg->kbuf, n);
    if (!loc) {
        pf_builder *b = p->priv;
        loc = pf_add_location_id(p, b->next_location_id, m, bl->address);
        for (size_t i = 0; i < bl->nlines; i++)
            profile_location_add_line(p, loc, fns[i], lines[i]);
        pf_index_location(p, loc);
        pf_map_put(&mg->locations, mg->kbuf, n, loc);
    }
    free(fns);
    free(lines);
    pf_map_put(&mg->loc_of, &bl, sizeof(bl), loc);
    return loc;
}

static int label_cmp(const void *a, const void *b) {
    const pf_label *x = a, *y = b;
    if (x->key != y->key) return (uintptr_t)x->key < (uintptr_t)y->key ? -1 : 1;
    if (x->str != y->str) return (uintptr_t)x->str < (uintptr_t)y->str ? -1 : 1;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    if (x->num_unit != y->num_unit) return (uintptr_t)x->num_unit < (uintptr_t)y->num_unit ? -1 : 1;
    return 0;
}

/* The identity of a sample: its locations and its set of labels. */
static size_t sample_key(merger *mg, const pf_sample *s) {
    pf_label *ls = pf_xcalloc(s->nlabels, sizeof(pf_label));
    if (s->nlabels) memcpy(ls, s->labels, s->nlabels * sizeof(pf_label));
    qsort(ls, s->nlabels, sizeof(pf_label), label_cmp);
    key_reserve(mg, 16 + s->nlocs * sizeof(void *) + s->nlabels * sizeof(pf_label));
    size_t o = 0;
    o = key_put(mg->kbuf, o, &s->nlocs, sizeof(s->nlocs));
    for (size_t i = 0; i < s->nlocs; i++) o = key_put(mg->kbuf, o, &s->locs[i], sizeof(void *));
    for (size_t i = 0; i < s->nlabels; i++) {
        o = key_put(mg->kbuf, o, &ls[i].key, sizeof(void *));
        o = key_put(mg->kbuf, o, &ls[i].str, sizeof(void *));
        o = key_put(mg->kbuf, o, &ls[i].num, 8);
        o = key_put(mg->kbuf, o, &ls[i].num_unit, sizeof(void *));
    }
    free(ls);
    return o;
}

static int check_compatible(const profile *p, const profile *base, char *err, size_t errlen) {
    bool same = p->nsample_types == base->nsample_types;
    for (size_t i = 0; same && i < p->nsample_types; i++)
        same = strcmp(p->sample_types[i].type, base->sample_types[i].type) == 0 &&
               strcmp(p->sample_types[i].unit, base->sample_types[i].unit) == 0;
    if (!same) {
        const pf_value_type *a = p->nsample_types ? &p->sample_types[0] : NULL;
        const pf_value_type *b = base->nsample_types ? &base->sample_types[0] : NULL;
        return pf_errf(err, errlen,
                       "profile: the base profile has other sample types (%zu types, first "
                       "%s/%s) than the profile (%zu types, first %s/%s)",
                       base->nsample_types, b ? b->type : "-", b ? b->unit : "-",
                       p->nsample_types, a ? a->type : "-", a ? a->unit : "-");
    }
    const pf_value_type *a = &p->period_type, *b = &base->period_type;
    if (a->type[0] && b->type[0] && (strcmp(a->type, b->type) || strcmp(a->unit, b->unit)))
        return pf_errf(err, errlen,
                       "profile: the base profile's period type %s/%s is not the profile's %s/%s",
                       b->type, b->unit, a->type, a->unit);
    return 0;
}

static void merge_headers(profile *p, const profile *base) {
    if (base->time_nanos != 0 && (p->time_nanos == 0 || base->time_nanos < p->time_nanos))
        p->time_nanos = base->time_nanos;
    p->duration_nanos += base->duration_nanos;
    if (base->period > p->period) p->period = base->period;
    for (size_t i = 0; i < base->ncomments; i++) {
        const char *c = profile_str(p, base->comments[i]);
        bool seen = false;
        for (size_t j = 0; j < p->ncomments && !seen; j++) seen = p->comments[j] == c;
        if (!seen) profile_add_comment(p, c);
    }
}

/* Adds s (already expressed in p's objects) to the merged samples. */
static void merge_sample(merger *mg, pf_map *by_key, pf_sample **out, size_t *n, size_t *cap,
                         const pf_sample *s) {
    size_t klen = sample_key(mg, s);
    uintptr_t at = (uintptr_t)pf_map_get(by_key, mg->kbuf, klen);
    if (at) {
        int64_t *v = (*out)[at - 1].values;
        for (size_t i = 0; i < mg->p->nsample_types; i++) v[i] += s->values[i];
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *out = pf_xrealloc(*out, pf_mul(*cap, sizeof(pf_sample)));
    }
    (*out)[(*n)++] = *s;
    pf_map_put(by_key, mg->kbuf, klen, (void *)(uintptr_t)*n);
}

int profile_merge_base(profile *p, const profile *base, bool diff_base, char *err,
                       size_t errlen) {
    if (p == base) return pf_errf(err, errlen, "profile: a profile cannot be its own base");
    if (check_compatible(p, base, err, errlen)) return -1;
    merger mg = {.p = p, .base = base};
    for (size_t i = 0; i < p->nmappings; i++) {
        const pf_mapping *m = p->mappings[i];
        size_t n = mapping_key(&mg, m, profile_str(p, m->file), profile_str(p, m->build_id));
        if (!pf_map_get(&mg.mappings, mg.kbuf, n)) pf_map_put(&mg.mappings, mg.kbuf, n, (void *)m);
    }
    for (size_t i = 0; i < p->nlocations; i++) {
        size_t n = p_location_key(&mg, p->locations[i]);
        if (!pf_map_get(&mg.locations, mg.kbuf, n))
            pf_map_put(&mg.locations, mg.kbuf, n, p->locations[i]);
    }
    merge_headers(p, base);

    pf_map by_key = {0};
    pf_sample *out = NULL;
    size_t nout = 0, cap = 0, nv = p->nsample_types;
    for (size_t i = 0; i < p->nsamples; i++)
        merge_sample(&mg, &by_key, &out, &nout, &cap, &p->samples[i]);

    const char *base_key = profile_str(p, "pprof::base"), *base_true = profile_str(p, "true");
    size_t maxlocs = 0;
    for (size_t i = 0; i < base->nsamples; i++)
        if (base->samples[i].nlocs > maxlocs) maxlocs = base->samples[i].nlocs;
    pf_location **locs = pf_xcalloc(maxlocs, sizeof(pf_location *));
    int64_t *vals = pf_xcalloc(nv, sizeof(int64_t));
    for (size_t i = 0; i < base->nsamples; i++) {
        const pf_sample *bs = &base->samples[i];
        for (size_t j = 0; j < bs->nlocs; j++) locs[j] = map_location(&mg, bs->locs[j]);
        for (size_t j = 0; j < nv; j++) vals[j] = -bs->values[j];
        /* Build the sample in p's arena; it lands at the end of p->samples
         * and is copied into `out` just below. */
        pf_sample *s = profile_add_sample(p, locs, bs->nlocs, vals);
        for (size_t j = 0; j < bs->nlabels; j++) {
            const pf_label *bl = &bs->labels[j];
            if (diff_base && strcmp(bl->key, "pprof::base") == 0) continue;
            pf_label l = {.key = profile_str(p, bl->key), .num = bl->num};
            if (bl->str) l.str = profile_str(p, bl->str);
            if (bl->num_unit) l.num_unit = profile_str(p, bl->num_unit);
            pf_sample_push_label(p, s, &l);
        }
        if (diff_base) {
            pf_label l = {.key = base_key, .str = base_true};
            pf_sample_push_label(p, s, &l);
        }
        pf_sample copy = *s;
        p->nsamples--;
        merge_sample(&mg, &by_key, &out, &nout, &cap, &copy);
    }
    free(locs);
    free(vals);

    /* Drop samples that cancelled out to all zeros. */
    size_t kept = 0;
    for (size_t i = 0; i < nout; i++) {
        bool zero = true;
        for (size_t j = 0; j < nv && zero; j++) zero = out[i].values[j] == 0;
        if (!zero) out[kept++] = out[i];
    }
    free(p->samples);
    p->samples = out;
    p->nsamples = kept;
    ((pf_builder *)p->priv)->cap_samples = cap;

    pf_map_free(&by_key);
    pf_map_free(&mg.mappings);
    pf_map_free(&mg.locations);
    pf_map_free(&mg.loc_of);
    free(mg.kbuf);
    return 0;
}
