/* bench_registry.c: the list of benchmarks BENCHMARK registered.
 *
 * Constructors add entries before main runs, in link and source order,
 * which is the order benchmarks run and print in. The list only grows; it
 * holds the name pointers it was given (string literals). The pkg name for
 * the "pkg:" header lives here too, since BENCH_PKG sets it the same way.
 */
#include "bench.h"

#include <stdlib.h>
#include <stdio.h>

typedef struct entry {
    const char *name;
    bench_fn fn;
} entry;

static entry *entries;
static int nentries, capentries;
static const char *pkg_name;

void bench_register(const char *name, bench_fn fn) {
    if (nentries == capentries) {
        int cap = capentries ? capentries * 2 : 32;
        entry *e = realloc(entries, (size_t)cap * sizeof *e);
        if (e == NULL) {
            fprintf(stderr, "bench: out of memory registering %s\n", name);
            exit(1);
        }
        entries = e;
        capentries = cap;
    }
    entries[nentries].name = name;
    entries[nentries].fn = fn;
    nentries++;
}

int bench_count(void) { return nentries; }

const char *bench_name(int i) {
    return i >= 0 && i < nentries ? entries[i].name : NULL;
}

bench_fn bench_func(int i) {
    return i >= 0 && i < nentries ? entries[i].fn : NULL;
}

void bench_set_pkg(const char *pkg) { pkg_name = pkg; }

const char *bench_pkg(void) { return pkg_name; }
