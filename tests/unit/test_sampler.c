/* test_sampler.c: the runtime sampler of libcpuprof.
 *
 * The stack table is tested directly (insert, the same stack counted once
 * with its count, labels as part of the key, a full table refusing new
 * stacks). The sampler is tested end to end from code: a CPU-bound
 * function profiled with cpuprof_start/stop must be the top function of
 * the profile read back with libprofile; a second start gets EBUSY; the
 * buffer variant gives a profile that parses; per-thread mode arms a timer
 * for a thread created after start; a forked child does not inherit the
 * running profile; dlopen works while profiling. The program's own SIGPROF
 * handler comes back at stop, and replacing the handler or the process
 * timer while profiling gets a warning line. A thread that attaches gets
 * a fresh timer even when its tid is registered already (tid reuse). A
 * handler that never finishes makes dlopen give up waiting (bounded) and
 * abandons profiling instead of hanging. Nothing here passes or fails on
 * how long something took.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../profiler/runtime/sampler_internal.h"
#include "../../profiler/runtime/stack_table.h"
#include "cpuprof.h"
#include "profile.h"

/* ---- stack table ------------------------------------------------------- */

START_TEST(table_insert_and_count) {
    stack_table *t = stack_table_new(8, 4);
    ck_assert_ptr_nonnull(t);
    uintptr_t a[3] = {0x1000, 0x2000, 0x3000};
    uintptr_t b[2] = {0x1000, 0x2000};
    ck_assert_int_eq(stack_table_add(t, a, 3, NULL, 1), 0);
    ck_assert_int_eq(stack_table_add(t, a, 3, NULL, 3), 0);
    ck_assert_int_eq(stack_table_add(t, b, 2, NULL, 1), 0);
    ck_assert_uint_eq(stack_table_stacks(t), 2);
    size_t cur = 0, n = 0;
    stack_entry e;
    int seen_a = 0;
    while (stack_table_next(t, &cur, &e)) {
        n++;
        if (e.depth == 3) {
            seen_a = 1;
            ck_assert_uint_eq(e.count, 2);
            ck_assert_uint_eq(e.periods, 4);
            ck_assert_uint_eq(e.pcs[0], 0x1000);
            ck_assert_uint_eq(e.pcs[2], 0x3000);
        } else {
            ck_assert_int_eq(e.depth, 2);
            ck_assert_uint_eq(e.count, 1);
        }
    }
    ck_assert_uint_eq(n, 2);
    ck_assert(seen_a);
    stack_table_free(t);
}
END_TEST

START_TEST(table_labels_are_part_of_key) {
    stack_table *t = stack_table_new(8, 4);
    uintptr_t a[1] = {0x42};
    static const int set1 = 1, set2 = 2;
    ck_assert_int_eq(stack_table_add(t, a, 1, &set1, 1), 0);
    ck_assert_int_eq(stack_table_add(t, a, 1, &set2, 1), 0);
    ck_assert_int_eq(stack_table_add(t, a, 1, &set1, 1), 0);
    ck_assert_uint_eq(stack_table_stacks(t), 2);
    size_t cur = 0;
    stack_entry e;
    while (stack_table_next(t, &cur, &e))
        ck_assert_uint_eq(e.count, e.labels == &set1 ? 2 : 1);
    stack_table_free(t);
}
END_TEST

START_TEST(table_full_refuses_new_stacks) {
    stack_table *t = stack_table_new(4, 2);
    for (uintptr_t i = 1; i <= 4; i++) {
        uintptr_t pcs[1] = {i * 16};
        ck_assert_int_eq(stack_table_add(t, pcs, 1, NULL, 1), 0);
    }
    uintptr_t extra[1] = {0x999};
    ck_assert_int_eq(stack_table_add(t, extra, 1, NULL, 1), -1);
    /* A stack already stored is still counted. */
    uintptr_t first[1] = {16};
    ck_assert_int_eq(stack_table_add(t, first, 1, NULL, 1), 0);
    ck_assert_uint_eq(stack_table_stacks(t), 4);
    /* Out-of-range depths are refused. */
    uintptr_t deep[3] = {1, 2, 3};
    ck_assert_int_eq(stack_table_add(t, deep, 3, NULL, 1), -1);
    ck_assert_int_eq(stack_table_add(t, deep, 0, NULL, 1), -1);
    stack_table_free(t);
}
END_TEST

START_TEST(table_rejects_bad_sizes) {
    ck_assert_ptr_null(stack_table_new(0, 4));
    ck_assert_ptr_null(stack_table_new(4, 0));
    ck_assert_ptr_null(stack_table_new(4, STACK_TABLE_MAX_DEPTH + 1));
}
END_TEST

/* ---- sampler ----------------------------------------------------------- */

static volatile double sink;

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline, used)) static double sampler_test_spin(double x) {
    for (int i = 0; i < 100000; i++) x = x * 1.0000001 + 0.5 / (x + 1.0);
    return x;
}

static void burn_cpu(double seconds) {
    double x = 1.0, start = thread_cpu();
    while (thread_cpu() - start < seconds) x = sampler_test_spin(x);
    sink = x;
}

static char *tmp_path(const char *name) {
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/test_sampler.%d.%s", (int)getpid(), name);
    return buf;
}

static void check_top(profile *p, const char *fn) {
    char err[256];
    pf_report r;
    int si = profile_value_index(p, "samples");
    ck_assert_int_ge(si, 0);
    ck_assert_int_ge(profile_value_index(p, "cpu"), 0);
    ck_assert_int_eq(profile_top(p, si, false, &r, err, sizeof err), 0);
    ck_assert_uint_gt(r.nrows, 0);
    ck_assert_msg(strcmp(r.rows[0].name, fn) == 0, "top is %s, not %s", r.rows[0].name, fn);
    pf_report_free(&r);
}

static void profile_cpu_work(cpuprof_timer_mode mode) {
    const char *path = tmp_path(mode == CPUPROF_TIMER_THREAD ? "thread.pb.gz" : "proc.pb.gz");
    cpuprof_options o = {.hz = 200, .mode = mode};
    ck_assert_int_eq(cpuprof_start_opts(path, &o), 0);
    burn_cpu(0.5);
    cpuprof_stats st;
    cpuprof_get_stats(&st);
    ck_assert_uint_gt(st.samples, 0);
    ck_assert_int_eq(cpuprof_stop(), 0);
    profile *p;
    char err[256];
    ck_assert_msg(profile_read_file(path, &p, err, sizeof err) == 0, "%s", err);
    check_top(p, "sampler_test_spin");
    ck_assert_int_eq(p->period, 1000000000 / 200);
    ck_assert_int_gt(p->duration_nanos, 0);
    ck_assert_int_gt(p->time_nanos, 0);
    ck_assert_uint_ge(p->ncomments, 1);
    ck_assert_ptr_nonnull(strstr(p->comments[0], "Hz achieved of 200 asked"));
    profile_free(p);
    unlink(path);
    cpuprof_get_stats(&st);
    ck_assert_double_eq(st.requested_hz, 200);
    ck_assert_double_gt(st.achieved_hz, 0);
}

START_TEST(start_stop_process_mode) {
    profile_cpu_work(CPUPROF_TIMER_PROCESS);
}
END_TEST

START_TEST(start_stop_thread_mode) {
    profile_cpu_work(CPUPROF_TIMER_THREAD);
}
END_TEST

START_TEST(start_twice_is_ebusy) {
    ck_assert_int_eq(cpuprof_start(tmp_path("busy.pb.gz"), 100), 0);
    errno = 0;
    ck_assert_int_eq(cpuprof_start(tmp_path("busy2.pb.gz"), 100), -1);
    ck_assert_int_eq(errno, EBUSY);
    ck_assert_int_eq(cpuprof_stop(), 0);
    unlink(tmp_path("busy.pb.gz"));
    /* And it can start again once stopped. */
    ck_assert_int_eq(cpuprof_start(tmp_path("busy.pb.gz"), 100), 0);
    ck_assert_int_eq(cpuprof_stop(), 0);
    unlink(tmp_path("busy.pb.gz"));
}
END_TEST

START_TEST(bad_arguments) {
    errno = 0;
    ck_assert_int_eq(cpuprof_start("x", -5), -1);
    ck_assert_int_eq(errno, EINVAL);
    cpuprof_options o = {.hz = 100, .mode = (cpuprof_timer_mode)7};
    ck_assert_int_eq(cpuprof_start_opts("x", &o), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(cpuprof_stop(), -1); /* nothing running */
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), -1);
}
END_TEST

START_TEST(stop_to_buffer_parses) {
    ck_assert_int_eq(cpuprof_start(NULL, 250), 0);
    burn_cpu(0.3);
    uint8_t *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_gt(len, 2);
    ck_assert_int_eq(buf[0], 0x1f); /* gzip */
    profile *p;
    char err[256];
    ck_assert_msg(profile_parse(buf, len, &p, err, sizeof err) == 0, "%s", err);
    check_top(p, "sampler_test_spin");
    profile_free(p);
    free(buf);
}
END_TEST

/* Samples that cannot be stored appear under cpuprof::dropped, so totals
 * add up: with room for one stack only, a profile of two different stacks
 * must drop some. */
__attribute__((noinline, used)) static double sampler_test_other(double x) {
    for (int i = 0; i < 100000; i++) x = x * 0.9999999 + 0.25 / (x + 2.0);
    return x;
}

START_TEST(full_table_counts_dropped) {
    cpuprof_options o = {.hz = 250, .max_stacks = 1};
    ck_assert_int_eq(cpuprof_start_opts(NULL, &o), 0);
    double x = 1.0, start = thread_cpu();
    while (thread_cpu() - start < 0.6) {
        x = sampler_test_spin(x);
        x = sampler_test_other(x);
    }
    sink = x;
    cpuprof_stats st;
    cpuprof_get_stats(&st);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    cpuprof_stats after;
    cpuprof_get_stats(&after);
    ck_assert_uint_eq(after.stacks, 1);
    ck_assert_uint_gt(after.dropped, 0);
    profile *p;
    char err[256];
    ck_assert_int_eq(profile_parse(buf, len, &p, err, sizeof err), 0);
    int si = profile_value_index(p, "samples");
    int64_t total = 0, flat = 0, cum = 0;
    for (size_t i = 0; i < p->nsamples; i++) total += p->samples[i].values[si];
    ck_assert_int_eq(profile_match_value(p, si, "^cpuprof::dropped$", &flat, &cum, err, sizeof err),
                     0);
    ck_assert_int_eq(cum, (int64_t)after.dropped);
    ck_assert_int_eq(total, (int64_t)(after.samples + after.dropped));
    profile_free(p);
    free(buf);
}
END_TEST

static void *later_thread(void *arg) {
    (void)arg;
    int *n = malloc(sizeof *n);
    *n = thread_timers_count();
    burn_cpu(0.05);
    return n;
}

START_TEST(thread_mode_arms_new_threads) {
    cpuprof_options o = {.hz = 100, .mode = CPUPROF_TIMER_THREAD};
    ck_assert_int_eq(cpuprof_start_opts(NULL, &o), 0);
    int before = thread_timers_count();
    ck_assert_int_ge(before, 1); /* this thread, found in /proc/self/task */
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, later_thread, NULL), 0);
    void *ret;
    pthread_join(th, &ret);
    ck_assert_int_eq(*(int *)ret, before + 1); /* the new thread armed its own */
    free(ret);
    ck_assert_int_eq(thread_timers_count(), before); /* deleted at its exit */
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    free(buf);
    ck_assert_int_eq(thread_timers_count(), 0);
}
END_TEST

START_TEST(fork_child_does_not_inherit) {
    const char *path = tmp_path("fork.pb.gz");
    ck_assert_int_eq(cpuprof_start(path, 100), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* Not running here, so stop fails and nothing is written. */
        int ok = !sampler_is_running() && cpuprof_stop() == -1;
        _exit(ok ? 0 : 1);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_int_eq(access(path, F_OK), -1); /* the child wrote nothing */
    ck_assert(sampler_is_running());
    ck_assert_int_eq(cpuprof_stop(), 0);
    ck_assert_int_eq(access(path, F_OK), 0);
    unlink(path);
}
END_TEST

START_TEST(dlopen_while_profiling) {
    ck_assert_int_eq(cpuprof_start(NULL, 1000), 0);
    for (int i = 0; i < 200; i++) {
        void *h = dlopen("libm.so.6", RTLD_NOW);
        ck_assert_ptr_nonnull(h);
        ck_assert_ptr_nonnull(dlsym(h, "cos"));
        ck_assert_int_eq(dlclose(h), 0);
        sink = sampler_test_spin(sink);
    }
    ck_assert(!loader_guard_busy());
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    free(buf);
}
END_TEST

/* ---- the program's own SIGPROF handler and timer ------------------------ */

static volatile sig_atomic_t program_signals;

static void program_handler(int sig) {
    (void)sig;
    program_signals++;
}

/* Sends fd 2 to a file until stderr_back; returns the saved fd. */
static int stderr_to(const char *path) {
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, 2);
    close(fd);
    return saved;
}

/* Restores fd 2 and returns what was written meanwhile (static buffer). */
static const char *stderr_back(int saved, const char *path) {
    static char text[4096];
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    unlink(path);
    return text;
}

START_TEST(program_handler_comes_back) {
    struct sigaction mine, cur;
    memset(&mine, 0, sizeof mine);
    mine.sa_handler = program_handler;
    sigemptyset(&mine.sa_mask);
    ck_assert_int_eq(sigaction(SIGPROF, &mine, NULL), 0);
    ck_assert_int_eq(cpuprof_start(NULL, 200), 0);
    ck_assert_int_eq(sigaction(SIGPROF, NULL, &cur), 0);
    ck_assert(cur.sa_handler != program_handler); /* ours while profiling */
    burn_cpu(0.1);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    free(buf);
    ck_assert_int_eq(sigaction(SIGPROF, NULL, &cur), 0);
    ck_assert(!(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == program_handler);
    program_signals = 0;
    raise(SIGPROF);
    ck_assert_int_eq(program_signals, 1);
}
END_TEST

START_TEST(default_action_is_not_restored) {
    signal(SIGPROF, SIG_DFL);
    ck_assert_int_eq(cpuprof_start(NULL, 200), 0);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    free(buf);
    raise(SIGPROF); /* a late signal: ignored by our handler, not fatal */
    struct sigaction cur;
    ck_assert_int_eq(sigaction(SIGPROF, NULL, &cur), 0);
    ck_assert(cur.sa_flags & SA_SIGINFO);
}
END_TEST

START_TEST(no_warning_when_untouched) {
    char log[256], path[256]; /* tmp_path's buffer is reused */
    snprintf(log, sizeof log, "%s", tmp_path("quiet.err"));
    snprintf(path, sizeof path, "%s", tmp_path("quiet.pb.gz"));
    int saved = stderr_to(log);
    ck_assert_int_eq(cpuprof_start(path, 200), 0);
    burn_cpu(0.05);
    int rc = cpuprof_stop();
    const char *text = stderr_back(saved, log);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strstr(text, "warning") == NULL, "%s", text);
    ck_assert_msg(strstr(text, "cpuprof: wrote") != NULL, "%s", text);
    unlink(path);
}
END_TEST

START_TEST(replaced_handler_warns) {
    ck_assert_int_eq(cpuprof_start(NULL, 200), 0);
    signal(SIGPROF, program_handler);
    burn_cpu(0.05);
    const char *log = tmp_path("handler.err");
    int saved = stderr_to(log);
    uint8_t *buf;
    size_t len;
    int rc = cpuprof_stop_to_buffer(&buf, &len);
    const char *text = stderr_back(saved, log);
    ck_assert_int_eq(rc, 0);
    free(buf);
    ck_assert_msg(strstr(text, "warning: the program replaced the SIGPROF handler") != NULL,
                  "%s", text);
    /* Stop leaves the program's handler where it put it. */
    struct sigaction cur;
    ck_assert_int_eq(sigaction(SIGPROF, NULL, &cur), 0);
    ck_assert(cur.sa_handler == program_handler);
    signal(SIGPROF, SIG_IGN);
}
END_TEST

START_TEST(changed_itimer_warns) {
    ck_assert_int_eq(cpuprof_start(NULL, 200), 0);
    struct itimerval it = {.it_interval = {0, 50000}, .it_value = {0, 50000}};
    ck_assert_int_eq(setitimer(ITIMER_PROF, &it, NULL), 0);
    burn_cpu(0.05);
    const char *log = tmp_path("itimer.err");
    int saved = stderr_to(log);
    uint8_t *buf;
    size_t len;
    int rc = cpuprof_stop_to_buffer(&buf, &len);
    const char *text = stderr_back(saved, log);
    ck_assert_int_eq(rc, 0);
    free(buf);
    ck_assert_msg(strstr(text, "warning: the program changed ITIMER_PROF") != NULL, "%s", text);
}
END_TEST

/* ---- per-thread timers: a tid already in the registry ------------------- */

START_TEST(attach_replaces_registered_tid) {
    cpuprof_options o = {.hz = 100, .mode = CPUPROF_TIMER_THREAD};
    ck_assert_int_eq(cpuprof_start_opts(NULL, &o), 0);
    int n = thread_timers_count();
    timer_t before, after;
    /* This thread was armed from /proc/self/task: an entry with no exit
     * hook, like one left by an exited thread whose tid comes back. */
    ck_assert_int_eq(thread_timers_timer_of(gettid(), &before), 0);
    thread_timers_attach_self();
    ck_assert_int_eq(thread_timers_timer_of(gettid(), &after), 0);
    ck_assert_msg(after != before, "the registered entry was trusted, not replaced");
    ck_assert_int_eq(thread_timers_count(), n);
    burn_cpu(0.05);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(cpuprof_stop_to_buffer(&buf, &len), 0);
    free(buf);
    ck_assert_int_eq(thread_timers_count(), 0);
}
END_TEST

/* ---- a handler that never finishes --------------------------------------- */

START_TEST(stuck_handler_is_abandoned_not_waited_for) {
    ck_assert_int_eq(cpuprof_start(NULL, 100), 0);
    sampler_count_handler_for_test(1); /* a handler that never returns */
    const char *log = tmp_path("stuck.err");
    int saved = stderr_to(log);
    /* Each of these would have spun forever. */
    void *h = dlopen("libm.so.6", RTLD_NOW);
    int closed = h ? dlclose(h) : -1;
    uint8_t *buf = NULL;
    size_t len;
    int stop_rc = cpuprof_stop_to_buffer(&buf, &len);
    int start_rc = cpuprof_start(NULL, 100);
    int start_errno = errno;
    const char *text = stderr_back(saved, log);
    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(closed, 0);
    ck_assert_int_eq(stop_rc, -1);
    ck_assert_ptr_null(buf);
    ck_assert_int_eq(start_rc, -1);
    ck_assert_int_eq(start_errno, ENOTRECOVERABLE);
    ck_assert_msg(strstr(text, "CPU profiling disabled for this process") != NULL, "%s", text);
    ck_assert(!loader_guard_busy());
    sampler_count_handler_for_test(-1);
}
END_TEST

int main(void) {
    Suite *s = suite_create("sampler");
    TCase *tt = tcase_create("stack_table");
    tcase_add_test(tt, table_insert_and_count);
    tcase_add_test(tt, table_labels_are_part_of_key);
    tcase_add_test(tt, table_full_refuses_new_stacks);
    tcase_add_test(tt, table_rejects_bad_sizes);
    suite_add_tcase(s, tt);
    TCase *ts = tcase_create("sampler");
    tcase_set_timeout(ts, 30);
    tcase_add_test(ts, start_stop_process_mode);
    tcase_add_test(ts, start_stop_thread_mode);
    tcase_add_test(ts, start_twice_is_ebusy);
    tcase_add_test(ts, bad_arguments);
    tcase_add_test(ts, stop_to_buffer_parses);
    tcase_add_test(ts, full_table_counts_dropped);
    tcase_add_test(ts, thread_mode_arms_new_threads);
    tcase_add_test(ts, fork_child_does_not_inherit);
    tcase_add_test(ts, dlopen_while_profiling);
    tcase_add_test(ts, program_handler_comes_back);
    tcase_add_test(ts, default_action_is_not_restored);
    tcase_add_test(ts, no_warning_when_untouched);
    tcase_add_test(ts, replaced_handler_warns);
    tcase_add_test(ts, changed_itimer_warns);
    tcase_add_test(ts, attach_replaces_registered_tid);
    tcase_add_test(ts, stuck_handler_is_abandoned_not_waited_for);
    suite_add_tcase(s, ts);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
