/* units.c: benchstat's unit tidying and value scaling.
 *
 * Tidying turns units into base units so values scale cleanly: "ns/op"
 * becomes "sec/op" (values x 1e-9), "MB/s" becomes "B/s" (x 1e6), and any
 * "ns" or "MB" token in a numerator likewise. Scaling picks one SI prefix
 * (T G M k m µ n) or, for byte units, one IEC prefix (Ti Gi Mi Ki) and a
 * precision, so that the smallest non-zero value of a row shows four
 * significant digits: 912.3µ, 1.718µ, 10.50k. Thresholds are 99.995,
 * 9.9995 and 0.99995 times the prefix, so a value that would round up to
 * the next width moves to it.
 */
#include "benchstat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Unit tokenizer: tokens are separated by '*', '/', '-' and blanks; a
 * '/' puts what follows in the denominator, a '*' back in the numerator. */
typedef struct utok {
    const char *rest;
    const char *tok;
    size_t len;
    int denom;
} utok;

static int is_sep(char c) {
    return c == '*' || c == '/' || c == '-' || c == ' ' || c == '\t' ||
           c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int utok_next(utok *t) {
    const char *p = t->rest;
    while (*p && is_sep(*p)) {
        if (*p == '*')
            t->denom = 0;
        else if (*p == '/')
            t->denom = 1;
        p++;
    }
    if (*p == '\0') {
        t->rest = p;
        return 0;
    }
    t->tok = p;
    while (*p && !is_sep(*p))
        p++;
    t->len = (size_t)(p - t->tok);
    t->rest = p;
    return 1;
}

static int tok_is(const utok *t, const char *s) {
    return t->len == strlen(s) && strncmp(t->tok, s, t->len) == 0;
}

double bs_tidy_unit(const char *unit, char *buf, size_t len) {
    if (strcmp(unit, "ns/op") == 0) {
        snprintf(buf, len, "sec/op");
        return 1e-9;
    }
    if (strcmp(unit, "MB/s") == 0) {
        snprintf(buf, len, "B/s");
        return 1e6;
    }
    snprintf(buf, len, "%s", unit);
    if (strcmp(unit, "B/op") == 0 || strcmp(unit, "allocs/op") == 0 ||
        (!strstr(unit, "ns") && !strstr(unit, "MB")))
        return 1;

    double factor = 1;
    size_t off = 0;
    const char *copied = unit;  /* unit text up to here is in buf */
    utok t = {unit, NULL, 0, 0};
    buf[0] = '\0';
    while (utok_next(&t)) {
        const char *rep = NULL;
        if (!t.denom && tok_is(&t, "ns")) {
            rep = "sec";
            factor /= 1e9;
        } else if (!t.denom && tok_is(&t, "MB")) {
            rep = "B";
            factor *= 1e6;
        }
        if (rep == NULL)
            continue;
        off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%.*s%s",
                                (int)(t.tok - copied), copied, rep);
        copied = t.tok + t.len;
    }
    snprintf(buf + off, off < len ? len - off : 0, "%s", copied);
    return factor;
}

bs_class bs_unit_class(const char *unit) {
    utok t = {unit, NULL, 0, 0};
    while (utok_next(&t))
        if (!t.denom && (tok_is(&t, "B") || tok_is(&t, "MB") ||
                         tok_is(&t, "bytes")))
            return BS_BINARY;
    return BS_DECIMAL;
}

typedef struct factor {
    double factor;
    const char *prefix;
    double t100, t10, t1;
} factor;

static factor si[8], iec[5];
static double sigfigs[8];
static int tables_ready;

static double dec(const char *mant, int exp) {
    char s[64];
    snprintf(s, sizeof s, "%se%d", mant, exp);
    return strtod(s, NULL);
}

static void init_tables(void) {
    static const char *si_prefix[] = {"T", "G", "M", "k", "", "m",
                                      "\xc2\xb5", "n"};
    static const char *iec_prefix[] = {"Ti", "Gi", "Mi", "Ki", ""};
    int exp = 12;
    for (int i = 0; i < 8; i++, exp -= 3) {
        si[i].factor = dec("1", exp);
        si[i].prefix = si_prefix[i];
        si[i].t100 = dec("99.995", exp);
        si[i].t10 = dec("9.9995", exp);
        si[i].t1 = dec(".99995", exp);
    }
    exp = 40;
    for (int i = 0; i < 5; i++, exp -= 10) {
        iec[i].factor = ldexp(1, exp);
        iec[i].prefix = iec_prefix[i];
        iec[i].t100 = ldexp(99.995, exp);
        iec[i].t10 = ldexp(9.9995, exp);
        iec[i].t1 = ldexp(0.99995, exp);
    }
    for (int i = 0; i < 8; i++)
        sigfigs[i] = dec("9.9995", -1 - i);
    tables_ready = 1;
}

bs_scaler bs_common_scale(const double *vals, int n, bs_class cls) {
    double min = 0;
    if (!tables_ready)
        init_tables();
    for (int i = 0; i < n; i++) {
        double v = fabs(vals[i]);
        if (v != 0 && (min == 0 || v < min))
            min = v;
    }
    if (min == 0)
        return (bs_scaler){3, 1, ""};

    const factor *fs = cls == BS_BINARY ? iec : si;
    int nf = cls == BS_BINARY ? 5 : 8;
    for (int i = 0; i < nf; i++) {
        if (min >= fs[i].t100)
            return (bs_scaler){1, fs[i].factor, fs[i].prefix};
        if (min >= fs[i].t10)
            return (bs_scaler){2, fs[i].factor, fs[i].prefix};
        if (min >= fs[i].t1)
            return (bs_scaler){3, fs[i].factor, fs[i].prefix};
    }
    const factor *last = &fs[nf - 1];
    double val = min / last->factor;
    for (int i = 0; i < 8; i++)
        if (val >= sigfigs[i] || i == 7)
            return (bs_scaler){i + 3, last->factor, last->prefix};
    return (bs_scaler){3, 1, ""};
}

void bs_scale_format(char *buf, size_t len, bs_scaler s, double v) {
    if (isnan(v)) {
        snprintf(buf, len, "NaN%s", s.prefix);
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, "%sInf%s", v < 0 ? "-" : "+", s.prefix);
        return;
    }
    snprintf(buf, len, "%.*f%s", s.prec, v / s.factor, s.prefix);
}
