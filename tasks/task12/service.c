/* service.c: routes a request to its handler (service.h).
 *
 * Task 12: this is where each request should be labelled with its
 * endpoint, so that the pushed profiles can be split by route in the
 * backend. Wrap the handler call in cpuprof_do (the C form of Go's
 * pprof.Do, cpuprof.h) with the label endpoint=<the route's path>.
 * See docs/task12.md, "Labels per request".
 *
 * Invariants: the route table is constant; a request is handled by
 * exactly one route or answered 404.
 */
#include "service.h"

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

void service_handle(const http_request *req, http_response *w, void *arg) {
    (void)arg;
    const route *r = find_route(req->path);
    if (!r) {
        http_response_status(w, 404);
        return;
    }
    r->fn(req, w);
}
