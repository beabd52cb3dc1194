/* elf_symtab.c: the function symbols of one ELF image, sorted for lookup.
 *
 * Loading copies each acceptable symbol (defined function, non-empty name
 * that ends inside the string table) into a candidate array, sorts it by
 * address and then by how readable the name is, and keeps the first entry
 * of each address. Readability, best first: a symbol with a size, fewer
 * leading underscores ("getpid" over "__getpid"), GLOBAL over WEAK over
 * LOCAL binding, the shorter name ("__lll_lock_wait" over
 * "__GI___lll_lock_wait"), then byte order, so the choice is deterministic.
 * A version suffix ("@GLIBC_2.2.5", "@@...") is cut from names.
 */
#include "elf_symtab.h"

#include <stdlib.h>
#include <string.h>

typedef struct cand {
    uint64_t addr, end;
    size_t name, len; /* offset and length in the pool */
    const char *str;  /* the name itself, in the pool */
    int has_size, underscores, bind_rank;
} cand;

static int cand_cmp(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    if (x->has_size != y->has_size) return y->has_size - x->has_size;
    if (x->underscores != y->underscores) return x->underscores - y->underscores;
    if (x->bind_rank != y->bind_rank) return x->bind_rank - y->bind_rank;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return strcmp(x->str, y->str);
}

static int bind_rank(unsigned bind) {
    switch (bind) {
    case STB_GLOBAL: return 0;
    case STB_WEAK: return 1;
    default: return 2;
    }
}

/* The end of the section a size-0 symbol lives in, or UINT64_MAX. */
static uint64_t section_end(const elf_image *im, unsigned shndx, uint64_t addr) {
    Elf64_Shdr sh;
    if (elf_section(im, shndx, &sh) != 0) return UINT64_MAX;
    uint64_t end = sh.sh_addr + sh.sh_size;
    if (addr < sh.sh_addr || addr >= end) return UINT64_MAX;
    return end;
}

long elf_symtab_load(elf_symtab *t, const elf_image *im, const char *secname) {
    Elf64_Shdr sh, strsh;
    const uint8_t *syms, *strs;
    size_t symsize, strsize;
    void *owned_syms = NULL, *owned_strs = NULL;
    cand *c = NULL;
    char *pool = NULL;
    long rc = 0;

    if (elf_section_by_name(im, secname, &sh) != 0 ||
        (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
        (sh.sh_entsize != 0 && sh.sh_entsize != sizeof(Elf64_Sym)) ||
        elf_section(im, sh.sh_link, &strsh) != 0 || strsh.sh_type != SHT_STRTAB)
        return 0;
    if (elf_section_data(im, &sh, &syms, &symsize, &owned_syms) != 0) return 0;
    if (elf_section_data(im, &strsh, &strs, &strsize, &owned_strs) != 0) goto out;

    size_t n = symsize / sizeof(Elf64_Sym);
    size_t nc = 0, pool_len = 0;
    c = malloc((n ? n : 1) * sizeof(*c));
    pool = malloc(strsize + 1);
    if (c == NULL || pool == NULL) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        Elf64_Sym s;
        memcpy(&s, syms + i * sizeof(Elf64_Sym), sizeof(s));
        unsigned type = ELF64_ST_TYPE(s.st_info);
        if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
        if (s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE || s.st_value == 0) continue;
        if (s.st_name == 0 || s.st_name >= strsize) continue;
        const char *name = (const char *)strs + s.st_name;
        const char *nul = memchr(name, '\0', strsize - s.st_name);
        if (nul == NULL) continue;
        size_t len = (size_t)(nul - name);
        const char *at = memchr(name, '@', len);
        if (at != NULL) len = (size_t)(at - name);
        if (len == 0 || pool_len + len + 1 > strsize + 1) continue;

        cand *k = &c[nc++];
        k->addr = s.st_value;
        k->has_size = s.st_size != 0;
        k->end = s.st_size ? s.st_value + s.st_size : section_end(im, s.st_shndx, s.st_value);
        if (k->end <= k->addr) k->end = UINT64_MAX; /* overflowing size */
        k->underscores = 0;
        while ((size_t)k->underscores < len && name[k->underscores] == '_') k->underscores++;
        k->bind_rank = bind_rank(ELF64_ST_BIND(s.st_info));
        k->name = pool_len;
        k->len = len;
        k->str = pool + pool_len;
        memcpy(pool + pool_len, name, len);
        pool[pool_len + len] = '\0';
        pool_len += len + 1;
    }

    qsort(c, nc, sizeof(*c), cand_cmp);

    t->syms = malloc((nc ? nc : 1) * sizeof(elf_sym));
    if (t->syms == NULL) {
        rc = -1;
        goto out;
    }
    t->nsyms = 0;
    for (size_t i = 0; i < nc; i++) {
        if (t->nsyms > 0 && t->syms[t->nsyms - 1].addr == c[i].addr) {
            /* An alias: keep the better name, widen to the larger size. */
            elf_sym *prev = &t->syms[t->nsyms - 1];
            if (c[i].has_size && c[i].end > prev->end) prev->end = c[i].end;
            continue;
        }
        t->syms[t->nsyms++] = (elf_sym){c[i].addr, c[i].end, c[i].name};
    }
    /* A size-0 symbol never reaches past the next symbol. */
    for (size_t i = 0; i + 1 < t->nsyms; i++)
        if (t->syms[i].end > t->syms[i + 1].addr && t->syms[i].end == UINT64_MAX)
            t->syms[i].end = t->syms[i + 1].addr;
    t->pool = pool;
    t->pool_len = pool_len;
    pool = NULL;
    rc = (long)t->nsyms;
    if (rc == 0) elf_symtab_free(t);
out:
    free(c);
    free(pool);
    free(owned_syms);
    free(owned_strs);
    return rc;
}

void elf_symtab_free(elf_symtab *t) {
    free(t->syms);
    free(t->pool);
    memset(t, 0, sizeof(*t));
}

const elf_sym *elf_symtab_find(const elf_symtab *t, uint64_t addr) {
    size_t lo = 0, hi = t->nsyms; /* find the first symbol with addr > addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    const elf_sym *s = &t->syms[lo - 1];
    return addr < s->end ? s : NULL;
}
