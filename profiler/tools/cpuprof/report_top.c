/* report_top.c: pprof's `top` table.
 *
 *       flat  flat%   sum%        cum   cum%
 *      1.20s 50.00% 50.00%      1.90s 79.17%  leaf
 *
 * One row per function (libprofile's profile_top): flat is the value of the
 * samples whose leaf frame is that function, cum the value of the samples
 * that have it anywhere on the stack, counted once per sample. sum% is the
 * running total of flat%. Percentages are of the report's total.
 *
 * Like pprof: rows whose flat and cum are both 0 are not shown; rows are
 * ordered by |flat| (or |cum| with -cum), then by name; rows with |cum|
 * below 0.5% of the summed flat are dropped ("Dropped N nodes"); -nodecount
 * keeps the first N; one unit is picked for the whole table; a function
 * reached through an inlined frame is marked "(inline)", or
 * "(partial-inline)" when it is also called normally.
 *
 * With -ci a column "flat% 95% CI" shows the Wilson interval (confidence.c)
 * of flat_samples / total_samples, counted on the "samples" sample type.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

#define NODE_FRACTION 0.005

enum { MARK_INLINE = 1, MARK_CALL = 2 };

typedef struct row {
    const char *name;
    int64_t flat, cum;
    int marks;       /* MARK_* seen on the edges into this function */
    int64_t samples; /* flat in the samples type, for -ci */
} row;

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static int by_flat(const void *a, const void *b) {
    const row *l = a, *r = b;
    if (abs64(l->flat) != abs64(r->flat)) return abs64(l->flat) > abs64(r->flat) ? -1 : 1;
    int c = strcmp(l->name, r->name);
    if (c) return c;
    if (abs64(l->cum) != abs64(r->cum)) return abs64(l->cum) > abs64(r->cum) ? -1 : 1;
    return 0;
}

static int by_cum(const void *a, const void *b) {
    const row *l = a, *r = b;
    if (abs64(l->cum) != abs64(r->cum)) return abs64(l->cum) > abs64(r->cum) ? -1 : 1;
    int c = strcmp(l->name, r->name);
    if (c) return c;
    if (abs64(l->flat) != abs64(r->flat)) return abs64(l->flat) > abs64(r->flat) ? -1 : 1;
    return 0;
}

static int by_name_ptr(const void *a, const void *b) {
    const row *l = *(row *const *)a, *r = *(row *const *)b;
    return strcmp(l->name, r->name);
}

static row *find(row **index, size_t n, const char *name) {
    row key = {.name = name}, *kp = &key;
    row **hit = bsearch(&kp, index, n, sizeof(*index), by_name_ptr);
    return hit ? *hit : NULL;
}

/* Marks, for each shown function, whether an edge into it comes from an
 * inlined frame: walking each stack from the root, frame by frame, the
 * inner lines of a location are inlined into its outermost line. */
static void mark_inline(const profile *p, int vi, row **index, size_t n) {
    char bufs[2][64];
    for (size_t si = 0; si < p->nsamples; si++) {
        const pf_sample *s = &p->samples[si];
        if (s->values[vi] == 0) continue;
        const char *parent = NULL;
        int which = 0;
        for (size_t i = s->nlocs; i-- > 0;) {
            const pf_location *loc = s->locs[i];
            size_t nl = loc->nlines ? loc->nlines : 1;
            for (size_t li = nl; li-- > 0;) {
                const char *name = frame_name(loc, li, bufs[which], sizeof(bufs[which]));
                if (parent && strcmp(name, parent) != 0) {
                    row *r = find(index, n, name);
                    if (r) r->marks |= li != nl - 1 ? MARK_INLINE : MARK_CALL;
                }
                parent = name;
                which ^= 1;
            }
        }
    }
}

/* Fills rows[i].samples with the flat sample counts of the functions. */
static int count_samples(const view *v, row **index, size_t n, char *err, size_t errlen) {
    if (v->si < 0) {
        snprintf(err, errlen, "-ci needs sample counts, and this profile has no "
                              "\"samples\" sample type");
        return -1;
    }
    pf_report rs;
    if (profile_top(v->p, v->si, false, &rs, err, errlen) < 0) return -1;
    for (size_t i = 0; i < rs.nrows; i++) {
        row *r = find(index, n, rs.rows[i].name);
        if (r) r->samples = rs.rows[i].flat;
    }
    pf_report_free(&rs);
    return 0;
}

int report_top(FILE *out, const view *v, char *err, size_t errlen) {
    const profile *p = v->p;
    const settings *set = v->set;
    int vi = v->vi;
    int64_t total = v->total, nsamples = v->total_samples;
    pf_report r;
    if (profile_top(p, vi, set->cum, &r, err, errlen) < 0) return -1;
    row *rows = calloc(r.nrows ? r.nrows : 1, sizeof(*rows));
    row **index = calloc(r.nrows ? r.nrows : 1, sizeof(*index));
    if (!rows || !index) {
        free(rows);
        free(index);
        pf_report_free(&r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    int64_t flat_total = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        if (r.rows[i].flat == 0 && r.rows[i].cum == 0) continue;
        rows[n].name = r.rows[i].name;
        rows[n].flat = r.rows[i].flat;
        rows[n].cum = r.rows[i].cum;
        flat_total += r.rows[i].flat;
        n++;
    }
    qsort(rows, n, sizeof(*rows), set->cum ? by_cum : by_flat);

    /* Drop the rows below the node fraction, keeping the order. */
    int64_t cutoff = abs64((int64_t)((double)flat_total * NODE_FRACTION));
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (abs64(rows[i].cum) >= cutoff) rows[kept++] = rows[i];
    size_t dropped = n - kept, orig = kept;
    size_t shown = kept;
    if (set->nodecount > 0 && (size_t)set->nodecount < shown) shown = (size_t)set->nodecount;

    for (size_t i = 0; i < shown; i++) index[i] = &rows[i];
    qsort(index, shown, sizeof(*index), by_name_ptr);
    mark_inline(p, vi, index, shown);
    if (set->ci && count_samples(v, index, shown, err, errlen) < 0) {
        free(rows);
        free(index);
        pf_report_free(&r);
        return -1;
    }

    /* One unit for the table: fit the smallest shown value. */
    const char *sunit = p->sample_types[vi].unit;
    int64_t minv = 0, shown_flat = 0;
    for (size_t i = 0; i < shown; i++) {
        int64_t v = abs64(rows[i].flat) ? abs64(rows[i].flat) : abs64(rows[i].cum);
        if (v > 0 && (minv == 0 || v < minv)) minv = v;
        shown_flat += rows[i].flat;
    }
    const char *to = shown ? units_pick(minv, total, sunit) : "minimum";

    char a[64], b[64], c[64], d[64], e[64];
    header_print(out, p, vi, total, to);
    header_print_filters(out, set);
    units_label(a, sizeof(a), shown_flat, sunit, to);
    units_percentage(b, sizeof(b), shown_flat, total);
    units_label(c, sizeof(c), total, sunit, to);
    fprintf(out, "Showing nodes accounting for %s, %s of %s total\n", a, b + strspn(b, " "), c);
    if (total != 0) {
        if (dropped > 0) {
            units_label(a, sizeof(a), abs64((int64_t)((double)total * NODE_FRACTION)), sunit,
                        to);
            fprintf(out, "Dropped %zu node%s (cum <= %s)\n", dropped, dropped > 1 ? "s" : "",
                    a);
        }
        if (shown > 0 && shown < orig) fprintf(out, "Showing top %zu nodes out of %zu\n", shown, orig);
    }
    if (set->ci)
        fprintf(out, "%10s %5s%% %16s %5s%% %10s %5s%%\n", "flat", "flat", "flat% 95% CI", "sum",
                "cum", "cum");
    else
        fprintf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");

    int64_t sum = 0;
    for (size_t i = 0; i < shown; i++) {
        const row *w = &rows[i];
        sum += w->flat;
        units_label(a, sizeof(a), w->flat, sunit, to);
        units_percentage(b, sizeof(b), w->flat, total);
        units_percentage(c, sizeof(c), sum, total);
        units_label(d, sizeof(d), w->cum, sunit, to);
        units_percentage(e, sizeof(e), w->cum, total);
        const char *mark = w->marks == MARK_INLINE                  ? " (inline)"
                           : w->marks == (MARK_INLINE | MARK_CALL) ? " (partial-inline)"
                                                                   : "";
        if (set->ci) {
            double lo, hi;
            char ci[64];
            wilson_interval(w->samples, nsamples, CI_Z95, &lo, &hi);
            snprintf(ci, sizeof(ci), "[%.1f%%, %.1f%%]", lo * 100, hi * 100);
            fprintf(out, "%10s %s %16s %s %10s %s  %s%s\n", a, b, ci, c, d, e, w->name, mark);
        } else {
            fprintf(out, "%10s %s %s %10s %s  %s%s\n", a, b, c, d, e, w->name, mark);
        }
    }
    free(rows);
    free(index);
    pf_report_free(&r);
    return 0;
}
