/* test_symbolize.c: the symbolizer of libcpuprof and its ELF readers.
 *
 * Names are checked against independent sources: the compiler (a static
 * function of this binary), the dynamic linker (dlsym, dl_iterate_phdr for
 * libc's load bias), a live thread's stack (libunwind), and readelf's view
 * of libc's debug file (shelled out to, for comparison only). The debug-file
 * cases need Debian's libc6-dbg; without it they print a skip notice and
 * pass. The fuzz cases truncate and corrupt copies of real ELF files and
 * pass when every reader returns instead of crashing (Check runs each case
 * in a child, so a crash is reported as an error).
 */
#include <check.h>
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libunwind.h>

#include "../../profiler/runtime/elf_debugfile.h"
#include "../../profiler/runtime/elf_image.h"
#include "../../profiler/runtime/elf_symtab.h"
#include "../../profiler/runtime/symbolize.h"

/* ---- helpers ---------------------------------------------------------- */

static __attribute__((noinline, used)) int symbolize_me_static(int n) {
    volatile int acc = 0;
    for (int i = 0; i < n; i++) acc += i * 3;
    return acc;
}

static uint64_t fn_addr(void *sym) { return (uint64_t)(uintptr_t)sym; }

typedef struct libc_info {
    char path[PATH_MAX];
    uint64_t bias;
} libc_info;

/* libc's path and load bias from the dynamic linker's own record of it
 * (dladdr1 on getpid; dl_iterate_phdr and dlopen are left alone because
 * libcpuprof wraps them). */
static libc_info libc_of_process(void) {
    libc_info li = {{0}, 0};
    Dl_info info;
    struct link_map *lm = NULL;
    void *getpid_addr = dlsym(RTLD_DEFAULT, "getpid");
    ck_assert_int_ne(dladdr1(getpid_addr, &info, (void **)&lm, RTLD_DL_LINKMAP), 0);
    ck_assert_ptr_nonnull(lm);
    ck_assert_msg(strstr(lm->l_name, "/libc.so.6") != NULL, "getpid is in %s", lm->l_name);
    snprintf(li.path, sizeof(li.path), "%s", lm->l_name);
    li.bias = lm->l_addr;
    return li;
}

/* The build id of libc as readelf prints it ("" when readelf fails). */
static void readelf_build_id(const char *path, char *out, size_t outlen) {
    char cmd[PATH_MAX + 64];
    out[0] = '\0';
    snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    if (f == NULL) return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        char *p = strstr(line, "Build ID: ");
        if (p) {
            snprintf(out, outlen, "%s", p + 10);
            out[strcspn(out, "\n ")] = '\0';
        }
    }
    pclose(f);
}

/* The value of symbol name in file's .symtab as readelf prints it; 0 when
 * absent. */
static uint64_t readelf_symbol(const char *file, const char *name) {
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof(cmd), "readelf -sW '%s' 2>/dev/null", file);
    FILE *f = popen(cmd, "r");
    if (f == NULL) return 0;
    char line[1024];
    uint64_t value = 0;
    while (fgets(line, sizeof(line), f)) {
        char num[32], val[32], size[32], type[32], bind[32], vis[32], ndx[32], sym[512];
        if (sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %511s", num, val, size, type, bind,
                   vis, ndx, sym) == 8 &&
            strcmp(type, "FUNC") == 0 && strcmp(sym, name) == 0)
            value = strtoull(val, NULL, 16);
    }
    pclose(f);
    return value;
}

/* The path of libc's debug file, or NULL (skip) when libc6-dbg is absent. */
static char *libc_debug_file(void) {
    libc_info li = libc_of_process();
    char id[200];
    readelf_build_id(li.path, id, sizeof(id));
    char *path = elf_debugfile_by_build_id(ELF_DEBUG_ROOT, id);
    if (path == NULL) printf("SKIP libc6-dbg not installed: no debug file for %s\n", li.path);
    return path;
}

/* "/tmp/<prefix>" followed by the six placeholder letters mkstemp and
 * mkdtemp replace. */
static void temp_template(char *buf, size_t len, const char *prefix) {
    int n = snprintf(buf, len, "/tmp/%s", prefix);
    ck_assert(n > 0 && (size_t)n + 7 <= len);
    memset(buf + n, 'X', 6);
    buf[n + 6] = '\0';
}

static void expect_name(symbolizer *s, uint64_t pc, const char *want, uint64_t want_start) {
    const char *func = NULL, *file = NULL;
    uint64_t start = 0;
    ck_assert_msg(symbolizer_lookup(s, pc, &func, &file, &start) == 0,
                  "pc %#llx (want %s) did not resolve", (unsigned long long)pc, want);
    ck_assert_str_eq(func, want);
    if (want_start) ck_assert_uint_eq(start, want_start);
}

/* ---- the process's own functions -------------------------------------- */

START_TEST(static_function_of_this_binary) {
    symbolizer *s = symbolizer_new();
    ck_assert_ptr_nonnull(s);
    uint64_t f = fn_addr((void *)symbolize_me_static);
    ck_assert_int_eq(symbolize_me_static(3), 9);
    const char *func, *file;
    uint64_t start;
    ck_assert_int_eq(symbolizer_lookup(s, f + 4, &func, &file, &start), 0);
    ck_assert_str_eq(func, "symbolize_me_static");
    ck_assert_uint_eq(start, f);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    ck_assert_int_gt(n, 0);
    exe[n] = '\0';
    ck_assert_str_eq(file, exe);
    symbolizer_free(s);
}
END_TEST

START_TEST(libc_exported_function) {
    symbolizer *s = symbolizer_new();
    uint64_t f = fn_addr(dlsym(RTLD_DEFAULT, "getpid"));
    ck_assert_uint_ne(f, 0);
    /* getpid and __getpid share an address: the plainer name wins. */
    expect_name(s, f, "getpid", f);
    const char *func, *file;
    uint64_t start;
    ck_assert_int_eq(symbolizer_lookup(s, f, &func, &file, &start), 0);
    ck_assert_ptr_nonnull(strstr(file, "libc.so.6"));
    symbolizer_free(s);
}
END_TEST

START_TEST(unknown_addresses) {
    symbolizer *s = symbolizer_new();
    const char *func;
    ck_assert_int_eq(symbolizer_lookup(s, 16, &func, NULL, NULL), -1);
    int on_stack = 0;
    ck_assert_int_eq(symbolizer_lookup(s, fn_addr(&on_stack), &func, NULL, NULL), -1);
    ck_assert_ptr_null(symbolizer_build_id(s, 16));
    symbolizer_free(s);
}
END_TEST

START_TEST(vdso_functions) {
    uint64_t base = getauxval(AT_SYSINFO_EHDR);
    if (base == 0) {
        printf("SKIP no vDSO in this process\n");
        return;
    }
    symbolizer *s = symbolizer_new();
    int found = 0;
    for (uint64_t pc = base; pc < base + 4 * 4096 && !found; pc += 4) {
        const char *func, *file;
        uint64_t start;
        if (symbolizer_lookup(s, pc, &func, &file, &start) == 0 &&
            strstr(func, "clock_gettime") != NULL) {
            ck_assert_str_eq(file, "[vdso]");
            ck_assert_uint_le(start, pc);
            found = 1;
        }
    }
    ck_assert_msg(found, "no vDSO address resolved to clock_gettime");
    symbolizer_free(s);
}
END_TEST

/* ---- libc internals from the debug file ------------------------------- */

static void *frames[64];
static int nframes;

static void *unwind_in_thread(void *arg) {
    (void)arg;
    nframes = unw_backtrace(frames, 64);
    return NULL;
}

START_TEST(start_thread_from_live_stack) {
    char *dbg = libc_debug_file();
    if (dbg == NULL) return;
    free(dbg);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, unwind_in_thread, NULL), 0);
    pthread_join(t, NULL);
    ck_assert_int_gt(nframes, 1);
    symbolizer *s = symbolizer_new();
    int seen_start_thread = 0;
    for (int i = 0; i < nframes; i++) {
        const char *func;
        /* Return addresses: look up the call instruction (pc - 1). */
        uint64_t pc = fn_addr(frames[i]) - (i > 0);
        if (symbolizer_lookup(s, pc, &func, NULL, NULL) == 0 &&
            strcmp(func, "start_thread") == 0)
            seen_start_thread = 1;
    }
    ck_assert_msg(seen_start_thread, "start_thread not on the thread's stack (%d frames)",
                  nframes);
    symbolizer_free(s);
}
END_TEST

START_TEST(libc_internals_by_debug_file) {
    char *dbg = libc_debug_file();
    if (dbg == NULL) return;
    libc_info li = libc_of_process();
    symbolizer *s = symbolizer_new();
    const char *names[] = {"start_thread", "__lll_lock_wait", "clone3"};
    for (size_t i = 0; i < 3; i++) {
        uint64_t v = readelf_symbol(dbg, names[i]);
        ck_assert_msg(v != 0, "readelf found no %s in %s", names[i], dbg);
        expect_name(s, li.bias + v + 1, names[i], li.bias + v);
        expect_name(s, li.bias + v, names[i], li.bias + v);
    }
    symbolizer_free(s);
    free(dbg);
}
END_TEST

START_TEST(libc_build_id_matches_readelf) {
    libc_info li = libc_of_process();
    char want[200];
    readelf_build_id(li.path, want, sizeof(want));
    ck_assert_msg(want[0] != '\0', "readelf printed no build id for %s", li.path);
    symbolizer *s = symbolizer_new();
    const char *got = symbolizer_build_id(s, fn_addr(dlsym(RTLD_DEFAULT, "getpid")));
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    symbolizer_free(s);
}
END_TEST

START_TEST(debuglink_crc_and_search) {
    char *dbg = libc_debug_file();
    if (dbg == NULL) return;
    libc_info li = libc_of_process();
    elf_image im;
    ck_assert_int_eq(elf_image_open(&im, li.path), 0);
    char name[256];
    uint32_t crc, got;
    ck_assert_int_eq(elf_debuglink(&im, name, sizeof(name), &crc), 0);
    elf_image_close(&im);
    ck_assert_int_eq(elf_file_crc32(dbg, &got), 0);
    ck_assert_uint_eq(got, crc);

    /* A copy laid out as <dir>/lib and <dir>/.debug/<name> is found... */
    char dir[64];
    temp_template(dir, sizeof(dir), "symbolize-");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char obj[PATH_MAX], sub[PATH_MAX], copy[PATH_MAX], cmd[3 * PATH_MAX];
    int n1 = snprintf(obj, sizeof(obj), "%s/libc.so.6", dir);
    int n2 = snprintf(sub, sizeof(sub), "%s/.debug", dir);
    int n3 = snprintf(copy, sizeof(copy), "%s/%s", sub, name);
    int n4 = snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && mkdir '%s' && cp '%s' '%s'", li.path,
                      obj, sub, dbg, copy);
    ck_assert(n1 < PATH_MAX && n2 < PATH_MAX && n3 < PATH_MAX && n4 < 3 * PATH_MAX);
    ck_assert_int_eq(system(cmd), 0);
    char *found = elf_debugfile_by_link("/nonexistent", obj, name, crc);
    ck_assert_ptr_nonnull(found);
    ck_assert_str_eq(found, copy);
    free(found);
    /* ...and refused once one byte changed (a CRC32 always sees that). */
    FILE *f = fopen(copy, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 100, SEEK_SET);
    int byte = fgetc(f);
    fseek(f, 100, SEEK_SET);
    fputc(byte ^ 0xff, f);
    fclose(f);
    ck_assert_ptr_null(elf_debugfile_by_link("/nonexistent", obj, name, crc));
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dbg);
}
END_TEST

START_TEST(compressed_section_inflates) {
    char *dbg = libc_debug_file();
    if (dbg == NULL) return;
    elf_image im;
    ck_assert_int_eq(elf_image_open(&im, dbg), 0);
    Elf64_Shdr sh;
    ck_assert_int_eq(elf_section_by_name(&im, ".debug_info", &sh), 0);
    if (!(sh.sh_flags & SHF_COMPRESSED)) {
        printf("SKIP .debug_info of %s is not compressed\n", dbg);
    } else {
        Elf64_Chdr ch;
        memcpy(&ch, im.data + sh.sh_offset, sizeof(ch));
        const uint8_t *data;
        size_t size;
        void *owned;
        ck_assert_int_eq(elf_section_data(&im, &sh, &data, &size, &owned), 0);
        ck_assert_ptr_nonnull(owned);
        ck_assert_uint_eq(size, ch.ch_size);
        ck_assert_uint_gt(size, sh.sh_size);
        uint16_t version; /* DWARF unit header: 4-byte length, 2-byte version */
        memcpy(&version, data + 4, 2);
        ck_assert_int_ge(version, 2);
        ck_assert_int_le(version, 5);
        free(owned);

        /* A corrupt stream or a lying ch_size is an error, not a crash. */
        uint8_t *copy = malloc(im.size);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, im.data, im.size);
        elf_image bad;
        ck_assert_int_eq(elf_image_from_memory(&bad, copy, im.size), 0);
        for (size_t i = 0; i < 64; i++) copy[sh.sh_offset + sizeof(ch) + 100 + i] ^= 0x55;
        ck_assert_int_eq(elf_section_data(&bad, &sh, &data, &size, &owned), -1);
        ck_assert_ptr_null(owned);
        memcpy(copy + sh.sh_offset, im.data + sh.sh_offset, sh.sh_size);
        Elf64_Chdr lie = ch;
        lie.ch_size = (uint64_t)1 << 40;
        memcpy(copy + sh.sh_offset, &lie, sizeof(lie));
        ck_assert_int_eq(elf_section_data(&bad, &sh, &data, &size, &owned), -1);
        lie.ch_size = ch.ch_size - 1;
        memcpy(copy + sh.sh_offset, &lie, sizeof(lie));
        ck_assert_int_eq(elf_section_data(&bad, &sh, &data, &size, &owned), -1);
        free(copy);
    }
    elf_image_close(&im);
    free(dbg);
}
END_TEST

/* ---- robustness: truncated and corrupt copies ------------------------- */

static uint8_t *read_whole(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Runs every reader over an image; returns the symbols found (any number is
 * fine: the point is returning at all). */
static long exercise(const uint8_t *buf, size_t len) {
    elf_image im;
    if (elf_image_from_memory(&im, buf, len) != 0) return -1;
    char hex[129], name[256];
    uint32_t crc;
    uint64_t bias;
    elf_build_id(&im, hex, sizeof(hex));
    elf_debuglink(&im, name, sizeof(name), &crc);
    elf_load_bias(&im, 0x7f0000000000ull, 0x1000, &bias);
    long total = 0;
    const char *secs[] = {".symtab", ".dynsym"};
    for (int i = 0; i < 2; i++) {
        elf_symtab t = {0};
        long n = elf_symtab_load(&t, &im, secs[i], &im);
        if (n > 0) {
            for (uint64_t a = 0; a < 0x200000; a += 0x1001) {
                const elf_sym *s = elf_symtab_find(&t, a);
                if (s) total += (long)strlen(elf_sym_name(&t, s)) > 0;
            }
            total += n;
        }
        elf_symtab_free(&t);
    }
    elf_image_close(&im);
    return total;
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fuzz_file(const char *path) {
    size_t len;
    uint8_t *orig = read_whole(path, &len);
    ck_assert_int_gt(exercise(orig, len), 0); /* the intact file has symbols */

    /* Truncations: inside the header, the program headers, and the section
     * header table at the end. */
    size_t cuts[] = {0, 1, 4, 16, 63, 64, 65, 200, 4096, len / 3, len / 2,
                     len - 4096, len - 100, len - 64, len - 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
        if (cuts[i] < len) exercise(orig, cuts[i]);

    /* Corruptions: 200 copies with 1..16 random bytes, aimed mostly at the
     * section header table and the symbol tables (where a bad offset would
     * be followed), sometimes at the ELF header or anywhere. */
    uint8_t *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    elf_image im;
    ck_assert_int_eq(elf_image_from_memory(&im, orig, len), 0);
    Elf64_Shdr symsh;
    uint64_t shtab = im.eh.e_shoff, shlen = (uint64_t)im.shnum * sizeof(Elf64_Shdr);
    if (elf_section_by_name(&im, ".symtab", &symsh) != 0)
        ck_assert_int_eq(elf_section_by_name(&im, ".dynsym", &symsh), 0);
    ck_assert(shlen > 0 && symsh.sh_size > 0);
    int still_parsed = 0;
    for (int round = 0; round < 200; round++) {
        memcpy(copy, orig, len);
        int flips = 1 + (int)(rng() % 16);
        for (int k = 0; k < flips; k++) {
            size_t at;
            switch (rng() % 8) {
            case 0: at = rng() % sizeof(Elf64_Ehdr); break;
            case 1: at = rng() % len; break;
            case 2: case 3: case 4: at = (size_t)(symsh.sh_offset + rng() % symsh.sh_size); break;
            default: at = (size_t)(shtab + rng() % shlen); break;
            }
            copy[at] = (uint8_t)rng();
        }
        still_parsed += exercise(copy, len) > 0;
    }
    /* The corruption must leave many copies readable, or the deeper parsing
     * paths were never reached. */
    ck_assert_int_ge(still_parsed, 20);
    free(copy);
    free(orig);
}

START_TEST(fuzz_truncated_and_corrupt_libc) {
    fuzz_file(libc_of_process().path);
}
END_TEST

START_TEST(fuzz_truncated_and_corrupt_debug_file) {
    char *dbg = libc_debug_file();
    if (dbg == NULL) return;
    fuzz_file(dbg);
    free(dbg);
}
END_TEST

START_TEST(truncated_file_on_disk) {
    libc_info li = libc_of_process();
    size_t len;
    uint8_t *orig = read_whole(li.path, &len);
    char path[64];
    temp_template(path, sizeof(path), "symbolize-trunc-");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, orig, len / 2), (ssize_t)(len / 2));
    close(fd);
    elf_image im;
    if (elf_image_open(&im, path) == 0) {
        char hex[129];
        ck_assert_int_eq(elf_build_id(&im, hex, sizeof(hex)), 0); /* notes are up front */
        elf_symtab t = {0};
        ck_assert_int_eq(elf_symtab_load(&t, &im, ".dynsym", &im), 0); /* headers are cut off */
        elf_image_close(&im);
    }
    unlink(path);
    /* An empty file and a non-ELF file are refused. */
    ck_assert_int_eq(elf_image_open(&im, "/dev/null"), -1);
    ck_assert_int_eq(elf_image_open(&im, "/etc/hostname"), -1);
    ck_assert_int_eq(elf_image_open(&im, "/nonexistent/file"), -1);
    free(orig);
}
END_TEST

/* ---- symbol table details --------------------------------------------- */

START_TEST(symtab_sorted_unique_and_bounded) {
    libc_info li = libc_of_process();
    elf_image im;
    ck_assert_int_eq(elf_image_open(&im, li.path), 0);
    elf_symtab t = {0};
    long n = elf_symtab_load(&t, &im, ".dynsym", NULL);
    ck_assert_int_gt(n, 100);
    for (size_t i = 0; i < t.nsyms; i++) {
        ck_assert_uint_lt(t.syms[i].addr, t.syms[i].end);
        ck_assert_ptr_null(strchr(elf_sym_name(&t, &t.syms[i]), '@'));
        if (i) ck_assert_uint_lt(t.syms[i - 1].addr, t.syms[i].addr);
    }
    /* Below the first symbol nothing is found. */
    ck_assert_ptr_null(elf_symtab_find(&t, t.syms[0].addr - 1));
    elf_symtab_free(&t);
    elf_image_close(&im);
}
END_TEST

START_TEST(plt_stubs_named_after_callee) {
    /* objdump's names for this binary's PLT stubs, for comparison. */
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    ck_assert_int_gt(len, 0);
    exe[len] = '\0';
    Dl_info info;
    struct link_map *lm = NULL;
    ck_assert_int_ne(dladdr1((void *)symbolize_me_static, &info, (void **)&lm, RTLD_DL_LINKMAP),
                     0);
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof(cmd), "objdump -d -j .plt -j .plt.sec '%s' 2>/dev/null", exe);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    symbolizer *s = symbolizer_new();
    char line[512];
    int checked = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long long addr;
        char name[256];
        /* "<getpid@plt>:" names a stub; "<x@plt-0x10>:" is the resolver. */
        size_t n = 0;
        if (sscanf(line, "%llx <%255[^>]>:", &addr, name) != 2 || (n = strlen(name)) < 5 ||
            strcmp(name + n - 4, "@plt") != 0)
            continue;
        const char *func;
        uint64_t start;
        ck_assert_int_eq(symbolizer_lookup(s, lm->l_addr + addr + 4, &func, NULL, &start), 0);
        ck_assert_str_eq(func, name);
        ck_assert_uint_eq(start, lm->l_addr + addr);
        checked++;
    }
    pclose(f);
    if (checked == 0) printf("SKIP objdump listed no PLT stubs\n");
    symbolizer_free(s);
}
END_TEST

/* ---- locations in a profile ------------------------------------------- */

START_TEST(locations_are_deduplicated) {
    symbolizer *s = symbolizer_new();
    profile *p = profile_new();
    ck_assert_ptr_nonnull(p);
    uint64_t f = fn_addr((void *)symbolize_me_static);
    uint64_t g = fn_addr(dlsym(RTLD_DEFAULT, "getpid"));

    pf_location *a = symbolizer_location(s, p, f + 1);
    pf_location *a2 = symbolizer_location(s, p, f + 1);
    pf_location *b = symbolizer_location(s, p, f + 2);
    pf_location *c = symbolizer_location(s, p, g);
    pf_location *none = symbolizer_location(s, p, 16);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_eq(a, a2);
    ck_assert_ptr_ne(a, b);
    ck_assert_uint_eq(a->address, f + 1);
    ck_assert_uint_eq(a->nlines, 1);
    ck_assert_uint_eq(b->nlines, 1);
    ck_assert_ptr_eq(a->lines[0].fn, b->lines[0].fn);
    ck_assert_str_eq(a->lines[0].fn->name, "symbolize_me_static");
    ck_assert_ptr_nonnull(a->mapping);
    ck_assert_ptr_eq(a->mapping, b->mapping);
    ck_assert(a->mapping->has_functions);
    ck_assert_uint_le(a->mapping->start, f);
    ck_assert_uint_gt(a->mapping->limit, f);

    ck_assert_ptr_nonnull(c->mapping);
    ck_assert_ptr_ne(c->mapping, a->mapping);
    ck_assert_str_eq(c->lines[0].fn->name, "getpid");
    ck_assert_ptr_nonnull(strstr(c->mapping->file, "libc.so.6"));
    char want[200];
    readelf_build_id(libc_of_process().path, want, sizeof(want));
    if (want[0]) ck_assert_str_eq(c->mapping->build_id, want);

    ck_assert_ptr_null(none->mapping);
    ck_assert_uint_eq(none->nlines, 0);

    ck_assert_uint_eq(p->nmappings, 2);
    ck_assert_uint_eq(p->nfunctions, 2);
    ck_assert_uint_eq(p->nlocations, 4);

    /* A second profile gets its own mappings and locations. */
    profile *q = profile_new();
    pf_location *qa = symbolizer_location(s, q, f + 1);
    ck_assert_ptr_ne(qa, a);
    ck_assert_uint_eq(q->nmappings, 1);
    ck_assert_uint_eq(q->nlocations, 1);
    profile_free(q);

    /* A new profile (whose memory may be the freed bound one's) starts clean. */
    profile *r = profile_new();
    pf_location *ra = symbolizer_location(s, r, f + 1);
    ck_assert_ptr_nonnull(ra);
    ck_assert_uint_eq(r->nmappings, 1);
    ck_assert_uint_eq(r->nlocations, 1);
    ck_assert_ptr_eq(ra->mapping, r->mappings[0]);
    profile_free(r);
    profile_free(p);
    symbolizer_free(s);
}
END_TEST

START_TEST(many_locations_memo_grows) {
    symbolizer *s = symbolizer_new();
    profile *p = profile_new();
    uint64_t g = fn_addr(dlsym(RTLD_DEFAULT, "getpid"));
    pf_location *first[1000];
    for (int i = 0; i < 1000; i++) first[i] = symbolizer_location(s, p, g + (uint64_t)i * 16);
    for (int i = 0; i < 1000; i++)
        ck_assert_ptr_eq(symbolizer_location(s, p, g + (uint64_t)i * 16), first[i]);
    ck_assert_uint_eq(p->nlocations, 1000);
    /* The executable's mapping comes first even when no pc is in it. */
    ck_assert_uint_eq(p->nmappings, 2);
    ck_assert_ptr_nonnull(strstr(p->mappings[1]->file, "libc.so.6"));
    ck_assert_ptr_eq(first[0]->mapping, p->mappings[1]);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    ck_assert_int_gt(n, 0);
    exe[n] = '\0';
    ck_assert_str_eq(p->mappings[0]->file, exe);
    profile_free(p);
    symbolizer_free(s);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("symbolize");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, static_function_of_this_binary);
    tcase_add_test(tc, libc_exported_function);
    tcase_add_test(tc, unknown_addresses);
    tcase_add_test(tc, vdso_functions);
    tcase_add_test(tc, start_thread_from_live_stack);
    tcase_add_test(tc, libc_internals_by_debug_file);
    tcase_add_test(tc, libc_build_id_matches_readelf);
    tcase_add_test(tc, debuglink_crc_and_search);
    tcase_add_test(tc, compressed_section_inflates);
    tcase_add_test(tc, fuzz_truncated_and_corrupt_libc);
    tcase_add_test(tc, fuzz_truncated_and_corrupt_debug_file);
    tcase_add_test(tc, truncated_file_on_disk);
    tcase_add_test(tc, symtab_sorted_unique_and_bounded);
    tcase_add_test(tc, plt_stubs_named_after_callee);
    tcase_add_test(tc, locations_are_deduplicated);
    tcase_add_test(tc, many_locations_memo_grows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
