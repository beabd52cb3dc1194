/* report.h: the CSV report task 4 builds. */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

typedef struct record {
    unsigned id;
    const char *name;
    int score;
} record;

/* The report of recs[0..n) as CSV text, one "id,name,score" line per
 * record after a header line; malloc'ed, the caller frees it. */
char *build_report(const record *recs, size_t n);

#endif
