/* elf_image.h: a bounds-checked, read-only view of one 64-bit ELF image.
 *
 * The image is either a file mapped read-only with mmap, or bytes already in
 * memory (the vDSO). Every header, section, note and string is reached
 * through these functions, which check each offset and size against the
 * image before touching it and copy headers out with memcpy, so a truncated
 * or corrupt file gives an error (-1 or NULL), never a crash or an unaligned
 * read. Only ELFCLASS64 images of the host's byte order are accepted.
 *
 * Private to libcpuprof (hidden visibility, so an LD_PRELOADed library never
 * exports these names into the profiled program).
 */
#ifndef CPUPROF_ELF_IMAGE_H
#define CPUPROF_ELF_IMAGE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

typedef struct elf_image {
    const uint8_t *data; /* the whole image */
    size_t size;
    int mapped;          /* 1 when data came from mmap (unmapped on close) */
    Elf64_Ehdr eh;       /* copy of the header, validated */
    size_t shnum;        /* section headers that lie inside the image; 0 if none */
    Elf64_Shdr shstr;    /* the section-name string table; sh_size 0 if none */
} elf_image;

/* Maps the file at path read-only and validates its header. 0 or -1. */
int elf_image_open(elf_image *im, const char *path);
/* Views size bytes at data (not copied, not freed). 0 or -1. */
int elf_image_from_memory(elf_image *im, const void *data, size_t size);
/* Unmaps a mapped image; safe on a zeroed or already closed image. */
void elf_image_close(elf_image *im);

/* Copies section header i into *out. 0, or -1 when out of range. */
int elf_section(const elf_image *im, size_t i, Elf64_Shdr *out);
/* The section named name (first match). 0, or -1 when absent. */
int elf_section_by_name(const elf_image *im, const char *name, Elf64_Shdr *out);
/* Copies program header i into *out. 0, or -1 when out of range. */
int elf_segment(const elf_image *im, size_t i, Elf64_Phdr *out);

/* The contents of a section: a pointer into the image, or for an
 * SHF_COMPRESSED (zlib) section a malloc'ed inflated copy returned in
 * *owned as well (the caller frees it; *owned is NULL otherwise).
 * SHT_NOBITS sections and bad ranges give -1. */
int elf_section_data(const elf_image *im, const Elf64_Shdr *sh, const uint8_t **data,
                     size_t *size, void **owned);

/* The NT_GNU_BUILD_ID note as lowercase hex (NUL-terminated) in hex[hexlen].
 * 0, or -1 when there is none or it does not fit. */
int elf_build_id(const elf_image *im, char *hex, size_t hexlen);

/* The .gnu_debuglink section: the debug file's name and its CRC32.
 * 0, or -1 when absent or malformed. */
int elf_debuglink(const elf_image *im, char *name, size_t namelen, uint32_t *crc);

/* The load bias of a mapping of this image that starts at map_start and
 * maps file offset map_offset: runtime address = bias + ELF virtual address.
 * Uses the PT_LOAD segment that contains map_offset. 0 or -1. */
int elf_load_bias(const elf_image *im, uint64_t map_start, uint64_t map_offset, uint64_t *bias);

#pragma GCC visibility pop

#endif
