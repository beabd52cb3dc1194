/* units.c: how pprof scales and prints values and percentages.
 *
 * A value carries its sample type's unit ("nanoseconds", "count", "bytes").
 * Units of one family (time, memory, GCU) convert into each other; a unit
 * is recognized case-insensitively, with a trailing "s" dropped when longer
 * than two letters ("nanoseconds" -> "nanosecond"). "minimum" and "auto"
 * ask for the largest unit in which the value is still >= 1. Values of an
 * unknown unit ("count") print as plain numbers.
 *
 * Labels are printed with two decimals and a trailing ".00" removed, so
 * 1200000000ns in seconds is "1.20s" and 2000000000ns is "2s".
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyzer.h"

typedef struct unit {
    const char *name;        /* printed after the number */
    const char *aliases[4];  /* lower case, NULL-terminated */
    double factor;           /* size in the family's base unit */
} unit;

typedef struct family {
    const unit *units;
    size_t nunits;
    const char *default_name; /* used when the target unit is unknown */
    double default_factor;
} family;

static const unit bytes_units[] = {
    {"B", {"b", "byte", NULL}, 1},
    {"kB", {"kb", "kbyte", "kilobyte", NULL}, 1024.0},
    {"MB", {"mb", "mbyte", "megabyte", NULL}, 1024.0 * 1024},
    {"GB", {"gb", "gbyte", "gigabyte", NULL}, 1024.0 * 1024 * 1024},
    {"TB", {"tb", "tbyte", "terabyte", NULL}, 1024.0 * 1024 * 1024 * 1024},
    {"PB", {"pb", "pbyte", "petabyte", NULL}, 1024.0 * 1024 * 1024 * 1024 * 1024},
};

static const unit time_units[] = {
    {"ns", {"ns", "nanosecond", NULL}, 1},
    {"us", {"\xce\xbcs", "us", "microsecond", NULL}, 1e3},
    {"ms", {"ms", "millisecond", NULL}, 1e6},
    {"s", {"s", "sec", "second", NULL}, 1e9},
    {"hrs", {"hour", "hr", NULL}, 3600e9},
};

static const unit gcu_units[] = {
    {"n*GCU", {"nanogcu", NULL}, 1e-9},  {"u*GCU", {"microgcu", NULL}, 1e-6},
    {"m*GCU", {"milligcu", NULL}, 1e-3}, {"GCU", {"gcu", NULL}, 1},
    {"k*GCU", {"kilogcu", NULL}, 1e3},   {"M*GCU", {"megagcu", NULL}, 1e6},
    {"G*GCU", {"gigagcu", NULL}, 1e9},   {"T*GCU", {"teragcu", NULL}, 1e12},
    {"P*GCU", {"petagcu", NULL}, 1e15},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const family families[] = {
    {bytes_units, NELEM(bytes_units), "B", 1},
    {time_units, NELEM(time_units), "s", 1e9},
    {gcu_units, NELEM(gcu_units), "GCU", 1},
};

/* The unit of family f that the name s means, or NULL. */
static const unit *sniff(const family *f, const char *s) {
    char low[64];
    size_t n = strlen(s);
    if (n >= sizeof(low)) return NULL;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)s[i]);
    low[n] = '\0';
    if (n > 2 && low[n - 1] == 's') low[n - 1] = '\0';
    for (size_t i = 0; i < f->nunits; i++)
        for (const char *const *a = f->units[i].aliases; *a; a++)
            if (strcmp(*a, low) == 0) return &f->units[i];
    return NULL;
}

static bool is_auto(const char *to) {
    return strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0;
}

/* Converts within family f; false when `from` is not in it. */
static bool convert(const family *f, int64_t value, const char *from, const char *to,
                    double *out, const char **name) {
    const unit *fu = sniff(f, from);
    if (!fu) return false;
    double v = (double)value * fu->factor;
    if (is_auto(to)) {
        double best = 0;
        for (size_t i = 0; i < f->nunits; i++) {
            if (f->units[i].factor >= best && v / f->units[i].factor >= 1.0) {
                best = f->units[i].factor;
                *name = f->units[i].name;
            }
        }
        if (best > 0) {
            *out = v / best;
            return true;
        }
    } else {
        const unit *tu = sniff(f, to);
        if (tu) {
            *out = v / tu->factor;
            *name = tu->name;
            return true;
        }
    }
    *out = v / f->default_factor;
    *name = f->default_name;
    return true;
}

double units_scale(int64_t value, const char *from, const char *to, const char **unit) {
    if (value < 0 && -value > 0) return -units_scale(-value, from, to, unit);
    for (size_t i = 0; i < NELEM(families); i++) {
        double v;
        if (convert(&families[i], value, from, to, &v, unit)) return v;
    }
    if (is_auto(to) || strcmp(to, "count") == 0 || strcmp(to, "sample") == 0 ||
        strcmp(to, "unit") == 0)
        *unit = "";
    else
        *unit = to;
    return (double)value;
}

void units_label(char *buf, size_t len, int64_t value, const char *from, const char *to) {
    const char *u;
    double v = units_scale(value, from, to, &u);
    char num[64];
    snprintf(num, sizeof(num), "%.2f", v);
    size_t n = strlen(num);
    if (n >= 3 && strcmp(num + n - 3, ".00") == 0) num[n - 3] = '\0';
    if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0) {
        snprintf(buf, len, "0");
        return;
    }
    snprintf(buf, len, "%s%s", num, u);
}

void units_percentage(char *buf, size_t len, int64_t value, int64_t total) {
    double ratio = 0;
    if (total != 0) ratio = fabs((double)value / (double)total) * 100;
    if (ratio >= 99.95 && ratio <= 100.05)
        snprintf(buf, len, "  100%%");
    else if (ratio >= 1.0)
        snprintf(buf, len, "%5.2f%%", ratio);
    else
        snprintf(buf, len, "%5.2g%%", ratio);
}

const char *units_pick(int64_t minv, int64_t maxv, const char *sample_unit) {
    const char *min_unit, *max_unit, *unit;
    if (minv == 0) minv = maxv;
    units_scale(minv, sample_unit, "minimum", &min_unit);
    units_scale(maxv, sample_unit, "minimum", &max_unit);
    unit = min_unit;
    if (strcmp(min_unit, max_unit) != 0 && minv * 100 < maxv)
        units_scale(100 * minv, sample_unit, "minimum", &unit);
    return unit[0] ? unit : sample_unit;
}
