/* push_request.c: the parts of an /ingest request that are plain text
 * (push_request.h): the server URL, the series name with its tags, the
 * query string, the multipart framing.
 *
 * The rules follow what Pyroscope's server accepts (docs/push.md, "The
 * protocol"): an application name of letters, digits, '_', '.', '-'; tag
 * keys of letters, digits and '_'; tag values that cannot end a tag early
 * (no ',' or '}'). We are stricter than the server on values (no spaces,
 * no '{', '=' or '"'), so a name we send is never read back differently.
 *
 * Invariants: nothing here does I/O or keeps state; on error the output is
 * unspecified and err holds one line.
 */
#include "push_request.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int app_char(int c) {
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

static int key_char(int c) {
    return isalnum(c) || c == '_';
}

static int value_char(int c) {
    return c > ' ' && c < 127 && !strchr(",{}=\"", c);
}

int push_parse_url(const char *url, push_target *t, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    if (!url || !*url) {
        snprintf(err, errlen, "no server URL");
        return -1;
    }
    if (strncmp(url, "https://", 8) == 0) {
        snprintf(err, errlen, "%s: https is not supported, use http://", url);
        return -1;
    }
    if (strncmp(url, "http://", 7) != 0) {
        snprintf(err, errlen, "%s: the URL must start with http://", url);
        return -1;
    }
    const char *h = url + 7;
    const char *slash = strchr(h, '/');
    size_t hostport_len = slash ? (size_t)(slash - h) : strlen(h);
    const char *end = h + hostport_len;
    const char *host = h, *host_end, *port = NULL;
    if (*h == '[') { /* [::1]:4040 */
        host = h + 1;
        host_end = memchr(host, ']', (size_t)(end - host));
        if (!host_end) {
            snprintf(err, errlen, "%s: unclosed '[' in the host", url);
            return -1;
        }
        if (host_end + 1 < end) {
            if (host_end[1] != ':') {
                snprintf(err, errlen, "%s: bad host", url);
                return -1;
            }
            port = host_end + 2;
        }
    } else {
        host_end = memchr(h, ':', hostport_len);
        if (host_end) port = host_end + 1;
        else host_end = end;
    }
    size_t hl = (size_t)(host_end - host);
    if (hl == 0 || hl >= sizeof t->host || memchr(host, '@', hl) || memchr(h, '?', hostport_len)) {
        snprintf(err, errlen, "%s: bad host", url);
        return -1;
    }
    memcpy(t->host, host, hl);
    if (port) {
        size_t pl = (size_t)(end - port);
        long v = 0;
        for (size_t i = 0; i < pl; i++) {
            if (!isdigit((unsigned char)port[i]) || (v = v * 10 + (port[i] - '0')) > 65535) {
                pl = 0;
                break;
            }
        }
        if (pl == 0 || v == 0) {
            snprintf(err, errlen, "%s: bad port", url);
            return -1;
        }
        snprintf(t->port, sizeof t->port, "%d", (int)(v & 0xffff));
    } else {
        snprintf(t->port, sizeof t->port, "80");
    }
    snprintf(t->host_hdr, sizeof t->host_hdr, "%.*s", (int)hostport_len, h);

    /* The path: the URL's, without query or fragment or trailing '/',
     * then "/ingest" (as Pyroscope's clients join it). */
    const char *p = slash ? slash : "";
    size_t pl = strcspn(p, "?#");
    while (pl > 0 && p[pl - 1] == '/') pl--;
    for (size_t i = 0; i < pl; i++) {
        if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 127) {
            snprintf(err, errlen, "%s: bad character in the path", url);
            return -1;
        }
    }
    if (pl + sizeof "/ingest" > sizeof t->path) {
        snprintf(err, errlen, "%s: path too long", url);
        return -1;
    }
    memcpy(t->path, p, pl);
    memcpy(t->path + pl, "/ingest", sizeof "/ingest");
    return 0;
}

int push_make_name(const char *app, const cpuprof_label *tags, size_t ntags, char *out,
                   size_t outlen, char *err, size_t errlen) {
    if (!app || !*app) {
        snprintf(err, errlen, "no application name");
        return -1;
    }
    for (const char *c = app; *c; c++) {
        if (!app_char((unsigned char)*c)) {
            snprintf(err, errlen,
                     "application name '%s': only letters, digits, '_', '.' and '-' are allowed",
                     app);
            return -1;
        }
    }
    if (ntags > CPUPROF_PUSH_MAX_TAGS) {
        snprintf(err, errlen, "%zu tags: at most %d", ntags, CPUPROF_PUSH_MAX_TAGS);
        return -1;
    }
    size_t n = (size_t)snprintf(out, outlen, "%s{", app);
    for (size_t i = 0; i < ntags && n < outlen; i++) {
        const char *k = tags[i].key, *v = tags[i].value;
        if (!k || !*k || !v || !*v) {
            snprintf(err, errlen, "tag %zu: empty key or value", i + 1);
            return -1;
        }
        for (const char *c = k; *c; c++) {
            if (!key_char((unsigned char)*c)) {
                snprintf(err, errlen, "tag key '%s': only letters, digits and '_' are allowed",
                         k);
                return -1;
            }
        }
        if (strncmp(k, "__", 2) == 0) {
            snprintf(err, errlen, "tag key '%s': keys starting with __ are reserved", k);
            return -1;
        }
        for (const char *c = v; *c; c++) {
            if (!value_char((unsigned char)*c)) {
                snprintf(err, errlen,
                         "tag %s='%s': values are printable ASCII without spaces, ',', '{', "
                         "'}', '=' or '\"'", k, v);
                return -1;
            }
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(tags[j].key, k) == 0) {
                snprintf(err, errlen, "tag key '%s' given twice", k);
                return -1;
            }
        }
        n += (size_t)snprintf(out + n, outlen - n, "%s%s=%s", i ? "," : "", k, v);
    }
    if (n + 2 > outlen) {
        snprintf(err, errlen, "the name with its tags is longer than %zu bytes", outlen - 2);
        return -1;
    }
    out[n++] = '}';
    out[n] = '\0';
    return 0;
}

int push_query_escape(const char *s, char *out, size_t outlen) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (isalnum(*c) || *c == '-' || *c == '_' || *c == '.' || *c == '~') {
            if (n + 1 >= outlen) return -1;
            out[n++] = (char)*c;
        } else {
            if (n + 3 >= outlen) return -1;
            out[n++] = '%';
            out[n++] = hex[*c >> 4];
            out[n++] = hex[*c & 15];
        }
    }
    if (n >= outlen) return -1;
    out[n] = '\0';
    return 0;
}

int push_make_query(char *out, size_t outlen, const char *name, long long from,
                    long long until, int hz) {
    char esc[3 * PUSH_NAME_MAX + 1];
    if (push_query_escape(name, esc, sizeof esc) < 0) return -1;
    int n = snprintf(out, outlen, "name=%s&from=%lld&until=%lld&spyName=cpuprof&sampleRate=%d",
                     esc, from, until, hz);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* A step of splitmix64: good enough to make boundaries unlikely to repeat. */
static uint64_t mix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void push_make_boundary(uint64_t seed, const uint8_t *data, size_t len,
                        char out[PUSH_BOUNDARY_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    for (;;) {
        uint64_t a = mix(&seed), b = mix(&seed);
        for (int i = 0; i < 16; i++) {
            out[i] = hex[(a >> (4 * i)) & 15];
            out[16 + i] = hex[(b >> (4 * i)) & 15];
        }
        out[PUSH_BOUNDARY_LEN] = '\0';
        if (!data || !memmem(data, len, out, PUSH_BOUNDARY_LEN)) return;
    }
}

void push_multipart_frame(const char *boundary, char *pre, size_t prelen, char *post,
                          size_t postlen) {
    /* The part needs a filename: Go's multipart reader files a part
     * without one as a plain form value, and the server reads the
     * profile only from the form's files. */
    snprintf(pre, prelen,
             "--%s\r\n"
             "Content-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"
             "Content-Type: application/octet-stream\r\n"
             "\r\n",
             boundary);
    snprintf(post, postlen, "\r\n--%s--\r\n", boundary);
}
