/* test_sv_input.c - the server's per-client input queue: duplicates and
 * stale commands ignored, one command per tick, the last one repeated when
 * dry, surplus dropped so that sending more never moves a player faster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sv_input.h"

static input_cmd cmd(uint32_t tick, uint8_t buttons) { return (input_cmd){tick, buttons, 0, 0}; }

static void test_in_order(void **state) {
    (void)state;
    sv_input_queue q;
    sv_input_reset(&q);
    for (uint32_t t = 1; t <= 3; t++) assert_true(sv_input_push(&q, &(input_cmd){t, (uint8_t)t, 0, 0}));
    bool fresh;
    for (uint32_t t = 1; t <= 3; t++) {
        input_cmd c = sv_input_take(&q, &fresh);
        assert_true(fresh);
        assert_int_equal(c.tick, t);
    }
}

static void test_duplicates_and_stale_ignored(void **state) {
    (void)state;
    sv_input_queue q;
    sv_input_reset(&q);
    input_cmd c5 = cmd(5, 1), c4 = cmd(4, 1), c0 = cmd(0, 1);
    assert_true(sv_input_push(&q, &c5));
    assert_false(sv_input_push(&q, &c5)); /* duplicate (redundant resend) */
    assert_false(sv_input_push(&q, &c4)); /* older than one accepted */
    assert_false(sv_input_push(&q, &c0)); /* tick 0 is never valid */
    assert_int_equal(q.count, 1);
}

static void test_repeat_when_dry(void **state) {
    (void)state;
    sv_input_queue q;
    sv_input_reset(&q);
    input_cmd c1 = cmd(1, BTN_UP), c2 = cmd(2, BTN_LEFT);
    sv_input_push(&q, &c1);
    sv_input_push(&q, &c2);
    bool fresh;
    sv_input_take(&q, &fresh);
    sv_input_take(&q, &fresh);
    input_cmd again = sv_input_take(&q, &fresh);
    assert_false(fresh);
    assert_int_equal(again.buttons, BTN_LEFT);
    assert_int_equal(again.tick, 2);
    assert_int_equal(q.repeated, 1);
}

/* Nothing is applied until SV_INPUT_PRIME commands have gathered; after
 * that a dry queue repeats instead of waiting again. */
static void test_primes_before_applying(void **state) {
    (void)state;
    sv_input_queue q;
    sv_input_reset(&q);
    bool fresh = true;
    input_cmd c1 = cmd(1, BTN_RIGHT);
    sv_input_push(&q, &c1);
    for (int i = 1; i < SV_INPUT_PRIME; i++) {
        input_cmd got = sv_input_take(&q, &fresh);
        assert_false(fresh);
        assert_int_equal(got.buttons, 0); /* stands still while gathering */
        input_cmd next = cmd((uint32_t)i + 1, BTN_RIGHT);
        sv_input_push(&q, &next);
    }
    assert_int_equal(q.repeated, 0);
    input_cmd first = sv_input_take(&q, &fresh);
    assert_true(fresh);
    assert_int_equal(first.tick, 1);
    while (q.count) sv_input_take(&q, &fresh);
    sv_input_take(&q, &fresh);
    assert_false(fresh);
    assert_int_equal(q.repeated, 1);
}

static void test_empty_queue_gives_idle(void **state) {
    (void)state;
    sv_input_queue q;
    sv_input_reset(&q);
    bool fresh = true;
    input_cmd c = sv_input_take(&q, &fresh);
    assert_false(fresh);
    assert_int_equal(c.buttons, 0);
}

static void test_surplus_dropped_oldest_first(void **state) {
    (void)state;
    sv_input_queue q;
    sv_input_reset(&q);
    uint32_t n = SV_INPUT_QUEUE + 10;
    for (uint32_t t = 1; t <= n; t++) {
        input_cmd c = cmd(t, 0);
        sv_input_push(&q, &c);
    }
    assert_int_equal(q.count, SV_INPUT_QUEUE);
    assert_int_equal(q.dropped, 10);
    bool fresh; /* the queue is full: well past priming */
    input_cmd first = sv_input_take(&q, &fresh);
    assert_int_equal(first.tick, 11); /* the 10 oldest went */
    /* However much was sent, one command per take: the queue drains in
     * exactly SV_INPUT_QUEUE takes. */
    int taken = 1;
    while (q.count > 0) {
        sv_input_take(&q, &fresh);
        taken++;
    }
    assert_int_equal(taken, SV_INPUT_QUEUE);
}

static void test_ring_wraps(void **state) {
    (void)state;
    sv_input_queue q;
    sv_input_reset(&q);
    bool fresh;
    uint32_t t = 1;
    for (int round = 0; round < 5; round++) {
        for (int k = 0; k < SV_INPUT_QUEUE - 3; k++, t++) {
            input_cmd c = cmd(t, 0);
            assert_true(sv_input_push(&q, &c));
        }
        uint32_t expect = t - (uint32_t)(SV_INPUT_QUEUE - 3);
        while (q.count > 0) assert_int_equal(sv_input_take(&q, &fresh).tick, expect++);
    }
    assert_int_equal(q.dropped, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_duplicates_and_stale_ignored),
        cmocka_unit_test(test_repeat_when_dry),
        cmocka_unit_test(test_primes_before_applying),
        cmocka_unit_test(test_empty_queue_gives_idle),
        cmocka_unit_test(test_surplus_dropped_oldest_first),
        cmocka_unit_test(test_ring_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
