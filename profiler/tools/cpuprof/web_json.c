/* web_json.c: the data of the web UI, as JSON computed from a view.
 *
 * /flamegraph.json is the merged call tree: every sample's stack walked
 * from the root to the leaf (a location's inlined lines expanded, outermost
 * first, named as every report names frames), merged by name with its
 * parent, under one node "root". Each node has
 *   n  the frame's name
 *   v  its total: the sum of |value| of the samples through it (the width)
 *   s  its self: the same for the samples that end in it
 *   c  its children, largest v first, then by name
 * and, when a base profile was merged (-base, -diff_base), the signed sums
 *   d  total after minus before,  ds  self after minus before
 * so a frame's width is the time it took in both profiles and d/v says how
 * much of that is growth (> 0) or shrinkage (< 0).
 *
 * /top.json is the top table: one row per function with raw flat and cum
 * and the labels -top prints, in one unit for the table as -top picks it.
 *
 * Both carry the report's total (pprof's, taken before the filters), the
 * sample type and unit, and the header lines -top prints. Strings are
 * escaped for JSON; bytes >= 0x80 pass through unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

typedef struct node {
    char *name;
    int64_t v, s, d, ds;
    struct node **kids;
    size_t nkids, cap;
} node;

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static void json_str(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(out, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(out, "\\u%04x", *c);
        else if (*c == '<') /* never "</script>" inside a page */
            fputs("\\u003c", out);
        else
            fputc(*c, out);
    }
    fputc('"', out);
}

static node *node_new(const char *name) {
    node *n = calloc(1, sizeof(*n));
    if (n && !(n->name = strdup(name))) {
        free(n);
        n = NULL;
    }
    return n;
}

static void node_free(node *n) {
    for (size_t i = 0; i < n->nkids; i++) node_free(n->kids[i]);
    free(n->kids);
    free(n->name);
    free(n);
}

static node *child(node *parent, const char *name) {
    for (size_t i = 0; i < parent->nkids; i++)
        if (strcmp(parent->kids[i]->name, name) == 0) return parent->kids[i];
    if (parent->nkids == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 4;
        node **k = realloc(parent->kids, cap * sizeof(*k));
        if (!k) return NULL;
        parent->kids = k;
        parent->cap = cap;
    }
    node *n = node_new(name);
    if (n) parent->kids[parent->nkids++] = n;
    return n;
}

static int by_size(const void *a, const void *b) {
    const node *l = *(node *const *)a, *r = *(node *const *)b;
    if (l->v != r->v) return l->v > r->v ? -1 : 1;
    return strcmp(l->name, r->name);
}

static void write_node(FILE *out, node *n, bool diff) {
    qsort(n->kids, n->nkids, sizeof(*n->kids), by_size);
    fputs("{\"n\":", out);
    json_str(out, n->name);
    fprintf(out, ",\"v\":%lld,\"s\":%lld", (long long)n->v, (long long)n->s);
    if (diff) fprintf(out, ",\"d\":%lld,\"ds\":%lld", (long long)n->d, (long long)n->ds);
    if (n->nkids) {
        fputs(",\"c\":[", out);
        for (size_t i = 0; i < n->nkids; i++) {
            if (i) fputc(',', out);
            write_node(out, n->kids[i], diff);
        }
        fputc(']', out);
    }
    fputc('}', out);
}

/* The fields both documents share: title, type, unit, total, header. */
static void write_common(FILE *out, const view *v, bool diff) {
    const profile *p = v->p;
    const char *title = "profile";
    if (p->nmappings > 0 && p->mappings[0]->file[0]) {
        const char *slash = strrchr(p->mappings[0]->file, '/');
        title = slash ? slash + 1 : p->mappings[0]->file;
    }
    fputs("\"title\":", out);
    json_str(out, title);
    fputs(",\"type\":", out);
    json_str(out, p->sample_types[v->vi].type);
    fputs(",\"unit\":", out);
    json_str(out, p->sample_types[v->vi].unit);
    fprintf(out, ",\"total\":%lld,\"diff\":%s", (long long)v->total, diff ? "true" : "false");
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    fputs(",\"header\":[", out);
    if (m) {
        header_print(m, p, v->vi, v->total, "minimum");
        header_print_filters(m, v->set);
        fclose(m);
        bool first = true;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            if (!first) fputc(',', out);
            json_str(out, line);
            first = false;
        }
        free(text);
    }
    fputc(']', out);
}

/* Whether a base profile was merged in: its samples are negated, so the
 * signed values are worth showing. */
static bool has_base(const view *v) {
    for (size_t i = 0; i < v->p->nsamples; i++)
        if (v->p->samples[i].values[v->vi] < 0) return true;
    return false;
}

int web_flamegraph_json(FILE *out, const view *v, char *err, size_t errlen) {
    const profile *p = v->p;
    node *root = node_new("root");
    if (!root) goto nomem;
    char buf[64];
    for (size_t si = 0; si < p->nsamples; si++) {
        const pf_sample *s = &p->samples[si];
        int64_t val = s->values[v->vi];
        if (val == 0) continue;
        node *n = root;
        n->v += abs64(val);
        n->d += val;
        for (size_t i = s->nlocs; i-- > 0;) {
            const pf_location *loc = s->locs[i];
            size_t nl = loc->nlines ? loc->nlines : 1;
            for (size_t li = nl; li-- > 0;) {
                if (!(n = child(n, frame_name(loc, li, buf, sizeof(buf))))) goto nomem;
                n->v += abs64(val);
                n->d += val;
            }
        }
        n->s += abs64(val);
        n->ds += val;
    }
    bool diff = has_base(v);
    fputc('{', out);
    write_common(out, v, diff);
    fputs(",\"root\":", out);
    write_node(out, root, diff);
    fputs("}\n", out);
    node_free(root);
    return 0;
nomem:
    if (root) node_free(root);
    snprintf(err, errlen, "out of memory building the call tree");
    return -1;
}

typedef struct trow {
    const char *name;
    int64_t flat, cum;
} trow;

static int by_flat(const void *a, const void *b) {
    const trow *l = a, *r = b;
    if (abs64(l->flat) != abs64(r->flat)) return abs64(l->flat) > abs64(r->flat) ? -1 : 1;
    int c = strcmp(l->name, r->name);
    if (c) return c;
    return abs64(l->cum) > abs64(r->cum) ? -1 : abs64(l->cum) < abs64(r->cum);
}

int web_top_json(FILE *out, const view *v, char *err, size_t errlen) {
    pf_report r;
    if (profile_top(v->p, v->vi, false, &r, err, errlen) < 0) return -1;
    trow *rows = calloc(r.nrows ? r.nrows : 1, sizeof(*rows));
    if (!rows) {
        pf_report_free(&r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    int64_t minv = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        if (r.rows[i].flat == 0 && r.rows[i].cum == 0) continue;
        rows[n++] = (trow){r.rows[i].name, r.rows[i].flat, r.rows[i].cum};
        int64_t m = r.rows[i].flat ? abs64(r.rows[i].flat) : abs64(r.rows[i].cum);
        if (m > 0 && (minv == 0 || m < minv)) minv = m;
    }
    qsort(rows, n, sizeof(*rows), by_flat);
    const char *sunit = v->p->sample_types[v->vi].unit;
    const char *to = n ? units_pick(minv, v->total, sunit) : "minimum";
    char a[64], b[64], c[64], d[64], e[64];
    fputc('{', out);
    write_common(out, v, has_base(v));
    units_label(a, sizeof(a), v->total, sunit, to);
    fputs(",\"total_label\":", out);
    json_str(out, a);
    fputs(",\"rows\":[", out);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += rows[i].flat;
        units_label(a, sizeof(a), rows[i].flat, sunit, to);
        units_percentage(b, sizeof(b), rows[i].flat, v->total);
        units_percentage(c, sizeof(c), sum, v->total);
        units_label(d, sizeof(d), rows[i].cum, sunit, to);
        units_percentage(e, sizeof(e), rows[i].cum, v->total);
        fprintf(out, "%s{\"name\":", i ? "," : "");
        json_str(out, rows[i].name);
        fprintf(out, ",\"flat\":%lld,\"cum\":%lld,\"flat_label\":", (long long)rows[i].flat,
                (long long)rows[i].cum);
        json_str(out, a);
        fputs(",\"flat_pct\":", out);
        json_str(out, b + strspn(b, " "));
        fputs(",\"sum_pct\":", out);
        json_str(out, c + strspn(c, " "));
        fputs(",\"cum_label\":", out);
        json_str(out, d);
        fputs(",\"cum_pct\":", out);
        json_str(out, e + strspn(e, " "));
        fputc('}', out);
    }
    fputs("]}\n", out);
    free(rows);
    pf_report_free(&r);
    return 0;
}
