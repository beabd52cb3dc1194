/* test_model_malformed.c: the reader turns every bad input into -1 and a
 * one-line error, never a crash or a half-made profile.
 *
 * Inputs: empty, truncated and corrupt gzip, garbage after gzip, a gzip bomb
 * past the inflate limit, a few hundred random buffers from a fixed seed,
 * random byte flips in a valid message, and valid protobuf that breaks the
 * profile's rules one at a time (id 0, duplicate ids, missing references,
 * string index out of range, wrong value count, bad string table, bad
 * default_sample_type) and a huge length varint. Also multi-member gzip,
 * which is valid.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.h"
#include "profile.pb-c.h"

/* libprofile's inflate limit (model_internal.h); lowered for the bomb. */
extern size_t pf_inflate_limit;

static void expect_error(const void *data, size_t len, const char *want) {
    char err[512];
    memset(err, 0, sizeof err);
    profile *p = (profile *)1;
    int rc = profile_parse(data, len, &p, err, sizeof err);
    ck_assert_msg(rc == -1, "parsed, but expected an error containing \"%s\"", want);
    ck_assert_ptr_null(p);
    ck_assert_uint_gt(strlen(err), 0);
    ck_assert_ptr_null(strchr(err, '\n'));
    if (want) ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
}

/* ---- a small valid message, built with protobuf-c, to break ---------- */

typedef struct pb_fixture {
    Perftools__Profiles__Profile prof;
    Perftools__Profiles__ValueType st, *stp[1];
    Perftools__Profiles__Mapping map, *mapp[1];
    Perftools__Profiles__Function fn, *fnp[1];
    Perftools__Profiles__Line line, *linep[1];
    Perftools__Profiles__Location loc, *locp[1];
    Perftools__Profiles__Label label, *labelp[1];
    Perftools__Profiles__Sample sample, *samplep[1];
    uint64_t loc_ids[1];
    int64_t values[1];
    char *strings[6];
} pb_fixture;

static void pb_init(pb_fixture *f) {
    memset(f, 0, sizeof(*f));
    static const char *const strs[] = {"", "cpu", "nanoseconds", "main", "/bin/app", "k"};
    for (int i = 0; i < 6; i++) f->strings[i] = (char *)strs[i];
    perftools__profiles__profile__init(&f->prof);
    perftools__profiles__value_type__init(&f->st);
    f->st.type = 1;
    f->st.unit = 2;
    f->stp[0] = &f->st;
    perftools__profiles__mapping__init(&f->map);
    f->map.id = 1;
    f->map.memory_start = 0x1000;
    f->map.memory_limit = 0x2000;
    f->map.filename = 4;
    f->mapp[0] = &f->map;
    perftools__profiles__function__init(&f->fn);
    f->fn.id = 1;
    f->fn.name = 3;
    f->fnp[0] = &f->fn;
    perftools__profiles__line__init(&f->line);
    f->line.function_id = 1;
    f->line.line = 7;
    f->linep[0] = &f->line;
    perftools__profiles__location__init(&f->loc);
    f->loc.id = 1;
    f->loc.mapping_id = 1;
    f->loc.address = 0x1234;
    f->loc.n_line = 1;
    f->loc.line = f->linep;
    f->locp[0] = &f->loc;
    perftools__profiles__label__init(&f->label);
    f->label.key = 5;
    f->label.str = 3;
    f->labelp[0] = &f->label;
    perftools__profiles__sample__init(&f->sample);
    f->loc_ids[0] = 1;
    f->values[0] = 42;
    f->sample.n_location_id = 1;
    f->sample.location_id = f->loc_ids;
    f->sample.n_value = 1;
    f->sample.value = f->values;
    f->sample.n_label = 1;
    f->sample.label = f->labelp;
    f->samplep[0] = &f->sample;
    f->prof.n_sample_type = 1;
    f->prof.sample_type = f->stp;
    f->prof.n_mapping = 1;
    f->prof.mapping = f->mapp;
    f->prof.n_function = 1;
    f->prof.function = f->fnp;
    f->prof.n_location = 1;
    f->prof.location = f->locp;
    f->prof.n_sample = 1;
    f->prof.sample = f->samplep;
    f->prof.n_string_table = 6;
    f->prof.string_table = f->strings;
}

static uint8_t *pb_pack(const pb_fixture *f, size_t *len) {
    *len = perftools__profiles__profile__get_packed_size(&f->prof);
    uint8_t *buf = malloc(*len + 1);
    ck_assert_ptr_nonnull(buf);
    perftools__profiles__profile__pack(&f->prof, buf);
    return buf;
}

static void pb_expect_error(const pb_fixture *f, const char *want) {
    size_t len;
    uint8_t *buf = pb_pack(f, &len);
    expect_error(buf, len, want);
    free(buf);
}

static uint8_t *gzip_buf(const void *data, size_t len, size_t *outlen) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t cap = deflateBound(&zs, len) + 64;
    uint8_t *out = malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *outlen = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

START_TEST(fixture_is_valid) {
    pb_fixture f;
    pb_init(&f);
    size_t len;
    uint8_t *buf = pb_pack(&f, &len);
    profile *p = NULL;
    char err[256] = "";
    ck_assert_msg(profile_parse(buf, len, &p, err, sizeof err) == 0, "%s", err); /* raw */
    ck_assert_uint_eq(p->nsamples, 1);
    ck_assert_int_eq(p->samples[0].values[0], 42);
    ck_assert_str_eq(p->samples[0].locs[0]->lines[0].fn->name, "main");
    ck_assert_str_eq(p->samples[0].labels[0].str, "main");
    profile_free(p);

    /* Two gzip members, each holding half of the message, are one stream. */
    size_t l1, l2;
    uint8_t *g1 = gzip_buf(buf, len / 2, &l1), *g2 = gzip_buf(buf + len / 2, len - len / 2, &l2);
    uint8_t *both = malloc(l1 + l2);
    memcpy(both, g1, l1);
    memcpy(both + l1, g2, l2);
    ck_assert_msg(profile_parse(both, l1 + l2, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(p->nsamples, 1);
    profile_free(p);
    free(g1);
    free(g2);
    free(both);
    free(buf);
}
END_TEST

START_TEST(rule_violations) {
    pb_fixture f;
    pb_init(&f);
    f.loc.id = 0;
    pb_expect_error(&f, "location 0 has id 0");

    pb_init(&f);
    f.loc_ids[0] = 99;
    pb_expect_error(&f, "sample 0 refers to location 99, which does not exist");

    pb_init(&f);
    f.fn.name = 99;
    pb_expect_error(&f, "refers to string 99");

    pb_init(&f);
    f.label.str = -1;
    pb_expect_error(&f, "refers to string -1");

    pb_init(&f);
    f.st.unit = 6;
    pb_expect_error(&f, "string 6, but the string table has 6 entries");

    pb_init(&f);
    f.sample.n_value = 0;
    pb_expect_error(&f, "sample 0 has 0 values, but there are 1 sample types");

    pb_init(&f);
    f.prof.n_sample_type = 0;
    pb_expect_error(&f, "1 values, but there are 0 sample types");

    pb_init(&f);
    f.strings[0] = "x";
    pb_expect_error(&f, "string_table[0]");

    pb_init(&f);
    f.prof.n_string_table = 0;
    f.prof.n_sample = f.prof.n_location = f.prof.n_function = f.prof.n_mapping = 0;
    f.prof.n_sample_type = 0;
    f.prof.time_nanos = 5; /* so the message is not empty */
    pb_expect_error(&f, "string table is empty");

    pb_init(&f);
    f.loc.mapping_id = 7;
    pb_expect_error(&f, "refers to mapping 7");

    pb_init(&f);
    f.line.function_id = 8;
    pb_expect_error(&f, "refers to function 8");

    pb_init(&f);
    f.map.id = 0;
    pb_expect_error(&f, "mapping 0 has id 0");

    pb_init(&f);
    f.fn.id = 0;
    pb_expect_error(&f, "function 0 has id 0");

    pb_init(&f);
    Perftools__Profiles__Function *two[2] = {&f.fn, &f.fn};
    f.prof.function = two;
    f.prof.n_function = 2;
    pb_expect_error(&f, "function id 1 appears twice");

    pb_init(&f);
    f.prof.default_sample_type = 3; /* "main" is no sample type */
    pb_expect_error(&f, "default_sample_type");

    pb_init(&f);
    f.prof.comment = (int64_t[]){1, 1000};
    f.prof.n_comment = 2;
    pb_expect_error(&f, "comment 1 refers to string 1000");

    /* And the fixture itself is fine, with a valid default type. */
    pb_init(&f);
    f.prof.default_sample_type = 1;
    size_t len;
    uint8_t *buf = pb_pack(&f, &len);
    profile *p = NULL;
    char err[256] = "";
    ck_assert_msg(profile_parse(buf, len, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(p->default_sample_type, 0);
    profile_free(p);
    free(buf);
}
END_TEST

START_TEST(bad_protobuf) {
    expect_error("", 0, "empty");
    /* Field 6 (string_table), length-delimited, with a length near 2^64. */
    const uint8_t huge[] = {0x32, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a'};
    expect_error(huge, sizeof huge, "protobuf");
    /* A length of 2^31 with three bytes behind it. */
    const uint8_t big[] = {0x32, 0x80, 0x80, 0x80, 0x80, 0x08, 'a', 'b', 'c'};
    expect_error(big, sizeof big, "protobuf");
    /* A varint that never ends. */
    const uint8_t endless[] = {0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff};
    expect_error(endless, sizeof endless, NULL);
    /* Wire type 7 does not exist. */
    const uint8_t wt[] = {0x0f, 0x00};
    expect_error(wt, sizeof wt, NULL);
}
END_TEST

START_TEST(bad_gzip) {
    pb_fixture f;
    pb_init(&f);
    size_t len, glen;
    uint8_t *raw = pb_pack(&f, &len);
    uint8_t *gz = gzip_buf(raw, len, &glen);
    for (size_t cut = 2; cut < glen; cut += 3) expect_error(gz, cut, "gzip");
    expect_error(gz, 2, "truncated gzip");
    expect_error(gz, glen - 1, "truncated gzip");

    uint8_t *bad = malloc(glen + 4);
    memcpy(bad, gz, glen);
    bad[12] ^= 0xff; /* inside the deflate data */
    bad[13] ^= 0x55;
    expect_error(bad, glen, "gzip");
    memcpy(bad, gz, glen);
    bad[glen - 5] ^= 1; /* the stored length */
    expect_error(bad, glen, "gzip");
    memcpy(bad, gz, glen);
    memcpy(bad + glen, "junk", 4);
    expect_error(bad, glen + 4, "garbage after the gzip data");
    free(bad);
    free(gz);
    free(raw);
}
END_TEST

START_TEST(gzip_bomb) {
    /* 64 MiB of zeros gzip to about 64 KiB; with the limit at 8 MiB the
     * reader must stop and say why. */
    size_t n = (size_t)64 << 20, glen;
    uint8_t *zeros = calloc(1, n);
    ck_assert_ptr_nonnull(zeros);
    uint8_t *gz = gzip_buf(zeros, n, &glen);
    free(zeros);
    ck_assert_uint_lt(glen, n / 100);
    size_t saved = pf_inflate_limit;
    pf_inflate_limit = (size_t)8 << 20;
    expect_error(gz, glen, "limit");
    pf_inflate_limit = saved;
    /* Under the real limit the zeros inflate, and are an invalid message
     * (field 0 does not exist). */
    expect_error(gz, glen, "protobuf");
    free(gz);
}
END_TEST

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

START_TEST(random_garbage) {
    uint8_t buf[600];
    for (int i = 0; i < 400; i++) {
        size_t len = 1 + rng() % sizeof buf;
        for (size_t j = 0; j < len; j++) buf[j] = (uint8_t)rng();
        if (i % 4 == 0 && len >= 2) { /* look like gzip */
            buf[0] = 0x1f;
            buf[1] = 0x8b;
        }
        expect_error(buf, len, NULL);
    }
}
END_TEST

/* Random byte flips in a valid message: any outcome but a crash is fine,
 * and whatever parses must encode and parse again. */
START_TEST(mutated_messages) {
    profile *src = profile_new();
    profile_add_sample_type(src, "cpu", "nanoseconds");
    pf_mapping *m = profile_add_mapping(src, 0x1000, 0x9000, 0, "/bin/app", "b1d");
    pf_location *prev = NULL;
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "fn%d", i);
        pf_function *fn = profile_function(src, name, name, "f.c", i);
        pf_location *loc = profile_location(src, m, 0x1000 + 16 * (uint64_t)i, fn, i);
        pf_location *locs[] = {loc, prev ? prev : loc};
        pf_sample *s = profile_add_sample(src, locs, 2, (int64_t[]){i + 1});
        profile_sample_add_label(src, s, "k", name);
        profile_sample_add_num_label(src, s, "n", i, "bytes");
        prev = loc;
    }
    /* The raw message: encode, then inflate with zlib. */
    uint8_t *gz;
    size_t glen;
    char err[256] = "";
    ck_assert_int_eq(profile_encode(src, &gz, &glen, err, sizeof err), 0);
    uint8_t raw[8192];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    zs.next_in = gz;
    zs.avail_in = glen;
    zs.next_out = raw;
    zs.avail_out = sizeof raw;
    ck_assert_int_eq(inflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = sizeof raw - zs.avail_out;
    inflateEnd(&zs);
    free(gz);
    profile_free(src);

    int parsed = 0, failed = 0;
    uint8_t buf[8192];
    for (int i = 0; i < 500; i++) {
        memcpy(buf, raw, len);
        int flips = 1 + (int)(rng() % 4);
        for (int k = 0; k < flips; k++) buf[rng() % len] ^= (uint8_t)(1 + rng() % 255);
        profile *p = NULL;
        err[0] = '\0';
        if (profile_parse(buf, len, &p, err, sizeof err) == 0) {
            uint8_t *out;
            size_t outlen;
            profile *q = NULL;
            ck_assert_int_eq(profile_encode(p, &out, &outlen, err, sizeof err), 0);
            ck_assert_msg(profile_parse(out, outlen, &q, err, sizeof err) == 0, "%s", err);
            ck_assert_uint_eq(q->nsamples, p->nsamples);
            free(out);
            profile_free(q);
            profile_free(p);
            parsed++;
        } else {
            ck_assert_ptr_null(p);
            ck_assert_uint_gt(strlen(err), 0);
            ck_assert_ptr_null(strchr(err, '\n'));
            failed++;
        }
    }
    /* Both outcomes happen: the validator rejects some flips that protobuf
     * accepts, and harmless flips still parse. */
    ck_assert_int_gt(parsed, 0);
    ck_assert_int_gt(failed, 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("model_malformed");
    TCase *tc = tcase_create("malformed");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fixture_is_valid);
    tcase_add_test(tc, rule_violations);
    tcase_add_test(tc, bad_protobuf);
    tcase_add_test(tc, bad_gzip);
    tcase_add_test(tc, gzip_bomb);
    tcase_add_test(tc, random_garbage);
    tcase_add_test(tc, mutated_messages);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
