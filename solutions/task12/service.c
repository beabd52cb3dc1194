/* service.c: routes a request to its handler (service.h).
 *
 * Task 12 (reference solution): the handler runs inside cpuprof_do with
 * the label endpoint=<the route's path>, so every CPU sample taken while
 * it runs carries the route, and the pushed profiles split by endpoint.
 * The label set lives on the worker thread for the call only: the next
 * request on that thread starts without it.
 *
 * Invariants: the route table is constant; a request is handled by
 * exactly one route or answered 404.
 */
#include "service.h"

#include <errno.h>
#include <string.h>

#include "cpuprof.h"
#include "handlers.h"

typedef struct route {
    const char *path;
    void (*fn)(const http_request *req, http_response *w);
} route;

static const route routes[] = {
    {"/checksum", checksum_handler},
    {"/render", render_handler},
    {"/search", search_handler},
};

static const route *find_route(const char *path) {
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(routes[i].path, path) == 0) return &routes[i];
    return NULL;
}

/* What cpuprof_do hands to run_route: one call of one handler. */
typedef struct route_call {
    const route *r;
    const http_request *req;
    http_response *w;
} route_call;

static void run_route(void *arg) {
    route_call *c = arg;
    c->r->fn(c->req, c->w);
}

void service_handle(const http_request *req, http_response *w, void *arg) {
    (void)arg;
    const route *r = find_route(req->path);
    if (!r) {
        http_response_status(w, 404);
        return;
    }
    route_call call = {r, req, w};
    cpuprof_label endpoint = {"endpoint", r->path};
    /* Fails only for bad arguments (then fn has not run) or when the set
     * cannot be stored (fn has run, unlabelled). */
    if (cpuprof_do(&endpoint, 1, run_route, &call) != 0 && errno == EINVAL) run_route(&call);
}
