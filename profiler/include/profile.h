/* profile.h: the one profile model of cpuprof (library libprofile).
 *
 * A profile in memory, the reader and writer of pprof's profile.proto
 * (gzipped or raw), and the aggregations every tool computes on it: flat and
 * cum per function, focus/ignore on names, tagfocus/tagignore on labels, tag
 * tables, and -base / -diff_base. The analyzer `cpuprof`, the checker and the
 * web UI all call this library; nobody parses another tool's text output.
 *
 * Ownership: a profile owns every string, array and struct reachable from it
 * (an arena freed by profile_free). Pointers into a profile stay valid until
 * it is freed. Nothing here is async-signal-safe: the sampler only calls it
 * after profiling has stopped.
 *
 * Errors: functions that can fail return 0 on success and -1 on failure, and
 * write a one-line message (no newline) into err[errlen] when err != NULL.
 */
#ifndef CPUPROF_PROFILE_H
#define CPUPROF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pf_value_type {
    const char *type; /* "samples", "cpu", "contentions", "delay" */
    const char *unit; /* "count", "nanoseconds" */
} pf_value_type;

typedef struct pf_mapping {
    uint64_t id; /* nonzero, unique */
    uint64_t start, limit, offset;
    const char *file;     /* never NULL; "" when unknown */
    const char *build_id; /* hex string, never NULL; "" when unknown */
    bool has_functions;
    bool has_filenames, has_line_numbers, has_inline_frames; /* from DWARF */
} pf_mapping;

typedef struct pf_function {
    uint64_t id; /* nonzero, unique */
    const char *name;        /* never NULL */
    const char *system_name; /* never NULL */
    const char *filename;    /* never NULL */
    int64_t start_line;
} pf_function;

typedef struct pf_line {
    pf_function *fn;
    int64_t line;
} pf_line;

typedef struct pf_location {
    uint64_t id; /* nonzero, unique */
    pf_mapping *mapping; /* NULL when the address is in no known mapping */
    uint64_t address;
    pf_line *lines; /* lines[0] is the innermost frame (inlined callee) */
    size_t nlines;
} pf_location;

typedef struct pf_label {
    const char *key; /* never NULL */
    const char *str; /* NULL for a numeric label */
    int64_t num;
    const char *num_unit; /* NULL when none */
} pf_label;

typedef struct pf_sample {
    pf_location **locs; /* locs[0] is the leaf, locs[nlocs-1] the root */
    size_t nlocs;
    int64_t *values; /* one per sample type */
    pf_label *labels;
    size_t nlabels;
} pf_sample;

struct pf_arena;

typedef struct profile {
    pf_value_type *sample_types;
    size_t nsample_types;
    pf_sample *samples;
    size_t nsamples;
    pf_mapping **mappings;
    size_t nmappings;
    pf_location **locations;
    size_t nlocations;
    pf_function **functions;
    size_t nfunctions;
    const char **comments;
    size_t ncomments;
    const char *drop_frames; /* never NULL */
    const char *keep_frames; /* never NULL */
    int64_t time_nanos;
    int64_t duration_nanos;
    pf_value_type period_type;
    int64_t period;
    int default_sample_type; /* index into sample_types; -1 when unset */
    struct pf_arena *arena;  /* owns everything above */
    void *priv;              /* builder state: dedup tables, capacities */
} profile;

/* ---- building -------------------------------------------------------- */

profile *profile_new(void); /* NULL only when out of memory */
void profile_free(profile *p);

/* A copy of s owned by p (NULL becomes ""). */
const char *profile_str(profile *p, const char *s);

void profile_add_sample_type(profile *p, const char *type, const char *unit);
void profile_set_period(profile *p, const char *type, const char *unit, int64_t period);
void profile_add_comment(profile *p, const char *comment);

/* Adds a mapping; ids are assigned 1, 2, ... in order of addition. */
pf_mapping *profile_add_mapping(profile *p, uint64_t start, uint64_t limit, uint64_t offset,
                                const char *file, const char *build_id);

/* Finds the function with this (name, system_name, filename, start_line) or
 * adds it. */
pf_function *profile_function(profile *p, const char *name, const char *system_name,
                              const char *filename, int64_t start_line);

/* Finds the location with this (mapping, address) or adds it, with one line
 * (fn may be NULL: a location with no line, as pprof allows). Address 0 says
 * nothing about the code, so there the line (fn, line) is part of the key. */
pf_location *profile_location(profile *p, pf_mapping *m, uint64_t address, pf_function *fn,
                              int64_t line);

/* Appends an outer (inlined-into) line to a location. */
void profile_location_add_line(profile *p, pf_location *loc, pf_function *fn, int64_t line);

/* Adds a sample; locs and values are copied (one value per sample type).
 * The returned pointer is valid until the next profile_add_sample,
 * profile_filter or profile_merge_base (the samples array may move). */
pf_sample *profile_add_sample(profile *p, pf_location *const *locs, size_t nlocs,
                              const int64_t *values);
void profile_sample_add_label(profile *p, pf_sample *s, const char *key, const char *str);
void profile_sample_add_num_label(profile *p, pf_sample *s, const char *key, int64_t num,
                                  const char *unit);

/* ---- reading and writing --------------------------------------------- */

/* Parses a profile, gzipped (detected by magic) or raw, validating every id
 * and index. On failure *out is NULL and err says what is wrong. */
int profile_parse(const void *data, size_t len, profile **out, char *err, size_t errlen);
int profile_read_file(const char *path, profile **out, char *err, size_t errlen);

/* Encodes p as a gzipped profile.proto into a malloc'ed buffer. */
int profile_encode(const profile *p, uint8_t **out, size_t *outlen, char *err, size_t errlen);
/* Writes the gzipped profile to path through a temporary file and rename,
 * so an existing file is never left half-written. */
int profile_write_file(const profile *p, const char *path, char *err, size_t errlen);

/* Index of the sample type named `type` ("cpu", "samples"); -1 if none. */
int profile_value_index(const profile *p, const char *type);
/* The value pprof shows by default: default_sample_type, else the last. */
int profile_default_value_index(const profile *p);

/* ---- transforming ---------------------------------------------------- */

/* pprof's -base (diff_base=false): p gains base's samples with negated
 * values. pprof's -diff_base (diff_base=true): the same, and the negated
 * samples carry the label pprof::base=true so that percentages are taken
 * relative to the base total. Fails when sample types differ. */
int profile_merge_base(profile *p, const profile *base, bool diff_base, char *err,
                       size_t errlen);

typedef struct pf_filter {
    /* focus/ignore match, as in pprof, a frame's function name or file name,
     * or its mapping's file. */
    const char *focus;     /* regex on function names: keep samples with a match */
    const char *ignore;    /* regex on function names: drop samples with a match */
    const char *tagfocus;  /* "key=regex" or "regex" (any key): keep matching samples */
    const char *tagignore; /* same syntax: drop matching samples */
} pf_filter;

/* Removes, in place, the samples the filter rejects. Regexes are PCRE2;
 * a bad regex is an error naming the flag. */
int profile_filter(profile *p, const pf_filter *f, char *err, size_t errlen);

/* ---- aggregating ----------------------------------------------------- */

typedef struct pf_row {
    const char *name; /* function name, or the address in hex when unknown */
    int64_t flat;     /* value of samples whose leaf frame is this function */
    int64_t cum;      /* value of samples with this function anywhere, once each */
} pf_row;

typedef struct pf_report {
    pf_row *rows;
    size_t nrows;
    int64_t total;    /* pprof's total: sum of |value| (of base samples only
                         when the profile has pprof::base samples) */
    int64_t nsamples; /* samples counted */
} pf_report;

/* Aggregates by function name on sample type vi. Rows are sorted by flat
 * (or cum when by_cum) descending, then by name. */
int profile_top(const profile *p, int vi, bool by_cum, pf_report *out, char *err, size_t errlen);
void pf_report_free(pf_report *r);

/* Sum of flat and of cum over the rows whose name matches the PCRE2 regex;
 * cum counts a sample once even when several matching functions are in it. */
int profile_match_value(const profile *p, int vi, const char *regex, int64_t *flat,
                        int64_t *cum, char *err, size_t errlen);

typedef struct pf_tag_value {
    const char *value; /* the string, or the number formatted with its unit */
    int64_t total;
} pf_tag_value;

typedef struct pf_tag {
    const char *key;
    pf_tag_value *values; /* sorted by total descending, then value */
    size_t nvalues;
    int64_t total; /* sum of its values' totals (a sample carrying the key
                      twice counts twice, as in pprof) */
} pf_tag;

typedef struct pf_tags {
    pf_tag *tags; /* sorted by key */
    size_t ntags;
    int64_t total; /* value of all samples */
} pf_tags;

int profile_tags(const profile *p, int vi, pf_tags *out, char *err, size_t errlen);
void pf_tags_free(pf_tags *t);

#endif
