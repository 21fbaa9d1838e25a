/* cl_interp.c - snapshot ring, server clock, jitter, adaptive interpolation
 * delay, interpolation and bounded extrapolation (see cl_interp.h). */
#include "cl_interp.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

_Static_assert(offsetof(cl_interp, frames) == 0, "the frames come first (cl_interp_init)");

void cl_interp_init(cl_interp *ip, int tick_rate, int snapshot_rate) {
    /* Everything but the frames: a frame is read only once stored, and
     * then only its first `count` entities (so the entity slots a game
     * never fills are never written, and their pages never touched). */
    memset((char *)ip + sizeof ip->frames, 0, sizeof *ip - sizeof ip->frames);
    ip->tick_rate = tick_rate;
    ip->snapshot_rate = snapshot_rate;
    ip->head = -1;
    ip->delay = 2.0 * tick_rate / snapshot_rate; /* until measured */
    seqwin_init(&ip->seq);
}

const snap_frame *cl_interp_find(const cl_interp *ip, uint32_t tick) {
    for (int k = 0; k < ip->stored; k++) {
        const snap_frame *f = &ip->frames[(ip->head - k + PROTO_SNAPSHOT_RING) % PROTO_SNAPSHOT_RING];
        if (f->tick == tick) return f;
    }
    return NULL;
}

const snap_frame *cl_interp_newest(const cl_interp *ip) { return ip->stored ? &ip->frames[ip->head] : NULL; }

bool cl_interp_add(cl_interp *ip, const snap_frame *f, double now) {
    if (ip->stored > 0 && f->tick <= ip->newest_tick) {
        ip->stale++;
        return false;
    }
    seqwin_add(&ip->seq, proto_snapshot_seq(f->tick, (int)ip->snapshot_rate, (int)ip->tick_rate));
    if (ip->stored > 0) {
        double d = (now - ip->last_arrival) - (double)(f->tick - ip->last_tick) / ip->tick_rate;
        ip->jitter += (fabs(d) - ip->jitter) / 16.0;
    }
    ip->last_arrival = now;
    ip->last_tick = f->tick;
    ip->head = (ip->head + 1) % PROTO_SNAPSHOT_RING;
    memcpy(&ip->frames[ip->head], f, offsetof(snap_frame, ents) + (size_t)f->count * sizeof f->ents[0]);
    if (ip->stored < PROTO_SNAPSHOT_RING) ip->stored++;
    ip->newest_tick = f->tick;
    ip->received++;
    /* Clock: each arrival says the server was at least at this tick now.
     * Follow smoothly; jump when far off (start, or after a stall). */
    double est = (double)f->tick - now * ip->tick_rate;
    if (!ip->clock_started || fabs(est - ip->offset) > ip->tick_rate * 0.5) {
        ip->offset = est;
        ip->clock_started = true;
    } else {
        ip->offset += (est - ip->offset) * 0.05;
    }
    return true;
}

void cl_interp_update(cl_interp *ip, double now) {
    if (now - ip->loss_taken_at >= 1.0) {
        seqwin_take_loss(&ip->seq, (uint32_t)(ip->snapshot_rate / 2), &ip->loss_pct);
        ip->loss_taken_at = now;
    }
    double interval = ip->tick_rate / ip->snapshot_rate; /* ticks */
    double jitter = ip->jitter * ip->tick_rate;
    double loss_cover = fmin(2.0, ip->loss_pct / 5.0);   /* intervals for lost snapshots */
    double target = interval * (1.0 + loss_cover) + 2.0 * jitter;
    double floor_delay = interval + jitter;
    if (target < floor_delay) target = floor_delay;
    double dt = ip->delay_updated_at > 0 ? now - ip->delay_updated_at : 0.0;
    ip->delay_updated_at = now;
    /* Grow quickly (a freeze is worse than latency), shrink slowly. */
    double rate = target > ip->delay ? 4.0 : 0.5;
    ip->delay += (target - ip->delay) * fmin(1.0, rate * dt);
    if (ip->delay < floor_delay) ip->delay = floor_delay; /* never below the floor */
}

double cl_interp_server_tick(const cl_interp *ip, double now) {
    return ip->clock_started ? now * ip->tick_rate + ip->offset : 0.0;
}

double cl_interp_render_tick(const cl_interp *ip, double now) { return cl_interp_server_tick(ip, now) - ip->delay; }

bool cl_interp_sample(const cl_interp *ip, uint16_t id, double t, player_state *out) {
    /* From newest to oldest: `later` is the closest frame after t holding
     * the player; the first at or before t is `earlier`. */
    const snap_entity *later = NULL;
    uint32_t later_tick = 0;
    for (int k = 0; k < ip->stored; k++) {
        const snap_frame *f = &ip->frames[(ip->head - k + PROTO_SNAPSHOT_RING) % PROTO_SNAPSHOT_RING];
        const snap_entity *e = snap_frame_find(f, id);
        if (!e) continue;
        if ((double)f->tick > t) {
            later = e;
            later_tick = f->tick;
            continue;
        }
        snap_entity_to_state(e, out);
        if (!later) { /* past every frame holding it: extrapolate, bounded */
            double ahead = fmin(t - (double)f->tick, CL_EXTRAPOLATE_MS / 1000.0 * ip->tick_rate) / ip->tick_rate;
            out->x += out->vx * (float)ahead;
            out->y += out->vy * (float)ahead;
            return true;
        }
        player_state b;
        snap_entity_to_state(later, &b);
        float a = (float)((t - (double)f->tick) / (double)(later_tick - f->tick));
        out->x += (b.x - out->x) * a;
        out->y += (b.y - out->y) * a;
        out->vx += (b.vx - out->vx) * a;
        out->vy += (b.vy - out->vy) * a;
        if (a >= 0.5f) { /* discrete fields from the nearer frame */
            out->aim = b.aim;
            out->flags = b.flags;
        }
        return true;
    }
    if (later) { /* before every frame: the oldest */
        snap_entity_to_state(later, out);
        return true;
    }
    return false;
}
