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
 *
 * PLT stubs have no symbols; on x86-64 the table gains one per stub, named
 * after the function it jumps to ("getpid@plt"), found the way objdump
 * does it: entry i of .plt.sec (or entry i + 1 of .plt, after the resolver
 * stub) belongs to relocation i of .rela.plt, whose symbol is in .dynsym.
 */
#include "elf_symtab.h"

#include <stdlib.h>
#include <string.h>

typedef struct cand {
    uint64_t addr, end;
    size_t name, len; /* offset and length in the pool */
    const char *str;  /* the name itself, set once the pool stops moving */
    int has_size, underscores, bind_rank;
} cand;

/* Candidates and their names while a table is being built. */
typedef struct builder {
    cand *c;
    size_t nc, cap;
    char *pool;
    size_t len, pcap;
    int oom;
} builder;

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

#define PLT_RANK 3 /* a stub's name never wins over a real symbol */

/* Appends a candidate named name[0..len) followed by suffix. */
static void add_cand(builder *b, uint64_t addr, uint64_t end, int has_size, int rank,
                     const char *name, size_t len, const char *suffix) {
    size_t slen = strlen(suffix);
    if (b->oom) return;
    if (b->nc == b->cap) {
        size_t ncap = b->cap ? 2 * b->cap : 1024;
        cand *c = realloc(b->c, ncap * sizeof(*c));
        if (c == NULL) {
            b->oom = 1;
            return;
        }
        b->c = c;
        b->cap = ncap;
    }
    if (b->pcap - b->len < len + slen + 1) {
        size_t ncap = b->pcap ? 2 * b->pcap : 16384;
        while (ncap - b->len < len + slen + 1) ncap *= 2;
        char *pool = realloc(b->pool, ncap);
        if (pool == NULL) {
            b->oom = 1;
            return;
        }
        b->pool = pool;
        b->pcap = ncap;
    }
    cand *k = &b->c[b->nc++];
    k->addr = addr;
    k->end = end > addr ? end : UINT64_MAX; /* an overflowing size */
    k->has_size = has_size;
    k->bind_rank = rank;
    k->underscores = 0;
    while ((size_t)k->underscores < len && name[k->underscores] == '_') k->underscores++;
    k->name = b->len;
    k->len = len + slen;
    memcpy(b->pool + b->len, name, len);
    memcpy(b->pool + b->len + len, suffix, slen + 1);
    b->len += len + slen + 1;
}

/* The end of the section a size-0 symbol lives in, or UINT64_MAX. */
static uint64_t section_end(const elf_image *im, unsigned shndx, uint64_t addr) {
    Elf64_Shdr sh;
    if (elf_section(im, shndx, &sh) != 0) return UINT64_MAX;
    uint64_t end = sh.sh_addr + sh.sh_size;
    if (addr < sh.sh_addr || addr >= end) return UINT64_MAX;
    return end;
}

/* A symbol table section and its string table, inflated if need be. */
typedef struct symsec {
    const uint8_t *syms, *strs;
    size_t nsyms, strsize;
    void *owned_syms, *owned_strs;
} symsec;

static int symsec_open(symsec *ss, const elf_image *im, const Elf64_Shdr *sh) {
    Elf64_Shdr strsh;
    size_t symsize;
    memset(ss, 0, sizeof(*ss));
    if ((sh->sh_type != SHT_SYMTAB && sh->sh_type != SHT_DYNSYM) ||
        (sh->sh_entsize != 0 && sh->sh_entsize != sizeof(Elf64_Sym)) ||
        elf_section(im, sh->sh_link, &strsh) != 0 || strsh.sh_type != SHT_STRTAB)
        return -1;
    if (elf_section_data(im, sh, &ss->syms, &symsize, &ss->owned_syms) != 0) return -1;
    if (elf_section_data(im, &strsh, &ss->strs, &ss->strsize, &ss->owned_strs) != 0) {
        free(ss->owned_syms);
        return -1;
    }
    ss->nsyms = symsize / sizeof(Elf64_Sym);
    return 0;
}

static void symsec_close(symsec *ss) {
    free(ss->owned_syms);
    free(ss->owned_strs);
}

/* Symbol i and its name (version suffix cut). 0, or -1 when malformed. */
static int symsec_get(const symsec *ss, size_t i, Elf64_Sym *s, const char **name, size_t *len) {
    if (i >= ss->nsyms) return -1;
    memcpy(s, ss->syms + i * sizeof(Elf64_Sym), sizeof(*s));
    if (s->st_name == 0 || s->st_name >= ss->strsize) return -1;
    *name = (const char *)ss->strs + s->st_name;
    const char *nul = memchr(*name, '\0', ss->strsize - s->st_name);
    if (nul == NULL) return -1;
    *len = (size_t)(nul - *name);
    const char *at = memchr(*name, '@', *len);
    if (at != NULL) *len = (size_t)(at - *name);
    return *len ? 0 : -1;
}

/* Adds the defined functions of section secname; returns how many. */
static size_t add_symbols(builder *b, const elf_image *im, const char *secname) {
    Elf64_Shdr sh;
    symsec ss;
    if (elf_section_by_name(im, secname, &sh) != 0 || symsec_open(&ss, im, &sh) != 0) return 0;
    size_t added = 0;
    for (size_t i = 0; i < ss.nsyms; i++) {
        Elf64_Sym s;
        const char *name;
        size_t len;
        if (symsec_get(&ss, i, &s, &name, &len) != 0) continue;
        unsigned type = ELF64_ST_TYPE(s.st_info);
        if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
        if (s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE || s.st_value == 0) continue;
        uint64_t end = s.st_size ? s.st_value + s.st_size
                                 : section_end(im, s.st_shndx, s.st_value);
        add_cand(b, s.st_value, end, s.st_size != 0, bind_rank(ELF64_ST_BIND(s.st_info)), name,
                 len, "");
        added++;
    }
    symsec_close(&ss);
    return added;
}

/* Adds "<callee>@plt" for each x86-64 PLT stub of im. */
static void add_plt(builder *b, const elf_image *im) {
    Elf64_Shdr rel, dynsym, plt;
    const uint8_t *rels;
    size_t relsize;
    void *owned;
    symsec ss;
    if (im->eh.e_machine != EM_X86_64 || elf_section_by_name(im, ".rela.plt", &rel) != 0 ||
        rel.sh_type != SHT_RELA || elf_section(im, rel.sh_link, &dynsym) != 0)
        return;
    uint64_t first = 0; /* index of the stub for relocation 0 */
    if (elf_section_by_name(im, ".plt.sec", &plt) != 0) {
        if (elf_section_by_name(im, ".plt", &plt) != 0) return;
        first = 1;
    }
    uint64_t stub = plt.sh_entsize ? plt.sh_entsize : 16;
    if (stub < 8 || stub > 64) return;
    if (symsec_open(&ss, im, &dynsym) != 0) return;
    if (elf_section_data(im, &rel, &rels, &relsize, &owned) == 0) {
        size_t n = relsize / sizeof(Elf64_Rela);
        for (size_t i = 0; i < n && (first + i + 1) * stub <= plt.sh_size; i++) {
            Elf64_Rela r;
            Elf64_Sym s;
            const char *name;
            size_t len;
            memcpy(&r, rels + i * sizeof(r), sizeof(r));
            if (symsec_get(&ss, ELF64_R_SYM(r.r_info), &s, &name, &len) != 0) continue;
            uint64_t addr = plt.sh_addr + (first + i) * stub;
            add_cand(b, addr, addr + stub, 1, PLT_RANK, name, len, "@plt");
        }
        free(owned);
    }
    symsec_close(&ss);
}

long elf_symtab_load(elf_symtab *t, const elf_image *im, const char *secname,
                     const elf_image *plt_im) {
    builder b = {0};
    size_t own = add_symbols(&b, im, secname);
    if (own > 0 && plt_im != NULL) add_plt(&b, plt_im);
    if (b.oom || own == 0) {
        free(b.c);
        free(b.pool);
        return b.oom ? -1 : 0;
    }
    for (size_t i = 0; i < b.nc; i++) b.c[i].str = b.pool + b.c[i].name;
    qsort(b.c, b.nc, sizeof(*b.c), cand_cmp);

    t->syms = malloc(b.nc * sizeof(elf_sym));
    if (t->syms == NULL) {
        free(b.c);
        free(b.pool);
        return -1;
    }
    t->nsyms = 0;
    for (size_t i = 0; i < b.nc; i++) {
        if (t->nsyms > 0 && t->syms[t->nsyms - 1].addr == b.c[i].addr) {
            /* An alias: keep the better name, widen to the larger size. */
            elf_sym *prev = &t->syms[t->nsyms - 1];
            if (b.c[i].has_size && b.c[i].end > prev->end) prev->end = b.c[i].end;
            continue;
        }
        t->syms[t->nsyms++] = (elf_sym){b.c[i].addr, b.c[i].end, b.c[i].name};
    }
    /* A symbol with no known end never reaches past the next symbol. */
    for (size_t i = 0; i + 1 < t->nsyms; i++)
        if (t->syms[i].end == UINT64_MAX) t->syms[i].end = t->syms[i + 1].addr;
    t->pool = b.pool;
    t->pool_len = b.len;
    free(b.c);
    return (long)t->nsyms;
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
