/* measure_stacks.c: criteria that look at each sample's whole stack or its
 * labels (see measure_stacks.h).
 *
 * Shares are of the "cpu" sample type (the default type when there is
 * none), as the rest of the checker reports them. A frame is one line of a
 * location: a location with inlined calls has several, innermost first,
 * and each is a frame here as in pprof's reports. A function regex
 * matches the frame's function name anywhere (PCRE2, as profile_filter).
 *
 * Invariant: the run's cached profile is never modified; the measures that
 * filter read a fresh copy from the file.
 */
#include "measure_stacks.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

typedef struct name_re {
    pcre2_code *code;
    pcre2_match_data *md;
} name_re;

static int re_compile(name_re *r, const char *pattern, char *err, size_t errlen) {
    int ecode;
    PCRE2_SIZE off;
    r->md = NULL;
    r->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                            PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode, &off, NULL);
    if (!r->code) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(ecode, msg, sizeof msg);
        textf(err, errlen, "bad function regex \"%s\": %s at offset %zu", pattern,
              (char *)msg, (size_t)off);
        return -1;
    }
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    if (!r->md) {
        pcre2_code_free(r->code);
        textf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static void re_free(name_re *r) {
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
}

static bool re_match(name_re *r, const char *s) {
    return pcre2_match(r->code, (PCRE2_SPTR)s, strlen(s), 0, 0, r->md, NULL) >= 0;
}

static int cpu_index(const profile *p) {
    int vi = profile_value_index(p, "cpu");
    return vi >= 0 ? vi : profile_default_value_index(p);
}

static int64_t magnitude(int64_t v) {
    return v < 0 ? -v : v;
}

/* How many samples a sample row stands for: its "samples" value, or 1. */
static int64_t count_of(const profile *p, const pf_sample *s) {
    int si = profile_value_index(p, "samples");
    return si >= 0 ? magnitude(s->values[si]) : 1;
}

/* A location is the program's own code when its mapping is a file that is
 * not a shared object (no ".so" in its base name). Unknown mappings count
 * as not the program's. */
static bool own_code(const pf_location *loc) {
    if (!loc->mapping || !loc->mapping->file[0]) return false;
    const char *base = strrchr(loc->mapping->file, '/');
    base = base ? base + 1 : loc->mapping->file;
    return strstr(base, ".so") == NULL;
}

static bool sample_has(const pf_sample *s, name_re *r) {
    for (size_t i = 0; i < s->nlocs; i++)
        for (size_t j = 0; j < s->locs[i]->nlines; j++)
            if (s->locs[i]->lines[j].fn && re_match(r, s->locs[i]->lines[j].fn->name))
                return true;
    return false;
}

/* Reading from the leaf, is the first frame that matches r or is own code
 * one that matches r? */
static bool leafward_first(const pf_sample *s, name_re *r) {
    for (size_t i = 0; i < s->nlocs; i++) {
        const pf_location *loc = s->locs[i];
        for (size_t j = 0; j < loc->nlines; j++)
            if (loc->lines[j].fn && re_match(r, loc->lines[j].fn->name)) return true;
        if (own_code(loc)) return false;
    }
    return false;
}

int stacks_leafward_share(check_ctx *c, run_which w, const char *target_re, double *pct,
                          int64_t *hits, char *err, size_t errlen) {
    profile *p;
    if (measure_load(c, w, &p, err, errlen) < 0) return -1;
    name_re r;
    if (re_compile(&r, target_re, err, errlen) < 0) return -1;
    int vi = cpu_index(p);
    int64_t total = 0, hit = 0;
    *hits = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        int64_t v = magnitude(p->samples[i].values[vi]);
        total += v;
        if (leafward_first(&p->samples[i], &r)) {
            hit += v;
            *hits += count_of(p, &p->samples[i]);
        }
    }
    re_free(&r);
    if (total == 0) {
        textf(err, errlen, "%s has no samples", c->runs[w].profile_path);
        return -1;
    }
    *pct = 100.0 * (double)hit / (double)total;
    return 0;
}

/* The profile at path, after tagfocus when set. */
static int load_filtered(const char *path, const char *tagfocus, profile **out, char *err,
                         size_t errlen) {
    char why[ERRLEN];
    if (profile_read_file(path, out, why, sizeof why) < 0) {
        textf(err, errlen, "cannot read %s: %s", path, why);
        return -1;
    }
    if (tagfocus) {
        pf_filter f = {.tagfocus = tagfocus};
        if (profile_filter(*out, &f, err, errlen) < 0) {
            profile_free(*out);
            return -1;
        }
    }
    return 0;
}

static bool has_label(const pf_sample *s, const char *key, const char *value) {
    for (size_t i = 0; i < s->nlabels; i++)
        if (s->labels[i].str && strcmp(s->labels[i].key, key) == 0 &&
            (!value || strcmp(s->labels[i].str, value) == 0))
            return true;
    return false;
}

int stacks_label_share(const char *path, const char *tagfocus, const char *fn_re,
                       const char *key, const char *value, double *pct, int64_t *nsamples,
                       char *err, size_t errlen) {
    profile *p;
    if (load_filtered(path, tagfocus, &p, err, errlen) < 0) return -1;
    name_re r;
    if (re_compile(&r, fn_re, err, errlen) < 0) {
        profile_free(p);
        return -1;
    }
    int vi = cpu_index(p);
    int64_t on_stack = 0, labelled = 0;
    *nsamples = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        const pf_sample *s = &p->samples[i];
        if (!sample_has(s, &r)) continue;
        int64_t v = magnitude(s->values[vi]);
        on_stack += v;
        *nsamples += count_of(p, s);
        if (has_label(s, key, value)) labelled += v;
    }
    re_free(&r);
    profile_free(p);
    if (on_stack == 0) {
        textf(err, errlen, "no sample of %s has a function matching %s on its stack", path,
              fn_re);
        return -1;
    }
    *pct = 100.0 * (double)labelled / (double)on_stack;
    return 0;
}

int stacks_share_after_tagfocus(const char *path, const char *tagfocus, const char *fn_re,
                                double *pct, int64_t *nsamples, char *err, size_t errlen) {
    profile *p;
    if (load_filtered(path, tagfocus, &p, err, errlen) < 0) return -1;
    name_re r;
    if (re_compile(&r, fn_re, err, errlen) < 0) {
        profile_free(p);
        return -1;
    }
    int vi = cpu_index(p);
    int64_t total = 0, hit = 0;
    *nsamples = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        int64_t v = magnitude(p->samples[i].values[vi]);
        total += v;
        *nsamples += count_of(p, &p->samples[i]);
        if (sample_has(&p->samples[i], &r)) hit += v;
    }
    re_free(&r);
    profile_free(p);
    if (total == 0) {
        textf(err, errlen, "no sample of %s is left after -tagfocus=%s", path, tagfocus);
        return -1;
    }
    *pct = 100.0 * (double)hit / (double)total;
    return 0;
}

int stacks_name_matches(const char *pattern, const char *name, bool *match, char *err,
                        size_t errlen) {
    name_re r;
    if (re_compile(&r, pattern, err, errlen) < 0) return -1;
    *match = re_match(&r, name);
    re_free(&r);
    return 0;
}
