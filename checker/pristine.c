/* pristine.c: the untouched exercises, taken from git history rather than
 * kept as a second copy in the tree.
 *
 * The untouched version of tasks/taskNN is the one at the commit the
 * learner started from, chosen by the first rule that applies:
 *   1. CPUPROF_UNTOUCHED=<commit> in the environment names it;
 *   2. with an origin/main: `git merge-base HEAD origin/main`;
 *   3. with any other remote-tracking branch (a clone whose default branch
 *      is master, a fork's remote under another name): the newest commit
 *      of HEAD's history that is on a remote, that is the commit where the
 *      commits on no remote begin (`git rev-list --boundary HEAD --not
 *      --remotes`); HEAD itself when every commit is on a remote. When
 *      that is not one commit (none of HEAD's history is on a remote, or
 *      it was merged in from several unrelated places), the checker refuses
 *      and asks for rule 1;
 *   4. no remote at all (a developer's checkout): HEAD.
 * So a commit the learner has not pushed never counts as untouched. The
 * tasks/taskNN and tasks/common of that commit are extracted with `git
 * archive` into build/pristine/taskNN and build/pristine/taskNN-common
 * (the untouched program links the shared code of its own commit, never
 * the working tree's), rewritten on every use and never edited. --reset
 * restores tasks/taskNN of the same commit with `git restore`, leaving the
 * index alone, and keeps a NOTES.md the learner has written.
 */
#include "checker.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void chomp(char *s) {
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
}

/* The full hash of rev as a commit, or -1. */
static int commit_of(const char *rev, char *out, size_t len) {
    char spec[256], e[ERRLEN];
    textf(spec, sizeof spec, "%s^{commit}", rev);
    const char *argv[] = {"git", "rev-parse", "--verify", "-q", spec, NULL};
    if (run_capture(argv, out, len, e, sizeof e) < 0 || !out[0]) return -1;
    chomp(out);
    return 0;
}

/* Rule 3: the commit where HEAD's commits on no remote begin. rev-list
 * --reverse --boundary prints the boundary (remote) commits first, each
 * prefixed with '-'; the independent ones among them must be one commit. */
static int newest_on_remote(char *out, size_t len, char *err, size_t errlen) {
    static char buf[1 << 16];
    const char *local[] = {"git", "rev-list", "--reverse", "--boundary", "HEAD", "--not",
                           "--remotes", NULL};
    if (run_capture(local, buf, sizeof buf, err, errlen) < 0) return -1;
    if (!buf[0]) return commit_of("HEAD", out, len);
    const char *indep[40] = {"git", "merge-base", "--independent"};
    size_t n = 3;
    for (char *line = strtok(buf, "\n"); line && line[0] == '-' && n + 1 < 40;
         line = strtok(NULL, "\n"))
        indep[n++] = line + 1;
    indep[n] = NULL;
    if (n == 3) {
        textf(err, errlen, "none of HEAD's commits is on a remote, so the untouched program is "
                           "unknown; name its commit with CPUPROF_UNTOUCHED=<commit>");
        return -1;
    }
    if (run_capture(indep, out, len, err, errlen) < 0) return -1;
    chomp(out);
    if (strchr(out, '\n')) {
        textf(err, errlen, "your unpushed commits start from several remote commits, so the "
                           "untouched program is ambiguous; name its commit with "
                           "CPUPROF_UNTOUCHED=<commit>");
        return -1;
    }
    return 0;
}

/* The commit the learner started from, as a full hash, and which rule
 * chose it (for the report). */
static int base_commit(char *out, size_t len, const char **rule, char *err, size_t errlen) {
    char buf[256];
    const char *inside[] = {"git", "rev-parse", "--is-inside-work-tree", NULL};
    if (run_capture(inside, buf, sizeof buf, err, errlen) < 0) {
        snprintf(err, errlen, "not a git checkout, so the untouched program is unknown "
                              "(clone the repository with git)");
        return -1;
    }
    const char *named = getenv("CPUPROF_UNTOUCHED");
    if (named && named[0]) {
        *rule = "named by CPUPROF_UNTOUCHED";
        if (commit_of(named, out, len) < 0) {
            textf(err, errlen, "CPUPROF_UNTOUCHED=%s is not a commit of this repository", named);
            return -1;
        }
        return 0;
    }
    char e2[ERRLEN];
    if (commit_of("HEAD", buf, sizeof buf) < 0) {
        snprintf(err, errlen, "git has no commit yet, so the untouched program is unknown");
        return -1;
    }
    if (commit_of("origin/main", buf, sizeof buf) == 0) {
        *rule = "where HEAD leaves origin/main";
        const char *merge_base[] = {"git", "merge-base", "HEAD", "origin/main", NULL};
        if (run_capture(merge_base, out, len, err, errlen) < 0) return -1;
        chomp(out);
        return 0;
    }
    const char *remotes[] = {"git", "for-each-ref", "--count=1", "refs/remotes", NULL};
    if (run_capture(remotes, buf, sizeof buf, e2, sizeof e2) == 0 && buf[0]) {
        *rule = "the newest of HEAD's commits on a remote";
        return newest_on_remote(out, len, err, errlen);
    }
    *rule = "HEAD: no remote to tell your commits apart";
    return commit_of("HEAD", out, len);
}

/* Extracts path at commit from the archive tar into dir (emptied first);
 * a path missing at that commit leaves dir empty when optional is set. */
static int extract(const char *commit, const char *path, const char *dir, bool optional,
                   char *err, size_t errlen) {
    char tar[PATH_MAX];
    textf(tar, sizeof tar, "%s.tar", dir);
    const char *rm[] = {"rm", "-rf", dir, NULL};
    const char *archive[] = {"git", "archive", "--format=tar", "-o", tar, commit, path, NULL};
    const char *untar[] = {"tar", "-xf", tar, "-C", dir, "--strip-components=2", NULL};
    run_opts quiet = {.quiet = true, .timeout_sec = 60};
    if (run_cmd(rm, &quiet, err, errlen) < 0) return -1;
    if (mkdir(dir, 0755) < 0) {
        textf(err, errlen, "cannot create %s", dir);
        return -1;
    }
    if (run_cmd(archive, &quiet, err, errlen) < 0) {
        unlink(tar);
        if (optional) return 0;
        textf(err, errlen, "%s is not in git at commit %.12s", path, commit);
        return -1;
    }
    int rc = run_cmd(untar, &quiet, err, errlen);
    unlink(tar);
    return rc;
}

int pristine_get(check_ctx *c) {
    if (c->pristine_tried) return c->pristine_ok ? 0 : -1;
    c->pristine_tried = true;
    char commit[128], path[64], err[ERRLEN] = "";
    const char *rule = "";
    if (base_commit(commit, sizeof commit, &rule, err, sizeof err) < 0) goto fail;
    snprintf(path, sizeof path, "tasks/task%s", c->nn);
    snprintf(c->pristine_dir, sizeof c->pristine_dir, "build/pristine/task%s", c->nn);
    snprintf(c->pristine_common, sizeof c->pristine_common, "build/pristine/task%s-common",
             c->nn);
    mkdir("build", 0755);
    mkdir("build/pristine", 0755);
    if (extract(commit, path, c->pristine_dir, false, err, sizeof err) < 0 ||
        extract(commit, "tasks/common", c->pristine_common, true, err, sizeof err) < 0)
        goto fail;
    report_line(&c->rep, "  untouched: %s and tasks/common as of commit %.12s (%s)", path, commit,
                rule);
    c->pristine_ok = true;
    return 0;
fail:
    textf(c->pristine_error, sizeof c->pristine_error, "untouched program: %s", err);
    return -1;
}

int pristine_reset(int num, char *msg, size_t msglen) {
    char commit[128], path[64], notes[96], err[ERRLEN];
    const char *rule = "";
    if (base_commit(commit, sizeof commit, &rule, err, sizeof err) < 0) {
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
    snprintf(msg, msglen, "restored %s as of commit %.12s (%s)%s", path, commit, rule,
             keep_notes ? "; your NOTES.md was kept (delete it and reset again for the template)"
                        : "");
    return 0;
}
