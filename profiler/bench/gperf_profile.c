/* gperf_profile.c: reads gperftools' CPU profiles (the legacy binary
 * format) into libprofile's model, so both profilers are measured by the
 * same code.
 *
 * The format, in 8-byte native (little-endian) slots: a header {0, 3, 0,
 * sampling period in microseconds, 0} (slot 1 may announce more header
 * slots); records {count, depth, pc[depth]}; the trailer {0, 1, 0}; then
 * the text of /proc/self/maps at exit. pc[0] is where the signal landed;
 * the others are return addresses, looked up one byte earlier so that a
 * call at a function's very end is still named after its caller.
 *
 * The result has sample types samples/count and cpu/nanoseconds (count x
 * period), like libcpuprof's profiles. Executable mappings with a file are
 * named with elf_funcs; a pc outside them gets a location with no line
 * (profile_top shows its address).
 *
 * Invariants: every slot read is inside the file; a malformed file is an
 * error with a one-line message, never a crash or a partial profile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

#define MAX_DEPTH 1024
#define MAX_MAPS 4096

typedef struct gmap {
    uint64_t start, limit, offset;
    pf_mapping *m;
    elf_funcs *funcs; /* NULL until needed, or when the file is no ELF */
    int tried;
    char path[256];
} gmap;

typedef struct reader {
    const uint64_t *w;
    size_t nw;
    gmap *maps;
    size_t nmaps;
} reader;

static int fail(char *err, size_t errlen, const char *path, const char *why) {
    snprintf(err, errlen, "%s: not a gperftools CPU profile: %s", path, why);
    return -1;
}

/* Parses the maps text after the trailer: "start-end perms offset dev
 * inode path". Lines that do not parse are skipped, as pprof does. */
static int parse_maps(reader *r, profile *p, const char *text, size_t len) {
    const char *s = text, *end = text + len;
    while (s < end && r->nmaps < MAX_MAPS) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
        char line[512];
        if (l >= sizeof line) l = sizeof line - 1;
        memcpy(line, s, l);
        line[l] = '\0';
        s += l + 1;
        unsigned long long a, b, off;
        char perms[8];
        int pos = 0;
        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &a, &b, perms, &off, &pos) < 4 ||
            pos == 0 || !strchr(perms, 'x') || line[pos] != '/' || b <= a)
            continue;
        gmap *g = &r->maps[r->nmaps];
        memset(g, 0, sizeof *g);
        g->start = a;
        g->limit = b;
        g->offset = off;
        snprintf(g->path, sizeof g->path, "%s", line + pos);
        g->m = profile_add_mapping(p, a, b, off, g->path, "");
        if (!g->m) return -1;
        r->nmaps++;
    }
    return 0;
}

static gmap *find_map(reader *r, uint64_t pc) {
    for (size_t i = 0; i < r->nmaps; i++)
        if (pc >= r->maps[i].start && pc < r->maps[i].limit) return &r->maps[i];
    return NULL;
}

static pf_location *location(reader *r, profile *p, uint64_t pc, int exact) {
    uint64_t look = exact || pc == 0 ? pc : pc - 1;
    gmap *g = find_map(r, look);
    const char *name = NULL;
    if (g) {
        if (!g->tried) {
            char e[256];
            g->tried = 1;
            g->funcs = elf_funcs_open(g->path, e, sizeof e);
        }
        if (g->funcs) name = elf_funcs_at_offset(g->funcs, look - g->start + g->offset);
    }
    pf_function *fn = name ? profile_function(p, name, name, "", 0) : NULL;
    return profile_location(p, g ? g->m : NULL, look, fn, 0);
}

static int convert(reader *r, profile *p, const char *path, const unsigned char *bytes,
                   size_t len, char *err, size_t errlen) {
    const uint64_t *w = r->w;
    size_t nw = r->nw;
    if (nw < 5 || w[0] != 0 || w[1] < 3 || w[2] != 0)
        return fail(err, errlen, path, "bad header");
    if (w[1] > nw - 2) return fail(err, errlen, path, "header longer than the file");
    uint64_t period_us = w[3];
    if (period_us == 0 || period_us > 60000000) return fail(err, errlen, path, "bad period");
    profile_add_sample_type(p, "samples", "count");
    profile_add_sample_type(p, "cpu", "nanoseconds");
    profile_set_period(p, "cpu", "nanoseconds", (int64_t)period_us * 1000);

    /* First pass: find the trailer, so the maps are known before any pc
     * is named. */
    size_t i = 2 + w[1], trailer = 0;
    for (;;) {
        if (i + 2 > nw) return fail(err, errlen, path, "no trailer");
        uint64_t count = w[i], depth = w[i + 1];
        if (count == 0 && depth == 1 && i + 3 <= nw && w[i + 2] == 0) {
            trailer = i;
            break;
        }
        if (depth == 0 || depth > MAX_DEPTH || depth > nw - i - 2)
            return fail(err, errlen, path, "bad record");
        i += 2 + depth;
    }
    size_t text = (trailer + 3) * sizeof(uint64_t);
    if (parse_maps(r, p, (const char *)bytes + text, len - text) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }

    pf_location *locs[MAX_DEPTH];
    for (i = 2 + w[1]; i < trailer; i += 2 + w[i + 1]) {
        uint64_t count = w[i], depth = w[i + 1];
        for (uint64_t d = 0; d < depth; d++) {
            locs[d] = location(r, p, w[i + 2 + d], d == 0);
            if (!locs[d]) {
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
        }
        int64_t values[2] = {(int64_t)count, (int64_t)(count * period_us * 1000)};
        if (!profile_add_sample(p, locs, (size_t)depth, values)) {
            snprintf(err, errlen, "%s: out of memory", path);
            return -1;
        }
    }
    return 0;
}

int gperf_profile_read(const char *path, profile **out, char *err, size_t errlen) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *bytes = malloc(cap);
    while (bytes) {
        len += fread(bytes + len, 1, cap - len, f);
        if (len < cap) break;
        unsigned char *nb = realloc(bytes, cap * 2);
        if (!nb) {
            free(bytes);
            bytes = NULL;
        } else {
            bytes = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!bytes) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    reader r;
    memset(&r, 0, sizeof r);
    r.nw = len / sizeof(uint64_t);
    uint64_t *w = malloc(r.nw ? r.nw * sizeof *w : 1);
    r.maps = calloc(MAX_MAPS, sizeof *r.maps);
    profile *p = profile_new();
    int rc = -1;
    if (!w || !r.maps || !p) {
        snprintf(err, errlen, "%s: out of memory", path);
    } else {
        memcpy(w, bytes, r.nw * sizeof *w); /* aligned copy of the slots */
        r.w = w;
        rc = convert(&r, p, path, bytes, len, err, errlen);
    }
    for (size_t i = 0; r.maps && i < r.nmaps; i++) elf_funcs_free(r.maps[i].funcs);
    free(r.maps);
    free(w);
    free(bytes);
    if (rc != 0) {
        profile_free(p);
        return -1;
    }
    *out = p;
    return 0;
}
