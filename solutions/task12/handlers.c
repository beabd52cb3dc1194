/* handlers.c: the work behind each route (handlers.h). Each handler costs
 * a few milliseconds of CPU, in functions of its own so a profile names
 * them: crc32_update, mandel_escape, normalize_text and match_terms.
 *
 * Versions (version.h): in v1, search_handler matches the query against
 * the corpus normalized once by handlers_init. In v2 a refactor made the
 * search normalize each document again, for each query word, on every
 * request, which is the kind of slip a CPU profile diff between two
 * deployed versions shows at once.
 *
 * Invariants: after handlers_init the corpus is read-only; handlers keep
 * their scratch space on their own stack.
 */
#include "handlers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

#define NDOCS 12000
#define DOC_LEN 96
#define CHECKSUM_BYTES 65536
#define CHECKSUM_ROUNDS 3
#define RENDER_W 64
#define RENDER_H 32
#define RENDER_ITER 1500

static char corpus[NDOCS][DOC_LEN];      /* as the documents were written */
static char normalized[NDOCS][DOC_LEN];  /* lower case, punctuation blanked */
static unsigned char data[CHECKSUM_BYTES];

static const char *const words[] = {
    "Red",   "fox",    "Jumps", "over", "LAZY",   "dog",   "quick", "brown", "Kernel", "cache",
    "Queue", "thread", "Lock",  "page", "SIGNAL", "stack", "heap",  "Timer", "socket", "poll",
};
#define NWORDS (sizeof words / sizeof words[0])

static uint32_t next_rand(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Lower case, punctuation as blanks, runs of blanks as one. */
__attribute__((noinline)) static void normalize_text(const char *src, char *dst, size_t n) {
    size_t o = 0;
    int blank = 1;
    for (size_t i = 0; i < n && src[i]; i++) {
        char c = src[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = ' ';
        if (c == ' ' && blank) continue;
        blank = c == ' ';
        dst[o++] = c;
    }
    dst[o < n ? o : n - 1] = '\0';
}

void handlers_init(void) {
    uint32_t s = 12;
    for (int d = 0; d < NDOCS; d++) {
        size_t o = 0;
        while (o + 12 < DOC_LEN) {
            const char *wd = words[next_rand(&s) % NWORDS];
            size_t l = strlen(wd);
            memcpy(corpus[d] + o, wd, l);
            o += l;
            corpus[d][o++] = next_rand(&s) % 4 == 0 ? ',' : ' ';
        }
        corpus[d][o] = '\0';
        normalize_text(corpus[d], normalized[d], DOC_LEN);
    }
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)next_rand(&s);
}

/* ---- /checksum ---------------------------------------------------------- */

/* Bit by bit, no table: slow on purpose, so the handler costs CPU. */
__attribute__((noinline)) static uint32_t crc32_update(uint32_t crc, const unsigned char *p,
                                                       size_t n) {
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void checksum_handler(const http_request *req, http_response *w) {
    (void)req;
    uint32_t crc = 0;
    for (int r = 0; r < CHECKSUM_ROUNDS; r++) crc = crc32_update(crc, data, sizeof data);
    http_response_printf(w, "crc32 %08x\n", crc);
}

/* ---- /render ------------------------------------------------------------ */

__attribute__((noinline)) static int mandel_escape(double cr, double ci) {
    double zr = 0, zi = 0;
    int i = 0;
    while (i < RENDER_ITER && zr * zr + zi * zi < 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        i++;
    }
    return i;
}

void render_handler(const http_request *req, http_response *w) {
    (void)req;
    static const char shades[] = " .:-=+*#%@";
    char line[RENDER_W + 2];
    for (int y = 0; y < RENDER_H; y++) {
        for (int x = 0; x < RENDER_W; x++) {
            int it = mandel_escape(-2.0 + 2.6 * x / RENDER_W, -1.2 + 2.4 * y / RENDER_H);
            line[x] = shades[it * 9 / RENDER_ITER];
        }
        line[RENDER_W] = '\n';
        line[RENDER_W + 1] = '\0';
        http_response_write(w, line, RENDER_W + 1);
    }
}

/* ---- /search ------------------------------------------------------------ */

static const char *const query[] = {"fox", "kernel", "timer"};
#define NTERMS (sizeof query / sizeof query[0])

/* Does the (normalized) document hold the word? */
__attribute__((noinline)) static int match_terms(const char *doc, const char *term) {
    return strstr(doc, term) != NULL;
}

void search_handler(const http_request *req, http_response *w) {
    (void)req;
    int hits = 0;
    for (int d = 0; d < NDOCS; d++) {
        int all = 1;
        for (size_t t = 0; t < NTERMS && all; t++) {
#if SERVICE_VERSION == 1
            all = match_terms(normalized[d], query[t]);
#else
            char doc[DOC_LEN];
            normalize_text(corpus[d], doc, sizeof doc);
            all = match_terms(doc, query[t]);
#endif
        }
        hits += all;
    }
    http_response_printf(w, "%d documents match fox kernel timer (%s)\n", hits,
                         SERVICE_VERSION_NAME);
}
