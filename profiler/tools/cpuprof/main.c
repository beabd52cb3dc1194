/* main.c: the `cpuprof` command line: flags, then one report or the shell.
 *
 *   cpuprof [flags] FILE
 *
 * FILE (and -base/-diff_base) may be an http:// URL: the profile is fetched
 * and saved first (fetch.c). -http=ADDR serves the web UI instead of a
 * report or the shell (web_server.c). -llvm_sample=OUT converts the profile
 * to LLVM's text sample profile for clang (export_llvm.c).
 * Flags are parsed as Go's flag package does (and so as pprof does):
 * "-name", "--name", "-name=value", "-name value" (not for booleans, whose
 * value can only be given as "-name=false"); parsing stops at the first
 * argument that is not a flag, or after "--". Exit status: 0 on success, 1
 * when the profile cannot be read or a report fails, 2 for a usage error.
 * Every error is one line starting "cpuprof: " on stderr (a usage error
 * adds one line of hint).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"

typedef enum { FLAG_BOOL, FLAG_STRING, FLAG_INT } flag_kind;

typedef struct flag {
    const char *name;
    flag_kind kind;
    void *target; /* bool *, const char **, long * */
    const char *arg;
    const char *help;
} flag;

static struct {
    bool top, tags, traces, cum, ci;
    long nodecount;
    const char *sample_index, *base, *diff_base, *http, *llvm_sample;
    const char *focus, *ignore, *tagfocus, *tagignore;
} opt = {.nodecount = -1};

static const flag flags[] = {
    {"top", FLAG_BOOL, &opt.top, NULL, "print the top functions by flat (or cum) value"},
    {"tags", FLAG_BOOL, &opt.tags, NULL, "print each label key's values with totals and shares"},
    {"traces", FLAG_BOOL, &opt.traces, NULL, "print every sample's stack with its value"},
    {"cum", FLAG_BOOL, &opt.cum, NULL, "sort top by cum instead of flat"},
    {"nodecount", FLAG_INT, &opt.nodecount, "N", "show at most N rows in top (default: all)"},
    {"ci", FLAG_BOOL, &opt.ci, NULL, "add a 95% Wilson interval of flat% to top"},
    {"sample_index", FLAG_STRING, &opt.sample_index, "NAME|N",
     "the sample type to report (default: the profile's default, else the last)"},
    {"base", FLAG_STRING, &opt.base, "FILE", "subtract FILE's samples (flat may go negative)"},
    {"diff_base", FLAG_STRING, &opt.diff_base, "FILE",
     "subtract FILE's samples; percentages are of FILE's total"},
    {"focus", FLAG_STRING, &opt.focus, "RE", "keep only samples with a function matching RE"},
    {"ignore", FLAG_STRING, &opt.ignore, "RE", "drop samples with a function matching RE"},
    {"tagfocus", FLAG_STRING, &opt.tagfocus, "[KEY=]RE", "keep only samples with a label matching"},
    {"tagignore", FLAG_STRING, &opt.tagignore, "[KEY=]RE", "drop samples with a label matching"},
    {"llvm_sample", FLAG_STRING, &opt.llvm_sample, "OUT",
     "write LLVM's text sample profile to OUT (for clang -fprofile-sample-use)"},
    {"http", FLAG_STRING, &opt.http, "HOST:PORT",
     "serve the web UI (flame graph, top) on HOST:PORT (no host: 127.0.0.1)"},
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static void usage(FILE *out) {
    fprintf(out, "Usage: cpuprof [flags] FILE\n\n"
                 "Reads a pprof profile (gzipped or raw profile.proto) and prints a report.\n"
                 "With no report flag it opens an interactive shell (type \"help\" there).\n\n"
                 "Flags:\n");
    for (size_t i = 0; i < NFLAGS; i++) {
        char left[64];
        snprintf(left, sizeof(left), "-%s%s%s", flags[i].name, flags[i].arg ? " " : "",
                 flags[i].arg ? flags[i].arg : "");
        fprintf(out, "  %-22s %s\n", left, flags[i].help);
    }
    fprintf(out, "  %-22s %s\n", "-h, -help", "print this help");
    fprintf(out, "\nExamples:\n"
                 "  cpuprof -top -nodecount=10 cpu.prof\n"
                 "  cpuprof -top -ci cpu.prof\n"
                 "  cpuprof -top -diff_base=before.prof after.prof\n"
                 "  cpuprof -top http://127.0.0.1:6060/debug/pprof/profile?seconds=10\n"
                 "  cpuprof -http=127.0.0.1:8081 cpu.prof\n"
                 "  printf 'top 5 -cum\\nquit\\n' | cpuprof cpu.prof\n");
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cpuprof: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nUsage: cpuprof [flags] FILE  (cpuprof -help lists the flags)\n");
    return 2;
}

/* Go's strconv.ParseBool. */
static int parse_bool(const char *s, bool *out) {
    static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
    static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; i < 6; i++) {
        if (strcmp(s, yes[i]) == 0) return *out = true, 0;
        if (strcmp(s, no[i]) == 0) return *out = false, 0;
    }
    return -1;
}

/* Parses the flags; returns the index of the first positional argument,
 * or -1 after printing help, or -2 on a usage error (already printed). */
static int parse_flags(int argc, char **argv) {
    int i = 1;
    while (i < argc) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') break;
        if (strcmp(a, "--") == 0) return i + 1;
        const char *name = a[1] == '-' ? a + 2 : a + 1;
        if (name[0] == '\0' || name[0] == '-' || name[0] == '=')
            return usage_error("bad flag syntax: %s", a), -2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : NULL;
        char fname[64];
        snprintf(fname, sizeof(fname), "%.*s", (int)nlen, name);
        if (strcmp(fname, "h") == 0 || strcmp(fname, "help") == 0) {
            usage(stdout);
            return -1;
        }
        const flag *f = NULL;
        for (size_t k = 0; k < NFLAGS; k++)
            if (strlen(flags[k].name) == nlen && strncmp(flags[k].name, name, nlen) == 0)
                f = &flags[k];
        if (!f) return usage_error("flag provided but not defined: -%s", fname), -2;
        if (f->kind == FLAG_BOOL) {
            bool b = true;
            if (value && parse_bool(value, &b) < 0)
                return usage_error("invalid boolean value \"%s\" for -%s: parse error", value,
                                   fname),
                       -2;
            *(bool *)f->target = b;
            i++;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc) return usage_error("flag needs an argument: -%s", fname), -2;
            value = argv[++i];
        }
        if (f->kind == FLAG_INT) {
            char *end;
            errno = 0;
            long n = strtol(value, &end, 0);
            if (!value[0] || *end || errno)
                return usage_error("invalid value \"%s\" for flag -%s: parse error", value, fname),
                       -2;
            *(long *)f->target = n;
        } else {
            *(const char **)f->target = value;
        }
        i++;
    }
    return i;
}

int main(int argc, char **argv) {
    int first = parse_flags(argc, argv);
    if (first == -1) return 0;
    if (first < 0) return 2;
    if (first >= argc) return usage_error("missing the profile FILE");
    if (first + 1 < argc)
        return usage_error("unexpected argument \"%s\" after FILE (flags go before FILE)",
                           argv[first + 1]);
    if (opt.top + opt.tags + opt.traces + (opt.http != NULL) + (opt.llvm_sample != NULL) > 1)
        return usage_error("set at most one of -top, -tags, -traces, -http and -llvm_sample");
    if (opt.llvm_sample && (opt.base || opt.diff_base))
        return usage_error("-llvm_sample converts one profile; it does not apply to -base or "
                           "-diff_base");
    if (opt.llvm_sample && !opt.llvm_sample[0])
        return usage_error("-llvm_sample needs a file name");
    if (opt.base && opt.diff_base)
        return usage_error("set at most one of -base and -diff_base");
    if (opt.ci && (opt.base || opt.diff_base))
        return usage_error("-ci needs a profile's own sample counts; it does not apply to "
                           "-base or -diff_base");

    char err[512];
    session s;
    const char *path = argv[first];
    const char *base = opt.base ? opt.base : opt.diff_base;
    char *fetched = NULL, *fetched_base = NULL;
    if (fetch_is_url(path) && fetch_profile(path, &fetched, err, sizeof(err)) < 0) {
        fprintf(stderr, "cpuprof: %s\n", err);
        return 1;
    }
    if (base && fetch_is_url(base) && fetch_profile(base, &fetched_base, err, sizeof(err)) < 0) {
        fprintf(stderr, "cpuprof: %s\n", err);
        free(fetched);
        return 1;
    }
    if (fetched) path = fetched;
    if (fetched_base) base = fetched_base;
    if (session_open(&s, path, base, opt.diff_base != NULL, err, sizeof(err)) < 0) {
        fprintf(stderr, "cpuprof: %s\n", err);
        free(fetched);
        free(fetched_base);
        return 1;
    }
    settings_set(&s.set.focus, opt.focus);
    settings_set(&s.set.ignore, opt.ignore);
    settings_set(&s.set.tagfocus, opt.tagfocus);
    settings_set(&s.set.tagignore, opt.tagignore);
    settings_set(&s.set.sample_index, opt.sample_index);
    s.set.cum = opt.cum;
    s.set.ci = opt.ci;
    s.set.nodecount = opt.nodecount;

    int status = 0;
    if (opt.http) {
        if (web_serve(&s, opt.http, err, sizeof(err)) < 0) {
            fprintf(stderr, "cpuprof: %s\n", err);
            status = 1;
        }
    } else if (opt.llvm_sample) {
        view v;
        if (session_view(&s, &s.set, &v, err, sizeof(err)) < 0 ||
            export_llvm_sample(&v, opt.llvm_sample, stdout, err, sizeof(err)) < 0) {
            fflush(stdout);
            fprintf(stderr, "cpuprof: %s\n", err);
            status = 1;
        }
        view_free(&v);
    } else if (opt.top || opt.tags || opt.traces) {
        if (s.set.nodecount < 0) s.set.nodecount = 0;
        const char *name = opt.top ? "top" : opt.tags ? "tags" : "traces";
        if (session_report(&s, &s.set, name, stdout, err, sizeof(err)) < 0) {
            fflush(stdout);
            fprintf(stderr, "cpuprof: %s\n", err);
            status = 1;
        }
    } else {
        status = shell_run(&s, stdin, stdout, isatty(STDIN_FILENO));
    }
    session_close(&s);
    free(fetched);
    free(fetched_base);
    if (fflush(stdout) != 0 && status == 0) {
        fprintf(stderr, "cpuprof: writing the report: %s\n", strerror(errno));
        status = 1;
    }
    return status;
}
