/* gate.c: benchstat's regression gate (benchstat -gate=5% base new).
 *
 * For every benchmark of one unit (sec/op unless told otherwise) the gate
 * compares the runs of the current input with those of the baseline,
 * with the same statistics as the tables: the medians, and the two-sided
 * Mann-Whitney U test. A benchmark has REGRESSED when it is worse by more
 * than the threshold (its median time grew by more than 5%; for a unit
 * per second, its median rate fell by more than 5%) and the test says
 * p < alpha. The verdict is printed as one line per benchmark, fields
 * separated by blanks, so a script can read it without parsing tables:
 *
 *   VERDICT NAME UNIT CHANGE p=P n=NB+NC BASE -> CUR
 *
 * Verdicts in capitals fail the gate: REGRESSED (exit 1); TOO-FEW, the
 * two sample sizes cannot reach p < alpha whatever the values, and
 * MISSING, a baseline benchmark with no current runs (exit 2, as for a
 * gate that cannot judge). "ok" and "added" (no baseline) pass. A last
 * line starting "gate: PASS" or "gate: FAIL" sums up.
 *
 * Invariants: the inputs are identified by their labels, never by their
 * order in collect's column list; nothing here changes the collection.
 */
#include "benchstat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int bs_gate_parse_threshold(const char *s, double *frac) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno)
        return -1;
    if (*end == '%')
        end++;
    if (*end != '\0' || !isfinite(v) || v < 0)
        return -1;
    *frac = v / 100;
    return 0;
}

double bs_gate_min_p(int nb, int nc) {
    if (nb <= 0 || nc <= 0)
        return 1;
    double ways = 1; /* C(nb + nc, nb), built up as a product */
    for (int i = 1; i <= nb; i++)
        ways = ways * (nc + i) / i;
    double p = 2 / ways;
    return p < 1 ? p : 1;
}

int bs_gate_higher_is_better(const char *unit) {
    size_t n = strlen(unit);
    return n >= 2 && strcmp(unit + n - 2, "/s") == 0;
}

static int gate_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n) {
    double *s = malloc((size_t)n * sizeof *s);
    if (s == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, gate_cmp_double);
    double m = bs_quantile(s, n, 0.5);
    free(s);
    return m;
}

void bs_gate_judge(const double *base, int nb, const double *cur, int nc,
                   int higher_better, int exact, const bs_gate_opts *o,
                   bs_gate_result *r) {
    memset(r, 0, sizeof *r);
    r->nb = nb;
    r->nc = nc;
    r->p = NAN;
    r->worse = NAN;
    if (nb <= 0) {
        r->verdict = BS_GATE_ADDED;
        return;
    }
    if (nc <= 0) {
        r->verdict = BS_GATE_MISSING;
        return;
    }
    r->base = median(base, nb);
    r->cur = median(cur, nc);
    if (r->cur == r->base)
        r->worse = 0;
    else if (r->base == 0)
        r->worse = (r->cur > 0) != !!higher_better ? INFINITY : -INFINITY;
    else
        r->worse = (higher_better ? -1 : 1) * (r->cur / r->base - 1);

    if (exact) {
        /* Values that do not vary need no test: any change is real. */
        r->p = 0;
    } else if (bs_mann_whitney(base, nb, cur, nc, &r->p) != BS_TEST_OK) {
        r->p = 1; /* every value equal: nothing to detect */
    } else if (bs_gate_min_p(nb, nc) >= o->alpha) {
        r->verdict = BS_GATE_TOO_FEW;
        return;
    }
    /* "More than" the threshold: a change of exactly 5% computes as
     * 5.0000000000000044%, which must not count. */
    r->verdict = r->p < o->alpha && r->worse - o->threshold > 1e-12
                     ? BS_GATE_REGRESSED
                     : BS_GATE_OK;
}

static const char *verdict_word(bs_gate_verdict v) {
    switch (v) {
    case BS_GATE_OK: return "ok";
    case BS_GATE_REGRESSED: return "REGRESSED";
    case BS_GATE_TOO_FEW: return "TOO-FEW";
    case BS_GATE_MISSING: return "MISSING";
    case BS_GATE_ADDED: return "added";
    }
    return "?";
}

/* One printed line: its fields, formatted, then aligned in columns. */
#define NFIELDS 6
typedef struct gate_line {
    bs_gate_verdict verdict;
    const char *name;
    char f[NFIELDS][64]; /* verdict, name, unit, change, p=, n= */
    char values[96];     /* "BASE -> CUR" */
} gate_line;

static int find_label(const bs_collect *c, const char *label) {
    for (int i = 0; i < c->ncols; i++)
        if (strcmp(c->cols[i], label) == 0)
            return i;
    return -1;
}

static void format_line(gate_line *l, const bs_gate_result *r, const char *name,
                        const char *unit) {
    l->verdict = r->verdict;
    l->name = name;
    snprintf(l->f[0], sizeof l->f[0], "%s", verdict_word(r->verdict));
    snprintf(l->f[1], sizeof l->f[1], "%s", name);
    snprintf(l->f[2], sizeof l->f[2], "%s", unit);
    int both = r->nb > 0 && r->nc > 0;
    if (!both || r->base == 0)
        snprintf(l->f[3], sizeof l->f[3], "?");
    else
        snprintf(l->f[3], sizeof l->f[3], "%+.2f%%", (r->cur / r->base - 1) * 100);
    if (isnan(r->p))
        snprintf(l->f[4], sizeof l->f[4], "p=?");
    else
        snprintf(l->f[4], sizeof l->f[4], "p=%.3f", r->p);
    snprintf(l->f[5], sizeof l->f[5], "n=%d+%d", r->nb, r->nc);
    l->values[0] = '\0';
    if (both) {
        double v[2] = {r->base, r->cur};
        bs_scaler s = bs_common_scale(v, 2, bs_unit_class(unit));
        char a[40], b[40];
        bs_scale_format(a, sizeof a, s, r->base);
        bs_scale_format(b, sizeof b, s, r->cur);
        snprintf(l->values, sizeof l->values, "%s -> %s", a, b);
    }
}

static void print_lines(const gate_line *lines, int n, FILE *out) {
    int w[NFIELDS] = {0};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < NFIELDS; k++) {
            int len = (int)strlen(lines[i].f[k]);
            if (len > w[k])
                w[k] = len;
        }
    for (int i = 0; i < n; i++) {
        const gate_line *l = &lines[i];
        /* Left-aligned words, right-aligned numbers, as in a table. */
        fprintf(out, "%-*s  %-*s  %-*s  %*s  %-*s  %-*s", w[0], l->f[0], w[1],
                l->f[1], w[2], l->f[2], w[3], l->f[3], w[4], l->f[4], w[5],
                l->f[5]);
        if (l->values[0])
            fprintf(out, "  %s", l->values);
        fputc('\n', out);
    }
}

/* "name, name" of the lines with verdict v, cut to fit len. */
static void names_with(const gate_line *lines, int n, bs_gate_verdict v,
                       char *buf, size_t len) {
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && off + 1 < len; i++)
        if (lines[i].verdict == v) {
            int k = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
                             lines[i].name);
            if (k < 0)
                break;
            off += (size_t)k;
        }
}

int bs_gate_report(bs_collect *c, const char *base_label,
                   const char *cur_label, const bs_gate_opts *o, FILE *out) {
    int bcol = find_label(c, base_label), ccol = find_label(c, cur_label);
    int cap = 0, n = 0;
    for (int t = 0; t < c->ntables; t++)
        cap += c->tables[t].nrows;
    gate_line *lines = calloc((size_t)(cap ? cap : 1), sizeof *lines);
    if (lines == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }

    /* The units the baseline has, to name them when the asked one is absent. */
    char units[256] = "";
    for (int u = 0; u < c->nunits; u++) {
        int has = 0;
        for (int t = 0; t < c->ntables && bcol >= 0; t++) {
            bs_table *tb = &c->tables[t];
            for (int r = 0; r < tb->nrows && tb->unit == u; r++)
                has |= bs_table_cell(tb, tb->rows[r], bcol) != NULL;
        }
        size_t used = strlen(units);
        if (has)
            snprintf(units + used, sizeof units - used, "%s%s", used ? ", " : "",
                     c->units[u]);
    }

    int count[BS_GATE_ADDED + 1] = {0};
    for (int t = 0; t < c->ntables; t++) {
        bs_table *tb = &c->tables[t];
        const char *unit = c->units[tb->unit];
        if (strcmp(unit, o->unit) != 0)
            continue;
        int hb = bs_gate_higher_is_better(unit), exact = bs_collect_is_exact(c, unit);
        for (int r = 0; r < tb->nrows; r++) {
            bs_cell *b = bcol >= 0 ? bs_table_cell(tb, tb->rows[r], bcol) : NULL;
            bs_cell *k = ccol >= 0 ? bs_table_cell(tb, tb->rows[r], ccol) : NULL;
            if (b == NULL && k == NULL)
                continue;
            bs_gate_result res;
            bs_gate_judge(b ? b->values : NULL, b ? b->n : 0, k ? k->values : NULL,
                          k ? k->n : 0, hb, exact, o, &res);
            format_line(&lines[n++], &res, c->rows[tb->rows[r]], unit);
            count[res.verdict]++;
        }
    }
    print_lines(lines, n, out);

    char thr[32], alpha[32], list[512];
    bs_fmt_float(thr, sizeof thr, o->threshold * 100);
    bs_fmt_float(alpha, sizeof alpha, o->alpha);
    int compared = count[BS_GATE_OK] + count[BS_GATE_REGRESSED];
    int rc;
    if (count[BS_GATE_REGRESSED] > 0) {
        names_with(lines, n, BS_GATE_REGRESSED, list, sizeof list);
        fprintf(out, "gate: FAIL: %d of %d benchmarks regressed in %s by more than %s%% "
                     "(p < %s): %s\n",
                count[BS_GATE_REGRESSED], compared, o->unit, thr, alpha, list);
        rc = 1;
    } else if (count[BS_GATE_TOO_FEW] > 0) {
        names_with(lines, n, BS_GATE_TOO_FEW, list, sizeof list);
        fprintf(out, "gate: FAIL: too few runs to detect a difference at p < %s "
                     "(%s); run each side more often (-count)\n",
                alpha, list);
        rc = 2;
    } else if (count[BS_GATE_MISSING] > 0) {
        names_with(lines, n, BS_GATE_MISSING, list, sizeof list);
        fprintf(out, "gate: FAIL: in %s but not in %s: %s%s\n", base_label, cur_label, list,
                count[BS_GATE_ADDED] ? " (if they were renamed or their configuration "
                                       "lines differ, the inputs cannot be compared)"
                                     : "");
        rc = 2;
    } else if (compared == 0) {
        if (units[0] == '\0')
            fprintf(out, "gate: FAIL: %s has no benchmark results\n", base_label);
        else
            fprintf(out, "gate: FAIL: %s has no %s results (its units: %s); choose one "
                         "with -gate-unit\n",
                    base_label, o->unit, units);
        rc = 2;
    } else {
        fprintf(out, "gate: PASS: %d benchmarks compared in %s, none worse by more than "
                     "%s%% with p < %s\n",
                compared, o->unit, thr, alpha);
        rc = 0;
    }
    free(lines);
    return rc;
}
