/* push_request.h: what the push agent sends, built and checked in
 * push_request.c: the target parsed from the URL, the series name
 * "app{k=v,...}", the /ingest query string and the multipart framing
 * around the profile.
 *
 * Invariants: every function here is pure (no I/O, no globals); a name or
 * a query that would not fit its buffer is an error, never cut short.
 */
#ifndef CPUPROF_PUSH_REQUEST_H
#define CPUPROF_PUSH_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "cpuprof.h"

#pragma GCC visibility push(hidden)

#define PUSH_NAME_MAX 1024
#define PUSH_QUERY_MAX 3600
#define PUSH_BOUNDARY_LEN 32

typedef struct push_target {
    char host[256];     /* as written in the URL, without brackets */
    char port[8];       /* "80" when the URL names none */
    char host_hdr[272]; /* the Host header: "host" or "host:port" */
    char path[512];     /* the URL's path (no trailing '/') + "/ingest" */
} push_target;

/* Parses "http://host[:port][/prefix]". https and anything else that is
 * not plain http is refused with a one-line reason in err. */
int push_parse_url(const char *url, push_target *t, char *err, size_t errlen);

/* Checks app and tags the way Pyroscope parses a series name and writes
 * "app{k1=v1,k2=v2}" (tags in the order given). Keys: letters, digits,
 * '_', not starting with "__"; values: printable ASCII without spaces,
 * ',', '{', '}', '=' or '"'; no key twice. */
int push_make_name(const char *app, const cpuprof_label *tags, size_t ntags, char *out,
                   size_t outlen, char *err, size_t errlen);

/* "name=<escaped>&from=F&until=U&spyName=cpuprof&sampleRate=HZ". */
int push_make_query(char *out, size_t outlen, const char *name, long long from,
                    long long until, int hz);

/* Percent-encodes s into out (unreserved bytes stay as they are). */
int push_query_escape(const char *s, char *out, size_t outlen);

/* A boundary of PUSH_BOUNDARY_LEN hex digits from seed that does not occur
 * in data (the seed is stepped until it does not). */
void push_make_boundary(uint64_t seed, const uint8_t *data, size_t len,
                        char out[PUSH_BOUNDARY_LEN + 1]);

/* The multipart framing around the profile part: the text before the
 * data (boundary line and part headers) and after it (closing boundary).
 * Both are written into the caller's buffers, NUL-terminated. */
void push_multipart_frame(const char *boundary, char *pre, size_t prelen, char *post,
                          size_t postlen);

#pragma GCC visibility pop

#endif
