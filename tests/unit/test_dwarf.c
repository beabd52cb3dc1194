/* test_dwarf.c: libcpuprof's DWARF reader (dwarf_index.h) and the source
 * lines it gives the symbolizer.
 *
 * The expected answers come from outside the reader: the compiler's own
 * __LINE__ at call sites in this file (the return address of a call,
 * minus one, is inside the call instruction, whose line is the caller's),
 * and llvm-addr2line's answers for thousands of addresses of this binary
 * (shelled out to for comparison only; skipped with a notice when it is
 * not installed). The robustness cases corrupt and truncate the DWARF
 * sections of a copy of this binary and pass when every call returns
 * (Check runs each case in a child, so a crash is reported as an error).
 */
#include <check.h>
#include <elf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "../../profiler/runtime/dwarf_index.h"
#include "../../profiler/runtime/elf_image.h"
#include "../../profiler/runtime/symbolize.h"

/* ---- fixtures: call sites with known lines ---------------------------- */

/* The address the call to here() returns to, in its caller. */
static __attribute__((noinline)) uintptr_t here(void) {
    uintptr_t ra = (uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
    __asm__ volatile("" : : "r"(ra) : "memory");
    return ra;
}

/* Always pasted into its caller; the call to here() is on INNER_LINE. */
static inline __attribute__((always_inline)) uintptr_t inner_fn(void) { return here(); } enum { INNER_LINE = __LINE__ };

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The load bias of this executable: where its program headers are in
 * memory minus where the ELF file says they are. */
static uint64_t self_bias(void) {
    const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
    size_t n = getauxval(AT_PHNUM);
    for (size_t i = 0; i < n; i++)
        if (ph[i].p_type == PT_PHDR) return (uint64_t)(uintptr_t)ph - ph[i].p_vaddr;
    ck_abort_msg("no PT_PHDR");
    return 0;
}

typedef struct self_dwarf {
    elf_image im;
    dwarf_index dx;
    uint64_t bias;
} self_dwarf;

static void self_open(self_dwarf *s) {
    ck_assert_int_eq(elf_image_open(&s->im, "/proc/self/exe"), 0);
    ck_assert_int_eq(dwarf_index_open(&s->dx, &s->im), 0);
    s->bias = self_bias();
}

static void self_close(self_dwarf *s) {
    dwarf_index_free(&s->dx);
    elf_image_close(&s->im);
}

/* ---- lookups ---------------------------------------------------------- */

START_TEST(line_of_a_call_site) {
    uintptr_t ra = here(); const int want = __LINE__;
    self_dwarf s;
    self_open(&s);
    dwarf_frame f[8];
    size_t n = dwarf_index_lookup(&s.dx, ra - 1 - s.bias, f, 8);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(f[0].name, "line_of_a_call_site_fn"); /* Check appends _fn */
    ck_assert_int_eq(f[0].line, want);
    ck_assert_msg(ends_with(f[0].file, "tests/unit/test_dwarf.c"), "file %s", f[0].file);
    ck_assert_msg(f[0].decl_line > 0 && f[0].decl_line < (uint32_t)want, "decl line %u",
                  f[0].decl_line);
    self_close(&s);
}
END_TEST

START_TEST(inlined_call_gives_two_frames) {
    uintptr_t ra = inner_fn(); const int want = __LINE__;
    self_dwarf s;
    self_open(&s);
    dwarf_frame f[8];
    size_t n = dwarf_index_lookup(&s.dx, ra - 1 - s.bias, f, 8);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(f[0].name, "inner_fn");
    ck_assert_int_eq(f[0].line, INNER_LINE);
    ck_assert_int_eq(f[0].decl_line, INNER_LINE);
    ck_assert_str_eq(f[1].name, "inlined_call_gives_two_frames_fn");
    ck_assert_int_eq(f[1].line, want);
    ck_assert(ends_with(f[1].file, "test_dwarf.c"));
    /* max 1 keeps the innermost frame only */
    ck_assert_uint_eq(dwarf_index_lookup(&s.dx, ra - 1 - s.bias, f, 1), 1);
    ck_assert_str_eq(f[0].name, "inner_fn");
    self_close(&s);
}
END_TEST

START_TEST(addresses_outside_code_have_nothing) {
    self_dwarf s;
    self_open(&s);
    dwarf_frame f[4];
    ck_assert_uint_eq(dwarf_index_lookup(&s.dx, 0, f, 4), 0);
    ck_assert_uint_eq(dwarf_index_lookup(&s.dx, UINT64_MAX, f, 4), 0);
    ck_assert(dwarf_index_has_lines(&s.dx));
    ck_assert(dwarf_index_has_inlines(&s.dx));
    self_close(&s);
}
END_TEST

/* ---- against llvm-addr2line ------------------------------------------- */

/* "name" with a compiler's clone suffix (".constprop.0") cut. */
static void plain(char *name) {
    char *dot = strchr(name, '.');
    if (dot && dot != name) *dot = '\0';
}

/* Compares every step-th address of .text with llvm-addr2line -f -i:
 * function names, file base names and lines of every frame. */
START_TEST(matches_llvm_addr2line) {
    const char *tool = "/usr/lib/llvm-14/bin/llvm-addr2line";
    if (access(tool, X_OK) != 0) {
        printf("skip: %s not installed\n", tool);
        return;
    }
    self_dwarf s;
    self_open(&s);
    Elf64_Shdr text;
    ck_assert_int_eq(elf_section_by_name(&s.im, ".text", &text), 0);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert_int_gt(len, 0);
    exe[len] = '\0';
    char in[] = "/tmp/test_dwarf_addrs.XXXXXX";
    int fd = mkstemp(in);
    ck_assert_int_ge(fd, 0);
    FILE *af = fdopen(fd, "w");
    const uint64_t step = 5;
    for (uint64_t a = text.sh_addr; a < text.sh_addr + text.sh_size; a += step)
        fprintf(af, "0x%llx\n", (unsigned long long)a);
    fclose(af);
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "%s -f -i -a -e '%s' < %s", tool, exe, in);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char line[2048], name[2048];
    long compared = 0, mismatches = 0;
    uint64_t addr = 0;
    dwarf_frame f[32];
    size_t n = 0, k = 0;
    int bad = 0, have = 0;
    /* llvm-addr2line prints "0xADDR", then name and file:line per frame. */
    for (;;) {
        char *got = fgets(line, sizeof line, p);
        if (got == NULL || strncmp(line, "0x", 2) == 0) {
            if (have && n > 0) {
                compared++;
                if (bad || k != n) {
                    if (mismatches < 5)
                        printf("mismatch at 0x%llx: ours %zu frames, %zu matched\n",
                               (unsigned long long)addr, n, k);
                    mismatches++;
                }
            }
            if (got == NULL) break;
            addr = strtoull(line, NULL, 16);
            n = dwarf_index_lookup(&s.dx, addr, f, 32);
            k = 0;
            bad = 0;
            have = 1;
            continue;
        }
        line[strcspn(line, "\n")] = '\0';
        snprintf(name, sizeof name, "%s", line);
        if (fgets(line, sizeof line, p) == NULL) break;
        line[strcspn(line, "\n")] = '\0';
        if (n == 0) continue;
        char *colon = strrchr(line, ':');
        if (k >= n || colon == NULL) {
            bad = 1;
            continue;
        }
        long ln = strtol(colon + 1, NULL, 10);
        *colon = '\0';
        const char *base = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
        char ours[2048];
        snprintf(ours, sizeof ours, "%s", f[k].name ? f[k].name : "??");
        plain(ours);
        plain(name);
        const char *obase = strrchr(f[k].file, '/') ? strrchr(f[k].file, '/') + 1 : f[k].file;
        /* Code with a line but no DWARF function (a compiler-made
         * constructor) is named from the symbol table by llvm-addr2line,
         * and has no name here: compare its file and line only. */
        if ((f[k].name && strcmp(ours, name) != 0) || strcmp(obase, base) != 0 ||
            (long)f[k].line != ln)
            bad = 1;
        k++;
    }
    pclose(p);
    unlink(in);
    self_close(&s);
    printf("compared %ld addresses with llvm-addr2line, %ld mismatches\n", compared,
           mismatches);
    ck_assert_int_gt(compared, 1000);
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

/* ---- the symbolizer's locations --------------------------------------- */

START_TEST(symbolizer_fills_lines) {
    uintptr_t ra = here(); const int want = __LINE__;
    uintptr_t ra2 = inner_fn(); const int want2 = __LINE__;
    symbolizer *s = symbolizer_new();
    profile *p = profile_new();
    pf_location *a = symbolizer_location(s, p, ra - 1);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->nlines, 1);
    ck_assert_str_eq(a->lines[0].fn->name, "symbolizer_fills_lines_fn");
    ck_assert_int_eq(a->lines[0].line, want);
    ck_assert(ends_with(a->lines[0].fn->filename, "test_dwarf.c"));
    ck_assert_int_gt(a->lines[0].fn->start_line, 0);
    ck_assert(a->mapping->has_line_numbers);
    ck_assert(a->mapping->has_filenames);
    ck_assert(a->mapping->has_inline_frames);

    pf_location *b = symbolizer_location(s, p, ra2 - 1);
    ck_assert_uint_eq(b->nlines, 2);
    ck_assert_str_eq(b->lines[0].fn->name, "inner_fn");
    ck_assert_int_eq(b->lines[0].line, INNER_LINE);
    ck_assert_int_eq(b->lines[0].fn->start_line, INNER_LINE);
    ck_assert_ptr_eq(b->lines[1].fn, a->lines[0].fn);
    ck_assert_int_eq(b->lines[1].line, want2);
    /* the same pc again: the same location, no lines added twice */
    ck_assert_ptr_eq(symbolizer_location(s, p, ra2 - 1), b);
    ck_assert_uint_eq(b->nlines, 2);

    /* Through the writer and the reader, the lines and flags survive. */
    uint8_t *buf;
    size_t len;
    char err[256];
    int64_t v = 1;
    pf_location *locs[1] = {b};
    profile_add_sample_type(p, "samples", "count");
    profile_add_sample(p, locs, 1, &v);
    ck_assert_int_eq(profile_encode(p, &buf, &len, err, sizeof err), 0);
    profile *q;
    ck_assert_int_eq(profile_parse(buf, len, &q, err, sizeof err), 0);
    const pf_location *qb = q->samples[0].locs[0];
    ck_assert_uint_eq(qb->nlines, 2);
    ck_assert_int_eq(qb->lines[1].line, want2);
    ck_assert(qb->mapping->has_line_numbers && qb->mapping->has_inline_frames);
    free(buf);
    profile_free(q);
    profile_free(p);
    symbolizer_free(s);
}
END_TEST

/* ---- robustness ------------------------------------------------------- */

static uint8_t *read_self(size_t *size) {
    FILE *f = fopen("/proc/self/exe", "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return b;
}

/* Opens the image in buf and looks up addresses all over its text. */
static void open_and_lookup(const uint8_t *buf, size_t size, uint64_t lo, uint64_t hi) {
    elf_image im;
    if (elf_image_from_memory(&im, buf, size) < 0) return;
    dwarf_index dx;
    if (dwarf_index_open(&dx, &im) == 0) {
        dwarf_frame f[32];
        for (uint64_t a = lo; a < hi; a += 7) dwarf_index_lookup(&dx, a, f, 32);
        dwarf_index_free(&dx);
    }
    elf_image_close(&im);
}

static const char *const dwarf_names[] = {".debug_info", ".debug_abbrev", ".debug_line",
                                             ".debug_str_offsets", ".debug_addr",
                                             ".debug_rnglists", ".debug_line_str"};

/* Random bytes of the DWARF sections overwritten, a few at a time. */
START_TEST(corrupt_sections_never_crash) {
    size_t size;
    uint8_t *orig = read_self(&size);
    elf_image im;
    ck_assert_int_eq(elf_image_from_memory(&im, orig, size), 0);
    Elf64_Shdr text, sh[7];
    ck_assert_int_eq(elf_section_by_name(&im, ".text", &text), 0);
    int have[7];
    for (int i = 0; i < 7; i++) have[i] = elf_section_by_name(&im, dwarf_names[i], &sh[i]) == 0;
    ck_assert(have[0] && have[2]);
    ck_assert_msg(!(sh[0].sh_flags & SHF_COMPRESSED), "compressed sections: edit the copy");
    uint8_t *buf = malloc(size);
    srand(12345);
    for (int round = 0; round < 150; round++) {
        memcpy(buf, orig, size);
        int s = rand() % 7;
        if (!have[s] || sh[s].sh_size == 0) continue;
        int flips = 1 + rand() % 16;
        for (int j = 0; j < flips; j++) {
            size_t at = sh[s].sh_offset + (size_t)rand() % sh[s].sh_size;
            buf[at] = (uint8_t)rand();
        }
        open_and_lookup(buf, size, text.sh_addr, text.sh_addr + text.sh_size);
    }
    free(buf);
    elf_image_close(&im);
    free(orig);
}
END_TEST

/* Each DWARF section cut short in the section header (its bytes then end
 * early), and each filled with a repeated byte. */
START_TEST(truncated_and_flooded_sections_never_crash) {
    size_t size;
    uint8_t *orig = read_self(&size);
    elf_image im;
    ck_assert_int_eq(elf_image_from_memory(&im, orig, size), 0);
    Elf64_Shdr text;
    ck_assert_int_eq(elf_section_by_name(&im, ".text", &text), 0);
    uint8_t *buf = malloc(size);
    Elf64_Ehdr eh;
    memcpy(&eh, orig, sizeof eh);
    for (size_t i = 0; i < im.shnum; i++) {
        Elf64_Shdr sh;
        ck_assert_int_eq(elf_section(&im, i, &sh), 0);
        int is_dwarf = 0;
        for (int k = 0; k < 7; k++) {
            Elf64_Shdr d;
            if (elf_section_by_name(&im, dwarf_names[k], &d) == 0 &&
                d.sh_offset == sh.sh_offset && d.sh_size == sh.sh_size)
                is_dwarf = 1;
        }
        if (!is_dwarf || sh.sh_size < 2) continue;
        size_t hdr = eh.e_shoff + i * sizeof(Elf64_Shdr);
        for (int cut = 1; cut <= 8; cut++) {
            memcpy(buf, orig, size);
            Elf64_Shdr t = sh;
            t.sh_size = sh.sh_size * (uint64_t)cut / 9;
            memcpy(buf + hdr, &t, sizeof t);
            open_and_lookup(buf, size, text.sh_addr, text.sh_addr + text.sh_size);
        }
        uint8_t fill[] = {0x00, 0xff, 0x80, 0x01};
        for (size_t k = 0; k < sizeof fill; k++) {
            memcpy(buf, orig, size);
            memset(buf + sh.sh_offset, fill[k], sh.sh_size);
            open_and_lookup(buf, size, text.sh_addr, text.sh_addr + text.sh_size);
        }
    }
    free(buf);
    elf_image_close(&im);
    free(orig);
}
END_TEST

/* Hand-made sections: the readers refuse or return nothing. */
START_TEST(tiny_malformed_inputs) {
    dwarf_sections s;
    memset(&s, 0, sizeof s);
    dwarf_lines lines;
    memset(&lines, 0, sizeof lines);
    dwarf_line_files pf;
    /* no section at all */
    ck_assert_int_eq(dwarf_lines_add(&lines, &s, 0, NULL, &pf), -1);
    /* a unit length larger than the section */
    static const uint8_t big[] = {0xf0, 0xff, 0xff, 0x0f, 0x05, 0x00};
    s.line = (dwarf_sect){big, sizeof big};
    ck_assert_int_eq(dwarf_lines_add(&lines, &s, 0, NULL, &pf), -1);
    /* the reserved 0xfffffff0 length */
    static const uint8_t reserved[] = {0xf0, 0xff, 0xff, 0xff, 0x05, 0x00};
    s.line = (dwarf_sect){reserved, sizeof reserved};
    ck_assert_int_eq(dwarf_lines_add(&lines, &s, 0, NULL, &pf), -1);
    /* version 9 */
    static const uint8_t v9[] = {0x02, 0x00, 0x00, 0x00, 0x09, 0x00};
    s.line = (dwarf_sect){v9, sizeof v9};
    ck_assert_int_eq(dwarf_lines_add(&lines, &s, 0, NULL, &pf), -1);
    /* an offset past the end */
    ck_assert_int_eq(dwarf_lines_add(&lines, &s, 1000, NULL, &pf), -1);
    ck_assert_int_eq(dwarf_lines_finish(&lines), 0);
    ck_assert_uint_eq(lines.nrows, 0);
    ck_assert_ptr_null(dwarf_lines_find(&lines, 0x1000));
    dwarf_lines_free(&lines);

    /* .debug_info: a unit that names an abbreviation table out of range */
    static const uint8_t info[] = {0x0b, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x08,
                                   0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00};
    s.info = (dwarf_sect){info, sizeof info};
    dwarf_scopes sc;
    memset(&sc, 0, sizeof sc);
    memset(&lines, 0, sizeof lines);
    ck_assert_int_eq(dwarf_scopes_read(&sc, &lines, &s), 0);
    ck_assert_uint_eq(sc.n, 0);
    ck_assert_int_eq(dwarf_scopes_find(&sc, 0x1000), -1);
    dwarf_scopes_free(&sc);
    dwarf_lines_free(&lines);
}
END_TEST

int main(void) {
    Suite *s = suite_create("dwarf");
    TCase *tc = tcase_create("dwarf");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, line_of_a_call_site);
    tcase_add_test(tc, inlined_call_gives_two_frames);
    tcase_add_test(tc, addresses_outside_code_have_nothing);
    tcase_add_test(tc, matches_llvm_addr2line);
    tcase_add_test(tc, symbolizer_fills_lines);
    tcase_add_test(tc, corrupt_sections_never_crash);
    tcase_add_test(tc, truncated_and_flooded_sections_never_crash);
    tcase_add_test(tc, tiny_malformed_inputs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
