/* elf_debugfile.h: finding the separate debug file of an ELF object.
 *
 * Distributions strip .symtab from installed binaries and ship it in a
 * separate file (Debian: the *-dbg / *-dbgsym packages). Two ways lead to
 * it, tried in this order:
 *   1. the build id: <root>/.build-id/ab/cdef....debug, accepted only when
 *      that file carries the same build id;
 *   2. the .gnu_debuglink section (a file name and the CRC32 of the debug
 *      file): <dir>/<name>, <dir>/.debug/<name>, <root><dir>/<name>, where
 *      <dir> is the object's directory; accepted only when the CRC matches
 *      and the candidate is not the object itself.
 * root is normally "/usr/lib/debug" (ELF_DEBUG_ROOT). Results are malloc'ed
 * paths the caller frees, or NULL.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_ELF_DEBUGFILE_H
#define CPUPROF_ELF_DEBUGFILE_H

#include <stdint.h>

#include "elf_image.h"

#pragma GCC visibility push(hidden)

#define ELF_DEBUG_ROOT "/usr/lib/debug"

/* Both ways, for the object at objpath whose image is im. build_id may be
 * NULL or "" when the object has none. */
char *elf_debugfile_find(const char *root, const char *objpath, const elf_image *im,
                         const char *build_id);

char *elf_debugfile_by_build_id(const char *root, const char *build_id);
char *elf_debugfile_by_link(const char *root, const char *objpath, const char *name,
                            uint32_t crc);

/* The CRC32 (zlib's, as .gnu_debuglink uses) of the whole file. 0 or -1. */
int elf_file_crc32(const char *path, uint32_t *crc);

#pragma GCC visibility pop

#endif
