/* test_model_top.c: libprofile's aggregations on hand-built profiles.
 *
 * The numbers below are worked out by hand from pprof's rules: flat goes to
 * the first frame (innermost line of the leaf location), cum counts each
 * function once per sample even under recursion, inlined lines are frames
 * of their own, a location without lines is named by its address, samples
 * of value 0 do not count, total is the sum of |value| (of the -diff_base
 * samples alone when there are some). Also -base/-diff_base merging,
 * focus/ignore/tagfocus/tagignore, and the tags table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

/* A profile with sample types samples/count and cpu/nanoseconds; frames are
 * named functions at fixed addresses so two builds share locations. */
typedef struct fixture {
    profile *p;
    pf_mapping *m;
} fixture;

static fixture fx_new(void) {
    fixture f = {profile_new(), NULL};
    profile_add_sample_type(f.p, "samples", "count");
    profile_add_sample_type(f.p, "cpu", "nanoseconds");
    profile_set_period(f.p, "cpu", "nanoseconds", 10);
    f.m = profile_add_mapping(f.p, 0x1000, 0x9000, 0, "/bin/app", "");
    return f;
}

static uint64_t addr_of(const char *name) {
    uint64_t h = 0x2000;
    for (const char *c = name; *c; c++) h = h * 31 + (unsigned char)*c;
    return 0x2000 + (h % 0x6000);
}

static pf_location *fx_loc(fixture *f, const char *name) {
    char file[64];
    snprintf(file, sizeof file, "%s.c", name);
    pf_function *fn = profile_function(f->p, name, name, file, 1);
    return profile_location(f->p, f->m, addr_of(name), fn, 2);
}

/* Adds a sample with frames given leaf first, value v for "cpu" and 1 for
 * "samples". */
static pf_sample *fx_sample(fixture *f, int64_t v, const char *const *names, size_t n) {
    pf_location *locs[16];
    for (size_t i = 0; i < n; i++) locs[i] = fx_loc(f, names[i]);
    return profile_add_sample(f->p, locs, n, (int64_t[]){1, v});
}

#define SAMPLE(f, v, ...)                                                          \
    fx_sample((f), (v), (const char *const[]){__VA_ARGS__},                        \
              sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static const pf_row *row(const pf_report *r, const char *name) {
    for (size_t i = 0; i < r->nrows; i++)
        if (strcmp(r->rows[i].name, name) == 0) return &r->rows[i];
    return NULL;
}

static void assert_row(const pf_report *r, const char *name, int64_t flat, int64_t cum) {
    const pf_row *x = row(r, name);
    ck_assert_msg(x != NULL, "no row %s", name);
    ck_assert_msg(x->flat == flat && x->cum == cum, "%s: flat %lld cum %lld, want %lld %lld",
                  name, (long long)x->flat, (long long)x->cum, (long long)flat, (long long)cum);
}

/* leaf<-a<-b<-a<-main (recursion), a<-main, an inlined pair, an unknown
 * address, and a zero-valued sample. */
static profile *build_top_profile(void) {
    fixture f = fx_new();
    /* The outer a is at another address (another line) of a. */
    pf_function *fa = profile_function(f.p, "a", "a", "a.c", 1);
    pf_location *a2 = profile_location(f.p, f.m, 0x8888, fa, 9);
    pf_location *l0[] = {fx_loc(&f, "leaf"), fx_loc(&f, "a"), fx_loc(&f, "b"), a2,
                         fx_loc(&f, "main")};
    profile_add_sample(f.p, l0, 5, (int64_t[]){1, 10});
    SAMPLE(&f, 5, "a", "main");
    pf_function *inner = profile_function(f.p, "inl_inner", "", "i.h", 1);
    pf_function *outer = profile_function(f.p, "inl_outer", "", "o.c", 1);
    pf_location *inl = profile_location(f.p, f.m, 0x3333, inner, 4);
    profile_location_add_line(f.p, inl, outer, 40);
    pf_location *unk = profile_location(f.p, NULL, 0x1234, NULL, 0);
    pf_location *l1[] = {inl, fx_loc(&f, "main")};
    profile_add_sample(f.p, l1, 2, (int64_t[]){1, 3});
    pf_location *l2[] = {unk, fx_loc(&f, "main")};
    profile_add_sample(f.p, l2, 2, (int64_t[]){1, 2});
    SAMPLE(&f, 0, "leaf", "main");
    return f.p;
}

START_TEST(top_recursion_and_inlining) {
    profile *p = build_top_profile();
    pf_report r;
    char err[256] = "";
    int cpu = profile_value_index(p, "cpu");
    ck_assert_int_eq(cpu, 1);
    ck_assert_int_eq(profile_top(p, cpu, false, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.total, 20);
    ck_assert_int_eq(r.nsamples, 4);
    ck_assert_uint_eq(r.nrows, 7);
    assert_row(&r, "leaf", 10, 10);
    assert_row(&r, "a", 5, 15); /* recursion: once per sample */
    assert_row(&r, "b", 0, 10);
    assert_row(&r, "main", 0, 20);
    assert_row(&r, "inl_inner", 3, 3);
    assert_row(&r, "inl_outer", 0, 3);
    assert_row(&r, "0x1234", 2, 2);
    /* Sorted by flat, then name. */
    const char *want_rows[] = {"leaf", "a", "inl_inner", "0x1234", "b", "inl_outer", "main"};
    for (size_t i = 0; i < 7; i++) ck_assert_str_eq(r.rows[i].name, want_rows[i]);
    pf_report_free(&r);

    ck_assert_int_eq(profile_top(p, cpu, true, &r, err, sizeof err), 0);
    const char *want_cum[] = {"main", "a", "b", "leaf", "inl_inner", "inl_outer", "0x1234"};
    for (size_t i = 0; i < 7; i++) ck_assert_str_eq(r.rows[i].name, want_cum[i]);
    pf_report_free(&r);

    /* The other sample type: every sample counts 1, the zero-cpu one too. */
    ck_assert_int_eq(profile_top(p, 0, false, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.total, 5);
    ck_assert_int_eq(r.nsamples, 5);
    assert_row(&r, "leaf", 2, 2);
    assert_row(&r, "main", 0, 5);
    pf_report_free(&r);

    ck_assert_int_eq(profile_top(p, 2, false, &r, err, sizeof err), -1);
    ck_assert_uint_gt(strlen(err), 0);
    ck_assert_uint_eq(r.nrows, 0);
    profile_free(p);
}
END_TEST

START_TEST(match_value_counts_once) {
    profile *p = build_top_profile();
    int64_t flat, cum;
    char err[256] = "";
    ck_assert_int_eq(profile_match_value(p, 1, "^(a|b)$", &flat, &cum, err, sizeof err), 0);
    ck_assert_int_eq(flat, 5);
    ck_assert_int_eq(cum, 15);
    ck_assert_int_eq(profile_match_value(p, 1, "inl_", &flat, &cum, err, sizeof err), 0);
    ck_assert_int_eq(flat, 3);
    ck_assert_int_eq(cum, 3);
    ck_assert_int_eq(profile_match_value(p, 1, "^0x1234$", &flat, &cum, err, sizeof err), 0);
    ck_assert_int_eq(flat, 2);
    ck_assert_int_eq(profile_match_value(p, 1, "no_such_fn", &flat, &cum, err, sizeof err), 0);
    ck_assert_int_eq(flat + cum, 0);
    ck_assert_int_eq(profile_match_value(p, 1, "(", &flat, &cum, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "regex"));
    ck_assert_ptr_null(strchr(err, '\n'));
    profile_free(p);
}
END_TEST

/* cur: leaf<-main 10, a<-main 5; base: leaf<-main `leaf_base`, b<-main 6. */
static void build_pair(profile **cur, profile **base, int64_t leaf_base) {
    fixture f = fx_new();
    SAMPLE(&f, 10, "leaf", "main");
    SAMPLE(&f, 5, "a", "main");
    *cur = f.p;
    fixture g = fx_new();
    SAMPLE(&g, 6, "b", "main");
    SAMPLE(&g, leaf_base, "leaf", "main");
    *base = g.p;
}

START_TEST(base_subtracts) {
    profile *p, *b;
    build_pair(&p, &b, 4);
    char err[256] = "";
    size_t nfuncs = p->nfunctions;
    ck_assert_int_eq(profile_merge_base(p, b, false, err, sizeof err), 0);
    ck_assert_uint_eq(p->nmappings, 1); /* base's mapping is p's */
    ck_assert_uint_eq(p->nfunctions, nfuncs + 1); /* only b is new */
    ck_assert_uint_eq(p->nsamples, 3);
    pf_report r;
    ck_assert_int_eq(profile_top(p, 1, false, &r, err, sizeof err), 0);
    assert_row(&r, "leaf", 6, 6);
    assert_row(&r, "a", 5, 5);
    assert_row(&r, "b", -6, -6); /* removed work is negative */
    assert_row(&r, "main", 0, 5);
    ck_assert_int_eq(r.total, 17);
    ck_assert_str_eq(r.rows[0].name, "b"); /* sorted by |flat| */
    pf_report_free(&r);

    /* The merged profile is still a valid profile. */
    uint8_t *buf;
    size_t len;
    profile *q = NULL;
    ck_assert_int_eq(profile_encode(p, &buf, &len, err, sizeof err), 0);
    ck_assert_msg(profile_parse(buf, len, &q, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(q->nsamples, 3);
    free(buf);
    profile_free(q);
    profile_free(p);
    profile_free(b);

    /* Work equal in both cancels out entirely. */
    build_pair(&p, &b, 10);
    ck_assert_int_eq(profile_merge_base(p, b, false, err, sizeof err), 0);
    ck_assert_uint_eq(p->nsamples, 2);
    ck_assert_int_eq(profile_top(p, 1, false, &r, err, sizeof err), 0);
    ck_assert_ptr_null(row(&r, "leaf"));
    pf_report_free(&r);
    profile_free(p);
    profile_free(b);
}
END_TEST

START_TEST(diff_base_total) {
    profile *p, *b;
    build_pair(&p, &b, 4);
    char err[256] = "";
    ck_assert_int_eq(profile_merge_base(p, b, true, err, sizeof err), 0);
    ck_assert_uint_eq(p->nsamples, 4); /* base samples stay apart */
    pf_report r;
    ck_assert_int_eq(profile_top(p, 1, false, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.total, 10); /* |-6| + |-4|: the base's total */
    assert_row(&r, "leaf", 6, 6);
    assert_row(&r, "b", -6, -6);
    assert_row(&r, "main", 0, 5);
    pf_report_free(&r);
    int base_samples = 0;
    for (size_t i = 0; i < p->nsamples; i++)
        for (size_t j = 0; j < p->samples[i].nlabels; j++)
            if (strcmp(p->samples[i].labels[j].key, "pprof::base") == 0) {
                ck_assert_str_eq(p->samples[i].labels[j].str, "true");
                ck_assert_int_lt(p->samples[i].values[1], 0);
                base_samples++;
            }
    ck_assert_int_eq(base_samples, 2);
    profile_free(p);
    profile_free(b);
}
END_TEST

START_TEST(merge_incompatible) {
    profile *p, *b;
    build_pair(&p, &b, 4);
    profile *other = profile_new();
    profile_add_sample_type(other, "alloc_space", "bytes");
    char err[256] = "";
    ck_assert_int_eq(profile_merge_base(p, other, false, err, sizeof err), -1);
    ck_assert_uint_gt(strlen(err), 0);
    ck_assert_uint_eq(p->nsamples, 2); /* untouched */
    ck_assert_int_eq(profile_merge_base(p, p, false, err, sizeof err), -1);
    profile_free(other);
    profile_free(p);
    profile_free(b);
}
END_TEST

/* T1 leaf<-a<-main {worker=w1, bytes=4096B} 1; T2 b<-main {worker=w2} 2;
 * T3 a<-b<-main {worker=w1, other=x} 4; T4 leaf<-main {} 8. */
static profile *build_labeled(void) {
    fixture f = fx_new();
    pf_sample *s = SAMPLE(&f, 1, "leaf", "a", "main");
    profile_sample_add_label(f.p, s, "worker", "w1");
    profile_sample_add_num_label(f.p, s, "bytes", 4096, "bytes");
    s = SAMPLE(&f, 2, "b", "main");
    profile_sample_add_label(f.p, s, "worker", "w2");
    s = SAMPLE(&f, 4, "a", "b", "main");
    profile_sample_add_label(f.p, s, "worker", "w1");
    profile_sample_add_label(f.p, s, "other", "x");
    SAMPLE(&f, 8, "leaf", "main");
    return f.p;
}

static int64_t filtered_total(const char *focus, const char *ignore, const char *tagfocus,
                              const char *tagignore) {
    profile *p = build_labeled();
    pf_filter flt = {focus, ignore, tagfocus, tagignore};
    char err[256] = "";
    ck_assert_msg(profile_filter(p, &flt, err, sizeof err) == 0, "%s", err);
    int64_t total = 0;
    for (size_t i = 0; i < p->nsamples; i++) total += p->samples[i].values[1];
    profile_free(p);
    return total;
}

START_TEST(filters) {
    ck_assert_int_eq(filtered_total(NULL, NULL, NULL, NULL), 15);
    ck_assert_int_eq(filtered_total("^a$", NULL, NULL, NULL), 5);
    ck_assert_int_eq(filtered_total(NULL, "^b$", NULL, NULL), 9);
    ck_assert_int_eq(filtered_total("^a$", "^b$", NULL, NULL), 1);
    ck_assert_int_eq(filtered_total("^leaf\\.c$", NULL, NULL, NULL), 9); /* file names too */
    ck_assert_int_eq(filtered_total(NULL, "^/bin/app$", NULL, NULL), 0); /* and mapping files */
    ck_assert_int_eq(filtered_total(NULL, NULL, "worker=w1", NULL), 5);
    ck_assert_int_eq(filtered_total(NULL, NULL, "worker=w1,w2", NULL), 7);
    ck_assert_int_eq(filtered_total(NULL, NULL, "w2", NULL), 2); /* bare: any key */
    ck_assert_int_eq(filtered_total(NULL, NULL, "w1,other:x", NULL), 4); /* all must match */
    ck_assert_int_eq(filtered_total(NULL, NULL, "bytes=^4kB$", NULL), 1); /* numeric */
    ck_assert_int_eq(filtered_total(NULL, NULL, "nokey=.", NULL), 0);
    ck_assert_int_eq(filtered_total(NULL, NULL, NULL, "worker=w1"), 10);
    ck_assert_int_eq(filtered_total(NULL, NULL, "worker=w", "worker=w2"), 5);
    ck_assert_int_eq(filtered_total("main", NULL, NULL, "other=x"), 11);

    profile *p = build_labeled();
    char err[256] = "";
    pf_filter bad = {.tagfocus = "worker=(w1"};
    ck_assert_int_eq(profile_filter(p, &bad, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "-tagfocus"));
    pf_filter bad2 = {.ignore = "[z-a]"};
    ck_assert_int_eq(profile_filter(p, &bad2, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "-ignore"));
    ck_assert_uint_eq(p->nsamples, 4); /* a failed filter removes nothing */
    /* Filtering leaves the profile in a state that encodes and parses. */
    pf_filter ok = {.focus = "^a$"};
    ck_assert_int_eq(profile_filter(p, &ok, err, sizeof err), 0);
    ck_assert_uint_eq(p->nsamples, 2);
    ck_assert_int_eq(p->samples[0].values[1], 1); /* order kept */
    ck_assert_int_eq(p->samples[1].values[1], 4);
    profile_free(p);
}
END_TEST

START_TEST(tags_table) {
    profile *p = build_labeled();
    fixture f = {p, p->mappings[0]};
    pf_sample *s = SAMPLE(&f, 16, "main");
    profile_sample_add_num_label(p, s, "bytes", 1536, "bytes");
    profile_sample_add_num_label(p, s, "wait", 2500000, "nanoseconds");
    profile_sample_add_num_label(p, s, "n", 12, "count");
    profile_sample_add_num_label(p, s, "m", 12, NULL);
    pf_tags t;
    char err[256] = "";
    ck_assert_int_eq(profile_tags(p, 1, &t, err, sizeof err), 0);
    ck_assert_int_eq(t.total, 31);
    const char *keys[] = {"bytes", "m", "n", "other", "wait", "worker"};
    ck_assert_uint_eq(t.ntags, 6);
    for (size_t i = 0; i < 6; i++) ck_assert_str_eq(t.tags[i].key, keys[i]);
    const pf_tag *bytes = &t.tags[0];
    ck_assert_int_eq(bytes->total, 17);
    ck_assert_uint_eq(bytes->nvalues, 2);
    ck_assert_str_eq(bytes->values[0].value, "1.50kB");
    ck_assert_int_eq(bytes->values[0].total, 16);
    ck_assert_str_eq(bytes->values[1].value, "4kB");
    ck_assert_str_eq(t.tags[1].values[0].value, "12");
    ck_assert_str_eq(t.tags[2].values[0].value, "12count");
    ck_assert_str_eq(t.tags[4].values[0].value, "2.50ms");
    const pf_tag *worker = &t.tags[5];
    ck_assert_int_eq(worker->total, 7);
    ck_assert_str_eq(worker->values[0].value, "w1");
    ck_assert_int_eq(worker->values[0].total, 5);
    ck_assert_str_eq(worker->values[1].value, "w2");
    ck_assert_int_eq(worker->values[1].total, 2);
    pf_tags_free(&t);
    ck_assert_uint_eq(t.ntags, 0);
    ck_assert_int_eq(profile_tags(p, -1, &t, err, sizeof err), -1);
    profile_free(p);
}
END_TEST

int main(void) {
    Suite *s = suite_create("model_top");
    TCase *tc = tcase_create("aggregate");
    tcase_add_test(tc, top_recursion_and_inlining);
    tcase_add_test(tc, match_value_counts_once);
    tcase_add_test(tc, base_subtracts);
    tcase_add_test(tc, diff_base_total);
    tcase_add_test(tc, merge_incompatible);
    tcase_add_test(tc, filters);
    tcase_add_test(tc, tags_table);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
