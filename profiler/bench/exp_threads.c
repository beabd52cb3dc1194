/* exp_threads.c: experiment 3, is CPU time of parallel threads all seen?
 *
 * work_threads keeps two threads busy on two cores. The profile's CPU
 * total (its cpu/nanoseconds values: samples, and timer overruns, times
 * the period) is divided by the CPU time the kernel charged the process
 * (rusage). With one process-wide ITIMER_PROF timer, expiries that come
 * due while a signal is still pending are merged and lost, so the ratio
 * can fall below 1; per-thread timers count every period (overruns
 * included). Interleaved rounds; not pinned (the point is two cores).
 *
 * Invariants: the same work in every run; the ratio uses only the
 * profile's own values and the child's own rusage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

#define MAX_REPS 64
#define WORK_SECONDS 2.0 /* per thread */
#define HZ 100

int exp_threads(const pb_config *c, char *err, size_t errlen) {
    static const pb_variant vs[] = {PB_OURS_PROC, PB_OURS_THREAD, PB_GPERF};
    enum { NV = sizeof vs / sizeof vs[0] };
    int reps = c->reps / 2 > 3 ? c->reps / 2 : 3;
    if (reps > MAX_REPS) reps = MAX_REPS;
    unsigned long long units =
        (unsigned long long)(WORK_SECONDS * c->scale * pb_units_per_sec) + 1;
    char ustr[32];
    snprintf(ustr, sizeof ustr, "%llu", units);
    const char *args[] = {ustr, NULL};
    double ratio[NV][MAX_REPS], cpu[NV][MAX_REPS], wall[NV][MAX_REPS];
    pb_say(c, "\n== 3. Two busy threads at %d Hz: work_threads %s units per thread (~%.1f s "
              "of CPU each), %d interleaved rounds, not pinned\n",
           HZ, ustr, WORK_SECONDS * c->scale, reps);
    for (int r = 0; r < reps; r++) {
        for (int j = 0; j < NV; j++) {
            int k = (r + j) % NV;
            pb_run run;
            char tag[64];
            snprintf(tag, sizeof tag, "threads.r%d", r);
            if (pb_run_child(c, vs[k], HZ, -1, tag, "work_threads", args, &run, err, errlen))
                return -1;
            profile *p;
            if (pb_read_profile(vs[k], run.profile, &p, err, errlen) != 0) return -1;
            int vi = profile_value_index(p, "cpu");
            pf_report rep;
            if (vi < 0 || profile_top(p, vi, false, &rep, err, errlen) != 0) {
                if (vi < 0) snprintf(err, errlen, "%s: no cpu type", run.profile);
                profile_free(p);
                return -1;
            }
            ratio[k][r] = (double)rep.total / (double)run.cpu_ns;
            cpu[k][r] = (double)run.cpu_ns;
            wall[k][r] = (double)run.wall_ns;
            char extra[96];
            snprintf(extra, sizeof extra, "profile_cpu_ns=%lld ratio=%.4f",
                     (long long)rep.total, ratio[k][r]);
            pf_report_free(&rep);
            profile_free(p);
            pb_raw(c, "threads", vs[k], HZ, r, &run, extra);
        }
    }
    pb_say(c, "%-16s %-30s %-12s %s\n", "variant", "profile CPU / rusage CPU",
           "rusage CPU", "CPU/wall");
    for (int k = 0; k < NV; k++) {
        double mn, mx;
        pb_minmax(ratio[k], reps, &mn, &mx);
        double cw[MAX_REPS];
        for (int r = 0; r < reps; r++) cw[r] = cpu[k][r] / wall[k][r];
        char a[64];
        snprintf(a, sizeof a, "%.3f (%.3f..%.3f)", pb_median(ratio[k], reps), mn, mx);
        pb_say(c, "%-16s %-30s %8.3f s   %.2f\n", pb_variant_name(vs[k]), a,
               pb_median(cpu[k], reps) / 1e9, pb_median(cw, reps));
    }
    double med = pb_median(ratio[1], reps);
    pb_verdict(c, "3  cpuprof-thread   profile CPU / rusage CPU >= 0.97: %s (median %.3f; "
                  "process %.3f, gperftools %.3f)",
               med >= 0.97 ? "met" : "NOT met", med, pb_median(ratio[0], reps),
               pb_median(ratio[2], reps));
    return 0;
}
