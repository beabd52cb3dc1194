/* run_server.h: the recipe pieces of the server tasks (run_server.c):
 * start the task's server, load it with hey, capture its /debug/pprof
 * profile with curl while the load runs, stop it.
 *
 * A task's run_fn strings them together, e.g. task 2:
 *   server_start -> server_capture_loaded (server_load_start: hey -z,
 *   server_capture: curl, run_wait: hey) -> server_finish (server_stop)
 * Each prints its command as a "run:", "load:" or "capture:" line.
 */
#ifndef CHECKER_RUN_SERVER_H
#define CHECKER_RUN_SERVER_H

#include "checker.h"

typedef struct server_proc {
    pid_t pid;               /* 0 once stopped */
    char log_path[PATH_MAX]; /* out/[before.]server.log */
    char url[256];           /* "http://127.0.0.1:PORT/" */
    char pprof_url[256];     /* "http://127.0.0.1:PORT/debug/pprof/" */
} server_proc;

typedef struct load_spec {
    const char *path; /* appended to the server's URL: "" or "slow" */
    int seconds;      /* hey -z */
    int concurrency;  /* hey -c */
    size_t body_len;  /* a POST body of this many bytes (out/body.txt); 0: GET */
} load_spec;

/* Starts run w's program with -addr/-pprof on free ports and waits (up to
 * 10 s) until it prints both URLs. 0, or -1 with err set. */
int server_start(check_ctx *c, run_which w, server_proc *s, char *err, size_t errlen);

/* GET pprof_url + "profile?seconds=N[&params]" into path with curl. */
int server_capture(check_ctx *c, const server_proc *s, int seconds, const char *params,
                   const char *path, char *err, size_t errlen);

/* Starts hey with the load l; its output goes to out_path. The pid, or -1
 * with err set. Wait for it with run_wait. */
pid_t server_load_start(check_ctx *c, run_which w, const server_proc *s, const load_spec *l,
                        const char *out_path, char *err, size_t errlen);

/* SIGTERM, then waits up to 10 s; -1 with err set unless it exited 0. */
int server_stop(server_proc *s, char *err, size_t errlen);

/* Sleeps whole seconds (signals do not cut it short). */
void server_sleep(int seconds);

/* The loaded capture of the hashing servers (tasks 2 and 8): hey with the
 * load l (its output in hey_out), one second into it a capture of seconds
 * (with params, or NULL) into run w's profile, then waits for hey. The
 * first failure goes to err when err is still empty. */
void server_capture_loaded(check_ctx *c, run_which w, const server_proc *s, const load_spec *l,
                           int seconds, const char *params, const char *hey_out, char *err,
                           size_t errlen);

/* Stops the server and ends run w: -1 with its error set to err, or to the
 * stop's failure when err is empty; 0 when neither failed. */
int server_finish(check_ctx *c, run_which w, server_proc *s, const char *err);

/* Criterion measure: the load saved in artifact k->arg of run k->run
 * ("hey.txt") got only 200 answers; the value is their number. */
int measure_load_ok(check_ctx *c, const criterion *k, measurement *m);

/* measure_flame.c: holds when the widest leaf of run k->run's flame graph
 * (from the web UI's /flamegraph.json, checked against libprofile) has a
 * name matching the regex k->arg. */
int measure_widest_leaf(check_ctx *c, const criterion *k, measurement *m);

/* Copies a file to stdout (for --run, which shows the run's output). */
void server_show(const char *path);

#endif
