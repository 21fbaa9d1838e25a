/* test_cl_predict.c - own-player prediction: commands step the same
 * simulation as the server; reconciliation replays unacknowledged commands
 * and counts a correction only when the server disagrees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "cl_predict.h"
#include "sv_input.h"

static const char MAP[] = "arena-map 1\nname T\ntiles\n"
                          "##########\n"
                          "#S.......#\n"
                          "#........#\n"
                          "#........#\n"
                          "##########\n";

static game_map map;

static int setup(void **state) {
    (void)state;
    char err[200];
    return map_parse(MAP, sizeof MAP - 1, &map, err, sizeof err) ? 0 : -1;
}
static int teardown(void **state) {
    (void)state;
    map_free(&map);
    return 0;
}

/* A server that receives every command late by `lag` ticks but in order
 * agrees with the prediction exactly: no corrections. */
static void test_clean_link_no_corrections(void **state) {
    (void)state;
    const float dt = 1.0f / 60.0f;
    cl_predict p;
    cl_predict_init(&p, dt);
    player_state server;
    memset(&server, 0, sizeof server);
    sim_player_spawn(&map, &server, 0);
    cl_predict_reconcile(&p, &map, &server, 0);
    sv_input_queue q;
    sv_input_reset(&q);
    uint32_t last_applied = 0;
    for (int tick = 0; tick < 240; tick++) {
        uint8_t b = (tick / 40) % 2 ? BTN_RIGHT | BTN_DOWN : BTN_LEFT;
        input_cmd c = cl_predict_command(&p, &map, b, 0, 0);
        sv_input_push(&q, &c);
        if (tick >= 3) { /* the server runs three ticks behind */
            bool fresh;
            input_cmd sc = sv_input_take(&q, &fresh);
            assert_true(fresh);
            sim_player_step(&map, &server, &sc, dt);
            last_applied = sc.tick;
            if (tick % 2 == 0) cl_predict_reconcile(&p, &map, &server, last_applied);
        }
    }
    assert_int_equal(p.corrections, 0);
    assert_true(p.have_state);
}

static void test_disagreement_is_corrected_and_counted(void **state) {
    (void)state;
    const float dt = 1.0f / 60.0f;
    cl_predict p;
    cl_predict_init(&p, dt);
    player_state server;
    memset(&server, 0, sizeof server);
    sim_player_spawn(&map, &server, 0);
    cl_predict_reconcile(&p, &map, &server, 0);
    for (int i = 0; i < 10; i++) cl_predict_command(&p, &map, BTN_RIGHT, 0, 0);
    /* The server says we are elsewhere after command 5. */
    player_state moved = server;
    moved.x += 2.0f;
    cl_predict_reconcile(&p, &map, &moved, 5);
    assert_int_equal(p.corrections, 1);
    /* Result = server state + replay of commands 6..10. */
    player_state expect = moved;
    for (uint32_t t = 6; t <= 10; t++) sim_player_step(&map, &expect, &p.cmds[t % CL_CMD_RING], dt);
    assert_memory_equal(&p.state, &expect, sizeof expect);
}

static void test_unacked_newest_first_and_bounded(void **state) {
    (void)state;
    cl_predict p;
    cl_predict_init(&p, 1.0f / 60.0f);
    for (int i = 0; i < 20; i++) cl_predict_command(&p, &map, 0, 0, 0);
    input_cmd out[8];
    int n = cl_predict_unacked(&p, out, 4, 8);
    assert_int_equal(n, 8);
    assert_int_equal(out[0].tick, 20);
    assert_int_equal(out[7].tick, 13);
    player_state s;
    memset(&s, 0, sizeof s);
    sim_player_spawn(&map, &s, 0);
    cl_predict_reconcile(&p, &map, &s, 18);
    n = cl_predict_unacked(&p, out, 1, 8);
    assert_int_equal(n, 2); /* only 19 and 20 are unacknowledged */
    assert_int_equal(out[1].tick, 19);
    n = cl_predict_unacked(&p, out, 4, 8);
    assert_int_equal(n, 4); /* but at least four are resent */
    assert_int_equal(out[3].tick, 17);
    cl_predict_reconcile(&p, &map, &s, 20);
    n = cl_predict_unacked(&p, out, 0, 8);
    assert_int_equal(n, 0);
}

static void test_ack_of_unsent_command_ignored(void **state) {
    (void)state;
    cl_predict p;
    cl_predict_init(&p, 1.0f / 60.0f);
    cl_predict_command(&p, &map, 0, 0, 0);
    player_state s;
    memset(&s, 0, sizeof s);
    cl_predict_reconcile(&p, &map, &s, 999);
    assert_false(p.have_state);
    assert_int_equal(p.acked_tick, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_link_no_corrections),
        cmocka_unit_test(test_disagreement_is_corrected_and_counted),
        cmocka_unit_test(test_unacked_newest_first_and_bounded),
        cmocka_unit_test(test_ack_of_unsent_command_ignored),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
