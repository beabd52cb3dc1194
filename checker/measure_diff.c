/* measure_diff.c: numbers from the difference of two profiles, yours
 * minus the untouched program's, as `cpuprof -top -base=before after`
 * shows it (libprofile's profile_merge_base: the base's samples negated
 * and merged in).
 *
 * Both are expressed in percent of the before profile's total, which is
 * what `cpuprof -top -diff_base=before after` prints. They only mean
 * something when both runs did the same work: the recipe must fix the
 * iteration count (-benchtime=Nx), not the time.
 *
 *   measure_diff_site_cum   the change in cum of the functions matching
 *                           k->arg (the site a fix removes): negative and
 *                           large when the fix took the time away.
 *   measure_diff_others     the largest change in flat of any function
 *                           outside that site: every sample of either
 *                           profile whose stack holds a frame matching
 *                           k->arg is left out (the site and all it calls:
 *                           malloc, memcpy, ...), and so is every sample
 *                           of yours whose stack holds a function that the
 *                           before profile never shows (your new code and
 *                           what only it calls). What remains is the part
 *                           of the program the fix should not have touched.
 *
 * Invariant: the cached profiles of the runs are not modified; the diff is
 * made on fresh copies read from the same files.
 */
#include "checker.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int cpu_index(const profile *p) {
    int vi = profile_value_index(p, "cpu");
    return vi >= 0 ? vi : profile_default_value_index(p);
}

static int64_t total_of(const profile *p, int vi) {
    int64_t t = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        int64_t v = p->samples[i].values[vi];
        t += v < 0 ? -v : v;
    }
    return t;
}

/* Both profiles and the before total; fresh copies of both in *fb, *fy
 * when those are not NULL (the caller frees them). */
static int load_pair(check_ctx *c, profile **before, int64_t *btotal, profile **fb, profile **fy,
                     char *err, size_t errlen) {
    profile *yours;
    if (measure_load(c, RUN_BEFORE, before, err, errlen) < 0 ||
        measure_load(c, RUN_YOURS, &yours, err, errlen) < 0)
        return -1;
    *btotal = total_of(*before, cpu_index(*before));
    if (*btotal == 0) {
        textf(err, errlen, "%s has no samples", c->runs[RUN_BEFORE].profile_path);
        return -1;
    }
    char why[ERRLEN];
    if (fb && profile_read_file(c->runs[RUN_BEFORE].profile_path, fb, why, sizeof why) < 0) {
        textf(err, errlen, "cannot read %s: %s", c->runs[RUN_BEFORE].profile_path, why);
        return -1;
    }
    if (fy && profile_read_file(c->runs[RUN_YOURS].profile_path, fy, why, sizeof why) < 0) {
        textf(err, errlen, "cannot read %s: %s", c->runs[RUN_YOURS].profile_path, why);
        if (fb) profile_free(*fb);
        return -1;
    }
    return 0;
}

int measure_diff_site_cum(check_ctx *c, const criterion *k, measurement *m) {
    profile *before, *diff;
    int64_t btotal, flat, cum;
    if (load_pair(c, &before, &btotal, NULL, &diff, m->error, sizeof m->error) < 0) return -1;
    int rc = -1;
    if (profile_merge_base(diff, before, false, m->error, sizeof m->error) < 0 ||
        profile_match_value(diff, cpu_index(diff), k->arg, &flat, &cum, m->error,
                            sizeof m->error) < 0)
        goto out;
    m->value = 100.0 * (double)cum / (double)btotal;
    textf(m->shown, sizeof m->shown, "%+.1f%% of the before total (%+.2fs of %.2fs)", m->value,
          (double)cum / 1e9, (double)btotal / 1e9);
    rc = 0;
out:
    profile_free(diff);
    return rc;
}

/* A frame's name: its function, else the file it was mapped from (an
 * address would differ from one run to the next). */
static const char *frame_name(const pf_location *loc, size_t li) {
    if (li < loc->nlines && loc->lines[li].fn && loc->lines[li].fn->name[0])
        return loc->lines[li].fn->name;
    if (loc->mapping && loc->mapping->file[0]) {
        const char *slash = strrchr(loc->mapping->file, '/');
        return slash ? slash + 1 : loc->mapping->file;
    }
    return "<unknown>";
}

typedef struct name_list {
    const char **names;
    size_t n, cap;
} name_list;

static void list_add(name_list *l, const char *name) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        const char **grown = realloc(l->names, l->cap * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "checker: out of memory\n");
            exit(2);
        }
        l->names = grown;
    }
    l->names[l->n++] = name;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool list_has(const name_list *l, const char *name) {
    return bsearch(&name, l->names, l->n, sizeof *l->names, cmp_str) != NULL;
}

/* Every frame name on the stacks of p, sorted (with repeats). */
static void names_on_stacks(const profile *p, name_list *l) {
    for (size_t s = 0; s < p->nsamples; s++)
        for (size_t i = 0; i < p->samples[s].nlocs; i++) {
            const pf_location *loc = p->samples[s].locs[i];
            for (size_t j = 0; j < (loc->nlines ? loc->nlines : 1); j++)
                list_add(l, frame_name(loc, j));
        }
    qsort(l->names, l->n, sizeof *l->names, cmp_str);
}

/* True when some frame of s is not in known. */
static bool has_new_frame(const pf_sample *s, const name_list *known) {
    for (size_t i = 0; i < s->nlocs; i++) {
        const pf_location *loc = s->locs[i];
        for (size_t j = 0; j < (loc->nlines ? loc->nlines : 1); j++)
            if (!list_has(known, frame_name(loc, j))) return true;
    }
    return false;
}

typedef struct flat_entry {
    const char *name;
    int64_t v;
} flat_entry;

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const flat_entry *)a)->name, ((const flat_entry *)b)->name);
}

int measure_diff_others(check_ctx *c, const criterion *k, measurement *m) {
    profile *before, *fb, *fy;
    int64_t btotal;
    if (load_pair(c, &before, &btotal, &fb, &fy, m->error, sizeof m->error) < 0) return -1;
    name_list known = {0};
    flat_entry *e = NULL;
    int rc = -1;
    /* Drop the site's samples from both copies (pprof's -ignore). */
    pf_filter f = {.ignore = k->arg};
    if (profile_filter(fb, &f, m->error, sizeof m->error) < 0 ||
        profile_filter(fy, &f, m->error, sizeof m->error) < 0)
        goto out;
    names_on_stacks(before, &known);
    int vb = cpu_index(fb), vy = cpu_index(fy);
    e = calloc(fb->nsamples + fy->nsamples + 1, sizeof *e);
    if (!e) {
        textf(m->error, sizeof m->error, "out of memory");
        goto out;
    }
    size_t n = 0;
    int64_t left_out = 0;
    for (size_t s = 0; s < fb->nsamples; s++) {
        const pf_sample *sm = &fb->samples[s];
        if (sm->nlocs && sm->values[vb])
            e[n++] = (flat_entry){frame_name(sm->locs[0], 0), -sm->values[vb]};
    }
    for (size_t s = 0; s < fy->nsamples; s++) {
        const pf_sample *sm = &fy->samples[s];
        if (!sm->nlocs || !sm->values[vy]) continue;
        if (has_new_frame(sm, &known)) {
            left_out += sm->values[vy];
            continue;
        }
        e[n++] = (flat_entry){frame_name(sm->locs[0], 0), sm->values[vy]};
    }
    qsort(e, n, sizeof *e, cmp_entry);
    const char *worst = NULL;
    int64_t worst_v = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int64_t sum = 0;
        while (j < n && strcmp(e[j].name, e[i].name) == 0) sum += e[j++].v;
        if (!worst || llabs(sum) > llabs(worst_v)) {
            worst = e[i].name;
            worst_v = sum;
        }
        i = j;
    }
    double pct = 100.0 * (double)worst_v / (double)btotal;
    m->value = pct < 0 ? -pct : pct;
    textf(m->shown, sizeof m->shown,
          "%.1f%%: the largest change is %s, %+.1f%% of the before total (your new code, "
          "%.1f%%, left out)",
          m->value, worst ? worst : "(none)", pct, 100.0 * (double)left_out / (double)btotal);
    rc = 0;
out:
    free(e);
    free(known.names);
    profile_free(fb);
    profile_free(fy);
    return rc;
}
