/* hashmap.c: a small open-addressing hash map from byte strings to pointers.
 *
 * Keys are copied on insertion (the caller's key may be a stack buffer);
 * values are borrowed pointers. Linear probing in a power-of-two table kept
 * at most half full, so a probe always ends at an empty slot. There is no
 * removal: libprofile's tables only grow until the profile is freed.
 */
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* FNV-1a, 64-bit, with a final mix so low bits are usable as an index. */
uint64_t pf_hash(const void *key, size_t len) {
    const unsigned char *k = key;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= k[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static pf_map_entry *pf_map_find(const pf_map *m, const void *key, size_t len, uint64_t h) {
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        pf_map_entry *e = &m->slots[i];
        if (!e->key) return e;
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) return e;
    }
}

void *pf_map_get(const pf_map *m, const void *key, size_t len) {
    if (m->cap == 0) return NULL;
    pf_map_entry *e = pf_map_find(m, key, len, pf_hash(key, len));
    return e->key ? e->val : NULL;
}

static void pf_map_grow(pf_map *m) {
    size_t ncap = m->cap ? m->cap * 2 : 16;
    pf_map_entry *old = m->slots;
    size_t ocap = m->cap;
    m->slots = pf_xcalloc(ncap, sizeof(pf_map_entry));
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key) continue;
        pf_map_entry *e = pf_map_find(m, old[i].key, old[i].len, old[i].hash);
        *e = old[i];
    }
    free(old);
}

void pf_map_put(pf_map *m, const void *key, size_t len, void *val) {
    if ((m->len + 1) * 2 > m->cap) pf_map_grow(m);
    uint64_t h = pf_hash(key, len);
    pf_map_entry *e = pf_map_find(m, key, len, h);
    if (!e->key) {
        e->key = pf_xrealloc(NULL, len);
        if (len) memcpy(e->key, key, len);
        e->len = len;
        e->hash = h;
        m->len++;
    }
    e->val = val;
}

void pf_map_free(pf_map *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}
