/* report.c: formats records as CSV lines and joins them into one string.
 *
 * Each line is formatted into a small buffer, as before, and appended to a
 * strbuf, whose capacity doubles when it runs out: building the report
 * copies each byte a few times instead of once per later line. Formatting
 * is unchanged, so the profile diff shows only the join going away.
 */
#include <stdio.h>

#include "report.h"
#include "strbuf.h"

char *build_report(const record *recs, size_t n) {
    strbuf sb = {0};
    static const char header[] = "id,name,score\n";
    strbuf_append(&sb, header, sizeof header - 1);
    for (size_t i = 0; i < n; i++) {
        char line[96];
        int len = snprintf(line, sizeof line, "%u,%s,%d\n", recs[i].id, recs[i].name,
                           recs[i].score);
        strbuf_append(&sb, line, (size_t)len);
    }
    return strbuf_take(&sb);
}
