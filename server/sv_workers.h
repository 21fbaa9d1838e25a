/* sv_workers.h - a fixed pool of threads that share one loop's iterations.
 *
 * Owns: the server's helper threads and the one thing they do, a parallel
 * "for i in 0..count": the calling thread and the helpers claim chunks of
 * the indices until none are left, and the call returns when every index
 * has been handed to `fn` exactly once. The threads are started once
 * (sv_workers_start) and sleep between calls; a call allocates nothing.
 *
 * `fn` learns which worker runs it (0 is the caller, 1..threads-1 the
 * helpers), so it can use that worker's own scratch space. Which worker
 * gets which index is not fixed, so whatever `fn` writes must depend only
 * on the index (and that worker's scratch): then the result is the same
 * with any number of threads.
 *
 * A helper that wakes late (its core was busy) finds nothing left to claim
 * and goes back to sleep; the caller never waits for a helper that did not
 * take any work, only for chunks already claimed.
 */
#ifndef SV_WORKERS_H
#define SV_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SV_WORKERS_MAX 8 /* threads in one pool, the caller included */

typedef void (*sv_work_fn)(void *ctx, int worker, int begin, int end);

typedef struct sv_workers sv_workers;

typedef struct {
    sv_workers *pool;
    int index;              /* 1..threads-1 */
} sv_worker_arg;

struct sv_workers {
    int threads;            /* the caller and threads - 1 helpers */
    pthread_t helper[SV_WORKERS_MAX - 1];
    sv_worker_arg arg[SV_WORKERS_MAX - 1];
    pthread_mutex_t lock;
    pthread_cond_t wake;    /* a new job, or quit */
    pthread_cond_t done;    /* the last claimed chunk finished */
    uint32_t generation;    /* job number: bumped by each call */
    bool quit;
    /* the current job (read under lock by a helper that woke for it) */
    sv_work_fn fn;
    void *ctx;
    int count, chunk;
    /* generation << 32 | next index to claim: a helper holding a stale
     * generation cannot claim in a newer job */
    _Atomic uint64_t cursor;
    atomic_int remaining;   /* indices not yet finished */
    /* figures */
    uint64_t jobs;
    atomic_uint_fast64_t helper_chunks; /* chunks the helpers ran */
    uint64_t caller_chunks;             /* chunks the caller ran */
};

/* Starts threads - 1 helpers (threads is clamped to 1..SV_WORKERS_MAX);
 * with 1 every call runs on the caller alone. The pool must stay where it
 * is until sv_workers_stop (the helpers hold its address). False when a thread could
 * not be started: the pool then runs on the threads it got (at least the
 * caller), and w->threads says how many. */
bool sv_workers_start(sv_workers *w, int threads);

/* Calls fn(ctx, worker, begin, end) over [0, count) in chunks of `chunk`
 * indices (at least 1), on the caller and the helpers, and returns when
 * all are done. Not reentrant: one call at a time, from one thread. */
void sv_workers_run(sv_workers *w, sv_work_fn fn, void *ctx, int count, int chunk);

/* Stops and joins the helpers. The pool may be started again. */
void sv_workers_stop(sv_workers *w);

/* Online processors (at least 1). */
int sv_workers_cpus(void);

#endif
