/* pprof_read.c: profile.proto bytes (gzipped or raw) into a validated model.
 *
 * The bytes are inflated when they start with the gzip magic 1f 8b, unpacked
 * by protobuf-c under an allocator with a memory budget, and then checked
 * field by field while the model is built: the string table starts with "",
 * every string index is in range, every mapping/function/location id is
 * nonzero and unique, every referenced id exists, every sample has one value
 * per sample type, and default_sample_type names a sample type. The first
 * problem found becomes the one-line error, and nothing is returned. So any
 * byte string gives either a whole, consistent model or an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_internal.h"
#include "profile.pb-c.h"

/* The most memory protobuf-c may take to unpack one profile. */
static const size_t pf_unpack_limit = (size_t)4 << 30;

typedef struct budget {
    size_t used;
    bool exceeded;
} budget;

static void *budget_alloc(void *data, size_t size) {
    budget *b = data;
    if (size > pf_unpack_limit - b->used) {
        b->exceeded = true;
        return NULL;
    }
    void *q = malloc(size);
    if (q) b->used += malloc_usable_size(q);
    return q;
}

static void budget_free(void *data, void *ptr) {
    budget *b = data;
    if (!ptr) return;
    b->used -= malloc_usable_size(ptr);
    free(ptr);
}

/* The state of one conversion. */
typedef struct reader {
    const Perftools__Profiles__Profile *pb;
    profile *p;
    const char **strs; /* interned copies of the string table */
    size_t nstrs;
    pf_map mappings, functions, locations; /* id -> object */
    char *err;
    size_t errlen;
} reader;

/* *out = string idx, or an error naming what referred to it. */
static int get_str(reader *r, int64_t idx, const char **out, const char *what, size_t i) {
    *out = r->strs[0];
    if (idx < 0 || (uint64_t)idx >= r->nstrs)
        return pf_errf(r->err, r->errlen,
                       "profile: %s %zu refers to string %lld, but the string table has %zu "
                       "entries",
                       what, i, (long long)idx, r->nstrs);
    *out = r->strs[idx];
    return 0;
}

static void *find_id(const pf_map *m, uint64_t id) {
    return pf_map_get(m, &id, sizeof(id));
}

static int read_strings(reader *r) {
    const Perftools__Profiles__Profile *pb = r->pb;
    if (pb->n_string_table == 0)
        return pf_errf(r->err, r->errlen, "profile: the string table is empty (it must start "
                                          "with \"\")");
    if (pb->string_table[0][0] != '\0')
        return pf_errf(r->err, r->errlen, "profile: string_table[0] is \"%.40s\", not \"\"",
                       pb->string_table[0]);
    r->nstrs = pb->n_string_table;
    r->strs = pf_xcalloc(r->nstrs, sizeof(char *));
    for (size_t i = 0; i < r->nstrs; i++) r->strs[i] = profile_str(r->p, pb->string_table[i]);
    return 0;
}

static int read_header(reader *r) {
    const Perftools__Profiles__Profile *pb = r->pb;
    profile *p = r->p;
    for (size_t i = 0; i < pb->n_sample_type; i++) {
        const char *type, *unit;
        if (get_str(r, pb->sample_type[i]->type, &type, "sample_type", i) ||
            get_str(r, pb->sample_type[i]->unit, &unit, "sample_type", i))
            return -1;
        profile_add_sample_type(p, type, unit);
    }
    if (get_str(r, pb->drop_frames, &p->drop_frames, "drop_frames", 0) ||
        get_str(r, pb->keep_frames, &p->keep_frames, "keep_frames", 0))
        return -1;
    const char *doc_url;
    if (get_str(r, pb->doc_url, &doc_url, "doc_url", 0)) return -1;
    p->time_nanos = pb->time_nanos;
    p->duration_nanos = pb->duration_nanos;
    p->period = pb->period;
    if (pb->period_type &&
        (get_str(r, pb->period_type->type, &p->period_type.type, "period_type", 0) ||
         get_str(r, pb->period_type->unit, &p->period_type.unit, "period_type", 0)))
        return -1;
    for (size_t i = 0; i < pb->n_comment; i++) {
        const char *c;
        if (get_str(r, pb->comment[i], &c, "comment", i)) return -1;
        profile_add_comment(p, c);
    }
    p->default_sample_type = -1;
    if (pb->default_sample_type != 0) {
        const char *name;
        if (get_str(r, pb->default_sample_type, &name, "default_sample_type", 0)) return -1;
        p->default_sample_type = profile_value_index(p, name);
        if (p->default_sample_type < 0)
            return pf_errf(r->err, r->errlen,
                           "profile: default_sample_type is \"%.60s\", which is not a sample type",
                           name);
    }
    return 0;
}

static int read_mappings(reader *r) {
    const Perftools__Profiles__Profile *pb = r->pb;
    for (size_t i = 0; i < pb->n_mapping; i++) {
        const Perftools__Profiles__Mapping *pm = pb->mapping[i];
        if (pm->id == 0) return pf_errf(r->err, r->errlen, "profile: mapping %zu has id 0", i);
        if (find_id(&r->mappings, pm->id))
            return pf_errf(r->err, r->errlen, "profile: mapping id %llu appears twice",
                           (unsigned long long)pm->id);
        const char *file, *build_id;
        if (get_str(r, pm->filename, &file, "mapping", i) ||
            get_str(r, pm->build_id, &build_id, "mapping", i))
            return -1;
        pf_mapping *m = pf_add_mapping_id(r->p, pm->id);
        m->start = pm->memory_start;
        m->limit = pm->memory_limit;
        m->offset = pm->file_offset;
        m->file = file;
        m->build_id = build_id;
        m->has_functions = pm->has_functions;
        m->has_filenames = pm->has_filenames;
        m->has_line_numbers = pm->has_line_numbers;
        m->has_inline_frames = pm->has_inline_frames;
        pf_map_put(&r->mappings, &pm->id, sizeof(pm->id), m);
    }
    return 0;
}

static int read_functions(reader *r) {
    const Perftools__Profiles__Profile *pb = r->pb;
    for (size_t i = 0; i < pb->n_function; i++) {
        const Perftools__Profiles__Function *pf = pb->function[i];
        if (pf->id == 0) return pf_errf(r->err, r->errlen, "profile: function %zu has id 0", i);
        if (find_id(&r->functions, pf->id))
            return pf_errf(r->err, r->errlen, "profile: function id %llu appears twice",
                           (unsigned long long)pf->id);
        const char *name, *system_name, *filename;
        if (get_str(r, pf->name, &name, "function", i) ||
            get_str(r, pf->system_name, &system_name, "function", i) ||
            get_str(r, pf->filename, &filename, "function", i))
            return -1;
        pf_function *fn =
            pf_add_function_id(r->p, pf->id, name, system_name, filename, pf->start_line);
        pf_map_put(&r->functions, &pf->id, sizeof(pf->id), fn);
    }
    return 0;
}

static int read_locations(reader *r) {
    const Perftools__Profiles__Profile *pb = r->pb;
    for (size_t i = 0; i < pb->n_location; i++) {
        const Perftools__Profiles__Location *pl = pb->location[i];
        if (pl->id == 0) return pf_errf(r->err, r->errlen, "profile: location %zu has id 0", i);
        if (find_id(&r->locations, pl->id))
            return pf_errf(r->err, r->errlen, "profile: location id %llu appears twice",
                           (unsigned long long)pl->id);
        pf_mapping *m = NULL;
        if (pl->mapping_id != 0 && !(m = find_id(&r->mappings, pl->mapping_id)))
            return pf_errf(r->err, r->errlen,
                           "profile: location %llu refers to mapping %llu, which does not exist",
                           (unsigned long long)pl->id, (unsigned long long)pl->mapping_id);
        pf_location *loc = pf_add_location_id(r->p, pl->id, m, pl->address);
        for (size_t j = 0; j < pl->n_line; j++) {
            uint64_t fid = pl->line[j]->function_id;
            pf_function *fn = NULL;
            if (fid != 0 && !(fn = find_id(&r->functions, fid)))
                return pf_errf(r->err, r->errlen,
                               "profile: location %llu refers to function %llu, which does not "
                               "exist",
                               (unsigned long long)pl->id, (unsigned long long)fid);
            profile_location_add_line(r->p, loc, fn, pl->line[j]->line);
        }
        pf_index_location(r->p, loc);
        pf_map_put(&r->locations, &pl->id, sizeof(pl->id), loc);
    }
    return 0;
}

static int read_samples(reader *r) {
    const Perftools__Profiles__Profile *pb = r->pb;
    profile *p = r->p;
    size_t maxlocs = 0;
    for (size_t i = 0; i < pb->n_sample; i++)
        if (pb->sample[i]->n_location_id > maxlocs) maxlocs = pb->sample[i]->n_location_id;
    pf_location **locs = pf_xcalloc(maxlocs, sizeof(pf_location *));
    int rc = 0;
    for (size_t i = 0; i < pb->n_sample && rc == 0; i++) {
        const Perftools__Profiles__Sample *ps = pb->sample[i];
        if (ps->n_value != p->nsample_types) {
            rc = pf_errf(r->err, r->errlen,
                         "profile: sample %zu has %zu values, but there are %zu sample types", i,
                         ps->n_value, p->nsample_types);
            break;
        }
        for (size_t j = 0; j < ps->n_location_id; j++) {
            if (!(locs[j] = find_id(&r->locations, ps->location_id[j]))) {
                rc = pf_errf(r->err, r->errlen,
                             "profile: sample %zu refers to location %llu, which does not exist",
                             i, (unsigned long long)ps->location_id[j]);
                break;
            }
        }
        if (rc) break;
        pf_sample *s = profile_add_sample(p, locs, ps->n_location_id, ps->value);
        for (size_t j = 0; j < ps->n_label; j++) {
            const Perftools__Profiles__Label *pl = ps->label[j];
            pf_label l = {0};
            const char *unit;
            if (get_str(r, pl->key, &l.key, "label of sample", i) ||
                get_str(r, pl->str, &l.str, "label of sample", i) ||
                get_str(r, pl->num_unit, &unit, "label of sample", i)) {
                rc = -1;
                break;
            }
            /* As pprof decodes: a string when str is set, else a number when
             * num or num_unit is set, else nothing. */
            if (pl->str != 0) {
                pf_sample_push_label(p, s, &l);
            } else if (pl->num != 0 || pl->num_unit != 0) {
                l.str = NULL;
                l.num = pl->num;
                l.num_unit = pl->num_unit ? unit : NULL;
                pf_sample_push_label(p, s, &l);
            }
        }
    }
    free(locs);
    return rc;
}

static int convert(reader *r) {
    if (read_strings(r) || read_header(r) || read_mappings(r) || read_functions(r) ||
        read_locations(r) || read_samples(r))
        return -1;
    return 0;
}

int profile_parse(const void *data, size_t len, profile **out, char *err, size_t errlen) {
    *out = NULL;
    if (len == 0) return pf_errf(err, errlen, "profile: empty input");
    uint8_t *raw = NULL;
    if (pf_is_gzip(data, len)) {
        size_t rawlen;
        if (pf_gunzip(data, len, &raw, &rawlen, err, errlen)) return -1;
        data = raw;
        len = rawlen;
        if (len == 0) {
            free(raw);
            return pf_errf(err, errlen, "profile: empty input (after gunzip)");
        }
    }
    budget b = {0};
    ProtobufCAllocator alloc = {budget_alloc, budget_free, &b};
    Perftools__Profiles__Profile *pb = perftools__profiles__profile__unpack(&alloc, len, data);
    free(raw);
    if (!pb) {
        if (b.exceeded)
            return pf_errf(err, errlen,
                           "profile: decoding would take more than %zu MiB of memory",
                           pf_unpack_limit >> 20);
        return pf_errf(err, errlen,
                       "profile: not a valid profile.proto message (malformed or truncated "
                       "protobuf data)");
    }
    reader r = {.pb = pb, .err = err, .errlen = errlen};
    r.p = profile_new();
    if (!r.p) pf_oom(sizeof(profile));
    int rc = convert(&r);
    perftools__profiles__profile__free_unpacked(pb, &alloc);
    free(r.strs);
    pf_map_free(&r.mappings);
    pf_map_free(&r.functions);
    pf_map_free(&r.locations);
    if (rc) {
        profile_free(r.p);
        return -1;
    }
    *out = r.p;
    return 0;
}

int profile_read_file(const char *path, profile **out, char *err, size_t errlen) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return pf_errf(err, errlen, "profile: cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pf_errf(err, errlen, "profile: %s is not a regular file", path);
    }
    if ((uint64_t)st.st_size > pf_inflate_limit) {
        close(fd);
        return pf_errf(err, errlen, "profile: %s is larger than %zu bytes", path,
                       pf_inflate_limit);
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    uint8_t *buf = pf_xrealloc(NULL, cap);
    for (;;) {
        if (len == cap) {
            close(fd);
            free(buf);
            return pf_errf(err, errlen, "profile: %s changed size while being read", path);
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            free(buf);
            return pf_errf(err, errlen, "profile: cannot read %s: %s", path, strerror(e));
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    int rc = profile_parse(buf, len, out, err, errlen);
    free(buf);
    if (rc && err && errlen) {
        /* Name the file: "profile: x.pb.gz: <what is wrong>". */
        char *msg = strdup(err);
        if (msg) {
            const char *rest = strncmp(msg, "profile: ", 9) == 0 ? msg + 9 : msg;
            pf_errf(err, errlen, "profile: %s: %s", path, rest);
            free(msg);
        }
    }
    return rc;
}
