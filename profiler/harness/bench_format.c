/* bench_format.c: Go's benchmark output format, byte for byte.
 *
 * A result line is "<name>\t<n>\t<value> <unit>..." where n is "%8d" and
 * each value is printed by Go's prettyPrint: ten places for the whole part
 * and four significant digits for small numbers, with field widths that
 * line up the decimal points. Names get "-P" (P = CPUs online, Go's
 * GOMAXPROCS) unless P is 1. Metrics other than ns/op and MB/s follow in
 * unit order, as Go sorts them.
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bench_pretty(char *buf, size_t len, double x, const char *unit) {
    double y = fabs(x);
    int width, prec;
    if (y == 0 || y >= 999.95)        { width = 10; prec = 0; }
    else if (y >= 99.995)             { width = 12; prec = 1; }
    else if (y >= 9.9995)             { width = 13; prec = 2; }
    else if (y >= 0.99995)            { width = 14; prec = 3; }
    else if (y >= 0.099995)           { width = 15; prec = 4; }
    else if (y >= 0.0099995)          { width = 16; prec = 5; }
    else if (y >= 0.00099995)         { width = 17; prec = 6; }
    else                              { width = 18; prec = 7; }
    snprintf(buf, len, "%*.*f %s", width, prec, x, unit);
}

static int metric_cmp(const void *a, const void *b) {
    return strcmp(((const bench_metric *)a)->unit,
                  ((const bench_metric *)b)->unit);
}

/* Appends to buf at *off, never past len. */
static void append(char *buf, size_t len, size_t *off, const char *s) {
    size_t n = strlen(s);
    if (*off + n >= len)
        n = *off < len ? len - *off - 1 : 0;
    memcpy(buf + *off, s, n);
    *off += n;
    buf[*off] = '\0';
}

static const bench_metric *find_metric(const bench *b, const char *unit) {
    for (int i = 0; i < b->nmetrics; i++)
        if (strcmp(b->metrics[i].unit, unit) == 0)
            return &b->metrics[i];
    return NULL;
}

void bench_result_string(char *buf, size_t len, const bench *b) {
    char tmp[128];
    size_t off = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    snprintf(tmp, sizeof tmp, "%8lld", (long long)b->n);
    append(buf, len, &off, tmp);

    const bench_metric *m = find_metric(b, "ns/op");
    double ns = m ? m->value
                  : (b->n > 0 ? (double)b->duration_ns / (double)b->n : 0);
    if (ns != 0) {
        append(buf, len, &off, "\t");
        bench_pretty(tmp, sizeof tmp, ns, "ns/op");
        append(buf, len, &off, tmp);
    }

    m = find_metric(b, "MB/s");
    double mbs = 0;
    if (m)
        mbs = m->value;
    else if (b->bytes > 0 && b->duration_ns > 0 && b->n > 0)
        mbs = ((double)b->bytes * (double)b->n / 1e6) /
              ((double)b->duration_ns / 1e9);
    if (mbs != 0) {
        snprintf(tmp, sizeof tmp, "\t%7.2f MB/s", mbs);
        append(buf, len, &off, tmp);
    }

    bench_metric extra[BENCH_MAX_METRICS];
    int nextra = 0;
    for (int i = 0; i < b->nmetrics; i++) {
        const char *u = b->metrics[i].unit;
        if (strcmp(u, "ns/op") && strcmp(u, "MB/s") && strcmp(u, "B/op") &&
            strcmp(u, "allocs/op"))
            extra[nextra++] = b->metrics[i];
    }
    qsort(extra, (size_t)nextra, sizeof extra[0], metric_cmp);
    for (int i = 0; i < nextra; i++) {
        append(buf, len, &off, "\t");
        bench_pretty(tmp, sizeof tmp, extra[i].value, extra[i].unit);
        append(buf, len, &off, tmp);
    }
}

void bench_full_name(char *buf, size_t len, const char *name, int procs) {
    if (procs != 1)
        snprintf(buf, len, "%s-%d", name, procs);
    else
        snprintf(buf, len, "%s", name);
}
