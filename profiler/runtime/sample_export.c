/* sample_export.c: turns a stopped stack table into a pprof profile.
 *
 * Sample types are samples/count (signals) and cpu/nanoseconds (timer
 * periods, overruns included, times the period); the period type is
 * cpu/nanoseconds. Every pc goes through the symbolizer, which adds the
 * mapping, function and location, deduplicated. Signals that were counted
 * but not stored become one sample whose only frame is the pseudo-function
 * "cpuprof::dropped", so the profile's totals equal the signals taken.
 *
 * Runs in normal context after sampling stopped: it allocates freely.
 */
#include <stdio.h>
#include <stdlib.h>

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
    profile_add_sample_type(p, "samples", "count");
    profile_add_sample_type(p, "cpu", "nanoseconds");
    profile_set_period(p, "cpu", "nanoseconds", info->period_ns);
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
        int64_t values[2] = {(int64_t)e.count, (int64_t)e.periods * info->period_ns};
        if (!profile_add_sample(p, locs, (size_t)e.depth, values))
            return fail(p, s, err, errlen, "out of memory");
    }
    symbolizer_free(s);

    if (info->dropped > 0) {
        pf_function *fn = profile_function(p, DROPPED_FRAME, DROPPED_FRAME, "", 0);
        pf_location *loc = fn ? profile_location(p, NULL, 0, fn, 0) : NULL;
        int64_t values[2] = {(int64_t)info->dropped,
                             (int64_t)info->dropped_periods * info->period_ns};
        if (!loc || !profile_add_sample(p, &loc, 1, values))
            return fail(p, NULL, err, errlen, "out of memory");
    }
    return p;
}
