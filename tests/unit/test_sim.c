/* test_sim.c - shared/sim.c: player movement, wall collision, quantization.
 *
 * Covers: acceleration at SIM_ACCEL toward the run speed SIM_RUN_SPEED,
 * landing on it exactly and staying there; deceleration at SIM_DECEL to an
 * exact stop with no drift (also along the free axis after a diagonal run);
 * turning around; a velocity above the run speed brought down; the distance
 * actually covered at steady run speed within 1 % of SIM_RUN_SPEED at every
 * tick rate 10..240 Hz (the promise in protocol.h); diagonal not faster than
 * straight, opposite buttons cancel; walls stop a player flush
 * (x == wall - SIM_PLAYER_HALF) and never let it overlap, sliding along a
 * wall, no tunnelling through a one-tile wall at the lowest tick rate and
 * top speed; state always on the wire grid (PROTO_POS_SCALE,
 * PROTO_VEL_SCALE); bit-identical determinism; spawn placement and cycling
 * (alive, at rest, full health); dead players stay put; sim_quantize and
 * sim_player_in_wall directly; sim_ray_wall_distance: the distance to the
 * first wall along each axis and diagonals, capped at the range when no wall
 * is nearer, 0 from inside a wall or outside the map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "protocol.h"
#include "sim.h"

#define DT60 (1.0f / 60.0f)
#define TOP_SPEED SIM_RUN_SPEED
#define VEL_Q (1.0f / PROTO_VEL_SCALE) /* one velocity grid step */

/* The velocity grid point nearest to v (v computed exactly, in double). */
static float vq(double v) { return (float)(round(v * PROTO_VEL_SCALE) / PROTO_VEL_SCALE); }

/* Builds and parses a w x h room: walls on the border, plus a full wall
 * column at wall_col and a full wall row at wall_row when >= 0. One spawn
 * at (1, 1). */
static void load_room(game_map *m, int w, int h, int wall_col, int wall_row) {
    size_t cap = 64 + (size_t)(w + 1) * (size_t)h;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "arena-map 1\nname Room\ntiles\n");
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            bool wall = x == 0 || y == 0 || x == w - 1 || y == h - 1 || x == wall_col || y == wall_row;
            text[n++] = wall ? '#' : (x == 1 && y == 1) ? 'S' : '.';
        }
        text[n++] = '\n';
    }
    char err[256] = "";
    if (!map_parse(text, n, m, err, sizeof err)) fail_msg("room %dx%d: %s", w, h, err);
    free(text);
}

static player_state at(float x, float y) {
    player_state p;
    memset(&p, 0, sizeof p); /* padding too: states are compared with memcmp */
    p.x = x;
    p.y = y;
    p.flags = ENT_FLAG_ALIVE;
    return p;
}

static input_cmd cmd(uint8_t buttons) {
    input_cmd c;
    memset(&c, 0, sizeof c);
    c.buttons = buttons;
    c.aim = 1234;
    return c;
}

static bool on_grid(float v, float scale) {
    float s = v * scale;
    return s == roundf(s);
}

static void assert_on_grid(const player_state *p) {
    if (!on_grid(p->x, PROTO_POS_SCALE) || !on_grid(p->y, PROTO_POS_SCALE) || !on_grid(p->vx, PROTO_VEL_SCALE) ||
        !on_grid(p->vy, PROTO_VEL_SCALE))
        fail_msg("state off the grid: x %.9g y %.9g vx %.9g vy %.9g", (double)p->x, (double)p->y, (double)p->vx,
                 (double)p->vy);
}

/* One step with the invariants every step must keep. */
static void step(const game_map *m, player_state *p, uint8_t buttons, float dt) {
    input_cmd c = cmd(buttons);
    sim_player_step(m, p, &c, dt);
    assert_on_grid(p);
    if (sim_player_in_wall(m, p)) fail_msg("player inside a wall at x %.9g y %.9g", (double)p->x, (double)p->y);
    assert_true(fabsf(p->vx) <= SIM_MAX_SPEED && fabsf(p->vy) <= SIM_MAX_SPEED);
}

/* ---- speed ------------------------------------------------------------------ */

static void test_accelerates_to_top_speed(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 9, -1, -1);
    player_state p = at(2.5f, 4.5f);
    float prev_vx = 0.0f, prev_x = p.x;
    /* SIM_ACCEL * dt per tick until the run speed is within one step */
    const int reach = (int)ceil((double)TOP_SPEED / ((double)SIM_ACCEL / 60.0) - 1e-9);
    for (int i = 0; i < 120; i++) { /* 2 s at 60 Hz */
        step(&m, &p, BTN_RIGHT, DT60);
        assert_true(p.vx > prev_vx || p.vx == TOP_SPEED); /* never slows down while held */
        assert_true(p.x > prev_x);                         /* always moving right        */
        assert_true(p.vx <= TOP_SPEED);                    /* never overshoots           */
        if (i < reach - 1) {
            /* the grid point nearest to the exact sum, tick by tick */
            if (p.vx != vq((double)prev_vx + (double)SIM_ACCEL / 60.0))
                fail_msg("tick %d: vx %.9g, want %.9g", i, (double)p.vx,
                         (double)vq((double)prev_vx + (double)SIM_ACCEL / 60.0));
        } else if (p.vx != TOP_SPEED) {
            fail_msg("tick %d: vx %.9g, want exactly %.9g from tick %d on", i, (double)p.vx, (double)TOP_SPEED,
                     reach - 1);
        }
        prev_vx = p.vx;
        prev_x = p.x;
    }
    assert_true(p.vx == TOP_SPEED);
    assert_true(p.vy == 0.0f);
    assert_true(p.y == 4.5f);
    assert_int_equal(p.aim, 1234);
    map_free(&m);
}

static void test_all_four_directions(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 30, 30, -1, -1);
    const struct {
        uint8_t b;
        float sx, sy;
    } dirs[] = {{BTN_RIGHT, 1, 0}, {BTN_LEFT, -1, 0}, {BTN_DOWN, 0, 1}, {BTN_UP, 0, -1}};
    for (int d = 0; d < 4; d++) {
        player_state p = at(15.0f, 15.0f);
        for (int i = 0; i < 60; i++) step(&m, &p, dirs[d].b, DT60);
        /* same magnitude in every direction, along the right axis */
        assert_true(p.vx == dirs[d].sx * fabsf(p.vx + p.vy));
        assert_true(p.vy == dirs[d].sy * fabsf(p.vx + p.vy));
        assert_true(fabsf(fabsf(p.vx + p.vy) - TOP_SPEED) < 0.1f);
        assert_true((p.x - 15.0f) * dirs[d].sx >= 0.0f && (p.y - 15.0f) * dirs[d].sy >= 0.0f);
    }
    map_free(&m);
}

static void test_release_stops_exactly(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 9, -1, -1);
    player_state p = at(2.5f, 4.5f);
    for (int i = 0; i < 120; i++) step(&m, &p, BTN_RIGHT, DT60);
    assert_true(p.vx == TOP_SPEED);
    /* SIM_DECEL * dt per tick, landing on 0 exactly */
    const int stop = (int)ceil((double)TOP_SPEED / ((double)SIM_DECEL / 60.0) - 1e-9);
    float prev_vx = p.vx;
    int stopped_at = -1;
    for (int i = 0; i < 120; i++) { /* 2 s */
        step(&m, &p, 0, DT60);
        assert_true(p.vx <= prev_vx && p.vx >= 0.0f); /* monotonic, no reversal */
        if (stopped_at < 0 && p.vx != 0.0f && p.vx != vq((double)prev_vx - (double)SIM_DECEL / 60.0))
            fail_msg("tick %d: vx %.9g, want %.9g", i, (double)p.vx, (double)vq((double)prev_vx - SIM_DECEL / 60.0));
        prev_vx = p.vx;
        if (p.vx == 0.0f && stopped_at < 0) stopped_at = i;
    }
    if (stopped_at < 0) fail_msg("still moving after 2 s: vx %.9g", (double)p.vx);
    assert_int_equal(stopped_at, stop - 1);
    assert_true(p.vx == 0.0f && p.vy == 0.0f);
    /* at rest it stays exactly put */
    player_state rest = p;
    for (int i = 0; i < 60; i++) step(&m, &p, 0, DT60);
    assert_memory_equal(&rest, &p, sizeof p);
    map_free(&m);
}

/* The velocity moves toward the wished one as a vector, by at most
 * SIM_ACCEL * dt (a direction held) or SIM_DECEL * dt (none), landing on it
 * exactly; then the grid. */
static void test_velocity_approaches_wish(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 40, -1, -1);
    const double acc = (double)SIM_ACCEL / 60.0, dec = (double)SIM_DECEL / 60.0;
    /* no input: slows along its own direction, both axes together */
    player_state p = at(20.0f, 20.0f);
    p.vx = 3.0f;
    p.vy = -4.0f; /* |v| = 5 */
    step(&m, &p, 0, DT60);
    assert_true(p.vx == vq(3.0 * (1.0 - dec / 5.0)));
    assert_true(p.vy == vq(-4.0 * (1.0 - dec / 5.0)));
    for (int i = 0; i < 60 && (p.vx != 0.0f || p.vy != 0.0f); i++) step(&m, &p, 0, DT60);
    assert_true(p.vx == 0.0f && p.vy == 0.0f); /* no leftover drift on either axis */
    /* anything slower than one tick of deceleration stops at once */
    const float slow[][2] = {{VEL_Q, 0.0f}, {0.0f, -VEL_Q}, {VEL_Q, -VEL_Q}, {0.3f, 0.35f}, {-0.5f, 0.0f}};
    for (size_t k = 0; k < sizeof slow / sizeof slow[0]; k++) {
        p = at(20.0f, 20.0f);
        p.vx = slow[k][0];
        p.vy = slow[k][1];
        step(&m, &p, 0, DT60);
        if (p.vx != 0.0f || p.vy != 0.0f) fail_msg("case %zu: still %.9g, %.9g", k, (double)p.vx, (double)p.vy);
    }
    /* turning around: from -run speed to +run speed at SIM_ACCEL */
    p = at(20.0f, 20.0f);
    p.vx = -TOP_SPEED;
    int ticks = 0;
    while (p.vx != TOP_SPEED && ticks < 200) {
        step(&m, &p, BTN_RIGHT, DT60);
        ticks++;
    }
    assert_int_equal(ticks, (int)ceil(2.0 * (double)TOP_SPEED / acc - 1e-9));
    /* faster than the run speed while holding that direction: brought down
     * at SIM_ACCEL (the wish is the run speed), not kept */
    p = at(5.0f, 20.0f);
    p.vx = SIM_MAX_SPEED;
    step(&m, &p, BTN_RIGHT, DT60);
    assert_true(p.vx == vq((double)SIM_MAX_SPEED - acc));
    for (int i = 0; i < 30; i++) step(&m, &p, BTN_RIGHT, DT60);
    assert_true(p.vx == TOP_SPEED);
    /* a held direction pulls the other axis to 0 as part of the same vector */
    p = at(20.0f, 5.0f);
    p.vx = 0.0f;
    p.vy = 1.0f;
    step(&m, &p, BTN_RIGHT, DT60);
    double dx = (double)TOP_SPEED, dy = -1.0, d = sqrt(dx * dx + dy * dy);
    assert_true(p.vx == vq(dx * acc / d));
    assert_true(p.vy == vq(1.0 + dy * acc / d));
    map_free(&m);
}

/* The leftover-drift case: after a diagonal run, holding one direction
 * must bring the other axis to exactly 0 (and keep it there), at every
 * tick rate: a few quanta of sideways drift that rounding never removes
 * would move the player forever. */
static void test_one_direction_leaves_no_drift(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 80, 80, -1, -1);
    const float rates[] = {PROTO_MIN_TICK_RATE, 20, 30, 60, 64, 100, 128, 144, PROTO_MAX_TICK_RATE};
    const struct {
        uint8_t diag, straight;
        float x0, y0;
        bool x_held; /* the straight run holds an x direction */
    } runs[] = {
        {BTN_RIGHT | BTN_DOWN, BTN_RIGHT, 5.0f, 5.0f, true},
        {BTN_LEFT | BTN_UP, BTN_LEFT, 75.0f, 75.0f, true},
        {BTN_RIGHT | BTN_DOWN, BTN_DOWN, 5.0f, 5.0f, false},
        {BTN_LEFT | BTN_UP, BTN_UP, 75.0f, 75.0f, false},
    };
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        const float dt = 1.0f / rates[r];
        const int per_second = (int)rates[r];
        for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
            player_state p = at(runs[k].x0, runs[k].y0);
            for (int i = 0; i < per_second; i++) step(&m, &p, runs[k].diag, dt); /* 1 s diagonal */
            assert_true(fabsf(p.vx) > 4.0f && fabsf(p.vy) > 4.0f);
            /* 1 s straight: the free axis decays and must reach exactly 0 */
            for (int i = 0; i < per_second; i++) step(&m, &p, runs[k].straight, dt);
            float held = runs[k].x_held ? p.vx : p.vy, freev = runs[k].x_held ? p.vy : p.vx;
            if (freev != 0.0f)
                fail_msg("%g Hz, run %zu: free axis still at %.9g (%g grid steps) after 1 s holding one direction",
                         (double)rates[r], k, (double)freev, (double)(freev * PROTO_VEL_SCALE));
            assert_true(fabsf(held) > 5.5f);
            /* and stays exactly put on that axis for 3 s more */
            const float fixed = runs[k].x_held ? p.y : p.x;
            for (int i = 0; i < 3 * per_second && fabsf(runs[k].x_held ? p.x - 40.0f : p.y - 40.0f) < 30.0f; i++) {
                step(&m, &p, runs[k].straight, dt);
                if ((runs[k].x_held ? p.vy : p.vx) != 0.0f || (runs[k].x_held ? p.y : p.x) != fixed)
                    fail_msg("%g Hz, run %zu: drift on the free axis at tick %d", (double)rates[r], k, i);
            }
        }
    }
    map_free(&m);
}

/* The distance covered in 1 s at steady run speed, with the per-tick
 * rounding of positions to the grid, must stay within 1 % of SIM_RUN_SPEED
 * at every tick rate from 10 to 240 Hz (the promise in protocol.h). */
static void test_top_speed_at_tick_rates(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 64, 9, -1, -1);
    double worst = 0.0;
    int worst_rate = 0;
    for (int rate = PROTO_MIN_TICK_RATE; rate <= PROTO_MAX_TICK_RATE; rate++) {
        const float dt = 1.0f / (float)rate;
        const uint8_t dirs[] = {BTN_RIGHT, BTN_LEFT};
        for (int d = 0; d < 2; d++) {
            const float sign = d == 0 ? 1.0f : -1.0f;
            player_state p = at(d == 0 ? 2.0f : 62.0f, 4.5f);
            for (int i = 0; i < rate; i++) step(&m, &p, dirs[d], dt); /* 1 s: well past the ramp */
            if (p.vx != sign * TOP_SPEED)
                fail_msg("%d Hz: vx %.9g after 1 s, want exactly %.9g", rate, (double)p.vx, (double)(sign * TOP_SPEED));
            const float x0 = p.x;
            for (int i = 0; i < rate; i++) {
                step(&m, &p, dirs[d], dt);
                assert_true(p.vx == sign * TOP_SPEED); /* steady */
            }
            const double dist = (double)(p.x - x0) * sign;
            const double err = (dist - (double)TOP_SPEED) / (double)TOP_SPEED;
            if (fabs(err) > fabs(worst)) {
                worst = err;
                worst_rate = rate;
            }
            if (fabs(err) > 0.01)
                fail_msg("%d Hz %s: %.6f tiles in 1 s, %+.3f %% off SIM_RUN_SPEED", rate, d == 0 ? "right" : "left",
                         dist, err * 100.0);
        }
    }
    print_message("top speed: worst %+.3f %% at %d Hz (limit 1 %%)\n", worst * 100.0, worst_rate);
    map_free(&m);
}

static void test_diagonal_not_faster(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 40, -1, -1);
    player_state straight = at(5.0f, 20.0f);
    for (int i = 0; i < 120; i++) step(&m, &straight, BTN_RIGHT, DT60);
    float straight_speed = fabsf(straight.vx);
    const uint8_t diags[] = {BTN_RIGHT | BTN_DOWN, BTN_RIGHT | BTN_UP, BTN_LEFT | BTN_DOWN, BTN_LEFT | BTN_UP};
    for (int d = 0; d < 4; d++) {
        player_state p = at(20.0f, 20.0f);
        for (int i = 0; i < 120; i++) {
            step(&m, &p, diags[d], DT60);
            float speed = hypotf(p.vx, p.vy);
            /* quantization per axis allows a hair of slack */
            if (speed > straight_speed + 2.0f * VEL_Q)
                fail_msg("diagonal %d: speed %.6f > straight %.6f", d, (double)speed, (double)straight_speed);
        }
        float speed = hypotf(p.vx, p.vy);
        assert_true(speed > TOP_SPEED - 0.1f);    /* normalized, not crippled */
        assert_true(fabsf(p.vx) == fabsf(p.vy)); /* exactly 45 degrees     */
        float dist = hypotf(p.x - 20.0f, p.y - 20.0f);
        float straight_dist = straight.x - 5.0f;
        assert_true(dist <= straight_dist + 0.05f);
    }
    map_free(&m);
}

static void test_opposite_buttons_cancel(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 20, 20, -1, -1);
    player_state p = at(10.0f, 10.0f);
    for (int i = 0; i < 60; i++) step(&m, &p, BTN_LEFT | BTN_RIGHT | BTN_UP | BTN_DOWN | BTN_FIRE, DT60);
    assert_true(p.x == 10.0f && p.y == 10.0f && p.vx == 0.0f && p.vy == 0.0f);
    /* left+right+down is plain down, at full (not diagonal) acceleration */
    player_state q = at(10.0f, 5.0f), r = at(10.0f, 5.0f);
    for (int i = 0; i < 30; i++) {
        step(&m, &q, BTN_LEFT | BTN_RIGHT | BTN_DOWN, DT60);
        step(&m, &r, BTN_DOWN, DT60);
    }
    assert_memory_equal(&q, &r, sizeof q);
    map_free(&m);
}

/* ---- walls --------------------------------------------------------------------- */

static void test_stops_flush_against_walls(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 16, 12, -1, -1); /* interior x 1..14, y 1..10 */
    const struct {
        uint8_t b;
        float want_x, want_y; /* NAN: axis unchanged */
    } cases[] = {
        {BTN_RIGHT, 15.0f - SIM_PLAYER_HALF, NAN},
        {BTN_LEFT, 1.0f + SIM_PLAYER_HALF, NAN},
        {BTN_DOWN, NAN, 11.0f - SIM_PLAYER_HALF},
        {BTN_UP, NAN, 1.0f + SIM_PLAYER_HALF},
    };
    for (int c = 0; c < 4; c++) {
        player_state p = at(7.5f, 5.5f);
        for (int i = 0; i < 600; i++) step(&m, &p, cases[c].b, DT60); /* 10 s of pushing */
        if (!isnan(cases[c].want_x)) {
            if (p.x != cases[c].want_x) fail_msg("case %d: x %.9g, want %.9g", c, (double)p.x, (double)cases[c].want_x);
            assert_true(p.vx == 0.0f);
            assert_true(p.y == 5.5f);
        }
        if (!isnan(cases[c].want_y)) {
            if (p.y != cases[c].want_y) fail_msg("case %d: y %.9g, want %.9g", c, (double)p.y, (double)cases[c].want_y);
            assert_true(p.vy == 0.0f);
            assert_true(p.x == 7.5f);
        }
    }
    map_free(&m);
}

static void test_wall_hit_at_every_tick_rate(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 30, 6, -1, -1);
    const float rates[] = {PROTO_MIN_TICK_RATE, 20, 30, 60, 64, 100, 128, 144, PROTO_MAX_TICK_RATE};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        float dt = 1.0f / rates[r];
        player_state p = at(2.0f, 3.0f);
        for (int i = 0; i < (int)(8.0f * rates[r]); i++) step(&m, &p, BTN_RIGHT, dt);
        if (p.x != 29.0f - SIM_PLAYER_HALF) fail_msg("%g Hz: x %.9g", (double)rates[r], (double)p.x);
        assert_true(p.vx == 0.0f);
    }
    map_free(&m);
}

static void test_slides_along_wall(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 30, 12, -1, -1);
    /* pressed against the top wall, pushing up-right: y stays, x advances */
    player_state p = at(3.0f, 1.0f + SIM_PLAYER_HALF);
    float prev_x = p.x;
    for (int i = 0; i < 120; i++) {
        step(&m, &p, BTN_UP | BTN_RIGHT, DT60);
        assert_true(p.y == 1.0f + SIM_PLAYER_HALF);
        assert_true(p.vy == 0.0f);
        assert_true(p.x > prev_x);
        prev_x = p.x;
    }
    assert_true(p.vx > 4.0f); /* the diagonal share of top speed, ~4.24 */
    /* pressed against the left wall, pushing down-left: x stays, y advances */
    p = at(1.0f + SIM_PLAYER_HALF, 2.0f);
    float prev_y = p.y;
    for (int i = 0; i < 60; i++) {
        step(&m, &p, BTN_DOWN | BTN_LEFT, DT60);
        assert_true(p.x == 1.0f + SIM_PLAYER_HALF);
        assert_true(p.y > prev_y);
        prev_y = p.y;
    }
    /* running diagonally into a wall from the open: slides once it touches */
    p = at(10.0f, 5.0f);
    for (int i = 0; i < 600; i++) step(&m, &p, BTN_DOWN | BTN_RIGHT, DT60);
    assert_true(p.y == 11.0f - SIM_PLAYER_HALF);
    assert_true(p.x == 29.0f - SIM_PLAYER_HALF); /* and ends in the corner */
    map_free(&m);
}

static void test_no_tunnelling(void **state) {
    (void)state;
    game_map m;
    /* a one-tile wall column at x = 12 and a one-tile wall row at y = 12 */
    load_room(&m, 24, 24, 12, 12);
    const float dt = 1.0f / PROTO_MIN_TICK_RATE;
    for (int k = 0; k < 128; k++) {
        float off = (float)k / 128.0f;
        /* rightwards, starting at top speed (and far above it) */
        player_state p = at(8.0f + off, 5.5f);
        p.vx = k % 2 ? SIM_MAX_SPEED : 1000.0f;
        for (int i = 0; i < 30; i++) {
            step(&m, &p, BTN_RIGHT, dt);
            if (p.x > 12.0f - SIM_PLAYER_HALF) fail_msg("went through the wall: x %.9g (start +%d/128)", (double)p.x, k);
        }
        assert_true(p.x == 12.0f - SIM_PLAYER_HALF);
        /* leftwards */
        p = at(16.0f - off, 5.5f);
        p.vx = -SIM_MAX_SPEED;
        for (int i = 0; i < 30; i++) step(&m, &p, BTN_LEFT, dt);
        assert_true(p.x == 13.0f + SIM_PLAYER_HALF);
        /* downwards and upwards through the wall row */
        p = at(5.5f, 8.0f + off);
        p.vy = SIM_MAX_SPEED;
        for (int i = 0; i < 30; i++) step(&m, &p, BTN_DOWN, dt);
        assert_true(p.y == 12.0f - SIM_PLAYER_HALF);
        p = at(5.5f, 16.0f - off);
        p.vy = -SIM_MAX_SPEED;
        for (int i = 0; i < 30; i++) step(&m, &p, BTN_UP, dt);
        assert_true(p.y == 13.0f + SIM_PLAYER_HALF);
        /* diagonally into the crossing */
        p = at(8.0f + off, 8.0f);
        p.vx = p.vy = SIM_MAX_SPEED;
        for (int i = 0; i < 30; i++) step(&m, &p, BTN_RIGHT | BTN_DOWN, dt);
        assert_true(p.x == 12.0f - SIM_PLAYER_HALF && p.y == 12.0f - SIM_PLAYER_HALF);
    }
    map_free(&m);
}

static void test_in_wall_and_quantize(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 10, 10, -1, -1);
    player_state p = at(9.0f - SIM_PLAYER_HALF, 5.0f); /* flush with x = 9 wall */
    assert_false(sim_player_in_wall(&m, &p));
    p.x += 1.0f / PROTO_POS_SCALE; /* one grid step into the wall */
    assert_true(sim_player_in_wall(&m, &p));
    p = at(1.0f + SIM_PLAYER_HALF, 1.0f + SIM_PLAYER_HALF); /* flush in a corner */
    assert_false(sim_player_in_wall(&m, &p));
    p.y -= 1.0f / PROTO_POS_SCALE;
    assert_true(sim_player_in_wall(&m, &p));
    p = at(-5.0f, 5.0f); /* outside the grid counts as wall */
    assert_true(sim_player_in_wall(&m, &p));

    /* sim_quantize: nearest grid point, positions clamped to the wire range,
     * velocities to SIM_MAX_SPEED */
    p = at(3.0f + 0.4f / PROTO_POS_SCALE, 3.0f + 0.6f / PROTO_POS_SCALE);
    p.vx = 1.0f + 0.4f / PROTO_VEL_SCALE;
    p.vy = -1.0f - 0.6f / PROTO_VEL_SCALE;
    sim_quantize(&p);
    assert_true(p.x == 3.0f && p.y == 3.0f + 1.0f / PROTO_POS_SCALE);
    assert_true(p.y == 3.000244140625f); /* 1/4096 tile: the grid is 4096 per tile */
    assert_true(p.vx == 1.0f && p.vy == -1.0f - 1.0f / PROTO_VEL_SCALE);
    assert_true(p.vy == -1.0009765625f); /* 1/1024 tile/s */
    /* halves round away from zero */
    p = at(3.0f + 0.5f / PROTO_POS_SCALE, 3.0f - 0.5f / PROTO_POS_SCALE);
    sim_quantize(&p);
    assert_true(p.x == 3.0f + 1.0f / PROTO_POS_SCALE && p.y == 3.0f);
    p = at(-1.0f, 9999.0f);
    p.vx = 50.0f;
    p.vy = -50.0f;
    sim_quantize(&p);
    assert_true(p.x == 0.0f);
    assert_true(p.y == (float)PROTO_MAP_MAX_TILES - 1.0f / PROTO_POS_SCALE);
    assert_true(p.y == 511.999755859375f); /* grid value 0x1fffff = PROTO_POS_Q_LIMIT - 1, the largest a snapshot carries */
    assert_true(p.y * PROTO_POS_SCALE == (float)(PROTO_POS_Q_LIMIT - 1u));
    assert_true(p.vx == SIM_MAX_SPEED && p.vy == -SIM_MAX_SPEED);
    /* a tiny negative rounds to 0, not to -0.0 or below */
    p = at(-0.3f / PROTO_POS_SCALE, 0.0f);
    sim_quantize(&p);
    assert_true(p.x == 0.0f && p.x * PROTO_POS_SCALE >= 0.0f);
    map_free(&m);
}

/* ---- grid, determinism ------------------------------------------------------------ */

static uint32_t rng;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* A room with pillars so random walks hit walls from every side. */
static void load_pillar_room(game_map *m) {
    const char *text = "arena-map 1\nname Pillars\ntiles\n"
                       "################\n"
                       "#S.....#.......#\n"
                       "#..##..#..#....#\n"
                       "#..##.....#.S..#\n"
                       "#.........###..#\n"
                       "#....#.........#\n"
                       "###..#...##....#\n"
                       "#....#...##..S.#\n"
                       "#..............#\n"
                       "################\n";
    char err[256] = "";
    if (!map_parse(text, strlen(text), m, err, sizeof err)) fail_msg("pillar room: %s", err);
}

static void test_state_on_grid_random_walk(void **state) {
    (void)state;
    game_map m;
    load_pillar_room(&m);
    const float rates[] = {PROTO_MIN_TICK_RATE, 30, 60, 144, PROTO_MAX_TICK_RATE};
    rng = 12345u;
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        player_state p;
        memset(&p, 0, sizeof p);
        sim_player_spawn(&m, &p, (uint32_t)r);
        uint8_t buttons = 0;
        for (int i = 0; i < 3000; i++) {
            if (xorshift32() % 20 == 0) buttons = (uint8_t)(xorshift32() & BTN_ALL);
            step(&m, &p, buttons, 1.0f / rates[r]); /* checks grid, walls, speed cap */
        }
    }
    map_free(&m);
}

static void run_sequence(const game_map *m, player_state *p, uint32_t seed, int steps, player_state *other) {
    uint32_t s = seed;
    for (int i = 0; i < steps; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        input_cmd c;
        memset(&c, 0, sizeof c);
        c.tick = (uint32_t)i;
        c.buttons = (uint8_t)((s >> 8) & BTN_ALL);
        c.aim = (uint16_t)s;
        sim_player_step(m, p, &c, DT60);
        if (other) { /* interleave a second player with different input */
            c.buttons = (uint8_t)(~c.buttons & BTN_ALL);
            sim_player_step(m, other, &c, 1.0f / 20.0f);
        }
    }
}

static void test_determinism(void **state) {
    (void)state;
    game_map m;
    load_pillar_room(&m);
    player_state a, b, other;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&other, 0, sizeof other);
    sim_player_spawn(&m, &a, 1);
    sim_player_spawn(&m, &b, 1);
    sim_player_spawn(&m, &other, 0);
    assert_memory_equal(&a, &b, sizeof a);
    run_sequence(&m, &a, 0xdecafbadu, 5000, NULL);
    run_sequence(&m, &b, 0xdecafbadu, 5000, &other);
    assert_memory_equal(&a, &b, sizeof a);
    /* and the sequence really moved the player */
    player_state start;
    memset(&start, 0, sizeof start);
    sim_player_spawn(&m, &start, 1);
    assert_true(a.x != start.x || a.y != start.y);
    /* a different sequence gives a different state */
    player_state c;
    memset(&c, 0, sizeof c);
    sim_player_spawn(&m, &c, 1);
    run_sequence(&m, &c, 0x12345678u, 5000, NULL);
    assert_true(memcmp(&a, &c, sizeof a) != 0);
    map_free(&m);
}

/* ---- spawn, dead players --------------------------------------------------------- */

static void test_spawn_places_and_cycles(void **state) {
    (void)state;
    const char *text = "arena-map 1\nname Spawns\ntiles\n"
                       "#######\n"
                       "#S...S#\n"
                       "#.....#\n"
                       "#..S..#\n"
                       "#######\n";
    game_map m;
    char err[256] = "";
    assert_true(map_parse(text, strlen(text), &m, err, sizeof err));
    assert_int_equal(m.spawn_count, 3);
    const float want[3][2] = {{1.5f, 1.5f}, {5.5f, 1.5f}, {3.5f, 3.5f}};
    for (uint32_t i = 0; i < 9; i++) {
        player_state p = at(0.0f, 0.0f);
        p.vx = 3.0f;
        p.vy = -2.0f;
        p.flags = 0;
        p.health = (uint8_t)(i * 7); /* dead (0) or hurt */
        sim_player_spawn(&m, &p, i);
        assert_true(p.x == want[i % 3][0] && p.y == want[i % 3][1]);
        assert_true(p.vx == 0.0f && p.vy == 0.0f);
        assert_int_equal(p.flags, ENT_FLAG_ALIVE);
        assert_int_equal(p.health, PROTO_MAX_HEALTH);
        assert_false(sim_player_in_wall(&m, &p));
    }
    player_state p = at(0.0f, 0.0f);
    sim_player_spawn(&m, &p, UINT32_MAX); /* 4294967295 % 3 == 0 */
    assert_true(p.x == 1.5f && p.y == 1.5f);
    assert_int_equal(p.health, PROTO_MAX_HEALTH);
    map_free(&m);
}

/* ---- sim_ray_wall_distance --------------------------------------------------------- */

#define RAY_EPS 1e-4f

static void expect_ray(const game_map *m, float ox, float oy, float dx, float dy, float range, float want, int line) {
    float got = sim_ray_wall_distance(m, ox, oy, dx, dy, range);
    if (!(fabsf(got - want) <= RAY_EPS))
        fail_msg("line %d: ray from %.4g,%.4g along %.4g,%.4g (range %.4g): %.7g, want %.7g", line, (double)ox,
                 (double)oy, (double)dx, (double)dy, (double)range, (double)got, (double)want);
}
#define EXPECT_RAY(m, ox, oy, dx, dy, range, want) expect_ray((m), (ox), (oy), (dx), (dy), (range), (want), __LINE__)

static void test_ray_wall_distance_axes(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 20, 12, -1, -1); /* border walls: columns 0 and 19, rows 0 and 11 */
    /* from the middle of tile (5, 5): the wall faces are x = 1, x = 19, y = 1
     * and y = 11 */
    EXPECT_RAY(&m, 5.5f, 5.5f, 1.0f, 0.0f, 100.0f, 13.5f);
    EXPECT_RAY(&m, 5.5f, 5.5f, -1.0f, 0.0f, 100.0f, 4.5f);
    EXPECT_RAY(&m, 5.5f, 5.5f, 0.0f, 1.0f, 100.0f, 5.5f);
    EXPECT_RAY(&m, 5.5f, 5.5f, 0.0f, -1.0f, 100.0f, 4.5f);
    /* from off-centre points, next to a wall, and from the very last floor
     * tile */
    EXPECT_RAY(&m, 2.25f, 3.75f, 1.0f, 0.0f, 100.0f, 16.75f);
    EXPECT_RAY(&m, 2.25f, 3.75f, 0.0f, -1.0f, 100.0f, 2.75f);
    EXPECT_RAY(&m, 18.9f, 10.9f, 1.0f, 0.0f, 100.0f, 0.1f);
    EXPECT_RAY(&m, 18.9f, 10.9f, 0.0f, 1.0f, 100.0f, 0.1f);
    EXPECT_RAY(&m, 1.0f, 5.5f, -1.0f, 0.0f, 100.0f, 0.0f); /* on the wall face */
    map_free(&m);

    /* an interior wall column (x = 10) and row (y = 7) stop rays first */
    load_room(&m, 20, 12, 10, 7);
    EXPECT_RAY(&m, 3.5f, 3.5f, 1.0f, 0.0f, 100.0f, 6.5f);
    EXPECT_RAY(&m, 15.5f, 3.5f, -1.0f, 0.0f, 100.0f, 4.5f);
    EXPECT_RAY(&m, 3.5f, 3.5f, 0.0f, 1.0f, 100.0f, 3.5f);
    EXPECT_RAY(&m, 3.5f, 9.5f, 0.0f, -1.0f, 100.0f, 1.5f);
    map_free(&m);
}

static void test_ray_wall_distance_diagonal(void **state) {
    (void)state;
    const char *text = "arena-map 1\nname Pillar\ntiles\n"
                       "################\n"
                       "#S.............#\n"
                       "#..............#\n"
                       "#..............#\n"
                       "#..............#\n"
                       "#..............#\n"
                       "#..............#\n"
                       "#..............#\n"
                       "#..............#\n"
                       "#..............#\n"
                       "#.........#....#\n"
                       "#..............#\n"
                       "################\n";
    game_map m;
    char err[256] = "";
    if (!map_parse(text, strlen(text), &m, err, sizeof err)) fail_msg("pillar map: %s", err);
    assert_true(map_is_wall(&m, 10, 10));
    const float r = 0.70710678f; /* 1 / sqrt(2) */
    /* 45 degrees from (5.25, 5.5): x = 5.25 + s, y = 5.5 + s meets the
     * pillar's face x = 10 at s = 4.75 (y = 10.25, inside row 10); before
     * that, at y = 10 (s = 4.5), x = 9.75 is still floor */
    EXPECT_RAY(&m, 5.25f, 5.5f, r, r, 100.0f, 4.75f * 1.41421356f);
    /* the same line, shifted to pass left of the pillar, reaches the
     * bottom wall's face y = 12 at s = 6.5 */
    EXPECT_RAY(&m, 2.25f, 5.5f, r, r, 100.0f, 6.5f * 1.41421356f);
    /* a 3-4-5 direction up and left from (12.5, 11.5): the top wall's face
     * y = 1 at t = 10.5 / 0.8 = 13.125 (x = 12.5 - 7.875 = 4.625) */
    EXPECT_RAY(&m, 12.5f, 11.5f, -0.6f, -0.8f, 100.0f, 13.125f);
    /* down and right from (1.25, 2.5) at 45 degrees passes beside the
     * pillar (row 10 is crossed at x 8.75..9.75, column 10 at y 11.25..12.25)
     * and meets the bottom wall's face y = 12 at s = 9.5 (x = 10.75) */
    EXPECT_RAY(&m, 1.25f, 2.5f, r, r, 100.0f, 9.5f * 1.41421356f);
    /* ... while one tile further right it hits the pillar: at y = 10
     * (s = 7.5) x = 9.75 is still floor, then the left face x = 10 at
     * s = 7.75 (y = 10.25) */
    EXPECT_RAY(&m, 2.25f, 2.5f, r, r, 100.0f, 7.75f * 1.41421356f);
    map_free(&m);
}

static void test_ray_wall_distance_range_and_inside(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 40, -1, -1);
    /* no wall within range: exactly the range, along axes and diagonals */
    const float r = 0.70710678f;
    const float dirs[][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {r, r}, {-r, r}, {0.6f, -0.8f}};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        EXPECT_RAY(&m, 20.5f, 20.5f, dirs[i][0], dirs[i][1], 3.0f, 3.0f);
        assert_true(sim_ray_wall_distance(&m, 20.5f, 20.5f, dirs[i][0], dirs[i][1], 3.0f) == 3.0f);
        EXPECT_RAY(&m, 20.5f, 20.5f, dirs[i][0], dirs[i][1], 0.25f, 0.25f);
    }
    /* the wall just beyond the range, then just within it */
    EXPECT_RAY(&m, 20.5f, 20.5f, 1.0f, 0.0f, 18.0f, 18.0f); /* face at 18.5 */
    EXPECT_RAY(&m, 20.5f, 20.5f, 1.0f, 0.0f, 18.5f, 18.5f);
    EXPECT_RAY(&m, 20.5f, 20.5f, 1.0f, 0.0f, 19.0f, 18.5f);
    /* origin inside a wall (a border tile, a corner) or outside the map: 0,
     * whatever the direction and range */
    const float inside[][2] = {{0.5f, 20.5f}, {39.5f, 39.5f}, {20.5f, 0.01f}, {-3.0f, 5.0f}, {50.0f, 50.0f}};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
        for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
            float got = sim_ray_wall_distance(&m, inside[i][0], inside[i][1], dirs[d][0], dirs[d][1], 100.0f);
            if (got != 0.0f)
                fail_msg("ray from %.3g,%.3g (a wall) gave %.7g", (double)inside[i][0], (double)inside[i][1],
                         (double)got);
        }
    map_free(&m);
}

static void test_dead_player_does_not_move(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 20, 20, -1, -1);
    player_state p = at(10.0f, 10.0f);
    p.flags = 0;
    p.vx = 5.0f;
    p.vy = -3.0f;
    p.aim = 77;
    player_state before = p;
    const uint8_t inputs[] = {0, BTN_RIGHT, BTN_UP | BTN_LEFT, BTN_ALL};
    for (int i = 0; i < 240; i++) {
        input_cmd c = cmd(inputs[i % 4]);
        sim_player_step(&m, &p, &c, DT60);
    }
    assert_memory_equal(&before, &p, sizeof p);
    /* alive again, the same state moves at once */
    p.flags = ENT_FLAG_ALIVE;
    step(&m, &p, 0, DT60);
    assert_true(p.x > 10.0f && p.y < 10.0f);
    assert_int_equal(p.aim, 1234);
    map_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accelerates_to_top_speed),
        cmocka_unit_test(test_all_four_directions),
        cmocka_unit_test(test_release_stops_exactly),
        cmocka_unit_test(test_velocity_approaches_wish),
        cmocka_unit_test(test_one_direction_leaves_no_drift),
        cmocka_unit_test(test_top_speed_at_tick_rates),
        cmocka_unit_test(test_diagonal_not_faster),
        cmocka_unit_test(test_opposite_buttons_cancel),
        cmocka_unit_test(test_stops_flush_against_walls),
        cmocka_unit_test(test_wall_hit_at_every_tick_rate),
        cmocka_unit_test(test_slides_along_wall),
        cmocka_unit_test(test_no_tunnelling),
        cmocka_unit_test(test_in_wall_and_quantize),
        cmocka_unit_test(test_state_on_grid_random_walk),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_spawn_places_and_cycles),
        cmocka_unit_test(test_dead_player_does_not_move),
        cmocka_unit_test(test_ray_wall_distance_axes),
        cmocka_unit_test(test_ray_wall_distance_diagonal),
        cmocka_unit_test(test_ray_wall_distance_range_and_inside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
