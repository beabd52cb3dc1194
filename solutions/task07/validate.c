/* validate.c: checks strings against an e-mail address pattern with PCRE2.
 *
 * The pattern is compiled once per process, on the first call, and kept in
 * a file-scope variable. pthread_once makes that first call safe from
 * several threads: exactly one of them runs compile_pattern, and the others
 * wait until it has returned, so every thread sees the finished pattern
 * (pthread_once also orders the writes it made before their reads).
 * After that, a compiled pcre2_code is read-only and pcre2_match may use
 * it from any number of threads at once; each call has its own match data.
 * Invariant: after pthread_once returns, pattern is the compiled pattern,
 * or NULL if it failed to compile (then every string is invalid).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

static const char EMAIL_PATTERN[] =
    "^[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}"
    "(?:com|org|net|edu|gov|mil|int|io|dev|app|uk|de|fr|nl|se|no|fi|dk|it|es|pt|"
    "ch|at|be|pl|cz|jp|cn|kr|in|au|nz|ca|us|br|ar|mx|ru|za)$";

static pcre2_code *pattern;
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;

static void compile_pattern(void) {
    int errcode;
    PCRE2_SIZE erroffset;
    pattern = pcre2_compile((PCRE2_SPTR)EMAIL_PATTERN, PCRE2_ZERO_TERMINATED, 0, &errcode,
                            &erroffset, NULL);
    if (!pattern) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        fprintf(stderr, "valid_email: pattern error at offset %zu: %s\n", (size_t)erroffset,
                (char *)msg);
    }
}

bool valid_email(const char *s) {
    pthread_once(&pattern_once, compile_pattern);
    if (!pattern) return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(pattern, NULL);
    bool ok = md && pcre2_match(pattern, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    return ok;
}
