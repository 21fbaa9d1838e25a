/* test_cl_target.c - client/cl_target.c: the bot's nearest target.
 *
 * Covers: the fast query gives exactly the reference rule's answer (same
 * found/not found, same player, same state to the bit) over long random
 * runs of snapshots: players wandering in and out of view (so some are held
 * only by old frames), dying and respawning far away, lost snapshots,
 * rockets and pickups in the frames, ids at and beyond max_players, players
 * off the roster, our own id, equal distances (the lowest id wins, even when
 * it is found last), sampling
 * ticks before, between, on and past the frames; queries skipped for many
 * snapshots (the memo catching up, or rebuilding after the ring wrapped);
 * the ring re-initialised as on a map change (ticks restarting lower);
 * an empty ring; a memo that forgets players only evicted frames held.
 * Each random run checks thousands of queries against the reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cl_target.h"

static cl_interp ip; /* large: static */
static cl_target_memo memo;
static snap_frame fr;

#define IDS 48 /* player ids used; max_players below is 40 */
static bool roster[PROTO_MAX_PLAYERS];
static bool on_roster(const void *ctx, uint16_t id) {
    (void)ctx;
    return roster[id];
}

static uint32_t rng = 12345;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static float frand(float lo, float hi) { return lo + (hi - lo) * (float)(next_rand() % 100000) / 100000.0f; }

typedef struct {
    float x, y, vx, vy;
    bool in_view, alive;
} sim_player;
static sim_player world[IDS];

/* One frame of the world at `tick`: players in view (ids ascending), then
 * a rocket and a pickup. Positions on a coarse grid sometimes, so equal
 * distances happen. */
static void build_frame(uint32_t tick) {
    memset(&fr, 0, sizeof fr);
    fr.tick = tick;
    for (uint16_t id = 0; id < IDS; id++) {
        sim_player *w = &world[id];
        if (next_rand() % 20 == 0) w->in_view = !w->in_view;
        if (next_rand() % 40 == 0) w->alive = !w->alive;
        if (next_rand() % 60 == 0) { /* respawn far away, or snap to a grid point */
            w->x = (float)(next_rand() % 40) + 0.5f;
            w->y = (float)(next_rand() % 30) + 0.5f;
        }
        w->vx = frand(-6, 6);
        w->vy = frand(-6, 6);
        w->x += w->vx / 30.0f;
        w->y += w->vy / 30.0f;
        if (w->x < 1) w->x = 1;
        if (w->y < 1) w->y = 1;
        if (!w->in_view) continue;
        player_state p = {w->x, w->y, w->vx, w->vy, (uint16_t)next_rand(), w->alive ? ENT_FLAG_ALIVE : 0, 100};
        snap_entity_from_state(&fr.ents[fr.count++], id, &p);
    }
    player_state r = {5, 5, 10, 0, 0, ENT_FLAG_ALIVE, 0};
    snap_entity_from_state(&fr.ents[fr.count++], PROTO_ENT_ROCKET_BASE + 3, &r);
    snap_entity_from_state(&fr.ents[fr.count++], PROTO_ENT_PICKUP_BASE + 1, &r);
}

static int found_count, query_count;

static void check_query(uint16_t self, double t) {
    player_state me = {frand(0, 40), frand(0, 30), 0, 0, 0, ENT_FLAG_ALIVE, 100};
    if (next_rand() % 4 == 0) { /* exactly on a grid point: ties */
        me.x = (float)(next_rand() % 40) + 0.5f;
        me.y = (float)(next_rand() % 30) + 0.5f;
    }
    player_state a, b;
    memset(&a, 0xa5, sizeof a);
    memset(&b, 0x5a, sizeof b);
    bool fa = cl_target_nearest(&memo, &ip, &me, self, 40, on_roster, NULL, t, &a);
    bool fb = cl_target_nearest_reference(&ip, &me, self, 40, on_roster, NULL, t, &b);
    assert_int_equal(fa, fb);
    query_count++;
    if (!fa) {
        assert_int_equal(memo.found_id, -1);
        return;
    }
    found_count++;
    /* found_id names the player answered */
    player_state by_id;
    assert_true(memo.found_id >= 0 && memo.found_id != self);
    assert_true(cl_interp_sample(&ip, (uint16_t)memo.found_id, t, &by_id));
    assert_memory_equal(&by_id, &a, sizeof a);
    assert_memory_equal(&a.x, &b.x, sizeof a.x);
    assert_memory_equal(&a.y, &b.y, sizeof a.y);
    assert_memory_equal(&a.vx, &b.vx, sizeof a.vx);
    assert_memory_equal(&a.vy, &b.vy, sizeof a.vy);
    assert_int_equal(a.aim, b.aim);
    assert_int_equal(a.flags, b.flags);
    assert_int_equal(a.health, b.health);
}

static void run(uint32_t seed, int snap_interval, int steps) {
    rng = seed;
    memset(world, 0, sizeof world);
    for (int i = 0; i < IDS; i++) {
        world[i] = (sim_player){frand(1, 40), frand(1, 30), 0, 0, next_rand() % 3 != 0, next_rand() % 5 != 0};
        roster[i] = next_rand() % 8 != 0;
    }
    cl_interp_init(&ip, 60, 60 / snap_interval);
    cl_target_reset(&memo);
    uint32_t tick = 100;
    double now = 1.0;
    for (int step = 0; step < steps; step++) {
        if (step % 700 == 699) { /* a map change: a fresh ring, the server's ticks lower */
            cl_interp_init(&ip, 60, 60 / snap_interval);
            tick = 50 + next_rand() % 50;
        }
        tick += (uint32_t)snap_interval * (next_rand() % 6 == 0 ? 2 : 1); /* some lost */
        now += snap_interval / 60.0;
        build_frame(tick);
        cl_interp_add(&ip, &fr, now);
        if (next_rand() % 50 == 0) roster[next_rand() % IDS] ^= 1;
        uint32_t skip = next_rand() % 100;
        if (skip < 10) continue; /* no query this time: the memo must catch up */
        int queries = 1 + (int)(next_rand() % 3);
        for (int q = 0; q < queries; q++) {
            const snap_frame *oldest = &ip.frames[(ip.head - ip.stored + 1 + PROTO_SNAPSHOT_RING) % PROTO_SNAPSHOT_RING];
            double lo = (double)oldest->tick - 3.0, hi = (double)ip.newest_tick + 10.0;
            double t = lo + (hi - lo) * (double)(next_rand() % 10000) / 10000.0;
            if (next_rand() % 5 == 0) t = (double)ip.newest_tick - (double)(snap_interval * (int)(next_rand() % 5));
            uint16_t self = (uint16_t)(next_rand() % IDS);
            check_query(self, t);
        }
    }
}

static void test_matches_reference_30hz(void **state) {
    (void)state;
    found_count = query_count = 0;
    run(1, 2, 3000);
    assert_true(found_count > query_count / 2); /* the comparison was not vacuous */
}

static void test_matches_reference_20hz(void **state) {
    (void)state;
    run(777, 3, 3000);
}

static void test_matches_reference_60hz(void **state) {
    (void)state;
    run(4242, 1, 3000);
}

static void test_long_gaps_between_queries(void **state) {
    (void)state;
    rng = 99;
    for (int i = 0; i < IDS; i++) {
        world[i] = (sim_player){frand(1, 40), frand(1, 30), 0, 0, true, true};
        roster[i] = true;
    }
    cl_interp_init(&ip, 60, 30);
    cl_target_reset(&memo);
    uint32_t tick = 10;
    for (int round = 0; round < 60; round++) {
        int frames = round % 3 == 0 ? 40 : 1 + round % 7; /* sometimes more than the ring holds */
        for (int k = 0; k < frames; k++) {
            tick += 2;
            build_frame(tick);
            cl_interp_add(&ip, &fr, tick / 60.0);
        }
        for (int q = 0; q < 5; q++) check_query((uint16_t)(next_rand() % IDS), (double)tick - 1.0 - q * 7.0);
    }
}

static void test_empty_ring(void **state) {
    (void)state;
    cl_interp_init(&ip, 60, 30);
    cl_target_reset(&memo);
    player_state me = {1, 1, 0, 0, 0, ENT_FLAG_ALIVE, 100}, out;
    assert_false(cl_target_nearest(&memo, &ip, &me, 0, 40, on_roster, NULL, 100.0, &out));
}

static void test_gone_player_is_forgotten_after_eviction(void **state) {
    (void)state;
    cl_interp_init(&ip, 60, 30);
    cl_target_reset(&memo);
    memset(roster, 0, sizeof roster);
    roster[1] = roster[2] = true;
    player_state me = {1, 1, 0, 0, 0, ENT_FLAG_ALIVE, 100}, out;
    /* Player 2, near, is in the first frame only; player 1, far, in all. */
    for (uint32_t k = 0; k < PROTO_SNAPSHOT_RING + 5; k++) {
        memset(&fr, 0, sizeof fr);
        fr.tick = 2 + 2 * k;
        player_state far = {30, 30, 0, 0, 0, ENT_FLAG_ALIVE, 100}, near = {2, 2, 0, 0, 0, ENT_FLAG_ALIVE, 100};
        snap_entity_from_state(&fr.ents[fr.count++], 1, &far);
        if (k == 0) snap_entity_from_state(&fr.ents[fr.count++], 2, &near);
        cl_interp_add(&ip, &fr, k / 30.0);
        double t = (double)fr.tick - 3.0;
        assert_true(cl_target_nearest(&memo, &ip, &me, 0, 40, on_roster, NULL, t, &out));
        /* While a frame holds it, the near one is still drawn (held/extrapolated). */
        int want = k < PROTO_SNAPSHOT_RING ? 2 : 1;
        player_state ref;
        assert_true(cl_target_nearest_reference(&ip, &me, 0, 40, on_roster, NULL, t, &ref));
        assert_true(out.x == ref.x && out.y == ref.y);
        assert_true(want == 2 ? out.x < 10.0f : out.x > 10.0f);
    }
    assert_int_equal(memo.held[2], 0); /* evicted with the only frame that held it */
    assert_int_equal(memo.count, 1);
}

static void test_tie_goes_to_the_lowest_id(void **state) {
    (void)state;
    cl_interp_init(&ip, 60, 30);
    cl_target_reset(&memo);
    memset(roster, 0, sizeof roster);
    roster[3] = roster[5] = true;
    /* Player 5 in every frame, player 3 (as far, the other side) only in
     * the first two: it is found last, from the old frames, and still wins. */
    for (uint32_t k = 0; k < 6; k++) {
        memset(&fr, 0, sizeof fr);
        fr.tick = 2 + 2 * k;
        player_state left = {2, 5, 0, 0, 0, ENT_FLAG_ALIVE, 100}, right = {8, 5, 0, 0, 0, ENT_FLAG_ALIVE, 100};
        if (k < 2) snap_entity_from_state(&fr.ents[fr.count++], 3, &right);
        snap_entity_from_state(&fr.ents[fr.count++], 5, &left);
        cl_interp_add(&ip, &fr, k / 30.0);
    }
    player_state me = {5, 5, 0, 0, 0, ENT_FLAG_ALIVE, 100}, out;
    assert_true(cl_target_nearest(&memo, &ip, &me, 0, 40, on_roster, NULL, 9.0, &out));
    assert_true(out.x == 8.0f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_reference_30hz),
        cmocka_unit_test(test_matches_reference_20hz),
        cmocka_unit_test(test_matches_reference_60hz),
        cmocka_unit_test(test_long_gaps_between_queries),
        cmocka_unit_test(test_empty_ring),
        cmocka_unit_test(test_tie_goes_to_the_lowest_id),
        cmocka_unit_test(test_gone_player_is_forgotten_after_eviction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
