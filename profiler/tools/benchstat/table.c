/* table.c: benchstat's text tables.
 *
 * One table per (configuration, unit). Its first column is the benchmark
 * name; then, per input, the median, "± pct" (the interval's larger
 * distance from the median, as a percentage), and footnote marks; every
 * input after the first adds the change of the medians against the first
 * input ("-17.20%", or "~" when the U test's p exceeds alpha) and
 * "(p=0.000 n=10)". With more than one row, a geomean row follows.
 * Footnotes explain infinite intervals (too few samples) and tests that
 * could not detect anything; they are numbered per table. Configuration
 * lines ("goos: linux") are printed above a table when they differ from
 * the previous table's.
 */
#include "benchstat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_COLS 1
#define CENTER_COLS 3  /* <center> <± CI> <notes> */
#define DELTA_COLS 3   /* <delta> <(p= n=)> <notes> */

void bs_fmt_float(char *buf, size_t len, double v) {
    if (isnan(v)) {
        snprintf(buf, len, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (v == 0) {
        snprintf(buf, len, "0");
        return;
    }
    char tmp[64];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    int exp = atoi(strchr(tmp, 'e') + 1);
    if (exp < -4 || exp >= 21) {
        /* Go trims the mantissa the same way and keeps two exponent digits. */
        snprintf(buf, len, "%s", tmp);
        return;
    }
    int decimals = prec - 1 - exp;
    snprintf(buf, len, "%.*f", decimals > 0 ? decimals : 0, v);
}

/* Footnotes of one table: distinct messages in first-use order. */
typedef struct notes {
    char **msg;
    int n;
} notes;

static const char *superscripts[] = {"\xe2\x81\xb0", "\xc2\xb9", "\xc2\xb2",
                                     "\xc2\xb3", "\xe2\x81\xb4", "\xe2\x81\xb5",
                                     "\xe2\x81\xb6", "\xe2\x81\xb7",
                                     "\xe2\x81\xb8", "\xe2\x81\xb9"};

static void superscript(char *buf, size_t len, int i) {
    char digits[16];
    int nd = snprintf(digits, sizeof digits, "%d", i);
    size_t off = 0;
    buf[0] = '\0';
    for (int k = 0; k < nd && off < len; k++)
        off += (size_t)snprintf(buf + off, len - off, "%s",
                                superscripts[digits[k] - '0']);
}

/* Appends the marks of msgs (NULL entries skipped) to buf. */
static void note_marks(notes *ns, char *buf, size_t len, const char **msgs,
                       int nmsgs) {
    size_t off = 0;
    buf[0] = '\0';
    for (int m = 0; m < nmsgs; m++) {
        if (msgs[m] == NULL)
            continue;
        int idx = -1;
        for (int i = 0; i < ns->n; i++)
            if (strcmp(ns->msg[i], msgs[m]) == 0)
                idx = i;
        if (idx < 0) {
            ns->msg = realloc(ns->msg, (size_t)(ns->n + 1) * sizeof *ns->msg);
            if (ns->msg == NULL) {
                fprintf(stderr, "benchstat: out of memory\n");
                exit(1);
            }
            ns->msg[ns->n] = strdup(msgs[m]);
            idx = ns->n++;
        }
        char sup[32];
        superscript(sup, sizeof sup, idx + 1);
        if (off > 0 && off < len)
            off += (size_t)snprintf(buf + off, len - off, " ");
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s", sup);
    }
}

/* The computed contents of one cell. */
typedef struct cellstat {
    bs_cell *cell;
    double *sorted;
    double center, lo, hi;
    char ci_note[256];       /* "" if none */
    int has_base;
    double base_center;
    double p;
    int n1, n2;
    char cmp_note[160];
} cellstat;

/* Ascending, NaNs first (Go's sort.Float64s order). */
static int cmp_sample(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return !isnan(y) ? -1 : !isnan(x) ? 1 : 0;
    return (x > y) - (x < y);
}

static void samples_note(char *buf, size_t len, double confidence) {
    char conf[64];
    int n, lo, hi;
    const char *op = ">";
    for (n = 2; n <= 50; n++) {
        bs_quantile_ci(n, 0.5, confidence, &lo, &hi);
        if (0 < lo && hi <= n) {
            op = ">=";
            break;
        }
    }
    if (n > 50)
        n = 50;
    bs_fmt_float(conf, sizeof conf, confidence);
    snprintf(buf, len, "need %s %d samples for confidence interval at level %s",
             op, n, conf);
}

/* Smallest two-sided exact p-value with n per sample: 2 / C(2n, n). */
static const double utest_min_p[] = {
    0, 1, 0.3333333333333333, 0.1, 0.02857142857142857,
    0.007936507936507936, 0.0021645021645021645, 0.0005827505827505828,
    0.0001554001554001554, 4.113533525298231e-05,
};

static void summarize(cellstat *s, const bs_opts *o) {
    bs_cell *c = s->cell;
    int lo, hi;
    s->sorted = malloc((size_t)c->n * sizeof *s->sorted);
    if (s->sorted == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }
    memcpy(s->sorted, c->values, (size_t)c->n * sizeof *s->sorted);
    qsort(s->sorted, (size_t)c->n, sizeof *s->sorted, cmp_sample);
    bs_quantile_ci(c->n, 0.5, o->confidence, &lo, &hi);
    s->center = bs_quantile(s->sorted, c->n, 0.5);
    s->lo = lo < 1 ? -INFINITY : s->sorted[lo - 1];
    s->hi = hi - 1 >= c->n ? INFINITY : s->sorted[hi - 1];
    s->ci_note[0] = '\0';
    if (isinf(s->lo) || isinf(s->hi))
        samples_note(s->ci_note, sizeof s->ci_note, o->confidence);
}

/* The "exact" summary: the most common value (first on ties), the full
 * range as the interval, and a note when values differ at all. */
static void summarize_exact(cellstat *s) {
    const double *v = s->sorted;
    int n = s->cell->n, count = 1, best = 1;
    double mode = v[0];
    for (int i = 1; i < n; i++) {
        count = v[i] == v[i - 1] ? count + 1 : 1;
        if (count > best) {
            best = count;
            mode = v[i];
        }
    }
    s->center = mode;
    s->lo = v[0];
    s->hi = v[n - 1];
    s->ci_note[0] = '\0';
    if (best != n) {
        char a[64], b[64];
        bs_fmt_float(a, sizeof a, v[0]);
        bs_fmt_float(b, sizeof b, v[n - 1]);
        snprintf(s->ci_note, sizeof s->ci_note,
                 "exact distribution expected, but values range from %s to %s",
                 a, b);
    }
}

static void compare(cellstat *s, const cellstat *base, const bs_opts *o) {
    s->has_base = 1;
    s->base_center = base->center;
    s->n1 = base->cell->n;
    s->n2 = s->cell->n;
    s->cmp_note[0] = '\0';
    bs_test_err e = bs_mann_whitney(base->cell->values, base->cell->n,
                                    s->cell->values, s->cell->n, &s->p);
    if (e != BS_TEST_OK) {
        s->p = 1;
        snprintf(s->cmp_note, sizeof s->cmp_note, "%s",
                 e == BS_TEST_EQUAL ? "all samples are equal"
                                    : "sample is too small");
        return;
    }
    if (s->p > o->alpha) {
        const char *op = ">";
        int n = 10;
        for (int k = 1; k < 10; k++) {
            if (utest_min_p[k] <= o->alpha) {
                op = ">=";
                n = k;
                break;
            }
        }
        if (s->n1 < n && s->n2 < n) {
            char a[64];
            bs_fmt_float(a, sizeof a, o->alpha);
            snprintf(s->cmp_note, sizeof s->cmp_note,
                     "need %s %d samples to detect a difference at alpha "
                     "level %s", op, n, a);
        }
    }
}

static void pct_range(char *buf, size_t len, const cellstat *s) {
    if (isinf(s->lo) || isinf(s->hi)) {
        snprintf(buf, len, "\xe2\x88\x9e");
        return;
    }
    int cs = (s->center > 0) - (s->center < 0);
    if (cs != (s->lo > 0) - (s->lo < 0) || cs != (s->hi > 0) - (s->hi < 0)) {
        snprintf(buf, len, "?");
        return;
    }
    if (s->center == 0) {
        snprintf(buf, len, "0%%");
        return;
    }
    double a = s->hi / s->center - 1, b = 1 - s->lo / s->center;
    snprintf(buf, len, "%.0f%%", 100 * (a > b ? a : b));
}

static void delta(char *buf, size_t len, const cellstat *s, const bs_opts *o,
                  int exact) {
    if (s->p > (exact ? 0 : o->alpha))
        snprintf(buf, len, "~");
    else if (s->base_center == s->center)
        snprintf(buf, len, "0.00%%");
    else if (s->base_center == 0)
        snprintf(buf, len, "?");
    else
        snprintf(buf, len, "%+.2f%%", (s->center / s->base_center - 1) * 100);
}

static void cmp_string(char *buf, size_t len, const cellstat *s) {
    char p[32] = "";
    if (s->p != 0)
        snprintf(p, sizeof p, "p=%.3f ", s->p);
    if (s->n1 == s->n2)
        snprintf(buf, len, "(%sn=%d)", p, s->n1);
    else
        snprintf(buf, len, "(%sn=%d+%d)", p, s->n1, s->n2);
}

static int start_col(int exp) {
    if (exp == 0)
        return LABEL_COLS;
    return LABEL_COLS + CENTER_COLS + (exp - 1) * (CENTER_COLS + DELTA_COLS);
}

static void print_table(bs_collect *c, bs_table *t, const bs_opts *o,
                        FILE *out) {
    const char *unit = c->units[t->unit];
    bs_class cls = bs_unit_class(unit);
    int exact = bs_collect_is_exact(c, unit);
    int nr = t->nrows, nc = t->ncols;
    cellstat *st = calloc((size_t)nr * (size_t)nc, sizeof *st);
    if (st == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }
#define AT(r, k) (&st[(size_t)(r) * (size_t)nc + (size_t)(k)])
    for (int r = 0; r < nr; r++)
        for (int k = 0; k < nc; k++) {
            AT(r, k)->cell = bs_table_cell(t, t->rows[r], t->cols[k]);
            if (AT(r, k)->cell) {
                summarize(AT(r, k), o);
                if (exact)
                    summarize_exact(AT(r, k));
            }
        }
    for (int r = 0; r < nr; r++)
        for (int k = 1; k < nc; k++) {
            cellstat *s = AT(r, k);
            if (s->cell == NULL || AT(r, 0)->cell == NULL)
                continue;
            if (exact) {
                /* Exact values need no test: any change is real. */
                s->has_base = 1;
                s->base_center = AT(r, 0)->center;
                s->n1 = AT(r, 0)->cell->n;
                s->n2 = s->cell->n;
                s->p = 0;
                s->cmp_note[0] = '\0';
            } else {
                compare(s, AT(r, 0), o);
            }
        }

    bs_texttab *tt = bs_tt_new();
    notes ns = {NULL, 0};
    char buf[256], marks[128];
    int redge = start_col(nc + 1);

    bs_tt_row(tt);
    for (int k = 0; k < nc; k++) {
        int l = start_col(k), r = start_col(k + 1);
        bs_tt_col(tt, l);
        bs_tt_span(tt, r - l, c->cols[t->cols[k]], BS_CENTER,
                   " \xe2\x94\x82 ");
    }
    bs_tt_col(tt, redge);
    bs_tt_cell(tt, "", BS_LEFT, " \xe2\x94\x82");

    bs_tt_row(tt);
    for (int k = 0; k < nc; k++) {
        int l = start_col(k);
        bs_tt_col(tt, l);
        bs_tt_span(tt, CENTER_COLS, unit, BS_CENTER, " \xe2\x94\x82 ");
        if (k > 0)
            bs_tt_span(tt, DELTA_COLS, "vs base", BS_LEFT, "  ");
        for (int j = l + 1; j < bs_tt_curcol(tt); j++)
            bs_tt_shrink(tt, j);
    }
    bs_tt_col(tt, redge);
    bs_tt_cell(tt, "", BS_LEFT, " \xe2\x94\x82");

    double *centers = malloc((size_t)(nr > nc ? nr : nc) * sizeof *centers);
    double *ratios = malloc((size_t)nr * sizeof *ratios);
    if (centers == NULL || ratios == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }
    for (int r = 0; r < nr; r++) {
        bs_tt_row(tt);
        bs_tt_cell(tt, c->rows[t->rows[r]], BS_LEFT, NULL);
        int ncent = 0;
        for (int k = 0; k < nc; k++)
            if (AT(r, k)->cell)
                centers[ncent++] = AT(r, k)->center;
        bs_scaler sc = bs_common_scale(centers, ncent, cls);
        for (int k = 0; k < nc; k++) {
            cellstat *s = AT(r, k);
            if (s->cell == NULL)
                continue;
            bs_tt_col(tt, start_col(k));
            bs_scale_format(buf, sizeof buf, sc, s->center);
            bs_tt_cell(tt, buf, BS_RIGHT, NULL);
            pct_range(buf, sizeof buf, s);
            bs_tt_cell(tt, buf, BS_RIGHT, " \xc2\xb1 ");
            const char *m1[] = {s->ci_note[0] ? s->ci_note : NULL};
            note_marks(&ns, marks, sizeof marks, m1, 1);
            bs_tt_cell(tt, marks, BS_LEFT, NULL);
            if (k > 0 && s->has_base) {
                delta(buf, sizeof buf, s, o, exact);
                bs_tt_cell(tt, buf, BS_RIGHT, NULL);
                cmp_string(buf, sizeof buf, s);
                bs_tt_cell(tt, buf, BS_LEFT, NULL);
                const char *m2[] = {s->cmp_note[0] ? s->cmp_note : NULL};
                note_marks(&ns, marks, sizeof marks, m2, 1);
                bs_tt_cell(tt, marks, BS_LEFT, NULL);
            }
        }
    }

    if (nr > 1) {
        int nbase = 0;
        for (int r = 0; r < nr; r++)
            if (AT(r, 0)->cell)
                nbase++;
        bs_tt_row(tt);
        bs_tt_cell(tt, "geomean", BS_LEFT, NULL);
        for (int k = 0; k < nc; k++) {
            const char *warn[3] = {NULL, NULL, NULL};
            int ncent = 0, nrat = 0, bad_ratio = 0;
            for (int r = 0; r < nr; r++) {
                cellstat *s = AT(r, k);
                if (s->cell == NULL)
                    continue;
                centers[ncent++] = s->center;
                if (!s->has_base)
                    continue;
                if (s->center == s->base_center) {
                    ratios[nrat++] = 1;
                } else if (s->base_center == 0) {
                    bad_ratio = 1;
                    ratios[nrat++] = 0;
                } else {
                    ratios[nrat++] = s->center / s->base_center;
                }
            }
            if (k > 0 && nbase != nrat)
                warn[0] = "benchmark set differs from baseline; geomeans "
                          "may not be comparable";
            double gm = bs_geomean(centers, ncent);
            if (isnan(gm))
                warn[1] = "summaries must be >0 to compute geomean";
            else {
                bs_tt_col(tt, start_col(k));
                bs_scaler sc = bs_common_scale(&gm, 1, cls);
                bs_scale_format(buf, sizeof buf, sc, gm);
                bs_tt_cell(tt, buf, BS_RIGHT, NULL);
            }
            if (k > 0) {
                bs_tt_col(tt, start_col(k) + CENTER_COLS);
                double rg = bad_ratio ? NAN : bs_geomean(ratios, nrat);
                if (!bad_ratio && isnan(rg))
                    warn[2] = "ratios must be >0 to compute geomean";
                if (bad_ratio || isnan(rg)) {
                    bs_tt_cell(tt, "?", BS_LEFT, NULL);
                } else {
                    snprintf(buf, sizeof buf, "%+.2f%%", (rg - 1) * 100);
                    bs_tt_cell(tt, buf, BS_RIGHT, NULL);
                }
            }
            bs_tt_col(tt, start_col(k + 1) - 1);
            note_marks(&ns, marks, sizeof marks, warn, 3);
            bs_tt_cell(tt, marks, BS_LEFT, NULL);
        }
    }

    bs_tt_print(tt, out);
    for (int i = 0; i < ns.n; i++) {
        superscript(buf, sizeof buf, i + 1);
        fprintf(out, "%s %s\n", buf, ns.msg[i]);
        free(ns.msg[i]);
    }
    free(ns.msg);
    bs_tt_free(tt);
    for (int i = 0; i < nr * nc; i++)
        free(st[i].sorted);
    free(st);
    free(centers);
    free(ratios);
#undef AT
}

void bs_print_tables(bs_collect *c, const bs_opts *o, FILE *out) {
    for (int i = 0; i < c->ntables; i++) {
        bs_table *t = &c->tables[i];
        if (i > 0)
            fputc('\n', out);
        for (int k = 0; k < c->nkeys; k++) {
            const char *v = k < t->nconfig ? t->config[k] : "";
            const bs_table *prev = i > 0 ? &c->tables[i - 1] : NULL;
            const char *pv = prev == NULL ? NULL
                             : k < prev->nconfig ? prev->config[k] : "";
            if (pv == NULL || strcmp(v, pv) != 0)
                fprintf(out, "%s: %s\n", c->keys[k], v);
        }
        print_table(c, t, o, out);
    }
}
