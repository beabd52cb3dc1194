/* texttab.c: lays out a grid of text cells in aligned columns.
 *
 * Cells are placed by (row, column) and may span several columns. Each
 * column's left margin is the widest margin of the cells that start in it.
 * Widths come from single-column cells first; a spanning cell that does
 * not fit then widens the non-shrink columns it covers, sharing the extra
 * width out from the widest column down. Widths count UTF-8 code points.
 * Cells whose value and margin are both blank are not printed, so lines
 * never carry trailing padding from them.
 */
#include "benchstat.h"

#include <stdlib.h>
#include <string.h>

typedef struct tcell {
    int row, col, span;
    char *value;
    char *margin;
    bs_align align;
    int seq;  /* insertion order, to keep sorts stable */
} tcell;

struct bs_texttab {
    tcell *cells;
    int ncells, cap;
    int cols;
    char *shrink;
    int nshrink;
    int currow, curcol;
};

static void *tt_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }
    return q;
}

static char *tt_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(tt_realloc(NULL, n), s, n);
}

static int runes(const char *s) {
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static int blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n')
            return 0;
    return 1;
}

bs_texttab *bs_tt_new(void) {
    bs_texttab *t = tt_realloc(NULL, sizeof *t);
    memset(t, 0, sizeof *t);
    return t;
}

void bs_tt_free(bs_texttab *t) {
    if (t == NULL)
        return;
    for (int i = 0; i < t->ncells; i++) {
        free(t->cells[i].value);
        free(t->cells[i].margin);
    }
    free(t->cells);
    free(t->shrink);
    free(t);
}

void bs_tt_row(bs_texttab *t) {
    if (t->ncells > 0)
        t->currow++;
    t->curcol = 0;
}

void bs_tt_col(bs_texttab *t, int col) {
    if (col > t->curcol)
        t->curcol = col;
}

int bs_tt_curcol(bs_texttab *t) { return t->curcol; }

void bs_tt_span(bs_texttab *t, int cols, const char *value, bs_align a,
                const char *margin) {
    if (t->ncells == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->cells = tt_realloc(t->cells, (size_t)t->cap * sizeof *t->cells);
    }
    tcell *c = &t->cells[t->ncells];
    c->row = t->currow;
    c->col = t->curcol;
    c->span = cols;
    c->value = tt_strdup(value);
    if (margin == NULL)
        margin = (t->curcol == 0 || value[0] == '\0') ? "" : " ";
    c->margin = tt_strdup(margin);
    c->align = a;
    c->seq = t->ncells++;
    t->curcol += cols;
    if (t->curcol > t->cols)
        t->cols = t->curcol;
}

void bs_tt_cell(bs_texttab *t, const char *value, bs_align a,
                const char *margin) {
    bs_tt_span(t, 1, value, a, margin);
}

void bs_tt_shrink(bs_texttab *t, int col) {
    if (col >= t->nshrink) {
        t->shrink = tt_realloc(t->shrink, (size_t)(col + 1));
        memset(t->shrink + t->nshrink, 0, (size_t)(col + 1 - t->nshrink));
        t->nshrink = col + 1;
    }
    t->shrink[col] = 1;
}

static int is_shrink(const bs_texttab *t, int col) {
    return col < t->nshrink && t->shrink[col];
}

static int by_span(const void *a, const void *b) {
    const tcell *x = a, *y = b;
    if (x->span != y->span)
        return x->span - y->span;
    return x->seq - y->seq;
}

static int by_pos(const void *a, const void *b) {
    const tcell *x = a, *y = b;
    if (x->row != y->row)
        return x->row - y->row;
    if (x->col != y->col)
        return x->col - y->col;
    return x->seq - y->seq;
}

static const int *sort_ws;

static int by_width_desc(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    if (sort_ws[x] != sort_ws[y])
        return sort_ws[y] - sort_ws[x];
    return x - y;
}

void bs_tt_print(bs_texttab *t, FILE *out) {
    int ncols = t->cols;
    int *lmargin = calloc((size_t)ncols + 1, sizeof *lmargin);
    int *ws = calloc((size_t)ncols + 1, sizeof *ws);
    int *offs = calloc((size_t)ncols + 2, sizeof *offs);
    int *spancols = calloc((size_t)ncols + 1, sizeof *spancols);
    if (!lmargin || !ws || !offs || !spancols) {
        fprintf(stderr, "benchstat: out of memory\n");
        exit(1);
    }

    for (int i = 0; i < t->ncells; i++) {
        int m = runes(t->cells[i].margin);
        if (m > lmargin[t->cells[i].col])
            lmargin[t->cells[i].col] = m;
    }

    if (t->ncells > 1)
        qsort(t->cells, (size_t)t->ncells, sizeof *t->cells, by_span);
    for (int i = 0; i < t->ncells; i++) {
        tcell *c = &t->cells[i];
        int w = runes(c->value) + lmargin[c->col];
        if (c->span == 1) {
            if (w > ws[c->col])
                ws[c->col] = w;
            continue;
        }
        int tw = 0;
        for (int col = c->col; col < c->col + c->span; col++)
            tw += ws[col];
        if (tw >= w)
            continue;
        int nspan = 0;
        for (int col = c->col; col < c->col + c->span; col++) {
            if (is_shrink(t, col))
                w -= ws[col];
            else
                spancols[nspan++] = col;
        }
        sort_ws = ws;
        if (nspan > 1)
            qsort(spancols, (size_t)nspan, sizeof *spancols, by_width_desc);
        int left = nspan;
        for (int k = 0; k < nspan; k++) {
            int col = spancols[k];
            int avg = (w + left - 1) / left;
            if (avg > ws[col])
                ws[col] = avg;
            w -= ws[col];
            left--;
        }
    }

    int off = 0;
    for (int i = 0; i < ncols; i++) {
        offs[i] = off;
        off += ws[i];
    }
    offs[ncols] = off;

    if (t->ncells > 1)
        qsort(t->cells, (size_t)t->ncells, sizeof *t->cells, by_pos);
    int row = 0;
    off = 0;
    for (int i = 0; i < t->ncells; i++) {
        tcell *c = &t->cells[i];
        if (blank(c->value) && blank(c->margin))
            continue;
        while (c->row > row) {
            fputc('\n', out);
            row++;
            off = 0;
        }
        int spaces = offs[c->col] - off;
        int lm = lmargin[c->col], mr = runes(c->margin);
        fprintf(out, "%*s%*s%s", spaces > 0 ? spaces : 0, "",
                lm - mr > 0 ? lm - mr : 0, "", c->margin);
        off += spaces + lm;  /* as Go does, even when spaces < 0 */

        int tw = offs[c->col + c->span] - offs[c->col] - lm;
        int vr = runes(c->value), pad = 0;
        if (c->align == BS_CENTER)
            pad = (tw - vr) / 2;
        else if (c->align == BS_RIGHT)
            pad = tw - vr;
        if (pad < 0)
            pad = 0;
        fprintf(out, "%*s%s", pad, "", c->value);
        off += pad + vr;
    }
    if (t->ncells > 0)
        fputc('\n', out);
    free(lmargin);
    free(ws);
    free(offs);
    free(spancols);
}
