/* test_sv_workers.c - the server's thread pool (sv_workers.c): every index
 * of a loop is handed out exactly once, whatever the thread count, chunk
 * size or count (none, fewer than the threads, not a multiple of the
 * chunk); the worker numbers stay in range; thousands of calls in a row
 * (helpers waking late into a newer call) lose and repeat nothing; the
 * pool stops and starts again; helpers woken ahead (sv_workers_prepare)
 * wake, spin and give up when no job comes, and prepared calls hand out
 * every index exactly once too. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "sv_workers.h"

#define MAX_COUNT 5000

typedef struct {
    atomic_int seen[MAX_COUNT]; /* times each index was handed out */
    atomic_int bad_worker;      /* a worker number out of range */
    atomic_int bad_range;       /* a chunk past the count, empty or longer than asked */
    int threads, count, chunk;
    uint32_t stamp;             /* this call's number, written into out[] */
    uint32_t out[MAX_COUNT];    /* what the loop body writes: only its own index */
} job;

static void body(void *ctx, int worker, int begin, int end) {
    job *j = ctx;
    if (worker < 0 || worker >= j->threads) atomic_fetch_add(&j->bad_worker, 1);
    if (begin < 0 || end > j->count || end <= begin || end - begin > j->chunk) atomic_fetch_add(&j->bad_range, 1);
    for (int i = begin; i < end && i < MAX_COUNT && i >= 0; i++) {
        atomic_fetch_add(&j->seen[i], 1);
        j->out[i] = j->stamp ^ (uint32_t)i;
    }
}

static job J;

static void run_and_check(sv_workers *w, int count, int chunk, uint32_t stamp) {
    for (int i = 0; i < MAX_COUNT; i++) atomic_store(&J.seen[i], 0);
    J.threads = w->threads;
    J.count = count;
    J.chunk = chunk < 1 ? 1 : chunk;
    J.stamp = stamp;
    sv_workers_run(w, body, &J, count, chunk);
    /* everything is done when the call returns */
    for (int i = 0; i < count; i++) {
        assert_int_equal(atomic_load(&J.seen[i]), 1);
        assert_int_equal(J.out[i], stamp ^ (uint32_t)i);
    }
    for (int i = count < 0 ? 0 : count; i < MAX_COUNT; i++) assert_int_equal(atomic_load(&J.seen[i]), 0);
    assert_int_equal(atomic_load(&J.bad_worker), 0);
    assert_int_equal(atomic_load(&J.bad_range), 0);
}

static void test_every_index_once(void **state) {
    (void)state;
    const int counts[] = {0, 1, 2, 3, 7, 64, 1000, MAX_COUNT};
    const int chunks[] = {0, 1, 3, 4, 64, 10000};
    for (int threads = 1; threads <= 4; threads++) {
        sv_workers w;
        assert_true(sv_workers_start(&w, threads));
        assert_int_equal(w.threads, threads);
        uint32_t stamp = 1;
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
            for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++)
                run_and_check(&w, counts[c], chunks[k], stamp++);
        sv_workers_stop(&w);
    }
}

/* Many short calls in a row: a helper still finishing (or only now waking
 * for) one call must not take part of the next with the old one. */
static void test_many_calls_in_a_row(void **state) {
    (void)state;
    sv_workers w;
    assert_true(sv_workers_start(&w, 3));
    for (uint32_t call = 0; call < 3000; call++) run_and_check(&w, 1 + (int)(call % 97), 1 + (int)(call % 5), call);
    assert_int_equal(w.jobs, 3000);
    /* the figures add up: every chunk ran on someone */
    uint64_t chunks = w.caller_chunks + atomic_load(&w.helper_chunks);
    assert_true(chunks >= 3000);
    sv_workers_stop(&w);
}

/* Clamped thread counts; a stopped pool starts again; stopping a pool
 * that never started (a zeroed one) is harmless. */
static void test_limits_and_restart(void **state) {
    (void)state;
    sv_workers w;
    assert_true(sv_workers_start(&w, 0));
    assert_int_equal(w.threads, 1);
    run_and_check(&w, 100, 8, 7);
    sv_workers_stop(&w);
    assert_true(sv_workers_start(&w, 1000));
    assert_int_equal(w.threads, SV_WORKERS_MAX);
    run_and_check(&w, 100, 1, 8);
    sv_workers_stop(&w);
    assert_true(sv_workers_start(&w, 2));
    run_and_check(&w, 10, 2, 9);
    sv_workers_stop(&w);
    sv_workers zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    sv_workers_stop(&zeroed);
    assert_true(sv_workers_cpus() >= 1);
}

static void pause_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* A prepare with no job after it: every helper wakes, spins (or finds it
 * shares the caller's processor) and goes back to sleep, counted as having
 * given up; nothing runs. Waits at most 10 s for them. */
static void test_prepare_without_a_job(void **state) {
    (void)state;
    sv_workers w;
    assert_true(sv_workers_start(&w, 3));
    sv_workers_prepare(&w);
    for (int waited = 0; atomic_load(&w.spins_missed) < 2 && waited < 10000; waited++) pause_ms(1);
    assert_int_equal(atomic_load(&w.spins_missed), 2);
    assert_int_equal(atomic_load(&w.spins_met), 0);
    assert_int_equal(w.jobs, 0);
    /* asleep again: a job still wakes them, and a second prepare too */
    run_and_check(&w, 500, 4, 11);
    sv_workers_prepare(&w);
    for (int waited = 0; atomic_load(&w.spins_missed) + atomic_load(&w.spins_met) < 4 && waited < 10000; waited++)
        pause_ms(1);
    assert_int_equal(atomic_load(&w.spins_missed) + atomic_load(&w.spins_met), 4);
    sv_workers_stop(&w);
    /* with one thread there are no helpers: nothing to wake */
    assert_true(sv_workers_start(&w, 1));
    sv_workers_prepare(&w);
    run_and_check(&w, 50, 4, 12);
    assert_int_equal(atomic_load(&w.spins_missed) + atomic_load(&w.spins_met), 0);
    sv_workers_stop(&w);
}

/* Prepared calls, at once or after a pause within the spin, hand out every
 * index once; a prepare just before stopping does not hold the stop up
 * past the spin (ctest's timeout would say). Each helper counts at most
 * one spin per prepare. */
static void test_prepared_calls(void **state) {
    (void)state;
    for (int threads = 2; threads <= 4; threads++) {
        sv_workers w;
        assert_true(sv_workers_start(&w, threads));
        for (uint32_t call = 0; call < 600; call++) {
            sv_workers_prepare(&w);
            if (call % 3 == 1) pause_ms(1); /* the helpers spin meanwhile */
            run_and_check(&w, 1 + (int)(call % 211), 1 + (int)(call % 4), call);
        }
        uint64_t spins = atomic_load(&w.spins_met) + atomic_load(&w.spins_missed);
        assert_true(spins <= 600u * (unsigned)(threads - 1));
        assert_int_equal(w.jobs, 600);
        sv_workers_prepare(&w);
        sv_workers_stop(&w);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_index_once),
        cmocka_unit_test(test_many_calls_in_a_row),
        cmocka_unit_test(test_limits_and_restart),
        cmocka_unit_test(test_prepare_without_a_job),
        cmocka_unit_test(test_prepared_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
