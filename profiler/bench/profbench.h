/* profbench.h: what the parts of `profbench` (the driver of `make bench`)
 * share. profbench runs the workloads (work_*.c) with no profiler, with
 * libcpuprof (process and thread timers) and with gperftools' libprofiler,
 * interleaved in one run, and compares them (docs/PERFORMANCE.md).
 *
 * Parts: child_run.c (run one variant, collect rusage and stdout),
 * elf_funcs.c (function symbols of an ELF file), gperf_profile.c
 * (gperftools' legacy CPU profile -> a libprofile profile), stats.c
 * (medians, order-statistic intervals, binomial bounds), exp_*.c (one file
 * per experiment), profbench_main.c (flags, setup, the report file).
 *
 * Invariants: every result is computed from profiles read through
 * libprofile (ours directly, gperftools' after conversion), never from a
 * tool's text output. Every function that can fail returns -1 after
 * writing a one-line message into err.
 */
#ifndef PROFBENCH_H
#define PROFBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

/* ---- variants ----------------------------------------------------------- */

typedef enum pb_variant {
    PB_NONE = 0,    /* no profiler */
    PB_OURS_PROC,   /* libcpuprof.so, CPUPROFILE_TIMER=process */
    PB_OURS_THREAD, /* libcpuprof.so, CPUPROFILE_TIMER=thread */
    PB_GPERF,       /* gperftools' libprofiler.so */
    PB_NVARIANTS
} pb_variant;

const char *pb_variant_name(pb_variant v);

/* ---- running a child (child_run.c) ---------------------------------------- */

typedef struct pb_config {
    const char *bindir;     /* where the work_* programs are */
    const char *libcpuprof; /* path of libcpuprof.so */
    const char *libgperf;   /* path of gperftools' libprofiler.so */
    const char *outdir;     /* build/bench: raw results and profiles */
    int reps;               /* repetitions of each variant (overhead) */
    double scale;           /* 1 = full durations; smaller for a smoke run */
    int pin_cpu;            /* CPU to pin single-threaded runs to; -1 = none */
    FILE *raw;              /* raw.tsv: one line per child run */
    FILE *report;           /* summary.txt: the tables, also on stdout */
} pb_config;

typedef struct pb_run {
    int64_t cpu_ns;      /* user + system time of the child (wait4) */
    int64_t user_ns, sys_ns;
    int64_t wall_ns;     /* fork to reap */
    char out[8192];      /* the child's stdout (its first 8 KB) */
    char profile[512];   /* the profile file, "" for PB_NONE */
} pb_run;

/* Runs bindir/prog with args under variant v at hz samples per second.
 * tag names the profile file (outdir/profiles/tag.v.prof). Waits for the
 * child; fails when it cannot start or does not exit 0. */
int pb_run_child(const pb_config *c, pb_variant v, int hz, int pin, const char *tag,
                 const char *prog, const char *const *args, pb_run *r, char *err,
                 size_t errlen);

/* The value of the first "key=N" in a child's output; -1 when absent. */
int64_t pb_out_int(const char *out, const char *key);
double pb_out_double(const char *out, const char *key);

/* Appends one line to raw.tsv. */
void pb_raw(const pb_config *c, const char *experiment, pb_variant v, int hz, int rep,
            const pb_run *r, const char *extra);

/* Reads the profile of a run: ours with profile_read_file, gperftools'
 * with gperf_profile_read. The result has sample types samples/count and
 * cpu/nanoseconds in both cases. */
int pb_read_profile(pb_variant v, const char *path, profile **out, char *err, size_t errlen);

/* printf to stdout and to the report file. */
void pb_say(const pb_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Also prints the line, and keeps it for the summary at the end of the
 * run (profbench_main.c). One line, no newline. */
void pb_verdict(const pb_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- ELF symbols (elf_funcs.c) -------------------------------------------- */

typedef struct elf_funcs elf_funcs;

/* Loads the function symbols (.symtab, else .dynsym) and the loadable
 * segments of an ELF file. NULL with a message when it is not one. */
elf_funcs *elf_funcs_open(const char *path, char *err, size_t errlen);
void elf_funcs_free(elf_funcs *f);
/* The function containing the code at this file offset, or NULL. */
const char *elf_funcs_at_offset(const elf_funcs *f, uint64_t file_offset);

/* ---- gperftools' profiles (gperf_profile.c) ------------------------------- */

/* Converts a gperftools CPU profile (legacy binary format) into a profile:
 * one location per pc, named by the ELF symbols of the mapped file. */
int gperf_profile_read(const char *path, profile **out, char *err, size_t errlen);

/* ---- statistics (stats.c) ------------------------------------------------- */

double pb_median(const double *x, int n);
void pb_minmax(const double *x, int n, double *min, double *max);
/* A distribution-free interval for the median from order statistics:
 * [x(k), x(n+1-k)] for the largest k whose coverage is >= 95%; *coverage
 * gets the exact coverage. Returns 0, or -1 when n is too small for any. */
int pb_median_ci(const double *x, int n, double *lo, double *hi, double *coverage);
/* Half-width of the binomial 95% interval: 1.96 * sqrt(p (1-p) / n). */
double pb_binomial_95(double p, double n);

/* ---- experiments (exp_*.c) -------------------------------------------------- */

int exp_overhead(const pb_config *c, char *err, size_t errlen);
int exp_onoff(const pb_config *c, char *err, size_t errlen);
int exp_accuracy(const pb_config *c, char *err, size_t errlen);
int exp_threads(const pb_config *c, char *err, size_t errlen);
int exp_rate(const pb_config *c, char *err, size_t errlen);

/* Units of burn work per CPU-second on this machine (from a calibration
 * run of work_spin); set by profbench_main before the experiments. */
extern double pb_units_per_sec;

#endif
