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
 *
 * Waking a sleeping thread on another processor took this two-core VM
 * 80-160 us under the server's load (15 us idle), as long as a whole
 * round of 64 snapshots: the helper used to arrive when the caller had
 * nearly finished alone. So the caller can say a job is coming
 * (sv_workers_prepare, at the start of the tick whose snapshots it will
 * share): the helpers wake then, while the caller simulates, and wait for
 * the job spinning, for at most SV_WORKERS_SPIN_S, then sleep again (a job
 * still wakes them). A helper the kernel put on the caller's own processor
 * does not spin: it would hold the caller up until it gave up. The caller
 * likewise spins briefly (SV_WORKERS_JOIN_SPIN_S) for the helpers' last
 * chunks before it sleeps on them. All spinning is bounded, so an idle
 * server stays idle.
 */
#ifndef SV_WORKERS_H
#define SV_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SV_WORKERS_MAX 8 /* threads in one pool, the caller included */
#define SV_WORKERS_SPIN_S 0.002    /* a prepared helper spins this long for the job, at most */
#define SV_WORKERS_JOIN_SPIN_S 0.0002 /* the caller spins this long for the helpers' last chunks */

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
    pthread_cond_t wake;    /* a new job, a job coming (armed), or quit */
    pthread_cond_t done;    /* the last claimed chunk finished */
    uint32_t generation;    /* job number: bumped by each call */
    uint32_t armed_for;     /* the job sv_workers_prepare announced (generation + 1 then) */
    atomic_int caller_cpu;  /* the processor the caller prepared on: helpers do not spin there */
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
    atomic_uint_fast64_t spins_met;     /* prepared helpers that were spinning when their job came */
    atomic_uint_fast64_t spins_missed;  /* ... that gave up waiting and slept */
};

/* Starts threads - 1 helpers (threads is clamped to 1..SV_WORKERS_MAX);
 * with 1 every call runs on the caller alone. The pool must stay where it
 * is until sv_workers_stop (the helpers hold its address). False when a thread could
 * not be started: the pool then runs on the threads it got (at least the
 * caller), and w->threads says how many. */
bool sv_workers_start(sv_workers *w, int threads);

/* Tells the helpers a job will come soon (within SV_WORKERS_SPIN_S): they
 * wake now and spin for it, so the job starts on every thread at once.
 * From the thread that calls sv_workers_run; nothing with one thread. */
void sv_workers_prepare(sv_workers *w);

/* Calls fn(ctx, worker, begin, end) over [0, count) in chunks of `chunk`
 * indices (at least 1), on the caller and the helpers, and returns when
 * all are done. Not reentrant: one call at a time, from one thread. */
void sv_workers_run(sv_workers *w, sv_work_fn fn, void *ctx, int count, int chunk);

/* Stops and joins the helpers. The pool may be started again. */
void sv_workers_stop(sv_workers *w);

/* Online processors (at least 1). */
int sv_workers_cpus(void);

#endif
