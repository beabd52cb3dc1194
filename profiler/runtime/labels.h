/* labels.h: what the rest of libcpuprof needs from labels.c.
 *
 * The calling thread's current label set lives in one initial-exec
 * thread-local pointer. The SIGPROF handler and the mutex recorder read it
 * and store it, as is, in the stack table key: a set is immutable and never
 * freed, so the pointer stays meaningful until the profile is exported.
 *
 * Invariants: cpuprof_tls_labels is NULL (no labels) or a set made by
 * labels.c; reading it is async-signal-safe and never allocates.
 */
#ifndef CPUPROF_LABELS_H
#define CPUPROF_LABELS_H

#include "cpuprof.h"
#include "sampler_internal.h"

#pragma GCC visibility push(hidden)

extern CPUPROF_TLS const cpuprof_labelset *cpuprof_tls_labels;

#pragma GCC visibility pop

#endif
