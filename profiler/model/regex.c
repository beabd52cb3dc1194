/* regex.c: the PCRE2 regexes of filters and matches.
 *
 * Patterns are compiled for UTF-8 but tolerate invalid UTF-8 subjects (symbol
 * names are bytes), and match anywhere in the subject, like Go's
 * regexp.MatchString that pprof uses. A compile error names the option it
 * came from and the offset of the problem.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

struct pf_regex {
    pcre2_code *code;
    pcre2_match_data *md;
};

pf_regex *pf_regex_compile(const char *pattern, const char *flag, char *err, size_t errlen) {
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode, &eoff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
            strcpy((char *)msg, "invalid pattern");
        pf_errf(err, errlen, "profile: bad %s regex \"%s\": %s at offset %zu", flag, pattern,
                (char *)msg, (size_t)eoff);
        return NULL;
    }
    pf_regex *re = pf_xcalloc(1, sizeof(*re));
    re->code = code;
    re->md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!re->md) pf_oom(sizeof(*re));
    return re;
}

bool pf_regex_match(pf_regex *re, const char *s) {
    return pcre2_match(re->code, (PCRE2_SPTR)s, strlen(s), 0, 0, re->md, NULL) >= 0;
}

void pf_regex_free(pf_regex *re) {
    if (!re) return;
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    free(re);
}
