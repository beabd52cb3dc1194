/* loader_guard.c: keeps the SIGPROF handler out of the dynamic loader.
 *
 * libunwind finds unwind tables with dl_iterate_phdr, which takes glibc's
 * loader lock (dl_load_write_lock). Two ways that goes wrong in a handler:
 *   - the signal lands in a thread that is itself inside dl_iterate_phdr,
 *     dlopen or dlclose: the handler re-enters the lock (or reads a link map
 *     that is half updated) in the same thread;
 *   - thread A is in dlopen holding the lock and calls malloc, while thread
 *     B was interrupted inside malloc holding its lock and its handler waits
 *     for the loader lock: a deadlock across two threads (gperftools,
 *     libunwind and other profilers have all met this one).
 * So the library interposes dlopen, dlmopen, dlclose and dl_iterate_phdr
 * (and guards fork through pthread_atfork in sampler.c): each marks the
 * loader busy, then waits until no handler is running, and only then enters
 * the real function. A handler that starts while the loader is busy drops
 * its sample (counted) without calling libunwind. The counter and the
 * handlers' own counter are sequentially consistent atomics, so either the
 * handler sees "busy" or the loader caller sees the handler and waits.
 *
 * Calls to dl_iterate_phdr made by libunwind from inside our handler go
 * straight to the real function (the thread-local in-handler flag).
 *
 * Invariants: the real functions are resolved with dlsym(RTLD_NEXT) at load
 * time, never in the handler; loader_guard_busy is async-signal-safe; a
 * waiting caller never holds a lock a handler could need.
 * Known limits: glibc's internal loader uses (NSS modules, iconv, libgcc_s
 * for cancellation) do not go through these names and are not guarded;
 * dlopen sees this library, not its real caller, as the caller (only
 * matters for DT_RUNPATH/$ORIGIN of the caller).
 */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <link.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "sampler_internal.h"

typedef void *(*dlopen_fn)(const char *, int);
typedef void *(*dlmopen_fn)(Lmid_t, const char *, int);
typedef int (*dlclose_fn)(void *);
typedef int (*iterate_fn)(int (*)(struct dl_phdr_info *, size_t, void *), void *);

static _Atomic(dlopen_fn) real_dlopen;
static _Atomic(dlmopen_fn) real_dlmopen;
static _Atomic(dlclose_fn) real_dlclose;
static _Atomic(iterate_fn) real_iterate;

static _Atomic int loader_busy;

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

void loader_guard_enter(void) {
    atomic_fetch_add(&loader_busy, 1);
    /* Handlers already past their "busy?" check finish on their own (they
     * never wait for anything); new ones drop their sample. */
    while (sampler_handlers_running()) sched_yield();
}

void loader_guard_leave(void) {
    atomic_fetch_sub(&loader_busy, 1);
}

void loader_guard_after_fork_child(void) {
    atomic_store(&loader_busy, 0);
}

void *dlopen(const char *file, int mode) {
    loader_guard_init();
    dlopen_fn fn = atomic_load(&real_dlopen);
    if (!fn) return NULL;
    loader_guard_enter();
    void *h = fn(file, mode);
    loader_guard_leave();
    return h;
}

void *dlmopen(Lmid_t lmid, const char *file, int mode) {
    loader_guard_init();
    dlmopen_fn fn = atomic_load(&real_dlmopen);
    if (!fn) return NULL;
    loader_guard_enter();
    void *h = fn(lmid, file, mode);
    loader_guard_leave();
    return h;
}

int dlclose(void *handle) {
    loader_guard_init();
    dlclose_fn fn = atomic_load(&real_dlclose);
    if (!fn) return -1;
    loader_guard_enter();
    int rc = fn(handle);
    /* Unwind info cached for the unloaded object must not be used again. */
    unw_flush_cache(unw_local_addr_space, 0, 0);
    loader_guard_leave();
    return rc;
}

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data) {
    iterate_fn fn = atomic_load(&real_iterate);
    if (cpuprof_tls_in_handler) /* libunwind, called by our own handler */
        return fn ? fn(callback, data) : 0;
    if (!fn) {
        loader_guard_init();
        fn = atomic_load(&real_iterate);
        if (!fn) return 0;
    }
    loader_guard_enter();
    int rc = fn(callback, data);
    loader_guard_leave();
    return rc;
}
