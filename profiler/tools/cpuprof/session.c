/* session.c: the profile being analyzed, and the views reports start from.
 *
 * session_open reads FILE through libprofile (so a bad file fails with its
 * one-line message), then keeps the file's bytes; each view parses them
 * again, merges the -base profile in (pprof's order: base first, then
 * filters) and applies the focus/ignore/tagfocus/tagignore settings.
 * Totals are taken after the merge and before the filters, as pprof does,
 * so percentages stay shares of the whole profile. session_report runs one
 * report on a fresh view. Invariant: a report never modifies the session.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

void settings_set(char **field, const char *value) {
    free(*field);
    *field = value && value[0] ? strdup(value) : NULL;
}

void settings_copy(settings *dst, const settings *src) {
    *dst = *src;
    dst->focus = src->focus ? strdup(src->focus) : NULL;
    dst->ignore = src->ignore ? strdup(src->ignore) : NULL;
    dst->tagfocus = src->tagfocus ? strdup(src->tagfocus) : NULL;
    dst->tagignore = src->tagignore ? strdup(src->tagignore) : NULL;
    dst->sample_index = src->sample_index ? strdup(src->sample_index) : NULL;
}

void settings_free(settings *s) {
    free(s->focus);
    free(s->ignore);
    free(s->tagfocus);
    free(s->tagignore);
    free(s->sample_index);
    memset(s, 0, sizeof(*s));
}

static int read_all(const char *path, unsigned char **out, size_t *outlen, char *err,
                    size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        unsigned char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read the file", path);
        return -1;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

int session_open(session *s, const char *path, const char *base_path, bool diff_base,
                 char *err, size_t errlen) {
    memset(s, 0, sizeof(*s));
    s->path = path;
    s->diff_base = diff_base;
    s->set.nodecount = -1;
    profile *p;
    if (profile_read_file(path, &p, err, errlen) < 0) return -1;
    profile_free(p);
    if (read_all(path, &s->bytes, &s->nbytes, err, errlen) < 0) return -1;
    if (base_path && profile_read_file(base_path, &s->base, err, errlen) < 0) {
        session_close(s);
        return -1;
    }
    return 0;
}

void session_close(session *s) {
    free(s->bytes);
    if (s->base) profile_free(s->base);
    settings_free(&s->set);
    memset(s, 0, sizeof(*s));
}

int sample_index_lookup(const profile *p, const char *name, char *err, size_t errlen) {
    if (p->nsample_types == 0) {
        snprintf(err, errlen, "profile has no samples");
        return -1;
    }
    if (!name || !name[0]) return profile_default_value_index(p);
    char *end;
    errno = 0;
    long i = strtol(name, &end, 10);
    if (*end == '\0' && errno == 0) {
        if (i < 0 || (size_t)i >= p->nsample_types) {
            snprintf(err, errlen, "sample_index %s is outside the range [0..%zu]", name,
                     p->nsample_types - 1);
            return -1;
        }
        return (int)i;
    }
    const char *plain = strncmp(name, "inuse_", 6) == 0 ? name + 6 : name;
    for (size_t k = 0; k < p->nsample_types; k++)
        if (strcmp(p->sample_types[k].type, name) == 0 ||
            strcmp(p->sample_types[k].type, plain) == 0)
            return (int)k;
    int n = snprintf(err, errlen, "sample_index \"%s\" must be one of: [", name);
    for (size_t k = 0; k < p->nsample_types && n >= 0 && (size_t)n < errlen; k++)
        n += snprintf(err + n, errlen - (size_t)n, "%s%s", k ? " " : "",
                      p->sample_types[k].type);
    if (n >= 0 && (size_t)n < errlen) snprintf(err + n, errlen - (size_t)n, "]");
    return -1;
}

static int total_of(const profile *p, int vi, int64_t *total, char *err, size_t errlen) {
    pf_report r;
    if (profile_top(p, vi, false, &r, err, errlen) < 0) return -1;
    *total = r.total;
    pf_report_free(&r);
    return 0;
}

/* The sample type -ci counts: "samples", else the reported one when it is a
 * count; -1 when the profile has neither. */
static int count_index(const profile *p, int vi) {
    int si = profile_value_index(p, "samples");
    if (si < 0 && strcmp(p->sample_types[vi].unit, "count") == 0) si = vi;
    return si;
}

int session_view(const session *s, const settings *set, view *out, char *err, size_t errlen) {
    profile *p;
    memset(out, 0, sizeof(*out));
    if (profile_parse(s->bytes, s->nbytes, &p, err, errlen) < 0) return -1;
    if (s->base && profile_merge_base(p, s->base, s->diff_base, err, errlen) < 0) goto fail;
    if ((out->vi = sample_index_lookup(p, set->sample_index, err, errlen)) < 0) goto fail;
    if (total_of(p, out->vi, &out->total, err, errlen) < 0) goto fail;
    out->si = count_index(p, out->vi);
    if (out->si >= 0 && total_of(p, out->si, &out->total_samples, err, errlen) < 0) goto fail;
    pf_filter f = {set->focus, set->ignore, set->tagfocus, set->tagignore};
    if (f.focus || f.ignore || f.tagfocus || f.tagignore) {
        size_t before = p->nsamples;
        if (profile_filter(p, &f, err, errlen) < 0) goto fail;
        out->emptied = before > 0 && p->nsamples == 0;
    }
    out->p = p;
    out->set = set;
    return 0;
fail:
    profile_free(p);
    return -1;
}

void view_free(view *v) {
    if (v->p) profile_free(v->p);
    v->p = NULL;
}

int session_report(const session *s, const settings *set, const char *name, FILE *out,
                   char *err, size_t errlen) {
    view v;
    int rc;
    if (session_view(s, set, &v, err, errlen) < 0) return -1;
    if (v.emptied) {
        fflush(out);
        fprintf(stderr, "cpuprof: warning: the filters matched no samples\n");
    }
    if (strcmp(name, "top") == 0)
        rc = report_top(out, &v, err, errlen);
    else if (strcmp(name, "tags") == 0)
        rc = report_tags(out, &v, err, errlen);
    else
        rc = report_traces(out, &v, err, errlen);
    view_free(&v);
    return rc;
}
