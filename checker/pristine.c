/* pristine.c: the untouched exercises, taken from git history rather than
 * kept as a second copy in the tree.
 *
 * The untouched version of tasks/taskNN is the one at the commit the
 * learner started from: `git merge-base HEAD origin/main` in a clone (so
 * the learner's own commits never count as untouched), else HEAD (a
 * developer's checkout with no origin). It is extracted with `git archive`
 * into build/pristine/taskNN, which is rewritten on every use and never
 * edited. --reset restores the same files into tasks/taskNN with `git
 * restore`, leaving the index alone, and keeps a NOTES.md the learner has
 * written.
 */
#include "checker.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void chomp(char *s) {
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
}

/* The commit the learner started from, as a full hash. */
static int base_commit(char *out, size_t len, char *err, size_t errlen) {
    char buf[256];
    const char *inside[] = {"git", "rev-parse", "--is-inside-work-tree", NULL};
    if (run_capture(inside, buf, sizeof buf, err, errlen) < 0) {
        snprintf(err, errlen, "not a git checkout, so the untouched program is unknown "
                              "(clone the repository with git)");
        return -1;
    }
    const char *has_origin[] = {"git", "rev-parse", "--verify", "-q", "origin/main", NULL};
    const char *merge_base[] = {"git", "merge-base", "HEAD", "origin/main", NULL};
    const char *head[] = {"git", "rev-parse", "--verify", "HEAD", NULL};
    char e2[ERRLEN];
    if (run_capture(has_origin, buf, sizeof buf, e2, sizeof e2) == 0) {
        if (run_capture(merge_base, out, len, err, errlen) < 0) return -1;
    } else if (run_capture(head, out, len, err, errlen) < 0) {
        snprintf(err, errlen, "git has no commit yet, so the untouched program is unknown");
        return -1;
    }
    chomp(out);
    return 0;
}

int pristine_get(check_ctx *c) {
    if (c->pristine_tried) return c->pristine_ok ? 0 : -1;
    c->pristine_tried = true;
    char commit[128], tar[PATH_MAX], path[64], err[ERRLEN] = "";
    if (base_commit(commit, sizeof commit, err, sizeof err) < 0) goto fail;
    snprintf(path, sizeof path, "tasks/task%s", c->nn);
    snprintf(c->pristine_dir, sizeof c->pristine_dir, "build/pristine/task%s", c->nn);
    snprintf(tar, sizeof tar, "build/pristine/task%s.tar", c->nn);
    mkdir("build", 0755);
    mkdir("build/pristine", 0755);
    const char *rm[] = {"rm", "-rf", c->pristine_dir, NULL};
    const char *archive[] = {"git", "archive", "--format=tar", "-o", tar, commit, path, NULL};
    const char *untar[] = {"tar", "-xf", tar, "-C", c->pristine_dir, "--strip-components=2",
                           NULL};
    run_opts quiet = {.quiet = true, .timeout_sec = 60};
    if (run_cmd(rm, &quiet, err, sizeof err) < 0) goto fail;
    if (run_cmd(archive, &quiet, err, sizeof err) < 0) {
        snprintf(err, sizeof err, "%s is not in git at commit %.12s", path, commit);
        goto fail;
    }
    if (mkdir(c->pristine_dir, 0755) < 0 || run_cmd(untar, &quiet, err, sizeof err) < 0) {
        if (!err[0]) textf(err, sizeof err, "cannot create %s", c->pristine_dir);
        goto fail;
    }
    unlink(tar);
    c->pristine_ok = true;
    return 0;
fail:
    textf(c->pristine_error, sizeof c->pristine_error, "untouched program: %s", err);
    return -1;
}

int pristine_reset(int num, char *msg, size_t msglen) {
    char commit[128], path[64], notes[96], err[ERRLEN];
    if (base_commit(commit, sizeof commit, err, sizeof err) < 0) {
        snprintf(msg, msglen, "cannot reset: %s", err);
        return -1;
    }
    snprintf(path, sizeof path, "tasks/task%02d", num);
    snprintf(notes, sizeof notes, ":(exclude)%s/NOTES.md", path);
    char source[160];
    snprintf(source, sizeof source, "--source=%s", commit);
    bool keep_notes = access(notes + strlen(":(exclude)"), F_OK) == 0;
    const char *restore[] = {"git", "restore", source, "--worktree", "--", path,
                             keep_notes ? notes : NULL, NULL};
    run_opts quiet = {.quiet = true, .timeout_sec = 60};
    if (run_cmd(restore, &quiet, err, sizeof err) < 0) {
        snprintf(msg, msglen, "cannot reset %s: %s (is it in git at %.12s?)", path, err, commit);
        return -1;
    }
    snprintf(msg, msglen, "restored %s as of commit %.12s%s", path, commit,
             keep_notes ? "; your NOTES.md was kept (delete it and reset again for the template)"
                        : "");
    return 0;
}
