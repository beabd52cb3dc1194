/* benchstat.h: the parts of benchstat and how they meet.
 *
 *   benchfmt.c  reads Go's benchmark format (config lines, result lines)
 *   units.c     tidies units (ns/op -> sec/op) and scales values (912.3µ)
 *   stats.c     median, its order-statistic confidence interval, and the
 *               two-sided Mann-Whitney U test
 *   collect.c   groups values into tables (config + unit), rows (benchmark
 *               name) and columns (input file), in benchstat's orders
 *   texttab.c   lays out a grid of cells into aligned text columns
 *   table.c     turns collected groups into benchstat's text tables
 *   gate.c      the regression gate: a verdict line per benchmark, and
 *               an exit status a CI job can act on
 *   main.c      flags, files, exit codes
 *
 * Everything is single-threaded; strings handed to collect.c are copied.
 */
#ifndef BENCHSTAT_H
#define BENCHSTAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- benchfmt.c ---- */

#define BS_MAX_VALUES 32

typedef enum bs_line_kind {
    BS_LINE_OTHER,   /* ignored (text, blank, "PASS", a bare name) */
    BS_LINE_CONFIG,  /* "key: value"; an empty value deletes the key */
    BS_LINE_RESULT,  /* "BenchmarkName  iters  value unit [value unit]..." */
    BS_LINE_ERROR,   /* a result line that does not parse; see err */
    BS_LINE_UNIT,    /* "Unit <unit> key=value...": unit metadata */
} bs_line_kind;

typedef struct bs_value {
    double value;      /* already tidied (ns/op values are in seconds) */
    char *unit;        /* tidied unit, points into the line or a static */
} bs_value;

typedef struct bs_line {
    bs_line_kind kind;
    char *key, *value;            /* CONFIG */
    char *name;                   /* RESULT: without the "Benchmark" prefix */
    int64_t iters;
    int nvalues;
    bs_value values[BS_MAX_VALUES];
    const char *err;              /* ERROR */
    char *unit;                   /* UNIT: tidied unit */
    int nmeta;                    /* UNIT: key=value pairs */
    char *meta_key[BS_MAX_VALUES], *meta_val[BS_MAX_VALUES];
} bs_line;

/* Classifies and splits one line (no newline); line is modified in place
 * and the result points into it. */
bs_line_kind bs_parse_line(char *line, bs_line *out);

struct bs_collect;

/* Reads one input: every result goes to c under column label, with the
 * file's configuration at that point. Syntax errors go to errs as
 * "name:line: message" and reading goes on. Returns 0, or -1 on a read
 * error (message on errs). */
int bs_read(FILE *f, const char *name, const char *label,
            struct bs_collect *c, FILE *errs);

/* ---- units.c ---- */

typedef enum bs_class { BS_DECIMAL, BS_BINARY } bs_class;

typedef struct bs_scaler {
    int prec;            /* digits after the point */
    double factor;       /* value of one prefix unit */
    const char *prefix;  /* "k", "µ", "Ki", ... */
} bs_scaler;

/* benchstat's unit tidying: "ns/op" -> "sec/op" (x 1e-9), "MB/s" -> "B/s"
 * (x 1e6), and likewise "ns" and "MB" in other numerators. Writes the
 * tidied unit to buf and returns the factor. */
double bs_tidy_unit(const char *unit, char *buf, size_t len);

/* BS_BINARY when a numerator has "B", "MB" or "bytes" (IEC prefixes). */
bs_class bs_unit_class(const char *unit);

/* One scale for all vals: the prefix and precision that print the smallest
 * non-zero magnitude with four significant digits. */
bs_scaler bs_common_scale(const double *vals, int n, bs_class cls);

/* Formats v with s: "%.*f" of v/factor, then the prefix. */
void bs_scale_format(char *buf, size_t len, bs_scaler s, double v);

/* ---- stats.c ---- */

typedef enum bs_test_err {
    BS_TEST_OK = 0,
    BS_TEST_SIZE,    /* a sample is empty */
    BS_TEST_EQUAL,   /* all values equal: no test possible */
} bs_test_err;

/* Quantile q of a sorted sample, interpolated (Hyndman-Fan type 8, which
 * for q = 0.5 is the usual median). */
double bs_quantile(const double *sorted, int n, double q);

/* Order statistics [lo, hi] (1-based; lo 0 or hi n+1 means unbounded)
 * bracketing quantile q of a sample of n with at least the given
 * confidence. Exact binomial for n <= 30, normal approximation above. */
void bs_quantile_ci(int n, double q, double confidence, int *lo, int *hi);

/* Two-sided Mann-Whitney U test p-value of x against y (need not be
 * sorted). Exact null distribution when there are no ties and both
 * n <= 50, or ties and both n <= 25; otherwise the normal approximation
 * with tie and continuity correction. */
bs_test_err bs_mann_whitney(const double *x, int nx, const double *y,
                            int ny, double *p);

/* Standard normal CDF and its inverse. */
double bs_norm_cdf(double z);
double bs_norm_inv_cdf(double p);

/* Geometric mean; NaN when n is 0 or a value is <= 0. */
double bs_geomean(const double *x, int n);

/* ---- collect.c ---- */

typedef struct bs_cell {
    int row, col;
    int n, cap;
    double *values;
} bs_cell;

typedef struct bs_table {
    char **config;     /* value per config key (collect's key order); "" absent */
    int nconfig;
    int unit;          /* index in collect's units */
    int *rows, nrows;  /* row indices present, in row order after sort */
    int *cols, ncols;  /* column indices present, sorted likewise */
    bs_cell *cells;
    int ncells, capcells;
} bs_table;

typedef struct bs_collect {
    char **keys; int nkeys;          /* config keys, first-seen order */
    char **units; int nunits;        /* units, first-seen order */
    char **rows; int nrows;          /* benchmark names, first-seen order */
    char **cols; int ncols;          /* column labels, first-seen order */
    bs_table *tables; int ntables, captables;
    char **exact; int nexact;        /* units declared "assume=exact" */
} bs_collect;

typedef struct bs_kv {
    const char *key, *value;
} bs_kv;

void bs_collect_init(bs_collect *c);
void bs_collect_free(bs_collect *c);

/* Adds one result: each value goes to the table of (config, its unit). */
void bs_collect_add(bs_collect *c, const bs_kv *config, int nconfig,
                    const char *col, const char *name, const bs_value *vals,
                    int nvals);

/* Records unit metadata; only assume=exact changes anything (the unit's
 * values are then summarized by their mode, and never tested). */
void bs_collect_unit_meta(bs_collect *c, const char *unit, const char *key,
                          const char *value);
int bs_collect_is_exact(const bs_collect *c, const char *unit);

/* Sorts tables (config values as strings, then unit first-seen) and each
 * table's rows and columns (first-seen). Call once, after all adds. */
void bs_collect_finish(bs_collect *c);

/* The cell of table t at (row, col), or NULL. */
bs_cell *bs_table_cell(bs_table *t, int row, int col);

/* ---- texttab.c ---- */

typedef enum bs_align { BS_LEFT, BS_CENTER, BS_RIGHT } bs_align;

typedef struct bs_texttab bs_texttab;

bs_texttab *bs_tt_new(void);
void bs_tt_free(bs_texttab *t);
/* Starts a new row (the first call does not skip one). */
void bs_tt_row(bs_texttab *t);
/* Moves to column col (never backwards). */
void bs_tt_col(bs_texttab *t, int col);
int bs_tt_curcol(bs_texttab *t);
/* Adds a cell spanning cols columns. margin NULL = default (" " unless at
 * column 0 or value is empty). */
void bs_tt_span(bs_texttab *t, int cols, const char *value, bs_align a,
                const char *margin);
void bs_tt_cell(bs_texttab *t, const char *value, bs_align a,
                const char *margin);
/* A shrink column never widens to make room for a spanning cell. */
void bs_tt_shrink(bs_texttab *t, int col);
void bs_tt_print(bs_texttab *t, FILE *out);

/* ---- table.c ---- */

typedef struct bs_opts {
    double alpha;       /* significance level, 0.05 */
    double confidence;  /* interval level, 0.95 */
} bs_opts;

/* Prints all tables of c (after bs_collect_finish) as benchstat does. */
void bs_print_tables(bs_collect *c, const bs_opts *o, FILE *out);

/* Go's %v of a float64 (shortest text that reads back the same). */
void bs_fmt_float(char *buf, size_t len, double v);

/* ---- gate.c ---- */

typedef enum bs_gate_verdict {
    BS_GATE_OK,        /* compared, and not a regression */
    BS_GATE_REGRESSED, /* worse by more than the threshold, p < alpha */
    BS_GATE_TOO_FEW,   /* these sample sizes can never reach p < alpha */
    BS_GATE_MISSING,   /* baseline runs, no current runs */
    BS_GATE_ADDED,     /* current runs, no baseline runs */
} bs_gate_verdict;

typedef struct bs_gate_opts {
    double threshold;  /* a fraction: 0.05 fails changes above 5% */
    double alpha;      /* a change is significant when p < alpha */
    const char *unit;  /* the tidied unit gated on, "sec/op" */
} bs_gate_opts;

typedef struct bs_gate_result {
    bs_gate_verdict verdict;
    double base, cur;  /* medians */
    double worse;      /* how much worse cur is, as a fraction: 0.25 is a
                          25% longer time or a 25% lower rate; NaN when
                          one side is empty */
    double p;          /* U test; 1 when all values are equal, 0 for an
                          exact unit, NaN when one side is empty */
    int nb, nc;
} bs_gate_result;

/* "5%" or "5" (both percent) into 0.05; -1 unless a finite number >= 0. */
int bs_gate_parse_threshold(const char *s, double *frac);

/* The smallest two-sided p-value the U test can give for samples of nb
 * and nc values: 2 / C(nb + nc, nb) (0.1 for 3+3, 0.029 for 4+4). */
double bs_gate_min_p(int nb, int nc);

/* 1 for a rate (a unit ending in "/s"), where lower is worse. */
int bs_gate_higher_is_better(const char *unit);

/* Judges one benchmark from its baseline and current values (unsorted;
 * either side may be empty). exact: the unit is "assume=exact". */
void bs_gate_judge(const double *base, int nb, const double *cur, int nc,
                   int higher_better, int exact, const bs_gate_opts *o,
                   bs_gate_result *r);

/* Gates input cur_label against base_label (column labels of c, after
 * bs_collect_finish) in unit o->unit: one line per benchmark, then a
 * "gate: PASS" or "gate: FAIL" line. Returns the exit status: 0 pass,
 * 1 a regression, 2 the gate cannot judge (too few runs, a missing
 * benchmark, no results in that unit). */
int bs_gate_report(bs_collect *c, const char *base_label,
                   const char *cur_label, const bs_gate_opts *o, FILE *out);

#endif
