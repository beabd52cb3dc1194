/* measure_flame.c: the widest leaf of a run's flame graph, as the web UI
 * draws it and as libprofile computes it.
 *
 * A flame graph merges stacks by frame name from the root down; a frame's
 * width is the value of the samples through it, and the part of it with
 * nothing on top is its self value (the samples that end there). The
 * widest leaf is the node with the largest self value: the widest bar you
 * can see the top of.
 *
 * Two ways to find it, compared when both are possible:
 *   - the web UI: `cpuprof -http=127.0.0.1:0 PROFILE` is started, its
 *     /flamegraph.json fetched with curl into out/flamegraph.json and
 *     scanned for the node with the largest "s";
 *   - libprofile: each sample's stack, inlined frames expanded, becomes
 *     the string of its frame names from the root; equal strings are
 *     summed; the largest sum is the widest leaf, its last name the leaf.
 * When the web UI cannot be started (an older build without -http), the
 * libprofile answer is used and the printed line says so.
 *
 * Invariant: the cpuprof process started here is always stopped.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "checker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "run_server.h"

typedef struct leaf {
    char name[256];
    int64_t self, total;
} leaf;

typedef struct path_sum {
    char *key; /* names from the root, each followed by '\n'; the leaf last */
    int64_t value;
} path_sum;

static int cmp_path(const void *a, const void *b) {
    return strcmp(((const path_sum *)a)->key, ((const path_sum *)b)->key);
}

/* Appends s and a '\n' to buf[*used..cap), growing it. */
static int append(char **buf, size_t *used, size_t *cap, const char *s) {
    size_t n = strlen(s);
    if (*used + n + 2 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 256) + n;
        char *nb = realloc(*buf, nc);
        if (!nb) return -1;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *used, s, n);
    *used += n;
    (*buf)[(*used)++] = '\n';
    (*buf)[*used] = '\0';
    return 0;
}

static const char *frame_name(const pf_location *l, size_t line, char *hex, size_t len) {
    if (line < l->nlines && l->lines[line].fn && l->lines[line].fn->name[0])
        return l->lines[line].fn->name;
    snprintf(hex, len, "0x%llx", (unsigned long long)l->address);
    return hex;
}

static int widest_by_profile(const profile *p, int vi, leaf *out, char *err, size_t errlen) {
    path_sum *ps = calloc(p->nsamples ? p->nsamples : 1, sizeof *ps);
    if (!ps) {
        textf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    out->total = 0;
    for (size_t i = 0; i < p->nsamples && rc == 0; i++) {
        const pf_sample *s = &p->samples[i];
        size_t used = 0, cap = 0;
        char hex[32];
        ps[i].value = s->values[vi] < 0 ? -s->values[vi] : s->values[vi];
        out->total += ps[i].value;
        rc = append(&ps[i].key, &used, &cap, "");
        for (size_t j = s->nlocs; j-- > 0 && rc == 0;) {
            const pf_location *l = s->locs[j];
            size_t nl = l->nlines ? l->nlines : 1;
            for (size_t k = nl; k-- > 0 && rc == 0;) /* outermost line first */
                rc = append(&ps[i].key, &used, &cap, frame_name(l, k, hex, sizeof hex));
        }
    }
    if (rc == 0) {
        qsort(ps, p->nsamples, sizeof *ps, cmp_path);
        out->self = -1;
        for (size_t i = 0; i < p->nsamples;) {
            size_t j = i;
            int64_t sum = 0;
            while (j < p->nsamples && strcmp(ps[j].key, ps[i].key) == 0) sum += ps[j++].value;
            if (sum > out->self) {
                size_t n = strlen(ps[i].key); /* ends "\n<leaf>\n" */
                char *end = ps[i].key + n - 1, *start = end;
                while (start > ps[i].key && start[-1] != '\n') start--;
                out->self = sum;
                snprintf(out->name, sizeof out->name, "%.*s", (int)(end - start), start);
            }
            i = j;
        }
        if (out->self <= 0) {
            textf(err, errlen, "the profile has no samples");
            rc = -1;
        }
    } else {
        textf(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < p->nsamples; i++) free(ps[i].key);
    free(ps);
    return rc;
}

/* A JSON string at *p (after its opening quote) into out; *p moves past
 * the closing quote. A \u escape (four hex digits) becomes its character
 * when ASCII, else "?"; other escapes are copied as the escaped char. */
static int json_string(const char **p, char *out, size_t len) {
    size_t n = 0;
    const char *s = *p;
    while (*s && *s != '"') {
        char ch = *s++;
        if (ch == '\\') {
            if (!*s) return -1;
            ch = *s++;
            if (ch == 'u') {
                unsigned v = 0;
                for (int i = 0; i < 4; i++, s++) {
                    if (!*s) return -1;
                    v = v * 16 + (unsigned)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
                }
                ch = v < 0x80 ? (char)v : '?';
            }
        }
        if (n + 1 < len) out[n++] = ch;
    }
    if (*s != '"') return -1;
    out[n] = '\0';
    *p = s + 1;
    return 0;
}

/* Scans /flamegraph.json for the node ({"n":...,"v":...,"s":...}) with the
 * largest "s"; the root's "v" is the total. */
static int widest_in_json(const char *json, leaf *out) {
    const char *p = json;
    bool first = true;
    out->self = -1;
    while ((p = strstr(p, "{\"n\":\"")) != NULL) {
        p += 6;
        char name[256];
        long long v, s;
        int used = 0;
        if (json_string(&p, name, sizeof name) < 0) return -1;
        if (sscanf(p, ",\"v\":%lld,\"s\":%lld%n", &v, &s, &used) != 2 || used == 0) return -1;
        p += used;
        if (first) out->total = v;
        first = false;
        if (s > out->self) {
            out->self = s;
            snprintf(out->name, sizeof out->name, "%s", name);
        }
    }
    return first || out->self < 0 ? -1 : 0;
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

/* The web UI's answer; -1 with why set when it could not be had. */
static int widest_by_webui(check_ctx *c, run_which w, leaf *out, char *why, size_t whylen) {
    char log[PATH_MAX], json[PATH_MAX], addr[] = "-http=127.0.0.1:0";
    exercise_artifact(c, w, "webui.log", log, sizeof log);
    exercise_artifact(c, w, "flamegraph.json", json, sizeof json);
    const char *argv[] = {"build/bin/cpuprof", addr, c->runs[w].profile_path, NULL};
    char cmd[PATH_MAX + 64];
    run_format_argv(argv, cmd, sizeof cmd);
    report_line(&c->rep, "  web UI: %s 2> %s &", cmd, log);
    run_opts o = {.out_path = log};
    pid_t pid = run_spawn(argv, &o, why, whylen);
    if (pid < 0) return -1;
    char url[256] = "";
    for (int waited = 0; waited < 10000 && !url[0]; waited += 20) {
        FILE *f = fopen(log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "Serving web UI on %200s", url) == 1) break;
        if (f) fclose(f);
        int status;
        if (!url[0] && waitpid(pid, &status, WNOHANG) == pid) {
            FILE *g = fopen(log, "r");
            line[0] = '\0';
            if (g && fgets(line, sizeof line, g)) line[strcspn(line, "\n")] = '\0';
            if (g) fclose(g);
            textf(why, whylen, "cpuprof -http did not start: %s", line[0] ? line : "no output");
            return -1;
        }
        struct timespec ts = {0, 20 * 1000000L};
        if (!url[0]) nanosleep(&ts, NULL);
    }
    int rc = -1;
    if (!url[0]) {
        textf(why, whylen, "cpuprof -http printed no 'Serving web UI on' line in 10 s");
    } else {
        char target[300];
        textf(target, sizeof target, "%s/flamegraph.json", url);
        const char *get[] = {"curl", "-sS", "-f", "--max-time", "30", "-o", json, target, NULL};
        run_format_argv(get, cmd, sizeof cmd);
        report_line(&c->rep, "  web UI: %s", cmd);
        run_opts q = {.quiet = true, .timeout_sec = 60};
        char err[ERRLEN];
        if (run_cmd(get, &q, err, sizeof err) < 0) {
            textf(why, whylen, "GET %s failed (%s)", target, err);
        } else {
            char *text = read_all(json);
            if (text && widest_in_json(text, out) == 0) rc = 0;
            else textf(why, whylen, "%s is not the flame graph JSON expected", json);
            free(text);
        }
    }
    run_stop(pid);
    return rc;
}

static bool name_matches(const char *regex, const char *name, char *err, size_t errlen) {
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    if (!re) {
        textf(err, errlen, "bad regex %s", regex);
        return false;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    bool hit = md && pcre2_match(re, (PCRE2_SPTR)name, strlen(name), 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return hit;
}

/* Holds when the widest leaf's name matches k->arg (and, when the web UI
 * answered, libprofile finds the same leaf). */
int measure_widest_leaf(check_ctx *c, const criterion *k, measurement *m) {
    profile *p;
    if (measure_load(c, k->run, &p, m->error, sizeof m->error) < 0) return -1;
    int vi = profile_value_index(p, "cpu");
    if (vi < 0) vi = profile_default_value_index(p);
    leaf lib, web;
    if (widest_by_profile(p, vi, &lib, m->error, sizeof m->error) < 0) return -1;
    char why[ERRLEN];
    bool have_web = widest_by_webui(c, k->run, &web, why, sizeof why) == 0;
    const leaf *shown = have_web ? &web : &lib;
    double pct = shown->total > 0 ? 100.0 * (double)shown->self / (double)shown->total : 0;
    bool agree = !have_web || (strcmp(web.name, lib.name) == 0 && web.self == lib.self);
    char err[ERRLEN] = "";
    bool match = name_matches(k->arg, shown->name, err, sizeof err);
    if (err[0]) {
        textf(m->error, sizeof m->error, "%s", err);
        return -1;
    }
    m->value = match && agree;
    if (!have_web)
        textf(m->shown, sizeof m->shown,
              "%s, %.1f%% of the width (measured with libprofile: %s)", lib.name, pct, why);
    else if (agree)
        textf(m->shown, sizeof m->shown,
              "%s, %.1f%% of the width (web UI /flamegraph.json; libprofile agrees)", web.name,
              pct);
    else
        textf(m->shown, sizeof m->shown,
              "%s, %.1f%% of the width in the web UI, but libprofile finds %s (%lld vs %lld)",
              web.name, pct, lib.name, (long long)web.self, (long long)lib.self);
    return 0;
}
