/* mutex_summary.c: prints the numbers the mutex profile's e2e tests assert
 * on, computed with libprofile (never by parsing another tool's output).
 *
 *   mutex_summary FILE
 *
 * Prints one line of key=value pairs:
 *   contentions=  total of contentions/count
 *   delay_ns=     total of delay/nanoseconds
 *   period=       the profile's period (the rate)
 *   period_type=  type/unit of the period
 *   samples=      number of samples (distinct stacks)
 *   dropped=      contentions under the pseudo-frame cpuprof::dropped
 *   top=          the function with the largest flat delay ("-" when none)
 * A file that does not parse, or lacks those sample types, is a one-line
 * error and exit 1.
 */
#include <stdio.h>

#include "profile.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: mutex_summary FILE\n");
        return 2;
    }
    char err[512];
    profile *p;
    if (profile_read_file(argv[1], &p, err, sizeof err) != 0) {
        fprintf(stderr, "mutex_summary: %s\n", err);
        return 1;
    }
    int ci = profile_value_index(p, "contentions"), di = profile_value_index(p, "delay");
    if (ci < 0 || di < 0) {
        fprintf(stderr, "mutex_summary: %s: no contentions or delay sample type\n", argv[1]);
        profile_free(p);
        return 1;
    }
    long long contentions = 0, delay = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        contentions += p->samples[i].values[ci];
        delay += p->samples[i].values[di];
    }
    int64_t dflat = 0, dcum = 0;
    pf_report r;
    if (profile_match_value(p, ci, "^cpuprof::dropped$", &dflat, &dcum, err, sizeof err) != 0 ||
        profile_top(p, di, false, &r, err, sizeof err) != 0) {
        fprintf(stderr, "mutex_summary: %s\n", err);
        profile_free(p);
        return 1;
    }
    printf("contentions=%lld delay_ns=%lld period=%lld period_type=%s/%s samples=%zu "
           "dropped=%lld top=%s\n",
           contentions, delay, (long long)p->period, p->period_type.type, p->period_type.unit,
           p->nsamples, (long long)dcum, r.nrows && r.rows[0].flat > 0 ? r.rows[0].name : "-");
    pf_report_free(&r);
    profile_free(p);
    return 0;
}
