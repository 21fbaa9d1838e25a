/* test_sv_lagcomp.c - server/sv_lagcomp.c: the position history and
 * rewound hitscan rays of lag compensation.
 *
 * Covers: the history ring (lag_begin_tick starts a row with every player
 * absent, lag_record fills it, records for ticks not begun or players out of
 * range are ignored, a tick is overwritten LAGCOMP_HISTORY ticks later);
 * lag_rewind_tick (the view tick itself when recent, never newer than now,
 * never older than LAGCOMP_MAX_MS: 12 ticks at 60 Hz, 48 at 240 Hz, and
 * the rounding at every rate 10..240 Hz; falling forward to a tick the
 * history holds); lag_raycast (the nearest player along the ray, misses
 * just past LAGCOMP_HIT_RADIUS, stopped by walls so a player behind one is
 * not hit, the shooter and dead players ignored, players behind the
 * shooter or beyond the range not hit, the distance reported). And the
 * point of it all, at 60 Hz: a target running across the shooter's line of
 * fire (moved by sim_player_step, recorded tick by tick); a shot aimed at
 * where the target was drawn 100 ms (6 ticks) ago hits when rewound to that
 * tick and misses without rewinding, while a shot aimed at where the target
 * is now misses at the rewind tick and hits without rewinding.
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
#include "sv_lagcomp.h"

#define PI_F 3.14159265f
#define DIST_EPS 1e-3f

/* Builds a w x h room with border walls, one spawn at (1, 1), and a full
 * wall column at wall_col when >= 0. */
static void load_room(game_map *m, int w, int h, int wall_col) {
    size_t cap = 64 + (size_t)(w + 1) * (size_t)h;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "arena-map 1\nname Lag\ntiles\n");
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            bool wall = x == 0 || y == 0 || x == w - 1 || y == h - 1 || x == wall_col;
            text[n++] = wall ? '#' : (x == 1 && y == 1) ? 'S' : '.';
        }
        text[n++] = '\n';
    }
    char err[256] = "";
    if (!map_parse(text, n, m, err, sizeof err)) fail_msg("room %dx%d: %s", w, h, err);
    free(text);
}

static float angle_to(float ox, float oy, float tx, float ty) { return atan2f(ty - oy, tx - ox); }

/* Casts and checks the player hit and the distance reported. */
static void expect_cast_at(const lag_history *h, const game_map *m, uint32_t tick, int shooter, float ox, float oy,
                           float angle, float range, int want_hit, float want_dist, int line) {
    float dist = -1.0f;
    int hit = lag_raycast(h, m, tick, shooter, ox, oy, angle, range, &dist);
    if (hit != want_hit || !(fabsf(dist - want_dist) <= DIST_EPS))
        fail_msg("line %d: ray at tick %u from %.4g,%.4g angle %.4g: hit %d dist %.6g, want hit %d dist %.6g", line,
                 tick, (double)ox, (double)oy, (double)angle, hit, (double)dist, want_hit, (double)want_dist);
}
#define EXPECT_CAST(h, m, tick, shooter, ox, oy, angle, range, hit, dist) \
    expect_cast_at((h), (m), (tick), (shooter), (ox), (oy), (angle), (range), (hit), (dist), __LINE__)

/* ---- the history ring ---------------------------------------------------------- */

static void test_history_init_and_free(void **state) {
    (void)state;
    lag_history h;
    memset(&h, 0x5a, sizeof h);
    assert_true(lag_history_init(&h, PROTO_MAX_PLAYERS));
    assert_int_equal(h.players, PROTO_MAX_PLAYERS);
    assert_non_null(h.rows);
    for (int i = 0; i < LAGCOMP_HISTORY; i++) assert_int_equal(h.ticks[i], 0);
    /* every row starts empty: nobody alive anywhere */
    for (size_t i = 0; i < (size_t)LAGCOMP_HISTORY * PROTO_MAX_PLAYERS; i++) assert_false(h.rows[i].alive);
    lag_history_free(&h);
    assert_null(h.rows);
    lag_history_free(&h); /* twice is harmless */
    assert_null(h.rows);
}

static void test_history_record_and_overwrite(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 40, -1);
    lag_history h;
    assert_true(lag_history_init(&h, 4));
    const float right = 0.0f;

    /* tick 10: player 1 ahead of player 0 */
    lag_begin_tick(&h, 10);
    lag_record(&h, 10, 0, 5.5f, 20.5f, true);
    lag_record(&h, 10, 1, 15.5f, 20.5f, true);
    assert_int_equal(h.ticks[10 % LAGCOMP_HISTORY], 10);
    EXPECT_CAST(&h, &m, 10, 0, 5.5f, 20.5f, right, 100.0f, 1, 10.0f - LAGCOMP_HIT_RADIUS);
    /* a tick never begun holds nobody: the ray reaches the wall (face x = 39) */
    EXPECT_CAST(&h, &m, 11, 0, 5.5f, 20.5f, right, 100.0f, -1, 33.5f);
    /* records for a tick not begun, or for players out of range, are ignored */
    lag_record(&h, 11, 1, 15.5f, 20.5f, true);
    EXPECT_CAST(&h, &m, 11, 0, 5.5f, 20.5f, right, 100.0f, -1, 33.5f);
    lag_record(&h, 10, -1, 7.5f, 20.5f, true);
    lag_record(&h, 10, 4, 7.5f, 20.5f, true);
    lag_record(&h, 10, 1000, 7.5f, 20.5f, true);
    EXPECT_CAST(&h, &m, 10, 0, 5.5f, 20.5f, right, 100.0f, 1, 10.0f - LAGCOMP_HIT_RADIUS);
    /* a record for another tick sharing a row (not begun) is ignored */
    lag_begin_tick(&h, 12);
    lag_record(&h, 12, 2, 30.5f, 20.5f, true);
    lag_record(&h, 12 + LAGCOMP_HISTORY, 3, 8.5f, 20.5f, true);
    EXPECT_CAST(&h, &m, 12, 0, 5.5f, 20.5f, right, 100.0f, 2, 25.0f - LAGCOMP_HIT_RADIUS);

    /* beginning a tick again starts its row afresh: everyone absent */
    lag_begin_tick(&h, 10);
    EXPECT_CAST(&h, &m, 10, 0, 5.5f, 20.5f, right, 100.0f, -1, 33.5f);
    lag_record(&h, 10, 1, 15.5f, 20.5f, true);
    lag_record(&h, 10, 1, 25.5f, 20.5f, true); /* the last record counts */
    EXPECT_CAST(&h, &m, 10, 0, 5.5f, 20.5f, right, 100.0f, 1, 20.0f - LAGCOMP_HIT_RADIUS);

    /* ticks 1..200, player 1 at x = 2 + tick / 10: the ring holds the last
     * LAGCOMP_HISTORY of them, older ones are overwritten */
    for (uint32_t t = 1; t <= 200; t++) {
        lag_begin_tick(&h, t);
        lag_record(&h, t, 1, 2.0f + (float)t / 10.0f, 10.5f, true);
    }
    for (uint32_t t = 1; t <= 200; t++) {
        bool held = t > 200 - LAGCOMP_HISTORY;
        assert_int_equal(h.ticks[t % LAGCOMP_HISTORY] == t, held);
        /* shoot down the column the player stood in at tick t */
        float x = 2.0f + (float)t / 10.0f;
        float dist;
        int hit = lag_raycast(&h, &m, t, 0, x, 2.5f, PI_F / 2.0f, 100.0f, &dist);
        if (hit != (held ? 1 : -1)) fail_msg("tick %u: hit %d (held %d)", t, hit, held);
        if (held) assert_true(fabsf(dist - (8.0f - LAGCOMP_HIT_RADIUS)) <= DIST_EPS);
    }
    /* the overwritten tick 200 - LAGCOMP_HISTORY shares its row with 200:
     * asking for it finds nothing, not tick 200's positions */
    float x200 = 2.0f + 200.0f / 10.0f;
    assert_int_equal(lag_raycast(&h, &m, 200 - LAGCOMP_HISTORY, 0, x200, 2.5f, PI_F / 2.0f, 100.0f, NULL), -1);
    assert_int_equal(lag_raycast(&h, &m, 200, 0, x200, 2.5f, PI_F / 2.0f, 100.0f, NULL), 1);
    lag_history_free(&h);
    map_free(&m);
}

/* ---- lag_rewind_tick ------------------------------------------------------------- */

static void fill_ticks(lag_history *h, uint32_t from, uint32_t to) {
    for (uint32_t t = from; t <= to; t++) {
        lag_begin_tick(h, t);
        lag_record(h, t, 0, 3.5f, 3.5f, true);
    }
}

static void test_rewind_clamps(void **state) {
    (void)state;
    lag_history h;
    assert_true(lag_history_init(&h, 2));
    fill_ticks(&h, 1, 1000);
    const uint32_t now = 1000;

    /* 60 Hz: LAGCOMP_MAX_MS = 200 ms = 12 ticks */
    assert_int_equal(lag_rewind_tick(&h, now, now, 60), now);
    assert_int_equal(lag_rewind_tick(&h, now, now - 1, 60), now - 1);
    assert_int_equal(lag_rewind_tick(&h, now, now - 6, 60), now - 6); /* 100 ms */
    assert_int_equal(lag_rewind_tick(&h, now, now - 12, 60), now - 12);
    assert_int_equal(lag_rewind_tick(&h, now, now - 13, 60), now - 12);
    assert_int_equal(lag_rewind_tick(&h, now, now - 500, 60), now - 12);
    assert_int_equal(lag_rewind_tick(&h, now, 0, 60), now - 12);
    /* never newer than now (a client claiming to see the future) */
    assert_int_equal(lag_rewind_tick(&h, now, now + 1, 60), now);
    assert_int_equal(lag_rewind_tick(&h, now, UINT32_MAX, 60), now);

    /* 240 Hz: 48 ticks */
    assert_int_equal(lag_rewind_tick(&h, now, now - 24, 240), now - 24);
    assert_int_equal(lag_rewind_tick(&h, now, now - 48, 240), now - 48);
    assert_int_equal(lag_rewind_tick(&h, now, now - 49, 240), now - 48);
    assert_int_equal(lag_rewind_tick(&h, now, 0, 240), now - 48);
    assert_int_equal(lag_rewind_tick(&h, now, now + 5, 240), now);

    /* every tick rate: the furthest rewind is LAGCOMP_MAX_MS rounded to
     * whole ticks, within the history */
    for (int rate = PROTO_MIN_TICK_RATE; rate <= PROTO_MAX_TICK_RATE; rate++) {
        uint32_t want = (uint32_t)lround(LAGCOMP_MAX_MS / 1000.0 * rate);
        assert_true(want < LAGCOMP_HISTORY);
        uint32_t got = now - lag_rewind_tick(&h, now, 0, rate);
        if (got != want) fail_msg("%d Hz: rewinds at most %u ticks, want %u", rate, got, want);
        assert_true((double)got * 1000.0 / rate <= LAGCOMP_MAX_MS + 500.0 / rate);
        assert_int_equal(lag_rewind_tick(&h, now, now - got, rate), now - got);
    }
    assert_int_equal(now - lag_rewind_tick(&h, now, 0, 10), 2);
    assert_int_equal(now - lag_rewind_tick(&h, now, 0, 144), 29); /* 28.8 */
    lag_history_free(&h);
}

static void test_rewind_falls_forward(void **state) {
    (void)state;
    lag_history h;
    assert_true(lag_history_init(&h, 2));

    /* the first ticks of a server: never tick 0, only ticks recorded */
    fill_ticks(&h, 1, 5);
    assert_int_equal(lag_rewind_tick(&h, 5, 0, 60), 1);
    assert_int_equal(lag_rewind_tick(&h, 5, 3, 60), 3);
    assert_int_equal(lag_rewind_tick(&h, 5, 9, 60), 5);

    /* ticks missing from the history (never begun): the next one held */
    lag_history_free(&h);
    assert_true(lag_history_init(&h, 2));
    fill_ticks(&h, 1, 94);
    fill_ticks(&h, 97, 100);
    assert_int_equal(lag_rewind_tick(&h, 100, 95, 60), 97);
    assert_int_equal(lag_rewind_tick(&h, 100, 96, 60), 97);
    assert_int_equal(lag_rewind_tick(&h, 100, 94, 60), 94);
    assert_int_equal(lag_rewind_tick(&h, 100, 97, 60), 97);

    /* a history younger than the window (recording started at tick 80):
     * the oldest tick held */
    lag_history_free(&h);
    assert_true(lag_history_init(&h, 2));
    fill_ticks(&h, 80, 100);
    assert_int_equal(lag_rewind_tick(&h, 100, 60, 240), 80);
    assert_int_equal(lag_rewind_tick(&h, 100, 0, 240), 80);
    assert_int_equal(lag_rewind_tick(&h, 100, 85, 240), 85);

    /* the window moves on with now: 101..170 recorded too (the ring now
     * holds 107..170), 240 Hz allows 48 ticks back */
    fill_ticks(&h, 101, 170);
    /* (the rows of 100..106 now hold 164..170: asked about an instant when
     * tick 100 was in the window, it is not held any more) */
    assert_int_equal(lag_rewind_tick(&h, 140, 100, 240), 107);
    assert_int_equal(lag_rewind_tick(&h, 170, 100, 240), 122);
    assert_int_equal(lag_rewind_tick(&h, 170, 130, 240), 130);
    /* a gap right at the edge of the window: 122 and 123 begun again as
     * other ticks' rows would be, i.e. not held: fall forward to 124 */
    lag_begin_tick(&h, 122 + LAGCOMP_HISTORY);
    lag_begin_tick(&h, 123 + LAGCOMP_HISTORY);
    assert_int_equal(lag_rewind_tick(&h, 170, 100, 240), 124);
    assert_int_equal(lag_rewind_tick(&h, 170, 123, 240), 124);

    /* nothing held at all up to now: now itself */
    lag_history_free(&h);
    assert_true(lag_history_init(&h, 2));
    assert_int_equal(lag_rewind_tick(&h, 500, 495, 60), 500);
    lag_history_free(&h);
}

/* ---- lag_raycast ------------------------------------------------------------------ */

static void test_raycast_nearest_and_radius(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 40, -1);
    lag_history h;
    assert_true(lag_history_init(&h, 8));
    const uint32_t t = 7;
    lag_begin_tick(&h, t);
    lag_record(&h, t, 0, 5.5f, 20.5f, true);  /* the shooter        */
    lag_record(&h, t, 1, 15.5f, 20.5f, true); /* far, on the line   */
    lag_record(&h, t, 2, 10.5f, 20.5f, true); /* near, on the line  */
    lag_record(&h, t, 3, 8.0f, 25.5f, true);  /* off the line       */
    lag_record(&h, t, 4, 2.0f, 20.5f, true);  /* behind the shooter */

    /* along +x: player 2 (5 tiles) before player 1 (10 tiles) */
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, 0.0f, 100.0f, 2, 5.0f - LAGCOMP_HIT_RADIUS);
    /* along -x: player 4 behind the shooter is 3.5 tiles that way */
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, PI_F, 100.0f, 4, 3.5f - LAGCOMP_HIT_RADIUS);
    /* toward player 3 */
    float a3 = angle_to(5.5f, 20.5f, 8.0f, 25.5f);
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, a3, 100.0f, 3, sqrtf(2.5f * 2.5f + 5.0f * 5.0f) - LAGCOMP_HIT_RADIUS);
    /* straight up (-y): nobody, the wall face y = 1 */
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, -PI_F / 2.0f, 100.0f, -1, 19.5f);

    /* passing beside player 2 (dist 5): at a perpendicular offset d the ray
     * enters its circle at 5 - sqrt(r^2 - d^2); just past the radius it
     * misses (and player 1, as far off the parallel ray, too) */
    const float r = LAGCOMP_HIT_RADIUS;
    const float offsets[] = {0.0f, 0.1f, 0.2f, 0.3f, 0.39f, r - 0.005f};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        float d = offsets[i];
        EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f + d, 0.0f, 100.0f, 2, 5.0f - sqrtf(r * r - d * d));
        EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f - d, 0.0f, 100.0f, 2, 5.0f - sqrtf(r * r - d * d));
    }
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f + r + 0.005f, 0.0f, 100.0f, -1, 33.5f);
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f - r - 0.005f, 0.0f, 100.0f, -1, 33.5f);
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f + 0.5f, 0.0f, 100.0f, -1, 33.5f);
    /* an angle that passes just outside player 2's circle: perpendicular
     * distance 5 * sin(a) */
    float a_miss = asinf((r + 0.01f) / 5.0f), a_hit = asinf((r - 0.01f) / 5.0f);
    assert_int_equal(lag_raycast(&h, &m, t, 0, 5.5f, 20.5f, a_miss, 100.0f, NULL), -1);
    assert_int_equal(lag_raycast(&h, &m, t, 0, 5.5f, 20.5f, a_hit, 100.0f, NULL), 2);
    assert_int_equal(lag_raycast(&h, &m, t, 0, 5.5f, 20.5f, -a_miss, 100.0f, NULL), -1);
    assert_int_equal(lag_raycast(&h, &m, t, 0, 5.5f, 20.5f, -a_hit, 100.0f, NULL), 2);

    /* the range: player 2's circle starts at 4.6 tiles */
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, 0.0f, 4.5f, -1, 4.5f);
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, 0.0f, 4.7f, 2, 5.0f - r);
    /* dist may be NULL */
    assert_int_equal(lag_raycast(&h, &m, t, 0, 5.5f, 20.5f, 0.0f, 100.0f, NULL), 2);
    lag_history_free(&h);
    map_free(&m);
}

static void test_raycast_ignores_shooter_and_dead(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 40, -1);
    lag_history h;
    assert_true(lag_history_init(&h, 8));
    const uint32_t t = 300;
    lag_begin_tick(&h, t);
    lag_record(&h, t, 5, 5.5f, 20.5f, true);   /* the shooter, at the origin    */
    lag_record(&h, t, 2, 8.5f, 20.5f, false);  /* dead, nearest on the line     */
    lag_record(&h, t, 6, 12.5f, 20.5f, true);  /* alive, behind the dead one    */
    lag_record(&h, t, 7, 16.5f, 20.5f, false); /* dead                          */
    /* the shooter's own circle (around the origin) never stops the ray */
    EXPECT_CAST(&h, &m, t, 5, 5.5f, 20.5f, 0.0f, 100.0f, 6, 7.0f - LAGCOMP_HIT_RADIUS);
    /* the same positions from another shooter's point of view: player 5 is
     * a target then (its circle holds the origin: distance 0) */
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, 0.0f, 100.0f, 5, 0.0f);
    /* a shooter standing elsewhere: player 5 is just another target */
    EXPECT_CAST(&h, &m, t, 1, 2.5f, 20.5f, 0.0f, 100.0f, 5, 3.0f - LAGCOMP_HIT_RADIUS);
    /* with player 6 dead too, nothing is hit */
    lag_record(&h, t, 6, 12.5f, 20.5f, false);
    EXPECT_CAST(&h, &m, t, 5, 5.5f, 20.5f, 0.0f, 100.0f, -1, 33.5f);
    /* players never recorded this tick are absent */
    lag_begin_tick(&h, t + 1);
    lag_record(&h, t + 1, 5, 5.5f, 20.5f, true);
    EXPECT_CAST(&h, &m, t + 1, 5, 5.5f, 20.5f, 0.0f, 100.0f, -1, 33.5f);
    lag_history_free(&h);
    map_free(&m);
}

static void test_raycast_stops_at_walls(void **state) {
    (void)state;
    game_map m;
    load_room(&m, 40, 40, 10); /* a wall column at x = 10: faces x = 10 and 11 */
    lag_history h;
    assert_true(lag_history_init(&h, 4));
    const uint32_t t = 42;
    lag_begin_tick(&h, t);
    lag_record(&h, t, 0, 5.5f, 20.5f, true);
    lag_record(&h, t, 1, 13.5f, 20.5f, true); /* behind the wall */
    /* a player behind the wall is not hit; the wall face is 4.5 tiles away */
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, 0.0f, 100.0f, -1, 4.5f);
    /* ... nor diagonally through it */
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 18.5f, angle_to(5.5f, 18.5f, 13.5f, 20.5f), 100.0f, -1,
                4.5f / cosf(angle_to(5.5f, 18.5f, 13.5f, 20.5f)));
    /* in front of the wall it is; its circle reaching past the wall face
     * still counts where it is in front (centre 9.7: enters at 9.3) */
    lag_record(&h, t, 2, 8.5f, 20.5f, true);
    EXPECT_CAST(&h, &m, t, 0, 5.5f, 20.5f, 0.0f, 100.0f, 2, 3.0f - LAGCOMP_HIT_RADIUS);
    lag_begin_tick(&h, t + 1);
    lag_record(&h, t + 1, 1, 13.5f, 20.5f, true);
    lag_record(&h, t + 1, 3, 9.7f, 20.5f, true);
    EXPECT_CAST(&h, &m, t + 1, 0, 5.5f, 20.5f, 0.0f, 100.0f, 3, 4.2f - LAGCOMP_HIT_RADIUS);
    /* a circle whose near edge is beyond the wall face is not hit */
    lag_record(&h, t + 1, 3, 10.45f, 20.5f, true); /* enters at 10.05, inside the wall */
    EXPECT_CAST(&h, &m, t + 1, 0, 5.5f, 20.5f, 0.0f, 100.0f, -1, 4.5f);
    /* from the other side, player 1 is hit and the wall is behind it */
    EXPECT_CAST(&h, &m, t, 3, 20.5f, 20.5f, PI_F, 100.0f, 1, 7.0f - LAGCOMP_HIT_RADIUS);
    /* from inside a wall nothing is hit: distance 0 */
    EXPECT_CAST(&h, &m, t, 3, 10.5f, 20.5f, 0.0f, 100.0f, -1, 0.0f);
    lag_history_free(&h);
    map_free(&m);
}

/* ---- the point: shots resolved against where the shooter saw the target --------- */

static void test_rewound_shot_hits_what_was_seen(void **state) {
    (void)state;
    enum { RATE = 60, SHOOTER = 0, TARGET = 3, NOW = 60 };
    const float dt = 1.0f / RATE;
    game_map m;
    load_room(&m, 60, 40, -1);
    lag_history h;
    assert_true(lag_history_init(&h, 8));

    /* the shooter stands still at (30.5, 30.5); the target runs right
     * along y = 20.5, across the shooter's line of fire (x = 30.5, straight
     * up), passing it around the NOW tick */
    player_state shooter, target;
    memset(&shooter, 0, sizeof shooter);
    memset(&target, 0, sizeof target);
    shooter.x = 30.5f;
    shooter.y = 30.5f;
    shooter.flags = ENT_FLAG_ALIVE;
    shooter.health = PROTO_MAX_HEALTH;
    target.x = 26.0f;
    target.y = 20.5f;
    target.flags = ENT_FLAG_ALIVE;
    target.health = PROTO_MAX_HEALTH;
    sim_quantize(&shooter);
    sim_quantize(&target);
    input_cmd run, idle;
    memset(&run, 0, sizeof run);
    memset(&idle, 0, sizeof idle);
    run.buttons = BTN_RIGHT;
    float tx[NOW + 1], ty[NOW + 1];
    for (uint32_t t = 1; t <= NOW; t++) {
        run.tick = idle.tick = t;
        sim_player_step(&m, &target, &run, dt);
        sim_player_step(&m, &shooter, &idle, dt);
        lag_begin_tick(&h, t);
        lag_record(&h, t, SHOOTER, shooter.x, shooter.y, true);
        lag_record(&h, t, TARGET, target.x, target.y, true);
        tx[t] = target.x;
        ty[t] = target.y;
    }
    /* running steadily at the run speed: 0.1 tiles a tick, so 6 ticks
     * apart its positions are further apart than its hit circle is wide */
    assert_true(target.vx == SIM_RUN_SPEED);
    const uint32_t seen = NOW - 6; /* drawn 100 ms ago */
    assert_true(fabsf((tx[NOW] - tx[seen]) - 0.6f) < 1e-3f);
    assert_true(tx[NOW] - tx[seen] > 1.5f * LAGCOMP_HIT_RADIUS);
    assert_true(ty[NOW] == ty[seen]);
    assert_true(fabsf(tx[seen] - shooter.x) < 1.0f); /* it really crosses the line of fire */

    /* the client saw the target at tick NOW - 6 (100 ms): that is where the
     * server rewinds to */
    uint32_t rewind = lag_rewind_tick(&h, NOW, seen, RATE);
    assert_int_equal(rewind, seen);
    const float ox = shooter.x, oy = shooter.y;
    const float at_seen = angle_to(ox, oy, tx[seen], ty[seen]);
    const float at_now = angle_to(ox, oy, tx[NOW], ty[NOW]);
    const float d_seen = hypotf(tx[seen] - ox, ty[seen] - oy), d_now = hypotf(tx[NOW] - ox, ty[NOW] - oy);
    const float wall = oy - 1.0f; /* to the top wall's face y = 1 */

    /* aimed at where the target was drawn: a hit when rewound ... */
    EXPECT_CAST(&h, &m, rewind, SHOOTER, ox, oy, at_seen, 100.0f, TARGET, d_seen - LAGCOMP_HIT_RADIUS);
    /* ... and a miss without rewinding (the target has run on) */
    EXPECT_CAST(&h, &m, NOW, SHOOTER, ox, oy, at_seen, 100.0f, -1, wall / sinf(-at_seen));
    /* aimed at where the target is now (but was not then): a miss at the
     * rewind tick ... */
    EXPECT_CAST(&h, &m, rewind, SHOOTER, ox, oy, at_now, 100.0f, -1, wall / sinf(-at_now));
    /* ... and a hit without rewinding */
    EXPECT_CAST(&h, &m, NOW, SHOOTER, ox, oy, at_now, 100.0f, TARGET, d_now - LAGCOMP_HIT_RADIUS);
    assert_int_equal(lag_rewind_tick(&h, NOW, NOW, RATE), NOW);

    /* at every view lag up to LAGCOMP_MAX_MS (12 ticks) the shot at what was
     * drawn hits; far beyond it the rewind stops at 12 ticks and a shot at
     * the older position (0.6 tiles and more behind) misses */
    const uint32_t backs[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 18, 20, 25, 30};
    for (size_t i = 0; i < sizeof backs / sizeof backs[0]; i++) {
        uint32_t back = backs[i], view = NOW - back;
        uint32_t rw = lag_rewind_tick(&h, NOW, view, RATE);
        assert_int_equal(rw, NOW - (back <= 12 ? back : 12));
        float a = angle_to(ox, oy, tx[view], ty[view]);
        int hit = lag_raycast(&h, &m, rw, SHOOTER, ox, oy, a, 100.0f, NULL);
        if (hit != (back <= 12 ? TARGET : -1))
            fail_msg("view %u ticks back: hit %d, want %d", back, hit, back <= 12 ? TARGET : -1);
        /* and without rewinding only the newest position is hit */
        hit = lag_raycast(&h, &m, NOW, SHOOTER, ox, oy, a, 100.0f, NULL);
        if (hit != (back <= 3 ? TARGET : -1) && back != 4)
            fail_msg("view %u ticks back, no rewind: hit %d", back, hit);
    }
    lag_history_free(&h);
    map_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_init_and_free),
        cmocka_unit_test(test_history_record_and_overwrite),
        cmocka_unit_test(test_rewind_clamps),
        cmocka_unit_test(test_rewind_falls_forward),
        cmocka_unit_test(test_raycast_nearest_and_radius),
        cmocka_unit_test(test_raycast_ignores_shooter_and_dead),
        cmocka_unit_test(test_raycast_stops_at_walls),
        cmocka_unit_test(test_rewound_shot_hits_what_was_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
