/* test_mutex.c: the mutex contention profile (mutex_profile.c), linked
 * statically, so this program's own pthread_mutex_lock calls go through
 * the interposer.
 *
 * The rate API returns the previous rate and reads with a negative one.
 * Eight threads contending on one mutex at rate 1 give a profile with
 * sample types contentions/count and delay/nanoseconds, contentions > 0,
 * whose top function by delay is the contended call site bump_counter; the
 * waiter's label set goes with its samples. Rate 0 (after being on) records
 * nothing; threads with a mutex each record nothing. The interposer returns
 * what the real function would (EDEADLK on an error-checking mutex the
 * thread holds, 0 on a recursive one). The file writer works and reports a
 * bad path. A contended lock taken in SIGPROF handler context (as
 * libunwind's allocator does inside the CPU sampler's handler) is passed
 * to the real function and never recorded as the program's contention.
 * Check runs each test in its own process (CK_FORK), so each starts with
 * an empty table. Nothing passes or fails on time.
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
#include <time.h>
#include <unistd.h>

#include "../../profiler/runtime/sampler_internal.h"

#include "cpuprof.h"
#include "profile.h"

#define THREADS 8
#define ITERS 40000

typedef struct worker {
    pthread_mutex_t *lock;
    unsigned long *counter;
    pthread_t tid;
} worker;

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long shared_counter;
static pthread_mutex_t own_locks[THREADS];
static unsigned long own_counters[THREADS];

__attribute__((noinline)) static void bump_counter(pthread_mutex_t *lock, unsigned long *counter) {
    pthread_mutex_lock(lock);
    unsigned long x = *counter, mix = 0;
    for (unsigned long i = 0; i < 200; i++) {
        mix += i * x;
        __asm__ volatile("" : "+r"(mix));
    }
    *counter = x + 1;
    pthread_mutex_unlock(lock);
}

static void *worker_main(void *arg) {
    worker *w = arg;
    for (int i = 0; i < ITERS; i++) bump_counter(w->lock, w->counter);
    return NULL;
}

static void work_labeled(void *arg) {
    worker_main(arg);
}

static void *labeled_main(void *arg) {
    cpuprof_label l[] = {{"phase", "contend"}};
    cpuprof_do(l, 1, work_labeled, arg);
    return NULL;
}

/* Runs THREADS workers on one shared mutex (shared) or one mutex each. */
static void run_workers(int shared, int labeled) {
    worker w[THREADS];
    shared_counter = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_mutex_init(&own_locks[i], NULL);
        own_counters[i] = 0;
        w[i].lock = shared ? &shared_lock : &own_locks[i];
        w[i].counter = shared ? &shared_counter : &own_counters[i];
        ck_assert_int_eq(pthread_create(&w[i].tid, NULL, labeled ? labeled_main : worker_main,
                                        &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(w[i].tid, NULL);
    unsigned long total = shared_counter;
    for (int i = 0; i < THREADS; i++) total += own_counters[i];
    ck_assert_uint_eq(total, (unsigned long)THREADS * ITERS); /* locking still works */
}

static profile *current_profile(void) {
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_mutex_profile_to_buffer(&buf, &len), 0);
    profile *p;
    char err[256];
    ck_assert_msg(profile_parse(buf, len, &p, err, sizeof err) == 0, "%s", err);
    free(buf);
    return p;
}

static int64_t total_of(const profile *p, const char *type) {
    int vi = profile_value_index(p, type);
    ck_assert_int_ge(vi, 0);
    int64_t sum = 0;
    for (size_t i = 0; i < p->nsamples; i++) sum += p->samples[i].values[vi];
    return sum;
}

START_TEST(rate_returns_previous) {
    ck_assert_int_eq(cpuprof_mutex_profile_rate(-1), 0);
    ck_assert_int_eq(cpuprof_mutex_profile_rate(5), 0);
    ck_assert_int_eq(cpuprof_mutex_profile_rate(-1), 5);
    ck_assert_int_eq(cpuprof_mutex_profile_rate(0), 5);
    ck_assert_int_eq(cpuprof_mutex_profile_rate(-7), 0);
}
END_TEST

START_TEST(contended_call_site_is_top) {
    cpuprof_mutex_profile_rate(1);
    run_workers(1, 0);
    profile *p = current_profile();
    ck_assert_uint_eq(p->nsample_types, 2);
    ck_assert_str_eq(p->sample_types[0].type, "contentions");
    ck_assert_str_eq(p->sample_types[0].unit, "count");
    ck_assert_str_eq(p->sample_types[1].type, "delay");
    ck_assert_str_eq(p->sample_types[1].unit, "nanoseconds");
    ck_assert_str_eq(p->period_type.type, "contentions");
    ck_assert_str_eq(p->period_type.unit, "count");
    ck_assert_int_eq(p->period, 1);
    int64_t contentions = total_of(p, "contentions"), delay = total_of(p, "delay");
    ck_assert_msg(contentions > 0 && delay > 0, "contentions=%lld delay=%lld",
                  (long long)contentions, (long long)delay);
    pf_report r;
    char err[256];
    ck_assert(profile_top(p, profile_value_index(p, "delay"), false, &r, err, sizeof err) == 0);
    ck_assert_uint_ge(r.nrows, 1);
    ck_assert_str_eq(r.rows[0].name, "bump_counter");
    /* the interposer's own frames are not in the stacks */
    for (size_t i = 0; i < r.nrows; i++) {
        ck_assert_str_ne(r.rows[i].name, "pthread_mutex_lock");
        ck_assert_str_ne(r.rows[i].name, "contended_lock");
    }
    pf_report_free(&r);
    /* worker_main calls bump_counter: every stack goes through both */
    int64_t flat, cum;
    ck_assert(profile_match_value(p, 1, "^worker_main$", &flat, &cum, err, sizeof err) == 0);
    ck_assert_int_eq(cum, delay);
    profile_free(p);
}
END_TEST

START_TEST(waiter_labels_are_kept) {
    cpuprof_mutex_profile_rate(1);
    run_workers(1, 1);
    profile *p = current_profile();
    pf_tags tags;
    char err[256];
    ck_assert(profile_tags(p, 0, &tags, err, sizeof err) == 0);
    ck_assert_uint_eq(tags.ntags, 1);
    ck_assert_str_eq(tags.tags[0].key, "phase");
    ck_assert_str_eq(tags.tags[0].values[0].value, "contend");
    ck_assert_int_gt(tags.tags[0].total, 0);
    ck_assert_int_eq(tags.tags[0].total, tags.total);
    pf_tags_free(&tags);
    profile_free(p);
}
END_TEST

START_TEST(rate_zero_records_nothing) {
    cpuprof_mutex_profile_rate(1);
    cpuprof_mutex_profile_rate(0);
    run_workers(1, 0);
    profile *p = current_profile();
    ck_assert_int_eq(total_of(p, "contentions"), 0);
    ck_assert_uint_eq(p->nsamples, 0);
    ck_assert_int_eq(p->period, 0);
    profile_free(p);
}
END_TEST

START_TEST(never_enabled_gives_empty_profile) {
    run_workers(1, 0);
    profile *p = current_profile();
    ck_assert_uint_eq(p->nsamples, 0);
    ck_assert_uint_eq(p->nsample_types, 2);
    profile_free(p);
}
END_TEST

START_TEST(uncontended_records_nothing) {
    cpuprof_mutex_profile_rate(1);
    run_workers(0, 0);
    profile *p = current_profile();
    ck_assert_int_eq(total_of(p, "contentions"), 0);
    profile_free(p);
}
END_TEST

START_TEST(sampled_rate_weights_events) {
    cpuprof_mutex_profile_rate(4);
    run_workers(1, 0);
    profile *p = current_profile();
    ck_assert_int_eq(p->period, 4);
    int64_t contentions = total_of(p, "contentions");
    ck_assert_int_gt(contentions, 0);
    ck_assert_int_eq(contentions % 4, 0); /* each recorded event stands for 4 */
    profile_free(p);
}
END_TEST

START_TEST(returns_what_the_real_lock_returns) {
    cpuprof_mutex_profile_rate(1);
    pthread_mutexattr_t a;
    pthread_mutex_t m;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&m, &a);
    ck_assert_int_eq(pthread_mutex_lock(&m), 0);
    ck_assert_int_eq(pthread_mutex_lock(&m), EDEADLK);
    ck_assert_int_eq(pthread_mutex_unlock(&m), 0);
    pthread_mutex_destroy(&m);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m, &a);
    ck_assert_int_eq(pthread_mutex_lock(&m), 0);
    ck_assert_int_eq(pthread_mutex_lock(&m), 0);
    ck_assert_int_eq(pthread_mutex_unlock(&m), 0);
    ck_assert_int_eq(pthread_mutex_unlock(&m), 0);
    pthread_mutex_destroy(&m);
    pthread_mutexattr_destroy(&a);
}
END_TEST

START_TEST(write_file_and_bad_path) {
    cpuprof_mutex_profile_rate(1);
    run_workers(1, 0);
    char dir[32] = "/tmp/test_mutex.";
    size_t n = strlen(dir);
    memset(dir + n, 'X', 6); /* mkdtemp's template: six 'X' to replace */
    dir[n + 6] = '\0';
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/mutex.pb.gz", dir);
    ck_assert_int_eq(cpuprof_mutex_profile_write(path), 0);
    profile *p;
    char err[256];
    ck_assert_msg(profile_read_file(path, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_gt(total_of(p, "contentions"), 0);
    profile_free(p);
    unlink(path);
    rmdir(dir);
    ck_assert_int_eq(cpuprof_mutex_profile_write("/nonexistent-dir/m.pb.gz"), -1);
    ck_assert_int_eq(cpuprof_mutex_profile_write(NULL), -1);
    ck_assert_int_eq(cpuprof_mutex_profile_to_buffer(NULL, NULL), -1);
}
END_TEST

/* ---- locks taken inside the SIGPROF handler -------------------------------- */

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int holder_ready;

static void *holder_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&held_lock);
    atomic_store(&holder_ready, 1);
    struct timespec pause = {.tv_nsec = 200 * 1000000}; /* the main thread blocks meanwhile */
    nanosleep(&pause, NULL);
    pthread_mutex_unlock(&held_lock);
    return NULL;
}

START_TEST(handler_context_is_not_recorded) {
    ck_assert_int_eq(cpuprof_mutex_profile_rate(1), 0);
    profile *p = current_profile();
    int64_t before = total_of(p, "contentions");
    profile_free(p);
    uint64_t in_handler = mutex_profile_locks_in_handler();
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, holder_main, NULL), 0);
    while (!atomic_load(&holder_ready)) sched_yield();
    cpuprof_tls_in_handler = 1; /* as the CPU sampler's handler sets it */
    int rc = pthread_mutex_lock(&held_lock);
    cpuprof_tls_in_handler = 0;
    ck_assert_int_eq(rc, 0);
    pthread_mutex_unlock(&held_lock);
    pthread_join(t, NULL);
    ck_assert_uint_eq(mutex_profile_locks_in_handler(), in_handler + 1);
    p = current_profile();
    ck_assert_int_eq(total_of(p, "contentions"), before); /* nothing recorded */
    profile_free(p);
    /* Outside the handler the same contention is recorded. */
    atomic_store(&holder_ready, 0);
    ck_assert_int_eq(pthread_create(&t, NULL, holder_main, NULL), 0);
    while (!atomic_load(&holder_ready)) sched_yield();
    pthread_mutex_lock(&held_lock);
    pthread_mutex_unlock(&held_lock);
    pthread_join(t, NULL);
    p = current_profile();
    ck_assert_int_gt(total_of(p, "contentions"), before);
    profile_free(p);
}
END_TEST

int main(void) {
    Suite *s = suite_create("mutex");
    TCase *tc = tcase_create("mutex");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rate_returns_previous);
    tcase_add_test(tc, contended_call_site_is_top);
    tcase_add_test(tc, waiter_labels_are_kept);
    tcase_add_test(tc, rate_zero_records_nothing);
    tcase_add_test(tc, never_enabled_gives_empty_profile);
    tcase_add_test(tc, uncontended_records_nothing);
    tcase_add_test(tc, sampled_rate_weights_events);
    tcase_add_test(tc, returns_what_the_real_lock_returns);
    tcase_add_test(tc, write_file_and_bad_path);
    tcase_add_test(tc, handler_context_is_not_recorded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
