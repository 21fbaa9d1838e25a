/* sv_workers.c - a fixed pool of threads sharing one loop (sv_workers.h).
 *
 * Claiming: cursor packs the job's generation with the next index, and a
 * chunk is claimed by a compare-and-swap that also checks the generation,
 * so a helper that slept through a whole job cannot take indices of the
 * next one with the old job's function. Finishing: `remaining` counts the
 * indices not yet done; whoever finishes the last ones signals `done`
 * under the lock, and the caller waits for remaining == 0 under the same
 * lock, so the signal cannot be lost.
 *
 * Preparing (sv_workers_prepare): `armed_for` is set to the next job's
 * generation under the lock and the helpers woken; a helper that has seen
 * every job so far and has not yet spun for that one spins outside the
 * lock, watching the cursor's generation (an atomic), until the job comes
 * or SV_WORKERS_SPIN_S passes (or it finds itself on the caller's
 * processor), and then takes the job's fields under the lock as a woken
 * helper does, or sleeps again.
 */
#define _GNU_SOURCE
#include "sv_workers.h"

#include <string.h>
#include <unistd.h>

#include "sv_spin.h"

/* The generation of the job the cursor belongs to. */
static uint32_t cursor_generation(sv_workers *w) {
    return (uint32_t)(atomic_load_explicit(&w->cursor, memory_order_acquire) >> 32);
}

typedef struct {
    sv_workers *w;
    uint32_t seen;
} job_wait;

static bool job_came(void *ctx) {
    const job_wait *j = ctx;
    return cursor_generation(j->w) != j->seen;
}

/* Claims the next chunk of job `gen`: false when the job is over or all of
 * it is claimed. */
static bool claim(sv_workers *w, uint32_t gen, int count, int chunk, int *begin, int *end) {
    uint64_t c = atomic_load_explicit(&w->cursor, memory_order_relaxed);
    for (;;) {
        uint32_t next = (uint32_t)c;
        if ((uint32_t)(c >> 32) != gen || next >= (uint32_t)count) return false;
        uint32_t stop = next + (uint32_t)chunk < (uint32_t)count ? next + (uint32_t)chunk : (uint32_t)count;
        if (atomic_compare_exchange_weak_explicit(&w->cursor, &c, (uint64_t)gen << 32 | stop, memory_order_acquire,
                                                  memory_order_relaxed)) {
            *begin = (int)next;
            *end = (int)stop;
            return true;
        }
    }
}

/* Runs chunks of job `gen` until none are left; returns how many it ran. */
static uint64_t work(sv_workers *w, int worker, uint32_t gen, sv_work_fn fn, void *ctx, int count, int chunk) {
    uint64_t ran = 0;
    int begin, end;
    while (claim(w, gen, count, chunk, &begin, &end)) {
        fn(ctx, worker, begin, end);
        ran++;
        int n = end - begin;
        if (atomic_fetch_sub_explicit(&w->remaining, n, memory_order_acq_rel) == n) {
            pthread_mutex_lock(&w->lock);
            pthread_cond_signal(&w->done);
            pthread_mutex_unlock(&w->lock);
        }
    }
    return ran;
}

static void *helper_main(void *arg) {
    sv_workers *w = ((sv_worker_arg *)arg)->pool;
    int index = ((sv_worker_arg *)arg)->index;
    /* As sv_workers_start left them: a prepare or a job that came before
     * this thread first ran is still news to it. `spun_for`: the job this
     * thread last spun for (one spin per announced job). */
    uint32_t seen = 0, spun_for = 0;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->generation == seen && !(w->armed_for == seen + 1 && spun_for != w->armed_for) && !w->quit)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->quit) break;
        if (w->generation == seen) { /* prepared: job seen + 1 is coming */
            spun_for = w->armed_for;
            pthread_mutex_unlock(&w->lock);
            job_wait jw = {w, seen};
            bool came = sv_spin_until(job_came, &jw, SV_WORKERS_SPIN_S,
                                      atomic_load_explicit(&w->caller_cpu, memory_order_relaxed));
            atomic_fetch_add_explicit(came ? &w->spins_met : &w->spins_missed, 1, memory_order_relaxed);
            pthread_mutex_lock(&w->lock);
            continue; /* the job's fields are read under the lock, below */
        }
        seen = w->generation;
        sv_work_fn fn = w->fn;
        void *ctx = w->ctx;
        int count = w->count, chunk = w->chunk;
        pthread_mutex_unlock(&w->lock);
        uint64_t ran = work(w, index, seen, fn, ctx, count, chunk);
        atomic_fetch_add_explicit(&w->helper_chunks, ran, memory_order_relaxed);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

bool sv_workers_start(sv_workers *w, int threads) {
    memset(w, 0, sizeof *w);
    if (threads < 1) threads = 1;
    if (threads > SV_WORKERS_MAX) threads = SV_WORKERS_MAX;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->done, NULL);
    atomic_init(&w->cursor, 0);
    atomic_init(&w->remaining, 0);
    atomic_init(&w->helper_chunks, 0);
    atomic_init(&w->spins_met, 0);
    atomic_init(&w->spins_missed, 0);
    atomic_init(&w->caller_cpu, -1);
    w->threads = 1;
    for (int i = 1; i < threads; i++) {
        w->arg[i - 1] = (sv_worker_arg){w, i};
        if (pthread_create(&w->helper[i - 1], NULL, helper_main, &w->arg[i - 1]) != 0) return false;
        w->threads++;
    }
    return true;
}

void sv_workers_prepare(sv_workers *w) {
    if (w->threads < 2) return;
    pthread_mutex_lock(&w->lock);
    w->armed_for = w->generation + 1;
    atomic_store_explicit(&w->caller_cpu, sched_getcpu(), memory_order_relaxed);
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

static bool all_done(void *ctx) {
    return atomic_load_explicit(&((sv_workers *)ctx)->remaining, memory_order_acquire) == 0;
}

void sv_workers_run(sv_workers *w, sv_work_fn fn, void *ctx, int count, int chunk) {
    if (count <= 0) return;
    if (chunk < 1) chunk = 1;
    w->jobs++;
    if (w->threads == 1) {
        for (int b = 0; b < count; b += chunk) fn(ctx, 0, b, b + chunk < count ? b + chunk : count);
        w->caller_chunks += (uint64_t)((count + chunk - 1) / chunk);
        return;
    }
    pthread_mutex_lock(&w->lock);
    uint32_t gen = ++w->generation;
    w->fn = fn;
    w->ctx = ctx;
    w->count = count;
    w->chunk = chunk;
    atomic_store_explicit(&w->remaining, count, memory_order_relaxed);
    atomic_store_explicit(&w->cursor, (uint64_t)gen << 32, memory_order_release);
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    w->caller_chunks += work(w, 0, gen, fn, ctx, count, chunk);
    /* a helper's last chunk is a few clients' worth: wait for it awake */
    if (sv_spin_until(all_done, w, SV_WORKERS_JOIN_SPIN_S, -1)) return;
    pthread_mutex_lock(&w->lock);
    while (atomic_load_explicit(&w->remaining, memory_order_acquire) > 0) pthread_cond_wait(&w->done, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

void sv_workers_stop(sv_workers *w) {
    if (w->threads < 1) return; /* never started */
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    for (int i = 1; i < w->threads; i++) pthread_join(w->helper[i - 1], NULL);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    w->threads = 0;
}

int sv_workers_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > SV_WORKERS_MAX ? SV_WORKERS_MAX : (int)n;
}
