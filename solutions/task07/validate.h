/* validate.h: the e-mail address validator task 7 profiles. */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <stdbool.h>

/* True when s looks like an e-mail address: a local part, one '@', and a
 * domain of dot-separated labels ending in a top-level name of at least
 * two letters. Safe to call from several threads at once. */
bool valid_email(const char *s);

#endif
