/* symbolize.h: turning sampled program counters into pprof locations.
 *
 * A symbolizer holds a snapshot of /proc/self/maps taken at symbolizer_new
 * and, loaded lazily on first use, the function symbols of each executable
 * object: the ELF .symtab, else the .symtab of its separate debug file
 * (found by build id or .gnu_debuglink, see elf_debugfile.h), else .dynsym.
 * The vDSO is read from memory. Only C names: nothing is demangled.
 *
 * It runs after profiling stopped (never in a signal handler) and allocates.
 * Not thread-safe: one thread uses a symbolizer at a time.
 */
#ifndef CPUPROF_SYMBOLIZE_H
#define CPUPROF_SYMBOLIZE_H

#include <stdint.h>

#include "profile.h"

typedef struct symbolizer symbolizer;

/* Snapshots /proc/self/maps; NULL only on out of memory (an unreadable maps
 * file gives a symbolizer that knows no mapping). */
symbolizer *symbolizer_new(void);
void symbolizer_free(symbolizer *s);

/* The location for pc in p: adds the mapping (with its build id), function
 * and location as needed, deduplicated (the same pc twice gives the same
 * location; one pf_mapping per executable mapping; one pf_function per
 * distinct function). The executable's text mapping is added first, as
 * pprof takes mappings[0] for the main program. pc is an exact instruction
 * address (callers pass return address - 1 for non-leaf frames). The
 * symbolizer remembers p's mappings and locations; calling it with another
 * profile starts afresh for that one. A pc in no
 * executable mapping gets a location with no mapping and no line; a pc in a
 * mapping but in no known function gets a location with the mapping and no
 * line. NULL only on out of memory. */
pf_location *symbolizer_location(symbolizer *s, profile *p, uint64_t pc);

/* Lower level, for tests and tools: the function containing pc. Returns 0
 * and sets *func (owned by s), *file (object path, owned by s), *func_start
 * (runtime address of the symbol), or -1 when unknown. */
int symbolizer_lookup(symbolizer *s, uint64_t pc, const char **func, const char **file,
                      uint64_t *func_start);

/* The build id (lowercase hex, "" when none) of the object mapped at pc,
 * or NULL when pc is in no executable mapping. Owned by s. */
const char *symbolizer_build_id(symbolizer *s, uint64_t pc);

#endif
