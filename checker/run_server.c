/* run_server.c: the recipe pieces of the server tasks: start the task's
 * server, put load on it with hey, capture /debug/pprof/profile over HTTP
 * while the load runs, stop the server.
 *
 * The convention a task's server follows (tasks 2 and 8): it takes
 * `-addr HOST:PORT -pprof HOST:PORT`, and once both listen it prints
 *   serving http://127.0.0.1:PORT/
 *   pprof http://127.0.0.1:PORT/debug/pprof/
 * on stdout; it exits 0 on SIGTERM. The checker passes port 0 (a free
 * port) for both and reads the two lines from out/[before.]server.log, so
 * runs never collide on a port. Captures and loads are made by curl and
 * hey, started with run_spawn (never a shell); each command is printed as
 * a line the learner can paste.
 *
 * Invariants: every process started here is waited for; a server that
 * exits before listening, or does not exit 0 when stopped, fails the run
 * with the reason and its log's name.
 */
#include "run_server.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000

static void nap_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* The URL after `label ` in the log, or "" when that line is not there
 * yet. Only a complete line counts. */
static void find_url(const char *log, const char *label, char *url, size_t len) {
    url[0] = '\0';
    FILE *f = fopen(log, "r");
    if (!f) return;
    char line[512];
    size_t n = strlen(label);
    while (fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        if (l == 0 || line[l - 1] != '\n') break;
        line[l - 1] = '\0';
        if (strncmp(line, label, n) == 0 && line[n] == ' ' &&
            strncmp(line + n + 1, "http://", 7) == 0) {
            snprintf(url, len, "%s", line + n + 1);
            break;
        }
    }
    fclose(f);
}

int server_start(check_ctx *c, run_which w, server_proc *s, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    exercise_artifact(c, w, "server.log", s->log_path, sizeof s->log_path);
    const char *argv[] = {c->runs[w].bin, "-addr", "127.0.0.1:0", "-pprof", "127.0.0.1:0", NULL};
    char cmd[PATH_MAX + 64];
    run_format_argv(argv, cmd, sizeof cmd);
    report_line(&c->rep, "  run: %s > %s &", cmd, s->log_path);
    run_opts o = {.out_path = s->log_path};
    s->pid = run_spawn(argv, &o, err, errlen);
    if (s->pid < 0) return -1;
    for (int waited = 0; waited < START_TIMEOUT_MS; waited += 20) {
        find_url(s->log_path, "serving", s->url, sizeof s->url);
        find_url(s->log_path, "pprof", s->pprof_url, sizeof s->pprof_url);
        if (s->url[0] && s->pprof_url[0]) return 0;
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            textf(err, errlen, "the server exited before listening (%s %d); see %s",
                  WIFEXITED(status) ? "status" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), s->log_path);
            return -1;
        }
        nap_ms(20);
    }
    run_stop(s->pid);
    s->pid = 0;
    textf(err, errlen, "the server did not print its 'serving' and 'pprof' lines within %d s; "
          "see %s", START_TIMEOUT_MS / 1000, s->log_path);
    return -1;
}

int server_capture(check_ctx *c, const server_proc *s, int seconds, const char *params,
                   const char *path, char *err, size_t errlen) {
    char url[512], maxtime[32];
    textf(url, sizeof url, "%sprofile?seconds=%d%s%s", s->pprof_url, seconds,
          params && *params ? "&" : "", params ? params : "");
    snprintf(maxtime, sizeof maxtime, "%d", seconds + 60);
    const char *argv[] = {"curl", "-sS", "-f", "--max-time", maxtime, "-o", path, url, NULL};
    /* The URL is quoted in the printed line: '?' and '&' mean things to a shell. */
    report_line(&c->rep, "  capture: curl -sS -f --max-time %s -o %s '%s'", maxtime, path, url);
    unlink(path);
    run_opts o = {.quiet = true, .timeout_sec = seconds + 90};
    char why[ERRLEN];
    if (run_cmd(argv, &o, why, sizeof why) < 0) {
        textf(err, errlen, "the capture failed (%s)", why);
        return -1;
    }
    return 0;
}

/* out/body.txt: len bytes of text, the POST body of the load. */
static int write_body(const char *path, size_t len, char *err, size_t errlen) {
    FILE *f = fopen(path, "w");
    if (!f) {
        textf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    static const char text[] = "profile me ";
    for (size_t i = 0; i < len; i++) fputc(i + 1 == len ? '\n' : text[i % (sizeof text - 1)], f);
    if (fclose(f) != 0) {
        textf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

pid_t server_load_start(check_ctx *c, run_which w, const server_proc *s, const load_spec *l,
                        const char *out_path, char *err, size_t errlen) {
    char body[PATH_MAX], dur[32], conc[32], url[640];
    snprintf(dur, sizeof dur, "%ds", l->seconds);
    snprintf(conc, sizeof conc, "%d", l->concurrency);
    textf(url, sizeof url, "%s%s", s->url, l->path ? l->path : "");
    const char *argv[12];
    int n = 0;
    argv[n++] = "hey";
    argv[n++] = "-z";
    argv[n++] = dur;
    argv[n++] = "-c";
    argv[n++] = conc;
    if (l->body_len > 0) {
        exercise_artifact(c, w, "body.txt", body, sizeof body);
        if (write_body(body, l->body_len, err, errlen) < 0) return -1;
        argv[n++] = "-m";
        argv[n++] = "POST";
        argv[n++] = "-D";
        argv[n++] = body;
    }
    argv[n++] = url;
    argv[n] = NULL;
    char cmd[PATH_MAX + 800];
    run_format_argv(argv, cmd, sizeof cmd);
    report_line(&c->rep, "  load: %s > %s &", cmd, out_path);
    run_opts o = {.out_path = out_path};
    return run_spawn(argv, &o, err, errlen);
}

int server_stop(server_proc *s, char *err, size_t errlen) {
    if (s->pid <= 0) return 0;
    kill(s->pid, SIGTERM);
    char why[ERRLEN];
    int rc = run_wait(s->pid, "the server", 10, why, sizeof why);
    s->pid = 0;
    if (rc < 0) textf(err, errlen, "when stopped with SIGTERM, %s; see %s", why, s->log_path);
    return rc;
}

void server_sleep(int seconds) {
    struct timespec ts = {seconds, 0};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

void server_capture_loaded(check_ctx *c, run_which w, const server_proc *s, const load_spec *l,
                           int seconds, const char *params, const char *hey_out, char *err,
                           size_t errlen) {
    pid_t hey = server_load_start(c, w, s, l, hey_out, err, errlen);
    if (hey <= 0) return;
    server_sleep(1);
    server_capture(c, s, seconds, params, c->runs[w].profile_path, err, errlen);
    char why[ERRLEN];
    if (run_wait(hey, "hey", l->seconds + 60, why, sizeof why) < 0 && !err[0])
        textf(err, errlen, "%s; see %s", why, hey_out);
}

int server_finish(check_ctx *c, run_which w, server_proc *s, const char *err) {
    char stop_err[ERRLEN] = "";
    server_stop(s, stop_err, sizeof stop_err);
    if (!err[0] && !stop_err[0]) return 0;
    run_state *r = &c->runs[w];
    textf(r->error, sizeof r->error, "%s", err[0] ? err : stop_err);
    return -1;
}

/* Reads hey's "Status code distribution" ("  [200]\t953 responses") and
 * "Error distribution" ("  [3]\tGet ...") sections. */
static int hey_counts(const char *path, long *ok, long *other, long *errors, char *err,
                      size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        textf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    enum { NONE, STATUS, ERRORS } section = NONE;
    bool seen = false;
    *ok = *other = *errors = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Status code distribution:", 25) == 0) {
            section = STATUS;
            seen = true;
            continue;
        }
        if (strncmp(line, "Error distribution:", 19) == 0) {
            section = ERRORS;
            seen = true;
            continue;
        }
        int code;
        long count;
        if (section == STATUS && sscanf(line, " [%d] %ld responses", &code, &count) == 2) {
            if (code == 200) *ok += count;
            else *other += count;
        } else if (section == ERRORS && sscanf(line, " [%ld]", &count) == 1) {
            *errors += count;
        } else if (line[0] != ' ') {
            section = NONE;
        }
    }
    fclose(f);
    if (!seen) {
        textf(err, errlen, "%s has no status counts (hey did not finish?)", path);
        return -1;
    }
    return 0;
}

/* The load of run k->run (artifact k->arg, "hey.txt") was answered: the
 * value is the number of 200 responses; any other status or a transport
 * error fails the measure. */
int measure_load_ok(check_ctx *c, const criterion *k, measurement *m) {
    if (exercise_run(c, k->run) < 0) {
        textf(m->error, sizeof m->error, "not measured, the %s run failed (see above)",
              k->run == RUN_BEFORE ? "before" : "yours");
        return -1;
    }
    char path[PATH_MAX];
    exercise_artifact(c, k->run, k->arg, path, sizeof path);
    long ok, other, errors;
    if (hey_counts(path, &ok, &other, &errors, m->error, sizeof m->error) < 0) return -1;
    if (other || errors) {
        textf(m->error, sizeof m->error,
              "%ld answered 200, but %ld other statuses and %ld errors; see %s", ok, other,
              errors, path);
        return -1;
    }
    m->value = (double)ok;
    textf(m->shown, sizeof m->shown, "%ld requests, all 200 (%s)", ok, path);
    return 0;
}

void server_show(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    fflush(stdout);
}
