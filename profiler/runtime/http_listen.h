/* http_listen.h: opens the listening socket of the /debug/pprof endpoint
 * from an address string (private to libcpuprof).
 *
 * Accepted forms: "6060", ":6060", "127.0.0.1:6060", "localhost:6060",
 * "[::1]:6060", "0.0.0.0:6060". A missing host means loopback (127.0.0.1),
 * never all interfaces: serving beyond this machine must be asked for by
 * naming the address. Port 0 asks the kernel for a free port.
 */
#ifndef CPUPROF_HTTP_LISTEN_H
#define CPUPROF_HTTP_LISTEN_H

#include <stddef.h>

#include "http_request.h"

/* Returns a listening, close-on-exec socket and writes the bound port to
 * *port and "host:port" to where (size n). On failure returns -1 with errno
 * set (EINVAL for a malformed address, else bind's or getaddrinfo's). */
CPUPROF_HIDDEN int cpuprof_http_listen(const char *addr, int *port,
                                       char *where, size_t n);

#endif
