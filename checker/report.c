/* report.c: the checker's output lines, printed to stdout and copied into
 * the run's report.txt.
 *
 * A criterion line reads
 *   PASS  sum has flat 98.7% (bound >= 90%)
 *   FAIL  sum has flat 41.0% (bound >= 90%)  -> docs/task01.md#sum-flat
 * Invariant: the value shown is the one the bound was tested on, formatted
 * with the same precision the bound is written with.
 */
#include "checker.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

int report_open(report *r, const char *path, bool quiet) {
    memset(r, 0, sizeof *r);
    r->quiet = quiet;
    if (path) r->file = fopen(path, "w");
    return path && !r->file ? -1 : 0;
}

void report_close(report *r) {
    if (r->file) fclose(r->file);
    r->file = NULL;
}

void textf(char *buf, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

void report_line(report *r, const char *fmt, ...) {
    va_list ap;
    if (!r->quiet) {
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
    }
    if (r->file) {
        va_start(ap, fmt);
        vfprintf(r->file, fmt, ap);
        va_end(ap);
        fputc('\n', r->file);
    }
}

/* Digits after the point for a unit: shares and points get one. */
static int precision(const char *unit) {
    if (!unit) return 0;
    if (strcmp(unit, "%") == 0 || strcmp(unit, " points") == 0) return 1;
    if (strcmp(unit, "x") == 0) return 2;
    return 0;
}

/* The value is rounded as it is printed before it is compared, so a line
 * never shows 90.0% failing a bound of >= 90%. */
bool criterion_passes(const criterion *k, double value) {
    double scale = pow(10, precision(k->unit));
    value = round(value * scale) / scale;
    switch (k->op) {
    case BOUND_AT_LEAST: return value >= k->lo;
    case BOUND_AT_MOST: return value <= k->hi;
    case BOUND_BETWEEN: return value >= k->lo && value <= k->hi;
    case BOUND_HOLDS: return value != 0;
    }
    return false;
}

/* Bounds print as written in the table: 90, 5, 0.05 (no padding zeros). */
void criterion_bound_text(const criterion *k, char *buf, size_t len) {
    const char *u = k->unit ? k->unit : "";
    switch (k->op) {
    case BOUND_AT_LEAST: snprintf(buf, len, ">= %g%s", k->lo, u); break;
    case BOUND_AT_MOST: snprintf(buf, len, "<= %g%s", k->hi, u); break;
    case BOUND_BETWEEN: snprintf(buf, len, "%g to %g%s", k->lo, k->hi, u); break;
    case BOUND_HOLDS: snprintf(buf, len, "%s", k->bound_text ? k->bound_text : "holds"); break;
    }
}

void report_criterion(report *r, const check_ctx *c, const criterion *k, const measurement *m,
                      bool pass) {
    char bound[128], shown[sizeof m->shown];
    criterion_bound_text(k, bound, sizeof bound);
    if (m->error[0])
        textf(shown, sizeof shown, ": %s", m->error);
    else if (m->shown[0])
        textf(shown, sizeof shown, " %s", m->shown);
    else
        snprintf(shown, sizeof shown, " %.*f%s", precision(k->unit), m->value,
                 k->unit ? k->unit : "");
    if (pass) {
        r->passed++;
        report_line(r, "PASS  %s%s (bound %s)", k->what, shown, bound);
    } else {
        r->failed++;
        report_line(r, "FAIL  %s%s (bound %s)  -> %s#%s", k->what, shown, bound, c->task->doc,
                    k->anchor);
    }
}
