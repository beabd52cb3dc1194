/* elf_image.c: a bounds-checked, read-only view of one 64-bit ELF image.
 *
 * Invariants: every read goes through in_range() first; headers are copied
 * out with memcpy (the image may be misaligned or corrupt); im->shnum counts
 * only section headers that lie wholly inside the image, and im->shstr is
 * either a valid in-image string table or has sh_size 0. Nothing here
 * allocates except the inflated copy of a compressed section.
 */
#include "elf_image.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Inflated sections larger than this are refused (a corrupt ch_size must not
 * make us allocate gigabytes). Symbol tables are a few MB at most. */
#define ELF_MAX_INFLATED ((uint64_t)512 << 20)

static int in_range(const elf_image *im, uint64_t off, uint64_t len) {
    return off <= im->size && len <= im->size - off;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELF_HOST_DATA ELFDATA2LSB
#else
#define ELF_HOST_DATA ELFDATA2MSB
#endif

/* Validates the header and fills eh, shnum and shstr. */
static int image_init(elf_image *im) {
    if (im->size < sizeof(Elf64_Ehdr)) return -1;
    memcpy(&im->eh, im->data, sizeof(Elf64_Ehdr));
    const unsigned char *id = im->eh.e_ident;
    if (memcmp(id, ELFMAG, SELFMAG) != 0 || id[EI_CLASS] != ELFCLASS64 ||
        id[EI_DATA] != ELF_HOST_DATA)
        return -1;

    im->shnum = 0;
    memset(&im->shstr, 0, sizeof(im->shstr));
    if (im->eh.e_shoff == 0 || im->eh.e_shentsize != sizeof(Elf64_Shdr)) return 0;
    uint64_t shnum = im->eh.e_shnum;
    uint64_t shstrndx = im->eh.e_shstrndx;
    if (shnum == 0 || shstrndx == SHN_XINDEX) {
        /* Extended numbering: the real values live in section header 0. */
        Elf64_Shdr sh0;
        if (!in_range(im, im->eh.e_shoff, sizeof(sh0))) return 0;
        memcpy(&sh0, im->data + im->eh.e_shoff, sizeof(sh0));
        if (shnum == 0) shnum = sh0.sh_size;
        if (shstrndx == SHN_XINDEX) shstrndx = sh0.sh_link;
    }
    if (shnum > im->size / sizeof(Elf64_Shdr) ||
        !in_range(im, im->eh.e_shoff, shnum * sizeof(Elf64_Shdr)))
        return 0; /* sections unusable; segments may still be fine */
    im->shnum = (size_t)shnum;

    Elf64_Shdr str;
    if (elf_section(im, (size_t)shstrndx, &str) == 0 && str.sh_type == SHT_STRTAB &&
        in_range(im, str.sh_offset, str.sh_size))
        im->shstr = str;
    return 0;
}

int elf_image_open(elf_image *im, const char *path) {
    memset(im, 0, sizeof(*im));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        close(fd);
        return -1;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return -1;
    im->data = p;
    im->size = (size_t)st.st_size;
    im->mapped = 1;
    if (image_init(im) != 0) {
        elf_image_close(im);
        return -1;
    }
    return 0;
}

int elf_image_from_memory(elf_image *im, const void *data, size_t size) {
    memset(im, 0, sizeof(*im));
    if (data == NULL) return -1;
    im->data = data;
    im->size = size;
    return image_init(im);
}

void elf_image_close(elf_image *im) {
    if (im->mapped && im->data) munmap((void *)im->data, im->size);
    memset(im, 0, sizeof(*im));
}

int elf_section(const elf_image *im, size_t i, Elf64_Shdr *out) {
    if (i >= im->shnum) return -1;
    memcpy(out, im->data + im->eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(*out));
    return 0;
}

int elf_section_by_name(const elf_image *im, const char *name, Elf64_Shdr *out) {
    size_t len = strlen(name) + 1; /* compare the NUL too */
    const char *names = (const char *)im->data + im->shstr.sh_offset;
    for (size_t i = 0; i < im->shnum; i++) {
        Elf64_Shdr sh;
        elf_section(im, i, &sh);
        if (sh.sh_name >= im->shstr.sh_size || len > im->shstr.sh_size - sh.sh_name) continue;
        if (memcmp(names + sh.sh_name, name, len) == 0) {
            *out = sh;
            return 0;
        }
    }
    return -1;
}

int elf_segment(const elf_image *im, size_t i, Elf64_Phdr *out) {
    uint64_t phnum = im->eh.e_phnum;
    if (im->eh.e_phoff == 0 || im->eh.e_phentsize != sizeof(Elf64_Phdr)) return -1;
    if (phnum == PN_XNUM) {
        Elf64_Shdr sh0;
        if (elf_section(im, 0, &sh0) != 0) return -1;
        phnum = sh0.sh_info;
    }
    if (i >= phnum) return -1;
    uint64_t off = im->eh.e_phoff + (uint64_t)i * sizeof(Elf64_Phdr);
    if (off < im->eh.e_phoff || !in_range(im, off, sizeof(Elf64_Phdr))) return -1;
    memcpy(out, im->data + off, sizeof(*out));
    return 0;
}

int elf_section_data(const elf_image *im, const Elf64_Shdr *sh, const uint8_t **data,
                     size_t *size, void **owned) {
    *owned = NULL;
    if (sh->sh_type == SHT_NOBITS || !in_range(im, sh->sh_offset, sh->sh_size)) return -1;
    const uint8_t *raw = im->data + sh->sh_offset;
    if (!(sh->sh_flags & SHF_COMPRESSED)) {
        *data = raw;
        *size = (size_t)sh->sh_size;
        return 0;
    }
    Elf64_Chdr ch;
    if (sh->sh_size < sizeof(ch)) return -1;
    memcpy(&ch, raw, sizeof(ch));
    if (ch.ch_type != ELFCOMPRESS_ZLIB || ch.ch_size > ELF_MAX_INFLATED) return -1;
    uint8_t *out = malloc(ch.ch_size ? (size_t)ch.ch_size : 1);
    if (out == NULL) return -1;
    uLongf outlen = (uLongf)ch.ch_size;
    if (uncompress(out, &outlen, raw + sizeof(ch), (uLong)(sh->sh_size - sizeof(ch))) != Z_OK ||
        outlen != ch.ch_size) {
        free(out);
        return -1;
    }
    *data = out;
    *size = (size_t)outlen;
    *owned = out;
    return 0;
}

/* Looks for the GNU build-id note in size bytes of notes at p. */
static int scan_notes(const uint8_t *p, size_t size, uint64_t align, char *hex, size_t hexlen) {
    if (align != 8) align = 4;
    size_t off = 0;
    while (size - off >= sizeof(Elf64_Nhdr)) {
        Elf64_Nhdr nh;
        memcpy(&nh, p + off, sizeof(nh));
        off += sizeof(nh);
        uint64_t namesz = ((uint64_t)nh.n_namesz + align - 1) & ~(align - 1);
        uint64_t descsz = ((uint64_t)nh.n_descsz + align - 1) & ~(align - 1);
        /* The padding after the last note may be missing: accept it. */
        if (nh.n_namesz > size - off) return -1;
        const uint8_t *name = p + off;
        off += namesz < size - off ? (size_t)namesz : size - off;
        if (nh.n_descsz > size - off) return -1;
        const uint8_t *desc = p + off;
        off += descsz < size - off ? (size_t)descsz : size - off;
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
            if (nh.n_descsz == 0 || (uint64_t)nh.n_descsz * 2 + 1 > hexlen) return -1;
            static const char digits[] = "0123456789abcdef";
            for (size_t i = 0; i < nh.n_descsz; i++) {
                hex[2 * i] = digits[desc[i] >> 4];
                hex[2 * i + 1] = digits[desc[i] & 15];
            }
            hex[2 * (size_t)nh.n_descsz] = '\0';
            return 0;
        }
    }
    return -1;
}

int elf_build_id(const elf_image *im, char *hex, size_t hexlen) {
    for (size_t i = 0; i < im->shnum; i++) {
        Elf64_Shdr sh;
        elf_section(im, i, &sh);
        if (sh.sh_type != SHT_NOTE || !in_range(im, sh.sh_offset, sh.sh_size)) continue;
        if (scan_notes(im->data + sh.sh_offset, (size_t)sh.sh_size, sh.sh_addralign, hex,
                       hexlen) == 0)
            return 0;
    }
    Elf64_Phdr ph;
    for (size_t i = 0; elf_segment(im, i, &ph) == 0; i++) {
        if (ph.p_type != PT_NOTE || !in_range(im, ph.p_offset, ph.p_filesz)) continue;
        if (scan_notes(im->data + ph.p_offset, (size_t)ph.p_filesz, ph.p_align, hex, hexlen) ==
            0)
            return 0;
    }
    return -1;
}

int elf_debuglink(const elf_image *im, char *name, size_t namelen, uint32_t *crc) {
    Elf64_Shdr sh;
    const uint8_t *p;
    size_t size;
    void *owned;
    if (elf_section_by_name(im, ".gnu_debuglink", &sh) != 0 ||
        elf_section_data(im, &sh, &p, &size, &owned) != 0)
        return -1;
    int rc = -1;
    const uint8_t *nul = memchr(p, '\0', size);
    if (nul != NULL && nul != p) {
        size_t len = (size_t)(nul - p);
        size_t crc_off = (len + 1 + 3) & ~(size_t)3;
        if (crc_off <= size && size - crc_off >= 4 && len < namelen) {
            memcpy(name, p, len + 1);
            memcpy(crc, p + crc_off, 4);
            rc = 0;
        }
    }
    free(owned);
    return rc;
}

int elf_load_bias(const elf_image *im, uint64_t map_start, uint64_t map_offset, uint64_t *bias) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    if (page == 0 || (page & (page - 1)) != 0) page = 4096;
    /* Two passes: an executable PT_LOAD first, then any PT_LOAD. */
    for (int pass = 0; pass < 2; pass++) {
        Elf64_Phdr ph;
        for (size_t i = 0; elf_segment(im, i, &ph) == 0; i++) {
            if (ph.p_type != PT_LOAD || (pass == 0 && !(ph.p_flags & PF_X))) continue;
            uint64_t lo = ph.p_offset & ~(page - 1);
            uint64_t hi = ph.p_offset + (ph.p_filesz ? ph.p_filesz : 1);
            if (hi < ph.p_offset || map_offset < lo || map_offset >= hi) continue;
            *bias = map_start - map_offset - (ph.p_vaddr - ph.p_offset);
            return 0;
        }
    }
    return -1;
}
