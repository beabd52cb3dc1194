/* exp_rate.c: experiment 4, how many samples per CPU-second do we get?
 *
 * work_spin (~1.5 s of CPU, pinned) is profiled at 100, 250 and 1000 Hz
 * asked, by each profiler. The achieved rate is the profile's sample count
 * over the child's CPU time (rusage); for libcpuprof we also show the rate
 * it computed itself (its profile's comment "... Hz achieved ...", which
 * divides by the CPU time between start and stop). Kernels deliver CPU
 * timers from the scheduler tick, so no rate above CONFIG_HZ is possible
 * however much is asked.
 *
 * Invariants: the profile's sample count (samples/count total), not its
 * cpu values, is what is counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

#define WORK_SECONDS 1.5

/* The rate libcpuprof wrote into its profile's comment, or -1. */
static double comment_rate(const profile *p) {
    for (size_t i = 0; i < p->ncomments; i++) {
        const char *s = strstr(p->comments[i], "Hz achieved");
        if (!s) continue;
        /* "..., 99.8 Hz achieved": back up over the number. */
        const char *q = s;
        while (q > p->comments[i] && q[-1] == ' ') q--;
        while (q > p->comments[i] && (q[-1] == '.' || (q[-1] >= '0' && q[-1] <= '9'))) q--;
        return strtod(q, NULL);
    }
    return -1;
}

int exp_rate(const pb_config *c, char *err, size_t errlen) {
    static const int hzs[] = {100, 250, 1000};
    static const pb_variant vs[] = {PB_OURS_PROC, PB_OURS_THREAD, PB_GPERF};
    unsigned long long units =
        (unsigned long long)(WORK_SECONDS * c->scale * pb_units_per_sec) + 1;
    char ustr[32];
    snprintf(ustr, sizeof ustr, "%llu", units);
    const char *args[] = {ustr, NULL};
    double best[3] = {0, 0, 0};
    pb_say(c, "\n== 4. Achieved sampling rate: work_spin %s units (~%.1f s of CPU), pinned to "
              "CPU %d\n",
           ustr, WORK_SECONDS * c->scale, c->pin_cpu);
    pb_say(c, "samples per CPU-second (profile samples / rusage CPU); in parentheses the rate "
              "libcpuprof reports itself\n");
    pb_say(c, "%-10s", "asked Hz");
    for (size_t k = 0; k < 3; k++) pb_say(c, " %-22s", pb_variant_name(vs[k]));
    pb_say(c, "\n");
    for (size_t h = 0; h < 3; h++) {
        pb_say(c, "%-10d", hzs[h]);
        for (size_t k = 0; k < 3; k++) {
            pb_run run;
            char tag[64];
            snprintf(tag, sizeof tag, "rate%d", hzs[h]);
            if (pb_run_child(c, vs[k], hzs[h], c->pin_cpu, tag, "work_spin", args, &run, err,
                             errlen))
                return -1;
            profile *p;
            if (pb_read_profile(vs[k], run.profile, &p, err, errlen) != 0) return -1;
            int vi = profile_value_index(p, "samples");
            pf_report rep;
            if (vi < 0 || profile_top(p, vi, false, &rep, err, errlen) != 0) {
                if (vi < 0) snprintf(err, errlen, "%s: no samples type", run.profile);
                profile_free(p);
                return -1;
            }
            double rate = (double)rep.total / ((double)run.cpu_ns / 1e9);
            double own = vs[k] == PB_GPERF ? -1 : comment_rate(p);
            char cell[48], extra[96];
            if (own >= 0) snprintf(cell, sizeof cell, "%7.1f (%.1f)", rate, own);
            else snprintf(cell, sizeof cell, "%7.1f", rate);
            pb_say(c, " %-22s", cell);
            if (rate > best[k]) best[k] = rate;
            snprintf(extra, sizeof extra, "samples=%lld rate=%.1f own_rate=%.1f",
                     (long long)rep.total, rate, own);
            pf_report_free(&rep);
            profile_free(p);
            pb_raw(c, "rate", vs[k], hzs[h], 0, &run, extra);
        }
        pb_say(c, "\n");
    }
    pb_verdict(c, "4  highest rate achieved: %.0f / %.0f / %.0f Hz (cpuprof-process / "
                  "cpuprof-thread / gperftools)",
               best[0], best[1], best[2]);
    return 0;
}
