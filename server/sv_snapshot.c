/* sv_snapshot.c - per-client snapshot selection, delta encoding and sending.
 *
 * Each client holds a ring of the snapshots it was sent (exactly what it
 * decoded: snap_encode returns that view, written straight into the
 * client's ring slot). A new snapshot is a delta against the newest one the
 * client acknowledged that is still in its ring, or a full one when there
 * is none.
 *
 * Interest management: once per snapshot round every entity (players in the
 * game, rockets in flight, pickups) goes into a spatial grid (sv_grid.c),
 * and each client's view is itself and its PROTO_VIEW_MAX_ENTITIES - 1
 * nearest within SV_VIEW_RADIUS (what its camera can show soon), found by
 * searching rings of cells around it: the cost per client depends on the
 * density around it, not on the number of entities. Within one datagram,
 * changes are admitted in the order of the client's priority accumulators
 * (sv_priority.c): its own player first, then by relevance accumulated
 * over the snapshots it waited, so nothing starves.
 *
 * Threads: each client's snapshot depends only on the shared world (read,
 * never written, while snapshots are built) and on that client's own
 * state (ring, accumulators, rate credit), so the clients of a round are
 * shared among the workers (sv_workers.c, --threads), each with its own
 * scratch, and encoded into each client's own output buffer; then the
 * main thread hands them to ENet (which is not thread-safe) in slot
 * order and keeps the figures. The bytes sent are the same with any
 * number of threads.
 *
 * No allocation per tick, and no qsort (glibc's mallocs for 1 KiB and
 * more): the grid and the quantized entities live in `server`; rings,
 * accumulators, outputs and each worker's scratch are allocated once
 * (sv_snapshot_alloc); each client's view is encoded straight into its
 * own ring slot; only ENet's packet (enet_packet_create in net_send, a
 * copy of the output) is allocated, by ENet's allocator (sv_pool.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sv_combat.h"
#include "sv_grid.h"
#include "sv_priority.h"
#include "sv_server.h"

/* The replicated state of any entity id: a player, a rocket (velocity,
 * alive), or a pickup (alive while it is there; aim = its type). */
static void entity_state(const server *s, uint16_t id, player_state *out) {
    if (id < PROTO_ENT_ROCKET_BASE) {
        *out = s->clients[id].ps;
        return;
    }
    memset(out, 0, sizeof *out);
    if (id < PROTO_ENT_PICKUP_BASE) {
        const sv_rocket *r = &s->rockets[id - PROTO_ENT_ROCKET_BASE];
        *out = (player_state){r->x, r->y, r->vx, r->vy, 0, ENT_FLAG_ALIVE, 0};
        return;
    }
    int k = id - PROTO_ENT_PICKUP_BASE;
    const map_pickup *p = &s->map.pickups[k];
    out->x = p->x;
    out->y = p->y;
    out->aim = p->type;
    out->flags = s->pickup_back[k] > s->tick ? 0 : ENT_FLAG_ALIVE;
}

/* Files one entity: quantized once for every client, checked (the encoder
 * trusts the wanted entities: snap_encode_trusted), and into the grid. */
static void index_entity(server *s, uint16_t id, float x, float y) {
    player_state ps;
    entity_state(s, id, &ps);
    snap_entity_from_state(&s->view_ents[id], id, &ps);
    if (!snap_entity_valid(&s->view_ents[id])) {
        s->snap_stats.invalid_entities++;
        return;
    }
    sv_grid_add(&s->view_grid, id, x, y);
}

void sv_snapshot_index(server *s) {
    sv_grid_begin(&s->view_grid, s->map.width, s->map.height);
    for (int i = 0; i < s->cfg.max_players; i++) {
        const sv_client *c = &s->clients[i];
        if (c->state == SLOT_PLAYING) index_entity(s, (uint16_t)i, c->ps.x, c->ps.y);
    }
    for (int k = 0; k < PROTO_MAX_ROCKETS; k++)
        if (s->rockets[k].active)
            index_entity(s, (uint16_t)(PROTO_ENT_ROCKET_BASE + k), s->rockets[k].x, s->rockets[k].y);
    for (int k = 0; k < s->map.pickup_count; k++)
        index_entity(s, (uint16_t)(PROTO_ENT_PICKUP_BASE + k), s->map.pickups[k].x, s->map.pickups[k].y);
    sv_grid_build(&s->view_grid);
}

void sv_snapshot_build(const server *s, const sv_client *viewer, sv_snap_worker *w) {
    uint16_t self = sv_client_id(s, viewer);
    snap_frame *want = &w->want;
    float *d2 = w->d2;
    sv_grid_hit *hits = w->near; /* room for every entity */
    int n = sv_grid_nearest(&s->view_grid, viewer->ps.x, viewer->ps.y, PROTO_VIEW_MAX_ENTITIES - 1, self,
                            SV_VIEW_RADIUS, hits);
    hits[n++] = (sv_grid_hit){0.0f, self};
    /* Into id order through a bitmap of the chosen ids. */
    uint64_t chosen[(PROTO_MAX_ENTITIES + 63) / 64];
    float dist[PROTO_MAX_ENTITIES];
    memset(chosen, 0, sizeof chosen);
    for (int k = 0; k < n; k++) {
        uint16_t id = hits[k].id;
        chosen[id >> 6] |= 1ull << (id & 63);
        dist[id] = hits[k].d2;
    }
    int count = 0;
    for (int word = 0; word < (int)(sizeof chosen / sizeof chosen[0]); word++) {
        for (uint64_t bits = chosen[word]; bits; bits &= bits - 1) {
            uint16_t id = (uint16_t)(word * 64 + __builtin_ctzll(bits));
            want->ents[count] = s->view_ents[id];
            d2[count++] = dist[id];
        }
    }
    want->count = (uint16_t)count;
}

/* The client's acknowledged frame, if its ring still holds it: found in
 * the packed ticks (the frame itself confirms it). */
static const snap_frame *find_baseline(const sv_client *c) {
    uint32_t t = c->ack_snapshot_tick;
    if (t == 0) return NULL;
    for (int i = 0; i < PROTO_SNAPSHOT_RING; i++)
        if (c->ring_ticks[i] == t && c->ring[i].tick == t) return &c->ring[i];
    return NULL;
}

void sv_snapshot_forget(sv_client *c) {
    c->ack_snapshot_tick = 0;
    c->ring_next = 0;
    for (int i = 0; i < PROTO_SNAPSHOT_RING; i++) {
        if (c->ring) c->ring[i].tick = 0;
        c->ring_ticks[i] = 0;
    }
}

/* What ENet adds to each snapshot datagram: its protocol header (peer id,
 * sent time) and the unreliable-send command header. */
#define SNAP_ENET_OVERHEAD 12
/* The smallest snapshot sent however low the credit: the header and the
 * client's own player. */
#define SNAP_MIN_BYTES 64

/* The byte budget of client c's next snapshot under --client-rate: a token
 * bucket that earns rate / snapshot_rate per snapshot and may save up one
 * snapshot's worth more (so a quiet snapshot lets the next catch up), less
 * ENet's overhead, within SNAP_MIN_BYTES..PROTO_SNAPSHOT_MAX_BYTES. */
static size_t snapshot_budget(const server *s, sv_client *c) {
    if (s->cfg.client_rate <= 0) return PROTO_SNAPSHOT_MAX_BYTES;
    int32_t per = s->cfg.client_rate / s->cfg.snapshot_rate;
    c->rate_credit = c->rate_credit + per > 2 * per ? 2 * per : c->rate_credit + per;
    int32_t cap = c->rate_credit - SNAP_ENET_OVERHEAD;
    if (cap < SNAP_MIN_BYTES) cap = SNAP_MIN_BYTES;
    return cap > PROTO_SNAPSHOT_MAX_BYTES ? PROTO_SNAPSHOT_MAX_BYTES : (size_t)cap;
}

static void record_size(sv_snap_stats *st, size_t len, int entities, int dropped) {
    st->count++;
    st->bytes += len;
    st->naive_bytes += snap_naive_bytes(entities);
    if (len > st->max) st->max = (uint32_t)len;
    st->hist[len <= PROTO_SNAPSHOT_MAX_BYTES ? len : PROTO_SNAPSHOT_MAX_BYTES]++;
    st->dropped_changes += (uint64_t)dropped;
}

void sv_snapshot_send_all(server *s) { sv_snapshot_send(s, 1, 0); }

/* Builds and encodes client i's snapshot into s->snap_out[i] and its
 * bytes, updating only that client's own state (ring, accumulators, rate
 * credit): what the workers run, any number at once. */
static void encode_for(server *s, int i, sv_snap_worker *w) {
    sv_client *c = &s->clients[i];
    sv_snap_out *out = &s->snap_out[i];
    *out = (sv_snap_out){0};
    if (c->state != SLOT_PLAYING) return;
    if (!snap_entity_valid(&s->view_ents[i])) { /* not indexed (sv_snapshot_index): nothing to trust */
        out->len = -1;
        return;
    }
    snap_frame *want = &w->want;
    sv_snapshot_build(s, c, w);
    want->tick = s->tick;
    want->last_cmd_tick = c->last_cmd_tick;
    want->self_ammo = (uint8_t)(c->ammo < 0 ? 0 : c->ammo > PROTO_MAX_AMMO ? PROTO_MAX_AMMO : c->ammo);
    const snap_frame *base = find_baseline(c);
    sv_prio_order(&s->prio[i], want, w->d2, (uint16_t)i, base, w->priority);
    snap_frame *slot = &c->ring[c->ring_next % PROTO_SNAPSHOT_RING];
    if (slot == base) slot = &c->ring[++c->ring_next % PROTO_SNAPSHOT_RING]; /* never overwrite it */
    uint32_t *slot_tick = &c->ring_ticks[c->ring_next % PROTO_SNAPSHOT_RING];
    int dropped = 0;
    uint8_t *buf = s->snap_bytes + (size_t)i * PROTO_SNAPSHOT_MAX_BYTES;
    /* Trusted: want holds only entities the index checked, in id order, and
     * the baseline is a view the encoder returned. */
    size_t len = snap_encode_trusted(buf, snapshot_budget(s, c), want, w->priority, base, s->cfg.tick_rate,
                                     c->up_loss_pct, slot, &dropped, w->current);
    c->rate_credit -= (int32_t)len + SNAP_ENET_OVERHEAD;
    out->entities = want->count;
    if (len == 0) {
        slot->tick = 0;
        *slot_tick = 0;
        out->len = -1;
        return;
    }
    *slot_tick = slot->tick;
    sv_prio_after(&s->prio[i], want, w->current);
    c->ring_next++;
    if (!base) c->full_snapshots++;
    out->len = (int16_t)len;
    out->dropped = (uint16_t)dropped;
}

typedef struct {
    server *s;
    int every, phase;
} encode_job;

static void encode_range(void *ctx, int worker, int begin, int end) {
    const encode_job *job = ctx;
    for (int k = begin; k < end; k++) encode_for(job->s, job->phase + k * job->every, &job->s->snap_workers[worker]);
}

/* Clients encoded per claim: small enough that the threads finish within
 * a few clients of each other, large enough that claiming is rare. */
#define ENCODE_CHUNK 4

void sv_snapshot_send(server *s, int every, int phase) {
    if (every < 1 || phase < 0 || phase >= every || phase >= s->cfg.max_players) return;
    sv_snapshot_index(s);
    encode_job job = {s, every, phase};
    sv_workers_run(&s->workers, encode_range, &job, (s->cfg.max_players - phase + every - 1) / every, ENCODE_CHUNK);
    /* ENet is not thread-safe: the sending is this thread's, in slot order */
    s->snap_round_players = 0;
    for (int i = phase; i < s->cfg.max_players; i += every) {
        sv_snap_out *out = &s->snap_out[i];
        if (out->len == 0) continue;
        s->snap_round_players++;
        if (out->len < 0) {
            log_error("snapshot for player %d did not encode (%u entities)", i, out->entities);
            continue;
        }
        sv_client *c = &s->clients[i];
        record_size(&s->snap_stats, (size_t)out->len, out->entities, out->dropped);
        sv_combat_send_feed(c); /* the kill feed lines it witnessed, in the same datagram */
        if (net_send(c->peer, PROTO_CHANNEL_UNRELIABLE, s->snap_bytes + (size_t)i * PROTO_SNAPSHOT_MAX_BYTES,
                     (size_t)out->len, NET_SEQUENCED)) {
            c->snapshots_sent++;
            c->bytes_down += (uint64_t)out->len;
        }
    }
}

bool sv_snapshot_alloc(server *s, int threads) {
    size_t n = (size_t)s->cfg.max_players;
    size_t entities = n + PROTO_MAX_ROCKETS + PROTO_MAX_PICKUPS;
    if (threads < 1) threads = 1;
    if (threads > SV_WORKERS_MAX) threads = SV_WORKERS_MAX;
    s->rings = calloc(n * PROTO_SNAPSHOT_RING, sizeof *s->rings);
    s->prio = calloc(n, sizeof *s->prio);
    s->snap_out = calloc(n, sizeof *s->snap_out);
    s->snap_bytes = calloc(n, PROTO_SNAPSHOT_MAX_BYTES);
    s->snap_workers = calloc((size_t)threads, sizeof *s->snap_workers);
    bool ok = s->rings && s->prio && s->snap_out && s->snap_bytes && s->snap_workers;
    if (s->snap_workers) s->snap_worker_count = threads;
    for (int t = 0; ok && t < threads; t++) ok = (s->snap_workers[t].near = calloc(entities, sizeof(sv_grid_hit))) != NULL;
    if (!ok) {
        sv_snapshot_free(s);
        return false;
    }
    for (size_t i = 0; i < n; i++) s->clients[i].ring = s->rings + i * PROTO_SNAPSHOT_RING;
    if (!sv_workers_start(&s->workers, threads))
        log_warn("could not start %d snapshot threads: running with %d", threads, s->workers.threads);
    return true;
}

void sv_snapshot_free(server *s) {
    sv_workers_stop(&s->workers);
    if (s->snap_workers)
        for (int t = 0; t < s->snap_worker_count; t++) free(s->snap_workers[t].near);
    free(s->snap_workers);
    free(s->snap_bytes);
    free(s->snap_out);
    free(s->prio);
    free(s->rings);
    s->snap_workers = NULL;
    s->snap_worker_count = 0;
    s->snap_bytes = NULL;
    s->snap_out = NULL;
    s->prio = NULL;
    s->rings = NULL;
}

void sv_snapshot_log_stats(const server *s) {
    const sv_snap_stats *st = &s->snap_stats;
    uint64_t half = (st->count + 1) / 2, seen = 0;
    uint32_t median = 0;
    for (uint32_t b = 0; b <= PROTO_SNAPSHOT_MAX_BYTES && st->count; b++) {
        seen += st->hist[b];
        if (seen >= half) {
            median = b;
            break;
        }
    }
    double mean = st->count ? (double)st->bytes / (double)st->count : 0.0;
    double naive = st->count ? (double)st->naive_bytes / (double)st->count : 0.0;
    log_info("snapshot_stats {\"snapshots\":%llu,\"bytes_median\":%u,\"bytes_max\":%u,\"bytes_mean\":%.1f,"
             "\"naive_bytes_mean\":%.1f,\"ratio_to_naive\":%.4f,\"changes_left_out\":%llu,"
             "\"invalid_entities\":%llu}",
             (unsigned long long)st->count, median, st->max, mean, naive, naive > 0 ? mean / naive : 0.0,
             (unsigned long long)st->dropped_changes, (unsigned long long)st->invalid_entities);
}
