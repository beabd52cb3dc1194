/* exp_onoff.c: experiment 1b, the sampling cost measured inside one
 * process, where the machine's noise mostly cancels.
 *
 * work_onoff alternates ~100 ms chunks of identical work with the
 * profiler stopped and started (ABBA order), timing each chunk with the
 * thread's CPU clock. The overhead of a pair is on/off - 1; the report
 * pools the pairs of several interleaved runs per variant and gives the
 * median, a distribution-free 95% interval of the median and the implied
 * CPU cost per sample. It sees only what happens while sampling (signal
 * delivery, the handler, unwinding), not loading or writing the profile:
 * experiment 1's "fixed ms" column has that part.
 *
 * Why the thread clock: while an ITIMER_PROF timer is armed, Linux reads
 * CLOCK_PROCESS_CPUTIME_ID from the process-wide timer accounting, which
 * lags by up to a scheduler tick; chunks timed with it looked ~1.5% faster
 * when profiled, even at 1 Hz. The workload is single-threaded, so the
 * thread clock is the same quantity, read exactly.
 *
 * Invariants: ratios are only taken within a pair; every variant gets the
 * same chunks and the same number of pairs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

#define CHUNK_SECONDS 0.1
#define PAIRS_PER_RUN 15
#define RUNS 4
#define MAX_PAIRS (PAIRS_PER_RUN * RUNS)
#define HZ 100

int exp_onoff(const pb_config *c, char *err, size_t errlen) {
    static const pb_variant vs[] = {PB_OURS_PROC, PB_OURS_THREAD, PB_GPERF};
    enum { NV = sizeof vs / sizeof vs[0] };
    unsigned long long units =
        (unsigned long long)(CHUNK_SECONDS * c->scale * pb_units_per_sec) + 1;
    int pairs = c->scale < 1 ? 6 : PAIRS_PER_RUN;
    char ustr[32], pstr[16], hzs[16];
    snprintf(ustr, sizeof ustr, "%llu", units);
    snprintf(pstr, sizeof pstr, "%d", pairs);
    snprintf(hzs, sizeof hzs, "%d", HZ);
    static double pct[NV][MAX_PAIRS], off_ns[NV][MAX_PAIRS], samples_of[NV][MAX_PAIRS];
    int n[NV] = {0};
    double verdict[NV], vlo[NV], vhi[NV];
    pb_say(c, "\n== 1b. Sampling cost inside one process at %d Hz: work_onoff, chunks of %s "
              "units (~%.0f ms), %d runs x %d ABBA pairs per variant, pinned to CPU %d\n",
           HZ, ustr, 1000 * CHUNK_SECONDS * c->scale, RUNS, pairs, c->pin_cpu);
    for (int r = 0; r < RUNS; r++) {
        for (int j = 0; j < NV; j++) {
            int k = (r + j) % NV;
            char prof[512];
            snprintf(prof, sizeof prof, "%s/profiles/onoff.%s.prof", c->outdir,
                     pb_variant_name(vs[k]));
            const char *args[] = {vs[k] == PB_GPERF ? c->libgperf : c->libcpuprof,
                                  vs[k] == PB_GPERF ? "gperftools" : "cpuprof",
                                  vs[k] == PB_OURS_THREAD ? "thread" : "process",
                                  hzs,
                                  ustr,
                                  pstr,
                                  prof,
                                  NULL};
            pb_run run;
            /* The child loads the profiler itself: run it with a clean
             * environment (variant "none"). */
            if (pb_run_child(c, PB_NONE, HZ, c->pin_cpu, "onoff", "work_onoff", args, &run,
                             err, errlen))
                return -1;
            const char *line = run.out;
            int got = 0;
            while (line && *line && n[k] < MAX_PAIRS) {
                int64_t off = pb_out_int(line, "off_ns"), on = pb_out_int(line, "on_ns");
                int64_t samples = pb_out_int(line, "samples");
                if (off > 0 && on > 0) {
                    pct[k][n[k]] = 100.0 * ((double)on / (double)off - 1);
                    off_ns[k][n[k]] = (double)off;
                    samples_of[k][n[k]] = (double)(samples > 0 ? samples : 0);
                    n[k]++;
                    got++;
                }
                line = strchr(line, '\n');
                if (line) line++;
            }
            if (got != pairs) {
                snprintf(err, errlen, "work_onoff under %s gave %d pairs, not %d",
                         pb_variant_name(vs[k]), got, pairs);
                return -1;
            }
            snprintf(run.profile, sizeof run.profile, "%s", prof);
            pb_raw(c, "onoff", vs[k], HZ, r, &run, NULL);
        }
    }
    pb_say(c, "%-16s %-42s %-26s %s\n", "variant",
           "overhead on/off-1: median [95% CI] (min..max)", "us per sample [95% CI]",
           "samples/chunk");
    for (int k = 0; k < NV; k++) {
        double med = pb_median(pct[k], n[k]), lo, hi, cov, mn, mx;
        pb_minmax(pct[k], n[k], &mn, &mx);
        if (pb_median_ci(pct[k], n[k], &lo, &hi, &cov) != 0) lo = hi = med;
        /* CPU per sample: the overhead times a chunk's CPU, over the
         * samples a chunk takes (medians). */
        double chunk_us = pb_median(off_ns[k], n[k]) / 1e3;
        double spc = pb_median(samples_of[k], n[k]);
        char a[96], b[64];
        snprintf(a, sizeof a, "%+.3f%% [%+.3f, %+.3f] (%+.1f..%+.1f)", med, lo, hi, mn, mx);
        if (spc > 0)
            snprintf(b, sizeof b, "%6.1f [%+.1f, %+.1f]", med / 100 * chunk_us / spc,
                     lo / 100 * chunk_us / spc, hi / 100 * chunk_us / spc);
        else
            snprintf(b, sizeof b, "-");
        pb_say(c, "%-16s %-42s %-26s %.1f\n", pb_variant_name(vs[k]), a, b, spc);
        verdict[k] = med;
        vlo[k] = lo;
        vhi[k] = hi;
    }
    for (int k = 0; k < NV; k++)
        pb_verdict(c, "1b %-16s sampling cost in-process: %+.3f%% [%+.3f, %+.3f]",
                   pb_variant_name(vs[k]), verdict[k], vlo[k], vhi[k]);
    return 0;
}
