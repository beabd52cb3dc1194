/* bench_flags.c: the command line of a benchmark program.
 *
 * Go's flag syntax: -name=value, -name value, with one or two dashes; the
 * "test." prefix of go test's spellings (-test.bench) is accepted too.
 * Flags: -bench, -benchtime, -count, -cpuprofile, -run, -h/-help. On error
 * the options are left partly filled and err holds one line.
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One unit of Go's time.ParseDuration. */
typedef struct unit {
    const char *name;
    double ns;
} unit;

static const unit units[] = {
    {"ns", 1},     {"us", 1e3},   {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
    {"ms", 1e6},   {"s", 1e9},    {"m", 60e9},        {"h", 3600e9},
};

/* Parses Go duration syntax ("1s", "1.5s", "1m30s", "0"); -1 if bad. */
static int parse_duration(const char *s, int64_t *ns) {
    double total = 0;
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (*s == '\0')
        return -1;
    while (*s) {
        const char *start = s;
        while ((*s >= '0' && *s <= '9') || *s == '.')
            s++;
        if (s == start || (s - start == 1 && *start == '.'))
            return -1;
        char num[64];
        size_t len = (size_t)(s - start);
        if (len >= sizeof num)
            return -1;
        memcpy(num, start, len);
        num[len] = '\0';
        if (strchr(num, '.') != strrchr(num, '.'))
            return -1;
        double v = strtod(num, NULL);
        const unit *best = NULL;
        size_t bestlen = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t ul = strlen(units[i].name);
            if (strncmp(s, units[i].name, ul) == 0 && ul > bestlen) {
                best = &units[i];
                bestlen = ul;
            }
        }
        if (best == NULL)
            return -1;
        s += bestlen;
        total += v * best->ns;
    }
    if (total > 9.2e18)
        return -1;
    *ns = (int64_t)llround(total);
    return 0;
}

int bench_parse_benchtime(const char *s, int64_t *ns, int64_t *n) {
    size_t len = strlen(s);
    if (len > 1 && s[len - 1] == 'x') {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end != s + len - 1 || v <= 0 || s[0] == '+' ||
            s[0] == ' ')
            return -1;
        *n = v;
        *ns = 0;
        return 0;
    }
    int64_t d;
    if (parse_duration(s, &d) != 0)
        return -1;
    *ns = d;
    *n = 0;
    return 0;
}

static int parse_count(const char *s, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v < 1 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

int bench_parse_args(int argc, char **argv, bench_options *opt,
                     char *err, size_t errlen) {
    memset(opt, 0, sizeof *opt);
    opt->benchtime_ns = 1000000000;
    opt->count = 1;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            snprintf(err, errlen, "unexpected argument: %s", arg);
            return -1;
        }
        const char *name = arg + 1 + (arg[1] == '-');
        if (strncmp(name, "test.", 5) == 0)
            name += 5;
        char key[64];
        const char *eq = strchr(name, '=');
        size_t klen = eq ? (size_t)(eq - name) : strlen(name);
        if (klen == 0 || klen >= sizeof key) {
            snprintf(err, errlen, "bad flag syntax: %s", arg);
            return -1;
        }
        memcpy(key, name, klen);
        key[klen] = '\0';

        if (strcmp(key, "h") == 0 || strcmp(key, "help") == 0) {
            opt->help = 1;
            continue;
        }
        if (strcmp(key, "bench") && strcmp(key, "benchtime") &&
            strcmp(key, "count") && strcmp(key, "cpuprofile") &&
            strcmp(key, "run")) {
            snprintf(err, errlen, "flag provided but not defined: -%s", key);
            return -1;
        }
        const char *val;
        if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            snprintf(err, errlen, "flag needs an argument: -%s", key);
            return -1;
        }

        if (strcmp(key, "bench") == 0) {
            opt->bench_re = val[0] ? val : NULL;
        } else if (strcmp(key, "run") == 0) {
            opt->run_re = val;
        } else if (strcmp(key, "cpuprofile") == 0) {
            if (val[0] == '\0') {
                snprintf(err, errlen, "invalid value \"\" for flag -cpuprofile");
                return -1;
            }
            opt->cpuprofile = val;
        } else if (strcmp(key, "count") == 0) {
            if (parse_count(val, &opt->count) != 0) {
                snprintf(err, errlen,
                         "invalid value \"%s\" for flag -count: want a "
                         "positive integer", val);
                return -1;
            }
        } else if (bench_parse_benchtime(val, &opt->benchtime_ns,
                                         &opt->benchtime_n) != 0) {
            snprintf(err, errlen,
                     "invalid value \"%s\" for flag -benchtime: want a "
                     "duration like 1s or a count like 100x", val);
            return -1;
        }
    }
    return 0;
}
