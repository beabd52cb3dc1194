/* test_model_roundtrip.c: libprofile's builder, writer and reader agree.
 *
 * A profile built by hand with every kind of field (inlined lines, a
 * location without mapping, one without lines, string and numeric labels,
 * comments, period, default sample type) is encoded, parsed back and
 * compared field by field, ids included. Also: the builder's dedup tables,
 * profile_write_file's temp+rename (an existing file survives a failed
 * write), and profile_read_file's errors.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"

static profile *build_sample_profile(void) {
    profile *p = profile_new();
    ck_assert_ptr_nonnull(p);
    profile_add_sample_type(p, "samples", "count");
    profile_add_sample_type(p, "cpu", "nanoseconds");
    profile_set_period(p, "cpu", "nanoseconds", 10000000);
    p->default_sample_type = 1;
    p->time_nanos = 1700000000123456789LL;
    p->duration_nanos = 2500000000LL;
    p->drop_frames = profile_str(p, "^drop_me$");
    profile_add_comment(p, "first comment");
    profile_add_comment(p, "second comment");

    pf_mapping *exe = profile_add_mapping(p, 0x400000, 0x500000, 0, "/bin/app", "abcdef01");
    exe->has_functions = true;
    pf_mapping *lib = profile_add_mapping(p, 0x7f0000000000, 0x7f0000100000, 0x1000,
                                          "/lib/libc.so.6", "");
    pf_function *fmain = profile_function(p, "main", "main", "app.c", 10);
    pf_function *fwork = profile_function(p, "work", "_Z4workv", "work.c", 20);
    pf_function *finl = profile_function(p, "inlined_helper", "", "work.h", 5);
    pf_function *fmemcpy = profile_function(p, "memcpy", "", "", 0);

    pf_location *lmain = profile_location(p, exe, 0x401000, fmain, 12);
    pf_location *lwork = profile_location(p, exe, 0x402000, finl, 7);
    profile_location_add_line(p, lwork, fwork, 25); /* helper inlined into work */
    pf_location *lmemcpy = profile_location(p, lib, 0x7f0000001234, fmemcpy, 0);
    pf_location *lunknown = profile_location(p, NULL, 0xdeadbeef, NULL, 0);

    pf_location *s1[] = {lwork, lmain};
    pf_sample *s = profile_add_sample(p, s1, 2, (int64_t[]){3, 30000000});
    profile_sample_add_label(p, s, "thread", "worker-1");
    profile_sample_add_num_label(p, s, "bytes", 4096, "bytes");
    pf_location *s2[] = {lmemcpy, lwork, lmain};
    s = profile_add_sample(p, s2, 3, (int64_t[]){1, 10000000});
    profile_sample_add_num_label(p, s, "request", 7, NULL);
    pf_location *s3[] = {lunknown, lmain};
    profile_add_sample(p, s3, 2, (int64_t[]){2, 20000000});
    return p;
}

static void assert_same_string(const char *a, const char *b) {
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, b);
}

static void assert_same_profile(const profile *a, const profile *b) {
    ck_assert_uint_eq(a->nsample_types, b->nsample_types);
    for (size_t i = 0; i < a->nsample_types; i++) {
        assert_same_string(a->sample_types[i].type, b->sample_types[i].type);
        assert_same_string(a->sample_types[i].unit, b->sample_types[i].unit);
    }
    assert_same_string(a->period_type.type, b->period_type.type);
    assert_same_string(a->period_type.unit, b->period_type.unit);
    ck_assert_int_eq(a->period, b->period);
    ck_assert_int_eq(a->time_nanos, b->time_nanos);
    ck_assert_int_eq(a->duration_nanos, b->duration_nanos);
    ck_assert_int_eq(a->default_sample_type, b->default_sample_type);
    assert_same_string(a->drop_frames, b->drop_frames);
    assert_same_string(a->keep_frames, b->keep_frames);
    ck_assert_uint_eq(a->ncomments, b->ncomments);
    for (size_t i = 0; i < a->ncomments; i++) assert_same_string(a->comments[i], b->comments[i]);

    ck_assert_uint_eq(a->nmappings, b->nmappings);
    for (size_t i = 0; i < a->nmappings; i++) {
        const pf_mapping *x = a->mappings[i], *y = b->mappings[i];
        ck_assert_uint_eq(x->id, y->id);
        ck_assert_uint_eq(x->start, y->start);
        ck_assert_uint_eq(x->limit, y->limit);
        ck_assert_uint_eq(x->offset, y->offset);
        assert_same_string(x->file, y->file);
        assert_same_string(x->build_id, y->build_id);
        ck_assert_int_eq(x->has_functions, y->has_functions);
    }
    ck_assert_uint_eq(a->nfunctions, b->nfunctions);
    for (size_t i = 0; i < a->nfunctions; i++) {
        const pf_function *x = a->functions[i], *y = b->functions[i];
        ck_assert_uint_eq(x->id, y->id);
        assert_same_string(x->name, y->name);
        assert_same_string(x->system_name, y->system_name);
        assert_same_string(x->filename, y->filename);
        ck_assert_int_eq(x->start_line, y->start_line);
    }
    ck_assert_uint_eq(a->nlocations, b->nlocations);
    for (size_t i = 0; i < a->nlocations; i++) {
        const pf_location *x = a->locations[i], *y = b->locations[i];
        ck_assert_uint_eq(x->id, y->id);
        ck_assert_uint_eq(x->address, y->address);
        ck_assert_int_eq(x->mapping == NULL, y->mapping == NULL);
        if (x->mapping) ck_assert_uint_eq(x->mapping->id, y->mapping->id);
        ck_assert_uint_eq(x->nlines, y->nlines);
        for (size_t j = 0; j < x->nlines; j++) {
            ck_assert_int_eq(x->lines[j].line, y->lines[j].line);
            ck_assert_int_eq(x->lines[j].fn == NULL, y->lines[j].fn == NULL);
            if (x->lines[j].fn) ck_assert_uint_eq(x->lines[j].fn->id, y->lines[j].fn->id);
        }
    }
    ck_assert_uint_eq(a->nsamples, b->nsamples);
    for (size_t i = 0; i < a->nsamples; i++) {
        const pf_sample *x = &a->samples[i], *y = &b->samples[i];
        ck_assert_uint_eq(x->nlocs, y->nlocs);
        for (size_t j = 0; j < x->nlocs; j++) ck_assert_uint_eq(x->locs[j]->id, y->locs[j]->id);
        for (size_t j = 0; j < a->nsample_types; j++)
            ck_assert_int_eq(x->values[j], y->values[j]);
        ck_assert_uint_eq(x->nlabels, y->nlabels);
        for (size_t j = 0; j < x->nlabels; j++) {
            const pf_label *l = &x->labels[j], *m = &y->labels[j];
            assert_same_string(l->key, m->key);
            ck_assert_int_eq(l->str == NULL, m->str == NULL);
            if (l->str) {
                assert_same_string(l->str, m->str);
            } else {
                ck_assert_int_eq(l->num, m->num);
                ck_assert_int_eq(l->num_unit == NULL, m->num_unit == NULL);
                if (l->num_unit) assert_same_string(l->num_unit, m->num_unit);
            }
        }
    }
}

START_TEST(encode_parse_round_trip) {
    profile *p = build_sample_profile();
    uint8_t *buf;
    size_t len;
    char err[256] = "";
    ck_assert_int_eq(profile_encode(p, &buf, &len, err, sizeof err), 0);
    ck_assert_uint_gt(len, 2);
    ck_assert_uint_eq(buf[0], 0x1f); /* gzipped */
    ck_assert_uint_eq(buf[1], 0x8b);
    profile *q = NULL;
    ck_assert_msg(profile_parse(buf, len, &q, err, sizeof err) == 0, "parse: %s", err);
    assert_same_profile(p, q);
    ck_assert_int_eq(profile_default_value_index(q), 1);
    ck_assert_int_eq(profile_value_index(q, "samples"), 0);
    ck_assert_int_eq(profile_value_index(q, "nope"), -1);

    /* A parsed profile keeps growing with fresh ids. */
    pf_function *f = profile_function(q, "new_fn", "", "", 0);
    ck_assert_uint_eq(f->id, 5);
    ck_assert_ptr_eq(profile_function(q, "main", "main", "app.c", 10), q->functions[0]);
    uint8_t *buf2;
    size_t len2;
    ck_assert_int_eq(profile_encode(q, &buf2, &len2, err, sizeof err), 0);
    profile *r = NULL;
    ck_assert_msg(profile_parse(buf2, len2, &r, err, sizeof err) == 0, "parse: %s", err);
    assert_same_profile(q, r);
    free(buf);
    free(buf2);
    profile_free(p);
    profile_free(q);
    profile_free(r);
}
END_TEST

START_TEST(builder_dedups) {
    profile *p = profile_new();
    profile_add_sample_type(p, "cpu", "nanoseconds");
    ck_assert_int_eq(p->default_sample_type, -1);
    ck_assert_int_eq(profile_default_value_index(p), 0);
    char name[16] = "f";
    ck_assert_ptr_eq(profile_str(p, name), profile_str(p, "f"));
    ck_assert_str_eq(profile_str(p, NULL), "");
    pf_function *f1 = profile_function(p, name, "", "x.c", 1);
    ck_assert_ptr_eq(profile_function(p, "f", "", "x.c", 1), f1);
    ck_assert_ptr_ne(profile_function(p, "f", "", "x.c", 2), f1);
    ck_assert_uint_eq(p->nfunctions, 2);
    pf_mapping *m = profile_add_mapping(p, 0, 100, 0, "a", NULL);
    ck_assert_uint_eq(m->id, 1);
    ck_assert_str_eq(m->build_id, "");
    pf_location *l1 = profile_location(p, m, 10, f1, 3);
    ck_assert_ptr_eq(profile_location(p, m, 10, f1, 3), l1);
    ck_assert_ptr_ne(profile_location(p, NULL, 10, f1, 3), l1);
    /* Address 0 says nothing: locations differ by their line. */
    pf_location *z1 = profile_location(p, NULL, 0, f1, 3);
    pf_location *z2 = profile_location(p, NULL, 0, f1, 4);
    ck_assert_ptr_ne(z1, z2);
    ck_assert_ptr_eq(profile_location(p, NULL, 0, f1, 4), z2);
    ck_assert_uint_eq(p->nlocations, 4);
    for (size_t i = 0; i < p->nlocations; i++) ck_assert_uint_eq(p->locations[i]->id, i + 1);
    /* Many lines and labels grow correctly. */
    for (int i = 0; i < 100; i++) profile_location_add_line(p, l1, f1, i);
    ck_assert_uint_eq(l1->nlines, 101);
    ck_assert_int_eq(l1->lines[0].line, 3);
    ck_assert_int_eq(l1->lines[100].line, 99);
    pf_sample *s = profile_add_sample(p, &l1, 1, (int64_t[]){5});
    for (int i = 0; i < 50; i++) profile_sample_add_num_label(p, s, "n", i, "bytes");
    ck_assert_uint_eq(s->nlabels, 50);
    ck_assert_int_eq(s->labels[49].num, 49);
    ck_assert_str_eq(s->labels[49].num_unit, "bytes");
    profile_free(p);
    profile_free(NULL);
}
END_TEST

static char tmpdir[64];

/* mkdtemp's template: the prefix and six 'X' to replace. */
static void setup_dir(void) {
    strcpy(tmpdir, "/tmp/test_model_");
    size_t n = strlen(tmpdir);
    memset(tmpdir + n, 'X', 6);
    tmpdir[n + 6] = '\0';
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_dir(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", tmpdir, tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static size_t read_whole(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

START_TEST(write_file_then_read_file) {
    setup_dir();
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/cpu.pb.gz", tmpdir);
    profile *p = build_sample_profile();
    ck_assert_msg(profile_write_file(p, path, err, sizeof err) == 0, "write: %s", err);
    profile *q = NULL;
    ck_assert_msg(profile_read_file(path, &q, err, sizeof err) == 0, "read: %s", err);
    assert_same_profile(p, q);
    /* Overwriting works and leaves no temporary file behind. */
    ck_assert_int_eq(profile_write_file(q, path, err, sizeof err), 0);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert_int_eq(access(tmp, F_OK), -1);
    profile_free(p);
    profile_free(q);
    teardown_dir();
}
END_TEST

START_TEST(failed_write_keeps_old_file) {
    setup_dir();
    char path[200], tmp[300], err[256] = "";
    snprintf(path, sizeof path, "%s/cpu.pb.gz", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("old contents", f);
    fclose(f);
    /* The temporary name is taken by a directory: creating it fails. */
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert_int_eq(mkdir(tmp, 0755), 0);
    profile *p = build_sample_profile();
    ck_assert_int_eq(profile_write_file(p, path, err, sizeof err), -1);
    ck_assert_uint_gt(strlen(err), 0);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_ptr_nonnull(strstr(err, "cpu.pb.gz.tmp."));
    char buf[64];
    size_t n = read_whole(path, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen("old contents"));
    ck_assert_int_eq(memcmp(buf, "old contents", n), 0);
    ck_assert_int_eq(rmdir(tmp), 0);

    /* A directory that cannot be written to (root may write anywhere, so
     * this part only runs for other users). */
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(tmpdir, 0555), 0);
        err[0] = '\0';
        ck_assert_int_eq(profile_write_file(p, path, err, sizeof err), -1);
        ck_assert_uint_gt(strlen(err), 0);
        n = read_whole(path, buf, sizeof buf);
        ck_assert_int_eq(memcmp(buf, "old contents", n), 0);
        ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    }

    /* The path is a directory: the rename fails, nothing is left behind. */
    char dir[200];
    snprintf(dir, sizeof dir, "%s/adir", tmpdir);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    err[0] = '\0';
    ck_assert_int_eq(profile_write_file(p, dir, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "rename"));
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dir, (long)getpid());
    ck_assert_int_eq(access(tmp, F_OK), -1);

    /* A path in a directory that does not exist, and an empty path. */
    err[0] = '\0';
    ck_assert_int_eq(profile_write_file(p, "/nonexistent/dir/cpu.pb.gz", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/cpu.pb.gz"));
    ck_assert_int_eq(profile_write_file(p, "", err, sizeof err), -1);
    profile_free(p);
    teardown_dir();
}
END_TEST

START_TEST(read_file_errors) {
    char err[256] = "";
    profile *q = (profile *)1;
    ck_assert_int_eq(profile_read_file("/nonexistent/cpu.pb.gz", &q, err, sizeof err), -1);
    ck_assert_ptr_null(q);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/cpu.pb.gz"));
    err[0] = '\0';
    ck_assert_int_eq(profile_read_file("/tmp", &q, err, sizeof err), -1);
    ck_assert_uint_gt(strlen(err), 0);
    setup_dir();
    char path[200], want[220];
    snprintf(path, sizeof path, "%s/notes.txt", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is not a profile\n", f);
    fclose(f);
    err[0] = '\0';
    ck_assert_int_eq(profile_read_file(path, &q, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: ", path);
    ck_assert_ptr_nonnull(strstr(err, want));
    teardown_dir();
    /* A NULL error buffer is allowed. */
    ck_assert_int_eq(profile_read_file("/nonexistent", &q, NULL, 0), -1);
}
END_TEST

int main(void) {
    Suite *s = suite_create("model_roundtrip");
    TCase *tc = tcase_create("roundtrip");
    tcase_add_test(tc, encode_parse_round_trip);
    tcase_add_test(tc, builder_dedups);
    tcase_add_test(tc, write_file_then_read_file);
    tcase_add_test(tc, failed_write_keeps_old_file);
    tcase_add_test(tc, read_file_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
