/* test_sv_combat.c - the server's game rules without a network: rail
 * damage, death and respawn with protection, frags and suicides, rockets,
 * pickups taken and coming back, and the frag limit ending a match. A
 * `server` is assembled in memory (no ENet host; sends to a slot without a
 * peer are dropped by net_send). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_combat.h"
#include "sv_match.h"

/* An open room: A stands at (3.5, 3.5), B three tiles east; a health pack
 * at (10.5, 3.5), an ammunition box at (10.5, 5.5). */
static const char MAP[] = "arena-map 1\nname Test Room\ntiles\n"
                          "##############\n"
                          "#............#\n"
                          "#............#\n"
                          "#S.....S..H..#\n"
                          "#............#\n"
                          "#.........A..#\n"
                          "##############\n";

static server sv;

static int setup(void **state) {
    (void)state;
    memset(&sv, 0, sizeof sv);
    sv_config_default(&sv.cfg);
    sv.cfg.max_players = 4;
    sv.cfg.frag_limit = 2;
    char err[256];
    if (!map_parse(MAP, sizeof MAP - 1, &sv.map, err, sizeof err)) return -1;
    sv.clients = calloc(4, sizeof *sv.clients);
    sv.rings = calloc(4 * PROTO_SNAPSHOT_RING, sizeof *sv.rings);
    if (!sv.clients || !sv.rings || !lag_history_init(&sv.lag, 4)) return -1;
    snprintf(sv.match.maps[0], sizeof sv.match.maps[0], "Test Room");
    sv.match.map_count = 1;
    sv.match.phase = MATCH_PLAYING;
    sv.match.phase_end = 1000000;
    sv.tick = 100;
    for (int i = 0; i < 2; i++) {
        sv_client *c = &sv.clients[i];
        c->ring = sv.rings + i * PROTO_SNAPSHOT_RING;
        c->state = SLOT_PLAYING;
        snprintf(c->name, sizeof c->name, "%c", 'A' + i);
        sv_combat_spawn(&sv, c);
        c->ps.flags = ENT_FLAG_ALIVE; /* no spawn protection unless a test wants it */
        c->ps.x = 3.5f + 3.0f * (float)i;
        c->ps.y = 3.5f;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    lag_history_free(&sv.lag);
    free(sv.clients);
    free(sv.rings);
    map_free(&sv.map);
    return 0;
}

static uint16_t aim_at(const sv_client *from, float x, float y) {
    float a = atan2f(y - from->ps.y, x - from->ps.x);
    if (a < 0) a += 6.2831853f;
    return (uint16_t)((uint32_t)(a / 6.2831853f * 65536.0f) & 0xffffu);
}

/* One server tick with these buttons for A (B idle), as sv_server_tick
 * does it minus movement. */
static void tick_with(uint8_t a_buttons, uint16_t a_aim) {
    sv.tick++;
    sv_combat_begin_tick(&sv);
    sv.clients[0].cmd = (input_cmd){sv.tick, a_buttons, a_aim, sv.tick};
    sv.clients[1].cmd = (input_cmd){sv.tick, 0, 0, sv.tick};
    sv_combat_after_move(&sv);
    sv_match_tick(&sv);
}

static void run_ticks(int n) {
    for (int i = 0; i < n; i++) tick_with(0, 0);
}

static void test_rail_kills_in_three_hits_then_respawn(void **state) {
    (void)state;
    sv_client *a = &sv.clients[0], *b = &sv.clients[1];
    uint16_t aim = aim_at(a, b->ps.x, b->ps.y);
    tick_with(BTN_FIRE, aim);
    assert_int_equal(b->ps.health, PROTO_MAX_HEALTH - SV_RAIL_DAMAGE);
    assert_int_equal(a->ammo, SV_START_AMMO - 1);
    tick_with(BTN_FIRE, aim); /* cooling down: no second shot yet */
    assert_int_equal(b->ps.health, PROTO_MAX_HEALTH - SV_RAIL_DAMAGE);
    for (int shot = 0; shot < 2; shot++) {
        run_ticks((int)(SV_RAIL_COOLDOWN * 60));
        tick_with(BTN_FIRE, aim);
    }
    assert_false(b->ps.flags & ENT_FLAG_ALIVE);
    assert_int_equal(b->ps.health, 0);
    assert_int_equal(b->deaths, 1);
    assert_int_equal(a->frags, 1);
    /* dead for SV_RESPAWN_DELAY, then back with full health and protection */
    run_ticks((int)(SV_RESPAWN_DELAY * 60) - 2);
    assert_false(b->ps.flags & ENT_FLAG_ALIVE);
    run_ticks(2);
    assert_true(b->ps.flags & ENT_FLAG_ALIVE);
    assert_true(b->ps.flags & ENT_FLAG_PROTECTED);
    assert_int_equal(b->ps.health, PROTO_MAX_HEALTH);
    /* a protected player takes no damage */
    aim = aim_at(a, b->ps.x, b->ps.y);
    run_ticks((int)(SV_RAIL_COOLDOWN * 60));
    tick_with(BTN_FIRE, aim);
    assert_int_equal(b->ps.health, PROTO_MAX_HEALTH);
    run_ticks((int)(SV_SPAWN_PROTECTION * 60) + 1);
    assert_false(b->ps.flags & ENT_FLAG_PROTECTED);
}

/* On a map with more spawn points than SV_SPAWN_CANDIDATES (68 in a row,
 * each 1 tile apart) only some are measured, spread over the whole list: a
 * respawn with the one enemy at the west end still lands within a
 * candidate's spacing of the east end, whichever point the sampling starts
 * from, and never on the enemy's side. */
static void test_spawn_far_from_enemies_on_a_large_map(void **state) {
    (void)state;
    char text[1024];
    int len = snprintf(text, sizeof text, "arena-map 1\nname Long Hall\ntiles\n");
    const int width = 70;
    for (int row = 0; row < 5; row++) {
        for (int x = 0; x < width; x++) {
            bool wall = row == 0 || row == 4 || x == 0 || x == width - 1;
            text[len++] = wall ? '#' : row == 2 ? 'S' : '.';
        }
        text[len++] = '\n';
    }
    map_free(&sv.map);
    char err[256];
    if (!map_parse(text, (size_t)len, &sv.map, err, sizeof err)) fail_msg("map: %s", err);
    assert_int_equal(sv.map.spawn_count, width - 2);
    assert_true(sv.map.spawn_count > SV_SPAWN_CANDIDATES);
    sv_client *a = &sv.clients[0], *b = &sv.clients[1];
    b->ps.x = 1.5f;
    b->ps.y = 2.5f;
    float farthest = (float)width - 1.5f, spacing = (float)sv.map.spawn_count / SV_SPAWN_CANDIDATES;
    for (int round = 0; round < 40; round++) { /* the sampling's start moves on every time */
        a->ps.flags = 0;
        sv_combat_spawn(&sv, a);
        if (a->ps.x < farthest - spacing)
            fail_msg("round %d: spawned at x %.1f, more than %.1f tiles short of %.1f", round, a->ps.x, spacing, farthest);
        assert_true(a->ps.flags & ENT_FLAG_ALIVE);
    }
}

static void test_rocket_blast_and_suicide(void **state) {
    (void)state;
    sv_client *a = &sv.clients[0], *b = &sv.clients[1];
    tick_with(BTN_FIRE2, aim_at(a, b->ps.x, b->ps.y));
    assert_int_equal(a->ammo, SV_START_AMMO - SV_ROCKET_COST);
    int flying = 0;
    for (int k = 0; k < PROTO_MAX_ROCKETS; k++) flying += sv.rockets[k].active;
    assert_int_equal(flying, 1);
    run_ticks(30); /* 3 tiles at 14 tiles/s: well inside half a second */
    for (int k = 0; k < PROTO_MAX_ROCKETS; k++) assert_false(sv.rockets[k].active);
    assert_true(b->ps.health < PROTO_MAX_HEALTH - SV_ROCKET_DIRECT);
    /* a rocket into the wall at point blank hurts its owner (half) and a
     * death by one's own rocket costs a frag */
    a->ps.x = 1.5f;
    a->ps.health = 10;
    run_ticks((int)(SV_ROCKET_COOLDOWN * 60));
    int frags = a->frags;
    tick_with(BTN_FIRE2, 32768); /* west, into the wall next to it */
    run_ticks(5);
    assert_false(a->ps.flags & ENT_FLAG_ALIVE);
    assert_int_equal(a->frags, frags - 1);
}

static void test_pickups_taken_and_back(void **state) {
    (void)state;
    sv_client *b = &sv.clients[1];
    b->ps.health = 50;
    b->ps.x = 10.5f; /* on the health pack */
    tick_with(0, 0);
    assert_int_equal(b->ps.health, 50 + SV_HEALTH_PICKUP);
    uint32_t back = sv.pickup_back[0];
    assert_true(back > sv.tick);
    b->ps.health = 50;
    run_ticks(10); /* gone: no more health */
    assert_int_equal(b->ps.health, 50);
    while (sv.tick < back) tick_with(0, 0);
    tick_with(0, 0);
    assert_int_equal(b->ps.health, 50 + SV_HEALTH_PICKUP); /* it came back */
    /* a full player leaves a pack alone */
    b->ps.health = PROTO_MAX_HEALTH;
    run_ticks((int)(SV_HEALTH_RESPAWN * 60) + 1);
    tick_with(0, 0);
    assert_true(sv.pickup_back[0] <= sv.tick);
    /* ammunition */
    b->ps.y = 5.5f;
    b->ammo = 2;
    tick_with(0, 0);
    assert_int_equal(b->ammo, 2 + SV_AMMO_PICKUP);
}

static void test_frag_limit_ends_the_match(void **state) {
    (void)state;
    sv_client *a = &sv.clients[0], *b = &sv.clients[1];
    for (int kill = 0; kill < sv.cfg.frag_limit; kill++) {
        b->ps.health = 1;
        b->ps.flags = ENT_FLAG_ALIVE;
        b->ps.x = 6.5f;
        b->ps.y = 3.5f;
        run_ticks((int)(SV_RAIL_COOLDOWN * 60));
        assert_int_equal(sv.match.phase, MATCH_PLAYING);
        tick_with(BTN_FIRE, aim_at(a, b->ps.x, b->ps.y));
    }
    assert_int_equal(a->frags, sv.cfg.frag_limit);
    assert_int_equal(sv.match.phase, MATCH_INTERMISSION);
    assert_true(sv_match_frozen(&sv));
    assert_true(sv_match_seconds_left(&sv) > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rail_kills_in_three_hits_then_respawn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rocket_blast_and_suicide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spawn_far_from_enemies_on_a_large_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pickups_taken_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frag_limit_ends_the_match, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
