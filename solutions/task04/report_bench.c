/* report_bench.c: the benchmark of task 4. Each op builds the report of
 * 6,000 records (about 110 KB of text) and checks its length.
 *
 *   build/tasks/yours/task04/bench -bench=. -benchtime=20x -count=10 \
 *       -cpuprofile=tasks/task04/out/cpu.pb.gz
 *
 * The records are made once, outside the timed loop. A fixed iteration
 * count (-benchtime=20x) makes the before and after runs do the same
 * work, so that their profiles can be subtracted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "report.h"

#define NRECORDS 6000

static const char *const names[] = {"ada", "grace", "linus", "ken", "dennis", "barbara",
                                    "edsger", "margaret", "donald", "frances"};

static record recs[NRECORDS];
static size_t want_len;

static void make_records(void) {
    char line[96];
    want_len = strlen("id,name,score\n");
    for (unsigned i = 0; i < NRECORDS; i++) {
        recs[i].id = 100000 + i * 7;
        recs[i].name = names[(i * 3) % (sizeof names / sizeof names[0])];
        recs[i].score = (int)((i * 2654435761u) % 2001) - 1000;
        want_len += (size_t)snprintf(line, sizeof line, "%u,%s,%d\n", recs[i].id, recs[i].name,
                                     recs[i].score);
    }
}

BENCHMARK(BuildReport) {
    if (want_len == 0) {
        make_records();
        bench_reset_timer(b);
    }
    for (int64_t i = 0; i < b->n; i++) {
        char *s = build_report(recs, NRECORDS);
        size_t len = strlen(s);
        if (len != want_len || strncmp(s, "id,name,score\n100000,", 21) != 0) {
            fprintf(stderr, "build_report: %zu bytes, want %zu\n", len, want_len);
            exit(1);
        }
        free(s);
    }
}
