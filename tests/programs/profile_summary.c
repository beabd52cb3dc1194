/* profile_summary.c: prints the numbers the profiler's e2e tests assert on,
 * computed with libprofile (never by parsing another tool's output).
 *
 *   profile_summary FILE [REGEX]
 *
 * Prints one line of key=value pairs:
 *   samples=  total of samples/count
 *   cpu_ns=   total of cpu/nanoseconds
 *   period=   the profile's period
 *   dropped=  samples/count under the pseudo-frame cpuprof::dropped
 *   top=      the function with the largest flat samples/count
 *   match=    (with REGEX) cum samples/count of functions matching REGEX
 * A file that does not parse is a one-line error and exit 1.
 */
#include <stdio.h>

#include "profile.h"

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: profile_summary FILE [REGEX]\n");
        return 2;
    }
    char err[512];
    profile *p;
    if (profile_read_file(argv[1], &p, err, sizeof err) != 0) {
        fprintf(stderr, "profile_summary: %s\n", err);
        return 1;
    }
    int si = profile_value_index(p, "samples"), ci = profile_value_index(p, "cpu");
    if (si < 0 || ci < 0) {
        fprintf(stderr, "profile_summary: %s: no samples or cpu sample type\n", argv[1]);
        profile_free(p);
        return 1;
    }
    int64_t samples = 0, cpu = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        samples += p->samples[i].values[si];
        cpu += p->samples[i].values[ci];
    }
    int64_t dflat = 0, dcum = 0, mflat = 0, mcum = 0;
    if (profile_match_value(p, si, "^cpuprof::dropped$", &dflat, &dcum, err, sizeof err) != 0 ||
        (argc == 3 && profile_match_value(p, si, argv[2], &mflat, &mcum, err, sizeof err) != 0)) {
        fprintf(stderr, "profile_summary: %s\n", err);
        profile_free(p);
        return 1;
    }
    pf_report r;
    if (profile_top(p, si, false, &r, err, sizeof err) != 0) {
        fprintf(stderr, "profile_summary: %s\n", err);
        profile_free(p);
        return 1;
    }
    printf("samples=%lld cpu_ns=%lld period=%lld dropped=%lld top=%s", (long long)samples,
           (long long)cpu, (long long)p->period, (long long)dcum,
           r.nrows ? r.rows[0].name : "-");
    if (argc == 3) printf(" match=%lld", (long long)mcum);
    printf("\n");
    pf_report_free(&r);
    profile_free(p);
    return 0;
}
