/* housekeeping.h: the work task 8's server does on each tick of its event
 * loop, whether or not requests come in.
 *
 * It stands for what real servers do between requests (expiring sessions,
 * flushing metrics, compacting caches): here it sweeps a table of session
 * slots, a slice per tick, within a CPU-time budget, the way Redis bounds
 * its active expiry cycle. The budget makes its cost the same on any
 * machine: HOUSEKEEPING_BUDGET_US of CPU per tick, one tick every
 * HOUSEKEEPING_TICK_MS on average, 1.25% of one core.
 *
 * Why few long ticks rather than many short ones: the kernel checks CPU
 * timers only on its own tick (4 ms on the test machine), so the profiler
 * can only sample this thread at a moment when the kernel's tick finds it
 * running. A burst shorter than the kernel's tick is often missed, and on
 * a busy machine, where the scheduler tends to run a woken thread right
 * after a tick, nearly always. A burst of 5 ms always spans a kernel tick,
 * so every tick of ours is sampled at least once (docs/task08.md).
 * Only the event loop's thread calls these.
 */
#ifndef TASK08_HOUSEKEEPING_H
#define TASK08_HOUSEKEEPING_H

#define HOUSEKEEPING_TICK_MS 400
#define HOUSEKEEPING_BUDGET_US 5000

/* Allocates the session table; -1 when out of memory. */
int idle_housekeeping_init(void);

/* One tick's work: sweeps sessions until the budget of thread CPU time is
 * spent. Returns the number of sessions expired (and re-created). */
long idle_housekeeping(void);

void idle_housekeeping_free(void);

#endif
