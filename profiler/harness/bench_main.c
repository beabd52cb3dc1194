/* bench_main.c: main() of every benchmark program linked with libbench.
 *
 * Parses the flags, starts libcpuprof when -cpuprofile is given (before the
 * first benchmark, stopped after the last, as go test does), runs the
 * benchmarks, then prints "PASS" and "ok  \t<pkg>\t<secs>s". Exit status:
 * 0 on success, 2 on a bad flag or regexp, 1 if the profile fails.
 * It is a plain (strong) symbol in its own archive member, so a program
 * that defines its own main never pulls it in.
 */
#include "bench.h"
#include "cpuprof.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f, const char *prog) {
    fprintf(f,
            "usage: %s [-bench=REGEXP] [-benchtime=1s|100x] [-count=N]\n"
            "          [-cpuprofile=FILE] [-run=REGEXP]\n"
            "  -bench      run the benchmarks whose name matches REGEXP (PCRE2);\n"
            "              none by default, '.' runs all\n"
            "  -benchtime  run each benchmark for this long (1s, 500ms) or\n"
            "              exactly N iterations (100x); default 1s\n"
            "  -count      run each benchmark N times; default 1\n"
            "  -cpuprofile write a pprof CPU profile of all runs to FILE\n"
            "              (CPUPROFILE_HZ sets the rate, default 100)\n"
            "  -run        accepted for go test compatibility; ignored\n",
            prog);
}

static int profile_hz(void) {
    const char *s = getenv("CPUPROFILE_HZ");
    if (s && *s) {
        char *end;
        long hz = strtol(s, &end, 10);
        if (*end == '\0' && hz > 0 && hz <= 100000)
            return (int)hz;
    }
    return 100;
}

int main(int argc, char **argv) {
    bench_options opt;
    char err[512];
    int64_t t0 = bench_now_ns();
    const char *prog = argc > 0 ? argv[0] : "bench";

    if (bench_parse_args(argc, argv, &opt, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 2;
    }
    if (opt.help) {
        usage(stdout, prog);
        return 0;
    }
    if (opt.bench_re && bench_check_regex(opt.bench_re, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 2;
    }
    if (opt.cpuprofile && cpuprof_start(opt.cpuprofile, profile_hz()) != 0) {
        fprintf(stderr, "%s: can't start cpu profile: %s\n", prog,
                strerror(errno));
        return 1;
    }
    int rc = bench_run(&opt, stdout, err, sizeof err);
    if (opt.cpuprofile && cpuprof_stop() != 0) {
        fprintf(stderr, "%s: can't write cpu profile %s\n", prog,
                opt.cpuprofile);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 2;
    }
    const char *pkg = bench_pkg();
    printf("PASS\n");
    printf("ok  \t%s\t%.3fs\n", pkg ? pkg : program_invocation_short_name,
           (double)(bench_now_ns() - t0) / 1e9);
    return 0;
}
