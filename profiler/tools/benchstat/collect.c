/* collect.c: grouping results the way benchstat's default projections do.
 *
 * Every value lands in one table, one row and one column:
 *   table  = the input's configuration (all "key: value" lines in force)
 *            plus the value's unit;
 *   row    = the benchmark's full name without "Benchmark" ("Sum-2");
 *   column = the input's label (its file name).
 * Orders follow benchstat: rows, columns and units in first-seen order;
 * tables sorted by their configuration values compared as strings (keys
 * in first-seen order, an absent key being ""), then by unit. Cells keep
 * their values in input order. All strings are copied.
 */
#include "benchstat.h"

#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }
    return q;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

/* Index of s in list, adding it at the end if new. */
static int intern(char ***list, int *n, const char *s) {
    for (int i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return i;
    *list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
    (*list)[*n] = xstrdup(s);
    return (*n)++;
}

void bs_collect_init(bs_collect *c) { memset(c, 0, sizeof *c); }

static void free_list(char **list, int n) {
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void bs_collect_free(bs_collect *c) {
    for (int t = 0; t < c->ntables; t++) {
        bs_table *tb = &c->tables[t];
        free_list(tb->config, tb->nconfig);
        free(tb->rows);
        free(tb->cols);
        for (int i = 0; i < tb->ncells; i++)
            free(tb->cells[i].values);
        free(tb->cells);
    }
    free(c->tables);
    free_list(c->keys, c->nkeys);
    free_list(c->units, c->nunits);
    free_list(c->rows, c->nrows);
    free_list(c->cols, c->ncols);
    free_list(c->exact, c->nexact);
    memset(c, 0, sizeof *c);
}

static const char *table_value(const bs_table *t, int key) {
    return key < t->nconfig ? t->config[key] : "";
}

/* The table for this configuration (values indexed by key) and unit. */
static bs_table *find_table(bs_collect *c, const char **vals, int unit) {
    for (int i = 0; i < c->ntables; i++) {
        bs_table *t = &c->tables[i];
        if (t->unit != unit)
            continue;
        int k = 0;
        while (k < c->nkeys && strcmp(table_value(t, k), vals[k]) == 0)
            k++;
        if (k == c->nkeys)
            return t;
    }
    if (c->ntables == c->captables) {
        c->captables = c->captables ? 2 * c->captables : 8;
        c->tables = xrealloc(c->tables, (size_t)c->captables * sizeof *c->tables);
    }
    bs_table *t = &c->tables[c->ntables++];
    memset(t, 0, sizeof *t);
    t->unit = unit;
    t->nconfig = c->nkeys;
    t->config = xrealloc(NULL, (size_t)c->nkeys * sizeof *t->config);
    for (int k = 0; k < c->nkeys; k++)
        t->config[k] = xstrdup(vals[k]);
    return t;
}

bs_cell *bs_table_cell(bs_table *t, int row, int col) {
    for (int i = 0; i < t->ncells; i++)
        if (t->cells[i].row == row && t->cells[i].col == col)
            return &t->cells[i];
    return NULL;
}

static void add_index(int **list, int *n, int v) {
    for (int i = 0; i < *n; i++)
        if ((*list)[i] == v)
            return;
    *list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
    (*list)[(*n)++] = v;
}

void bs_collect_add(bs_collect *c, const bs_kv *config, int nconfig,
                    const char *col, const char *name, const bs_value *vals,
                    int nvals) {
    int row = intern(&c->rows, &c->nrows, name);
    int column = intern(&c->cols, &c->ncols, col);
    for (int i = 0; i < nconfig; i++)
        intern(&c->keys, &c->nkeys, config[i].key);

    const char **cv = xrealloc(NULL, (size_t)c->nkeys * sizeof *cv);
    for (int k = 0; k < c->nkeys; k++) {
        cv[k] = "";
        for (int i = 0; i < nconfig; i++)
            if (strcmp(config[i].key, c->keys[k]) == 0)
                cv[k] = config[i].value;
    }
    for (int v = 0; v < nvals; v++) {
        int unit = intern(&c->units, &c->nunits, vals[v].unit);
        bs_table *t = find_table(c, cv, unit);
        bs_cell *cell = bs_table_cell(t, row, column);
        if (cell == NULL) {
            t->cells = xrealloc(t->cells, (size_t)(t->ncells + 1) * sizeof *t->cells);
            cell = &t->cells[t->ncells++];
            memset(cell, 0, sizeof *cell);
            cell->row = row;
            cell->col = column;
            add_index(&t->rows, &t->nrows, row);
            add_index(&t->cols, &t->ncols, column);
        }
        if (cell->n == cell->cap) {
            cell->cap = cell->cap ? 2 * cell->cap : 16;
            cell->values = xrealloc(cell->values, (size_t)cell->cap * sizeof *cell->values);
        }
        cell->values[cell->n++] = vals[v].value;
    }
    free(cv);
}

void bs_collect_unit_meta(bs_collect *c, const char *unit, const char *key,
                          const char *value) {
    if (strcmp(key, "assume") == 0 && strcmp(value, "exact") == 0)
        intern(&c->exact, &c->nexact, unit);
}

int bs_collect_is_exact(const bs_collect *c, const char *unit) {
    for (int i = 0; i < c->nexact; i++)
        if (strcmp(c->exact[i], unit) == 0)
            return 1;
    return 0;
}

static const bs_collect *sort_ctx;

static int cmp_table(const void *a, const void *b) {
    const bs_table *x = a, *y = b;
    for (int k = 0; k < sort_ctx->nkeys; k++) {
        int r = strcmp(table_value(x, k), table_value(y, k));
        if (r)
            return r;
    }
    return x->unit - y->unit;
}

static int cmp_int(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

void bs_collect_finish(bs_collect *c) {
    sort_ctx = c;
    if (c->ntables > 1)
        qsort(c->tables, (size_t)c->ntables, sizeof *c->tables, cmp_table);
    for (int t = 0; t < c->ntables; t++) {
        bs_table *tb = &c->tables[t];
        if (tb->nrows > 1)
            qsort(tb->rows, (size_t)tb->nrows, sizeof *tb->rows, cmp_int);
        if (tb->ncols > 1)
            qsort(tb->cols, (size_t)tb->ncols, sizeof *tb->cols, cmp_int);
    }
}
