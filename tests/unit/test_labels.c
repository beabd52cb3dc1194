/* test_labels.c: label sets and cpuprof_do (the C form of Go's pprof.Do).
 *
 * cpuprof_do extends the thread's set for the call and restores the
 * previous one afterwards, also when nested; a later value for a key
 * replaces the earlier one; equal sets are one interned pointer; bad
 * arguments are EINVAL without running fn; a new thread starts with no
 * labels, and a set passed to it explicitly and installed there works;
 * threads interning the same sets at once all get one pointer per set. End
 * to end: a CPU profile of work done under two different label values has
 * samples carrying each value (read back with libprofile's profile_tags),
 * and the unlabeled work carries none. fork waits while another thread
 * holds the interning lock, so the child never copies a half-made insert,
 * and the child can intern new sets. Nothing passes or fails on time.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpuprof.h"
#include "profile.h"

#include "../../profiler/runtime/sampler_internal.h"

/* ---- the API ------------------------------------------------------------- */

typedef struct seen {
    const cpuprof_labelset *set;
    int calls;
} seen;

static void record_current(void *arg) {
    seen *s = arg;
    s->set = cpuprof_labels_current();
    s->calls++;
}

typedef struct nest {
    const cpuprof_labelset *outer, *inner, *after_inner;
} nest;

static void nested_inner(void *arg) {
    ((nest *)arg)->inner = cpuprof_labels_current();
}

static void nested_outer(void *arg) {
    nest *n = arg;
    n->outer = cpuprof_labels_current();
    cpuprof_label l[] = {{"b", "2"}};
    ck_assert_int_eq(cpuprof_do(l, 1, nested_inner, n), 0);
    n->after_inner = cpuprof_labels_current();
}

START_TEST(nesting_restores_previous_set) {
    ck_assert_ptr_null(cpuprof_labels_current());
    nest n = {0};
    cpuprof_label l[] = {{"a", "1"}};
    ck_assert_int_eq(cpuprof_do(l, 1, nested_outer, &n), 0);
    ck_assert_ptr_null(cpuprof_labels_current());
    ck_assert_uint_eq(cpuprof_labelset_len(n.outer), 1);
    ck_assert_str_eq(cpuprof_label_get(n.outer, "a"), "1");
    ck_assert_ptr_null(cpuprof_label_get(n.outer, "b"));
    ck_assert_uint_eq(cpuprof_labelset_len(n.inner), 2);
    ck_assert_str_eq(cpuprof_label_get(n.inner, "a"), "1");
    ck_assert_str_eq(cpuprof_label_get(n.inner, "b"), "2");
    ck_assert_ptr_eq(n.after_inner, n.outer);
    /* pairs come in key order */
    ck_assert_str_eq(cpuprof_labelset_pair(n.inner, 0)->key, "a");
    ck_assert_str_eq(cpuprof_labelset_pair(n.inner, 1)->key, "b");
    ck_assert_ptr_null(cpuprof_labelset_pair(n.inner, 2));
}
END_TEST

static void override_inner(void *arg) {
    seen *s = arg;
    cpuprof_label l[] = {{"k", "y"}};
    ck_assert_int_eq(cpuprof_do(l, 1, record_current, s), 0);
}

START_TEST(later_value_replaces_key) {
    seen s = {0};
    cpuprof_label l[] = {{"k", "x"}};
    ck_assert_int_eq(cpuprof_do(l, 1, override_inner, &s), 0);
    ck_assert_uint_eq(cpuprof_labelset_len(s.set), 1);
    ck_assert_str_eq(cpuprof_label_get(s.set, "k"), "y");
    /* twice in one call: the last one wins */
    cpuprof_label twice[] = {{"k", "1"}, {"j", "0"}, {"k", "2"}};
    ck_assert_int_eq(cpuprof_do(twice, 3, record_current, &s), 0);
    ck_assert_uint_eq(cpuprof_labelset_len(s.set), 2);
    ck_assert_str_eq(cpuprof_label_get(s.set, "k"), "2");
    ck_assert_str_eq(cpuprof_label_get(s.set, "j"), "0");
}
END_TEST

START_TEST(equal_sets_are_one_pointer) {
    seen s1 = {0}, s2 = {0}, s3 = {0};
    char key[8] = "route", val[8] = "/a"; /* copied: callers' buffers may change */
    cpuprof_label l1[] = {{key, val}, {"m", "GET"}};
    cpuprof_label l2[] = {{"m", "GET"}, {"route", "/a"}};
    ck_assert_int_eq(cpuprof_do(l1, 2, record_current, &s1), 0);
    strcpy(val, "/b");
    ck_assert_int_eq(cpuprof_do(l2, 2, record_current, &s2), 0);
    ck_assert_ptr_eq(s1.set, s2.set);
    ck_assert_str_eq(cpuprof_label_get(s1.set, "route"), "/a");
    ck_assert_int_eq(cpuprof_do(l1, 2, record_current, &s3), 0);
    ck_assert_ptr_ne(s3.set, s1.set);
    ck_assert_str_eq(cpuprof_label_get(s3.set, "route"), "/b");
    /* no pairs: fn runs under the unchanged set */
    seen s4 = {0};
    ck_assert_int_eq(cpuprof_do(NULL, 0, record_current, &s4), 0);
    ck_assert_int_eq(s4.calls, 1);
    ck_assert_ptr_null(s4.set);
}
END_TEST

START_TEST(bad_arguments_are_einval) {
    seen s = {0};
    cpuprof_label ok[] = {{"a", "1"}};
    errno = 0;
    ck_assert_int_eq(cpuprof_do(ok, 1, NULL, NULL), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(cpuprof_do(NULL, 1, record_current, &s), -1);
    cpuprof_label nokey[] = {{NULL, "1"}};
    cpuprof_label noval[] = {{"a", NULL}};
    ck_assert_int_eq(cpuprof_do(nokey, 1, record_current, &s), -1);
    ck_assert_int_eq(cpuprof_do(noval, 1, record_current, &s), -1);
    static char keys[CPUPROF_LABELS_MAX + 1][8];
    cpuprof_label many[CPUPROF_LABELS_MAX + 1];
    for (int i = 0; i <= CPUPROF_LABELS_MAX; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        many[i].key = keys[i];
        many[i].value = "v";
    }
    errno = 0;
    ck_assert_int_eq(cpuprof_do(many, CPUPROF_LABELS_MAX + 1, record_current, &s), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(s.calls, 0);
    ck_assert_int_eq(cpuprof_do(many, CPUPROF_LABELS_MAX, record_current, &s), 0);
    ck_assert_uint_eq(cpuprof_labelset_len(s.set), CPUPROF_LABELS_MAX);
    ck_assert_ptr_null(cpuprof_label_get(NULL, "a"));
    ck_assert_uint_eq(cpuprof_labelset_len(NULL), 0);
}
END_TEST

/* ---- threads ------------------------------------------------------------- */

typedef struct thread_arg {
    const cpuprof_labelset *pass; /* set to install first, or NULL */
    const cpuprof_labelset *at_start, *installed;
    const char *tenant, *extra;
} thread_arg;

static void in_thread_do(void *arg) {
    thread_arg *t = arg;
    t->extra = cpuprof_label_get(cpuprof_labels_current(), "worker");
    t->tenant = cpuprof_label_get(cpuprof_labels_current(), "tenant");
}

static void *thread_main(void *arg) {
    thread_arg *t = arg;
    t->at_start = cpuprof_labels_current();
    if (t->pass) {
        cpuprof_labels_set(t->pass);
        t->installed = cpuprof_labels_current();
        cpuprof_label l[] = {{"worker", "1"}};
        cpuprof_do(l, 1, in_thread_do, t);
    }
    return NULL;
}

static void spawn_plain(void *arg) {
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, thread_main, arg), 0);
    pthread_join(th, NULL);
}

static void spawn_passing(void *arg) {
    thread_arg *t = arg;
    t->pass = cpuprof_labels_current(); /* read before pthread_create */
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, thread_main, t), 0);
    pthread_join(th, NULL);
}

START_TEST(new_thread_has_no_labels) {
    thread_arg t = {0};
    cpuprof_label l[] = {{"tenant", "acme"}};
    ck_assert_int_eq(cpuprof_do(l, 1, spawn_plain, &t), 0);
    ck_assert_ptr_null(t.at_start);
}
END_TEST

START_TEST(passing_the_set_works) {
    thread_arg t = {0};
    cpuprof_label l[] = {{"tenant", "acme"}};
    ck_assert_int_eq(cpuprof_do(l, 1, spawn_passing, &t), 0);
    ck_assert_ptr_null(t.at_start);
    ck_assert_ptr_nonnull(t.pass);
    ck_assert_ptr_eq(t.installed, t.pass);
    ck_assert_str_eq(t.tenant, "acme");
    ck_assert_str_eq(t.extra, "1");
    ck_assert_ptr_null(cpuprof_labels_current());
}
END_TEST

/* ---- many threads interning at once ---------------------------------------- */

#define RACERS 8
#define VALUES 16

typedef struct racer {
    int id;
    const cpuprof_labelset *got[VALUES];
} racer;

static void keep_current(void *arg) {
    *(const cpuprof_labelset **)arg = cpuprof_labels_current();
}

static void *racer_main(void *arg) {
    racer *r = arg;
    for (int round = 0; round < 200; round++)
        for (int v = 0; v < VALUES; v++) {
            int pick = (v + r->id + round) % VALUES; /* threads hit sets in different orders */
            char value[16];
            snprintf(value, sizeof value, "race-%d", pick);
            cpuprof_label l[] = {{"tenant", value}};
            const cpuprof_labelset *got = NULL;
            ck_assert_int_eq(cpuprof_do(l, 1, keep_current, &got), 0);
            if (round == 0) r->got[pick] = got;
            else ck_assert_ptr_eq(got, r->got[pick]); /* found again, same pointer */
        }
    return NULL;
}

START_TEST(concurrent_interning_dedups) {
    racer r[RACERS];
    pthread_t t[RACERS];
    for (int i = 0; i < RACERS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].id = i;
        ck_assert_int_eq(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) pthread_join(t[i], NULL);
    for (int v = 0; v < VALUES; v++) {
        char want[16];
        snprintf(want, sizeof want, "race-%d", v);
        ck_assert_str_eq(cpuprof_label_get(r[0].got[v], "tenant"), want);
        for (int i = 1; i < RACERS; i++) ck_assert_ptr_eq(r[i].got[v], r[0].got[v]);
    }
}
END_TEST

/* ---- a CPU profile with labels --------------------------------------------- */

static int64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static volatile uint64_t sink;

__attribute__((noinline)) static void labeled_work(void *arg) {
    int64_t until = thread_cpu_ns() + *(int64_t *)arg;
    uint64_t x = sink;
    while (thread_cpu_ns() < until)
        for (int i = 0; i < 10000; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    sink = x;
}

START_TEST(cpu_profile_carries_each_value) {
    cpuprof_options o = {.hz = 1000, .mode = CPUPROF_TIMER_THREAD};
    ck_assert_int_eq(cpuprof_start_opts(NULL, &o), 0);
    int64_t ns = 300000000; /* 0.3 CPU-seconds each: ~300 samples at 1000 Hz */
    cpuprof_label a[] = {{"handler", "alpha"}, {"region", "eu"}};
    cpuprof_label b[] = {{"handler", "beta"}, {"region", "eu"}};
    ck_assert_int_eq(cpuprof_do(a, 2, labeled_work, &ns), 0);
    ck_assert_int_eq(cpuprof_do(b, 2, labeled_work, &ns), 0);
    labeled_work(&ns); /* no labels */
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    profile *p;
    char err[256];
    ck_assert_msg(profile_parse(buf, len, &p, err, sizeof err) == 0, "%s", err);
    free(buf);

    int si = profile_value_index(p, "samples");
    pf_tags tags;
    ck_assert_msg(profile_tags(p, si, &tags, err, sizeof err) == 0, "%s", err);
    int64_t alpha = 0, beta = 0, eu = 0;
    for (size_t i = 0; i < tags.ntags; i++) {
        pf_tag *t = &tags.tags[i];
        for (size_t j = 0; j < t->nvalues; j++) {
            if (strcmp(t->key, "handler") == 0 && strcmp(t->values[j].value, "alpha") == 0)
                alpha = t->values[j].total;
            else if (strcmp(t->key, "handler") == 0 && strcmp(t->values[j].value, "beta") == 0)
                beta = t->values[j].total;
            else if (strcmp(t->key, "region") == 0 && strcmp(t->values[j].value, "eu") == 0)
                eu = t->values[j].total;
            else
                ck_abort_msg("unexpected label %s=%s", t->key, t->values[j].value);
        }
    }
    ck_assert_msg(alpha > 30 && beta > 30, "alpha=%lld beta=%lld", (long long)alpha,
                  (long long)beta);
    ck_assert_int_eq(eu, alpha + beta);
    /* the unlabeled third of the work carries no label */
    ck_assert_msg(tags.total > eu + 30, "total=%lld labeled=%lld", (long long)tags.total,
                  (long long)eu);
    pf_tags_free(&tags);

    /* each sample carries one handler and the region with it */
    for (size_t i = 0; i < p->nsamples; i++) {
        pf_sample *s = &p->samples[i];
        int handlers = 0, regions = 0;
        for (size_t j = 0; j < s->nlabels; j++) {
            ck_assert_ptr_nonnull(s->labels[j].str);
            handlers += strcmp(s->labels[j].key, "handler") == 0;
            regions += strcmp(s->labels[j].key, "region") == 0;
        }
        ck_assert_int_le(handlers, 1);
        ck_assert_int_eq(handlers, regions);
    }

    /* -tagfocus keeps only that value's samples */
    pf_filter f = {.tagfocus = "handler=beta"};
    ck_assert_msg(profile_filter(p, &f, err, sizeof err) == 0, "%s", err);
    int64_t kept = 0;
    for (size_t i = 0; i < p->nsamples; i++) kept += p->samples[i].values[si];
    ck_assert_int_eq(kept, beta);
    profile_free(p);
}
END_TEST

/* ---- fork ---------------------------------------------------------------- */

static _Atomic int lock_taken, lock_released;

static void *lock_holder(void *arg) {
    (void)arg;
    labels_lock(); /* as a thread in the middle of interning a new set */
    atomic_store(&lock_taken, 1);
    struct timespec pause = {.tv_nsec = 200 * 1000000}; /* fork is called meanwhile */
    nanosleep(&pause, NULL);
    atomic_store(&lock_released, 1);
    labels_unlock();
    return NULL;
}

static void child_work(void *arg) {
    *(int *)arg = 1;
}

START_TEST(fork_waits_for_interning) {
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, lock_holder, NULL), 0);
    while (!atomic_load(&lock_taken)) sched_yield();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* A set never seen before: needs the lock and the arena. */
        int ran = 0;
        cpuprof_label l[] = {{"fork", "child"}};
        int rc = cpuprof_do(l, 1, child_work, &ran);
        _exit(rc == 0 && ran ? 0 : 1);
    }
    int released_at_fork = atomic_load(&lock_released);
    pthread_join(t, NULL);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(released_at_fork, "fork did not wait for the interning lock");
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("labels");
    TCase *ta = tcase_create("api");
    tcase_add_test(ta, nesting_restores_previous_set);
    tcase_add_test(ta, later_value_replaces_key);
    tcase_add_test(ta, equal_sets_are_one_pointer);
    tcase_add_test(ta, bad_arguments_are_einval);
    tcase_add_test(ta, new_thread_has_no_labels);
    tcase_add_test(ta, passing_the_set_works);
    tcase_add_test(ta, concurrent_interning_dedups);
    tcase_add_test(ta, fork_waits_for_interning);
    suite_add_tcase(s, ta);
    TCase *tp = tcase_create("profile");
    tcase_set_timeout(tp, 30);
    tcase_add_test(tp, cpu_profile_carries_each_value);
    suite_add_tcase(s, tp);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
