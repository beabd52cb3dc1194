/* exp_overhead.c: experiment 1, the cost of profiling at 100 Hz.
 *
 * work_spin runs the same deterministic ~2.5 s of CPU work with no
 * profiler, with libcpuprof (process timer, thread timer) and with
 * gperftools, in interleaved rounds (the order of the four rotates every
 * round), all pinned to one CPU. A second, cheap set of rounds runs
 * work_spin 0 (no work) to isolate the fixed cost: loading the profiler
 * and writing its profile at exit.
 *
 * Overhead of a variant in round r is its CPU time over the no-profiler
 * CPU time of the same round, minus one; the report gives the median over
 * rounds, a distribution-free 95% interval for that median, and min..max,
 * for the process's CPU (rusage: everything), the loop's CPU (what the
 * workload measured around its loop: the sampling alone) and wall time.
 *
 * Invariants: every variant runs the same work the same number of times;
 * ratios are only ever taken between runs of the same round.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

#define MAX_REPS 64
#define WORK_SECONDS 2.5
#define HZ 100

typedef struct series {
    double cpu[MAX_REPS], loop[MAX_REPS], wall[MAX_REPS], fixed[MAX_REPS];
    double samples[MAX_REPS];
} series;

static void fmt_pct_ci(char *buf, size_t len, const double *x, int n) {
    double med = pb_median(x, n), lo, hi, cov, mn, mx;
    pb_minmax(x, n, &mn, &mx);
    if (pb_median_ci(x, n, &lo, &hi, &cov) == 0)
        snprintf(buf, len, "%+6.2f%% [%+.2f, %+.2f] (%+.2f..%+.2f)", med, lo, hi, mn, mx);
    else
        snprintf(buf, len, "%+6.2f%% [n too small] (%+.2f..%+.2f)", med, mn, mx);
}

int exp_overhead(const pb_config *c, char *err, size_t errlen) {
    int reps = c->reps < MAX_REPS ? c->reps : MAX_REPS;
    unsigned long long units =
        (unsigned long long)(WORK_SECONDS * c->scale * pb_units_per_sec) + 1;
    char ustr[32];
    snprintf(ustr, sizeof ustr, "%llu", units);
    const char *args[] = {ustr, NULL};
    const char *zero[] = {"0", NULL};
    static series s[PB_NVARIANTS];
    memset(s, 0, sizeof s);

    pb_say(c, "\n== 1. Overhead at %d Hz: work_spin %s units (~%.1f s of CPU), %d interleaved "
              "rounds, pinned to CPU %d\n",
           HZ, ustr, WORK_SECONDS * c->scale, reps, c->pin_cpu);
    for (int r = 0; r < reps; r++) {
        for (int j = 0; j < PB_NVARIANTS; j++) {
            pb_variant v = (pb_variant)((r + j) % PB_NVARIANTS);
            pb_run run;
            char tag[64];
            snprintf(tag, sizeof tag, "overhead.r%d", r);
            if (pb_run_child(c, v, HZ, c->pin_cpu, tag, "work_spin", args, &run, err, errlen))
                return -1;
            int64_t loop = pb_out_int(run.out, "loop_cpu_ns");
            if (loop <= 0) {
                snprintf(err, errlen, "work_spin printed no loop_cpu_ns: \"%.200s\"", run.out);
                return -1;
            }
            s[v].cpu[r] = (double)run.cpu_ns;
            s[v].loop[r] = (double)loop;
            s[v].wall[r] = (double)run.wall_ns;
            char extra[64] = "";
            if (v != PB_NONE) {
                profile *p;
                if (pb_read_profile(v, run.profile, &p, err, errlen) != 0) return -1;
                pf_report rep;
                int vi = profile_value_index(p, "samples");
                if (vi < 0 || profile_top(p, vi, false, &rep, err, errlen) != 0) {
                    if (vi < 0) snprintf(err, errlen, "%s: no samples type", run.profile);
                    profile_free(p);
                    return -1;
                }
                s[v].samples[r] = (double)rep.total;
                snprintf(extra, sizeof extra, "samples=%lld", (long long)rep.total);
                pf_report_free(&rep);
                profile_free(p);
            }
            pb_raw(c, "overhead", v, HZ, r, &run, extra);
            if (pb_run_child(c, v, HZ, c->pin_cpu, "fixed", "work_spin", zero, &run, err,
                             errlen))
                return -1;
            s[v].fixed[r] = (double)run.cpu_ns;
            pb_raw(c, "fixed", v, HZ, r, &run, NULL);
        }
        fprintf(stderr, "  overhead round %d/%d done\n", r + 1, reps);
    }

    double base_cpu = pb_median(s[PB_NONE].cpu, reps) / 1e9;
    double base_fixed = pb_median(s[PB_NONE].fixed, reps) / 1e6;
    pb_say(c, "no profiler: process CPU %.3f s, loop CPU %.3f s, wall %.3f s, "
              "start+exit %.2f ms CPU (medians)\n",
           base_cpu, pb_median(s[PB_NONE].loop, reps) / 1e9,
           pb_median(s[PB_NONE].wall, reps) / 1e9, base_fixed);
    pb_say(c, "overhead vs no profiler: median [95%% CI of the median] (min..max) over rounds\n");
    pb_say(c, "%-16s %-38s %-38s %-10s %-9s %s\n", "variant", "process CPU (rusage)",
           "loop CPU (sampling only)", "wall", "fixed ms", "samples");
    double ours_vs_gperf[PB_NVARIANTS][MAX_REPS];
    for (int v = PB_OURS_PROC; v < PB_NVARIANTS; v++) {
        double cpu[MAX_REPS], loop[MAX_REPS], wall[MAX_REPS];
        for (int r = 0; r < reps; r++) {
            cpu[r] = 100 * (s[v].cpu[r] / s[PB_NONE].cpu[r] - 1);
            loop[r] = 100 * (s[v].loop[r] / s[PB_NONE].loop[r] - 1);
            wall[r] = 100 * (s[v].wall[r] / s[PB_NONE].wall[r] - 1);
            ours_vs_gperf[v][r] = 100 * (s[v].cpu[r] / s[PB_GPERF].cpu[r] - 1);
        }
        char a[96], b[96];
        fmt_pct_ci(a, sizeof a, cpu, reps);
        fmt_pct_ci(b, sizeof b, loop, reps);
        pb_say(c, "%-16s %-38s %-38s %+8.2f%% %+8.2f  %.0f\n", pb_variant_name((pb_variant)v),
               a, b, pb_median(wall, reps), pb_median(s[v].fixed, reps) / 1e6 - base_fixed,
               pb_median(s[v].samples, reps));
    }
    pb_say(c, "process CPU of ours vs gperftools in the same round (negative = ours cheaper):\n");
    for (int v = PB_OURS_PROC; v <= PB_OURS_THREAD; v++) {
        char a[96];
        fmt_pct_ci(a, sizeof a, ours_vs_gperf[v], reps);
        pb_say(c, "  %-16s %s\n", pb_variant_name((pb_variant)v), a);
    }
    for (int v = PB_OURS_PROC; v <= PB_OURS_THREAD; v++) {
        double cpu[MAX_REPS], lo, hi, cov, glo, ghi;
        for (int r = 0; r < reps; r++) cpu[r] = 100 * (s[v].cpu[r] / s[PB_NONE].cpu[r] - 1);
        double med = pb_median(cpu, reps), vs = pb_median(ours_vs_gperf[v], reps);
        if (pb_median_ci(cpu, reps, &lo, &hi, &cov) != 0) lo = hi = med;
        if (pb_median_ci(ours_vs_gperf[v], reps, &glo, &ghi, &cov) != 0) glo = ghi = vs;
        pb_verdict(c, "1  %-16s overhead <= 0.5%%: %s (median %+.2f%%, CI up to %+.2f%%)",
               pb_variant_name((pb_variant)v),
               hi <= 0.5 ? "met" : med <= 0.5 ? "met by the median only" : "NOT met", med, hi);
        pb_verdict(c, "1  %-16s no worse than gperftools: %s (median %+.2f%% [%+.2f, %+.2f])",
               pb_variant_name((pb_variant)v),
               ghi < 0 ? "met, cheaper" : glo <= 0 ? "met, no difference the CI can see"
                                                   : "NOT met",
               vs, glo, ghi);
    }
    for (int v = PB_OURS_PROC; v < PB_NVARIANTS; v++)
        pb_verdict(c, "1  %-16s fixed cost (load + write the profile): %+.2f ms CPU",
                   pb_variant_name((pb_variant)v),
                   pb_median(s[v].fixed, reps) / 1e6 - base_fixed);
    return 0;
}
