/* task02.c: task 2, profiling a running HTTP server (docs/task02.md).
 *
 * Recipe (run_fn): start the server (tasks/task02: POST / hashes the body
 * 1,000 times with SHA-256), put load on it with hey -c 10 for the capture
 * window plus two seconds, capture /debug/pprof/profile?seconds=10 (3
 * under CPUPROF_QUICK) one second into the load, wait for hey, stop the
 * server. Artifacts: out/cpu.pb.gz, out/hey.txt, out/server.log,
 * out/body.txt, and for the web UI criterion out/flamegraph.json.
 *
 * Every criterion is on "yours": the program is given and nothing in it is
 * to be fixed; the learner runs it, looks, and writes. With --solution the
 * untouched program runs and the reference NOTES.md is judged.
 */
#include "run_server.h"

#define CAPTURE_S 10
#define QUICK_CAPTURE_S 3
#define BODY_LEN 512
#define SHA256_NAMES "^(sha256.*|compress|rotr)$"

static const criterion criteria[] = {
    {.id = "load", .what = "hey -c 10 during the capture got", .run = RUN_YOURS,
     .measure = measure_load_ok, .arg = "hey.txt", .op = BOUND_AT_LEAST, .lo = 100,
     .unit = " requests", .anchor = "the-load"},
    {.id = "profile", .what = "the capture", .run = RUN_YOURS,
     .measure = measure_profile_samples, .op = BOUND_AT_LEAST, .lo = 100, .unit = " samples",
     .anchor = "the-capture"},
    {.id = "sha-flat", .what = "SHA-256 functions " SHA256_NAMES " have flat", .run = RUN_YOURS,
     .measure = measure_flat_pct, .arg = SHA256_NAMES, .op = BOUND_AT_LEAST, .lo = 50,
     .unit = "%", .anchor = "sha-256-dominates-the-flat-column"},
    {.id = "flame", .what = "the flame graph's widest leaf is", .run = RUN_YOURS,
     .measure = measure_widest_leaf, .arg = SHA256_NAMES, .op = BOUND_HOLDS,
     .bound_text = "a SHA-256 function", .anchor = "the-flame-graph"},
    {.id = "notes", .what = "your answer", .run = RUN_NONE, .measure = measure_notes,
     .op = BOUND_BETWEEN, .lo = 5, .hi = 15, .unit = " lines", .anchor = "the-writeup"},
};

static int run(check_ctx *c, run_which w) {
    run_state *r = &c->runs[w];
    int seconds = c->quick ? QUICK_CAPTURE_S : CAPTURE_S;
    char hey_out[PATH_MAX], err[ERRLEN] = "";
    exercise_artifact(c, w, "hey.txt", hey_out, sizeof hey_out);
    server_proc s;
    if (server_start(c, w, &s, r->error, sizeof r->error) < 0) return -1;
    /* The load outlasts the capture by a second at each end. */
    load_spec l = {.path = "", .seconds = seconds + 2, .concurrency = 10, .body_len = BODY_LEN};
    server_capture_loaded(c, w, &s, &l, seconds, NULL, hey_out, err, sizeof err);
    int rc = server_finish(c, w, &s, err);
    if (c->show_output) server_show(hey_out);
    return rc;
}

static const char *const show[] = {"-top", NULL};

static const char *const points[] = {
    "what ran: the server under hey's load, and a capture of N seconds over HTTP, taken "
    "while the server kept serving (no restart, no code change besides the endpoint)",
    "the numbers: SHA-256's flat share (compress, sha256_update...) and the request rate "
    "hey reported",
    "why SHA-256 dominates: each request hashes its body 1,000 times; parsing, reading and "
    "writing HTTP cost little next to that",
    "what the flame graph adds to -top: the path worker_main > hash_handler > sha256_update "
    "> compress, so the cost is traced back to the handler that asks for it",
    "that the profile covers the server process only: hey's CPU, on the same two cores, is "
    "not in it, and the capture sees only the seconds it was asked for",
    NULL,
};

const task_def task02_def = {
    .num = 2,
    .doc = "docs/task02.md",
    .run_fn = run,
    .show = show,
    .criteria = criteria,
    .ncriteria = sizeof criteria / sizeof criteria[0],
    .notes_points = points,
};
