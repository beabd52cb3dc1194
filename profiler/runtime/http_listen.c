/* http_listen.c: turns an address string into a listening TCP socket for the
 * /debug/pprof endpoint.
 *
 * Invariant: without an explicit host the socket is bound to 127.0.0.1, so
 * the profile (which reveals code and timing) is not exposed to the network
 * by default.
 */
#include "http_listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Splits addr into host (defaulting to loopback) and a numeric port. */
static int split_addr(const char *addr, char *host, size_t hn, char *port,
                      size_t pn) {
    const char *colon;
    const char *h = "127.0.0.1";
    size_t hl = strlen(h);
    const char *p;

    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') return -1;
        h = addr + 1;
        hl = (size_t)(close - h);
        p = close + 2;
    } else if ((colon = strrchr(addr, ':')) != NULL) {
        if (colon != addr) {
            h = addr;
            hl = (size_t)(colon - addr);
        }
        p = colon + 1;
    } else {
        p = addr;
    }
    if (hl == 0 || hl >= hn) return -1;
    size_t pl = strlen(p);
    if (pl == 0 || pl > 5 || pl >= pn) return -1;
    long v = 0;
    for (const char *c = p; *c; c++) {
        if (*c < '0' || *c > '9') return -1;
        v = v * 10 + (*c - '0');
    }
    if (v > 65535) return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, p, pl + 1);
    return 0;
}

int cpuprof_http_listen(const char *addr, int *port, char *where, size_t n) {
    char host[256], serv[8];
    if (!addr || split_addr(addr, host, sizeof host, serv, sizeof serv) != 0) {
        errno = EINVAL;
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, serv, &hints, &res);
    if (gai != 0) {
        errno = gai == EAI_SYSTEM ? errno : EADDRNOTAVAIL;
        return -1;
    }
    int fd = -1, err = EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) { err = errno; continue; }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        errno = err;
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char numhost[INET6_ADDRSTRLEN] = "?", numport[8] = "0";
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        getnameinfo((struct sockaddr *)&ss, sl, numhost, sizeof numhost, numport,
                    sizeof numport, NI_NUMERICHOST | NI_NUMERICSERV);
    *port = 0;
    for (const char *c = numport; *c >= '0' && *c <= '9'; c++)
        *port = *port * 10 + (*c - '0');
    if (ss.ss_family == AF_INET6)
        snprintf(where, n, "[%s]:%s", numhost, numport);
    else
        snprintf(where, n, "%s:%s", numhost, numport);
    return fd;
}
