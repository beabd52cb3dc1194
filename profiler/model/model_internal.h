/* model_internal.h: what the files of libprofile share and nobody else sees.
 *
 * - The arena (arena.c): a bump allocator that owns everything reachable
 *   from a profile. It never fails: out of memory ends the process with a
 *   message, because a half-built profile is worse than no profile.
 * - The byte-key hash map (hashmap.c): keys are copied, values are pointers.
 * - The builder state (profile_build.c) kept in profile->priv: the string
 *   intern table, the dedup tables and the capacities of the growing arrays.
 *   Every string that enters a profile through the builder is interned, so
 *   two strings of one profile are equal exactly when their pointers are.
 * - gzip (gzip.c), PCRE2 (regex.c), numeric label text (label_format.c) and
 *   the one-line error writer (model_errors.c).
 */
#ifndef CPUPROF_MODEL_INTERNAL_H
#define CPUPROF_MODEL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* ---- arena.c ---------------------------------------------------------- */

typedef struct pf_arena pf_arena;

pf_arena *pf_arena_new(void);
void pf_arena_free(pf_arena *a);
/* Zeroed memory aligned for any type; never NULL. */
void *pf_arena_alloc(pf_arena *a, size_t size);
/* calloc/realloc that end the process on failure (for builder arrays). */
void *pf_xrealloc(void *ptr, size_t size);
void *pf_xcalloc(size_t n, size_t size);
/* Prints one line and aborts. */
void pf_oom(size_t size) __attribute__((noreturn));
/* n * size, ending the process on overflow. */
size_t pf_mul(size_t n, size_t size);

/* ---- hashmap.c -------------------------------------------------------- */

typedef struct pf_map_entry {
    void *key; /* malloc'ed copy, NULL when the slot is empty */
    size_t len;
    uint64_t hash;
    void *val;
} pf_map_entry;

typedef struct pf_map {
    pf_map_entry *slots;
    size_t cap; /* 0 or a power of two */
    size_t len;
} pf_map;

uint64_t pf_hash(const void *key, size_t len);
void *pf_map_get(const pf_map *m, const void *key, size_t len);
/* Inserts or replaces. */
void pf_map_put(pf_map *m, const void *key, size_t len, void *val);
void pf_map_free(pf_map *m);

/* ---- profile_build.c -------------------------------------------------- */

typedef struct pf_builder {
    pf_map strings;   /* content -> interned copy */
    pf_map functions; /* (name, system_name, filename, start_line) -> fn */
    pf_map locations; /* (mapping, address, first line) -> loc */
    size_t cap_sample_types, cap_samples, cap_mappings, cap_locations, cap_functions,
        cap_comments;
    uint64_t next_mapping_id, next_location_id, next_function_id;
} pf_builder;

/* Lower-level adders used by the reader and the merger: they take explicit
 * ids (which the caller guarantees unique) and do not look for duplicates,
 * but do register the new object in the dedup tables. */
pf_mapping *pf_add_mapping_id(profile *p, uint64_t id);
pf_function *pf_add_function_id(profile *p, uint64_t id, const char *name,
                                const char *system_name, const char *filename,
                                int64_t start_line);
pf_location *pf_add_location_id(profile *p, uint64_t id, pf_mapping *m, uint64_t address);
/* Registers loc in the (mapping, address, first line) table once its lines
 * are known. */
void pf_index_location(profile *p, pf_location *loc);
/* Appends a label without interning (key/str/unit already belong to p). */
void pf_sample_push_label(profile *p, pf_sample *s, const pf_label *l);

/* ---- gzip.c ----------------------------------------------------------- */

/* The most bytes a gzipped profile may inflate to; tests lower it. */
extern size_t pf_inflate_limit;

bool pf_is_gzip(const void *data, size_t len);
/* Inflates one or more concatenated gzip members into a malloc'ed buffer. */
int pf_gunzip(const void *data, size_t len, uint8_t **out, size_t *outlen, char *err,
              size_t errlen);
int pf_gzip(const void *data, size_t len, uint8_t **out, size_t *outlen, char *err,
            size_t errlen);

/* ---- regex.c ---------------------------------------------------------- */

typedef struct pf_regex pf_regex;

/* flag names the option in the error: "bad -focus regex ..." */
pf_regex *pf_regex_compile(const char *pattern, const char *flag, char *err, size_t errlen);
bool pf_regex_match(pf_regex *re, const char *s);
void pf_regex_free(pf_regex *re);

/* ---- label_format.c --------------------------------------------------- */

/* A numeric label as pprof prints it: scaled for known units ("1.50MB",
 * "10ms"), else the number followed by the unit. Returns buf. */
const char *pf_format_num_label(int64_t num, const char *unit, char *buf, size_t buflen);

/* ---- model_errors.c --------------------------------------------------- */

/* Writes a one-line message into err (when non-NULL) and returns -1. */
int pf_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- shared helpers (profile_top.c) ----------------------------------- */

/* True when the sample carries pprof::base=true (a -diff_base sample). */
bool pf_sample_is_base(const pf_sample *s);
/* The name pprof gives to line li of loc: its function's name, or the
 * location's address as 0x%x when it has no function. */
const char *pf_frame_name(const pf_location *loc, size_t li, char *buf, size_t buflen);

#endif
