/* elf_debugfile.c: finding the separate debug file of an ELF object.
 *
 * Every candidate is verified before it is returned (same build id, or
 * matching CRC32 and a different inode than the object), so a stale or
 * unrelated file is never used to name functions.
 */
#include "elf_debugfile.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static int is_hex(const char *s) {
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return 0;
    return 1;
}

char *elf_debugfile_by_build_id(const char *root, const char *build_id) {
    if (build_id == NULL || strlen(build_id) < 4 || !is_hex(build_id)) return NULL;
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", root, build_id,
                     build_id + 2);
    if (n < 0 || (size_t)n >= sizeof(path)) return NULL;

    elf_image im;
    if (elf_image_open(&im, path) != 0) return NULL;
    char got[2 * 64 + 1];
    int same = elf_build_id(&im, got, sizeof(got)) == 0 && strcmp(got, build_id) == 0;
    elf_image_close(&im);
    return same ? strdup(path) : NULL;
}

int elf_file_crc32(const char *path, uint32_t *crc) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    uLong c = crc32(0L, Z_NULL, 0);
    if (st.st_size > 0) {
        size_t size = (size_t)st.st_size;
        const uint8_t *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            return -1;
        }
        for (size_t off = 0; off < size;) {
            size_t chunk = size - off > (1u << 30) ? (1u << 30) : size - off;
            c = crc32(c, p + off, (uInt)chunk);
            off += chunk;
        }
        munmap((void *)p, size);
    }
    close(fd);
    *crc = (uint32_t)c;
    return 0;
}

char *elf_debugfile_by_link(const char *root, const char *objpath, const char *name,
                            uint32_t crc) {
    if (name == NULL || *name == '\0' || strchr(name, '/') != NULL) return NULL;
    struct stat obj;
    if (stat(objpath, &obj) != 0) return NULL;
    const char *slash = strrchr(objpath, '/');
    int dirlen = slash ? (int)(slash - objpath) : 1;
    const char *dir = slash ? objpath : ".";

    for (int i = 0; i < 3; i++) {
        char path[PATH_MAX];
        int n;
        switch (i) {
        case 0: n = snprintf(path, sizeof(path), "%.*s/%s", dirlen, dir, name); break;
        case 1: n = snprintf(path, sizeof(path), "%.*s/.debug/%s", dirlen, dir, name); break;
        default:
            if (dir[0] != '/') continue;
            n = snprintf(path, sizeof(path), "%s%.*s/%s", root, dirlen, dir, name);
            break;
        }
        if (n < 0 || (size_t)n >= sizeof(path)) continue;
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (st.st_dev == obj.st_dev && st.st_ino == obj.st_ino) continue;
        uint32_t got;
        if (elf_file_crc32(path, &got) == 0 && got == crc) return strdup(path);
    }
    return NULL;
}

char *elf_debugfile_find(const char *root, const char *objpath, const elf_image *im,
                         const char *build_id) {
    char *path = elf_debugfile_by_build_id(root, build_id);
    if (path != NULL) return path;
    char name[NAME_MAX + 1];
    uint32_t crc;
    if (elf_debuglink(im, name, sizeof(name), &crc) != 0) return NULL;
    return elf_debugfile_by_link(root, objpath, name, crc);
}
