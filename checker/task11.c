/* task11.c: task 11, profile-guided optimization with clang's sample
 * profiles (docs/task11.md).
 *
 * The program is built with clang from the flags in the task directory's
 * build.flags (the learner's build step: the shipped file has no profile
 * in it), plus the checker's own -ffunction-sections and lld's
 * -z keep-text-section-prefix, which keep clang's hot/cold verdict on each
 * function visible as .text.hot / .text.unlikely sections of the binary.
 * Both runs are the benchmark, -count=10, fixed iterations: before is the
 * untouched program with the untouched flags, yours is your program with
 * your flags (the solution's flags with --solution).
 *
 * Criteria:
 *   - default.pprof, the representative CPU profile you captured, parses,
 *     has source lines, and score_batch holds most of its samples;
 *   - default.afdo, its conversion (cpuprof -llvm_sample), is accepted by
 *     llvm-profdata (exit status of `llvm-profdata merge --sample`), and
 *     score_batch has samples in the profile llvm-profdata wrote back;
 *   - PGO took effect: in your build, score_batch sits in .text.hot (read
 *     from the binary's section headers and symbol table);
 *   - benchstat finds yours faster, p < 0.05;
 *   - the writeup.
 * Every number comes from files and runs of this invocation.
 */
#include "checker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../profiler/runtime/elf_image.h"
#include "../profiler/runtime/elf_symtab.h"

#define HOT_FN "score_batch"

/* ---- the representative profile --------------------------------------- */

/* Whether some location of p has a source line (line > 0). */
static bool has_lines(const profile *p) {
    for (size_t i = 0; i < p->nlocations; i++)
        for (size_t j = 0; j < p->locations[i]->nlines; j++)
            if (p->locations[i]->lines[j].line > 0) return true;
    return false;
}

static int measure_representative(check_ctx *c, const criterion *k, measurement *m) {
    char path[PATH_MAX];
    textf(path, sizeof path, "%s/default.pprof", c->checked_dir);
    if (access(path, F_OK) < 0) {
        textf(m->error, sizeof m->error, "%s does not exist yet (copy your representative "
                                         "profile there)", path);
        return -1;
    }
    profile *p;
    char why[ERRLEN];
    if (profile_read_file(path, &p, why, sizeof why) < 0) {
        textf(m->error, sizeof m->error, "cannot read %s: %s", path, why);
        return -1;
    }
    int si = profile_value_index(p, "samples");
    if (si < 0) si = profile_default_value_index(p);
    int64_t total = 0, flat, cum;
    for (size_t i = 0; i < p->nsamples; i++) total += p->samples[i].values[si];
    int rc = -1;
    if (total <= 0)
        textf(m->error, sizeof m->error, "%s has no samples", path);
    else if (!has_lines(p))
        textf(m->error, sizeof m->error, "%s has no source lines: capture it from the program "
                                         "built with build.flags (-gline-tables-only)", path);
    else if (profile_match_value(p, si, k->arg, &flat, &cum, m->error, sizeof m->error) == 0) {
        m->value = 100.0 * (double)cum / (double)total;
        textf(m->shown, sizeof m->shown, "%.1f%% of its %lld samples (it has source lines)",
              m->value, (long long)total);
        rc = 0;
    }
    profile_free(p);
    return rc;
}

/* ---- the sample profile ----------------------------------------------- */

/* The total of function name in LLVM's text sample profile at path: the
 * "name:total:head" line that starts a top-level record. */
static int afdo_total(const char *path, const char *name, long long *total, char *err,
                      size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        textf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    size_t n = strlen(name);
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            char *end;
            *total = strtoll(line + n + 1, &end, 10);
            if (*end == ':') found = 0;
        }
    fclose(f);
    if (found < 0) textf(err, errlen, "%s has no record for %s", path, name);
    return found;
}

static int measure_sample_profile(check_ctx *c, const criterion *k, measurement *m) {
    char path[PATH_MAX], merged[PATH_MAX + 32], log[PATH_MAX + 32];
    textf(path, sizeof path, "%s/default.afdo", c->checked_dir);
    if (access(path, F_OK) < 0) {
        textf(m->error, sizeof m->error, "%s does not exist yet (convert default.pprof with "
                                         "build/bin/cpuprof -llvm_sample=%s)", path, path);
        return -1;
    }
    textf(merged, sizeof merged, "%s/default.merged.afdo", c->out_dir);
    textf(log, sizeof log, "%s/llvm-profdata.log", c->out_dir);
    const char *argv[] = {"llvm-profdata", "merge", "--sample", "--text", "-o", merged, path,
                          NULL};
    char cmd[1024], why[ERRLEN];
    run_format_argv(argv, cmd, sizeof cmd);
    report_line(&c->rep, "  run: %s", cmd);
    unlink(merged);
    run_opts o = {.out_path = log, .timeout_sec = 120};
    if (run_cmd(argv, &o, why, sizeof why) < 0) {
        textf(m->error, sizeof m->error, "llvm-profdata does not accept %s (%s); see %s", path,
              why, log);
        return -1;
    }
    long long total;
    if (afdo_total(merged, k->arg, &total, m->error, sizeof m->error) < 0) return -1;
    m->value = (double)total;
    textf(m->shown, sizeof m->shown, "is accepted by llvm-profdata, and %s has %lld samples in it",
          k->arg, total);
    return 0;
}

/* ---- PGO took effect -------------------------------------------------- */

/* Which functions of bin lie in section secname: their count and names
 * (comma-separated in names[len]), whether `want` is one of them, and the
 * section's size. -1 when the binary cannot be read; 0 with *present false
 * when the section is absent. */
static int functions_in(const char *bin, const char *secname, const char *want, bool *present,
                        int *count, char *names, size_t len, bool *has_want, uint64_t *size,
                        char *err, size_t errlen) {
    elf_image im;
    if (elf_image_open(&im, bin) < 0) {
        textf(err, errlen, "cannot read %s as ELF", bin);
        return -1;
    }
    Elf64_Shdr sh;
    *present = elf_section_by_name(&im, secname, &sh) == 0;
    *count = 0;
    *has_want = false;
    names[0] = '\0';
    *size = *present ? sh.sh_size : 0;
    if (*present) {
        elf_symtab t;
        memset(&t, 0, sizeof t);
        elf_symtab_load(&t, &im, ".symtab", NULL);
        for (size_t i = 0; i < t.nsyms; i++) {
            const elf_sym *s = &t.syms[i];
            if (s->addr < sh.sh_addr || s->addr >= sh.sh_addr + sh.sh_size) continue;
            (*count)++;
            size_t n = strlen(names);
            snprintf(names + n, len - n, "%s%s", n ? ", " : "", elf_sym_name(&t, s));
            if (strcmp(elf_sym_name(&t, s), want) == 0) *has_want = true;
        }
        elf_symtab_free(&t);
    }
    elf_image_close(&im);
    return 0;
}

static int measure_hot_section(check_ctx *c, const criterion *k, measurement *m) {
    if (exercise_run(c, k->run) < 0) {
        textf(m->error, sizeof m->error, "not measured, the run failed (see above)");
        return -1;
    }
    const char *bin = c->runs[k->run].bin;
    bool present, has_want;
    int count;
    uint64_t size;
    char names[200];
    if (functions_in(bin, ".text.hot", k->arg, &present, &count, names, sizeof names, &has_want,
                     &size, m->error, sizeof m->error) < 0)
        return -1;
    m->value = has_want;
    if (!present)
        textf(m->shown, sizeof m->shown, "no: the binary has no .text.hot section, clang used no "
                                         "profile (no -fprofile-sample-use in build.flags?)");
    else
        textf(m->shown, sizeof m->shown, "%s: .text.hot (%llu bytes) holds %s",
              has_want ? "yes" : "no", (unsigned long long)size, count ? names : "no function");
    return 0;
}

/* ---- the table -------------------------------------------------------- */

static const criterion criteria[] = {
    {.id = "representative",
     .what = "in your representative profile default.pprof, " HOT_FN " holds", .run = RUN_NONE,
     .measure = measure_representative, .arg = "^" HOT_FN "$",
     .op = BOUND_AT_LEAST, .lo = 50, .unit = "%", .anchor = "1-capture-a-representative-profile"},
    {.id = "afdo-accepted", .what = "your sample profile default.afdo", .run = RUN_NONE,
     .measure = measure_sample_profile, .arg = HOT_FN, .op = BOUND_AT_LEAST, .lo = 10,
     .unit = " samples", .anchor = "2-convert-it-for-clang"},
    {.id = "pgo-applied", .what = "PGO took effect in your build?", .run = RUN_YOURS,
     .measure = measure_hot_section, .arg = HOT_FN, .op = BOUND_HOLDS,
     .bound_text = HOT_FN " is in .text.hot", .anchor = "4-confirm-pgo-took-effect"},
    {.id = "significant", .what = "Score, benchstat says", .run = RUN_YOURS,
     .also_before = true, .measure = measure_bench_faster, .arg = "BenchmarkScore",
     .op = BOUND_HOLDS, .bound_text = "faster, p < 0.05", .anchor = "5-measure-the-speedup"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top", NULL};

static const char *const points[] = {
    "why the profile must be representative: clang optimizes for the mix it saw (90% latency "
    "events), and a profile of an unusual run would teach it the wrong hot path",
    "what the sample profile says at the call scorers[...](e): the targets and their counts "
    "(score_latency, score_counter, score_gauge, score_error), and what clang did with them: a "
    "guarded direct call to the hot scorers, inlined, with the indirect call kept for the rest",
    "how you confirmed PGO took effect: llvm-profdata lists score_batch, and the PGO build "
    "puts it in .text.hot (the untouched build has no such section)",
    "the benchstat numbers: both medians, the change in percent, the p-value and n",
    "the limits: the profile is tied to the source lines (offsets from each function's first "
    "line) and goes stale as the code changes; timer samples count time, not executions",
    NULL,
};

const task_def task11_def = {
    .num = 11,
    .doc = "docs/task11.md",
    .cc = "clang",
    .cflags = "-ffunction-sections -fuse-ld=lld -Wl,-z,keep-text-section-prefix",
    .flags_file = "build.flags",
    .bench = {.filter = "Score", .benchtime = "4000x", .quick_benchtime = "2000x", .count = 10,
              .quick_count = 6, .profile = true},
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
