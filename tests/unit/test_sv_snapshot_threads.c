/* test_sv_snapshot_threads.c - snapshots encoded by several threads are
 * the snapshots one thread encodes.
 *
 * An in-memory server (no ENet host) with 300 players crowding an open
 * map, so views are full and the byte budget leaves changes out (the
 * priority accumulators decide what goes), runs 90 snapshot rounds of
 * random movement, each client acknowledging two rounds late and a few
 * never; once with one thread, then with three and with SV_WORKERS_MAX.
 * Every round, every client's encoded bytes must be identical across the
 * runs, and so must the final state each thread touched: rings, priority
 * accumulators, rate credit, and the figures the main thread keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_server.h"

#define PLAYERS 300
#define SIDE 60
#define ROUNDS 90

static uint64_t rng;
static uint32_t rnd(void) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33);
}

typedef struct {
    uint64_t round_hash[ROUNDS];
    uint64_t ring_hash, prio_hash, credit_hash;
    sv_snap_stats stats;
    int sent;
} outcome;

static uint64_t fnv(uint64_t h, const void *data, size_t n) {
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static char map_text[64 + (SIDE + 1) * SIDE];

static void run(int threads, outcome *out) {
    static server sv;
    memset(&sv, 0, sizeof sv);
    memset(out, 0, sizeof *out);
    sv_config_default(&sv.cfg);
    sv.cfg.max_players = PLAYERS;
    size_t n = (size_t)snprintf(map_text, sizeof map_text, "arena-map 1\nname Open\ntiles\n");
    for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++)
            map_text[n++] = x == 0 || y == 0 || x == SIDE - 1 || y == SIDE - 1 ? '#' : (x * y) % 23 == 1 ? 'S' : '.';
        map_text[n++] = '\n';
    }
    char err[256];
    assert_true(map_parse(map_text, n, &sv.map, err, sizeof err));
    sv.clients = calloc(PLAYERS + SV_MAX_HANDSHAKES, sizeof *sv.clients);
    assert_non_null(sv.clients);
    assert_true(sv_snapshot_alloc(&sv, threads));
    assert_int_equal(sv.workers.threads, threads);
    rng = 12345;
    for (int i = 0; i < PLAYERS; i++) {
        sv_client *c = &sv.clients[i];
        c->state = i % 50 == 49 ? SLOT_FREE : SLOT_PLAYING; /* a few free slots */
        c->ps = (player_state){1.5f + (float)(rnd() % 5600u) / 100.0f, 1.5f + (float)(rnd() % 5600u) / 100.0f,
                               0, 0, 0, ENT_FLAG_ALIVE, 100};
        c->ammo = (int)(rnd() % 20);
        sim_quantize(&c->ps);
    }
    sv.tick = 100;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < PLAYERS; i++) {
            player_state *p = &sv.clients[i].ps;
            p->vx = (float)((int)(rnd() % 17u) - 8);
            p->vy = (float)((int)(rnd() % 17u) - 8);
            p->aim = (uint16_t)rnd();
            p->x += p->vx / 60.0f;
            p->y += p->vy / 60.0f;
            if (p->x < 1.5f || p->x > SIDE - 1.5f || p->y < 1.5f || p->y > SIDE - 1.5f) p->x = p->y = SIDE / 2.0f;
            if (rnd() % 40 == 0) p->health = (uint8_t)(rnd() % 101);
            sim_quantize(p);
        }
        sv.tick++;
        int phase = (int)(sv.tick % 2u);
        sv_snapshot_send(&sv, 2, phase);
        uint64_t h = 1469598103934665603ull;
        for (int i = phase; i < PLAYERS; i += 2) {
            const sv_snap_out *o = &sv.snap_out[i];
            h = fnv(h, &o->len, sizeof o->len);
            if (o->len > 0) {
                h = fnv(h, sv.snap_bytes + (size_t)i * PROTO_SNAPSHOT_MAX_BYTES, (size_t)o->len);
                out->sent++;
            }
            if (i % 7 != 3 && sv.tick > 4) sv.clients[i].ack_snapshot_tick = sv.tick - 4; /* two rounds late */
        }
        out->round_hash[round] = h;
    }
    uint64_t rh = 1469598103934665603ull, ph = rh, ch = rh;
    for (int i = 0; i < PLAYERS; i++) {
        const sv_client *c = &sv.clients[i];
        for (int k = 0; k < PROTO_SNAPSHOT_RING; k++) {
            const snap_frame *f = &c->ring[k];
            rh = fnv(rh, &f->tick, sizeof f->tick);
            rh = fnv(rh, &f->count, sizeof f->count);
            rh = fnv(rh, f->ents, f->count * sizeof f->ents[0]);
        }
        rh = fnv(rh, c->ring_ticks, sizeof c->ring_ticks);
        rh = fnv(rh, &c->ring_next, sizeof c->ring_next);
        const sv_prio_state *st = &sv.prio[i]; /* the fields, not the padding */
        ph = fnv(ph, &st->count, sizeof st->count);
        ph = fnv(ph, st->ids, st->count * sizeof st->ids[0]);
        for (int k = 0; k < st->count; k++) {
            ph = fnv(ph, &st->e[k].acc, sizeof st->e[k].acc);
            ph = fnv(ph, &st->e[k].age, sizeof st->e[k].age);
        }
        ch = fnv(ch, &c->rate_credit, sizeof c->rate_credit);
        ch = fnv(ch, &c->full_snapshots, sizeof c->full_snapshots);
    }
    out->ring_hash = rh;
    out->prio_hash = ph;
    out->credit_hash = ch;
    out->stats = sv.snap_stats;
    sv_snapshot_free(&sv);
    free(sv.clients);
    map_free(&sv.map);
}

static void test_threads_encode_the_same_bytes(void **state) {
    (void)state;
    static outcome one, many;
    run(1, &one);
    /* the scene is crowded: changes were left out, so the accumulators mattered */
    assert_true(one.stats.dropped_changes > 0);
    assert_true(one.sent > ROUNDS * PLAYERS / 2 * 9 / 10);
    const int counts[] = {3, SV_WORKERS_MAX};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        run(counts[k], &many);
        for (int r = 0; r < ROUNDS; r++) assert_true(many.round_hash[r] == one.round_hash[r]);
        assert_true(many.ring_hash == one.ring_hash);
        assert_true(many.prio_hash == one.prio_hash);
        assert_true(many.credit_hash == one.credit_hash);
        assert_int_equal(many.sent, one.sent);
        assert_memory_equal(&many.stats, &one.stats, sizeof one.stats);
    }
    printf("%d snapshots, %llu changes left out, identical with 1, 3 and %d threads\n", one.sent,
           (unsigned long long)one.stats.dropped_changes, SV_WORKERS_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_encode_the_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
