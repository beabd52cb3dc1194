/* run.c: runs other programs (make, git, tar, the exercise) with fork and
 * exec, never through a shell, with an optional time limit.
 *
 * Invariants: a child that cannot be exec'ed is reported as "cannot run X:
 * reason" (the errno travels back on a close-on-exec pipe); a child past its
 * time limit is killed with SIGKILL and reported as timed out; every child
 * started is waited for, so none is left behind.
 */
#include "checker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* In the child: stdout to out_fd when >= 0 (stderr discarded), else as
 * the options say; extend the environment; exec. On failure write errno to
 * errfd and exit. */
static void child_exec(const char *const argv[], const run_opts *o, int out_fd, int errfd) {
    int out = -1, err = -1;
    if (out_fd >= 0) {
        out = out_fd;
        err = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (err < 0) goto fail;
    } else if (o && o->out_path) {
        out = err = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0) goto fail;
    } else if (o && o->quiet) {
        out = err = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (out < 0) goto fail;
    }
    if (out >= 0 && (dup2(out, 1) < 0 || dup2(err, 2) < 0)) goto fail;
    if (o && o->env)
        for (const char *const *e = o->env; *e; e++) putenv((char *)*e);
    execvp(argv[0], (char *const *)argv);
fail:;
    int e = errno;
    ssize_t w = write(errfd, &e, sizeof e);
    (void)w;
    _exit(127);
}

static pid_t spawn(const char *const argv[], const run_opts *o, int out_fd, char *err,
                   size_t errlen) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) child_exec(argv, o, out_fd, p[1]);
    close(p[1]);
    int child_errno = 0;
    ssize_t n;
    do n = read(p[0], &child_errno, sizeof child_errno);
    while (n < 0 && errno == EINTR);
    close(p[0]);
    if (n == (ssize_t)sizeof child_errno) {
        waitpid(pid, NULL, 0);
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(child_errno));
        return -1;
    }
    return pid;
}

pid_t run_spawn(const char *const argv[], const run_opts *o, char *err, size_t errlen) {
    return spawn(argv, o, -1, err, errlen);
}

int run_wait(pid_t pid, const char *name, int timeout_sec, char *err, size_t errlen) {
    struct timespec start, now, nap = {0, 10 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, timeout_sec > 0 ? WNOHANG : 0);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            snprintf(err, errlen, "waiting for %s: %s", name, strerror(errno));
            return -1;
        }
        if (r == 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - start.tv_sec >= timeout_sec) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                snprintf(err, errlen, "%s timed out after %d s and was killed", name,
                         timeout_sec);
                return -1;
            }
            nanosleep(&nap, NULL);
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFEXITED(status))
        snprintf(err, errlen, "%s exited with status %d", name, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(err, errlen, "%s was killed by signal %d (%s)", name, WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(err, errlen, "%s ended abnormally", name);
    return -1;
}

/* SIGTERM, then SIGKILL when the child is still there after 5 s. */
void run_stop(pid_t pid) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    char err[ERRLEN];
    (void)run_wait(pid, "child", 5, err, sizeof err);
}

int run_cmd(const char *const argv[], const run_opts *o, char *err, size_t errlen) {
    pid_t pid = run_spawn(argv, o, err, errlen);
    if (pid < 0) return -1;
    return run_wait(pid, argv[0], o ? o->timeout_sec : 0, err, errlen);
}

/* Runs argv with its stdout read into buf (NUL-terminated, cut at len-1). */
int run_capture(const char *const argv[], char *buf, size_t len, char *err, size_t errlen) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
        return -1;
    }
    pid_t pid = spawn(argv, NULL, p[1], err, errlen);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    size_t used = 0;
    char sink[256];
    for (;;) {
        bool room = used + 1 < len;
        ssize_t n = read(p[0], room ? buf + used : sink, room ? len - 1 - used : sizeof sink);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (room) used += (size_t)n;
    }
    close(p[0]);
    if (len) buf[used] = '\0';
    return run_wait(pid, argv[0], 60, err, errlen);
}

void run_format_argv(const char *const argv[], char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; argv[i] && used + 1 < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);
        if (n < 0) break;
        used += (size_t)n;
    }
}
