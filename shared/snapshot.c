/* snapshot.c - quantized snapshot frames and their delta codec (snapshot.h). */
#include "snapshot.h"

#include <math.h>
#include <string.h>

#include "bits.h"

static const uint8_t W_BASELINE[4] = {0, 4, 8, 16};
static const uint8_t W_CMD[4] = {0, 4, 8, 32};
static const uint8_t W_COUNT[4] = {4, 7, 10, 16};
/* The record fields' widths: W_* for the decoder, and FW_* tables for the
 * encoder (below), from the same lists. */
#define WIDTHS_GAP 0, 3, 6, 11
#define WIDTHS_POS 3, 8, 13, 22
#define WIDTHS_VEL 4, 8, 12, 17 /* changes up to 2 x 24 tiles/s */
#define WIDTHS_AIM 5, 9, 13, 16
static const uint8_t W_GAP[4] = {WIDTHS_GAP};
static const uint8_t W_POS[4] = {WIDTHS_POS};
static const uint8_t W_VEL[4] = {WIDTHS_VEL};
static const uint8_t W_AIM[4] = {WIDTHS_AIM};

enum { F_POS = 1, F_VEL = 2, F_AIM = 4, F_FLAGS = 8 };
enum { K_UPDATE, K_NEW, K_REMOVE };

#define VEL_Q_MAX ((int32_t)(PROTO_MAX_ENTITY_SPEED * PROTO_VEL_SCALE))
#define MAX_RECORDS (2 * PROTO_VIEW_MAX_ENTITIES)
/* Header bits at their largest: id, tick, baseline, cmd, loss, count. */
#define HEADER_BITS_MAX (8 + 32 + 18 + 34 + 7 + 7 + 18)
#define GAP_BITS_MAX 13
_Static_assert(PROTO_MAX_ENTITIES <= (1 << 11) + 1, "every id gap fits W_GAP's widest code");

const char *snap_result_text(int result) {
    switch (result) {
    case SNAP_OK: return "ok";
    case SNAP_ERR_TRUNCATED: return "truncated";
    case SNAP_ERR_TRAILING: return "trailing bytes";
    case SNAP_ERR_WRONG_ID: return "not a snapshot";
    case SNAP_ERR_RANGE: return "value out of range";
    case SNAP_ERR_NO_BASELINE: return "baseline not held";
    default: return "unknown error";
    }
}

void snap_entity_from_state(snap_entity *e, uint16_t id, const player_state *p) {
    e->id = id;
    long x = lroundf(p->x * PROTO_POS_SCALE), y = lroundf(p->y * PROTO_POS_SCALE);
    long lim = (long)PROTO_POS_Q_LIMIT - 1;
    e->x = (uint32_t)(x < 0 ? 0 : x > lim ? lim : x);
    e->y = (uint32_t)(y < 0 ? 0 : y > lim ? lim : y);
    long vx = lroundf(p->vx * PROTO_VEL_SCALE), vy = lroundf(p->vy * PROTO_VEL_SCALE);
    e->vx = (int16_t)(vx < -VEL_Q_MAX ? -VEL_Q_MAX : vx > VEL_Q_MAX ? VEL_Q_MAX : vx);
    e->vy = (int16_t)(vy < -VEL_Q_MAX ? -VEL_Q_MAX : vy > VEL_Q_MAX ? VEL_Q_MAX : vy);
    e->aim = p->aim;
    e->flags = p->flags;
    e->health = p->health > PROTO_MAX_HEALTH ? PROTO_MAX_HEALTH : p->health;
}

void snap_entity_to_state(const snap_entity *e, player_state *p) {
    p->x = (float)e->x / PROTO_POS_SCALE;
    p->y = (float)e->y / PROTO_POS_SCALE;
    p->vx = (float)e->vx / PROTO_VEL_SCALE;
    p->vy = (float)e->vy / PROTO_VEL_SCALE;
    p->aim = e->aim;
    p->flags = e->flags;
    p->health = e->health;
}

const snap_entity *snap_frame_find(const snap_frame *f, uint16_t id) {
    int lo = 0, hi = (int)f->count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (f->ents[mid].id == id) return &f->ents[mid];
        if (f->ents[mid].id < id) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

size_t snap_naive_bytes(int entities) { return 13u + (size_t)entities * 24u; }

bool snap_entity_valid(const snap_entity *e) {
    return e->id < PROTO_MAX_ENTITIES && e->x < PROTO_POS_Q_LIMIT && e->y < PROTO_POS_Q_LIMIT &&
           e->vx >= -VEL_Q_MAX && e->vx <= VEL_Q_MAX && e->vy >= -VEL_Q_MAX && e->vy <= VEL_Q_MAX &&
           !(e->flags & ~ENT_FLAG_ALL) && e->health <= PROTO_MAX_HEALTH;
}

/* Every entity valid (snap_entity_valid) and the ids increasing: what
 * snap_encode checks of both its frames (snap_encode_trusted does not). */
static bool frame_valid(const snap_frame *f) {
    int32_t last = -1;
    for (int i = 0; i < f->count; i++) {
        const snap_entity *e = &f->ents[i];
        if ((int32_t)e->id <= last || !snap_entity_valid(e)) return false;
        last = e->id;
    }
    return true;
}

/* Where a coordinate is expected `ticks` after the baseline, given the
 * baseline velocity v0 and the new velocity vn (sent before the position):
 * the simulation moves by the new velocity each tick (semi-implicit Euler),
 * so with constant velocity this is exact, per-tick rounding included, and
 * while accelerating the average of the two leaves a small residual. */
static inline int32_t reckon(uint32_t pos, int16_t v0, int16_t vn, uint32_t ticks, int tick_rate) {
    int64_t move;
    if (v0 == 0 && vn == 0 && pos < PROTO_POS_Q_LIMIT) return (int32_t)pos; /* standing still: no division */
    if (v0 == vn) {
        move = (int64_t)sim_step_units(v0, tick_rate) * (int64_t)ticks; /* the sim's own step */
    } else {
        int64_t num = ((int64_t)(ticks + 1) * vn + (int64_t)(ticks - 1) * v0) * (int64_t)PROTO_POS_SCALE;
        int64_t den = 2 * (int64_t)PROTO_VEL_SCALE * tick_rate;
        move = sim_div_round(num, den);
    }
    int64_t p = (int64_t)pos + move;
    if (p < 0) p = 0;
    if (p >= (int64_t)PROTO_POS_Q_LIMIT) p = PROTO_POS_Q_LIMIT - 1;
    return (int32_t)p;
}

/* Moves e on as dead reckoning says with its velocity unchanged: what a
 * baseline entity without a record becomes, on both sides. */
static inline void reckon_on(snap_entity *e, uint32_t ticks, int tick_rate) {
    e->x = (uint32_t)reckon(e->x, e->vx, e->vx, ticks, tick_rate);
    e->y = (uint32_t)reckon(e->y, e->vy, e->vy, ticks, tick_rate);
}

/* One bucketed record field, sized once: its selector and value go out in
 * one write of 2 + width bits (every record width is at most 22). */
typedef struct {
    uint32_t code;
    uint8_t bits; /* 0: the value does not fit any width */
} field;

/* A record field's widths as two tables indexed by the count of leading
 * zeros of 2v + 1 (64-bit: 63 - the significant bits of v, 0 for v = 0):
 * the selector of the narrowest width that holds v, and the bits its field
 * takes (0 when none does). Built by the preprocessor from the four
 * widths, so that sizing a field is a count of zeros and two loads (the
 * encoder sizes five fields per entity of every client's view). */
typedef struct {
    uint8_t sel[64];
    uint8_t bits[64];
} field_widths;

#define FW_SEL(z, a, b, c, d) ((63 - (z) > a) + (63 - (z) > b) + (63 - (z) > c) + (63 - (z) > d))
#define FW_BITS(z, a, b, c, d)                                                                                \
    (63 - (z) <= a ? 2 + a : 63 - (z) <= b ? 2 + b : 63 - (z) <= c ? 2 + c : 63 - (z) <= d ? 2 + d : 0)
#define FW_8(F, z, a, b, c, d)                                                                                \
    F(z, a, b, c, d), F(z + 1, a, b, c, d), F(z + 2, a, b, c, d), F(z + 3, a, b, c, d), F(z + 4, a, b, c, d), \
        F(z + 5, a, b, c, d), F(z + 6, a, b, c, d), F(z + 7, a, b, c, d)
#define FW_64(F, a, b, c, d)                                                                                  \
    {FW_8(F, 0, a, b, c, d),  FW_8(F, 8, a, b, c, d),  FW_8(F, 16, a, b, c, d), FW_8(F, 24, a, b, c, d),    \
     FW_8(F, 32, a, b, c, d), FW_8(F, 40, a, b, c, d), FW_8(F, 48, a, b, c, d), FW_8(F, 56, a, b, c, d)}
#define FIELD_WIDTHS_(a, b, c, d) {FW_64(FW_SEL, a, b, c, d), FW_64(FW_BITS, a, b, c, d)}
#define FIELD_WIDTHS(list) FIELD_WIDTHS_(list)

static const field_widths FW_GAP = FIELD_WIDTHS(WIDTHS_GAP);
static const field_widths FW_POS = FIELD_WIDTHS(WIDTHS_POS);
static const field_widths FW_VEL = FIELD_WIDTHS(WIDTHS_VEL);
static const field_widths FW_AIM = FIELD_WIDTHS(WIDTHS_AIM);

static inline field field_of(uint32_t v, const field_widths *w) {
    int z = __builtin_clzll((uint64_t)v << 1 | 1u);
    return (field){(uint32_t)w->sel[z] | v << 2, w->bits[z]};
}

/* Bits a field costs; a value no width holds costs more than any budget. */
static inline int field_cost(field f) { return f.bits ? f.bits : 1 << 20; }

/* One entry of the merge of the wanted and baseline entities, in id order:
 * an update (mask 0 when nothing changed: no record), a new entity or a
 * removal. The record's variable fields are worked out once, here, for its
 * cost, its bits and the client's view. */
typedef struct {
    const snap_entity *now;  /* wanted state (update, new) */
    const snap_entity *base; /* baseline state (update, removal) */
    int cost;                /* bits, gap counted at its largest */
    uint16_t id;
    uint8_t kind;
    uint8_t mask;            /* update fields */
    bool admitted;
    field f[5];              /* update: VEL vx vy, POS x y, AIM; new: vx vy */
} change;

static void plan_update(change *c, uint32_t dticks, int tick_rate) {
    const snap_entity *n = c->now, *b = c->base;
    /* In unsigned arithmetic: the same for valid frames (coordinates below
     * 2^21), no overflow for the garbage snap_encode_trusted may be given. */
    int32_t rx = (int32_t)(n->x - (uint32_t)reckon(b->x, b->vx, n->vx, dticks, tick_rate));
    int32_t ry = (int32_t)(n->y - (uint32_t)reckon(b->y, b->vy, n->vy, dticks, tick_rate));
    uint8_t m = 0;
    int bits = GAP_BITS_MAX + 1 + 4;
    if (n->vx != b->vx || n->vy != b->vy) {
        m |= F_VEL;
        c->f[0] = field_of(bits_zigzag(n->vx - b->vx), &FW_VEL);
        c->f[1] = field_of(bits_zigzag(n->vy - b->vy), &FW_VEL);
        bits += field_cost(c->f[0]) + field_cost(c->f[1]);
    }
    if (rx || ry) {
        m |= F_POS;
        c->f[2] = field_of(bits_zigzag(rx), &FW_POS);
        c->f[3] = field_of(bits_zigzag(ry), &FW_POS);
        bits += field_cost(c->f[2]) + field_cost(c->f[3]);
    }
    if (n->aim != b->aim) {
        m |= F_AIM;
        c->f[4] = field_of(bits_zigzag((int16_t)(uint16_t)(n->aim - b->aim)), &FW_AIM);
        bits += field_cost(c->f[4]);
    }
    if (n->flags != b->flags || n->health != b->health) {
        m |= F_FLAGS;
        bits += 8 + 7;
    }
    c->mask = m;
    c->cost = bits;
}

static void plan_new(change *c) {
    const snap_entity *n = c->now;
    c->f[0] = field_of(bits_zigzag(n->vx), &FW_VEL);
    c->f[1] = field_of(bits_zigzag(n->vy), &FW_VEL);
    c->cost = GAP_BITS_MAX + 2 + 2 * PROTO_POS_BITS + field_cost(c->f[0]) + field_cost(c->f[1]) + 16 + 8 + 7;
}

/* The records' writer: the plan's costs are upper bounds and the admitted
 * records fit the budget, which leaves room for the largest header, so the
 * records are known to fit the buffer and go in without bound checks,
 * gathered 32 bits at a time. The buffer is zeroed (bits_writer_init). */
typedef struct {
    uint8_t *p;   /* where the next 4 bytes go */
    uint64_t acc; /* bits not yet stored, the oldest lowest */
    int n;        /* how many */
    bool bad;     /* a field no width holds (never, for valid frames) */
} record_writer;

static inline void put_bits(record_writer *rw, uint32_t v, int n) { /* v < 2^n, n <= 32 */
    rw->acc |= (uint64_t)v << rw->n;
    rw->n += n;
    if (rw->n >= 32) {
        uint32_t lo = (uint32_t)rw->acc;
        rw->p[0] = (uint8_t)lo;
        rw->p[1] = (uint8_t)(lo >> 8);
        rw->p[2] = (uint8_t)(lo >> 16);
        rw->p[3] = (uint8_t)(lo >> 24);
        rw->p += 4;
        rw->acc >>= 32;
        rw->n -= 32;
    }
}

static inline void write_field(record_writer *rw, field f) {
    if (f.bits) put_bits(rw, f.code, f.bits);
    else rw->bad = true;
}

static void write_record(record_writer *w, const change *c) {
    const snap_entity *n = c->now;
    if (c->kind == K_UPDATE) {
        put_bits(w, 1u | (uint32_t)c->mask << 1, 5); /* update, then its mask */
        if (c->mask & F_VEL) {
            write_field(w, c->f[0]);
            write_field(w, c->f[1]);
        }
        if (c->mask & F_POS) {
            write_field(w, c->f[2]);
            write_field(w, c->f[3]);
        }
        if (c->mask & F_AIM) write_field(w, c->f[4]);
        if (c->mask & F_FLAGS) put_bits(w, n->flags | (uint32_t)n->health << 8, 15);
    } else if (c->kind == K_NEW) {
        put_bits(w, 2u, 2); /* not an update, new */
        put_bits(w, n->x, PROTO_POS_BITS);
        put_bits(w, n->y, PROTO_POS_BITS);
        write_field(w, c->f[0]);
        write_field(w, c->f[1]);
        put_bits(w, n->aim | (uint32_t)n->flags << 16 | (uint32_t)n->health << 24, 31);
    } else {
        put_bits(w, 0u, 2); /* not an update, removed */
    }
}

/* The frame the client will hold after decoding, worked out from the plan
 * instead of by decoding: an admitted update or new entity decodes to
 * exactly the wanted state (its residuals are taken against the same
 * reckoning), so does an update with nothing to send, and a baseline entity
 * whose record was left out (update or removal) is reckoned on: moved as
 * dead reckoning says with its velocity unchanged. The snapshot tests check
 * it against snap_decode on every encoding.
 *
 * Branch-free in its first pass (which changes were admitted is as good as
 * random): each change copies the wanted or the baseline state into the
 * next place, which counts only when the entity stays in view, and notes
 * the places that need reckoning; the second pass reckons those. */
static void derive_view(snap_frame *v, const snap_frame *want, const change *changes, int nc, uint32_t dticks,
                        int tick_rate, uint8_t *current) {
    v->tick = want->tick;
    v->last_cmd_tick = want->last_cmd_tick;
    v->self_ammo = want->self_ammo;
    uint8_t reckoned[PROTO_VIEW_MAX_ENTITIES + 1]; /* + 1: written before it counts, also when full */
    snap_entity spill; /* where a change that leaves nothing is copied when the view is full */
    uint8_t held[MAX_RECORDS]; /* current, written branch-free (a removal's place is written over) */
    int count = 0, nr = 0, wi = 0;
    for (int i = 0; i < nc; i++) {
        const change *c = &changes[i];
        int update = c->kind == K_UPDATE, fresh = c->kind == K_NEW, gone = c->kind == K_REMOVE;
        int take_now = fresh | (update & (c->admitted | (c->mask == 0)));
        int keep = update | (fresh & c->admitted) | (gone & !c->admitted);
        const snap_entity *src = take_now ? c->now : c->base; /* never NULL: a new one has `now`, the others `base` */
        int room = count < PROTO_VIEW_MAX_ENTITIES;
        *(room ? &v->ents[count] : &spill) = *src;
        reckoned[nr] = (uint8_t)count;
        nr += keep & !take_now & room;
        count += keep & room;
        /* A wanted entity is held exactly when its wanted state was taken:
         * one left out differs from its reckoned baseline (that is what
         * gave it a change), and a new one left out is not held at all. */
        held[wi] = (uint8_t)(take_now & keep & room);
        wi += !gone;
    }
    if (current) memcpy(current, held, (size_t)want->count);
    v->count = (uint16_t)count;
    for (int k = 0; k < nr; k++) reckon_on(&v->ents[reckoned[k]], dticks, tick_rate);
}

/* The encoder; `check`: whether to check both frames (frame_valid). */
static size_t encode(uint8_t *buf, size_t cap, const snap_frame *want, const uint16_t *priority,
                     const snap_frame *baseline, int tick_rate, uint8_t up_loss_pct, snap_frame *view, int *dropped,
                     uint8_t *current, bool check) {
    static const snap_frame empty; /* tick 0, no entities */
    if (dropped) *dropped = 0;
    const snap_frame *base = baseline ? baseline : &empty;
    if (want->count > PROTO_VIEW_MAX_ENTITIES || base->count > PROTO_VIEW_MAX_ENTITIES || want->tick == 0 ||
        tick_rate <= 0 || up_loss_pct > 100 || want->self_ammo > PROTO_MAX_AMMO)
        return 0;
    if (baseline && (baseline->tick == 0 || baseline->tick >= want->tick || want->tick - baseline->tick > 0xffffu))
        return 0;
    uint32_t dticks = baseline ? want->tick - baseline->tick : 0;

    if (check && (!frame_valid(want) || !frame_valid(base))) return 0;

    /* Merge wanted and baseline entities into one id-ordered list of
     * changes; want_change[i] maps a wanted entity to its change (or -1:
     * none). */
    change changes[MAX_RECORDS];
    int16_t want_change[PROTO_VIEW_MAX_ENTITIES];
    int nc = 0, wi = 0, bi = 0;
    while (wi < want->count || bi < base->count) {
        const snap_entity *n = wi < want->count ? &want->ents[wi] : NULL;
        const snap_entity *b = bi < base->count ? &base->ents[bi] : NULL;
        change *c = &changes[nc]; /* each field set here or by the plan (no zeroing of f[]) */
        c->admitted = false;
        c->mask = 0;
        if (n && b && n->id == b->id) {
            c->now = n;
            c->base = b;
            c->id = n->id;
            c->kind = K_UPDATE;
            plan_update(c, dticks, tick_rate);
            want_change[wi++] = c->mask ? (int16_t)nc : -1;
            bi++;
        } else if (n && (!b || n->id < b->id)) {
            c->now = n;
            c->base = NULL;
            c->id = n->id;
            c->kind = K_NEW;
            plan_new(c);
            want_change[wi++] = (int16_t)nc;
        } else {
            c->now = NULL;
            c->base = b;
            c->id = b->id;
            c->kind = K_REMOVE;
            c->cost = GAP_BITS_MAX + 2;
            bi++;
        }
        nc++;
    }

    /* Admit removals, then changes by priority, while the budget lasts and
     * the client's view stays within its limit. */
    long budget = (long)cap * 8 - HEADER_BITS_MAX;
    int view_count = base->count, admitted = 0, wanted = 0;
    for (int i = 0; i < nc; i++) {
        change *c = &changes[i];
        if (c->kind == K_UPDATE && c->mask == 0) continue;
        wanted++;
        if (c->kind == K_REMOVE && c->cost <= budget) {
            c->admitted = true;
            budget -= c->cost;
            view_count--;
            admitted++;
        }
    }
    for (int k = 0; k < want->count && budget > 0; k++) {
        uint16_t wi_k = priority ? priority[k] : (uint16_t)k;
        if (wi_k >= want->count || want_change[wi_k] < 0) continue;
        change *c = &changes[want_change[wi_k]];
        if (c->admitted) continue;
        bool grows = c->kind == K_NEW;
        if (c->cost > budget || (grows && view_count >= PROTO_VIEW_MAX_ENTITIES)) continue;
        c->admitted = true;
        budget -= c->cost;
        view_count += grows;
        admitted++;
    }
    if (dropped) *dropped = wanted - admitted;

    bit_writer w;
    bits_writer_init(&w, buf, cap);
    bits_write(&w, MSG_S_SNAPSHOT, 8);
    bits_write(&w, want->tick, 32);
    bits_write_bucket(&w, dticks, W_BASELINE);
    if (baseline) bits_write_bucket(&w, want->last_cmd_tick - baseline->last_cmd_tick, W_CMD);
    else bits_write(&w, want->last_cmd_tick, 32);
    bits_write(&w, up_loss_pct, 7);
    bits_write(&w, want->self_ammo, 7);
    bits_write_bucket(&w, (uint32_t)admitted, W_COUNT);
    if (!bits_writer_ok(&w)) return 0;
    /* The records, from the header's last partial byte on. */
    size_t at = w.bitpos / 8;
    record_writer rw = {buf + at, buf[at] & ((1u << (w.bitpos % 8)) - 1u), (int)(w.bitpos % 8), false};
    uint16_t order[MAX_RECORDS]; /* the admitted, in id order (appended branch-free) */
    int na = 0;
    for (int i = 0; i < nc; i++) {
        order[na] = (uint16_t)i;
        na += changes[i].admitted;
    }
    int prev = -1;
    for (int k = 0; k < na; k++) {
        const change *c = &changes[order[k]];
        write_field(&rw, field_of((uint32_t)(c->id - prev - 1), &FW_GAP));
        prev = c->id;
        write_record(&rw, c);
    }
    if (rw.bad) return 0;
    for (int k = 0; k < (rw.n + 7) / 8; k++) rw.p[k] = (uint8_t)(rw.acc >> (8 * k));
    if (view) derive_view(view, want, changes, nc, dticks, tick_rate, current);
    return (size_t)(rw.p - buf) + (size_t)(rw.n + 7) / 8;
}

size_t snap_encode(uint8_t *buf, size_t cap, const snap_frame *want, const uint16_t *priority,
                   const snap_frame *baseline, int tick_rate, uint8_t up_loss_pct, snap_frame *view, int *dropped) {
    return encode(buf, cap, want, priority, baseline, tick_rate, up_loss_pct, view, dropped, NULL, true);
}

size_t snap_encode_current(uint8_t *buf, size_t cap, const snap_frame *want, const uint16_t *priority,
                           const snap_frame *baseline, int tick_rate, uint8_t up_loss_pct, snap_frame *view,
                           int *dropped, uint8_t *current) {
    return encode(buf, cap, want, priority, baseline, tick_rate, up_loss_pct, view, dropped, current, true);
}

size_t snap_encode_trusted(uint8_t *buf, size_t cap, const snap_frame *want, const uint16_t *priority,
                           const snap_frame *baseline, int tick_rate, uint8_t up_loss_pct, snap_frame *view,
                           int *dropped, uint8_t *current) {
    return encode(buf, cap, want, priority, baseline, tick_rate, up_loss_pct, view, dropped, current, false);
}

static int read_header(bit_reader *r, snap_header *h, uint32_t *cmd_raw) {
    if (bits_read(r, 8) != MSG_S_SNAPSHOT) return bits_reader_ok(r) ? SNAP_ERR_WRONG_ID : SNAP_ERR_TRUNCATED;
    h->server_tick = bits_read(r, 32);
    uint32_t back = bits_read_bucket(r, W_BASELINE);
    if (!bits_reader_ok(r)) return SNAP_ERR_TRUNCATED;
    if (back > h->server_tick || (back > 0 && back == h->server_tick) || h->server_tick == 0) return SNAP_ERR_RANGE;
    h->baseline_tick = back ? h->server_tick - back : 0;
    *cmd_raw = back ? bits_read_bucket(r, W_CMD) : bits_read(r, 32);
    h->up_loss_pct = (uint8_t)bits_read(r, 7);
    h->self_ammo = (uint8_t)bits_read(r, 7);
    if (!bits_reader_ok(r)) return SNAP_ERR_TRUNCATED;
    return h->up_loss_pct > 100 || h->self_ammo > PROTO_MAX_AMMO ? SNAP_ERR_RANGE : SNAP_OK;
}

int snap_decode_header(const uint8_t *buf, size_t len, snap_header *out) {
    bit_reader r;
    bits_reader_init(&r, buf, len);
    uint32_t cmd;
    return read_header(&r, out, &cmd);
}

/* Appends e to out; false if the view is full. */
static bool push(snap_frame *out, const snap_entity *e) {
    if (out->count >= PROTO_VIEW_MAX_ENTITIES) return false;
    out->ents[out->count++] = *e;
    return true;
}

/* Appends a baseline entity that has no record: it moved as dead reckoning
 * says (with its velocity unchanged), which is exactly when the encoder
 * leaves it out. */
static bool push_reckoned(snap_frame *out, const snap_entity *b, uint32_t dticks, int tick_rate) {
    snap_entity e = *b;
    reckon_on(&e, dticks, tick_rate);
    return push(out, &e);
}

static int read_update(bit_reader *r, const snap_entity *b, uint32_t dticks, int tick_rate, snap_entity *e) {
    *e = *b;
    uint32_t mask = bits_read(r, 4);
    if (mask == 0) return bits_reader_ok(r) ? SNAP_ERR_RANGE : SNAP_ERR_TRUNCATED;
    int32_t vx = b->vx, vy = b->vy;
    if (mask & F_VEL) {
        vx += bits_unzigzag(bits_read_bucket(r, W_VEL));
        vy += bits_unzigzag(bits_read_bucket(r, W_VEL));
    }
    if (vx < -VEL_Q_MAX || vx > VEL_Q_MAX || vy < -VEL_Q_MAX || vy > VEL_Q_MAX)
        return bits_reader_ok(r) ? SNAP_ERR_RANGE : SNAP_ERR_TRUNCATED;
    int64_t x = reckon(b->x, b->vx, (int16_t)vx, dticks, tick_rate);
    int64_t y = reckon(b->y, b->vy, (int16_t)vy, dticks, tick_rate);
    if (mask & F_POS) {
        x += bits_unzigzag(bits_read_bucket(r, W_POS));
        y += bits_unzigzag(bits_read_bucket(r, W_POS));
    }
    if (mask & F_AIM) e->aim = (uint16_t)(b->aim + (uint16_t)bits_unzigzag(bits_read_bucket(r, W_AIM)));
    if (mask & F_FLAGS) {
        e->flags = (uint8_t)bits_read(r, 8);
        e->health = (uint8_t)bits_read(r, 7);
    }
    if (!bits_reader_ok(r)) return SNAP_ERR_TRUNCATED;
    if (x < 0 || y < 0 || x >= PROTO_POS_Q_LIMIT || y >= PROTO_POS_Q_LIMIT || (e->flags & ~ENT_FLAG_ALL) ||
        e->health > PROTO_MAX_HEALTH)
        return SNAP_ERR_RANGE;
    e->x = (uint32_t)x;
    e->y = (uint32_t)y;
    e->vx = (int16_t)vx;
    e->vy = (int16_t)vy;
    return SNAP_OK;
}

static int read_new(bit_reader *r, snap_entity *e) {
    e->x = bits_read(r, PROTO_POS_BITS);
    e->y = bits_read(r, PROTO_POS_BITS);
    int32_t vx = bits_unzigzag(bits_read_bucket(r, W_VEL)), vy = bits_unzigzag(bits_read_bucket(r, W_VEL));
    e->aim = (uint16_t)bits_read(r, 16);
    e->flags = (uint8_t)bits_read(r, 8);
    e->health = (uint8_t)bits_read(r, 7);
    if (!bits_reader_ok(r)) return SNAP_ERR_TRUNCATED;
    if (vx < -VEL_Q_MAX || vx > VEL_Q_MAX || vy < -VEL_Q_MAX || vy > VEL_Q_MAX || (e->flags & ~ENT_FLAG_ALL) ||
        e->health > PROTO_MAX_HEALTH)
        return SNAP_ERR_RANGE;
    e->vx = (int16_t)vx;
    e->vy = (int16_t)vy;
    return SNAP_OK;
}

int snap_decode(const uint8_t *buf, size_t len, const snap_frame *baseline, int tick_rate, snap_frame *out,
                snap_header *hdr) {
    static const snap_frame empty;
    bit_reader r;
    bits_reader_init(&r, buf, len);
    uint32_t cmd_raw;
    int res = read_header(&r, hdr, &cmd_raw);
    if (res != SNAP_OK) return res;
    if (tick_rate <= 0) return SNAP_ERR_RANGE;
    const snap_frame *base = &empty;
    if (hdr->baseline_tick) {
        if (!baseline || baseline->tick != hdr->baseline_tick) return SNAP_ERR_NO_BASELINE;
        base = baseline;
    }
    uint32_t dticks = hdr->baseline_tick ? hdr->server_tick - hdr->baseline_tick : 0;
    uint32_t records = bits_read_bucket(&r, W_COUNT);
    if (!bits_reader_ok(&r)) return SNAP_ERR_TRUNCATED;
    if (records > MAX_RECORDS) return SNAP_ERR_RANGE;
    out->tick = hdr->server_tick;
    out->last_cmd_tick = hdr->baseline_tick ? base->last_cmd_tick + cmd_raw : cmd_raw;
    out->self_ammo = hdr->self_ammo;
    out->count = 0;
    int bi = 0;
    int32_t prev = -1;
    for (uint32_t i = 0; i < records; i++) {
        uint32_t gap = bits_read_bucket(&r, W_GAP);
        if (!bits_reader_ok(&r)) return SNAP_ERR_TRUNCATED;
        int32_t id = prev + 1 + (int32_t)gap;
        if (id >= PROTO_MAX_ENTITIES) return SNAP_ERR_RANGE;
        prev = id;
        while (bi < base->count && base->ents[bi].id < id)
            if (!push_reckoned(out, &base->ents[bi++], dticks, tick_rate)) return SNAP_ERR_RANGE;
        bool in_base = bi < base->count && base->ents[bi].id == id;
        snap_entity e = {.id = (uint16_t)id};
        if (bits_read(&r, 1)) { /* update */
            if (!in_base) return bits_reader_ok(&r) ? SNAP_ERR_RANGE : SNAP_ERR_TRUNCATED;
            res = read_update(&r, &base->ents[bi++], dticks, tick_rate, &e);
            if (res != SNAP_OK) return res;
            if (!push(out, &e)) return SNAP_ERR_RANGE;
        } else if (bits_read(&r, 1)) { /* new */
            if (in_base) return SNAP_ERR_RANGE;
            res = read_new(&r, &e);
            if (res != SNAP_OK) return res;
            if (!push(out, &e)) return SNAP_ERR_RANGE;
        } else { /* removed */
            if (!bits_reader_ok(&r)) return SNAP_ERR_TRUNCATED;
            if (!in_base) return SNAP_ERR_RANGE;
            bi++;
        }
    }
    while (bi < base->count)
        if (!push_reckoned(out, &base->ents[bi++], dticks, tick_rate)) return SNAP_ERR_RANGE;
    if (!bits_reader_ok(&r)) return SNAP_ERR_TRUNCATED;
    if (!bits_reader_at_end(&r)) return SNAP_ERR_TRAILING;
    return SNAP_OK;
}
