/* http_request.c: parses the head of an HTTP/1.x request for the
 * /debug/pprof endpoint, and the integers in its query string.
 *
 * Invariants: never reads beyond the given length, never allocates, and
 * every rejection maps to one HTTP status (see http_request.h). Lines may
 * end in CRLF or, leniently, in a bare LF. Header folding (a line starting
 * with a space) is rejected, as RFC 9112 allows.
 */
#include "http_request.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* A token character of RFC 9110 (method names, header names). */
static int is_tchar(int c) {
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Finds the end of the head: the index just past the blank line, or 0. */
static size_t head_end(const char *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n') continue;
        if (i + 1 < len && buf[i + 1] == '\n') return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
    }
    return 0;
}

/* Copies [s, e) with surrounding blanks trimmed into dst (size n). Returns
 * 0, or -1 when it does not fit. */
static int copy_trimmed(char *dst, size_t n, const char *s, const char *e) {
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    if ((size_t)(e - s) >= n) return -1;
    memcpy(dst, s, (size_t)(e - s));
    dst[e - s] = '\0';
    return 0;
}

/* Does the comma-separated list contain token (case-insensitive)? */
static int list_has(const char *list, const char *token) {
    size_t tl = strlen(token);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        const char *q = p;
        while (*q && *q != ',') q++;
        const char *e = q;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if ((size_t)(e - p) == tl && strncasecmp(p, token, tl) == 0) return 1;
        p = q;
    }
    return 0;
}

/* Parses "METHOD SP target SP HTTP/1.x" in [s, e). */
static int parse_request_line(const char *s, const char *e,
                              cpuprof_http_request *req) {
    const char *p = s;
    size_t n = 0;
    while (p < e && is_tchar((unsigned char)*p)) p++;
    n = (size_t)(p - s);
    if (n == 0 || p >= e || *p != ' ') return 400;
    if (n >= sizeof req->method) return 400;
    memcpy(req->method, s, n);
    req->method[n] = '\0';

    const char *t = ++p;
    while (p < e && *p != ' ') {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f) return 400;
        p++;
    }
    if (p == t || p >= e || *t != '/') return 400;
    const char *q = memchr(t, '?', (size_t)(p - t));
    const char *path_end = q ? q : p;
    if ((size_t)(path_end - t) >= sizeof req->path) return 414;
    memcpy(req->path, t, (size_t)(path_end - t));
    req->path[path_end - t] = '\0';
    if (q) {
        if ((size_t)(p - q - 1) >= sizeof req->query) return 414;
        memcpy(req->query, q + 1, (size_t)(p - q - 1));
        req->query[p - q - 1] = '\0';
    }

    const char *v = p + 1;
    if (e - v != 8 || memcmp(v, "HTTP/", 5) != 0 || !isdigit((unsigned char)v[5]) ||
        v[6] != '.' || !isdigit((unsigned char)v[7]))
        return 400;
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return 505;
    req->minor = v[7] - '0';
    return 0;
}

/* Parses one "Name: value" line in [s, e) and records what matters. */
static int parse_header(const char *s, const char *e, cpuprof_http_request *req,
                        int *connection_close, int *connection_keep) {
    const char *colon = memchr(s, ':', (size_t)(e - s));
    if (!colon || colon == s) return 400;
    for (const char *p = s; p < colon; p++)
        if (!is_tchar((unsigned char)*p)) return 400;
    size_t nlen = (size_t)(colon - s);
    char value[1024];
    if (copy_trimmed(value, sizeof value, colon + 1, e) != 0) {
        /* Long values are fine for headers we do not read. */
        value[0] = '\0';
        if (nlen == 14 && strncasecmp(s, "Content-Length", 14) == 0) return 400;
    }
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t') return 400;

    if (nlen == 4 && strncasecmp(s, "Host", 4) == 0) {
        if (req->has_host) return 400; /* two Host headers: ambiguous */
        req->has_host = 1;
    } else if (nlen == 14 && strncasecmp(s, "Content-Length", 14) == 0) {
        long long v = 0;
        if (value[0] == '\0') return 400;
        for (const char *p = value; *p; p++) {
            if (!isdigit((unsigned char)*p) || v > 1000000000000LL) return 400;
            v = v * 10 + (*p - '0');
        }
        if (req->content_length >= 0 && req->content_length != v) return 400;
        req->content_length = v;
    } else if (nlen == 17 && strncasecmp(s, "Transfer-Encoding", 17) == 0) {
        return 501;
    } else if (nlen == 10 && strncasecmp(s, "Connection", 10) == 0) {
        if (list_has(value, "close")) *connection_close = 1;
        if (list_has(value, "keep-alive")) *connection_keep = 1;
    }
    return 0;
}

int cpuprof_http_parse(const char *buf, size_t len, cpuprof_http_request *req) {
    memset(req, 0, sizeof *req);
    req->content_length = -1;

    /* Leading blank lines before a request line are tolerated (RFC 9112). */
    size_t start = 0;
    while (start < len && (buf[start] == '\r' || buf[start] == '\n')) start++;
    size_t end = head_end(buf + start, len - start);
    if (end == 0) {
        if (len >= CPUPROF_HTTP_MAX_HEAD) return 431;
        /* A request line that is already invalid need not wait for more. */
        const char *nl = memchr(buf + start, '\n', len - start);
        if (nl) {
            const char *e = nl;
            if (e > buf + start && e[-1] == '\r') e--;
            cpuprof_http_request probe;
            memset(&probe, 0, sizeof probe);
            int st = parse_request_line(buf + start, e, &probe);
            if (st != 0) return st;
        }
        return CPUPROF_HTTP_NEED_MORE;
    }
    end += start;
    if (end > CPUPROF_HTTP_MAX_HEAD) return 431;
    req->head_len = end;

    const char *p = buf + start, *stop = buf + end;
    int line = 0, nheaders = 0, conn_close = 0, conn_keep = 0;
    while (p < stop) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *e = nl;
        if (e > p && e[-1] == '\r') e--;
        if (e == p) break; /* the blank line */
        int st;
        if (line == 0) {
            st = parse_request_line(p, e, req);
        } else {
            if (*p == ' ' || *p == '\t') return 400; /* obsolete folding */
            if (++nheaders > CPUPROF_HTTP_MAX_HEADERS) return 431;
            st = parse_header(p, e, req, &conn_close, &conn_keep);
        }
        if (st != 0) return st;
        line++;
        p = nl + 1;
    }
    if (req->minor == 1 && !req->has_host) return 400;
    req->keep_alive = req->minor == 1 ? !conn_close : (conn_keep && !conn_close);
    return 0;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes [s, e) into dst (size n). Returns 0, or -1 when malformed
 * or too long. '+' stands for a space, as in forms. */
static int decode(char *dst, size_t n, const char *s, const char *e) {
    size_t k = 0;
    while (s < e) {
        int c = (unsigned char)*s++;
        if (c == '%') {
            if (e - s < 2 || hexval(s[0]) < 0 || hexval(s[1]) < 0) return -1;
            c = hexval(s[0]) * 16 + hexval(s[1]);
            s += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (k + 1 >= n) return -1;
        dst[k++] = (char)c;
    }
    dst[k] = '\0';
    return 0;
}

int cpuprof_http_query_int(const char *query, const char *key, long min,
                           long max, long *out) {
    const char *p = query;
    while (*p) {
        const char *amp = strchr(p, '&');
        const char *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        const char *kend = eq ? eq : end;
        char name[64], value[32];
        if (decode(name, sizeof name, p, kend) == 0 && strcmp(name, key) == 0) {
            if (!eq || decode(value, sizeof value, eq + 1, end) != 0) return -1;
            if (value[0] == '\0' || strlen(value) > 18) return -1;
            long v = 0;
            for (const char *c = value; *c; c++) {
                if (!isdigit((unsigned char)*c)) return -1;
                v = v * 10 + (*c - '0');
            }
            if (v < min || v > max) return -1;
            *out = v;
            return 1;
        }
        p = amp ? amp + 1 : end;
    }
    return 0;
}

const char *cpuprof_http_reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default:  return "Unknown";
    }
}
