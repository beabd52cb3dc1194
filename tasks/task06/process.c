/* process.c: one thread per item.
 *
 * process_all starts a thread for every item, WAVE of them at a time, and
 * joins each wave before starting the next (a process cannot hold 100,000
 * threads at once: each one reserves a stack). Every thread computes one
 * item's checksum and stores it in its own slot.
 */
#include "process.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "items.h"

#define WAVE 4

typedef struct job {
    uint64_t item;
    uint64_t result;
} job;

static void *item_thread(void *arg) {
    job *j = arg;
    j->result = process_item(j->item);
    return NULL;
}

uint64_t process_all(const uint64_t *items, size_t n) {
    job jobs[WAVE];
    pthread_t tids[WAVE];
    uint64_t sum = 0;
    for (size_t start = 0; start < n; start += WAVE) {
        size_t m = n - start < WAVE ? n - start : WAVE;
        for (size_t i = 0; i < m; i++) {
            jobs[i].item = items[start + i];
            int rc = pthread_create(&tids[i], NULL, item_thread, &jobs[i]);
            if (rc != 0) {
                fprintf(stderr, "pthread_create: %s\n", strerror(rc));
                exit(1);
            }
        }
        for (size_t i = 0; i < m; i++) {
            pthread_join(tids[i], NULL);
            sum += jobs[i].result;
        }
    }
    return sum;
}
