/* test_sv_snapshot_priority.c - per-client priority accumulators under a
 * snapshot budget that cannot hold every change.
 *
 * A client views 127 other entities (the view's limit) that all change
 * every snapshot in every field (velocity, position far off dead
 * reckoning, aim), so each change costs about 120 bits and together they
 * need about 1.7 times the 1200 bytes a snapshot may take. The snapshots
 * are encoded with the real codec (snap_encode), each against the previous
 * one (acknowledged at once). Checked: every entity reaches the client at
 * least once every SV_PRIO_BOUND snapshots (9), even with the weights as
 * lopsided as they get; the nearest are refreshed most often; and the old
 * order, nearest first, starves the far ones (never refreshed at all).
 * Then the same through the server: sv_snapshot_send_all on an in-memory
 * server with 200 moving players, where each client's view must be its 127
 * nearest (as brute force finds them) and nothing may stay stale longer
 * than the bound. An entity out of the wire's ranges is left out of every
 * view and counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "sv_combat.h"
#include "sv_priority.h"
#include "sv_server.h"

#define TICK_RATE 60
#define TICKS_PER_SNAPSHOT 2
#define ROUNDS 600

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

typedef struct {
    int refreshes;   /* snapshots after which the client held its exact state */
    int since;       /* snapshots since it last did */
    int max_gap;     /* the longest run of snapshots it waited */
} fresh_stats;

static bool same(const snap_entity *a, const snap_entity *b) {
    return a->id == b->id && a->x == b->x && a->y == b->y && a->vx == b->vx && a->vy == b->vy && a->aim == b->aim &&
           a->flags == b->flags && a->health == b->health;
}

/* A fresh random state far from where dead reckoning puts it. */
static void churn(snap_entity *e) {
    e->vx = (int16_t)((int)(rnd() % 40001u) - 20000);
    e->vy = (int16_t)((int)(rnd() % 40001u) - 20000);
    e->x = 200000u + rnd() % 1000000u;
    e->y = 200000u + rnd() % 1000000u;
    e->aim = (uint16_t)rnd();
}

typedef enum { ORDER_ACCUMULATED, ORDER_NEAREST_FIRST } order_kind;

/* Runs ROUNDS snapshots of entity 0 (the viewer) and 127 others at
 * distances dist[1..127]; fills st[] per entity; returns the snapshots that
 * left changes out. */
static int run(const float *dist, order_kind order, fresh_stats *st) {
    static snap_frame want, ring[2];
    static sv_prio_state prio;
    memset(&prio, 0, sizeof prio);
    memset(ring, 0, sizeof ring);
    memset(st, 0, PROTO_VIEW_MAX_ENTITIES * sizeof *st);
    want.count = PROTO_VIEW_MAX_ENTITIES;
    float d2[PROTO_VIEW_MAX_ENTITIES];
    for (int i = 0; i < want.count; i++) {
        memset(&want.ents[i], 0, sizeof want.ents[i]);
        want.ents[i].id = (uint16_t)i;
        want.ents[i].flags = ENT_FLAG_ALIVE;
        want.ents[i].health = 100;
        d2[i] = dist[i] * dist[i];
    }
    int squeezed = 0;
    const snap_frame *base = NULL;
    for (int round = 0; round < ROUNDS; round++) {
        want.tick = (uint32_t)(round + 1) * TICKS_PER_SNAPSHOT;
        for (int i = 0; i < want.count; i++) churn(&want.ents[i]);
        uint16_t priority[PROTO_VIEW_MAX_ENTITIES];
        if (order == ORDER_ACCUMULATED) {
            sv_prio_order(&prio, &want, d2, 0, base, priority);
        } else {
            for (int i = 0; i < want.count; i++) priority[i] = (uint16_t)i; /* dist[] grows with the index */
        }
        snap_frame *view = &ring[round % 2];
        uint8_t buf[PROTO_SNAPSHOT_MAX_BYTES];
        int dropped = 0;
        uint8_t current[PROTO_VIEW_MAX_ENTITIES];
        size_t len = snap_encode_current(buf, sizeof buf, &want, priority, base, TICK_RATE, 0, view, &dropped, current);
        assert_true(len > 0 && len <= PROTO_SNAPSHOT_MAX_BYTES);
        squeezed += dropped > 0;
        if (order == ORDER_ACCUMULATED) sv_prio_after(&prio, &want, current);
        for (int i = 0; i < want.count; i++) {
            const snap_entity *held = snap_frame_find(view, (uint16_t)i);
            if (held && same(held, &want.ents[i])) {
                st[i].refreshes++;
                st[i].since = 0;
            } else if (++st[i].since > st[i].max_gap) {
                st[i].max_gap = st[i].since;
            }
        }
        base = view; /* acknowledged at once */
    }
    return squeezed;
}

static double rate(const fresh_stats *st, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) sum += st[i].refreshes;
    return sum / (double)(to - from) / ROUNDS;
}

/* 127 entities from 1 to 64 tiles away. */
static void test_every_entity_refreshed_within_the_bound(void **state) {
    (void)state;
    float dist[PROTO_VIEW_MAX_ENTITIES];
    dist[0] = 0.0f;
    for (int i = 1; i < PROTO_VIEW_MAX_ENTITIES; i++) dist[i] = 0.5f * (float)i + 0.5f;
    static fresh_stats st[PROTO_VIEW_MAX_ENTITIES];
    int squeezed = run(dist, ORDER_ACCUMULATED, st);
    assert_true(squeezed >= ROUNDS - 1); /* every delta left changes out: the budget is the limit */
    int worst = 0;
    for (int i = 0; i < PROTO_VIEW_MAX_ENTITIES; i++) {
        if (st[i].max_gap > SV_PRIO_BOUND)
            fail_msg("entity %d (%.1f tiles) waited %d snapshots, bound %d", i, (double)dist[i], st[i].max_gap,
                     SV_PRIO_BOUND);
        if (st[i].max_gap > worst) worst = st[i].max_gap;
    }
    assert_int_equal(st[0].refreshes, ROUNDS); /* the client's own player: every snapshot */
    double near = rate(st, 1, 17), mid = rate(st, 56, 72), far = rate(st, 111, 127);
    printf("refresh rate per snapshot: nearest 16 %.2f, middle 16 %.2f, farthest 16 %.2f; longest wait %d "
           "snapshots (bound %d)\n", near, mid, far, worst, SV_PRIO_BOUND);
    assert_true(near > 0.95);  /* the nearest: (nearly) every snapshot */
    assert_true(near > mid && mid > far);
    assert_true(far > 0.2);    /* the far ones still get their turn */
}

/* The old order, nearest first, with the same load: far entities are never
 * refreshed at all. */
static void test_nearest_first_starves_the_far(void **state) {
    (void)state;
    float dist[PROTO_VIEW_MAX_ENTITIES];
    dist[0] = 0.0f;
    for (int i = 1; i < PROTO_VIEW_MAX_ENTITIES; i++) dist[i] = 0.5f * (float)i + 0.5f;
    static fresh_stats st[PROTO_VIEW_MAX_ENTITIES];
    run(dist, ORDER_NEAREST_FIRST, st);
    int starved = 0;
    for (int i = 1; i < PROTO_VIEW_MAX_ENTITIES; i++) starved += st[i].refreshes <= 1; /* the first, full snapshot */
    printf("nearest first: %d of 127 entities never refreshed after the first snapshot\n", starved);
    assert_true(starved >= 40);
}

/* Weights as lopsided as they get: 125 entities on top of the viewer
 * (weight 16) and two far away (weight 1). Accumulated priority alone
 * makes the far ones wait 16 snapshots (measured with SV_PRIO_OVERDUE set
 * out of reach); the overdue rule keeps them within the bound (6). */
static void test_bound_holds_with_lopsided_weights(void **state) {
    (void)state;
    float dist[PROTO_VIEW_MAX_ENTITIES];
    for (int i = 0; i < PROTO_VIEW_MAX_ENTITIES; i++) dist[i] = 0.0f;
    dist[PROTO_VIEW_MAX_ENTITIES - 1] = 500.0f;
    dist[PROTO_VIEW_MAX_ENTITIES / 2] = 500.0f;
    static fresh_stats st[PROTO_VIEW_MAX_ENTITIES];
    run(dist, ORDER_ACCUMULATED, st);
    printf("lopsided: the far entities waited at most %d and %d snapshots (bound %d)\n",
           st[PROTO_VIEW_MAX_ENTITIES / 2].max_gap, st[PROTO_VIEW_MAX_ENTITIES - 1].max_gap, SV_PRIO_BOUND);
    for (int i = 0; i < PROTO_VIEW_MAX_ENTITIES; i++)
        if (st[i].max_gap > SV_PRIO_BOUND)
            fail_msg("entity %d (%.1f tiles) waited %d snapshots, bound %d", i, (double)dist[i], st[i].max_gap,
                     SV_PRIO_BOUND);
    assert_true(st[PROTO_VIEW_MAX_ENTITIES - 1].refreshes >= ROUNDS / SV_PRIO_BOUND);
}

/* Entities that leave the view start over; a full snapshot resets all. */
static void test_departed_entities_start_over(void **state) {
    (void)state;
    static sv_prio_state prio;
    static snap_frame want, base;
    memset(&prio, 0, sizeof prio);
    want.count = 3;
    for (int i = 0; i < 3; i++) {
        memset(&want.ents[i], 0, sizeof want.ents[i]);
        want.ents[i].id = (uint16_t)(10 + i);
    }
    base = want;
    base.tick = 1;
    float d2[3] = {0, 4, 9};
    uint16_t priority[3];
    sv_prio_order(&prio, &want, d2, 10, &base, priority);
    assert_int_equal(priority[0], 0); /* self first */
    const sv_prio_entry *e11 = sv_prio_find(&prio, 11), *e12 = sv_prio_find(&prio, 12);
    assert_non_null(e11);
    assert_non_null(e12);
    assert_true(e11->acc > 0 && e12->acc > 0);
    assert_true(e11->acc > e12->acc); /* nearer weighs more */
    assert_int_equal(priority[1], 1);
    /* 12 leaves the view (and is forgotten), 11 stays and accumulates */
    want.count = 2;
    sv_prio_order(&prio, &want, d2, 10, &base, priority);
    assert_null(sv_prio_find(&prio, 12));
    assert_null(sv_prio_find(&prio, 99));
    e11 = sv_prio_find(&prio, 11);
    assert_non_null(e11);
    assert_int_equal(e11->acc, 2 * sv_prio_weight(4.0f, 0));
    /* 12 comes back: its accumulator starts from zero */
    want.count = 3;
    sv_prio_order(&prio, &want, d2, 10, &base, priority);
    assert_int_equal(sv_prio_find(&prio, 12)->acc, sv_prio_weight(9.0f, 0));
    assert_int_equal(sv_prio_find(&prio, 11)->acc, 3 * sv_prio_weight(4.0f, 0));
    /* a full snapshot: everything starts over (then this round's weight,
     * doubled: new to the client) */
    want.count = 2;
    sv_prio_order(&prio, &want, d2, 10, NULL, priority);
    assert_int_equal(sv_prio_find(&prio, 11)->acc, sv_prio_weight(4.0f, 1));
    /* weights: 16 at the viewer, 1 far away, doubled when changed */
    assert_int_equal(sv_prio_weight(0.0f, 0), 16);
    assert_int_equal(sv_prio_weight(1e6f, 0), 1);
    assert_int_equal(sv_prio_weight(0.0f, 1), 32);
}

/* ---- through the server ----------------------------------------------- */

#define PLAYERS 200
#define SIDE 96

static server sv;
static char map_text[64 + (SIDE + 1) * SIDE];

static int setup_server(void **state) {
    (void)state;
    memset(&sv, 0, sizeof sv);
    sv_config_default(&sv.cfg);
    sv.cfg.max_players = PLAYERS;
    size_t n = (size_t)snprintf(map_text, sizeof map_text, "arena-map 1\nname Open\ntiles\n");
    for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++)
            map_text[n++] = x == 0 || y == 0 || x == SIDE - 1 || y == SIDE - 1 ? '#' : (x + y) % 17 == 0 ? 'S' : '.';
        map_text[n++] = '\n';
    }
    char err[256];
    if (!map_parse(map_text, n, &sv.map, err, sizeof err)) return -1;
    sv.clients = calloc(PLAYERS + SV_MAX_HANDSHAKES, sizeof *sv.clients);
    if (!sv.clients || !sv_snapshot_alloc(&sv, 1)) return -1;
    sv.tick = 10;
    for (int i = 0; i < PLAYERS; i++) {
        sv_client *c = &sv.clients[i];
        c->state = SLOT_PLAYING;
        c->ps = (player_state){1.5f + (float)(rnd() % 9300u) / 100.0f, 1.5f + (float)(rnd() % 9300u) / 100.0f,
                               0, 0, 0, ENT_FLAG_ALIVE, 100};
        sim_quantize(&c->ps);
    }
    return 0;
}

static int teardown_server(void **state) {
    (void)state;
    sv_snapshot_free(&sv);
    free(sv.clients);
    map_free(&sv.map);
    return 0;
}

static int cmp_hit(const void *a, const void *b) {
    const sv_grid_hit *x = a, *y = b;
    if (x->d2 < y->d2) return -1;
    if (x->d2 > y->d2) return 1;
    return (int)x->id - (int)y->id;
}

static int cmp_u16(const void *a, const void *b) { return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b; }

/* Client `v`'s wanted ids by brute force: itself and its 127 nearest
 * within the view radius. */
static int brute_view(int v, uint16_t *ids) {
    static sv_grid_hit all[PLAYERS + PROTO_MAX_PICKUPS];
    int n = 0;
    const sv_client *me = &sv.clients[v];
    for (int i = 0; i < PLAYERS; i++) {
        if (i == v) continue;
        float dx = sv.clients[i].ps.x - me->ps.x, dy = sv.clients[i].ps.y - me->ps.y;
        if (dx * dx + dy * dy > SV_VIEW_RADIUS * SV_VIEW_RADIUS) continue;
        all[n++] = (sv_grid_hit){dx * dx + dy * dy, (uint16_t)i};
    }
    qsort(all, (size_t)n, sizeof all[0], cmp_hit);
    if (n > PROTO_VIEW_MAX_ENTITIES - 1) n = PROTO_VIEW_MAX_ENTITIES - 1;
    for (int i = 0; i < n; i++) ids[i] = all[i].id;
    ids[n++] = (uint16_t)v;
    qsort(ids, (size_t)n, sizeof ids[0], cmp_u16);
    return n;
}

static void test_server_views_are_nearest_and_fresh(void **state) {
    (void)state;
    static int stale[PLAYERS][PLAYERS]; /* [viewer][entity]: snapshots in a row it was held wrong */
    memset(stale, 0, sizeof stale);
    int worst = 0, squeezed_before = 0;
    for (int round = 0; round < 100; round++) {
        /* everyone turns at random every round, and some jump */
        for (int i = 0; i < PLAYERS; i++) {
            player_state *p = &sv.clients[i].ps;
            p->vx = (float)((int)(rnd() % 17u) - 8);
            p->vy = (float)((int)(rnd() % 17u) - 8);
            p->aim = (uint16_t)rnd();
            p->x += p->vx / 30.0f;
            p->y += p->vy / 30.0f;
            if (p->x < 1.5f || p->x > SIDE - 1.5f || p->y < 1.5f || p->y > SIDE - 1.5f || rnd() % 50 == 0) {
                p->x = 1.5f + (float)(rnd() % 9300u) / 100.0f;
                p->y = 1.5f + (float)(rnd() % 9300u) / 100.0f;
            }
            sim_quantize(p);
        }
        sv.tick += TICKS_PER_SNAPSHOT;
        uint64_t dropped0 = sv.snap_stats.dropped_changes;
        sv_snapshot_send_all(&sv);
        squeezed_before += sv.snap_stats.dropped_changes > dropped0;
        /* the selection, for a few viewers, equals brute force */
        if (round % 10 == 0) {
            for (int v = 0; v < PLAYERS; v += 37) {
                sv_snap_worker *w = &sv.snap_workers[0];
                uint16_t ids[PROTO_VIEW_MAX_ENTITIES];
                sv_snapshot_build(&sv, &sv.clients[v], w);
                const snap_frame want = w->want;
                int n = brute_view(v, ids);
                assert_int_equal(want.count, n);
                for (int k = 0; k < n; k++) assert_int_equal(want.ents[k].id, ids[k]);
            }
        }
        /* what a quarter of the clients now hold against the truth */
        for (int v = 0; v < PLAYERS; v += 4) {
            const sv_client *c = &sv.clients[v];
            const snap_frame *held = &c->ring[(c->ring_next - 1) % PROTO_SNAPSHOT_RING];
            assert_int_equal(held->tick, sv.tick);
            uint16_t ids[PROTO_VIEW_MAX_ENTITIES];
            int n = brute_view(v, ids);
            for (int k = 0; k < n; k++) {
                snap_entity truth;
                snap_entity_from_state(&truth, ids[k], &sv.clients[ids[k]].ps);
                const snap_entity *e = snap_frame_find(held, ids[k]);
                int *run_len = &stale[v][ids[k]];
                if (e && same(e, &truth)) *run_len = 0;
                else if (++*run_len > worst) worst = *run_len;
            }
            for (int i = 0; i < PLAYERS; i++) { /* out of view: it starts over when it comes back */
                bool in_view = bsearch(&(uint16_t){(uint16_t)i}, ids, (size_t)n, sizeof ids[0], cmp_u16) != NULL;
                if (!in_view) stale[v][i] = 0;
            }
        }
        for (int v = 0; v < PLAYERS; v++) sv.clients[v].ack_snapshot_tick = sv.tick; /* acknowledged at once */
    }
    /* --client-rate (the default here): on average no more than the rate
     * allows over the 100 snapshots, counting ENet's 12 bytes each (the
     * token bucket may save up one snapshot's worth), yet most of it used;
     * and no snapshot above two snapshots' worth. */
    assert_int_equal(sv.cfg.client_rate, SV_DEFAULT_CLIENT_RATE);
    const sv_snap_stats *st = &sv.snap_stats;
    double seconds = (double)st->count / PLAYERS / sv.cfg.snapshot_rate;
    double per_client_s = (double)(st->bytes + 12u * st->count) / PLAYERS / seconds;
    int32_t per = sv.cfg.client_rate / sv.cfg.snapshot_rate;
    assert_true(per_client_s <= sv.cfg.client_rate * (1.0 + 1.0 / (seconds * sv.cfg.snapshot_rate)));
    assert_true(per_client_s >= 0.8 * sv.cfg.client_rate);
    assert_true(st->max <= (uint32_t)(2 * per - 12));
    printf("server: %d of 100 rounds left changes out; longest any entity in view was held stale: %d snapshots "
           "(bound %d); %.0f bytes/s to each client (rate %d), largest snapshot %u bytes\n",
           squeezed_before, worst, SV_PRIO_BOUND, per_client_s, sv.cfg.client_rate, st->max);
    assert_true(squeezed_before > 0);
    assert_true(worst <= SV_PRIO_BOUND);
}

/* The encoder trusts the server's frames (snap_encode_trusted), so the
 * index checks each entity it quantizes: one outside the wire's ranges
 * (here a flag the protocol does not know) is counted and left out of
 * every view, its own client gets no snapshot, and everyone else's
 * snapshots go on. */
static void test_invalid_entity_left_out_and_counted(void **state) {
    (void)state;
    const int bad = 5;
    sv.clients[bad].ps.flags |= 0x80;
    sv.tick += TICKS_PER_SNAPSHOT;
    sv_snapshot_send_all(&sv);
    assert_int_equal(sv.snap_stats.invalid_entities, 1);
    assert_int_equal(sv.snap_out[bad].len, -1);
    int viewers = 0;
    for (int v = 0; v < PLAYERS; v++) {
        if (v == bad) continue;
        const sv_client *c = &sv.clients[v];
        const snap_frame *held = &c->ring[(c->ring_next - 1) % PROTO_SNAPSHOT_RING];
        assert_int_equal(held->tick, sv.tick);
        assert_null(snap_frame_find(held, (uint16_t)bad));
        uint16_t ids[PROTO_VIEW_MAX_ENTITIES];
        int n = brute_view(v, ids);
        viewers += bsearch(&(uint16_t){(uint16_t)bad}, ids, (size_t)n, sizeof ids[0], cmp_u16) != NULL;
    }
    assert_true(viewers > 0); /* it would have been in view */
    /* it is fixed: wanted again by those it is near */
    sv.clients[bad].ps.flags &= ENT_FLAG_ALL;
    sv.tick += TICKS_PER_SNAPSHOT;
    for (int v = 0; v < PLAYERS; v++) sv.clients[v].ack_snapshot_tick = sv.tick - TICKS_PER_SNAPSHOT;
    sv_snapshot_send_all(&sv);
    assert_int_equal(sv.snap_stats.invalid_entities, 1);
    assert_true(sv.snap_out[bad].len > 0);
    int wanted = 0;
    for (int v = 0; v < PLAYERS; v++) {
        sv_snapshot_build(&sv, &sv.clients[v], &sv.snap_workers[0]);
        const snap_frame *want = &sv.snap_workers[0].want;
        wanted += v != bad && snap_frame_find(want, (uint16_t)bad) != NULL;
    }
    assert_int_equal(wanted, viewers);
    printf("invalid entity: left out of %d views, then back in them\n", viewers);
}

static int cmp_u16_sort(const void *a, const void *b) { return cmp_u16(a, b); }

/* In a game of 200, news of a kill goes to the two players and everyone
 * within the view radius of the victim, each once; with 64 or fewer
 * players, to all of them. */
static void test_kill_news_reaches_witnesses(void **state) {
    (void)state;
    sv_snapshot_index(&sv);
    static uint16_t got[PLAYERS], want[PLAYERS];
    for (int trial = 0; trial < 50; trial++) {
        int k = (int)(rnd() % PLAYERS), v = trial % 5 == 0 ? k : (int)(rnd() % PLAYERS); /* some suicides */
        const sv_client *killer = &sv.clients[k], *victim = &sv.clients[v];
        int np = -1, n = sv_combat_witnesses(&sv, killer, victim, got, &np);
        /* the two players first: only they get the kill reliably */
        assert_int_equal(np, k == v ? 1 : 2);
        assert_int_equal(got[0], k);
        if (k != v) assert_int_equal(got[1], v);
        int m = 0;
        for (int i = 0; i < PLAYERS; i++) {
            float dx = sv.clients[i].ps.x - victim->ps.x, dy = sv.clients[i].ps.y - victim->ps.y;
            if (i == k || i == v || dx * dx + dy * dy <= SV_VIEW_RADIUS * SV_VIEW_RADIUS) want[m++] = (uint16_t)i;
        }
        qsort(got, (size_t)n, sizeof got[0], cmp_u16_sort);
        assert_int_equal(n, m);
        assert_memory_equal(got, want, (size_t)n * sizeof got[0]);
        assert_true(n < PLAYERS); /* the map is wider than the view: some are left out */
    }
    /* a small game: everyone playing hears */
    for (int i = SV_SCORE_REFRESH_MAX_PLAYERS; i < PLAYERS; i++) sv.clients[i].state = SLOT_FREE;
    int np = -1, n = sv_combat_witnesses(&sv, &sv.clients[0], &sv.clients[1], got, &np);
    for (int i = SV_SCORE_REFRESH_MAX_PLAYERS; i < PLAYERS; i++) sv.clients[i].state = SLOT_PLAYING;
    assert_int_equal(n, SV_SCORE_REFRESH_MAX_PLAYERS);
    assert_int_equal(np, n); /* all of them reliably */
    for (int i = 0; i < n; i++) assert_int_equal(got[i], i);
}

/* Large games: the kill feed line for a bystander waits for its next
 * snapshot (same datagram), at most SV_FEED_MAX of them, then goes at
 * once; the two players get the kill reliably, nothing is held for them. */
static void test_kill_feed_waits_for_the_snapshot(void **state) {
    (void)state;
    sv_snapshot_index(&sv);
    static uint16_t who[PLAYERS];
    sv_client *killer = &sv.clients[3], *victim = &sv.clients[4];
    int np, nw = sv_combat_witnesses(&sv, killer, victim, who, &np);
    assert_true(nw > np);
    for (int kill = 0; kill < SV_FEED_MAX + 3; kill++) sv_combat_kill_news(&sv, killer, victim, WEAPON_RAIL);
    assert_int_equal(killer->feed_count, 0);
    assert_int_equal(victim->feed_count, 0);
    bool is_witness[PLAYERS] = {false};
    for (int i = np; i < nw; i++) {
        const sv_client *c = &sv.clients[who[i]];
        is_witness[who[i]] = true;
        assert_int_equal(c->feed_count, SV_FEED_MAX); /* the rest went at once */
        assert_int_equal(c->feed[0].killer, 3);
        assert_int_equal(c->feed[0].victim, 4);
        assert_int_equal(c->feed[SV_FEED_MAX - 1].weapon, WEAPON_RAIL);
    }
    for (int i = 0; i < PLAYERS; i++)
        if (!is_witness[i]) assert_int_equal(sv.clients[i].feed_count, 0);
    sv_snapshot_send(&sv, 2, 1); /* the odd slots' snapshots: theirs go, the others' wait */
    for (int i = np; i < nw; i++) assert_int_equal(sv.clients[who[i]].feed_count, who[i] % 2 ? 0 : SV_FEED_MAX);
    sv.tick++;
    sv_snapshot_send(&sv, 2, 0);
    for (int i = 0; i < PLAYERS; i++) assert_int_equal(sv.clients[i].feed_count, 0);
}

/* The leader rows: the top 20 by frags (fewer deaths first) go out when
 * they changed since they last went out, and only then. */
static void test_leaders_refresh_only_changes(void **state) {
    (void)state;
    for (int i = 0; i < PLAYERS; i++) {
        sv.clients[i].frags = (int)(rnd() % 30u);
        sv.clients[i].deaths = (int)(rnd() % 30u);
        sv.clients[i].told_frags = sv.clients[i].told_deaths = 0;
    }
    assert_int_equal(sv_combat_send_leaders(&sv), SV_LEADER_ROWS);
    assert_int_equal(sv_combat_send_leaders(&sv), 0);
    /* the best player scores again: one row; someone far down: none */
    int best = 0, worst = 0;
    for (int i = 1; i < PLAYERS; i++) {
        const sv_client *a = &sv.clients[i], *b = &sv.clients[best], *w = &sv.clients[worst];
        if (a->frags > b->frags || (a->frags == b->frags && a->deaths < b->deaths)) best = i;
        if (a->frags < w->frags || (a->frags == w->frags && a->deaths > w->deaths)) worst = i;
    }
    sv.clients[best].frags++;
    sv.clients[worst].deaths++;
    assert_int_equal(sv_combat_send_leaders(&sv), 1);
    assert_int_equal(sv.clients[best].told_frags, sv.clients[best].frags);
    assert_int_not_equal(sv.clients[worst].told_deaths, sv.clients[worst].deaths);
    /* a newcomer with the most frags enters the rows */
    sv.clients[worst].frags = 1000;
    assert_int_equal(sv_combat_send_leaders(&sv), 1);
    assert_int_equal(sv.clients[worst].told_frags, 1000);
}

/* Large games: joins are announced in batches; each newcomer once, one
 * that left before the batch not at all, nothing when nobody is waiting. */
static void test_join_news_in_batches(void **state) {
    (void)state;
    assert_int_equal(sv_clients_send_join_news(&sv), 0);
    for (int i = 0; i < 40; i++) sv.clients[i * 5].join_news = true;
    sv.clients[5].state = SLOT_FREE;     /* left again: never announced */
    sv.clients[10].state = SLOT_DETACHED; /* lost, slot held: still a player */
    sv.join_news_waiting = 40;
    assert_int_equal(sv_clients_send_join_news(&sv), 39);
    for (int i = 0; i < PLAYERS; i++) assert_false(sv.clients[i].join_news);
    assert_int_equal(sv.join_news_waiting, 0);
    assert_int_equal(sv_clients_send_join_news(&sv), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entity_refreshed_within_the_bound),
        cmocka_unit_test(test_nearest_first_starves_the_far),
        cmocka_unit_test(test_bound_holds_with_lopsided_weights),
        cmocka_unit_test(test_departed_entities_start_over),
        cmocka_unit_test_setup_teardown(test_server_views_are_nearest_and_fresh, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_invalid_entity_left_out_and_counted, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_kill_news_reaches_witnesses, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_kill_feed_waits_for_the_snapshot, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_leaders_refresh_only_changes, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_join_news_in_batches, setup_server, teardown_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
