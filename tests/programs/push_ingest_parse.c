/* push_ingest_parse.c: the test ingest server's checks of one /ingest
 * request (push_ingest.h): the query string, the series name and its tags,
 * the body's form (raw pprof or multipart form with a "profile" file).
 *
 * Where the real server is lenient we are strict, and say so in the
 * reason: from/until must be whole Unix seconds (the server also takes
 * relative forms like "now-10s"), sampleRate must be a number (the server
 * logs a bad one and uses 100), and a multipart body without a "profile"
 * file is refused (the server answers 200 and stores nothing, which would
 * hide the very bug a test is for).
 *
 * Invariants: nothing here allocates or writes outside its out-parameters.
 */
#include "push_ingest.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(ingest_error *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(ingest_error *e, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof e->reason, fmt, ap);
    va_end(ap);
    e->status = status;
    return -1;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes n bytes of s into out; -1 on a bad escape or no room. */
static int unescape(const char *s, size_t n, char *out, size_t outlen) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n) return -1;
            int h = hexval((unsigned char)s[i + 1]), l = hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0) return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (o + 1 >= outlen) return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

int ingest_query_get(const char *query, const char *key, char *out, size_t outlen) {
    char k[INGEST_STR];
    for (const char *p = query; p && *p;) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        if (unescape(p, kl, k, sizeof k) == 0 && strcmp(k, key) == 0) {
            const char *v = eq ? eq + 1 : p + n;
            size_t vl = eq ? n - kl - 1 : 0;
            if (unescape(v, vl, out, outlen) == 0) return 1;
        }
        p += n;
        if (*p == '&') p++;
    }
    return 0;
}

static void trim(char *s) {
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    size_t i = 0;
    while (isspace((unsigned char)s[i])) i++;
    memmove(s, s + i, n - i + 1);
}

static int app_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-')) return 0;
    return 1;
}

static int key_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
    return 1;
}

/* The states of Pyroscope's key parser: the name up to '{', then keys up
 * to '=', values up to ',' or '}'. Text after the closing '}' is ignored,
 * as there. */
int ingest_parse_name(const char *name, ingest_meta *m, ingest_error *e) {
    const char *brace = strchr(name, '{');
    size_t al = brace ? (size_t)(brace - name) : strlen(name);
    if (al >= sizeof m->app) return fail(e, 400, "name: application name too long");
    memcpy(m->app, name, al);
    m->app[al] = '\0';
    trim(m->app);
    if (!*m->app) return fail(e, 400, "name: application name is required");
    if (!app_ok(m->app))
        return fail(e, 400, "name: invalid application name '%s' (letters, digits, _ . -)",
                    m->app);
    m->ntags = 0;
    if (!brace) return 0;
    const char *p = brace + 1;
    while (*p && *p != '}') {
        size_t kl = strcspn(p, "=}");
        if (p[kl] != '=') break; /* "{key}" without '=': the server drops it */
        const char *v = p + kl + 1;
        size_t vl = strcspn(v, ",}");
        if (m->ntags == INGEST_MAX_TAGS) return fail(e, 400, "name: more than %d tags",
                                                      INGEST_MAX_TAGS);
        ingest_tag *t = &m->tags[m->ntags];
        if (kl >= sizeof t->key || vl >= sizeof t->value)
            return fail(e, 400, "name: tag too long");
        memcpy(t->key, p, kl);
        t->key[kl] = '\0';
        memcpy(t->value, v, vl);
        t->value[vl] = '\0';
        trim(t->key);
        trim(t->value);
        if (strcmp(t->key, "__name__") == 0 || strncmp(t->key, "__", 2) == 0)
            return fail(e, 400, "name: tag key '%s' is reserved", t->key);
        if (!key_ok(t->key))
            return fail(e, 400, "name: invalid tag key '%s' (letters, digits, _)", t->key);
        int dup = 0;
        for (int i = 0; i < m->ntags; i++)
            if (strcmp(m->tags[i].key, t->key) == 0) {
                snprintf(m->tags[i].value, sizeof m->tags[i].value, "%s", t->value);
                dup = 1;
            }
        if (!dup) m->ntags++;
        p = v + vl;
        if (*p == ',') p++;
    }
    return 0;
}

static int unix_seconds(const char *s, long long *out) {
    if (!*s || strlen(s) > 12) return -1;
    long long v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

int ingest_parse_query(const char *query, ingest_meta *m, ingest_error *e) {
    memset(m, 0, sizeof *m);
    char v[1024];
    if (!ingest_query_get(query, "name", v, sizeof v))
        return fail(e, 400, "name: application name is required");
    if (ingest_parse_name(v, m, e) < 0) return -1;
    if (!ingest_query_get(query, "from", v, sizeof v) || unix_seconds(v, &m->from) < 0)
        return fail(e, 400, "from: want Unix seconds, got '%s'", v);
    if (!ingest_query_get(query, "until", v, sizeof v) || unix_seconds(v, &m->until) < 0)
        return fail(e, 400, "until: want Unix seconds, got '%s'", v);
    if (m->until < m->from)
        return fail(e, 400, "until %lld is before from %lld", m->until, m->from);
    if (!ingest_query_get(query, "spyName", m->spy, sizeof m->spy) || !*m->spy)
        memcpy(m->spy, "unknown", sizeof "unknown");
    m->sample_rate = 100;
    if (ingest_query_get(query, "sampleRate", v, sizeof v) && *v) {
        char *end;
        long r = strtol(v, &end, 10);
        if (*end || r <= 0) return fail(e, 400, "sampleRate: want a positive integer, got '%s'", v);
        m->sample_rate = r;
    }
    if (!ingest_query_get(query, "format", m->format, sizeof m->format)) m->format[0] = '\0';
    return 0;
}

/* The value of parameter `param` in a header value such as
 * `multipart/form-data; boundary="x"` or `form-data; name="profile"`. */
static int header_param(const char *h, const char *param, char *out, size_t outlen) {
    size_t pl = strlen(param);
    const char *p = strchr(h, ';');
    while (p) {
        p++;
        while (*p == ' ' || *p == '\t') p++;
        if (strncasecmp(p, param, pl) == 0 && p[pl] == '=') {
            const char *v = p + pl + 1;
            size_t o = 0;
            if (*v == '"') {
                for (v++; *v && *v != '"'; v++) {
                    if (*v == '\\' && v[1]) v++;
                    if (o + 1 < outlen) out[o++] = *v;
                }
            } else {
                while (*v && *v != ';' && *v != ' ' && *v != '\t' && o + 1 < outlen)
                    out[o++] = *v++;
            }
            out[o] = '\0';
            return 1;
        }
        p = strchr(p, ';');
    }
    return 0;
}

static const char *find(const char *hay, size_t n, const char *needle, size_t nl) {
    return memmem(hay, n, needle, nl);
}

int ingest_find_profile(const ingest_meta *m, const char *content_type, const char *body,
                        size_t len, const char **prof, size_t *plen, int *has_config,
                        ingest_error *e) {
    *has_config = 0;
    /* The server's order: a format it knows decides before the
     * Content-Type does; format=pprof means the body is the profile. */
    if (strcmp(m->format, "pprof") == 0) {
        *prof = body;
        *plen = len;
        return 0;
    }
    static const char *const other[] = {"trie", "tree", "lines", "jfr", "speedscope"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (strcmp(m->format, other[i]) == 0)
            return fail(e, 415, "format=%s: this test server takes pprof only", m->format);
    if (!content_type || !strstr(content_type, "multipart/form-data"))
        return fail(e, 415,
                    "Content-Type '%s' with no format: the server would read folded text; "
                    "send multipart/form-data with a 'profile' file, or format=pprof",
                    content_type ? content_type : "");
    char b[128];
    if (!header_param(content_type, "boundary", b, sizeof b) || !*b)
        return fail(e, 400, "malformed multipart content type header (no boundary)");
    char delim[140];
    int dl = snprintf(delim, sizeof delim, "--%s", b);

    /* Parts: each starts at a delimiter line; the closing one ends "--". */
    const char *p = find(body, len, delim, (size_t)dl);
    if (!p) return fail(e, 400, "multipart: no boundary line in the body");
    const char *end = body + len;
    int found = 0;
    for (;;) {
        p += dl;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') break; /* closing delimiter */
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') p += 2;
        else if (p < end && *p == '\n') p++;
        else return fail(e, 400, "multipart: bad delimiter line");
        const char *hend = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend) return fail(e, 400, "multipart: part headers do not end");
        char name[INGEST_STR] = "", filename[INGEST_STR] = "";
        int has_filename = 0;
        for (const char *h = p; h < hend;) {
            const char *eol = find(h, (size_t)(hend + 2 - h), "\r\n", 2);
            char line[1024];
            size_t ll = (size_t)(eol - h) < sizeof line - 1 ? (size_t)(eol - h) : sizeof line - 1;
            memcpy(line, h, ll);
            line[ll] = '\0';
            if (strncasecmp(line, "Content-Disposition:", 20) == 0) {
                const char *v = line + 20;
                while (*v == ' ') v++;
                if (strncasecmp(v, "form-data", 9) != 0)
                    return fail(e, 400, "multipart: Content-Disposition is not form-data");
                header_param(v, "name", name, sizeof name);
                has_filename = header_param(v, "filename", filename, sizeof filename);
            }
            h = eol + 2;
        }
        const char *data = hend + 4;
        char next[144];
        int nl = snprintf(next, sizeof next, "\r\n%s", delim);
        const char *dend = find(data, (size_t)(end - data), next, (size_t)nl);
        if (!dend) return fail(e, 400, "multipart: part '%s' has no closing boundary", name);
        if (strcmp(name, "profile") == 0) {
            if (!has_filename)
                return fail(e, 422,
                            "multipart: part 'profile' has no filename, so Go's form reader "
                            "keeps it as a value and the server finds no profile");
            *prof = data;
            *plen = (size_t)(dend - data);
            found = 1;
        } else if (strcmp(name, "prev_profile") == 0) {
            return fail(e, 400, "unsupported client version: prev_profile part");
        } else if (strcmp(name, "sample_type_config") == 0) {
            *has_config = 1;
        }
        p = dend + 2;
    }
    if (!found) return fail(e, 422, "multipart: no file part named 'profile'");
    if (*plen == 0) return fail(e, 422, "multipart: the 'profile' part is empty");
    return 0;
}
