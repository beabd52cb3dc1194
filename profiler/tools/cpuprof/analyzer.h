/* analyzer.h: what the parts of the `cpuprof` command share (private).
 *
 * A session holds the profile file's bytes, the parsed -base profile and the
 * current settings (filters, sample index, sort, node count). Every report
 * starts from a fresh view: the file parsed again, the base merged in, the
 * filters applied, so changing a filter in the shell never needs an undo.
 * Reports only read the view and print; they compute every number from the
 * model (libprofile), never from another tool's text.
 */
#ifndef CPUPROF_ANALYZER_H
#define CPUPROF_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

/* What a report is asked for. Strings are owned (malloc'ed) by the settings;
 * NULL or "" means unset. */
typedef struct settings {
    char *focus, *ignore, *tagfocus, *tagignore;
    char *sample_index; /* a sample type name or index; NULL: the default */
    bool cum;           /* sort top by cum instead of flat */
    long nodecount;     /* rows to show; 0: all, -1: the report's default */
    bool ci;            /* top: add the 95% interval of flat% */
} settings;

void settings_set(char **field, const char *value); /* copies value; NULL clears */
void settings_copy(settings *dst, const settings *src);
void settings_free(settings *s);

typedef struct session {
    const char *path;
    unsigned char *bytes; /* the profile file as read */
    size_t nbytes;
    profile *base;        /* -base / -diff_base profile, NULL when none */
    bool diff_base;
    settings set;         /* the shell's current settings */
} session;

/* Reads and validates FILE (and the base), failing with libprofile's
 * one-line message. */
int session_open(session *s, const char *path, const char *base_path, bool diff_base,
                 char *err, size_t errlen);
void session_close(session *s);

/* What a report reads: a fresh profile with the base merged and the filters
 * applied. Totals are taken before the filters, as pprof does by default,
 * so a focused report shows each function's share of the whole profile. */
typedef struct view {
    profile *p;
    int vi;                /* the sample type reported */
    int64_t total;         /* pprof's total of vi, before the filters */
    int si;                /* the "samples" (count) type for -ci, or -1 */
    int64_t total_samples; /* its total before the filters */
    const settings *set;   /* the settings the view was made with */
    bool emptied;          /* the filters removed every sample */
} view;

int session_view(const session *s, const settings *set, view *out, char *err, size_t errlen);
void view_free(view *v);
/* Runs report `name` ("top", "tags", "traces") on a fresh view of s with
 * set, warning on stderr when the filters left no sample. */
int session_report(const session *s, const settings *set, const char *name, FILE *out,
                   char *err, size_t errlen);

/* pprof's choice of sample type: "" picks the default, digits an index, a
 * name its type (an "inuse_" prefix may be dropped). -1 and err otherwise. */
int sample_index_lookup(const profile *p, const char *name, char *err, size_t errlen);

/* ---- units.c: pprof's value scaling and percentages ------------------ */

/* value expressed in `to` (a unit, or "minimum"/"auto" for the best fit);
 * *unit gets the unit name printed after the number ("" for counts). */
double units_scale(int64_t value, const char *from, const char *to, const char **unit);
/* "1.20s", "450ms", "60", "0": %.2f without a trailing ".00". */
void units_label(char *buf, size_t len, int64_t value, const char *from, const char *to);
/* "50.00%", " 5.00%", "  100%", " 0.12%": as pprof's column shows it. */
void units_percentage(char *buf, size_t len, int64_t value, int64_t total);
/* The unit a table uses: fits the smallest nonzero value, or, when the
 * largest needs a bigger unit, 1/100 of it. Returns a unit for units_label. */
const char *units_pick(int64_t minv, int64_t maxv, const char *sample_unit);

/* ---- confidence.c ---------------------------------------------------- */

#define CI_Z95 1.959963984540054
/* Wilson score interval for a proportion k/n at normal quantile z. */
void wilson_interval(int64_t k, int64_t n, double z, double *lo, double *hi);

/* ---- report_header.c ------------------------------------------------- */

/* pprof's profile labels: File, Build ID, comments, Type, Time, Duration
 * with "Total samples = ..."; total formatted in unit `to`. */
void header_print(FILE *out, const profile *p, int vi, int64_t total, const char *to);
/* "Active filters:" and one line per filter set, when any is set. */
void header_print_filters(FILE *out, const settings *set);

/* The name a frame has in every report, as libprofile names rows: the
 * function's name, or the address (0x...) when the location has no
 * function, or "<unknown>" when it has no address either. */
const char *frame_name(const pf_location *loc, size_t line, char *buf, size_t len);

/* ---- reports: print to out; 0, or -1 with err set -------------------- */

int report_top(FILE *out, const view *v, char *err, size_t errlen);
int report_tags(FILE *out, const view *v, char *err, size_t errlen);
int report_traces(FILE *out, const view *v, char *err, size_t errlen);

/* ---- export_llvm.c: -llvm_sample ------------------------------------- */

/* Writes v's samples as LLVM's text sample profile to path (for clang's
 * -fprofile-sample-use) and a one-line summary to out. */
int export_llvm_sample(const view *v, const char *path, FILE *out, char *err, size_t errlen);

/* ---- shell.c --------------------------------------------------------- */

/* Reads commands from in until quit or end of input; returns the exit
 * status. */
int shell_run(session *s, FILE *in, FILE *out, bool interactive);

/* ---- fetch.c: remote capture ----------------------------------------- */

/* Whether a FILE argument is a URL (http:// or https://). */
bool fetch_is_url(const char *arg);
/* GETs the profile at url (http only), saves a copy as pprof does
 * ($CPUPROF_DIR or ~/pprof, pprof.<program>.<types>.NNN.pb.gz), prints
 * "Saved profile in PATH" on stderr; *saved gets PATH (malloc'ed). */
int fetch_profile(const char *url, char **saved, char *err, size_t errlen);

/* ---- web_*.c: the web UI --------------------------------------------- */

/* Serves the web UI for s on addr ("host:port", ":port", "port"; no host
 * means 127.0.0.1) until killed; returns only when it cannot start. */
int web_serve(const session *s, const char *addr, char *err, size_t errlen);
/* The merged call tree of v, root to leaf, as JSON (web_json.c). */
int web_flamegraph_json(FILE *out, const view *v, char *err, size_t errlen);
/* The top table of v as JSON: raw values and the labels -top prints. */
int web_top_json(FILE *out, const view *v, char *err, size_t errlen);

/* The page, generated at build time from assets/flamegraph.html. */
extern const unsigned char web_flamegraph_html[];
extern const size_t web_flamegraph_html_len;

#endif
