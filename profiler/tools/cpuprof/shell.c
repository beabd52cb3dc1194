/* shell.c: cpuprof's interactive mode, a small version of pprof's.
 *
 * One command per line, read from any stream (a terminal or a pipe):
 *
 *   top [N] [-cum] [RE...] [-RE...]   the top table (10 rows by default);
 *                                     RE focuses, -RE ignores, this time only
 *   topN                              the same as top N
 *   traces [RE...] [-RE...]           every sample's stack
 *   tags [RE...] [-RE...]             the label table (RE: tagfocus)
 *   focus=RE  ignore=RE  tagfocus=[KEY=]RE  tagignore=[KEY=]RE
 *   sample_index=NAME|N  nodecount=N  ci=true|false
 *                                     settings kept for later commands; an
 *                                     empty value clears ("focus=")
 *   options                           the current settings
 *   help, quit, exit
 *
 * The prompt "(cpuprof) " is printed before each command. A banner and the
 * profile header are printed only when input is a terminal, so a piped
 * session's output is the prompts and the reports. A failing command prints
 * its error on stderr and the shell goes on; end of input ends it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

#define MAXTOK 64

static void help(FILE *out) {
    fprintf(out,
            "Commands:\n"
            "  top [N] [-cum] [RE] [-RE]  top functions (N rows, default 10; by cum with -cum)\n"
            "  traces [RE] [-RE]          every sample's stack with its value\n"
            "  tags [RE] [-RE]            label keys with their values' totals and shares\n"
            "  options                    show the current settings\n"
            "  help                       this list\n"
            "  quit, exit                 leave\n"
            "Settings (NAME=VALUE or NAME VALUE; an empty value clears):\n"
            "  focus=RE                   keep only samples with a function matching RE\n"
            "  ignore=RE                  drop samples with a function matching RE\n"
            "  tagfocus=[KEY=]RE          keep only samples with a matching label\n"
            "  tagignore=[KEY=]RE         drop samples with a matching label\n"
            "  sample_index=NAME|N        the sample type to report\n"
            "  nodecount=N                rows in top (0: all)\n"
            "  ci=true|false              add the 95%% interval of flat%% to top\n"
            "In a command, RE is a regex applied to this command only: top, traces\n"
            "focus on it (tags: tagfocus); -RE ignores (tags: tagignore).\n");
}

static void options(FILE *out, const settings *set) {
    const char *vals[] = {set->focus, set->ignore, set->tagfocus, set->tagignore,
                          set->sample_index};
    const char *names[] = {"focus", "ignore", "tagfocus", "tagignore", "sample_index"};
    for (size_t i = 0; i < 5; i++)
        fprintf(out, "  %-13s = %s\n", names[i], vals[i] ? vals[i] : "\"\"");
    fprintf(out, "  %-13s = %ld%s\n", "nodecount", set->nodecount,
            set->nodecount < 0 ? "  (default: 10 in top)" : "");
    fprintf(out, "  %-13s = %s\n", "ci", set->ci ? "true" : "false");
}

/* Joins regexes with "|", as pprof does for several words. */
static void cat_regex(char **dst, const char *re) {
    if (!*dst) {
        *dst = strdup(re);
        return;
    }
    size_t n = strlen(*dst) + 1 + strlen(re) + 1;
    char *s = malloc(n);
    if (!s) return;
    snprintf(s, n, "%s|%s", *dst, re);
    free(*dst);
    *dst = s;
}

/* A report command with its words: N, -cum, RE and -RE. */
static int report_command(session *s, const char *cmd, char **tok, int ntok, FILE *out,
                          char *err, size_t errlen) {
    settings set;
    settings_copy(&set, &s->set);
    char *focus = NULL, *ignore = NULL;
    bool tags = strcmp(cmd, "tags") == 0;
    for (int i = 0; i < ntok; i++) {
        char *end;
        long n = strtol(tok[i], &end, 10);
        if (tok[i][0] && *end == '\0') {
            set.nodecount = n;
        } else if (strcmp(tok[i], "-cum") == 0 || strcmp(tok[i], "--cum") == 0) {
            set.cum = true;
        } else if (tok[i][0] == '-') {
            cat_regex(&ignore, tok[i] + 1);
        } else {
            cat_regex(&focus, tok[i]);
        }
    }
    if (focus) settings_set(tags ? &set.tagfocus : &set.focus, focus);
    if (ignore) settings_set(tags ? &set.tagignore : &set.ignore, ignore);
    free(focus);
    free(ignore);
    if (set.nodecount < 0) set.nodecount = 10;
    int rc = session_report(s, &set, cmd, out, err, errlen);
    settings_free(&set);
    return rc;
}

/* NAME=VALUE or NAME VALUE; returns 1 when name is not a setting. The new
 * settings are checked on a view before they replace the old ones. */
static int set_command(session *s, const char *name, const char *value, char *err,
                       size_t errlen) {
    settings set;
    settings_copy(&set, &s->set);
    if (strcmp(name, "focus") == 0) {
        settings_set(&set.focus, value);
    } else if (strcmp(name, "ignore") == 0) {
        settings_set(&set.ignore, value);
    } else if (strcmp(name, "tagfocus") == 0) {
        settings_set(&set.tagfocus, value);
    } else if (strcmp(name, "tagignore") == 0) {
        settings_set(&set.tagignore, value);
    } else if (strcmp(name, "sample_index") == 0) {
        settings_set(&set.sample_index, value);
    } else if (strcmp(name, "nodecount") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        if (!value[0] || *end) {
            snprintf(err, errlen, "nodecount: \"%s\" is not a number", value);
            settings_free(&set);
            return -1;
        }
        set.nodecount = n;
    } else if (strcmp(name, "ci") == 0) {
        if (strcmp(value, "true") == 0 || strcmp(value, "") == 0)
            set.ci = true;
        else if (strcmp(value, "false") == 0)
            set.ci = false;
        else {
            snprintf(err, errlen, "ci: want true or false, not \"%s\"", value);
            settings_free(&set);
            return -1;
        }
    } else {
        settings_free(&set);
        return 1;
    }
    view v;
    if (session_view(s, &set, &v, err, errlen) < 0) {
        settings_free(&set);
        return -1;
    }
    view_free(&v);
    settings_free(&s->set);
    s->set = set;
    return 0;
}

static void banner(session *s, FILE *out) {
    view v;
    char err[256];
    if (session_view(s, &s->set, &v, err, sizeof(err)) == 0) {
        header_print(out, v.p, v.vi, v.total, "minimum");
        view_free(&v);
    } else {
        fprintf(stderr, "%s\n", err);
    }
    fprintf(out, "Entering interactive mode (type \"help\" for commands, \"quit\" to leave)\n");
}

/* Runs one line; returns 1 to quit. */
static int command(session *s, char *line, FILE *out) {
    char err[512] = "";
    while (isspace((unsigned char)*line)) line++;
    size_t n = strlen(line);
    while (n > 0 && isspace((unsigned char)line[n - 1])) line[--n] = '\0';
    if (n == 0) return 0;

    /* NAME=VALUE: the value is the rest of the line, spaces included. */
    char *eq = strchr(line, '=');
    char *sp = strpbrk(line, " \t");
    if (eq && (!sp || eq < sp)) {
        *eq = '\0';
        int rc = set_command(s, line, eq + 1, err, sizeof(err));
        if (rc == 1) fprintf(stderr, "unrecognized setting: \"%s\"\n", line);
        if (rc < 0) fprintf(stderr, "%s\n", err);
        return 0;
    }

    char *tok[MAXTOK];
    int ntok = 0;
    for (char *t = strtok(line, " \t"); t && ntok < MAXTOK; t = strtok(NULL, " \t"))
        tok[ntok++] = t;
    const char *cmd = tok[0];
    if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "exit") == 0 || strcmp(cmd, "q") == 0) return 1;
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "?") == 0) {
        help(out);
        return 0;
    }
    if (strcmp(cmd, "options") == 0 || strcmp(cmd, "o") == 0) {
        options(out, &s->set);
        return 0;
    }
    char name[16];
    if (strncmp(cmd, "top", 3) == 0 && cmd[3] && strspn(cmd + 3, "0123456789") == strlen(cmd + 3)) {
        /* top10: the digits are the row count. */
        tok[0] = (char *)cmd + 3;
        snprintf(name, sizeof(name), "top");
        if (report_command(s, name, tok, ntok, out, err, sizeof(err)) < 0)
            fprintf(stderr, "%s\n", err);
        return 0;
    }
    if (strcmp(cmd, "top") == 0 || strcmp(cmd, "traces") == 0 || strcmp(cmd, "tags") == 0) {
        if (report_command(s, cmd, tok + 1, ntok - 1, out, err, sizeof(err)) < 0)
            fprintf(stderr, "%s\n", err);
        return 0;
    }
    /* NAME VALUE for a setting: the value is the rest of the line. */
    const char *value = ntok > 1 ? tok[1] : "";
    if (ntok > 2) {
        /* strtok cut the value at spaces; join the words back. */
        for (int i = 1; i < ntok - 1; i++) tok[i][strlen(tok[i])] = ' ';
    }
    int rc = set_command(s, cmd, value, err, sizeof(err));
    if (rc == 1) fprintf(stderr, "unrecognized command: \"%s\" (type \"help\")\n", cmd);
    if (rc < 0) fprintf(stderr, "%s\n", err);
    return 0;
}

int shell_run(session *s, FILE *in, FILE *out, bool interactive) {
    char *line = NULL;
    size_t cap = 0;
    if (interactive) banner(s, out);
    for (;;) {
        fprintf(out, "(cpuprof) ");
        fflush(out);
        if (getline(&line, &cap, in) < 0) {
            if (interactive) fprintf(out, "\n");
            break;
        }
        int quit = command(s, line, out);
        fflush(out);
        if (quit) break;
    }
    free(line);
    return 0;
}
