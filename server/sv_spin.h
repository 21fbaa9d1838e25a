/* sv_spin.h - bounded busy-waiting for the server's threads.
 *
 * Owns: the spin loop of the snapshot helpers and of the thread that
 * waits for them (sv_workers.c), for work that will come within a
 * millisecond or so: waking a sleeping thread on another processor costs
 * tens of microseconds on some machines, so a thread that is already
 * awake and watching takes the work at once. The
 * spin is bounded in time, and stops when the spinning thread finds itself
 * on the processor of the thread it waits for (it would only keep that
 * thread from producing the work).
 */
#ifndef SV_SPIN_H
#define SV_SPIN_H

/* sched_getcpu: the including file defines _GNU_SOURCE before any header */
#include <sched.h>
#include <stdbool.h>
#include <time.h>

static inline double sv_spin_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void sv_spin_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Spins until done(ctx) (true), or `seconds` pass, or this thread runs on
 * processor `avoid_cpu` (-1: none) (false, unless done by then). */
static inline bool sv_spin_until(bool (*done)(void *), void *ctx, double seconds, int avoid_cpu) {
    double until = sv_spin_now() + seconds;
    for (;;) {
        for (int i = 0; i < 64; i++) {
            if (done(ctx)) return true;
            sv_spin_relax();
        }
        if (sv_spin_now() >= until || (avoid_cpu >= 0 && sched_getcpu() == avoid_cpu)) return done(ctx);
    }
}

#endif
