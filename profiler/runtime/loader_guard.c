/* loader_guard.c: keeps the SIGPROF handler out of the dynamic loader.
 *
 * libunwind finds the unwind tables of a pc with dl_iterate_phdr. The real
 * one takes glibc's loader lock (dl_load_write_lock, a pthread mutex), and
 * a signal handler must never wait for a lock: the thread it interrupted,
 * or a thread that waits for this one, may hold it. So libunwind, when our
 * handler calls it, never reaches the real function. Every dl_iterate_phdr
 * made while this thread runs the handler (the thread-local in-handler flag)
 * is served from a snapshot: an array of the loaded objects' dl_phdr_info
 * (base, name, program headers), copied in normal code. The handler reads
 * it and takes no lock at all.
 *
 * The snapshot must never name an object that is no longer mapped, and is
 * replaced only when no handler reads it. So the library interposes dlopen,
 * dlmopen and dlclose: each marks the loader busy, waits until no handler is
 * running, calls the real function, takes a fresh snapshot, frees the old
 * one and only then clears the mark. cpuprof_start takes one the same way.
 * A handler that starts while the loader is busy drops its sample (counted)
 * without calling libunwind. The busy counter and the handlers' own counter
 * are sequentially consistent atomics, so either the handler sees "busy" or
 * the loader caller sees the handler and waits for it.
 *
 * The wait is bounded. Handlers never wait for anything, so it normally
 * lasts microseconds; if it lasts LOADER_WAIT_MS, a handler is stuck and
 * would otherwise block every dlopen forever. Then sampling is abandoned
 * for the rest of the process (sampler_abandon: later handlers drop their
 * samples without unwinding, one line on stderr) and the caller goes
 * ahead. The snapshot is then left as it is, never freed, since the stuck
 * handler might still read it; no other handler will unwind again.
 *
 * dl_iterate_phdr called by the program (or by libunwind in normal code,
 * e.g. the mutex profile's unw_backtrace) goes straight to the real one:
 * the handler never touches the loader's list, so nothing needs excluding.
 *
 * Invariants: the real functions are resolved with dlsym(RTLD_NEXT) at load
 * time, never in the handler; loader_guard_busy and the handler's
 * dl_iterate_phdr are async-signal-safe and lock-free; the snapshot is
 * replaced and freed only while the loader is marked busy and no handler
 * runs; a waiting caller holds no lock a handler could need (handlers take
 * none).
 * Known limits: glibc's internal loader uses (NSS modules, iconv, libgcc_s
 * for cancellation) do not go through these names: an object they load is
 * missing from the snapshot until the next dlopen, dlclose or start (its
 * frames end the unwind early), and an object they unload (glibc does that
 * only in __libc_freeres, under valgrind or mtrace) would stay in it. dlopen
 * sees this library, not its real caller, as the caller (only matters for
 * DT_RUNPATH/$ORIGIN of the caller).
 */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <link.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sampler_internal.h"

#define LOADER_WAIT_MS 2000

typedef void *(*dlopen_fn)(const char *, int);
typedef void *(*dlmopen_fn)(Lmid_t, const char *, int);
typedef int (*dlclose_fn)(void *);
typedef int (*iterate_fn)(int (*)(struct dl_phdr_info *, size_t, void *), void *);

static _Atomic(dlopen_fn) real_dlopen;
static _Atomic(dlmopen_fn) real_dlmopen;
static _Atomic(dlclose_fn) real_dlclose;
static _Atomic(iterate_fn) real_iterate;

static _Atomic int loader_busy;

/* The loaded objects, as the handler's dl_iterate_phdr reports them. */
typedef struct snapshot {
    size_t n;
    struct dl_phdr_info obj[];
} snapshot;

static snapshot *_Atomic g_snapshot;
/* Serializes the threads that take snapshots (normal code only; a spinlock
 * so that the mutex profile's pthread_mutex_lock never sees it). */
static atomic_flag snapshot_lock = ATOMIC_FLAG_INIT;

/* The fields of dl_phdr_info the handler passes on: the original four.
 * dlpi_adds/subs would be stale and dlpi_tls_data belongs to the thread
 * that took the snapshot. */
#define SNAPSHOT_INFO_SIZE offsetof(struct dl_phdr_info, dlpi_adds)

/* dlsym returns void *; converting it to a function pointer is what POSIX
 * requires to work, spelled through memcpy to stay clean under -Wpedantic. */
#define RESOLVE(var, type, name)                              \
    do {                                                      \
        if (!atomic_load(&var)) {                             \
            void *sym_ = dlsym(RTLD_NEXT, name);              \
            type fn_;                                         \
            memcpy(&fn_, &sym_, sizeof fn_);                  \
            atomic_store(&var, fn_);                          \
        }                                                     \
    } while (0)

void loader_guard_init(void) {
    RESOLVE(real_dlopen, dlopen_fn, "dlopen");
    RESOLVE(real_dlmopen, dlmopen_fn, "dlmopen");
    RESOLVE(real_dlclose, dlclose_fn, "dlclose");
    RESOLVE(real_iterate, iterate_fn, "dl_iterate_phdr");
}

__attribute__((constructor)) static void loader_guard_load(void) {
    loader_guard_init();
}

int loader_guard_busy(void) {
    return atomic_load(&loader_busy) != 0;
}

int loader_guard_enter(void) {
    atomic_fetch_add(&loader_busy, 1);
    /* Handlers already past their "busy?" check finish on their own (they
     * never wait for anything); new ones drop their sample. */
    if (sampler_wait_handlers(LOADER_WAIT_MS) == 0) return 0;
    sampler_abandon("a signal handler did not finish within 2 s of a dlopen or dlclose");
    return -1;
}

void loader_guard_leave(void) {
    atomic_fetch_sub(&loader_busy, 1);
}

void loader_guard_after_fork_child(void) {
    atomic_store(&loader_busy, 0);
    atomic_flag_clear(&snapshot_lock);
}

/* ---- the snapshot ---------------------------------------------------------- */

typedef struct collector {
    snapshot *s;
    size_t cap;
    int failed;
} collector;

static int collect(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    collector *c = data;
    if (!c->s || c->s->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        snapshot *n = realloc(c->s, sizeof *n + cap * sizeof n->obj[0]);
        if (!n) {
            c->failed = 1;
            return 1;
        }
        if (!c->s) n->n = 0;
        c->s = n;
        c->cap = cap;
    }
    struct dl_phdr_info *o = &c->s->obj[c->s->n++];
    memset(o, 0, sizeof *o);
    o->dlpi_addr = info->dlpi_addr;
    o->dlpi_name = info->dlpi_name;
    o->dlpi_phdr = info->dlpi_phdr;
    o->dlpi_phnum = info->dlpi_phnum;
    return 0;
}

/* Replaces the snapshot. The caller has entered the guard; `exclusive` says
 * whether the wait succeeded, so that no handler can be reading the old one.
 * Without it (sampling abandoned) the snapshot is left alone. When memory
 * runs out, the handler gets no snapshot at all (it then finds no unwind
 * tables, which is safe) rather than a stale one. */
static void refresh_snapshot(int exclusive) {
    if (!exclusive) return;
    iterate_fn fn = atomic_load(&real_iterate);
    collector c = {NULL, 0, 0};
    while (atomic_flag_test_and_set_explicit(&snapshot_lock, memory_order_acquire)) sched_yield();
    if (fn) fn(collect, &c);
    if (c.failed || !fn) {
        free(c.s);
        c.s = NULL;
    }
    free(atomic_exchange(&g_snapshot, c.s));
    atomic_flag_clear_explicit(&snapshot_lock, memory_order_release);
}

int loader_guard_snapshot(void) {
    loader_guard_init();
    int exclusive = loader_guard_enter() == 0;
    refresh_snapshot(exclusive);
    int ok = atomic_load(&g_snapshot) != NULL;
    loader_guard_leave();
    return ok ? 0 : -1;
}

/* dl_iterate_phdr for libunwind inside our handler. Async-signal-safe. */
static int iterate_snapshot(int (*callback)(struct dl_phdr_info *, size_t, void *),
                            void *data) {
    const snapshot *s = atomic_load(&g_snapshot);
    int rc = 0;
    for (size_t i = 0; s && i < s->n && rc == 0; i++) {
        struct dl_phdr_info info = s->obj[i]; /* the callback gets its own copy */
        rc = callback(&info, SNAPSHOT_INFO_SIZE, data);
    }
    return rc;
}

/* ---- the interposed functions ---------------------------------------------- */

void *dlopen(const char *file, int mode) {
    loader_guard_init();
    dlopen_fn fn = atomic_load(&real_dlopen);
    if (!fn) return NULL;
    int exclusive = loader_guard_enter() == 0;
    void *h = fn(file, mode);
    refresh_snapshot(exclusive);
    loader_guard_leave();
    return h;
}

void *dlmopen(Lmid_t lmid, const char *file, int mode) {
    loader_guard_init();
    dlmopen_fn fn = atomic_load(&real_dlmopen);
    if (!fn) return NULL;
    int exclusive = loader_guard_enter() == 0;
    void *h = fn(lmid, file, mode);
    refresh_snapshot(exclusive);
    loader_guard_leave();
    return h;
}

int dlclose(void *handle) {
    loader_guard_init();
    dlclose_fn fn = atomic_load(&real_dlclose);
    if (!fn) return -1;
    int exclusive = loader_guard_enter() == 0;
    int rc = fn(handle);
    /* Unwind info cached for the unloaded object must not be used again
     * (by the program's own libunwind use; the handler's has no cache). */
    unw_flush_cache(unw_local_addr_space, 0, 0);
    refresh_snapshot(exclusive);
    loader_guard_leave();
    return rc;
}

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data) {
    if (cpuprof_tls_in_handler) /* libunwind, called by our own handler */
        return iterate_snapshot(callback, data);
    iterate_fn fn = atomic_load(&real_iterate);
    if (!fn) {
        loader_guard_init();
        fn = atomic_load(&real_iterate);
        if (!fn) return 0;
    }
    return fn(callback, data);
}
