/* bench_run.c: runs the matching benchmarks and prints Go's format.
 *
 * Output, as `go test -bench` prints it:
 *     goos: linux / goarch: amd64 / pkg: <pkg> / cpu: <model>
 *     BenchmarkSum-2   \t  123456\t      9876 ns/op
 * The header appears once, before the first benchmark that runs; nothing is
 * printed when no benchmark matches. Names are padded to a common width
 * computed over the matching set, as Go does. -bench is a PCRE2 pattern
 * searched (unanchored) in the name "BenchmarkX".
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "bench.h"

#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *goarch(void) {
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__i386__)
    return "386";
#elif defined(__arm__)
    return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#else
    return "unknown";
#endif
}

/* The "model name" of /proc/cpuinfo, trimmed; 0 if there is none. */
static int cpu_model(char *buf, size_t len) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    int found = 0;
    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *p = strchr(line, ':');
        if (p == NULL)
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strlen(p);
        while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == ' ' ||
                         p[n - 1] == '\t'))
            p[--n] = '\0';
        snprintf(buf, len, "%s", p);
        found = n > 0;
    }
    fclose(f);
    return found;
}

static int online_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void print_header(FILE *out) {
    char cpu[256];
    const char *pkg = bench_pkg();
    fprintf(out, "goos: linux\n");
    fprintf(out, "goarch: %s\n", goarch());
    fprintf(out, "pkg: %s\n", pkg ? pkg : program_invocation_short_name);
    if (cpu_model(cpu, sizeof cpu))
        fprintf(out, "cpu: %s\n", cpu);
}

int bench_check_regex(const char *re, char *err, size_t errlen) {
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0,
                                     &errcode, &erroff, NULL);
    if (code == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        snprintf(err, errlen, "invalid regexp for -bench: %s at offset %zu",
                 (const char *)msg, (size_t)erroff);
        return -1;
    }
    pcre2_code_free(code);
    return 0;
}

int bench_run(const bench_options *opt, FILE *out, char *err, size_t errlen) {
    if (opt->bench_re == NULL)
        return 0;

    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)opt->bench_re,
                                   PCRE2_ZERO_TERMINATED, 0, &errcode,
                                   &erroff, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        snprintf(err, errlen, "invalid regexp for -bench: %s at offset %zu",
                 (const char *)msg, (size_t)erroff);
        return -1;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (md == NULL) {
        pcre2_code_free(re);
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    int n = bench_count();
    char *match = calloc((size_t)n + 1, 1);
    if (match == NULL) {
        pcre2_match_data_free(md);
        pcre2_code_free(re);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int procs = online_cpus();
    char ext[32], full[512];
    bench_full_name(ext, sizeof ext, "", procs);
    int maxlen = 0;
    for (int i = 0; i < n; i++) {
        const char *name = bench_name(i);
        match[i] = pcre2_match(re, (PCRE2_SPTR)name, PCRE2_ZERO_TERMINATED,
                               0, 0, md, NULL) >= 0;
        if (!match[i])
            continue;
        bench_full_name(full, sizeof full, name, procs);
        int l = (int)(strlen(full) + strlen(ext) + 1);
        if (l > maxlen)
            maxlen = l;
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);

    int printed_header = 0;
    for (int i = 0; i < n; i++) {
        if (!match[i])
            continue;
        if (!printed_header) {
            print_header(out);
            printed_header = 1;
        }
        bench_full_name(full, sizeof full, bench_name(i), procs);
        for (int c = 0; c < opt->count; c++) {
            bench b;
            char line[1024];
            memset(&b, 0, sizeof b);
            fprintf(out, "%-*s\t", maxlen, full);
            fflush(out);
            bench_measure(&b, bench_func(i), opt);
            bench_result_string(line, sizeof line, &b);
            fprintf(out, "%s\n", line);
            fflush(out);
        }
    }
    free(match);
    return 0;
}
