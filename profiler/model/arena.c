/* arena.c: the bump allocator that owns everything reachable from a profile.
 *
 * Memory comes in blocks chained from the arena; an allocation is carved from
 * the current block, or from a fresh block when it does not fit (a request
 * larger than a block gets a block of its own). Nothing is freed on its own:
 * pf_arena_free releases every block at once. Allocations are zeroed and
 * aligned to max_align_t.
 *
 * Out of memory is not an error a caller could handle sensibly in the middle
 * of building a profile, so every allocator here prints one line and aborts.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define PF_ARENA_BLOCK (64 * 1024)

typedef struct pf_block {
    struct pf_block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
} pf_block;

struct pf_arena {
    pf_block *head;
};

void pf_oom(size_t size) {
    fprintf(stderr, "profile: out of memory (allocating %zu bytes)\n", size);
    abort();
}

size_t pf_mul(size_t n, size_t size) {
    if (size != 0 && n > SIZE_MAX / size) pf_oom(SIZE_MAX);
    return n * size;
}

void *pf_xrealloc(void *ptr, size_t size) {
    void *q = realloc(ptr, size ? size : 1);
    if (!q) pf_oom(size);
    return q;
}

void *pf_xcalloc(size_t n, size_t size) {
    void *q = calloc(n ? n : 1, size ? size : 1);
    if (!q) pf_oom(pf_mul(n, size));
    return q;
}

pf_arena *pf_arena_new(void) {
    return pf_xcalloc(1, sizeof(pf_arena));
}

void pf_arena_free(pf_arena *a) {
    if (!a) return;
    pf_block *b = a->head;
    while (b) {
        pf_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *pf_arena_alloc(pf_arena *a, size_t size) {
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX - align - sizeof(pf_block)) pf_oom(size);
    size = (size + align - 1) & ~(align - 1);
    pf_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t bsize = size > PF_ARENA_BLOCK / 4 ? size : PF_ARENA_BLOCK;
        pf_block *nb = malloc(sizeof(pf_block) + bsize);
        if (!nb) pf_oom(bsize);
        nb->used = 0;
        nb->size = bsize;
        if (bsize == size && b) {
            /* A big private block goes behind the current one so the
             * current block keeps serving small requests. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *q = b->data + b->used;
    b->used += size;
    memset(q, 0, size);
    return q;
}
