/* labels_summary.c: the labels of the samples that go through a function,
 * computed with libprofile, for the labels e2e test.
 *
 *   labels_summary FILE FUNC_REGEX
 *
 * Keeps the samples with a frame matching FUNC_REGEX (pprof's -focus), then
 * prints one line: total=N (samples/count kept), unlabeled=N (of those,
 * carrying no label), and key:value=N for each label value, in key order.
 * A file that does not parse is a one-line error and exit 1.
 */
#include <stdio.h>

#include "profile.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: labels_summary FILE FUNC_REGEX\n");
        return 2;
    }
    char err[512];
    profile *p;
    if (profile_read_file(argv[1], &p, err, sizeof err) != 0) {
        fprintf(stderr, "labels_summary: %s\n", err);
        return 1;
    }
    int si = profile_value_index(p, "samples");
    pf_filter f = {.focus = argv[2]};
    pf_tags tags;
    if (si < 0 || profile_filter(p, &f, err, sizeof err) != 0 ||
        profile_tags(p, si, &tags, err, sizeof err) != 0) {
        fprintf(stderr, "labels_summary: %s\n", si < 0 ? "no samples/count type" : err);
        profile_free(p);
        return 1;
    }
    long long unlabeled = 0;
    for (size_t i = 0; i < p->nsamples; i++)
        if (p->samples[i].nlabels == 0) unlabeled += p->samples[i].values[si];
    printf("total=%lld unlabeled=%lld", (long long)tags.total, unlabeled);
    for (size_t i = 0; i < tags.ntags; i++)
        for (size_t j = 0; j < tags.tags[i].nvalues; j++)
            printf(" %s:%s=%lld", tags.tags[i].key, tags.tags[i].values[j].value,
                   (long long)tags.tags[i].values[j].total);
    printf("\n");
    pf_tags_free(&tags);
    profile_free(p);
    return 0;
}
