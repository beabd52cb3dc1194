/* handlers.c: the three endpoints, each run under a profiler label.
 *
 * route_request finds the route and calls its function through
 * cpuprof_do with the label endpoint=<route>, so every CPU sample taken
 * while that function runs on this thread carries the label. /spike hands
 * its work to a helper thread and waits for it (the way a handler fans
 * work out to a goroutine in Go). A new thread starts with no labels, so
 * the handler passes its label set along with the work, and the helper
 * installs it before working: its samples then carry endpoint=/spike too
 * (task 5's fix; a set is immutable and lives as long as the process, so
 * its pointer may be handed to another thread).
 *
 * Each answer is the hex digest of the route's work, seeded by the
 * "seed" query parameter (0 when absent).
 */
#include "handlers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuprof.h"
#include "work.h"

typedef struct call {
    const http_request *req;
    http_response *w;
    uint64_t seed;
} call;

static void answer(http_response *w, const uint8_t digest[SHA256_DIGEST_LEN]) {
    char hex[65];
    sha256_hex(digest, hex);
    http_response_printf(w, "%s\n", hex);
}

static void do_fast(void *arg) {
    call *k = arg;
    uint8_t d[SHA256_DIGEST_LEN];
    fast_work(k->seed, d);
    answer(k->w, d);
}

static void do_slow(void *arg) {
    call *k = arg;
    uint8_t d[SHA256_DIGEST_LEN];
    slow_work(k->seed, d);
    answer(k->w, d);
}

typedef struct spike_job {
    const cpuprof_labelset *labels; /* the handler's, for the helper */
    uint64_t seed;
    uint8_t digest[SHA256_DIGEST_LEN];
} spike_job;

static void *spike_helper(void *arg) {
    spike_job *j = arg;
    cpuprof_labels_set(j->labels);
    spike_work(j->seed, j->digest);
    return NULL;
}

static void do_spike(void *arg) {
    call *k = arg;
    spike_job j = {.labels = cpuprof_labels_current(), .seed = k->seed};
    pthread_t t;
    int rc = pthread_create(&t, NULL, spike_helper, &j);
    if (rc != 0) {
        http_response_status(k->w, 503);
        return;
    }
    pthread_join(t, NULL);
    answer(k->w, j.digest);
}

static const struct {
    const char *path;
    void (*fn)(void *);
} routes[] = {
    {"/fast", do_fast},
    {"/slow", do_slow},
    {"/spike", do_spike},
};

static uint64_t seed_of(const char *query) {
    const char *p = strstr(query, "seed=");
    return p && (p == query || p[-1] == '&') ? strtoull(p + 5, NULL, 10) : 0;
}

void route_request(const http_request *req, http_response *w, void *arg) {
    (void)arg;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(req->path, routes[i].path) != 0) continue;
        call k = {.req = req, .w = w, .seed = seed_of(req->query)};
        cpuprof_label l = {"endpoint", routes[i].path};
        if (cpuprof_do(&l, 1, routes[i].fn, &k) != 0) http_response_status(w, 500);
        return;
    }
    http_response_status(w, 404);
}
