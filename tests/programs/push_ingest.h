/* push_ingest.h: the test ingest server's request checks
 * (push_ingest_parse.c), shared with its main (push_ingest_main.c).
 *
 * They enforce Pyroscope's /ingest protocol for pprof data as its server
 * parses it (docs/push.md, "The protocol"), a little more strictly where
 * the real server would accept something our agent must never send.
 *
 * Invariants: the parsers only read their input; every failure comes with
 * an HTTP status and a one-line reason.
 */
#ifndef PUSH_INGEST_H
#define PUSH_INGEST_H

#include <stddef.h>

#define INGEST_MAX_TAGS 32
#define INGEST_STR 256

typedef struct ingest_tag {
    char key[INGEST_STR];
    char value[INGEST_STR];
} ingest_tag;

/* What the query string said. */
typedef struct ingest_meta {
    char app[INGEST_STR];
    ingest_tag tags[INGEST_MAX_TAGS];
    int ntags;
    long long from, until;
    char spy[INGEST_STR];   /* "unknown" when absent, as the server says */
    long sample_rate;       /* 100 when absent */
    char format[INGEST_STR];
} ingest_meta;

/* A failure: the status to answer and why. */
typedef struct ingest_error {
    int status;
    char reason[400];
} ingest_error;

/* The first value of key in a query string, decoded as Go's url.ParseQuery
 * does ('+' is a space, %XX a byte; a pair with a bad escape is dropped).
 * Returns 1 when found, 0 when absent. */
int ingest_query_get(const char *query, const char *key, char *out, size_t outlen);

/* Parses "app{k=v,...}" as Pyroscope's segment key parser does. */
int ingest_parse_name(const char *name, ingest_meta *m, ingest_error *e);

/* Reads name, from, until, spyName, sampleRate, format. */
int ingest_parse_query(const char *query, ingest_meta *m, ingest_error *e);

/* Finds the profile in the body: the whole body for format=pprof, else
 * the file part named "profile" of a multipart/form-data body whose
 * boundary is given in content_type. *has_config tells whether a
 * sample_type_config part came along. */
int ingest_find_profile(const ingest_meta *m, const char *content_type, const char *body,
                        size_t len, const char **prof, size_t *plen, int *has_config,
                        ingest_error *e);

#endif
