/* elf_funcs.c: the function symbols of one ELF file, for naming the pcs of
 * gperftools' profiles (which carry addresses and /proc/self/maps only).
 *
 * A pc in a mapping becomes a file offset (pc - start + mapping offset);
 * the PT_LOAD segment holding that offset turns it into a virtual address
 * (offset - p_offset + p_vaddr), which the sorted function symbols name.
 *
 * Invariants: 64-bit little-endian ELF only (the machine we measure on);
 * every offset and size read from the file is bounds-checked against its
 * length, so a truncated or foreign file is an error, never a crash. The
 * names are copies owned by the elf_funcs.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profbench.h"

typedef struct func_sym {
    uint64_t start, size;
    char *name;
} func_sym;

struct elf_funcs {
    func_sym *syms;
    size_t nsyms;
    Elf64_Phdr *loads;
    size_t nloads;
};

static int cmp_sym(const void *a, const void *b) {
    const func_sym *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static unsigned char *read_all(const char *path, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "out of memory");
        return NULL;
    }
    *len = n;
    return buf;
}

static int in_file(size_t len, uint64_t off, uint64_t size) {
    return off <= len && size <= len - off;
}

/* Adds the functions of one symbol table section. */
static int load_symtab(elf_funcs *f, const unsigned char *img, size_t len, const Elf64_Shdr *sh,
                       const Elf64_Shdr *strsh) {
    if (sh->sh_entsize != sizeof(Elf64_Sym) || !in_file(len, sh->sh_offset, sh->sh_size) ||
        !in_file(len, strsh->sh_offset, strsh->sh_size))
        return -1;
    size_t n = sh->sh_size / sizeof(Elf64_Sym);
    const char *strs = (const char *)img + strsh->sh_offset;
    f->syms = calloc(n ? n : 1, sizeof *f->syms);
    if (!f->syms) return -1;
    for (size_t i = 0; i < n; i++) {
        Elf64_Sym s;
        memcpy(&s, img + sh->sh_offset + i * sizeof s, sizeof s);
        int type = ELF64_ST_TYPE(s.st_info);
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
            s.st_value == 0 || s.st_name >= strsh->sh_size)
            continue;
        const char *nm = strs + s.st_name;
        size_t maxlen = strsh->sh_size - s.st_name;
        size_t l = strnlen(nm, maxlen);
        if (l == maxlen) continue; /* not terminated inside the table */
        char *copy = strndup(nm, l);
        if (!copy) return -1;
        f->syms[f->nsyms++] = (func_sym){s.st_value, s.st_size ? s.st_size : 1, copy};
    }
    qsort(f->syms, f->nsyms, sizeof *f->syms, cmp_sym);
    return 0;
}

elf_funcs *elf_funcs_open(const char *path, char *err, size_t errlen) {
    size_t len;
    unsigned char *img = read_all(path, &len, err, errlen);
    if (!img) return NULL;
    elf_funcs *f = calloc(1, sizeof *f);
    Elf64_Ehdr eh;
    const char *why = NULL;
    if (!f) why = "out of memory";
    else if (len < sizeof eh) why = "too short for an ELF header";
    if (!why) {
        memcpy(&eh, img, sizeof eh);
        if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) why = "not an ELF file";
        else if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
            why = "not a 64-bit little-endian ELF file";
        else if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_shentsize != sizeof(Elf64_Shdr) ||
                 !in_file(len, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr)) ||
                 !in_file(len, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr)))
            why = "bad program or section header table";
    }
    if (!why) {
        f->loads = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof *f->loads);
        if (!f->loads) why = "out of memory";
        for (int i = 0; f->loads && i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            memcpy(&ph, img + eh.e_phoff + (size_t)i * sizeof ph, sizeof ph);
            if (ph.p_type == PT_LOAD) f->loads[f->nloads++] = ph;
        }
    }
    if (!why) {
        /* .symtab when present (all functions, static ones included), else
         * .dynsym (exported ones only). */
        int found = 0;
        for (int want = SHT_SYMTAB; !found && !why; want = SHT_DYNSYM) {
            for (int i = 0; i < eh.e_shnum; i++) {
                Elf64_Shdr sh, strsh;
                memcpy(&sh, img + eh.e_shoff + (size_t)i * sizeof sh, sizeof sh);
                if ((int)sh.sh_type != want || sh.sh_link >= eh.e_shnum) continue;
                memcpy(&strsh, img + eh.e_shoff + (size_t)sh.sh_link * sizeof strsh,
                       sizeof strsh);
                if (load_symtab(f, img, len, &sh, &strsh) != 0) why = "bad symbol table";
                found = 1;
                break;
            }
            if (want == SHT_DYNSYM) break;
        }
    }
    free(img);
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        elf_funcs_free(f);
        return NULL;
    }
    return f;
}

void elf_funcs_free(elf_funcs *f) {
    if (!f) return;
    for (size_t i = 0; i < f->nsyms; i++) free(f->syms[i].name);
    free(f->syms);
    free(f->loads);
    free(f);
}

const char *elf_funcs_at_offset(const elf_funcs *f, uint64_t off) {
    uint64_t vaddr = 0;
    int ok = 0;
    for (size_t i = 0; i < f->nloads && !ok; i++) {
        const Elf64_Phdr *ph = &f->loads[i];
        if (off >= ph->p_offset && off - ph->p_offset < ph->p_memsz) {
            vaddr = off - ph->p_offset + ph->p_vaddr;
            ok = 1;
        }
    }
    if (!ok || f->nsyms == 0) return NULL;
    /* The last symbol starting at or below vaddr. */
    size_t lo = 0, hi = f->nsyms;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->syms[mid].start <= vaddr) lo = mid;
        else hi = mid;
    }
    const func_sym *s = &f->syms[lo];
    if (vaddr < s->start || vaddr - s->start >= s->size) return NULL;
    return s->name;
}
