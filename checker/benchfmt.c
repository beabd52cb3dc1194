/* benchfmt.c: the checker's small reader of Go's benchmark format, and the
 * speedup criterion built on it.
 *
 * A result line is "BenchmarkName[-P] iterations value unit [value unit]...";
 * every other line is skipped. The checker only needs one unit of one
 * benchmark (usually ns/op), so this is a dozen lines rather than the
 * whole of benchstat's reader. A benchmark name matches with or without
 * its "-P" suffix (the number of CPUs). The speedup criterion built on it
 * is in measure.c.
 */
#include "checker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* name is want, or want followed by "-<digits>". */
static bool same_benchmark(const char *name, const char *want) {
    size_t n = strlen(want);
    if (strncmp(name, want, n) != 0) return false;
    if (name[n] == '\0') return true;
    if (name[n] != '-' || !name[n + 1]) return false;
    for (const char *p = name + n + 1; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

int benchfmt_values(const char *path, const char *name, const char *unit, double *vals,
                    size_t max, size_t *n, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        textf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[2048];
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Benchmark", 9) != 0) continue;
        char *save, *tok = strtok_r(line, " \t\r\n", &save);
        if (!tok || !same_benchmark(tok, name)) continue;
        char *iters = strtok_r(NULL, " \t\r\n", &save), *end;
        if (!iters || strtoll(iters, &end, 10) <= 0 || *end) continue;
        for (;;) {
            char *v = strtok_r(NULL, " \t\r\n", &save);
            char *u = strtok_r(NULL, " \t\r\n", &save);
            if (!v || !u) break;
            double x = strtod(v, &end);
            if (*end || strcmp(u, unit) != 0) continue;
            if (*n < max) vals[(*n)++] = x;
            break;
        }
    }
    fclose(f);
    if (*n == 0) {
        textf(err, errlen, "%s has no %s result for %s", path, unit, name);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double benchfmt_median(double *vals, size_t n) {
    qsort(vals, n, sizeof *vals, cmp_double);
    return n % 2 ? vals[n / 2] : (vals[n / 2 - 1] + vals[n / 2]) / 2;
}
