/* label_format.c: the text of a numeric label, as pprof's tag tables show it.
 *
 * Byte and time units are scaled to the largest unit the magnitude reaches
 * (1536 bytes -> "1.50kB", 2500000 nanoseconds -> "2.50ms"), printed with
 * two decimals and ".00" dropped; any other unit is appended to the plain
 * number ("12count"), and no unit gives the plain number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

typedef struct unit_step {
    const char *name;
    double size;
} unit_step;

static const unit_step byte_steps[] = {
    {"B", 1}, {"kB", 1024.0}, {"MB", 1048576.0}, {"GB", 1073741824.0},
    {"TB", 1099511627776.0}, {"PB", 1125899906842624.0}, {NULL, 0},
};

static const unit_step time_steps[] = {
    {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {NULL, 0},
};

/* The steps of a unit, and the unit's size in the first step's terms. */
static const unit_step *unit_steps(const char *unit, double *scale) {
    static const struct {
        const char *name;
        const unit_step *steps;
        double scale;
    } known[] = {
        {"bytes", byte_steps, 1},        {"byte", byte_steps, 1},
        {"b", byte_steps, 1},            {"B", byte_steps, 1},
        {"kilobytes", byte_steps, 1024}, {"kb", byte_steps, 1024},
        {"nanoseconds", time_steps, 1},  {"nanosecond", time_steps, 1},
        {"ns", time_steps, 1},           {"microseconds", time_steps, 1e3},
        {"us", time_steps, 1e3},         {"milliseconds", time_steps, 1e6},
        {"ms", time_steps, 1e6},         {"seconds", time_steps, 1e9},
        {"s", time_steps, 1e9},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(unit, known[i].name) == 0) {
            *scale = known[i].scale;
            return known[i].steps;
        }
    }
    return NULL;
}

const char *pf_format_num_label(int64_t num, const char *unit, char *buf, size_t buflen) {
    double scale;
    const unit_step *steps = unit ? unit_steps(unit, &scale) : NULL;
    if (!steps) {
        snprintf(buf, buflen, "%lld%s", (long long)num, unit ? unit : "");
        return buf;
    }
    if (num == 0) {
        snprintf(buf, buflen, "0");
        return buf;
    }
    double v = (double)num * scale, mag = v < 0 ? -v : v;
    size_t k = 0;
    while (steps[k + 1].name && mag >= steps[k + 1].size) k++;
    snprintf(buf, buflen, "%.2f", v / steps[k].size);
    size_t n = strlen(buf);
    if (n > 3 && strcmp(buf + n - 3, ".00") == 0) buf[n - 3] = '\0';
    size_t used = strlen(buf);
    snprintf(buf + used, buflen - used, "%s", steps[k].name);
    return buf;
}
