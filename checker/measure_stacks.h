/* measure_stacks.h: criteria measured sample by sample on a run's stacks
 * and labels, where a per-function flat or cum is not enough (tasks 5, 6
 * and 10). Functions of checker/measure_stacks.c.
 */
#ifndef MEASURE_STACKS_H
#define MEASURE_STACKS_H

#include "checker.h"

/* Percent of the cpu total in the samples whose stack, read from the leaf
 * up, reaches a frame whose function matches target_re before any frame of
 * the program's own code (a frame outside every shared library). *hits
 * gets their number (the "samples" value when the profile has one). */
int stacks_leafward_share(check_ctx *c, run_which w, const char *target_re, double *pct,
                          int64_t *hits, char *err, size_t errlen);

/* Among the samples with a function matching fn_re on the stack (of the
 * profile at path, after the tag filter tagfocus when it is not NULL),
 * the percent of the cpu value that carries the label key=value (value
 * NULL: any value of key). *nsamples gets the number of samples with
 * fn_re on the stack; none is an error. */
int stacks_label_share(const char *path, const char *tagfocus, const char *fn_re,
                       const char *key, const char *value, double *pct, int64_t *nsamples,
                       char *err, size_t errlen);

/* Percent of the cpu value, in the profile at path after the tag filter
 * tagfocus, of the samples with a function matching fn_re on the stack;
 * *nsamples gets the number of samples left by the filter. */
int stacks_share_after_tagfocus(const char *path, const char *tagfocus, const char *fn_re,
                                double *pct, int64_t *nsamples, char *err, size_t errlen);

/* Whether name matches the PCRE2 pattern (anywhere, as function regexes
 * do). 0 with *match set, or -1 when the pattern is bad. */
int stacks_name_matches(const char *pattern, const char *name, bool *match, char *err,
                        size_t errlen);

#endif
