/* benchfmt.c: reading Go's benchmark format.
 *
 * A line is one of:
 *   - a configuration line "key: value": the key starts with a lower-case
 *     letter and holds no space or upper-case letter; at least one blank
 *     follows the colon; an empty value deletes the key. It applies to the
 *     results after it, until the end of that input.
 *   - a result line "BenchmarkName iters value unit [value unit]...".
 *     A line that is only "BenchmarkName" is ignored (go test -v prints
 *     those); a malformed result line is a syntax error, reported and
 *     skipped.
 *   - a unit metadata line "Unit <unit> key=value..." (assume=exact says
 *     the unit's values should not vary, like a binary's size).
 *   - anything else, ignored.
 * Values are tidied as they are read (ns/op becomes sec/op in seconds).
 */
#include "benchstat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Go's isSpace for ASCII. */
static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}

/* Splits off the first field of *s: returns it NUL-terminated and leaves
 * *s at the next field (blanks skipped). Returns "" at the end. */
static char *split_field(char **s) {
    char *p = *s, *start = p;
    while (*p && !is_space((unsigned char)*p))
        p++;
    if (*p) {
        *p++ = '\0';
        while (*p && is_space((unsigned char)*p))
            p++;
    }
    *s = p;
    return start;
}

static int parse_config(char *line, bs_line *out) {
    unsigned char c0 = (unsigned char)line[0];
    if (!(c0 >= 'a' && c0 <= 'z'))
        return 0;
    char *colon = NULL;
    for (char *p = line; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (is_space(c) || (c >= 'A' && c <= 'Z'))
            return 0;
        if (p > line && c == ':') {
            colon = p;
            break;
        }
    }
    if (colon == NULL)
        return 0;
    char *val = colon + 1;
    if (*val != '\0') {
        if (*val != ' ' && *val != '\t')
            return 0;
        while (*val == ' ' || *val == '\t')
            val++;
    }
    *colon = '\0';
    out->kind = BS_LINE_CONFIG;
    out->key = line;
    out->value = val;
    return 1;
}

static bs_line_kind error_line(bs_line *out, const char *msg) {
    out->kind = BS_LINE_ERROR;
    out->err = msg;
    return out->kind;
}

/* The digits-only fast path and strtod, as Go's reader does. */
static int parse_number(const char *s, double *v) {
    char *end;
    if (*s == '\0')
        return -1;
    errno = 0;
    *v = strtod(s, &end);
    if (*end != '\0')
        return -1;
    if (errno == ERANGE && (*v > 1 || *v < -1))
        return -2;
    return 0;
}

/* Tidied units need storage: one static buffer per value slot of the
 * last parsed line, which callers copy before the next line. */
static char tidy_buf[BS_MAX_VALUES][128];

static bs_line_kind parse_result(char *line, bs_line *out) {
    char *rest = line + strlen("Benchmark");
    size_t restlen = strlen(rest);
    char *name = split_field(&rest);
    if (*rest == '\0' && strlen(name) == restlen)
        return out->kind = BS_LINE_OTHER;
    out->name = name;

    char *f = split_field(&rest);
    if (*f == '\0')
        return error_line(out, "missing iteration count");
    char *end;
    errno = 0;
    long long iters = strtoll(f, &end, 10);
    if (*end != '\0' || is_space((unsigned char)*f))
        return error_line(out, "parsing iteration count: invalid syntax");
    if (errno == ERANGE)
        return error_line(out, "parsing iteration count: value out of range");
    out->iters = iters;

    out->nvalues = 0;
    for (;;) {
        f = split_field(&rest);
        if (*f == '\0') {
            if (out->nvalues > 0)
                break;
            return error_line(out, "missing measurements");
        }
        double v;
        int rc = parse_number(f, &v);
        if (rc == -1)
            return error_line(out, "parsing measurement: invalid syntax");
        if (rc == -2)
            return error_line(out, "parsing measurement: value out of range");
        char *unit = split_field(&rest);
        if (*unit == '\0')
            return error_line(out, "missing units");
        if (out->nvalues == BS_MAX_VALUES)
            return error_line(out, "too many measurements");
        if (strlen(unit) >= sizeof tidy_buf[0])
            return error_line(out, "unit too long");
        char *buf = tidy_buf[out->nvalues];
        double factor = bs_tidy_unit(unit, buf, sizeof tidy_buf[0]);
        /* As benchstat: a value that tidying leaves unchanged (0, Inf)
         * keeps its original unit. */
        if (v * factor == v)
            snprintf(buf, sizeof tidy_buf[0], "%s", unit);
        out->values[out->nvalues].value = v * factor;
        out->values[out->nvalues].unit = buf;
        out->nvalues++;
    }
    return out->kind = BS_LINE_RESULT;
}

static bs_line_kind parse_unit(char *line, bs_line *out) {
    char *rest = line;
    split_field(&rest);
    char *unit = split_field(&rest);
    if (*unit == '\0')
        return error_line(out, "missing unit");
    if (strlen(unit) >= sizeof tidy_buf[0])
        return error_line(out, "unit too long");
    bs_tidy_unit(unit, tidy_buf[0], sizeof tidy_buf[0]);
    out->unit = tidy_buf[0];
    for (;;) {
        char *f = split_field(&rest);
        if (*f == '\0')
            break;
        char *eq = strchr(f, '=');
        if (eq == NULL || eq == f)
            return error_line(out, "expected key=value");
        if (out->nmeta == BS_MAX_VALUES)
            return error_line(out, "too many key=value pairs");
        *eq = '\0';
        out->meta_key[out->nmeta] = f;
        out->meta_val[out->nmeta] = eq + 1;
        out->nmeta++;
    }
    return out->kind = BS_LINE_UNIT;
}

bs_line_kind bs_parse_line(char *line, bs_line *out) {
    memset(out, 0, sizeof *out);
    out->kind = BS_LINE_OTHER;
    if (strncmp(line, "Benchmark", 9) == 0)
        return parse_result(line, out);
    if (line[0] == 'U') {
        size_t n = strcspn(line, " \t\v\f\r");
        if (n == 4 && strncmp(line, "Unit", 4) == 0)
            return parse_unit(line, out);
    }
    parse_config(line, out);
    return out->kind;
}

/* The configuration of the input being read, in first-set order. */
typedef struct config {
    bs_kv *kv;
    int n, cap;
} config;

static void config_set(config *c, const char *key, const char *value) {
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->kv[i].key, key) == 0) {
            if (*value == '\0') {
                free((char *)c->kv[i].key);
                free((char *)c->kv[i].value);
                memmove(&c->kv[i], &c->kv[i + 1],
                        (size_t)(c->n - i - 1) * sizeof c->kv[0]);
                c->n--;
            } else {
                free((char *)c->kv[i].value);
                c->kv[i].value = strdup(value);
            }
            return;
        }
    }
    if (*value == '\0')
        return;
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        bs_kv *kv = realloc(c->kv, (size_t)cap * sizeof *kv);
        if (kv == NULL) {
            fprintf(stderr, "benchstat: out of memory\n");
            exit(1);
        }
        c->kv = kv;
        c->cap = cap;
    }
    c->kv[c->n].key = strdup(key);
    c->kv[c->n].value = strdup(value);
    c->n++;
}

static void config_free(config *c) {
    for (int i = 0; i < c->n; i++) {
        free((char *)c->kv[i].key);
        free((char *)c->kv[i].value);
    }
    free(c->kv);
}

int bs_read(FILE *f, const char *name, const char *label, bs_collect *c,
            FILE *errs) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    config cfg = {0};
    bs_line l;

    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        switch (bs_parse_line(line, &l)) {
        case BS_LINE_CONFIG:
            config_set(&cfg, l.key, l.value);
            break;
        case BS_LINE_RESULT:
            bs_collect_add(c, cfg.kv, cfg.n, label, l.name, l.values,
                           l.nvalues);
            break;
        case BS_LINE_UNIT:
            for (int i = 0; i < l.nmeta; i++)
                bs_collect_unit_meta(c, l.unit, l.meta_key[i], l.meta_val[i]);
            break;
        case BS_LINE_ERROR:
            fprintf(errs, "%s:%ld: %s\n", name, lineno, l.err);
            break;
        case BS_LINE_OTHER:
            break;
        }
    }
    int rc = 0;
    if (ferror(f)) {
        fprintf(errs, "benchstat: %s:%ld: read error\n", name, lineno);
        rc = -1;
    }
    free(line);
    config_free(&cfg);
    return rc;
}
