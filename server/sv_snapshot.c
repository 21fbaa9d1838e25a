/* sv_snapshot.c - per-client snapshot selection, delta encoding and sending.
 *
 * Each client holds a ring of the snapshots it was sent (exactly what it
 * decoded: snap_encode returns that view). A new snapshot is a delta
 * against the newest one the client acknowledged that is still in its ring,
 * or a full one when there is none. When more players exist than a client
 * can hold, the nearest are chosen, and within one datagram changes are
 * admitted nearest first. No allocation: scratch buffers live in `server`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sv_server.h"

static int near_cmp(const void *a, const void *b) {
    const sv_near *x = a, *y = b;
    if (x->dist2 < y->dist2) return -1;
    if (x->dist2 > y->dist2) return 1;
    return (int)x->index - (int)y->index;
}

static int u16_cmp(const void *a, const void *b) { return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b; }

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

static void add_near(server *s, int *n, const sv_client *viewer, uint16_t id, float x, float y) {
    float dx = x - viewer->ps.x, dy = y - viewer->ps.y;
    s->near_scratch[(*n)++] = (sv_near){id == sv_client_id(s, viewer) ? -1.0f : dx * dx + dy * dy, id};
}

void sv_snapshot_build(server *s, const sv_client *viewer, snap_frame *want, uint16_t *priority) {
    int n = 0;
    for (int i = 0; i < s->cfg.max_players; i++) {
        const sv_client *c = &s->clients[i];
        if (c->state == SLOT_PLAYING) add_near(s, &n, viewer, (uint16_t)i, c->ps.x, c->ps.y);
    }
    for (int k = 0; k < PROTO_MAX_ROCKETS; k++)
        if (s->rockets[k].active)
            add_near(s, &n, viewer, (uint16_t)(PROTO_ENT_ROCKET_BASE + k), s->rockets[k].x, s->rockets[k].y);
    for (int k = 0; k < s->map.pickup_count; k++)
        add_near(s, &n, viewer, (uint16_t)(PROTO_ENT_PICKUP_BASE + k), s->map.pickups[k].x, s->map.pickups[k].y);
    qsort(s->near_scratch, (size_t)n, sizeof *s->near_scratch, near_cmp);
    if (n > PROTO_VIEW_MAX_ENTITIES) n = PROTO_VIEW_MAX_ENTITIES;
    /* Ids of the chosen ones in id order for the frame; priority maps the
     * nearest-first order onto frame indices. */
    uint16_t ids[PROTO_VIEW_MAX_ENTITIES];
    for (int k = 0; k < n; k++) ids[k] = s->near_scratch[k].index;
    qsort(ids, (size_t)n, sizeof ids[0], u16_cmp);
    want->count = (uint16_t)n;
    for (int k = 0; k < n; k++) {
        player_state ps;
        entity_state(s, ids[k], &ps);
        snap_entity_from_state(&want->ents[k], ids[k], &ps);
    }
    for (int k = 0; k < n; k++) {
        uint16_t id = s->near_scratch[k].index;
        const uint16_t *at = bsearch(&id, ids, (size_t)n, sizeof ids[0], u16_cmp);
        priority[k] = (uint16_t)(at - ids);
    }
}

/* The client's acknowledged frame, if its ring still holds it. */
static const snap_frame *find_baseline(const sv_client *c) {
    if (c->ack_snapshot_tick == 0) return NULL;
    for (int i = 0; i < PROTO_SNAPSHOT_RING; i++)
        if (c->ring[i].tick == c->ack_snapshot_tick) return &c->ring[i];
    return NULL;
}

static void record_size(sv_snap_stats *st, size_t len, int entities, int dropped) {
    st->count++;
    st->bytes += len;
    st->naive_bytes += snap_naive_bytes(entities);
    if (len > st->max) st->max = (uint32_t)len;
    st->hist[len <= PROTO_SNAPSHOT_MAX_BYTES ? len : PROTO_SNAPSHOT_MAX_BYTES]++;
    st->dropped_changes += (uint64_t)dropped;
}

void sv_snapshot_send_all(server *s) {
    uint8_t buf[PROTO_SNAPSHOT_MAX_BYTES];
    snap_frame *want = &s->want_scratch;
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING) continue;
        sv_snapshot_build(s, c, want, s->priority_scratch);
        want->tick = s->tick;
        want->last_cmd_tick = c->last_cmd_tick;
        want->self_ammo = (uint8_t)(c->ammo < 0 ? 0 : c->ammo > PROTO_MAX_AMMO ? PROTO_MAX_AMMO : c->ammo);
        const snap_frame *base = find_baseline(c);
        snap_frame *slot = &c->ring[c->ring_next % PROTO_SNAPSHOT_RING];
        if (slot == base) slot = &c->ring[++c->ring_next % PROTO_SNAPSHOT_RING]; /* never overwrite it */
        int dropped = 0;
        size_t len = snap_encode(buf, sizeof buf, want, s->priority_scratch, base, s->cfg.tick_rate,
                                 c->up_loss_pct, slot, &dropped);
        if (len == 0) {
            log_error("snapshot for player %d did not encode (%u entities)", i, want->count);
            slot->tick = 0;
            continue;
        }
        c->ring_next++;
        if (!base) c->full_snapshots++;
        record_size(&s->snap_stats, len, want->count, dropped);
        if (net_send(c->peer, PROTO_CHANNEL_UNRELIABLE, buf, len, NET_SEQUENCED)) {
            c->snapshots_sent++;
            c->bytes_down += len;
        }
    }
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
             "\"naive_bytes_mean\":%.1f,\"ratio_to_naive\":%.4f,\"changes_left_out\":%llu}",
             (unsigned long long)st->count, median, st->max, mean, naive, naive > 0 ? mean / naive : 0.0,
             (unsigned long long)st->dropped_changes);
}
