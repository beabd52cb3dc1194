/* dwarf_line.h: the line table of an object, from its .debug_line.
 *
 * Each compile unit has a line-number program: a compact byte code that,
 * run on a small state machine, produces rows (address, file, line,
 * discriminator). This reads programs of DWARF 2 to 5 and keeps every row
 * of every program in one table sorted by address, so that the row for an
 * address is one binary search away. A row covers the addresses from its
 * own up to the next row's; a row marked `end` closes a sequence and
 * covers nothing.
 *
 * File names are joined with their directory ("dir/name") and owned by the
 * table. A program's file numbers are mapped to table indexes through its
 * dwarf_line_files (DWARF 5 numbers files from 0, earlier versions from 1).
 *
 * Bad input: a malformed header or opcode ends that program; the rows
 * already produced by complete sequences are kept. Never reads outside the
 * section.
 *
 * Private to libcpuprof (hidden visibility).
 */
#ifndef CPUPROF_DWARF_LINE_H
#define CPUPROF_DWARF_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "dwarf_form.h"

#pragma GCC visibility push(hidden)

#define DWARF_NO_FILE UINT32_MAX

typedef struct dwarf_row {
    uint64_t addr;
    uint32_t line;  /* 0: no source line */
    uint32_t file;  /* index into the table's files, or DWARF_NO_FILE */
    uint32_t discr; /* the discriminator as encoded by the compiler */
    uint32_t end;   /* 1: end of a sequence */
} dwarf_row;

typedef struct dwarf_seq {
    size_t start, n; /* rows of one sequence */
    uint64_t lo;
} dwarf_seq;

typedef struct dwarf_lines {
    dwarf_row *rows;
    size_t nrows, rows_cap;
    char **files; /* owned, joined paths */
    size_t nfiles, files_cap;
    dwarf_seq *seqs; /* while programs are added; freed by finish */
    size_t nseqs, seqs_cap;
} dwarf_lines;

/* How one program's file numbers map to the table's files. */
typedef struct dwarf_line_files {
    uint32_t base;  /* table index of the program's first file */
    uint32_t count; /* files the program declares */
    uint32_t first; /* the number of its first file: 0 (DWARF 5) or 1 */
} dwarf_line_files;

/* Runs the program at offset off of .debug_line and appends its rows and
 * files. comp_dir (may be NULL) is the unit's directory, which DWARF 2-4
 * programs leave implicit as directory 0. Returns 0, or -1 when the header
 * is unusable or memory ran out (rows of complete sequences stay). */
int dwarf_lines_add(dwarf_lines *t, const dwarf_sections *s, uint64_t off, const char *comp_dir,
                    dwarf_line_files *out);

/* Sorts the rows by sequence start address, once all programs are in. */
int dwarf_lines_finish(dwarf_lines *t);

void dwarf_lines_free(dwarf_lines *t);

/* The row covering addr, or NULL when no sequence covers it. */
const dwarf_row *dwarf_lines_find(const dwarf_lines *t, uint64_t addr);

/* The table index of file number f of a program, or DWARF_NO_FILE. */
uint32_t dwarf_line_file(const dwarf_line_files *pf, uint64_t f);

/* The path of table file i, or "" for DWARF_NO_FILE or out of range. */
const char *dwarf_lines_path(const dwarf_lines *t, uint32_t i);

#pragma GCC visibility pop

#endif
