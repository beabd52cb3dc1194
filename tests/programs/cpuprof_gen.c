/* cpuprof_gen.c: writes hand-built profiles with known numbers, for the
 * cpuprof end-to-end and interop tests (tests/e2e/cpuprof_cli.sh,
 * tests/e2e/interop_pprof.sh).
 *
 *   cpuprof_gen DIR    writes DIR/main.pb.gz, DIR/base.pb.gz, DIR/many.pb.gz
 *
 * Every profile has the sample types samples/count and cpu/nanoseconds
 * (10ms per sample), one mapping /usr/bin/demo (functions present, so pprof
 * does not try to symbolize it), time 1700000000s and duration 1s.
 *
 * main:  [leaf work main] x50 thread=worker
 *        [leaf rec rec main] x10 thread=worker       (recursion)
 *        [other main] x30 thread=main
 *        [other rec main] x10 thread=main size=4096 bytes
 *        flat: leaf 60, other 40; cum: main 100, leaf 60, work 50,
 *        other 40, rec 20 (once per sample)
 * base:  [leaf work main] x30, [other main] x50
 * many:  [hot main] x900 and [fNN main] x1 for NN = 00..99
 */
#include <stdio.h>
#include <string.h>

#include "profile.h"

#define PERIOD 10000000 /* 10ms in nanoseconds */

typedef struct gen {
    profile *p;
    pf_mapping *m;
    uint64_t next_addr;
} gen;

static void gen_init(gen *g) {
    g->p = profile_new();
    profile_add_sample_type(g->p, "samples", "count");
    profile_add_sample_type(g->p, "cpu", "nanoseconds");
    profile_set_period(g->p, "cpu", "nanoseconds", PERIOD);
    g->m = profile_add_mapping(g->p, 0x400000, 0x500000, 0, "/usr/bin/demo", "abc123");
    g->m->has_functions = true;
    g->p->time_nanos = 1700000000LL * 1000000000LL;
    g->p->duration_nanos = 1000000000LL;
    g->next_addr = 0x401000;
}

/* The location of function `name` (one per function). */
static pf_location *loc(gen *g, const char *name) {
    pf_function *f = profile_function(g->p, name, name, "demo.c", 1);
    for (size_t i = 0; i < g->p->nlocations; i++)
        if (g->p->locations[i]->nlines && g->p->locations[i]->lines[0].fn == f)
            return g->p->locations[i];
    pf_location *l = profile_location(g->p, g->m, g->next_addr, f, 10);
    g->next_addr += 0x10;
    return l;
}

/* Adds a sample of n samples with the stack given leaf first, NULL-ended. */
static pf_sample *sample(gen *g, int64_t n, const char *const *stack) {
    pf_location *locs[16];
    size_t k = 0;
    while (stack[k] && k < 16) {
        locs[k] = loc(g, stack[k]);
        k++;
    }
    int64_t values[2] = {n, n * PERIOD};
    return profile_add_sample(g->p, locs, k, values);
}

static int save(gen *g, const char *dir, const char *name) {
    char path[4096], err[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int rc = profile_write_file(g->p, path, err, sizeof(err));
    if (rc < 0) fprintf(stderr, "cpuprof_gen: %s\n", err);
    profile_free(g->p);
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: cpuprof_gen DIR\n");
        return 2;
    }
    gen g;
    pf_sample *s;

    gen_init(&g);
    s = sample(&g, 50, (const char *[]){"leaf", "work", "main", NULL});
    profile_sample_add_label(g.p, s, "thread", "worker");
    s = sample(&g, 10, (const char *[]){"leaf", "rec", "rec", "main", NULL});
    profile_sample_add_label(g.p, s, "thread", "worker");
    s = sample(&g, 30, (const char *[]){"other", "main", NULL});
    profile_sample_add_label(g.p, s, "thread", "main");
    s = sample(&g, 10, (const char *[]){"other", "rec", "main", NULL});
    profile_sample_add_label(g.p, s, "thread", "main");
    profile_sample_add_num_label(g.p, s, "size", 4096, "bytes");
    if (save(&g, argv[1], "main.pb.gz") < 0) return 1;

    gen_init(&g);
    sample(&g, 30, (const char *[]){"leaf", "work", "main", NULL});
    sample(&g, 50, (const char *[]){"other", "main", NULL});
    if (save(&g, argv[1], "base.pb.gz") < 0) return 1;

    gen_init(&g);
    sample(&g, 900, (const char *[]){"hot", "main", NULL});
    for (int i = 0; i < 100; i++) {
        char name[8];
        snprintf(name, sizeof(name), "f%02d", i);
        sample(&g, 1, (const char *[]){name, "main", NULL});
    }
    g.p->duration_nanos = 10000000000LL;
    if (save(&g, argv[1], "many.pb.gz") < 0) return 1;
    return 0;
}
