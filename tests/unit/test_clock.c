/* test_clock.c - shared/clock.c: the fixed-timestep ticker (time passed in).
 *
 * Covers: ticker_init clamps max_catchup; the first ticker_advance runs one
 * tick and sets the origin; calls before the next step return 0; ticks are
 * counted from the origin (tick k due at origin + k*step), so calls at exact
 * multiples of the step return exactly the right counts at every rate,
 * including 60 Hz and 144 Hz whose steps are not exact in binary, and after
 * hours of ticks (no drift, never a deferred or dropped tick); the 1e-6-tick
 * tolerance; a long stall returns max_catchup, counts the rest in dropped
 * and then resumes normal pacing with no burst; ticker_wait before start,
 * between ticks and when overdue. Also a sanity check of clock_now and
 * clock_format_wall.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "clock.h"

static void test_init(void **state) {
    (void)state;
    ticker t;
    ticker_init(&t, 64.0, 5);
    assert_true(t.step == 1.0 / 64.0);
    assert_int_equal(t.max_catchup, 5);
    assert_false(t.started);
    assert_int_equal(t.done, 0);
    assert_int_equal(t.dropped, 0);
    /* the first advance fixes the origin and counts tick 0 as done */
    assert_int_equal(ticker_advance(&t, 777.25), 1);
    assert_true(t.started);
    assert_true(t.origin == 777.25);
    assert_int_equal(t.done, 1);
    assert_int_equal(ticker_advance(&t, 777.25 + 3.0 / 64.0), 3);
    assert_true(t.origin == 777.25); /* never moves */
    assert_int_equal(t.done, 4);
    ticker_init(&t, 30.0, 0);
    assert_int_equal(t.max_catchup, 1); /* at least one tick per advance */
    ticker_init(&t, 30.0, -7);
    assert_int_equal(t.max_catchup, 1);
}

static void test_first_call_and_before_step(void **state) {
    (void)state;
    ticker t;
    ticker_init(&t, 64.0, 5); /* step 1/64 s is exact in binary */
    const double s = 1.0 / 64.0, t0 = 1000.0;
    assert_int_equal(ticker_advance(&t, t0), 1); /* first call: one tick, now */
    assert_true(t.started);
    /* before the next step is due: nothing */
    assert_int_equal(ticker_advance(&t, t0), 0);
    assert_int_equal(ticker_advance(&t, t0 + s * 0.5), 0);
    assert_int_equal(ticker_advance(&t, t0 + s * 0.999), 0);
    /* exactly due */
    assert_int_equal(ticker_advance(&t, t0 + s), 1);
    assert_int_equal(ticker_advance(&t, t0 + s), 0);
    /* time going backwards never runs ticks */
    assert_int_equal(ticker_advance(&t, t0 - 5.0), 0);
    assert_int_equal(t.dropped, 0);
}

static void test_exact_multiples(void **state) {
    (void)state;
    ticker t;
    ticker_init(&t, 64.0, 10);
    const double s = 1.0 / 64.0;
    assert_int_equal(ticker_advance(&t, 0.0), 1);    /* tick 0 at t=0, next due at s */
    assert_int_equal(ticker_advance(&t, 3 * s), 3);  /* ticks 1,2,3                  */
    assert_int_equal(ticker_advance(&t, 3 * s), 0);
    assert_int_equal(ticker_advance(&t, 4 * s), 1);  /* tick 4                       */
    assert_int_equal(ticker_advance(&t, 9.5 * s), 5); /* ticks 5..9, 10 not yet due */
    assert_int_equal(ticker_advance(&t, 10 * s), 1);
    assert_int_equal(ticker_advance(&t, 20 * s), 10); /* exactly max_catchup: no drop */
    assert_int_equal(t.dropped, 0);
    assert_true(fabs(ticker_wait(&t, 20 * s) - s) < 1e-12);
}

static void test_exact_multiples_60hz(void **state) {
    (void)state;
    /* 1/60 is not exact in binary, but ticks are counted from the origin:
     * a call exactly on a nominal tick time runs exactly the ticks due, never
     * deferring one to the next call, never losing or doubling one. */
    ticker t;
    ticker_init(&t, 60.0, 5);
    const double t0 = 12345.0;
    for (int i = 0; i <= 6000; i++) {
        int n = ticker_advance(&t, t0 + (double)i / 60.0);
        if (n != 1) fail_msg("call %d at t0 + %d/60 gave %d ticks", i, i, n);
        if (t.done != (uint64_t)i + 1) fail_msg("after call %d: %llu ticks done", i, (unsigned long long)t.done);
    }
    assert_int_equal(t.dropped, 0);
    /* the same call again, and a call half a step later: nothing */
    assert_int_equal(ticker_advance(&t, t0 + 6000.0 / 60.0), 0);
    assert_int_equal(ticker_advance(&t, t0 + 6000.5 / 60.0), 0);
}

/* Formerly a known bug: with the next tick time accumulated by repeated
 * addition, a call at 3/60 s saw 2.9999999 ticks, deferred one, and the next
 * call exceeded max_catchup and dropped a tick the caller never missed. */
static void test_exact_multiples_60hz_strict(void **state) {
    (void)state;
    ticker t;
    ticker_init(&t, 60.0, 3);
    for (int i = 0; i <= 600; i += 3) {
        int n = ticker_advance(&t, (double)i / 60.0);
        if (n != (i == 0 ? 1 : 3)) fail_msg("call at %d/60 gave %d ticks", i, n);
    }
    assert_int_equal(t.dropped, 0);
    assert_int_equal(t.done, 601);
}

/* Rates of every kind, called on their exact tick times 1, 2 or 3 steps
 * apart, from an origin like a real monotonic clock, for 4 hours of ticks:
 * exact counts all the way (no drift from accumulated steps), and at the
 * end the wait is still exactly one step. */
static void test_exact_multiples_every_rate(void **state) {
    (void)state;
    const double rates[] = {10, 20, 30, 33, 60, 64, 100, 120, 128, 144, 165, 240};
    const double t0 = 86400.0 * 3 + 0.123456789;
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        const double hz = rates[r];
        const uint64_t end = (uint64_t)(4 * 3600 * hz);
        ticker t;
        ticker_init(&t, hz, 3);
        assert_int_equal(ticker_advance(&t, t0), 1);
        uint64_t k = 0;
        for (int call = 0; k < end; call++) {
            int want = call % 3 + 1;
            k += (uint64_t)want;
            int n = ticker_advance(&t, t0 + (double)k / hz);
            if (n != want) fail_msg("%g Hz: call at tick %llu gave %d, want %d", hz, (unsigned long long)k, n, want);
        }
        assert_int_equal(t.done, k + 1);
        assert_int_equal(t.dropped, 0);
        for (uint64_t j = k + 1; j < k + 100; j++) {
            int n = ticker_advance(&t, t0 + (double)j / hz);
            if (n != 1) fail_msg("%g Hz: tick %llu gave %d", hz, (unsigned long long)j, n);
            double w = ticker_wait(&t, t0 + (double)j / hz);
            if (fabs(w - 1.0 / hz) > 1e-9) fail_msg("%g Hz: wait %.12g at tick %llu", hz, w, (unsigned long long)j);
        }
    }
}

/* A call a hair before a tick time (within 1e-6 of a step) counts that
 * tick; a call clearly before it does not. */
static void test_tick_time_tolerance(void **state) {
    (void)state;
    const double hz = 60.0, s = 1.0 / 60.0, t0 = 5000.0;
    ticker t;
    ticker_init(&t, hz, 5);
    assert_int_equal(ticker_advance(&t, t0), 1);
    assert_int_equal(ticker_advance(&t, t0 + (1.0 - 1e-3) * s), 0);
    assert_int_equal(ticker_advance(&t, t0 + (1.0 - 1e-5) * s), 0);
    assert_int_equal(ticker_advance(&t, t0 + (1.0 - 1e-7) * s), 1); /* within tolerance: tick 1 */
    assert_int_equal(ticker_advance(&t, t0 + 1.0 * s), 0);           /* not counted twice         */
    assert_int_equal(ticker_advance(&t, t0 + (2.0 - 1e-5) * s), 0);
    assert_int_equal(ticker_advance(&t, t0 + (3.0 - 1e-7) * s), 2); /* ticks 2 and 3 */
    assert_int_equal(t.done, 4);
    /* slightly before the origin is tick 0 again, not a wrap-around */
    ticker_init(&t, hz, 5);
    assert_int_equal(ticker_advance(&t, t0), 1);
    assert_int_equal(ticker_advance(&t, t0 - 1e-7 * s), 0);
    assert_int_equal(ticker_advance(&t, t0 - 10.0), 0);
    assert_int_equal(t.done, 1);
    assert_int_equal(t.dropped, 0);
}

static void test_long_stall(void **state) {
    (void)state;
    ticker t;
    ticker_init(&t, 64.0, 4);
    const double s = 1.0 / 64.0;
    assert_int_equal(ticker_advance(&t, 0.0), 1);
    assert_int_equal(ticker_advance(&t, s), 1);
    /* stall until 129 s: ticks 2..129 are due (128 ticks); 4 run, 124 dropped */
    double now = s + 2.0; /* = 129 s */
    assert_int_equal(ticker_advance(&t, now), 4);
    assert_int_equal(t.dropped, 124);
    /* straight after: nothing more is due, no burst */
    assert_int_equal(ticker_advance(&t, now), 0);
    assert_int_equal(ticker_advance(&t, now + s * 0.5), 0);
    assert_true(fabs(ticker_wait(&t, now) - s) < 1e-12);
    /* then normal pacing: one tick per step */
    for (int i = 1; i <= 100; i++) {
        int n = ticker_advance(&t, now + i * s);
        if (n != 1) fail_msg("step %d after the stall gave %d ticks", i, n);
    }
    assert_int_equal(t.dropped, 124);
    /* a second stall adds to the count */
    now += 100 * s;
    assert_int_equal(ticker_advance(&t, now + 10 * s), 4); /* 10 due, 4 run */
    assert_int_equal(t.dropped, 124 + 6);
    assert_int_equal(ticker_advance(&t, now + 11 * s), 1);
}

static void test_just_over_catchup(void **state) {
    (void)state;
    ticker t;
    ticker_init(&t, 64.0, 3);
    const double s = 1.0 / 64.0;
    assert_int_equal(ticker_advance(&t, 0.0), 1);
    assert_int_equal(ticker_advance(&t, 3 * s), 3); /* 3 due: exactly max */
    assert_int_equal(t.dropped, 0);
    assert_int_equal(ticker_advance(&t, 7 * s), 3); /* 4 due: one dropped */
    assert_int_equal(t.dropped, 1);
    assert_int_equal(ticker_advance(&t, 8 * s), 1);
}

static void test_wait(void **state) {
    (void)state;
    ticker t;
    ticker_init(&t, 64.0, 4);
    const double s = 1.0 / 64.0;
    assert_true(ticker_wait(&t, 50.0) == 0.0); /* not started: run now */
    assert_int_equal(ticker_advance(&t, 50.0), 1);
    assert_true(fabs(ticker_wait(&t, 50.0) - s) < 1e-12);
    assert_true(fabs(ticker_wait(&t, 50.0 + s * 0.25) - s * 0.75) < 1e-12);
    assert_true(ticker_wait(&t, 50.0 + s) == 0.0);       /* due now   */
    assert_true(ticker_wait(&t, 50.0 + 10 * s) == 0.0);  /* overdue   */
    assert_true(ticker_wait(&t, 49.0) > s);              /* clock went back: a longer wait, not negative */
    /* waiting never changes the ticker */
    assert_int_equal(ticker_advance(&t, 50.0 + s), 1);
}

static void test_clock_now_and_format(void **state) {
    (void)state;
    double a = clock_now();
    double b = clock_now();
    assert_true(a > 0.0);
    assert_true(b >= a);
    char buf[64];
    memset(buf, 'x', sizeof buf);
    clock_format_wall(buf, (int)sizeof buf);
    /* "YYYY-MM-DD HH:MM:SS.mmm" */
    assert_int_equal(strlen(buf), 23);
    assert_true(buf[4] == '-' && buf[7] == '-' && buf[10] == ' ' && buf[13] == ':' && buf[16] == ':' &&
                buf[19] == '.');
    char small[8];
    clock_format_wall(small, (int)sizeof small);
    assert_int_equal(strlen(small), 7); /* truncated, terminated */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_first_call_and_before_step),
        cmocka_unit_test(test_exact_multiples),
        cmocka_unit_test(test_exact_multiples_60hz),
        cmocka_unit_test(test_exact_multiples_60hz_strict),
        cmocka_unit_test(test_exact_multiples_every_rate),
        cmocka_unit_test(test_tick_time_tolerance),
        cmocka_unit_test(test_long_stall),
        cmocka_unit_test(test_just_over_catchup),
        cmocka_unit_test(test_wait),
        cmocka_unit_test(test_clock_now_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
