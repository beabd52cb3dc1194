/* report_traces.c: pprof's `traces` report, every sample's stack.
 *
 * After the profile header, each sample with a stack is printed between
 * separator lines: its string labels, then its numeric labels ("key:  v1
 * v2", each group sorted), then its frames from leaf to root with the
 * sample's value on the first (leaf) line. A frame inlined into its caller
 * is marked "(inline)". Values are scaled one by one ("10ms", "1.50s").
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

static const char SEPARATOR[] =
    "-----------+-------------------------------------------------------";

static int by_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints "%10s:  v1 v2\n" per key of the wanted kind (numeric or string),
 * keys in sorted order of the printed lines. */
static void print_labels(FILE *out, const pf_sample *s, bool numeric) {
    char **lines = calloc(s->nlabels ? s->nlabels : 1, sizeof(*lines));
    size_t nl = 0;
    if (!lines) return;
    for (size_t i = 0; i < s->nlabels; i++) {
        const pf_label *l = &s->labels[i];
        if ((l->str == NULL) != numeric) continue;
        bool seen = false; /* keys already printed with an earlier label */
        for (size_t j = 0; j < i && !seen; j++)
            seen = (s->labels[j].str == NULL) == numeric && strcmp(s->labels[j].key, l->key) == 0;
        if (seen) continue;
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m) break;
        fprintf(m, "%10s: ", l->key);
        for (size_t j = i; j < s->nlabels; j++) {
            const pf_label *o = &s->labels[j];
            if ((o->str == NULL) != numeric || strcmp(o->key, l->key) != 0) continue;
            if (numeric) {
                char v[64];
                units_label(v, sizeof(v), o->num, o->num_unit ? o->num_unit : o->key, "auto");
                fprintf(m, " %s", v);
            } else {
                fprintf(m, " %s", o->str);
            }
        }
        fclose(m);
        lines[nl++] = buf;
    }
    qsort(lines, nl, sizeof(*lines), by_str);
    for (size_t i = 0; i < nl; i++) {
        fprintf(out, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

int report_traces(FILE *out, const view *v, char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    const profile *p = v->p;
    int vi = v->vi;
    const char *unit = p->sample_types[vi].unit;
    header_print(out, p, vi, v->total, "minimum");

    for (size_t si = 0; si < p->nsamples; si++) {
        const pf_sample *s = &p->samples[si];
        if (s->nlocs == 0) continue;
        fprintf(out, "%s\n", SEPARATOR);
        print_labels(out, s, false);
        print_labels(out, s, true);
        char v[64];
        units_label(v, sizeof(v), s->values[vi], unit, "minimum");
        bool first = true;
        for (size_t i = 0; i < s->nlocs; i++) {
            const pf_location *loc = s->locs[i];
            size_t nl = loc->nlines ? loc->nlines : 1;
            for (size_t li = 0; li < nl; li++) {
                char buf[64];
                fprintf(out, "%10s   %s%s\n", first ? v : "", frame_name(loc, li, buf, sizeof(buf)),
                        li != nl - 1 ? " (inline)" : "");
                first = false;
            }
        }
    }
    fprintf(out, "%s\n", SEPARATOR);
    return 0;
}
