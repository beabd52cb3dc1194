/* pprof_write.c: a model into gzipped profile.proto bytes, and onto disk.
 *
 * The protobuf-c message is built in a scratch arena: strings go through a
 * table that deduplicates them by content, with string 0 = "" as the format
 * requires; ids are written as they are in the model (the reader keeps them,
 * so a round trip is exact). default_sample_type is written, as the format
 * wants, as the string index of that sample type's name.
 *
 * profile_write_file writes to "<path>.tmp.<pid>" and renames it onto path
 * only when every byte is written and flushed, so a reader of path sees the
 * old file or the new one, never a half-written one; on any failure the
 * temporary file is removed and path is untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_internal.h"
#include "profile.pb-c.h"

typedef struct writer {
    pf_arena *a;
    pf_map index; /* content -> string index + 1 */
    char **strs;
    size_t nstrs, cap;
} writer;

static int64_t str_index(writer *w, const char *s) {
    if (!s) s = "";
    size_t len = strlen(s);
    uintptr_t found = (uintptr_t)pf_map_get(&w->index, s, len);
    if (found) return (int64_t)(found - 1);
    if (w->nstrs == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->strs = pf_xrealloc(w->strs, pf_mul(w->cap, sizeof(char *)));
    }
    w->strs[w->nstrs] = (char *)s;
    pf_map_put(&w->index, s, len, (void *)(uintptr_t)(w->nstrs + 1));
    return (int64_t)w->nstrs++;
}

/* An arena array of n message pointers. */
#define NEW_ARRAY(w, n, T) ((T **)pf_arena_alloc((w)->a, pf_mul((n), sizeof(T *))))

static Perftools__Profiles__ValueType *value_type(writer *w, const pf_value_type *vt) {
    Perftools__Profiles__ValueType *m = pf_arena_alloc(w->a, sizeof(*m));
    perftools__profiles__value_type__init(m);
    m->type = str_index(w, vt->type);
    m->unit = str_index(w, vt->unit);
    return m;
}

static void build_samples(writer *w, const profile *p, Perftools__Profiles__Profile *pb) {
    pb->n_sample = p->nsamples;
    pb->sample = NEW_ARRAY(w, p->nsamples, Perftools__Profiles__Sample);
    for (size_t i = 0; i < p->nsamples; i++) {
        const pf_sample *s = &p->samples[i];
        Perftools__Profiles__Sample *ms = pf_arena_alloc(w->a, sizeof(*ms));
        perftools__profiles__sample__init(ms);
        ms->n_location_id = s->nlocs;
        ms->location_id = pf_arena_alloc(w->a, pf_mul(s->nlocs, sizeof(uint64_t)));
        for (size_t j = 0; j < s->nlocs; j++) ms->location_id[j] = s->locs[j]->id;
        ms->n_value = p->nsample_types;
        ms->value = s->values;
        ms->n_label = s->nlabels;
        ms->label = NEW_ARRAY(w, s->nlabels, Perftools__Profiles__Label);
        for (size_t j = 0; j < s->nlabels; j++) {
            const pf_label *l = &s->labels[j];
            Perftools__Profiles__Label *ml = pf_arena_alloc(w->a, sizeof(*ml));
            perftools__profiles__label__init(ml);
            ml->key = str_index(w, l->key);
            if (l->str) {
                ml->str = str_index(w, l->str);
            } else {
                ml->num = l->num;
                if (l->num_unit) ml->num_unit = str_index(w, l->num_unit);
            }
            ms->label[j] = ml;
        }
        pb->sample[i] = ms;
    }
}

static void build_tables(writer *w, const profile *p, Perftools__Profiles__Profile *pb) {
    pb->n_mapping = p->nmappings;
    pb->mapping = NEW_ARRAY(w, p->nmappings, Perftools__Profiles__Mapping);
    for (size_t i = 0; i < p->nmappings; i++) {
        const pf_mapping *m = p->mappings[i];
        Perftools__Profiles__Mapping *mm = pf_arena_alloc(w->a, sizeof(*mm));
        perftools__profiles__mapping__init(mm);
        mm->id = m->id;
        mm->memory_start = m->start;
        mm->memory_limit = m->limit;
        mm->file_offset = m->offset;
        mm->filename = str_index(w, m->file);
        mm->build_id = str_index(w, m->build_id);
        mm->has_functions = m->has_functions;
        mm->has_filenames = m->has_filenames;
        mm->has_line_numbers = m->has_line_numbers;
        mm->has_inline_frames = m->has_inline_frames;
        pb->mapping[i] = mm;
    }
    pb->n_location = p->nlocations;
    pb->location = NEW_ARRAY(w, p->nlocations, Perftools__Profiles__Location);
    for (size_t i = 0; i < p->nlocations; i++) {
        const pf_location *loc = p->locations[i];
        Perftools__Profiles__Location *ml = pf_arena_alloc(w->a, sizeof(*ml));
        perftools__profiles__location__init(ml);
        ml->id = loc->id;
        ml->mapping_id = loc->mapping ? loc->mapping->id : 0;
        ml->address = loc->address;
        ml->n_line = loc->nlines;
        ml->line = NEW_ARRAY(w, loc->nlines, Perftools__Profiles__Line);
        for (size_t j = 0; j < loc->nlines; j++) {
            Perftools__Profiles__Line *mn = pf_arena_alloc(w->a, sizeof(*mn));
            perftools__profiles__line__init(mn);
            mn->function_id = loc->lines[j].fn ? loc->lines[j].fn->id : 0;
            mn->line = loc->lines[j].line;
            ml->line[j] = mn;
        }
        pb->location[i] = ml;
    }
    pb->n_function = p->nfunctions;
    pb->function = NEW_ARRAY(w, p->nfunctions, Perftools__Profiles__Function);
    for (size_t i = 0; i < p->nfunctions; i++) {
        const pf_function *fn = p->functions[i];
        Perftools__Profiles__Function *mf = pf_arena_alloc(w->a, sizeof(*mf));
        perftools__profiles__function__init(mf);
        mf->id = fn->id;
        mf->name = str_index(w, fn->name);
        mf->system_name = str_index(w, fn->system_name);
        mf->filename = str_index(w, fn->filename);
        mf->start_line = fn->start_line;
        pb->function[i] = mf;
    }
}

int profile_encode(const profile *p, uint8_t **out, size_t *outlen, char *err, size_t errlen) {
    *out = NULL;
    *outlen = 0;
    writer w = {.a = pf_arena_new()};
    str_index(&w, ""); /* string 0 */
    Perftools__Profiles__Profile pb;
    perftools__profiles__profile__init(&pb);
    pb.n_sample_type = p->nsample_types;
    pb.sample_type = NEW_ARRAY(&w, p->nsample_types, Perftools__Profiles__ValueType);
    for (size_t i = 0; i < p->nsample_types; i++)
        pb.sample_type[i] = value_type(&w, &p->sample_types[i]);
    build_samples(&w, p, &pb);
    build_tables(&w, p, &pb);
    pb.drop_frames = str_index(&w, p->drop_frames);
    pb.keep_frames = str_index(&w, p->keep_frames);
    pb.time_nanos = p->time_nanos;
    pb.duration_nanos = p->duration_nanos;
    if ((p->period_type.type && *p->period_type.type) ||
        (p->period_type.unit && *p->period_type.unit))
        pb.period_type = value_type(&w, &p->period_type);
    pb.period = p->period;
    pb.n_comment = p->ncomments;
    pb.comment = pf_arena_alloc(w.a, pf_mul(p->ncomments, sizeof(int64_t)));
    for (size_t i = 0; i < p->ncomments; i++) pb.comment[i] = str_index(&w, p->comments[i]);
    if (p->default_sample_type >= 0 && (size_t)p->default_sample_type < p->nsample_types)
        pb.default_sample_type = str_index(&w, p->sample_types[p->default_sample_type].type);
    pb.n_string_table = w.nstrs;
    pb.string_table = w.strs;

    size_t rawlen = perftools__profiles__profile__get_packed_size(&pb);
    uint8_t *raw = pf_xrealloc(NULL, rawlen);
    perftools__profiles__profile__pack(&pb, raw);
    int rc = pf_gzip(raw, rawlen, out, outlen, err, errlen);
    free(raw);
    free(w.strs);
    pf_map_free(&w.index);
    pf_arena_free(w.a);
    return rc;
}

static int write_all(int fd, const uint8_t *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = EIO;
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int profile_write_file(const profile *p, const char *path, char *err, size_t errlen) {
    if (!path || !*path) return pf_errf(err, errlen, "profile: no output path");
    uint8_t *buf;
    size_t len;
    if (profile_encode(p, &buf, &len, err, errlen)) return -1;
    size_t tlen = strlen(path) + 32;
    char *tmp = pf_xrealloc(NULL, tlen);
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = pf_errf(err, errlen, "profile: cannot create %s: %s", tmp, strerror(errno));
    } else {
        if (write_all(fd, buf, len) != 0 || fsync(fd) != 0)
            rc = pf_errf(err, errlen, "profile: cannot write %s: %s", tmp, strerror(errno));
        if (close(fd) != 0 && rc == 0)
            rc = pf_errf(err, errlen, "profile: cannot write %s: %s", tmp, strerror(errno));
        if (rc == 0 && rename(tmp, path) != 0)
            rc = pf_errf(err, errlen, "profile: cannot rename %s to %s: %s", tmp, path,
                         strerror(errno));
        if (rc != 0) unlink(tmp);
    }
    free(tmp);
    free(buf);
    return rc;
}
