/* task12.c: task 12, continuous profiling (docs/task12.md).
 *
 * Recipe (run_fn, on "yours" only): build the service twice, as shipped
 * (v1) and with -DSERVICE_VERSION=2 (v2). For each version: start the test
 * ingest server (build/bin/push_ingest, a stand-in for Pyroscope's
 * /ingest) into out/ingest-vN/, start the service pushing to it every
 * period (10 s, 2 s under CPUPROF_QUICK), load /checksum, /render and
 * /search with one rate-limited hey each for 4 periods and a second, then
 * stop the service (its agent pushes the last, partial period) and the
 * ingest server. Both versions see the same request rate, so their
 * profiles differ by what v2 changed, not by how hard they were pushed.
 * Artifacts: out/ingest-vN/ (pushes.log, push-NNNN.pb.gz, rejected.log),
 * out/server-vN.log, out/hey-vN-ROUTE.txt, and copies of the second push
 * of each run as out/v1.pb.gz, out/v2.pb.gz and out/cpu.pb.gz (= v2), the
 * files the learner diffs.
 *
 * Which criteria are the learner's work: the shipped service already
 * pushes (cadence, protocol); the version tag, the endpoint labels and the
 * writeup are to be added. The diff criterion picks the v1 and v2
 * profiles by their version tag, as a backend would: untagged pushes
 * cannot be told apart, so it fails on the untouched service too.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "run_server.h"

#define NPERIODS 4
#define PERIOD_S 10
#define QUICK_PERIOD_S 2
#define HEY_CONC 2
#define HEY_QPS 20 /* per hey worker: 40 requests/s per route */
#define MAX_PUSHES 128
#define CHANGED_FN "^normalize_text(\\..*)?$" /* and its compiler clones */
#define INGEST_BIN "build/bin/push_ingest"

static const char *const routes[] = {"checksum", "render", "search"};
#define NROUTES 3

/* ---- what the ingest server stored -------------------------------------- */

typedef struct push_rec {
    int seq;
    long long at_ms, from, until, samples;
    char tags[512]; /* "version:v1,region:x" or "-" */
    char file[PATH_MAX];
} push_rec;

typedef struct push_log {
    push_rec p[MAX_PUSHES];
    int n;
    int refused;
    char first_refusal[300];
} push_log;

static const char *token(const char *line, const char *key, char *out, size_t len) {
    size_t kl = strlen(key);
    for (const char *p = line; p && *p; p = strchr(p, ' '), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
            size_t vl = strcspn(p + kl + 1, " \n");
            if (vl >= len) vl = len - 1;
            memcpy(out, p + kl + 1, vl);
            out[vl] = '\0';
            return out;
        }
    }
    out[0] = '\0';
    return NULL;
}

static void ingest_dir(const check_ctx *c, int v, char *buf, size_t len) {
    textf(buf, len, "%s/ingest-v%d", c->out_dir, v);
}

/* Reads out/ingest-vN/pushes.log and rejected.log. */
static int load_pushes(const check_ctx *c, int v, push_log *l, char *err, size_t errlen) {
    memset(l, 0, sizeof *l);
    char dir[PATH_MAX], path[PATH_MAX + 16], line[4096], v_[64];
    ingest_dir(c, v, dir, sizeof dir);
    textf(path, sizeof path, "%s/rejected.log", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            if (l->refused++ == 0) {
                line[strcspn(line, "\n")] = '\0';
                textf(l->first_refusal, sizeof l->first_refusal, "%s", line);
            }
        }
        fclose(f);
    }
    textf(path, sizeof path, "%s/pushes.log", dir);
    f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0; /* nothing arrived */
        textf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    while (l->n < MAX_PUSHES && fgets(line, sizeof line, f)) {
        push_rec *p = &l->p[l->n];
        char file[128];
        if (!token(line, "seq", v_, sizeof v_)) continue;
        p->seq = atoi(v_);
        p->at_ms = atoll(token(line, "at_ms", v_, sizeof v_) ? v_ : "0");
        p->from = atoll(token(line, "from", v_, sizeof v_) ? v_ : "0");
        p->until = atoll(token(line, "until", v_, sizeof v_) ? v_ : "0");
        p->samples = atoll(token(line, "samples", v_, sizeof v_) ? v_ : "0");
        token(line, "tags", p->tags, sizeof p->tags);
        token(line, "file", file, sizeof file);
        textf(p->file, sizeof p->file, "%s/%s", dir, file);
        l->n++;
    }
    fclose(f);
    return 0;
}

/* Whether tags ("k:v,k:v") hold key:value. */
static bool has_tag(const char *tags, const char *key, const char *value) {
    char want[128];
    snprintf(want, sizeof want, "%s:%s", key, value);
    size_t wl = strlen(want);
    for (const char *p = tags; p && *p; p = strchr(p, ','), p = p ? p + 1 : NULL)
        if (strncmp(p, want, wl) == 0 && (p[wl] == ',' || p[wl] == '\0')) return true;
    return false;
}

/* ---- the run ------------------------------------------------------------- */

static void nap_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* Waits (up to 10 s) for a line "label http://..." in log; the URL is the
 * word after the label. -1 with err set when the process exits first. */
static int wait_url(pid_t pid, const char *log, const char *label, char *url, size_t len,
                    char *err, size_t errlen) {
    size_t ll = strlen(label);
    for (int waited = 0; waited < 10000; waited += 20) {
        FILE *f = fopen(log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f)) {
            if (strncmp(line, label, ll) == 0 && strncmp(line + ll, " http://", 8) == 0) {
                size_t ul = strcspn(line + ll + 1, " \n");
                if (line[ll + 1 + ul] == '\0') break; /* line not complete yet */
                textf(url, len, "%.*s", (int)ul, line + ll + 1);
                fclose(f);
                return 0;
            }
        }
        if (f) fclose(f);
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            textf(err, errlen, "it exited before printing '%s http://...'; see %s", label, log);
            return -1;
        }
        nap_ms(20);
    }
    run_stop(pid);
    textf(err, errlen, "no '%s http://...' line within 10 s; see %s", label, log);
    return -1;
}

/* Empties out/ingest-vN/ (only files are put there). */
static void clear_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[PATH_MAX + 300];
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
}

static int copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb");
    if (!in) return -1;
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return -1;
    }
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) rc = -1;
    fclose(in);
    if (fclose(out) != 0) rc = -1;
    return rc;
}

/* v2: the same source built with -DSERVICE_VERSION=2. */
static int build_v2(check_ctx *c, char *bin, size_t len, char *err, size_t errlen) {
    char src[PATH_MAX], common[PATH_MAX], a_common[PATH_MAX + 32] = "";
    if (exercise_source(c, RUN_YOURS, src, sizeof src, common, sizeof common, err, errlen) < 0)
        return -1;
    if (common[0]) textf(a_common, sizeof a_common, "TASK_COMMON_DIR=%s", common);
    char a_src[PATH_MAX + 16], a_out[PATH_MAX + 16], outdir[PATH_MAX], log[PATH_MAX];
    textf(outdir, sizeof outdir, "build/tasks/%s/task12-v2", c->solution ? "solution" : "yours");
    textf(a_src, sizeof a_src, "TASK_SRC=%s", src);
    textf(a_out, sizeof a_out, "TASK_OUT=%s", outdir);
    exercise_artifact(c, RUN_YOURS, "build-v2.log", log, sizeof log);
    report_line(&c->rep, "  build v2: make build-task %s %s TASK_CFLAGS=-DSERVICE_VERSION=2",
                a_src, a_out);
    const char *argv[] = {"make", "-s", "--no-print-directory", "build-task", a_src, a_out,
                          "TASK_CFLAGS=-DSERVICE_VERSION=2", a_common[0] ? a_common : NULL,
                          NULL};
    run_opts o = {.out_path = log, .timeout_sec = 600};
    char why[ERRLEN];
    if (run_cmd(argv, &o, why, sizeof why) < 0) {
        textf(err, errlen, "v2 of %s did not build (%s); see %s", src, why, log);
        return -1;
    }
    textf(bin, len, "%s/bench", outdir);
    return 0;
}

/* One version: ingest server, service, load, stop. */
static int run_version(check_ctx *c, int v, const char *bin, int period, char *err,
                       size_t errlen) {
    char dir[PATH_MAX], ilog[PATH_MAX], slog[PATH_MAX], name[64], url[256], surl[256];
    ingest_dir(c, v, dir, sizeof dir);
    mkdir(dir, 0755);
    clear_dir(dir);
    snprintf(name, sizeof name, "ingest-v%d.log", v);
    exercise_artifact(c, RUN_YOURS, name, ilog, sizeof ilog);
    snprintf(name, sizeof name, "server-v%d.log", v);
    exercise_artifact(c, RUN_YOURS, name, slog, sizeof slog);

    const char *iargv[] = {INGEST_BIN, "-dir", dir, "-addr", "127.0.0.1:0", NULL};
    char cmd[PATH_MAX * 2];
    run_format_argv(iargv, cmd, sizeof cmd);
    report_line(&c->rep, "  ingest: %s > %s &", cmd, ilog);
    run_opts io = {.out_path = ilog};
    pid_t ingest = run_spawn(iargv, &io, err, errlen);
    if (ingest < 0) return -1;
    char why[ERRLEN];
    if (wait_url(ingest, ilog, "listening", url, sizeof url, why, sizeof why) < 0) {
        textf(err, errlen, "the ingest server: %s", why);
        run_stop(ingest);
        return -1;
    }
    /* "http://127.0.0.1:PORT/" as printed; the agent appends /ingest. */
    char push_url[256], per[16];
    size_t ul = strlen(url);
    textf(push_url, sizeof push_url, "%.*s", (int)(ul && url[ul - 1] == '/' ? ul - 1 : ul), url);
    snprintf(per, sizeof per, "%d", period);
    const char *sargv[] = {bin, "-addr", "127.0.0.1:0", "-push", push_url, "-period", per, NULL};
    run_format_argv(sargv, cmd, sizeof cmd);
    report_line(&c->rep, "  run v%d: %s > %s &", v, cmd, slog);
    run_opts so = {.out_path = slog};
    server_proc s;
    memset(&s, 0, sizeof s);
    snprintf(s.log_path, sizeof s.log_path, "%s", slog);
    s.pid = run_spawn(sargv, &so, err, errlen);
    if (s.pid < 0) {
        run_stop(ingest);
        return -1;
    }
    if (wait_url(s.pid, slog, "serving", surl, sizeof surl, why, sizeof why) < 0) {
        textf(err, errlen, "the service: %s", why);
        run_stop(s.pid);
        run_stop(ingest);
        return -1;
    }

    int seconds = NPERIODS * period + 1;
    pid_t hey[NROUTES];
    char dur[32], conc[16], qps[16];
    snprintf(dur, sizeof dur, "%ds", seconds);
    snprintf(conc, sizeof conc, "%d", HEY_CONC);
    snprintf(qps, sizeof qps, "%d", HEY_QPS);
    int started = 0;
    for (int i = 0; i < NROUTES; i++) {
        char target[300], out[PATH_MAX];
        textf(target, sizeof target, "%s%s", surl, routes[i]);
        snprintf(name, sizeof name, "hey-v%d-%s.txt", v, routes[i]);
        exercise_artifact(c, RUN_YOURS, name, out, sizeof out);
        const char *hargv[] = {"hey", "-z", dur, "-c", conc, "-q", qps, target, NULL};
        run_format_argv(hargv, cmd, sizeof cmd);
        report_line(&c->rep, "  load: %s > %s &", cmd, out);
        run_opts ho = {.out_path = out};
        hey[i] = run_spawn(hargv, &ho, why, sizeof why);
        if (hey[i] < 0) break;
        started++;
    }
    int rc = started == NROUTES ? 0 : -1;
    if (rc < 0) textf(err, errlen, "%s", why);
    for (int i = 0; i < started; i++)
        if (run_wait(hey[i], "hey", seconds + 60, why, sizeof why) < 0 && rc == 0) {
            textf(err, errlen, "%s", why);
            rc = -1;
        }
    char stop_err[ERRLEN] = "";
    if (server_stop(&s, stop_err, sizeof stop_err) < 0 && rc == 0) {
        textf(err, errlen, "the service: %s", stop_err);
        rc = -1;
    }
    kill(ingest, SIGTERM);
    if (run_wait(ingest, "the ingest server", 10, why, sizeof why) < 0 && rc == 0) {
        textf(err, errlen, "%s; see %s", why, ilog);
        rc = -1;
    }
    if (c->show_output) server_show(slog);
    return rc;
}

static int run(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    int period = c->quick ? QUICK_PERIOD_S : PERIOD_S;
    char bin2[PATH_MAX];
    if (build_v2(c, bin2, sizeof bin2, r->error, sizeof r->error) < 0) return -1;
    const char *bins[2] = {r->bin, bin2};
    for (int v = 1; v <= 2; v++)
        if (run_version(c, v, bins[v - 1], period, r->error, sizeof r->error) < 0) return -1;
    /* The files the learner diffs: the second push of each run. */
    for (int v = 1; v <= 2; v++) {
        push_log l;
        char name[32], to[PATH_MAX];
        if (load_pushes(c, v, &l, r->error, sizeof r->error) < 0) return -1;
        snprintf(name, sizeof name, "v%d.pb.gz", v);
        exercise_artifact(c, w, name, to, sizeof to);
        unlink(to);
        if (l.n >= 1) copy_file(l.p[l.n >= 2 ? 1 : 0].file, to);
        if (v == 2 && l.n >= 1) copy_file(l.p[l.n >= 2 ? 1 : 0].file, r->profile_path);
    }
    return 0;
}

/* ---- measures ------------------------------------------------------------ */

static int not_measured(check_ctx *c, measurement *m) {
    if (exercise_run(c, RUN_YOURS) == 0) return 0;
    textf(m->error, sizeof m->error, "not measured, the run failed (see above)");
    return -1;
}

static int load_both(check_ctx *c, push_log l[2], measurement *m) {
    if (not_measured(c, m) < 0) return -1;
    for (int v = 1; v <= 2; v++)
        if (load_pushes(c, v, &l[v - 1], m->error, sizeof m->error) < 0) return -1;
    return 0;
}

static int measure_push_count(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    static push_log l[2];
    if (load_both(c, l, m) < 0) return -1;
    m->value = l[0].n < l[1].n ? l[0].n : l[1].n;
    textf(m->shown, sizeof m->shown,
          "v1 %d, v2 %d pushes, over %d periods of %d s each and the stop (%s/ingest-vN/pushes.log)",
          l[0].n, l[1].n, NPERIODS, c->quick ? QUICK_PERIOD_S : PERIOD_S, c->out_dir);
    return 0;
}

/* The worst gap between consecutive pushes, off the period, in percent.
 * Left out: the last push (the partial period sent at stop), and the gap
 * after the first push, which arrives late by the one-time cost of
 * reading the program's symbols (shown in parentheses). */
static int measure_cadence(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    static push_log l[2];
    if (load_both(c, l, m) < 0) return -1;
    double period = c->quick ? QUICK_PERIOD_S : PERIOD_S, worst = 0;
    char gaps[300] = "";
    size_t o = 0;
    for (int v = 0; v < 2; v++) {
        if (l[v].n < 4) {
            textf(m->error, sizeof m->error, "v%d: %d pushes, too few to measure the spacing",
                  v + 1, l[v].n);
            return -1;
        }
        o += (size_t)snprintf(gaps + o, sizeof gaps - o, "%sv%d", v ? "; " : "", v + 1);
        for (int i = 1; i + 1 < l[v].n && o < sizeof gaps; i++) {
            double g = (double)(l[v].p[i].at_ms - l[v].p[i - 1].at_ms) / 1000.0;
            double off = fabs(g - period) / period * 100;
            if (i > 1 && off > worst) worst = off;
            o += (size_t)snprintf(gaps + o, sizeof gaps - o, i == 1 ? " (%.2f)" : " %.2f", g);
        }
    }
    m->value = worst;
    textf(m->shown, sizeof m->shown, "%.0f%% off the %.0f s period at worst (gaps in s: %s)",
          worst, period, gaps);
    return 0;
}

static int measure_refused(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    static push_log l[2];
    if (load_both(c, l, m) < 0) return -1;
    m->value = l[0].refused + l[1].refused;
    if (m->value > 0)
        textf(m->shown, sizeof m->shown, "%.0f refused, first: %s", m->value,
              l[0].refused ? l[0].first_refusal : l[1].first_refusal);
    else
        textf(m->shown, sizeof m->shown, "0 of %d refused (each parsed as pprof with libprofile)",
              l[0].n + l[1].n);
    return 0;
}

static int measure_version_tag(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    static push_log l[2];
    if (load_both(c, l, m) < 0) return -1;
    int good = 0, total = 0;
    const char *example = "-";
    for (int v = 0; v < 2; v++) {
        char want[8];
        snprintf(want, sizeof want, "v%d", v + 1);
        for (int i = 0; i < l[v].n; i++, total++) {
            if (has_tag(l[v].p[i].tags, "version", want)) good++;
            else example = l[v].p[i].tags;
        }
    }
    if (total == 0) {
        textf(m->error, sizeof m->error, "no push arrived");
        return -1;
    }
    m->value = 100.0 * good / total;
    if (good == total)
        textf(m->shown, sizeof m->shown,
              "%d of %d pushes carry the version of their build (tags %s and %s)", good, total,
              l[0].n ? l[0].p[0].tags : "-", l[1].n ? l[1].p[0].tags : "-");
    else
        textf(m->shown, sizeof m->shown,
              "%d of %d pushes carry version=v1/v2 matching their build (e.g. tags: %s)", good,
              total, strcmp(example, "-") == 0 ? "none" : example);
    return 0;
}

/* Endpoint label totals over every push of both runs. */
typedef struct endpoint_sums {
    int64_t total, labelled;
    char values[16][64];
    int64_t value_total[16];
    int nvalues;
} endpoint_sums;

static int sum_endpoints(check_ctx *c, endpoint_sums *e, measurement *m) {
    static push_log l[2];
    if (load_both(c, l, m) < 0) return -1;
    memset(e, 0, sizeof *e);
    for (int v = 0; v < 2; v++)
        for (int i = 0; i < l[v].n; i++) {
            profile *p;
            char err[ERRLEN];
            if (profile_read_file(l[v].p[i].file, &p, err, sizeof err) < 0) {
                textf(m->error, sizeof m->error, "%s", err);
                return -1;
            }
            pf_tags t;
            int vi = profile_value_index(p, "cpu");
            if (vi < 0 || profile_tags(p, vi, &t, err, sizeof err) < 0) {
                profile_free(p);
                textf(m->error, sizeof m->error, "%s: %s", l[v].p[i].file,
                      vi < 0 ? "no cpu sample type" : err);
                return -1;
            }
            e->total += t.total;
            for (size_t k = 0; k < t.ntags; k++) {
                if (strcmp(t.tags[k].key, "endpoint") != 0) continue;
                e->labelled += t.tags[k].total;
                for (size_t j = 0; j < t.tags[k].nvalues; j++) {
                    const pf_tag_value *tv = &t.tags[k].values[j];
                    int at = 0;
                    while (at < e->nvalues && strcmp(e->values[at], tv->value) != 0) at++;
                    if (at == e->nvalues && at < 16)
                        snprintf(e->values[e->nvalues++], sizeof e->values[0], "%s", tv->value);
                    if (at < 16) e->value_total[at] += tv->total;
                }
            }
            pf_tags_free(&t);
            profile_free(p);
        }
    if (e->total == 0) {
        textf(m->error, sizeof m->error, "the pushes hold no CPU samples");
        return -1;
    }
    return 0;
}

static void endpoint_list(const endpoint_sums *e, char *buf, size_t len) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->nvalues && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s %.0f%%", i ? ", " : "", e->values[i],
                              100.0 * (double)e->value_total[i] / (double)e->total);
    if (e->nvalues == 0) snprintf(buf, len, "no endpoint label at all");
}

static int measure_endpoint_share(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    endpoint_sums e;
    if (sum_endpoints(c, &e, m) < 0) return -1;
    char list[300];
    endpoint_list(&e, list, sizeof list);
    m->value = 100.0 * (double)e.labelled / (double)e.total;
    textf(m->shown, sizeof m->shown, "%.1f%% of the pushed CPU time (%s)", m->value, list);
    return 0;
}

static int measure_endpoint_values(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    endpoint_sums e;
    if (sum_endpoints(c, &e, m) < 0) return -1;
    int seen = 0;
    for (int r = 0; r < NROUTES; r++) {
        char want[32];
        snprintf(want, sizeof want, "/%s", routes[r]);
        for (int i = 0; i < e.nvalues; i++)
            if (strcmp(e.values[i], want) == 0) seen++;
    }
    char list[300];
    endpoint_list(&e, list, sizeof list);
    m->value = seen;
    textf(m->shown, sizeof m->shown, "%d of /checksum, /render, /search (seen: %s)", seen, list);
    return 0;
}

static bool name_matches(const char *regex, const char *name) {
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    if (!re) return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    bool hit = md && pcre2_match(re, (PCRE2_SPTR)name, strlen(name), 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return hit;
}

/* The second push tagged version=want among both runs (the first when
 * there is only one), as a backend query by tag would find it. */
static const push_rec *tagged(const push_log l[2], const char *want) {
    const push_rec *found[2] = {NULL, NULL};
    int n = 0;
    for (int v = 0; v < 2; v++)
        for (int i = 0; i < l[v].n && n < 2; i++)
            if (has_tag(l[v].p[i].tags, "version", want)) found[n++] = &l[v].p[i];
    return n == 2 ? found[1] : found[0];
}

static int measure_diff_top(check_ctx *c, const criterion *k, measurement *m) {
    static push_log l[2];
    if (load_both(c, l, m) < 0) return -1;
    const push_rec *p1 = tagged(l, "v1"), *p2 = tagged(l, "v2");
    if (!p1 || !p2) {
        textf(m->error, sizeof m->error,
              "no push tagged version=%s: without the tag the two deployments cannot be told "
              "apart", !p1 ? "v1" : "v2");
        return -1;
    }
    profile *a = NULL, *b = NULL;
    char err[ERRLEN];
    pf_report rep = {0};
    int rc = -1;
    if (profile_read_file(p1->file, &a, err, sizeof err) < 0 ||
        profile_read_file(p2->file, &b, err, sizeof err) < 0 ||
        profile_merge_base(b, a, false, err, sizeof err) < 0 ||
        profile_top(b, profile_value_index(b, "cpu"), false, &rep, err, sizeof err) < 0) {
        textf(m->error, sizeof m->error, "%s", err);
        goto out;
    }
    const pf_row *best = NULL, *second = NULL;
    for (size_t i = 0; i < rep.nrows; i++) {
        const pf_row *r = &rep.rows[i];
        if (!best || llabs(r->flat) > llabs(best->flat)) {
            second = best;
            best = r;
        } else if (!second || llabs(r->flat) > llabs(second->flat)) {
            second = r;
        }
    }
    if (!best) {
        textf(m->error, sizeof m->error, "the diff is empty");
        goto out;
    }
    m->value = name_matches(k->arg, best->name) ? 1 : 0;
    textf(m->shown, sizeof m->shown,
          "%s %+.0f ms flat; next: %s %+.0f ms (-base: %s, %s)", best->name,
          (double)best->flat / 1e6, second ? second->name : "-",
          second ? (double)second->flat / 1e6 : 0.0, p1->file, p2->file);
    rc = 0;
out:
    pf_report_free(&rep);
    profile_free(a);
    profile_free(b);
    return rc;
}

static const criterion criteria[] = {
    {.id = "pushes", .what = "the ingest server received", .run = RUN_YOURS,
     .measure = measure_push_count, .op = BOUND_AT_LEAST, .lo = NPERIODS, .unit = " pushes",
     .anchor = "pushes-every-period"},
    {.id = "cadence", .what = "pushes arrived every period:", .run = RUN_YOURS,
     .measure = measure_cadence, .op = BOUND_AT_MOST, .hi = 25, .unit = "%",
     .anchor = "pushes-every-period"},
    {.id = "protocol", .what = "pushes refused by the ingest server:", .run = RUN_YOURS,
     .measure = measure_refused, .op = BOUND_AT_MOST, .hi = 0, .unit = "",
     .anchor = "pushes-every-period"},
    {.id = "version-tag", .what = "version tag:", .run = RUN_YOURS,
     .measure = measure_version_tag, .op = BOUND_AT_LEAST, .lo = 100, .unit = "%",
     .anchor = "tags-per-deployment"},
    {.id = "endpoint-share", .what = "endpoint label on", .run = RUN_YOURS,
     .measure = measure_endpoint_share, .op = BOUND_AT_LEAST, .lo = 70, .unit = "%",
     .anchor = "labels-per-request"},
    {.id = "endpoint-values", .what = "endpoint values:", .run = RUN_YOURS,
     .measure = measure_endpoint_values, .op = BOUND_AT_LEAST, .lo = NROUTES, .unit = " routes",
     .anchor = "labels-per-request"},
    {.id = "diff", .what = "the biggest change from v1 to v2 (pushes picked by version tag) is", .run = RUN_YOURS,
     .measure = measure_diff_top, .arg = CHANGED_FN, .op = BOUND_HOLDS,
     .bound_text = "normalize_text, which v2 calls per search", .anchor = "the-diff-between-versions"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 10, .unit = " lines", .anchor = "the-writeup"},
};

static const char *const show[] = {"-top -base=tasks/task12/out/v1.pb.gz", "-tags", NULL};

static const char *const points[] = {
    "who starts a capture: the service itself on a fixed clock (push) against a collector "
    "that decides when and how long (pull); push needs no inbound port on the service, "
    "pull needs the collector to reach every instance (service discovery, firewalls)",
    "what it costs: push profiles all the time at 100 Hz (a few percent at most) and uploads "
    "every period; pull costs nothing between scrapes but sees only the windows it asked for",
    "failure behaviour: a push to a down or slow backend is dropped and counted, the service "
    "never waits for it; with pull a down collector just means gaps, and a slow scrape holds "
    "one connection on the service",
    "identity: the pusher names itself (app name, version tag, instance) so the backend can "
    "group and diff; with pull the collector attaches labels from its own target list",
    "your numbers: pushes received and their spacing, the version tags, the endpoint share, "
    "and normalize_text as the biggest v1 to v2 delta",
    NULL,
};

const task_def task12_def = {
    .num = 12,
    .doc = "docs/task12.md",
    .run_fn = run,
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
