/* concat.h: joining two strings into a new one. */
#ifndef CONCAT_H
#define CONCAT_H

/* Returns a new malloc'ed string holding s followed by part, and frees s
 * (s may be NULL, read as ""). Exits the program when out of memory. */
char *concat(char *s, const char *part);

#endif
