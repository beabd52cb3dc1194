/* profile_filter.c: pprof's -focus, -ignore, -tagfocus and -tagignore.
 *
 * Names (as pprof's FilterSamplesByName): a location matches a regex when the
 * name or file name of the function of any of its lines matches, or its
 * mapping's file does. A location that matches -ignore is ignored, else one
 * that matches -focus (or any location, without -focus) is focused. When
 * either flag is given, a sample is kept when it has a focused location and
 * no ignored one.
 *
 * Tags (as pprof's tag filters): "key=re1,re2" keeps a sample with a label
 * of that key whose value matches any of the regexes; a bare "re1,re2" needs
 * every regex to match some label written as "key:value". A numeric label's
 * value is its text as the tag table prints it ("4kB", "12"); pprof's
 * numeric ranges ("1kB:8kB") are not supported. -tagfocus keeps what
 * matches, -tagignore drops it. Samples are removed in place, order kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

typedef struct tag_filter {
    char *key; /* NULL: any key, matched on "key:value" */
    pf_regex **res;
    size_t nres;
} tag_filter;

static void tag_filter_free(tag_filter *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nres; i++) pf_regex_free(t->res[i]);
    free(t->res);
    free(t->key);
    free(t);
}

static tag_filter *tag_filter_compile(const char *spec, const char *flag, char *err,
                                      size_t errlen) {
    tag_filter *t = pf_xcalloc(1, sizeof(*t));
    const char *eq = strchr(spec, '=');
    const char *value = spec;
    if (eq) {
        t->key = strndup(spec, (size_t)(eq - spec));
        if (!t->key) pf_oom(strlen(spec));
        value = eq + 1;
    }
    char *copy = strdup(value);
    if (!copy) pf_oom(strlen(value));
    size_t n = 1;
    for (const char *c = copy; *c; c++) n += *c == ',';
    t->res = pf_xcalloc(n, sizeof(pf_regex *));
    char *save = copy;
    for (size_t i = 0; i < n; i++) {
        char *comma = strchr(save, ',');
        if (comma) *comma = '\0';
        t->res[i] = pf_regex_compile(save, flag, err, errlen);
        if (!t->res[i]) {
            free(copy);
            tag_filter_free(t);
            return NULL;
        }
        t->nres++;
        if (comma) save = comma + 1;
    }
    free(copy);
    return t;
}

static const char *label_value(const pf_label *l, char *buf, size_t buflen) {
    return l->str ? l->str : pf_format_num_label(l->num, l->num_unit, buf, buflen);
}

static bool tag_filter_match(const tag_filter *t, const pf_sample *s) {
    char num[64];
    if (t->key) {
        for (size_t i = 0; i < s->nlabels; i++) {
            const pf_label *l = &s->labels[i];
            if (strcmp(l->key, t->key) != 0) continue;
            const char *v = label_value(l, num, sizeof(num));
            for (size_t r = 0; r < t->nres; r++)
                if (pf_regex_match(t->res[r], v)) return true;
        }
        return false;
    }
    for (size_t r = 0; r < t->nres; r++) {
        bool hit = false;
        for (size_t i = 0; i < s->nlabels && !hit; i++) {
            const pf_label *l = &s->labels[i];
            const char *v = label_value(l, num, sizeof(num));
            size_t len = strlen(l->key) + strlen(v) + 2;
            char *kv = pf_xrealloc(NULL, len);
            snprintf(kv, len, "%s:%s", l->key, v);
            hit = pf_regex_match(t->res[r], kv);
            free(kv);
        }
        if (!hit) return false;
    }
    return true;
}

static bool location_matches(const pf_location *loc, pf_regex *re) {
    for (size_t i = 0; i < loc->nlines; i++) {
        const pf_function *fn = loc->lines[i].fn;
        if (fn && (pf_regex_match(re, fn->name) || pf_regex_match(re, fn->filename)))
            return true;
    }
    return loc->mapping && pf_regex_match(re, loc->mapping->file);
}

enum { LOC_NEUTRAL = 1, LOC_FOCUSED, LOC_IGNORED };

/* The verdict on a location, computed once per location. */
static int location_verdict(pf_map *cache, const pf_location *loc, pf_regex *focus,
                            pf_regex *ignore) {
    uintptr_t v = (uintptr_t)pf_map_get(cache, &loc, sizeof(loc));
    if (v) return (int)v;
    if (ignore && location_matches(loc, ignore))
        v = LOC_IGNORED;
    else if (!focus || location_matches(loc, focus))
        v = LOC_FOCUSED;
    else
        v = LOC_NEUTRAL;
    pf_map_put(cache, &loc, sizeof(loc), (void *)v);
    return (int)v;
}

static bool names_keep(pf_map *cache, const pf_sample *s, pf_regex *focus, pf_regex *ignore) {
    bool focused = false;
    for (size_t i = 0; i < s->nlocs; i++) {
        int v = location_verdict(cache, s->locs[i], focus, ignore);
        if (v == LOC_IGNORED) return false;
        if (v == LOC_FOCUSED) focused = true;
    }
    return focused;
}

static bool set(const char *s) {
    return s && *s;
}

int profile_filter(profile *p, const pf_filter *f, char *err, size_t errlen) {
    if (!f) return 0;
    pf_regex *focus = NULL, *ignore = NULL;
    tag_filter *tfocus = NULL, *tignore = NULL;
    int rc = 0;
    if ((set(f->focus) && !(focus = pf_regex_compile(f->focus, "-focus", err, errlen))) ||
        (set(f->ignore) && !(ignore = pf_regex_compile(f->ignore, "-ignore", err, errlen))) ||
        (set(f->tagfocus) &&
         !(tfocus = tag_filter_compile(f->tagfocus, "-tagfocus", err, errlen))) ||
        (set(f->tagignore) &&
         !(tignore = tag_filter_compile(f->tagignore, "-tagignore", err, errlen)))) {
        rc = -1;
        goto done;
    }
    pf_map cache = {0};
    size_t kept = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        const pf_sample *s = &p->samples[i];
        bool keep = true;
        if ((focus || ignore) && !names_keep(&cache, s, focus, ignore)) keep = false;
        if (keep && tfocus && !tag_filter_match(tfocus, s)) keep = false;
        if (keep && tignore && tag_filter_match(tignore, s)) keep = false;
        if (keep) p->samples[kept++] = *s;
    }
    p->nsamples = kept;
    pf_map_free(&cache);
done:
    pf_regex_free(focus);
    pf_regex_free(ignore);
    tag_filter_free(tfocus);
    tag_filter_free(tignore);
    return rc;
}
