/* sample_export.c: turns a stack table into a pprof profile.
 *
 * The caller names the two sample types and the period. For the CPU
 * profile they are samples/count (signals) and cpu/nanoseconds (timer
 * periods, overruns included, times the period), period type
 * cpu/nanoseconds; for the mutex profile contentions/count and
 * delay/nanoseconds, period type contentions/count. Each entry's label set
 * (labels.c) becomes one string label (key, str) per pair. Every pc goes through the symbolizer, which adds the
 * mapping, function and location, deduplicated. Signals that were counted
 * but not stored become one sample whose only frame is the pseudo-function
 * "cpuprof::dropped", so the profile's totals equal the events taken.
 *
 * Runs in normal context after sampling stopped: it allocates freely.
 */
#include <stdio.h>
#include <stdlib.h>

#include "labels.h"
#include "sampler_internal.h"
#include "stack_table.h"
#include "symbolize.h"

#define DROPPED_FRAME "cpuprof::dropped"

static profile *fail(profile *p, symbolizer *s, char *err, size_t errlen, const char *what) {
    if (err && errlen) snprintf(err, errlen, "building the profile: %s", what);
    if (s) symbolizer_free(s);
    if (p) profile_free(p);
    return NULL;
}

profile *sample_export(const stack_table *t, const export_info *info, char *err, size_t errlen) {
    profile *p = profile_new();
    if (!p) return fail(NULL, NULL, err, errlen, "out of memory");
    profile_add_sample_type(p, info->types[0].type, info->types[0].unit);
    profile_add_sample_type(p, info->types[1].type, info->types[1].unit);
    profile_set_period(p, info->period_type.type, info->period_type.unit, info->period);
    p->time_nanos = info->time_nanos;
    p->duration_nanos = info->duration_nanos;
    if (info->comment) profile_add_comment(p, info->comment);

    symbolizer *s = symbolizer_new();
    if (!s) return fail(p, NULL, err, errlen, "out of memory");
    pf_location *locs[STACK_TABLE_MAX_DEPTH];
    size_t cursor = 0;
    stack_entry e;
    while (t && stack_table_next(t, &cursor, &e)) {
        for (int i = 0; i < e.depth; i++) {
            locs[i] = symbolizer_location(s, p, (uint64_t)e.pcs[i]);
            if (!locs[i]) return fail(p, s, err, errlen, "out of memory");
        }
        int64_t values[2] = {(int64_t)e.count, (int64_t)e.periods * info->scale};
        pf_sample *ps = profile_add_sample(p, locs, (size_t)e.depth, values);
        if (!ps) return fail(p, s, err, errlen, "out of memory");
        const cpuprof_labelset *ls = e.labels;
        for (size_t i = 0; i < cpuprof_labelset_len(ls); i++) {
            const cpuprof_label *l = cpuprof_labelset_pair(ls, i);
            profile_sample_add_label(p, ps, l->key, l->value);
        }
    }
    symbolizer_free(s);

    if (info->dropped > 0) {
        pf_function *fn = profile_function(p, DROPPED_FRAME, DROPPED_FRAME, "", 0);
        pf_location *loc = fn ? profile_location(p, NULL, 0, fn, 0) : NULL;
        int64_t values[2] = {(int64_t)info->dropped,
                             (int64_t)info->dropped_periods * info->scale};
        if (!loc || !profile_add_sample(p, &loc, 1, values))
            return fail(p, NULL, err, errlen, "out of memory");
    }
    return p;
}
