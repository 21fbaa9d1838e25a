/* cl_interp.h - received snapshots, the server clock, and drawing remote
 * players smoothly.
 *
 * Owns: the ring of the newest decoded snapshot frames (also the baselines
 * that deltas refer to), an estimate of the server's current tick smoothed
 * against arrival jitter, the measured snapshot jitter and loss, the
 * interpolation delay that adapts to them (floor: one snapshot interval plus
 * the jitter), and sampling a player at a fractional server tick: between
 * the two frames around it, extrapolated along its velocity for at most
 * CL_EXTRAPOLATE_MS past the newest, then held. Pure: time is passed in.
 */
#ifndef CL_INTERP_H
#define CL_INTERP_H

#include <stdbool.h>
#include <stdint.h>

#include "seqwin.h"
#include "snapshot.h"

#define CL_EXTRAPOLATE_MS 100.0

typedef struct {
    snap_frame frames[PROTO_SNAPSHOT_RING]; /* (first; entities past a frame's count are not kept) */
    int stored, head;          /* head: index of the newest */
    uint32_t newest_tick;
    double tick_rate, snapshot_rate;
    bool clock_started;
    double offset;             /* estimated server tick = now * tick_rate + offset */
    double last_arrival;
    uint32_t last_tick;
    double jitter;             /* seconds, RFC 3550-style running estimate */
    seq_window seq;            /* snapshot numbers, for loss */
    uint8_t loss_pct;
    double loss_taken_at;
    double delay;              /* interpolation delay, ticks */
    double delay_updated_at;
    uint64_t received, stale;
} cl_interp;

void cl_interp_init(cl_interp *ip, int tick_rate, int snapshot_rate);

/* The stored frame for server tick `tick`, or NULL. */
const snap_frame *cl_interp_find(const cl_interp *ip, uint32_t tick);
/* The newest stored frame, or NULL. */
const snap_frame *cl_interp_newest(const cl_interp *ip);

/* Stores a decoded frame that arrived at `now`. False (and counted) when it
 * is not newer than the newest stored. */
bool cl_interp_add(cl_interp *ip, const snap_frame *f, double now);

/* Moves the interpolation delay toward its target and refreshes the loss
 * figure; call once per frame or tick. */
void cl_interp_update(cl_interp *ip, double now);

/* Estimated server tick at `now`, and the tick to draw remote players at. */
double cl_interp_server_tick(const cl_interp *ip, double now);
double cl_interp_render_tick(const cl_interp *ip, double now);

/* Player `id` at fractional server tick t; false if no frame holds it. */
bool cl_interp_sample(const cl_interp *ip, uint16_t id, double t, player_state *out);

static inline double cl_interp_delay_ms(const cl_interp *ip) { return ip->delay / ip->tick_rate * 1000.0; }
static inline double cl_interp_jitter_ms(const cl_interp *ip) { return ip->jitter * 1000.0; }

#endif
