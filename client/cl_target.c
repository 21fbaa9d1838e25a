/* cl_target.c - the bot's nearest target from the snapshot ring, cheaply
 * and exactly as the reference rule (see cl_target.h).
 *
 * How: with frames F0 (newest), F1, ... and Fj the newest at or before the
 * sampling tick t, a player held in both Fj and Fj-1 is interpolated
 * between exactly those two (the common case, found by merging the two
 * sorted frames). A player whose newest frame is at or before t (out of
 * view now, or t past every frame) is extrapolated from the memo's copy of
 * that frame's entry, without touching the frames. Only the rest - players
 * that frames later than t hold, but not both Fj and Fj-1 - are sampled
 * through their masks: the lowest set bit at or above j is the frame
 * cl_interp_sample would take as "earlier", the highest below j its
 * "later". Positions are computed with the very float operations of
 * cl_interp_sample, and the winner's state is taken from cl_interp_sample
 * itself. Memory matters more than instructions here: with many bots every
 * frame is cold, so the common paths read only Fj, Fj-1 and the memo.
 */
#include "cl_target.h"

#include <math.h>
#include <string.h>

_Static_assert(PROTO_SNAPSHOT_RING == 32, "one mask bit per ring slot");

static const snap_frame *frame_at(const cl_interp *ip, int k) { /* k = 0: the newest */
    return &ip->frames[(ip->head - k + PROTO_SNAPSHOT_RING) % PROTO_SNAPSHOT_RING];
}

static uint32_t slot_bit(int slot) { return 1u << ((32 - slot) & 31); }

/* The mask with bit k standing for frame k (newest first). */
static uint32_t by_age(uint32_t held, int head) {
    unsigned r = (unsigned)head & 31u;
    return r ? (held << r) | (held >> (32u - r)) : held;
}

void cl_target_reset(cl_target_memo *m) {
    for (int i = 0; i < PROTO_MAX_PLAYERS; i++) m->held[i] = 0;
    m->count = 0;
    m->received = 0;
    m->newest_tick = 0;
    m->found_id = -1;
}

static void forget_all(cl_target_memo *m) {
    for (int i = 0; i < m->count; i++) m->held[m->seen[i].id] = 0;
    m->count = 0;
}

/* Ring slot `slot` now holds frame f: the bit of whatever it held before
 * goes (a player left with no bit leaves the list), f's players get it and
 * their entries become f's. */
static void memo_store(cl_target_memo *m, int slot, const snap_frame *f) {
    uint32_t bit = slot_bit(slot);
    for (int i = m->count - 1; i >= 0; i--) {
        uint16_t id = m->seen[i].id;
        m->held[id] &= ~bit;
        if (m->held[id]) continue;
        m->seen[i] = m->seen[--m->count];
        m->pos[m->seen[i].id] = (uint16_t)i;
    }
    for (int a = 0; a < f->count && f->ents[a].id < PROTO_MAX_PLAYERS; a++) {
        const snap_entity *e = &f->ents[a];
        if (!m->held[e->id]) m->pos[e->id] = (uint16_t)m->count++;
        m->held[e->id] |= bit;
        m->seen[m->pos[e->id]] = (cl_target_seen){e->id, e->flags, f->tick, e->x, e->y, e->vx, e->vy};
    }
}

static void memo_sync(cl_target_memo *m, const cl_interp *ip) {
    if (m->received == ip->received && m->newest_tick == ip->newest_tick && ip->stored > 0) return;
    uint64_t fresh = ip->received - m->received;
    bool follows = m->newest_tick != 0 && ip->received > m->received && fresh < (uint64_t)ip->stored &&
                   frame_at(ip, (int)fresh)->tick == m->newest_tick;
    int from = follows ? (int)fresh - 1 : ip->stored - 1;
    if (!follows) forget_all(m); /* rebuild from the oldest frame held */
    for (int k = from; k >= 0; k--)
        memo_store(m, (ip->head - k + PROTO_SNAPSHOT_RING) % PROTO_SNAPSHOT_RING, frame_at(ip, k));
    m->received = ip->received;
    m->newest_tick = ip->stored > 0 ? ip->newest_tick : 0;
}

typedef struct {
    const player_state *me;
    uint16_t self_id, max_players;
    cl_target_present_fn present;
    const void *ctx;
    float best;
    int best_id;
} pick;

/* The roster (p->present; NULL: not asked) only when a player would be
 * the new nearest. */
static void consider(pick *p, uint16_t id, float x, float y, uint8_t flags) {
    if (!(flags & ENT_FLAG_ALIVE)) return;
    float dx = x - p->me->x, dy = y - p->me->y, d = dx * dx + dy * dy;
    if (!(d < p->best || (d == p->best && (int)id < p->best_id))) return;
    if (id >= p->max_players || id == p->self_id || (p->present && !p->present(p->ctx, id))) return;
    p->best = d;
    p->best_id = id;
}

/* Position and flags of player `id` at t, as cl_interp_sample computes them,
 * from its mask (frames by age) and j (the first frame at or before t), for
 * a player that some frame later than t holds. */
static bool sample_masked(const cl_interp *ip, uint32_t age_mask, int j, uint16_t id, double t, float *x, float *y,
                          uint8_t *flags) {
    uint32_t after = j >= 32 ? age_mask : age_mask & ((1u << j) - 1u); /* frames later than t */
    uint32_t before = age_mask & ~after;
    if (!after) return false; /* (the caller's case) */
    const snap_entity *l = snap_frame_find(frame_at(ip, 31 - __builtin_clz(after)), id); /* the oldest later */
    if (!l) return false;
    float qx = (float)l->x / PROTO_POS_SCALE, qy = (float)l->y / PROTO_POS_SCALE;
    if (!before) { /* before every frame holding it: that one */
        *x = qx;
        *y = qy;
        *flags = l->flags;
        return true;
    }
    const snap_frame *ef = frame_at(ip, __builtin_ctz(before)), *lf = frame_at(ip, 31 - __builtin_clz(after));
    const snap_entity *e = snap_frame_find(ef, id);
    if (!e) return false;
    float px = (float)e->x / PROTO_POS_SCALE, py = (float)e->y / PROTO_POS_SCALE;
    float w = (float)((t - (double)ef->tick) / (double)(lf->tick - ef->tick));
    px += (qx - px) * w;
    py += (qy - py) * w;
    *x = px;
    *y = py;
    *flags = w >= 0.5f ? l->flags : e->flags;
    return true;
}

#define DONE_WORDS (PROTO_MAX_PLAYERS / 64)
static void mark(uint64_t *done, uint16_t id) { done[id / 64] |= 1ull << (id % 64); }
static bool marked(const uint64_t *done, uint16_t id) { return done[id / 64] & (1ull << (id % 64)); }

/* One pass over every candidate; p says who is eligible. */
static void nearest_pass(const cl_target_memo *m, const cl_interp *ip, int j, double t, pick *pk) {
    pick p = *pk;
    uint16_t max_players = p.max_players;
    int s = ip->stored;
    uint64_t done[DONE_WORDS];
    memset(done, 0, sizeof done);
    if (j > 0 && j < s) { /* between Fj and Fj-1: the players both hold, by a merge */
        const snap_frame *e = frame_at(ip, j), *l = frame_at(ip, j - 1);
        float w = (float)((t - (double)e->tick) / (double)(l->tick - e->tick));
        int a = 0, b = 0;
        while (a < e->count && b < l->count) {
            uint16_t ia = e->ents[a].id, ib = l->ents[b].id;
            if (ia >= max_players || ib >= max_players) break;
            if (ia != ib) {
                if (ia < ib) a++;
                else b++;
                continue;
            }
            mark(done, ia);
            const snap_entity *x = &e->ents[a], *y = &l->ents[b];
            float px = (float)x->x / PROTO_POS_SCALE, py = (float)x->y / PROTO_POS_SCALE;
            float qx = (float)y->x / PROTO_POS_SCALE, qy = (float)y->y / PROTO_POS_SCALE;
            px += (qx - px) * w;
            py += (qy - py) * w;
            consider(&p, ia, px, py, w >= 0.5f ? y->flags : x->flags);
            a++;
            b++;
        }
    }
    uint32_t ahead_tick = 0; /* most entries share a few frames' ticks: one `ahead` each */
    bool have_ahead = false;
    float ahead = 0.0f;
    for (int i = 0; i < m->count; i++) { /* everyone else held somewhere */
        const cl_target_seen *v = &m->seen[i];
        if (v->id >= max_players || marked(done, v->id)) continue;
        float x, y;
        uint8_t flags = v->flags;
        if ((double)v->tick <= t) { /* no frame after t holds it: extrapolated from its newest */
            if (!have_ahead || v->tick != ahead_tick) {
                have_ahead = true;
                ahead_tick = v->tick;
                ahead = (float)(fmin(t - (double)v->tick, CL_EXTRAPOLATE_MS / 1000.0 * ip->tick_rate) / ip->tick_rate);
            }
            x = (float)v->x / PROTO_POS_SCALE;
            y = (float)v->y / PROTO_POS_SCALE;
            x += (float)v->vx / PROTO_VEL_SCALE * ahead;
            y += (float)v->vy / PROTO_VEL_SCALE * ahead;
        } else if (!sample_masked(ip, by_age(m->held[v->id], ip->head), j, v->id, t, &x, &y, &flags)) {
            continue;
        }
        consider(&p, v->id, x, y, flags);
    }
    *pk = p;
}

bool cl_target_nearest(cl_target_memo *m, const cl_interp *ip, const player_state *me, uint16_t self_id,
                       uint16_t max_players, cl_target_present_fn present, const void *ctx, double t,
                       player_state *out) {
    memo_sync(m, ip);
    if (max_players > PROTO_MAX_PLAYERS) max_players = PROTO_MAX_PLAYERS;
    int s = ip->stored, j = 0;
    while (j < s && (double)frame_at(ip, j)->tick > t) j++;
    /* Nearly always everyone in the snapshots is on the roster: find the
     * nearest without asking it, then ask once; only if that one is off the
     * roster, pass again asking for each would-be nearest. (The nearest of
     * all, when on the roster, is the nearest of those on it, ties too.) */
    pick p = {me, self_id, max_players, NULL, ctx, 1e9f, -1};
    nearest_pass(m, ip, j, t, &p);
    if (p.best_id >= 0 && !present(ctx, (uint16_t)p.best_id)) {
        p = (pick){me, self_id, max_players, present, ctx, 1e9f, -1};
        nearest_pass(m, ip, j, t, &p);
    }
    m->found_id = -1;
    if (p.best_id < 0 || !cl_interp_sample(ip, (uint16_t)p.best_id, t, out)) return false;
    m->found_id = p.best_id;
    return true;
}

bool cl_target_nearest_reference(const cl_interp *ip, const player_state *me, uint16_t self_id, uint16_t max_players,
                                 cl_target_present_fn present, const void *ctx, double t, player_state *out) {
    float best = 1e9f;
    bool found = false;
    for (uint16_t id = 0; id < max_players; id++) {
        if (id == self_id || !present(ctx, id)) continue;
        player_state p;
        if (!cl_interp_sample(ip, id, t, &p) || !(p.flags & ENT_FLAG_ALIVE)) continue;
        float dx = p.x - me->x, dy = p.y - me->y, d = dx * dx + dy * dy;
        if (d < best) {
            best = d;
            *out = p;
            found = true;
        }
    }
    return found;
}
