/* elf_symtab.h: the function symbols of one ELF image, sorted for lookup.
 *
 * Built from .symtab or .dynsym: STT_FUNC and STT_GNU_IFUNC symbols that are
 * defined in a real section. Names are copied into a pool owned by the
 * table, so the table outlives the image it was read from. After loading,
 * syms is sorted by address with one entry per address (aliases collapsed
 * to the most readable name, see elf_symtab.c), and every entry has
 * addr < end.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_ELF_SYMTAB_H
#define CPUPROF_ELF_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

#include "elf_image.h"

#pragma GCC visibility push(hidden)

typedef struct elf_sym {
    uint64_t addr; /* ELF virtual address (add the load bias for runtime) */
    uint64_t end;  /* addr + size; for a size-0 symbol, the end of its section */
    size_t name;   /* offset of the NUL-terminated name in the pool */
} elf_sym;

typedef struct elf_symtab {
    elf_sym *syms;
    size_t nsyms;
    char *pool;
    size_t pool_len;
} elf_symtab;

/* Reads the function symbols of section secname (".symtab" or ".dynsym")
 * of im into t (which must be zeroed), plus, when plt_im is not NULL, one
 * "<callee>@plt" symbol per PLT stub of plt_im (x86-64 only; plt_im is the
 * object itself when im is its separate debug file). Returns the number of
 * entries, or 0 when secname is absent or holds no function (t then stays
 * empty, PLT stubs included), or -1 on out of memory. A malformed section
 * yields whatever entries are well-formed. */
long elf_symtab_load(elf_symtab *t, const elf_image *im, const char *secname,
                     const elf_image *plt_im);

void elf_symtab_free(elf_symtab *t);

/* The symbol containing ELF address addr: the last symbol at or below addr
 * whose [addr, end) holds it. NULL when none does. */
const elf_sym *elf_symtab_find(const elf_symtab *t, uint64_t addr);

static inline const char *elf_sym_name(const elf_symtab *t, const elf_sym *s) {
    return t->pool + s->name;
}

#pragma GCC visibility pop

#endif
