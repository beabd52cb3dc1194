/* measure.c: the numbers criteria are judged on, computed from a run's
 * profile with libprofile (never from a tool's printed text).
 *
 * Shares are percentages of the profile's total on the "cpu" sample type
 * (the default type when there is no "cpu"), as `cpuprof -top` prints
 * them. A run's profile is read once and kept in its run_state. The
 * benchmark criteria are in measure_bench.c.
 */
#include "checker.h"

#include <string.h>

/* The profile of run w, making the run first when needed. */
int measure_load(check_ctx *c, run_which w, profile **out, char *err, size_t errlen) {
    run_state *r = &c->runs[w];
    if (exercise_run(c, w) < 0) {
        snprintf(err, errlen, "not measured, the %s run failed (see above)",
                 w == RUN_BEFORE ? "before" : "yours");
        return -1;
    }
    if (!r->prof_tried) {
        r->prof_tried = true;
        char why[ERRLEN];
        if (profile_read_file(r->profile_path, &r->prof, why, sizeof why) < 0)
            textf(r->prof_error, sizeof r->prof_error, "cannot read %s: %s",
                     r->profile_path, why);
    }
    if (!r->prof) {
        snprintf(err, errlen, "%s", r->prof_error);
        return -1;
    }
    *out = r->prof;
    return 0;
}

static int value_index(const profile *p) {
    int vi = profile_value_index(p, "cpu");
    return vi >= 0 ? vi : profile_default_value_index(p);
}

/* Flat and cum of the functions matching regex, in percent of the total. */
int measure_shares(check_ctx *c, run_which w, const char *regex, double *flat_pct,
                   double *cum_pct, char *err, size_t errlen) {
    profile *p;
    if (measure_load(c, w, &p, err, errlen) < 0) return -1;
    int vi = value_index(p);
    pf_report rep;
    if (profile_top(p, vi, false, &rep, err, errlen) < 0) return -1;
    int64_t total = rep.total;
    pf_report_free(&rep);
    if (total == 0) {
        snprintf(err, errlen, "%s has no samples", c->runs[w].profile_path);
        return -1;
    }
    int64_t flat, cum;
    if (profile_match_value(p, vi, regex, &flat, &cum, err, errlen) < 0) return -1;
    *flat_pct = 100.0 * (double)flat / (double)total;
    *cum_pct = 100.0 * (double)cum / (double)total;
    return 0;
}

/* The profile exists, parses, and has this many samples. */
int measure_profile_samples(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int si = profile_value_index(p, "samples");
    if (si < 0) si = profile_default_value_index(p);
    int64_t n = 0;
    for (size_t i = 0; i < p->nsamples; i++)
        n += p->samples[i].values[si] < 0 ? -p->samples[i].values[si] : p->samples[i].values[si];
    m->value = (double)n;
    snprintf(m->shown, sizeof m->shown, "%s parses, %lld samples", c->runs[k->run].profile_path,
             (long long)n);
    return 0;
}

int measure_flat_pct(check_ctx *c, const criterion *k, measurement *m) {
    double flat, cum;
    if (measure_shares(c, k->run, k->arg, &flat, &cum, m->error, sizeof m->error) < 0) return -1;
    m->value = flat;
    return 0;
}

int measure_cum_pct(check_ctx *c, const criterion *k, measurement *m) {
    double flat, cum;
    if (measure_shares(c, k->run, k->arg, &flat, &cum, m->error, sizeof m->error) < 0) return -1;
    m->value = cum;
    return 0;
}

int measure_cum_minus_flat(check_ctx *c, const criterion *k, measurement *m) {
    double flat, cum;
    if (measure_shares(c, k->run, k->arg, &flat, &cum, m->error, sizeof m->error) < 0) return -1;
    m->value = cum - flat;
    snprintf(m->shown, sizeof m->shown, "%.1f points (cum %.1f%% - flat %.1f%%)", cum - flat, cum,
             flat);
    return 0;
}
