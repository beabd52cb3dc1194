/* service.h: the service's router (service.c): GET /checksum, /render and
 * /search go to their handler (handlers.h); anything else is 404.
 *
 * service_handle is the http_server's handler: it runs on the server's
 * worker threads, several at a time.
 */
#ifndef TASK12_SERVICE_H
#define TASK12_SERVICE_H

#include "http_server.h"

void service_handle(const http_request *req, http_response *w, void *arg);

#endif
