/* cache.c: the map behind one pthread mutex.
 *
 * An open-addressing hash table (FNV-1a, linear probing) of owned string
 * keys, doubled when it is half full. Every operation, reads included,
 * holds `lock` for its whole duration, so at most one thread is inside
 * the table at any time.
 */
#include "cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *key; /* NULL: empty */
    int value;
} slot;

struct cache {
    pthread_mutex_t lock; /* guards everything below */
    slot *slots;
    size_t cap; /* a power of two */
    size_t len;
};

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "cache: out of memory\n");
        exit(1);
    }
    return p;
}

static uint64_t hash(const char *s) {
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot holding key, or the empty slot where it would go. */
static slot *find(slot *slots, size_t cap, const char *key) {
    size_t i = hash(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0) i = (i + 1) & (cap - 1);
    return &slots[i];
}

cache *cache_new(void) {
    cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->cap = 64;
    c->slots = xcalloc(c->cap, sizeof *c->slots);
    return c;
}

void cache_free(cache *c) {
    for (size_t i = 0; i < c->cap; i++) free(c->slots[i].key);
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int cache_get(cache *c, const char *key, int *value) {
    pthread_mutex_lock(&c->lock);
    slot *s = find(c->slots, c->cap, key);
    int found = s->key != NULL;
    if (found) *value = s->value;
    pthread_mutex_unlock(&c->lock);
    return found;
}

static void grow(cache *c) {
    size_t cap = c->cap * 2;
    slot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].key) *find(slots, cap, c->slots[i].key) = c->slots[i];
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
}

void cache_put(cache *c, const char *key, int value) {
    pthread_mutex_lock(&c->lock);
    slot *s = find(c->slots, c->cap, key);
    if (!s->key) {
        s->key = strdup(key);
        if (!s->key) {
            fprintf(stderr, "cache: out of memory\n");
            exit(1);
        }
        c->len++;
    }
    s->value = value;
    if (c->len * 2 > c->cap) grow(c);
    pthread_mutex_unlock(&c->lock);
}
