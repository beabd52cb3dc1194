/* handlers.h: task 5's routes: GET /fast, /slow and /spike. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "http_server.h"

/* The server's handler: runs the route's function under the label
 * endpoint=<route> (cpuprof_do); any other path gets 404. */
void route_request(const http_request *req, http_response *w, void *arg);

#endif
