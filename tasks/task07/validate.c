/* validate.c: checks strings against an e-mail address pattern with PCRE2.
 *
 * Every call compiles the pattern, matches once, and throws the compiled
 * pattern away. The pattern never changes, so all that compiling is
 * repeated work: it is what task 7 asks you to find in the profile and
 * move out of the function. The answer must stay correct when several
 * threads call valid_email at the same time.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "validate.h"

static const char EMAIL_PATTERN[] =
    "^[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}"
    "(?:com|org|net|edu|gov|mil|int|io|dev|app|uk|de|fr|nl|se|no|fi|dk|it|es|pt|"
    "ch|at|be|pl|cz|jp|cn|kr|in|au|nz|ca|us|br|ar|mx|ru|za)$";

bool valid_email(const char *s) {
    int errcode;
    PCRE2_SIZE erroffset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)EMAIL_PATTERN, PCRE2_ZERO_TERMINATED, 0,
                                   &errcode, &erroffset, NULL);
    if (!re) return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    bool ok = md && pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return ok;
}
