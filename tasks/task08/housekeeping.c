/* housekeeping.c: sweeps a table of sessions, a slice per tick, within a
 * budget of thread CPU time.
 *
 * Each slot holds a session's deadline (in ticks). The sweep resumes at a
 * cursor, expires the slots whose deadline has passed and gives each a new
 * pseudo-random lifetime (standing for a new session taking the slot), and
 * checks the thread's CPU clock every SWEEP_CHUNK slots; it stops once
 * HOUSEKEEPING_BUDGET_US are used. The functions are kept out of line so
 * that their names show in a profile.
 *
 * Invariant: 0 <= cursor < NSESSIONS; the table lives from init to free.
 */
#include "housekeeping.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define NSESSIONS (1u << 18)
#define SWEEP_CHUNK 8192u /* a few microseconds, so reading the clock stays cheap */

typedef struct session {
    uint64_t deadline; /* in ticks */
    uint64_t id;
} session;

static session *table;
static uint32_t cursor;
static uint64_t now_tick, rng = 88172645463325252ull;

static uint64_t next_random(void) { /* xorshift64 */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int idle_housekeeping_init(void) {
    table = calloc(NSESSIONS, sizeof *table);
    if (!table) return -1;
    for (uint32_t i = 0; i < NSESSIONS; i++) {
        table[i].deadline = next_random() % 1000;
        table[i].id = next_random();
    }
    return 0;
}

/* Sweeps SWEEP_CHUNK slots from the cursor; returns how many expired. */
__attribute__((noinline)) static long idle_sweep_sessions(void) {
    long expired = 0;
    for (uint32_t n = 0; n < SWEEP_CHUNK; n++) {
        session *s = &table[cursor];
        if (s->deadline <= now_tick) {
            s->id = next_random();
            s->deadline = now_tick + 1 + s->id % 1000;
            expired++;
        }
        cursor = (cursor + 1) % NSESSIONS;
    }
    return expired;
}

long idle_housekeeping(void) {
    int64_t stop = thread_cpu_ns() + (int64_t)HOUSEKEEPING_BUDGET_US * 1000;
    long expired = 0;
    now_tick++;
    do expired += idle_sweep_sessions();
    while (thread_cpu_ns() < stop);
    return expired;
}

void idle_housekeeping_free(void) {
    free(table);
    table = NULL;
}
