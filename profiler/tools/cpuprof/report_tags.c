/* report_tags.c: pprof's `tags` report.
 *
 * For each label key (sorted by name), the key's total and, for each of its
 * values (largest |total| first, then by value), the value's total and its
 * share of the key's total:
 *
 *  thread: Total 100.0
 *           60.0 (60.00%): worker
 *           40.0 (40.00%): main
 *
 * A key's total is the sum of its values' totals, so the shares add up to
 * 100%. Totals come from libprofile's profile_tags on the reported sample
 * type; the columns are right-aligned as pprof's tab writer does.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static int by_total(const void *a, const void *b) {
    const pf_tag_value *l = a, *r = b;
    if (abs64(l->total) != abs64(r->total)) return abs64(l->total) > abs64(r->total) ? -1 : 1;
    return strcmp(l->value, r->value);
}

static void amount(char *buf, size_t len, int64_t v, const char *unit) {
    const char *u;
    double f = units_scale(v, unit, "minimum", &u);
    snprintf(buf, len, "%.1f%s", f, u);
}

int report_tags(FILE *out, const view *v, char *err, size_t errlen) {
    const profile *p = v->p;
    int vi = v->vi;
    pf_tags t;
    if (profile_tags(p, vi, &t, err, errlen) < 0) return -1;
    const char *unit = p->sample_types[vi].unit;
    for (size_t k = 0; k < t.ntags; k++) {
        pf_tag *tag = &t.tags[k];
        qsort(tag->values, tag->nvalues, sizeof(*tag->values), by_total);
        int64_t total = 0;
        for (size_t i = 0; i < tag->nvalues; i++) total += tag->values[i].total;

        /* Cells: the key line is "key:" then " Total X"; a value line is
         * " ", "X (pct):" then " value". */
        size_t nvals = tag->nvalues;
        char (*cells)[128] = calloc(nvals ? nvals : 1, sizeof(*cells));
        if (!cells) {
            pf_tags_free(&t);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        char key[256];
        snprintf(key, sizeof(key), "%s:", tag->key);
        int w0 = (int)strlen(key) + 1, w1 = 0;
        for (size_t i = 0; i < nvals; i++) {
            char v[64], pct[32];
            amount(v, sizeof(v), tag->values[i].total, unit);
            if (total > 0) {
                units_percentage(pct, sizeof(pct), tag->values[i].total, total);
                snprintf(cells[i], sizeof(cells[i]), "%s (%s):", v, pct);
            } else {
                snprintf(cells[i], sizeof(cells[i]), "%s:", v);
            }
            int w = (int)strlen(cells[i]) + 1;
            if (w > w1) w1 = w;
        }
        char tot[64];
        amount(tot, sizeof(tot), total, unit);
        fprintf(out, "%*s Total %s\n", w0, key, tot);
        for (size_t i = 0; i < nvals; i++)
            fprintf(out, "%*s%*s %s\n", w0, " ", w1, cells[i], tag->values[i].value);
        fprintf(out, "\n");
        free(cells);
    }
    pf_tags_free(&t);
    return 0;
}
