/* notes.c: the writeup criteria ("you explain in writing").
 *
 * The learner answers in tasks/taskNN/NOTES.md, under the heading
 * "## Answer" of the template that ships with the task. The answer's lines
 * are the non-blank lines after that heading, up to the next heading of
 * level 1 or 2, with HTML comments (the template's placeholder) removed; an
 * untouched template therefore has 0 lines. The criterion passes at 5 to 15
 * lines. The checker never grades what the answer says: after a pass it
 * prints the points a good answer covers, for the learner to compare.
 */
#include "checker.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

static bool is_answer_heading(const char *line) {
    if (strncmp(line, "## ", 3) != 0) return false;
    line += 3;
    while (*line == ' ') line++;
    return strncasecmp(line, "answer", 6) == 0;
}

static bool is_section_end(const char *line) {
    return line[0] == '#' && (line[1] == ' ' || (line[1] == '#' && line[2] == ' '));
}

/* Removes the parts of line inside <!-- -->, carrying the state across
 * lines in *in_comment. */
static void strip_comments(char *line, bool *in_comment) {
    char *out = line;
    for (char *p = line; *p;) {
        if (*in_comment) {
            char *end = strstr(p, "-->");
            if (!end) break;
            p = end + 3;
            *in_comment = false;
        } else if (strncmp(p, "<!--", 4) == 0) {
            p += 4;
            *in_comment = true;
        } else {
            *out++ = *p++;
        }
    }
    *out = '\0';
}

static bool is_blank(const char *s) {
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == '\0';
}

int notes_answer_lines(const char *path, int *lines, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    bool in_answer = false, found = false, in_comment = false;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (!in_answer) {
            if (is_answer_heading(line)) in_answer = found = true;
            continue;
        }
        if (!in_comment && is_section_end(line)) break;
        strip_comments(line, &in_comment);
        if (!is_blank(line)) n++;
    }
    fclose(f);
    if (!found) {
        snprintf(err, errlen, "%s has no \"## Answer\" heading (see the template)", path);
        return -1;
    }
    *lines = n;
    return 0;
}

int measure_notes(check_ctx *c, const criterion *k, measurement *m) {
    (void)k;
    int n;
    if (notes_answer_lines(c->notes_path, &n, m->error, sizeof m->error) < 0) return -1;
    m->value = n;
    textf(m->shown, sizeof m->shown, "in %s has %d line%s%s", c->notes_path, n,
             n == 1 ? "" : "s", n == 0 ? " (not written yet)" : "");
    return 0;
}

void notes_print_points(check_ctx *c) {
    const char *const *p = c->task->notes_points;
    if (!p || !*p) return;
    report_line(&c->rep, "      self-review (the checker does not grade content); a good "
                         "answer covers:");
    for (; *p; p++) report_line(&c->rep, "        - %s", *p);
}
