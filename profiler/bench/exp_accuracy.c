/* exp_accuracy.c: experiment 2, does the profile say where the CPU went?
 *
 * work_split3 spends 50/30/20% of its CPU in split_a/split_b/split_c by
 * construction; a -calibrate run with no profiler measures the shares with
 * per-call thread CPU clocks to confirm it. Then each profiler (ours with
 * both timers, gperftools) profiles ~10 s of it at 100 Hz, one after the
 * other, and each function's flat share of the profile's samples is
 * compared with the truth: the error, and whether it is inside the
 * binomial 95% bound 1.96 sqrt(p (1-p) / n), n the profile's sample count.
 *
 * Invariants: a share is the function's samples over the profile's total
 * (all samples, as pprof's flat% is), computed by profile_match_value: its
 * cum, which here is its flat time with the inlined loop body counted in
 * (see measure); the truth is 50/30/20 exactly, the calibration only
 * checks it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

#define WORK_SECONDS 10.0
#define HZ 100
#define UNITS_PER_ROUND 85.0 /* 10 units x the mean k of 8.5 */

static const char *const fn_names[3] = {"split_a", "split_b", "split_c"};
static const double truth[3] = {0.5, 0.3, 0.2};

static int measure(const pb_config *c, pb_variant v, const pb_run *run, int *inside,
                   char *err, size_t errlen) {
    profile *p;
    if (pb_read_profile(v, run->profile, &p, err, errlen) != 0) return -1;
    int vi = profile_value_index(p, "samples");
    pf_report rep;
    if (vi < 0 || profile_top(p, vi, false, &rep, err, errlen) != 0) {
        if (vi < 0) snprintf(err, errlen, "%s: no samples type", run->profile);
        profile_free(p);
        return -1;
    }
    double n = (double)rep.total;
    pf_report_free(&rep);
    char line[512];
    int off = snprintf(line, sizeof line, "%-16s %6.0f ", pb_variant_name(v), n);
    char extra[256];
    int eoff = snprintf(extra, sizeof extra, "n=%.0f", n);
    for (int i = 0; i < 3; i++) {
        int64_t flat = 0, cum = 0;
        char re[64];
        snprintf(re, sizeof re, "^%s$", fn_names[i]);
        if (profile_match_value(p, vi, re, &flat, &cum, err, errlen) != 0) {
            profile_free(p);
            return -1;
        }
        /* The loop body is inlined into each function, and a profile that
         * knows inlining (ours, with DWARF) puts the flat time on the
         * inlined frame "burn_units". The functions call nothing else, so
         * their cum is their own time with the inlined body included: the
         * flat time of the function as compiled. */
        flat = cum;
        double share = n > 0 ? (double)flat / n : 0;
        double bound = pb_binomial_95(truth[i], n);
        double e = share - truth[i];
        int ok = fabs(e) <= bound;
        *inside += ok;
        off += snprintf(line + off, sizeof line - (size_t)off, " %5.2f%% %+5.2f (±%.2f) %-3s ",
                        100 * share, 100 * e, 100 * bound, ok ? "in" : "OUT");
        eoff += snprintf(extra + eoff, sizeof extra - (size_t)eoff, " %s=%lld", fn_names[i],
                         (long long)flat);
    }
    profile_free(p);
    pb_say(c, "%s\n", line);
    pb_raw(c, "accuracy", v, HZ, 0, run, extra);
    return 0;
}

int exp_accuracy(const pb_config *c, char *err, size_t errlen) {
    unsigned long long rounds =
        (unsigned long long)(WORK_SECONDS * c->scale * pb_units_per_sec / UNITS_PER_ROUND) + 1;
    char rstr[32];
    snprintf(rstr, sizeof rstr, "%llu", rounds);
    pb_say(c, "\n== 2. Accuracy at %d Hz: work_split3 %s rounds (~%.0f s of CPU), truth "
              "split_a/b/c = 50/30/20%%, pinned to CPU %d\n",
           HZ, rstr, WORK_SECONDS * c->scale, c->pin_cpu);
    /* The calibration checks unit costs, not sampling: a third of the
     * rounds is plenty. */
    char cstr[32];
    snprintf(cstr, sizeof cstr, "%llu", rounds / 3 + 1);
    const char *cal_args[] = {"-calibrate", cstr, NULL};
    pb_run run;
    if (pb_run_child(c, PB_NONE, HZ, c->pin_cpu, "calibrate", "work_split3", cal_args, &run,
                     err, errlen))
        return -1;
    pb_raw(c, "calibrate", PB_NONE, HZ, 0, &run, NULL);
    double cal[3] = {pb_out_double(run.out, "calib_a"), pb_out_double(run.out, "calib_b"),
                     pb_out_double(run.out, "calib_c")};
    if (cal[0] < 0 || cal[1] < 0 || cal[2] < 0) {
        snprintf(err, errlen, "work_split3 -calibrate printed no shares: \"%.200s\"", run.out);
        return -1;
    }
    pb_say(c, "calibration, no profiler, per-call thread CPU clocks: split_a %.2f%%, split_b "
              "%.2f%%, split_c %.2f%% (largest deviation from truth %.2f points)\n",
           100 * cal[0], 100 * cal[1], 100 * cal[2],
           100 * fmax(fabs(cal[0] - truth[0]), fmax(fabs(cal[1] - truth[1]),
                                                    fabs(cal[2] - truth[2]))));
    pb_say(c, "each function: flat%%, error vs truth in points (± binomial 95%% bound), in/OUT\n");
    pb_say(c, "%-16s %6s  %-28s %-28s %-28s\n", "variant", "n", "split_a (50%)", "split_b (30%)",
           "split_c (20%)");
    const char *args[] = {rstr, NULL};
    int inside = 0, total = 0;
    static const pb_variant vs[] = {PB_OURS_PROC, PB_OURS_THREAD, PB_GPERF};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        if (pb_run_child(c, vs[i], HZ, c->pin_cpu, "accuracy", "work_split3", args, &run, err,
                         errlen))
            return -1;
        if (measure(c, vs[i], &run, &inside, err, errlen) != 0) return -1;
        total += 3;
    }
    pb_say(c, "(about 1 share in 20 may fall outside its bound by chance alone)\n");
    pb_verdict(c, "2  accuracy: %d of %d shares inside their binomial 95%% bound", inside, total);
    return 0;
}
