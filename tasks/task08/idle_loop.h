/* idle_loop.h: task 8's event loop, on the main thread.
 *
 * It wakes every HOUSEKEEPING_TICK_MS to run idle_housekeeping, and
 * otherwise sleeps in sigtimedwait until a stop signal comes. Requests are
 * served by the server's own threads, so this loop runs the same whether
 * the server is busy or idle.
 */
#ifndef TASK08_IDLE_LOOP_H
#define TASK08_IDLE_LOOP_H

#include <signal.h>

/* Runs until one of the signals in stop (blocked by the caller in every
 * thread) arrives; returns that signal. */
int idle_loop(const sigset_t *stop);

#endif
