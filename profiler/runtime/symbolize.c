/* symbolize.c: turning sampled program counters into pprof locations.
 *
 * Invariants:
 *   - maps[] holds the executable mappings of /proc/self/maps at creation,
 *     sorted by start and disjoint; each points to the object (file path or
 *     "[vdso]") it maps. Objects are shared by path and loaded once, on the
 *     first lookup that needs them; a failed load is remembered too.
 *   - A mapping's pf_mapping and the pc -> location memo belong to the
 *     profile the symbolizer is bound to; a call with another profile
 *     rebinds it and forgets both (the objects' symbols stay cached).
 *   - Every string handed out (names, paths, build ids) is owned by the
 *     symbolizer and lives until symbolizer_free.
 *   - An object's DWARF index (line numbers, inlined calls) is read from
 *     the object file itself, right after its symbols, and points into its
 *     image, which stays open until symbolizer_free.
 */
#include "symbolize.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "dwarf_index.h"
#include "elf_debugfile.h"
#include "elf_image.h"
#include "elf_symtab.h"

typedef struct sym_object {
    char *path;     /* as in /proc/self/maps, or "[vdso]" */
    int loaded;     /* load attempted */
    int ok;         /* the image was readable ELF */
    char build_id[2 * 64 + 1];
    elf_symtab syms;
    elf_image im;   /* kept open for the biases of later mappings; closed at free */
    int has_dwarf;  /* dw holds lines or functions */
    dwarf_index dw;
} sym_object;

typedef struct sym_map {
    uint64_t start, limit, offset;
    sym_object *obj;
    int has_bias;
    uint64_t bias;
    pf_mapping *pm; /* in the bound profile; NULL until first needed */
} sym_map;

struct symbolizer {
    sym_map *maps;
    size_t nmaps;
    sym_object **objs;
    size_t nobjs;
    profile *bound;
    size_t bound_mappings; /* pf_mappings added to bound */
    /* open-addressing memo pc -> location for the bound profile */
    uint64_t *memo_pc;
    pf_location **memo_loc;
    size_t memo_cap, memo_len;
};

/* ---- the maps snapshot ------------------------------------------------ */

static sym_object *object_for(symbolizer *s, const char *path) {
    for (size_t i = 0; i < s->nobjs; i++)
        if (strcmp(s->objs[i]->path, path) == 0) return s->objs[i];
    sym_object **objs = realloc(s->objs, (s->nobjs + 1) * sizeof(*objs));
    if (objs == NULL) return NULL;
    s->objs = objs;
    sym_object *o = calloc(1, sizeof(*o));
    if (o == NULL) return NULL;
    o->path = strdup(path);
    if (o->path == NULL) {
        free(o);
        return NULL;
    }
    s->objs[s->nobjs++] = o;
    return o;
}

/* Adds one line of /proc/self/maps when it is an executable mapping of a
 * file or of the vDSO. -1 only on out of memory. */
static int add_maps_line(symbolizer *s, char *line, size_t *cap) {
    uint64_t start, limit, offset;
    char perms[5];
    int pathpos = 0;
    if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %*s %*s %n", &start, &limit,
               perms, &offset, &pathpos) < 4 ||
        pathpos == 0 || limit <= start)
        return 0;
    if (perms[2] != 'x') return 0;
    char *path = line + pathpos;
    path[strcspn(path, "\n")] = '\0';
    if (path[0] != '/' && strcmp(path, "[vdso]") != 0) return 0; /* anonymous, [vsyscall] */

    if (s->nmaps == *cap) {
        size_t ncap = *cap ? 2 * *cap : 32;
        sym_map *m = realloc(s->maps, ncap * sizeof(*m));
        if (m == NULL) return -1;
        s->maps = m;
        *cap = ncap;
    }
    sym_object *o = object_for(s, path);
    if (o == NULL) return -1;
    s->maps[s->nmaps++] = (sym_map){start, limit, offset, o, 0, 0, NULL};
    return 0;
}

static int map_cmp(const void *a, const void *b) {
    const sym_map *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

symbolizer *symbolizer_new(void) {
    symbolizer *s = calloc(1, sizeof(*s));
    if (s == NULL) return NULL;
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) return s;
    char *line = NULL;
    size_t linecap = 0, cap = 0;
    int oom = 0;
    while (!oom && getline(&line, &linecap, f) > 0)
        oom = add_maps_line(s, line, &cap) != 0;
    free(line);
    fclose(f);
    if (oom) {
        symbolizer_free(s);
        return NULL;
    }
    qsort(s->maps, s->nmaps, sizeof(*s->maps), map_cmp);
    return s;
}

static void memo_reset(symbolizer *s) {
    free(s->memo_pc);
    free(s->memo_loc);
    s->memo_pc = NULL;
    s->memo_loc = NULL;
    s->memo_cap = s->memo_len = 0;
}

void symbolizer_free(symbolizer *s) {
    if (s == NULL) return;
    for (size_t i = 0; i < s->nobjs; i++) {
        elf_symtab_free(&s->objs[i]->syms);
        if (s->objs[i]->has_dwarf) dwarf_index_free(&s->objs[i]->dw);
        elf_image_close(&s->objs[i]->im);
        free(s->objs[i]->path);
        free(s->objs[i]);
    }
    free(s->objs);
    free(s->maps);
    memo_reset(s);
    free(s);
}

/* ---- objects and lookup ----------------------------------------------- */

/* Reads the function symbols of o: its own .symtab, else its debug file's
 * .symtab, else its .dynsym; with its PLT stubs. Out of memory leaves o
 * without symbols. */
static void load_symbols(sym_object *o) {
    if (elf_symtab_load(&o->syms, &o->im, ".symtab", &o->im) > 0) return;
    if (o->im.mapped) {
        char *dbg = elf_debugfile_find(ELF_DEBUG_ROOT, o->path, &o->im, o->build_id);
        if (dbg != NULL) {
            elf_image di;
            if (elf_image_open(&di, dbg) == 0) {
                long n = elf_symtab_load(&o->syms, &di, ".symtab", &o->im);
                elf_image_close(&di);
                free(dbg);
                if (n > 0) return;
            } else {
                free(dbg);
            }
        }
    }
    elf_symtab_load(&o->syms, &o->im, ".dynsym", &o->im);
}

/* Loads o's image, build id and symbols, and fixes the bias of m. */
static void load_map(sym_map *m) {
    sym_object *o = m->obj;
    if (!o->loaded) {
        o->loaded = 1;
        if (strcmp(o->path, "[vdso]") == 0) {
            uint64_t base = getauxval(AT_SYSINFO_EHDR);
            /* The vDSO image is in memory; trust it only where maps says. */
            o->ok = base == m->start &&
                    elf_image_from_memory(&o->im, (const void *)(uintptr_t)base,
                                          (size_t)(m->limit - m->start)) == 0;
        } else {
            o->ok = elf_image_open(&o->im, o->path) == 0;
        }
        if (o->ok) {
            if (elf_build_id(&o->im, o->build_id, sizeof(o->build_id)) != 0) o->build_id[0] = 0;
            load_symbols(o);
            /* Line numbers from the file's own DWARF; the vDSO has none. */
            if (o->im.mapped) o->has_dwarf = dwarf_index_open(&o->dw, &o->im) == 0;
        }
    }
    if (o->ok && !m->has_bias)
        m->has_bias = elf_load_bias(&o->im, m->start, m->offset, &m->bias) == 0;
}

static sym_map *find_map(symbolizer *s, uint64_t pc) {
    size_t lo = 0, hi = s->nmaps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->maps[mid].start <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || pc >= s->maps[lo - 1].limit) return NULL;
    sym_map *m = &s->maps[lo - 1];
    load_map(m);
    return m;
}

static const elf_sym *find_sym(sym_map *m, uint64_t pc) {
    if (!m->has_bias) return NULL;
    return elf_symtab_find(&m->obj->syms, pc - m->bias);
}

int symbolizer_lookup(symbolizer *s, uint64_t pc, const char **func, const char **file,
                      uint64_t *func_start) {
    sym_map *m = find_map(s, pc);
    const elf_sym *sym = m ? find_sym(m, pc) : NULL;
    if (sym == NULL) return -1;
    if (func) *func = elf_sym_name(&m->obj->syms, sym);
    if (file) *file = m->obj->path;
    if (func_start) *func_start = sym->addr + m->bias;
    return 0;
}

const char *symbolizer_build_id(symbolizer *s, uint64_t pc) {
    sym_map *m = find_map(s, pc);
    return m ? m->obj->build_id : NULL;
}

/* ---- locations -------------------------------------------------------- */

static size_t memo_slot(const symbolizer *s, uint64_t pc) {
    uint64_t h = pc * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 20) & (s->memo_cap - 1);
    while (s->memo_loc[i] != NULL && s->memo_pc[i] != pc) i = (i + 1) & (s->memo_cap - 1);
    return i;
}

/* Makes room for one more entry (load factor at most 1/2). */
static int memo_grow(symbolizer *s) {
    if (2 * (s->memo_len + 1) <= s->memo_cap) return 0;
    size_t ncap = s->memo_cap ? 2 * s->memo_cap : 256;
    uint64_t *opc = s->memo_pc;
    pf_location **oloc = s->memo_loc;
    size_t ocap = s->memo_cap;
    s->memo_pc = calloc(ncap, sizeof(*s->memo_pc));
    s->memo_loc = calloc(ncap, sizeof(*s->memo_loc));
    if (s->memo_pc == NULL || s->memo_loc == NULL) {
        free(s->memo_pc);
        free(s->memo_loc);
        s->memo_pc = opc;
        s->memo_loc = oloc;
        return -1;
    }
    s->memo_cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (oloc[i] == NULL) continue;
        size_t j = memo_slot(s, opc[i]);
        s->memo_pc[j] = opc[i];
        s->memo_loc[j] = oloc[i];
    }
    free(opc);
    free(oloc);
    return 0;
}

/* Binds s to p. A profile at the same address as the bound one but with
 * fewer mappings or locations than s added is a new profile that reuses a
 * freed one's memory: it is rebound too, so no stale pointer is used. */
static void bind_profile(symbolizer *s, profile *p) {
    if (s->bound == p && p->nmappings >= s->bound_mappings && p->nlocations >= s->memo_len)
        return;
    s->bound = p;
    s->bound_mappings = 0;
    for (size_t i = 0; i < s->nmaps; i++) s->maps[i].pm = NULL;
    memo_reset(s);
}

/* The pf_mapping of m in the bound profile p, added on first need. */
static pf_mapping *mapping_in(symbolizer *s, profile *p, sym_map *m) {
    if (m->pm == NULL) {
        m->pm = profile_add_mapping(p, m->start, m->limit, m->offset, m->obj->path,
                                    m->obj->build_id);
        if (m->pm == NULL) return NULL;
        m->pm->has_functions = m->obj->syms.nsyms > 0;
        if (m->obj->has_dwarf) {
            m->pm->has_filenames = m->pm->has_line_numbers = dwarf_index_has_lines(&m->obj->dw);
            m->pm->has_inline_frames = dwarf_index_has_inlines(&m->obj->dw);
        }
        s->bound_mappings++;
    }
    return m->pm;
}

/* Inlined calls deeper than this keep their innermost frames. */
#define MAX_INLINE 32

/* The pf_function of DWARF frame f; the outermost frame is the function the
 * symbol table names (sym), so its name agrees with symbol-only profiles. */
static pf_function *frame_function(profile *p, const dwarf_frame *f, const char *sym) {
    const char *name = sym ? sym : f->name ? f->name : "??";
    const char *system_name = sym ? sym : f->linkage_name ? f->linkage_name : name;
    const char *file = f->decl_file[0] ? f->decl_file : f->file;
    return profile_function(p, name, system_name, file, f->decl_line);
}

/* The location of pc in function sym of mapping m, with its source lines
 * when the object has DWARF: lines[0] the innermost inlined function at
 * its line, the last one sym at the line of the outermost call. */
static pf_location *location_with_lines(profile *p, sym_map *m, pf_mapping *pm, uint64_t pc,
                                        const char *sym) {
    dwarf_frame fr[MAX_INLINE];
    size_t nf = 0;
    if (m->obj->has_dwarf) nf = dwarf_index_lookup(&m->obj->dw, pc - m->bias, fr, MAX_INLINE);
    if (nf == 0) {
        pf_function *fn = profile_function(p, sym, sym, "", 0);
        return fn ? profile_location(p, pm, pc, fn, 0) : NULL;
    }
    pf_function *fn0 = frame_function(p, &fr[0], nf == 1 ? sym : NULL);
    if (fn0 == NULL) return NULL;
    size_t before = p->nlocations;
    pf_location *loc = profile_location(p, pm, pc, fn0, fr[0].line);
    if (loc == NULL || p->nlocations == before) return loc; /* it had its lines */
    for (size_t i = 1; i < nf; i++) {
        pf_function *fn = frame_function(p, &fr[i], i == nf - 1 ? sym : NULL);
        if (fn == NULL) return NULL;
        profile_location_add_line(p, loc, fn, fr[i].line);
    }
    return loc;
}

pf_location *symbolizer_location(symbolizer *s, profile *p, uint64_t pc) {
    bind_profile(s, p);
    if (p->nmappings == 0) {
        /* pprof takes the first mapping for the main program (its "File:"
         * line): put the executable's text there before any library. */
        sym_map *exe = find_map(s, getauxval(AT_ENTRY));
        if (exe != NULL && mapping_in(s, p, exe) == NULL) return NULL;
    }
    if (s->memo_cap) {
        size_t i = memo_slot(s, pc);
        if (s->memo_loc[i] != NULL) return s->memo_loc[i];
    }

    sym_map *m = find_map(s, pc);
    pf_mapping *pm = NULL;
    const elf_sym *sym = NULL;
    if (m != NULL) {
        pm = mapping_in(s, p, m);
        if (pm == NULL) return NULL;
        sym = find_sym(m, pc);
    }
    pf_location *loc = sym ? location_with_lines(p, m, pm, pc, elf_sym_name(&m->obj->syms, sym))
                           : profile_location(p, pm, pc, NULL, 0);
    if (loc == NULL || memo_grow(s) != 0) return loc;
    size_t i = memo_slot(s, pc);
    s->memo_pc[i] = pc;
    s->memo_loc[i] = loc;
    s->memo_len++;
    return loc;
}
