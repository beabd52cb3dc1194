/* main.c: the benchstat command.
 *
 *   benchstat [-alpha 0.05] [-confidence 0.95] [label=]file...
 *
 * Reads each input ("-" is stdin) in Go's benchmark format and prints one
 * table per configuration and unit with a column per input, comparing
 * every input to the first. An input named twice is labeled "name#0",
 * "name#1". Exit status: 0 ok, 1 an input cannot be read, 2 bad usage.
 *
 *   benchstat -gate=5% [-gate-unit sec/op] [-alpha 0.05] base new
 *
 * prints the gate's verdicts instead of tables (gate.c). Exit status: 0
 * pass, 1 a regression, 2 bad usage, an unreadable input, or a gate that
 * cannot judge.
 */
#include "benchstat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "Usage: benchstat [flags] inputs...\n"
            "\n"
            "benchstat summarizes Go-format benchmark results: the median of\n"
            "each benchmark with a confidence interval, one column per input,\n"
            "and for every input after the first the change against it with\n"
            "a Mann-Whitney U test p-value (\"~\" when not significant).\n"
            "\n"
            "  -alpha a        consider a change significant if p <= a (0.05)\n"
            "  -confidence c   confidence level of the ranges (0.95)\n"
            "  -gate t         instead of tables, compare exactly two inputs, base\n"
            "                  and new, and exit 1 if a benchmark got worse by more\n"
            "                  than t (\"5%%\") with p < alpha\n"
            "  -gate-unit u    the unit -gate watches (sec/op)\n");
}

static int parse_prob(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno)
        return -1;
    *out = v;
    return 0;
}

typedef struct input {
    const char *path;
    char *label;
} input;

int main(int argc, char **argv) {
    bs_opts o = {0.05, 0.95};
    bs_gate_opts g = {-1, 0.05, "sec/op"};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        const char *name = a + 1 + (a[1] == '-');
        const char *eq = strchr(name, '=');
        size_t klen = eq ? (size_t)(eq - name) : strlen(name);
        if ((klen == 1 && name[0] == 'h') ||
            (klen == 4 && strncmp(name, "help", 4) == 0)) {
            usage(stdout);
            return 0;
        }
        double *dst = NULL;
        int gate_flag = (klen == 4 && strncmp(name, "gate", 4) == 0) ? 1
                        : (klen == 9 && strncmp(name, "gate-unit", 9) == 0) ? 2
                                                                           : 0;
        if (gate_flag)
            dst = &g.threshold;
        else if (klen == 5 && strncmp(name, "alpha", 5) == 0)
            dst = &o.alpha;
        else if (klen == 10 && strncmp(name, "confidence", 10) == 0)
            dst = &o.confidence;
        if (dst == NULL) {
            fprintf(stderr, "benchstat: flag provided but not defined: -%.*s\n",
                    (int)klen, name);
            return 2;
        }
        const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (val == NULL) {
            fprintf(stderr, "benchstat: flag needs an argument: -%.*s\n",
                    (int)klen, name);
            return 2;
        }
        if (gate_flag == 2 && *val != '\0') {
            g.unit = val;
            continue;
        }
        if (gate_flag == 2) {
            fprintf(stderr, "benchstat: -gate-unit needs a unit, such as sec/op\n");
            return 2;
        }
        if ((gate_flag ? bs_gate_parse_threshold(val, dst) : parse_prob(val, dst)) != 0) {
            fprintf(stderr, "benchstat: invalid value \"%s\" for flag -%.*s\n",
                    val, (int)klen, name);
            return 2;
        }
    }
    if (!(o.alpha >= 0 && o.alpha <= 1)) {
        fprintf(stderr, "benchstat: -alpha must be in range [0, 1]\n");
        return 2;
    }
    if (!(o.confidence >= 0 && o.confidence <= 1)) {
        fprintf(stderr, "benchstat: -confidence must be in range [0, 1]\n");
        return 2;
    }
    int nin = argc - i;
    if (nin == 0) {
        usage(stderr);
        return 2;
    }
    if (g.threshold >= 0 && nin != 2) {
        fprintf(stderr, "benchstat: -gate compares two inputs, base and new; got %d\n", nin);
        return 2;
    }

    input *in = calloc((size_t)nin, sizeof *in);
    if (in == NULL) {
        fprintf(stderr, "benchstat: out of memory\n");
        return 1;
    }
    int *labeled = calloc((size_t)nin, sizeof *labeled);
    for (int k = 0; k < nin; k++) {
        const char *arg = argv[i + k];
        const char *eq = strchr(arg, '=');
        if (eq) {
            in[k].label = strndup(arg, (size_t)(eq - arg));
            in[k].path = eq + 1;
            labeled[k] = 1;
        } else {
            in[k].label = strdup(arg);
            in[k].path = arg;
        }
    }
    /* The same unlabeled path given twice: "path#0", "path#1", ... */
    for (int k = 0; k < nin; k++) {
        if (labeled[k])
            continue;
        int count = 0, seen = 0;
        for (int m = 0; m < nin; m++) {
            if (!labeled[m] && strcmp(in[m].path, in[k].path) == 0) {
                count++;
                if (m < k)
                    seen++;
            }
        }
        if (count > 1) {
            size_t len = strlen(in[k].path) + 16;
            char *l = malloc(len);
            snprintf(l, len, "%s#%d", in[k].path, seen);
            free(in[k].label);
            in[k].label = l;
        }
    }

    bs_collect c;
    bs_collect_init(&c);
    int rc = 0;
    for (int k = 0; k < nin && rc == 0; k++) {
        int is_stdin = strcmp(in[k].path, "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(in[k].path, "r");
        if (f == NULL) {
            fprintf(stderr, "benchstat: open %s: %s\n", in[k].path,
                    strerror(errno));
            rc = 1;
            break;
        }
        if (bs_read(f, in[k].path, in[k].label, &c, stderr) != 0)
            rc = 1;
        if (!is_stdin)
            fclose(f);
    }
    if (rc == 0) {
        bs_collect_finish(&c);
        if (g.threshold >= 0) {
            g.alpha = o.alpha;
            rc = bs_gate_report(&c, in[0].label, in[1].label, &g, stdout);
        } else {
            bs_print_tables(&c, &o, stdout);
        }
    } else if (g.threshold >= 0) {
        rc = 2; /* 1 means "regressed" to a gate */
    }
    bs_collect_free(&c);
    for (int k = 0; k < nin; k++)
        free(in[k].label);
    free(in);
    free(labeled);
    return rc;
}
