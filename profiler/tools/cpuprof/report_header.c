/* report_header.c: the lines pprof prints above a report.
 *
 *   File: the main (first) mapping's file name, without directories
 *   Build ID: that mapping's build ID, when known
 *   the profile's comments, except those starting with '#'
 *   Type: the sample type reported on
 *   Time: when profiling started, "Jan 2, 2006 at 3:04pm (MST)", local time
 *   Duration: wall time profiled, "Total samples = " the report's total,
 *             and, for a time-valued sample type, that total as a percentage
 *             of the duration
 *   Active filters: the focus/ignore/tagfocus/tagignore in effect
 *
 * A line whose data is missing (no mapping, zero time) is left out.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "analyzer.h"

static const char *base_name(const char *path, char *buf, size_t len) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    size_t start = n;
    while (start > 0 && path[start - 1] != '/') start--;
    if (n == 1 && path[0] == '/') start = 0;
    snprintf(buf, len, "%.*s", (int)(n - start), path + start);
    return buf;
}

static void print_time(FILE *out, int64_t nanos) {
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(nanos / 1000000000);
    if (nanos < 0 && nanos % 1000000000 != 0) t--;
    struct tm tm;
    if (!localtime_r(&t, &tm)) return;
    int hour = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    fprintf(out, "Time: %s %d, %d at %d:%02d%s (%s)\n", months[tm.tm_mon], tm.tm_mday,
            tm.tm_year + 1900, hour, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
            tm.tm_zone ? tm.tm_zone : "UTC");
}

void header_print(FILE *out, const profile *p, int vi, int64_t total, const char *to) {
    char buf[4096];
    if (p->nmappings > 0) {
        const pf_mapping *m = p->mappings[0];
        if (m->file[0]) fprintf(out, "File: %s\n", base_name(m->file, buf, sizeof(buf)));
        if (m->build_id[0]) fprintf(out, "Build ID: %s\n", m->build_id);
    }
    for (size_t i = 0; i < p->ncomments; i++)
        if (p->comments[i][0] != '#') fprintf(out, "%s\n", p->comments[i]);
    const char *unit = "";
    if (vi >= 0 && (size_t)vi < p->nsample_types) {
        fprintf(out, "Type: %s\n", p->sample_types[vi].type);
        unit = p->sample_types[vi].unit;
    }
    if (p->time_nanos != 0) print_time(out, p->time_nanos);
    if (p->duration_nanos != 0) {
        char dur[64], tot[64], ratio[64] = "";
        units_label(dur, sizeof(dur), p->duration_nanos, "nanoseconds", "auto");
        units_label(tot, sizeof(tot), total, unit, to);
        const char *u;
        double nanos = units_scale(total, unit, "nanoseconds", &u);
        if (strcmp(u, "ns") == 0 && (int64_t)nanos != 0) {
            char pct[32];
            units_percentage(pct, sizeof(pct), (int64_t)nanos, p->duration_nanos);
            snprintf(ratio, sizeof(ratio), "(%s)", pct);
        }
        /* pprof keeps the space before an empty ratio; so do we. */
        fprintf(out, "Duration: %s, Total samples = %s %s\n", dur, tot, ratio);
    }
}

void header_print_filters(FILE *out, const settings *set) {
    const char *names[] = {"focus", "ignore", "tagfocus", "tagignore"};
    const char *values[] = {set->focus, set->ignore, set->tagfocus, set->tagignore};
    bool any = false;
    for (size_t i = 0; i < 4; i++) {
        if (!values[i] || !values[i][0]) continue;
        if (!any) fprintf(out, "Active filters:\n");
        any = true;
        size_t n = strlen(names[i]) + 1 + strlen(values[i]);
        if (n > 80) /* pprof shortens long filters to 80 characters */
            fprintf(out, "   %s=%.*s\xe2\x80\xa6\n", names[i], (int)(80 - strlen(names[i]) - 1),
                    values[i]);
        else
            fprintf(out, "   %s=%s\n", names[i], values[i]);
    }
}

const char *frame_name(const pf_location *loc, size_t line, char *buf, size_t len) {
    if (line < loc->nlines && loc->lines[line].fn && loc->lines[line].fn->name[0])
        return loc->lines[line].fn->name;
    if (loc->address == 0) return "<unknown>";
    snprintf(buf, len, "0x%" PRIx64, loc->address);
    return buf;
}
