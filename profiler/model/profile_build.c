/* profile_build.c: creating, growing and freeing a profile in memory.
 *
 * Invariants kept here:
 * - Every string stored by the builder is interned in p's string table, so
 *   within one profile equal strings share one pointer (the dedup keys below
 *   compare pointers).
 * - Functions are unique by (name, system_name, filename, start_line);
 *   locations by (mapping, address), and for address 0, which says nothing
 *   about the code, by (mapping, 0, first function, first line).
 * - Ids are nonzero and unique per kind; new ids continue after the largest
 *   id seen, so a parsed profile can keep growing.
 * - The top-level arrays (samples, mappings, ...) are malloc'ed and grow by
 *   doubling; their capacities live in the builder. Small per-object arrays
 *   (a location's lines, a sample's labels) live in the arena with a
 *   capacity of the next power of two of their length, so no capacity field
 *   is needed. Hence a pf_sample pointer is only valid until the next
 *   profile_add_sample (the samples array may move); mappings, locations and
 *   functions never move.
 */
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static pf_builder *B(profile *p) {
    return p->priv;
}

/* Makes room for one more element in a malloc'ed array of capacity *cap. */
static void *grow(void *arr, size_t *cap, size_t n, size_t elsize) {
    if (n < *cap) return arr;
    size_t ncap = *cap ? *cap * 2 : 8;
    *cap = ncap;
    return pf_xrealloc(arr, pf_mul(ncap, elsize));
}

/* Makes room for element n in an arena array of power-of-two capacity. */
static void *grow_pow2(pf_arena *a, void *arr, size_t n, size_t elsize) {
    if (n != 0 && (n & (n - 1)) != 0) return arr;
    void *narr = pf_arena_alloc(a, pf_mul(n ? n * 2 : 1, elsize));
    if (n) memcpy(narr, arr, n * elsize);
    return narr;
}

profile *profile_new(void) {
    profile *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->arena = pf_arena_new();
    pf_builder *b = pf_xcalloc(1, sizeof(pf_builder));
    b->next_mapping_id = b->next_location_id = b->next_function_id = 1;
    p->priv = b;
    p->drop_frames = p->keep_frames = profile_str(p, "");
    p->period_type.type = p->period_type.unit = p->drop_frames;
    p->default_sample_type = -1;
    return p;
}

void profile_free(profile *p) {
    if (!p) return;
    pf_builder *b = B(p);
    if (b) {
        pf_map_free(&b->strings);
        pf_map_free(&b->functions);
        pf_map_free(&b->locations);
        free(b);
    }
    free(p->sample_types);
    free(p->samples);
    free(p->mappings);
    free(p->locations);
    free(p->functions);
    free(p->comments);
    pf_arena_free(p->arena);
    free(p);
}

const char *profile_str(profile *p, const char *s) {
    if (!s) s = "";
    size_t len = strlen(s);
    const char *found = pf_map_get(&B(p)->strings, s, len);
    if (found) return found;
    char *copy = pf_arena_alloc(p->arena, len + 1);
    memcpy(copy, s, len);
    pf_map_put(&B(p)->strings, copy, len, copy);
    return copy;
}

void profile_add_sample_type(profile *p, const char *type, const char *unit) {
    pf_builder *b = B(p);
    p->sample_types = grow(p->sample_types, &b->cap_sample_types, p->nsample_types,
                           sizeof(pf_value_type));
    pf_value_type *vt = &p->sample_types[p->nsample_types++];
    vt->type = profile_str(p, type);
    vt->unit = profile_str(p, unit);
}

void profile_set_period(profile *p, const char *type, const char *unit, int64_t period) {
    p->period_type.type = profile_str(p, type);
    p->period_type.unit = profile_str(p, unit);
    p->period = period;
}

void profile_add_comment(profile *p, const char *comment) {
    p->comments = grow(p->comments, &B(p)->cap_comments, p->ncomments, sizeof(char *));
    p->comments[p->ncomments++] = profile_str(p, comment);
}

pf_mapping *pf_add_mapping_id(profile *p, uint64_t id) {
    pf_builder *b = B(p);
    p->mappings = grow(p->mappings, &b->cap_mappings, p->nmappings, sizeof(pf_mapping *));
    pf_mapping *m = pf_arena_alloc(p->arena, sizeof(*m));
    m->id = id;
    m->file = m->build_id = profile_str(p, "");
    if (id >= b->next_mapping_id) b->next_mapping_id = id + 1;
    p->mappings[p->nmappings++] = m;
    return m;
}

pf_mapping *profile_add_mapping(profile *p, uint64_t start, uint64_t limit, uint64_t offset,
                                const char *file, const char *build_id) {
    pf_mapping *m = pf_add_mapping_id(p, B(p)->next_mapping_id);
    m->start = start;
    m->limit = limit;
    m->offset = offset;
    m->file = profile_str(p, file);
    m->build_id = profile_str(p, build_id);
    return m;
}

typedef struct fn_key {
    const char *name, *system_name, *filename;
    int64_t start_line;
} fn_key;

static fn_key make_fn_key(const char *name, const char *system_name, const char *filename,
                          int64_t start_line) {
    fn_key k;
    memset(&k, 0, sizeof(k)); /* padding takes part in the hash */
    k.name = name;
    k.system_name = system_name;
    k.filename = filename;
    k.start_line = start_line;
    return k;
}

pf_function *pf_add_function_id(profile *p, uint64_t id, const char *name,
                                const char *system_name, const char *filename,
                                int64_t start_line) {
    pf_builder *b = B(p);
    p->functions = grow(p->functions, &b->cap_functions, p->nfunctions, sizeof(pf_function *));
    pf_function *fn = pf_arena_alloc(p->arena, sizeof(*fn));
    fn->id = id;
    fn->name = profile_str(p, name);
    fn->system_name = profile_str(p, system_name);
    fn->filename = profile_str(p, filename);
    fn->start_line = start_line;
    if (id >= b->next_function_id) b->next_function_id = id + 1;
    p->functions[p->nfunctions++] = fn;
    fn_key k = make_fn_key(fn->name, fn->system_name, fn->filename, start_line);
    if (!pf_map_get(&b->functions, &k, sizeof(k))) pf_map_put(&b->functions, &k, sizeof(k), fn);
    return fn;
}

pf_function *profile_function(profile *p, const char *name, const char *system_name,
                              const char *filename, int64_t start_line) {
    name = profile_str(p, name);
    system_name = profile_str(p, system_name);
    filename = profile_str(p, filename);
    fn_key k = make_fn_key(name, system_name, filename, start_line);
    pf_function *fn = pf_map_get(&B(p)->functions, &k, sizeof(k));
    if (fn) return fn;
    return pf_add_function_id(p, B(p)->next_function_id, name, system_name, filename,
                              start_line);
}

typedef struct loc_key {
    const pf_mapping *m;
    uint64_t address;
    const pf_function *fn;
    int64_t line;
} loc_key;

static loc_key make_loc_key(const pf_mapping *m, uint64_t address, const pf_function *fn,
                            int64_t line) {
    loc_key k;
    memset(&k, 0, sizeof(k));
    k.m = m;
    k.address = address;
    if (address == 0) {
        k.fn = fn;
        k.line = line;
    }
    return k;
}

pf_location *pf_add_location_id(profile *p, uint64_t id, pf_mapping *m, uint64_t address) {
    pf_builder *b = B(p);
    p->locations = grow(p->locations, &b->cap_locations, p->nlocations, sizeof(pf_location *));
    pf_location *loc = pf_arena_alloc(p->arena, sizeof(*loc));
    loc->id = id;
    loc->mapping = m;
    loc->address = address;
    if (id >= b->next_location_id) b->next_location_id = id + 1;
    p->locations[p->nlocations++] = loc;
    return loc;
}

void pf_index_location(profile *p, pf_location *loc) {
    const pf_function *fn = loc->nlines ? loc->lines[0].fn : NULL;
    int64_t line = loc->nlines ? loc->lines[0].line : 0;
    loc_key k = make_loc_key(loc->mapping, loc->address, fn, line);
    if (!pf_map_get(&B(p)->locations, &k, sizeof(k)))
        pf_map_put(&B(p)->locations, &k, sizeof(k), loc);
}

pf_location *profile_location(profile *p, pf_mapping *m, uint64_t address, pf_function *fn,
                              int64_t line) {
    loc_key k = make_loc_key(m, address, fn, line);
    pf_location *loc = pf_map_get(&B(p)->locations, &k, sizeof(k));
    if (loc) return loc;
    loc = pf_add_location_id(p, B(p)->next_location_id, m, address);
    if (fn) profile_location_add_line(p, loc, fn, line);
    pf_map_put(&B(p)->locations, &k, sizeof(k), loc);
    return loc;
}

void profile_location_add_line(profile *p, pf_location *loc, pf_function *fn, int64_t line) {
    loc->lines = grow_pow2(p->arena, loc->lines, loc->nlines, sizeof(pf_line));
    loc->lines[loc->nlines].fn = fn;
    loc->lines[loc->nlines].line = line;
    loc->nlines++;
}

pf_sample *profile_add_sample(profile *p, pf_location *const *locs, size_t nlocs,
                              const int64_t *values) {
    pf_builder *b = B(p);
    p->samples = grow(p->samples, &b->cap_samples, p->nsamples, sizeof(pf_sample));
    pf_sample *s = &p->samples[p->nsamples++];
    memset(s, 0, sizeof(*s));
    s->nlocs = nlocs;
    s->locs = pf_arena_alloc(p->arena, pf_mul(nlocs, sizeof(pf_location *)));
    if (nlocs) memcpy(s->locs, locs, nlocs * sizeof(pf_location *));
    s->values = pf_arena_alloc(p->arena, pf_mul(p->nsample_types, sizeof(int64_t)));
    if (p->nsample_types && values)
        memcpy(s->values, values, p->nsample_types * sizeof(int64_t));
    return s;
}

void pf_sample_push_label(profile *p, pf_sample *s, const pf_label *l) {
    s->labels = grow_pow2(p->arena, s->labels, s->nlabels, sizeof(pf_label));
    s->labels[s->nlabels++] = *l;
}

void profile_sample_add_label(profile *p, pf_sample *s, const char *key, const char *str) {
    pf_label l = {.key = profile_str(p, key), .str = profile_str(p, str)};
    pf_sample_push_label(p, s, &l);
}

void profile_sample_add_num_label(profile *p, pf_sample *s, const char *key, int64_t num,
                                  const char *unit) {
    pf_label l = {.key = profile_str(p, key), .num = num};
    if (unit && *unit) l.num_unit = profile_str(p, unit);
    pf_sample_push_label(p, s, &l);
}

int profile_value_index(const profile *p, const char *type) {
    if (!type) return -1;
    for (size_t i = 0; i < p->nsample_types; i++)
        if (strcmp(p->sample_types[i].type, type) == 0) return (int)i;
    return -1;
}

int profile_default_value_index(const profile *p) {
    if (p->default_sample_type >= 0 && (size_t)p->default_sample_type < p->nsample_types)
        return p->default_sample_type;
    return p->nsample_types ? (int)p->nsample_types - 1 : -1;
}
