/* cache.h: a map from string keys to int values, shared by many threads. */
#ifndef CACHE_H
#define CACHE_H

typedef struct cache cache;

/* A new, empty cache (exits the program when out of memory). */
cache *cache_new(void);

/* Frees the cache; no other thread may be using it. */
void cache_free(cache *c);

/* Looks key up: 1 with *value set when present, 0 when absent. Safe to
 * call from any number of threads at once, concurrently with cache_put. */
int cache_get(cache *c, const char *key, int *value);

/* Sets key to value, adding the key when absent (the key is copied). Safe
 * concurrently with cache_get; one writer at a time. */
void cache_put(cache *c, const char *key, int value);

#endif
