/* idle_loop.c: ticks every HOUSEKEEPING_TICK_MS on average, on an absolute
 * schedule (a late tick does not push the next ones back), sleeping in
 * sigtimedwait in between, so that a stop signal ends the wait at once.
 *
 * Each interval is drawn uniformly from 0.5 to 1.5 times the tick, as many
 * servers jitter their timers. Here it also matters to the profiler: the
 * kernel looks at CPU timers only on its own tick (4 ms on the test
 * machine), and a fixed 400 ms period is exactly 100 kernel ticks, so
 * every burst of work would start at the same offset from the kernel's
 * tick and be sampled the same way every time. With jitter each burst
 * starts at a random offset, and the samples are a fair draw.
 *
 * Invariant: the loop never sleeps past the next tick's deadline, and a
 * loop that fell behind skips the missed ticks instead of running them
 * back to back, so housekeeping never takes more than its budget per tick.
 */
#include "idle_loop.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "housekeeping.h"

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Waits for a stop signal until the deadline; the signal, or 0. */
__attribute__((noinline)) static int idle_wait(const sigset_t *stop, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - now_ns();
        if (left <= 0) return 0;
        struct timespec ts = {left / 1000000000, left % 1000000000};
        int sig = sigtimedwait(stop, NULL, &ts);
        if (sig > 0) return sig;
        if (errno == EAGAIN) return 0;
        /* EINTR: another signal (SIGPROF) was handled; wait on. */
    }
}

/* A pseudo-random interval in [tick/2, 3*tick/2) nanoseconds. */
static int64_t next_interval(uint64_t *rng) {
    const int64_t tick = (int64_t)HOUSEKEEPING_TICK_MS * 1000000;
    *rng ^= *rng << 13; /* xorshift64 */
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return tick / 2 + (int64_t)(*rng % (uint64_t)tick);
}

int idle_loop(const sigset_t *stop) {
    uint64_t rng = (uint64_t)now_ns() | 1;
    int64_t next = now_ns() + next_interval(&rng);
    for (;;) {
        int sig = idle_wait(stop, next);
        if (sig) return sig;
        idle_housekeeping();
        next += next_interval(&rng);
        int64_t now = now_ns();
        if (next < now) next = now + next_interval(&rng); /* fell behind: skip */
    }
}
