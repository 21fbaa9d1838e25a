/* cl_target.h - the bot's nearest target, found without scanning every
 * player id against every stored snapshot.
 *
 * Owns: a per-client memo of which stored snapshot frames hold which player
 * (one 32-bit mask per player id, one bit per ring slot) and, in one
 * contiguous list, every player held anywhere as its newest frame has it;
 * kept up to date from the snapshot ring as snapshots arrive (work per new
 * snapshot: the players of the new frame and of the list),
 * and the query "nearest other living player as drawn at server tick t".
 * The answer is exactly what cl_conn's reference rule gives (for every
 * present id except our own, ascending: cl_interp_sample at t, alive,
 * smallest squared distance in float, the lowest id on a tie) - the same
 * target and state, bit for bit - but costs a merge of the two frames
 * around t plus one pass over that list (players out of view now cost no
 * look-up in old frames; only the few that newer frames hold beside t need
 * binary searches), instead of max_players x PROTO_SNAPSHOT_RING binary
 * searches. Pure; no allocation.
 */
#ifndef CL_TARGET_H
#define CL_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "cl_interp.h"
#include "protocol.h"
#include "sim.h"

/* A player held by some stored frame, as the newest such frame has it. */
typedef struct {
    uint16_t id;
    uint8_t flags;
    uint32_t tick;  /* that frame's tick */
    uint32_t x, y;  /* quantized, as snap_entity */
    int16_t vx, vy;
} cl_target_seen;

typedef struct {
    uint64_t received;    /* ip->received when last brought up to date */
    uint32_t newest_tick; /* ... and the newest tick then (0: never) */
    /* held[id] bit (32 - slot) % 32: ring slot `slot` holds player id (so
     * that rotating left by the ring's head puts frame k, newest first, at
     * bit k). */
    uint32_t held[PROTO_MAX_PLAYERS];
    uint16_t pos[PROTO_MAX_PLAYERS];         /* index in seen[] of each held id */
    cl_target_seen seen[PROTO_MAX_PLAYERS]; /* every held id, unordered, contiguous */
    int count;
    int found_id;         /* the player the last cl_target_nearest chose; -1: none */
} cl_target_memo;

/* Is player `id` on the roster (joined and not left)? Asked about the
 * nearest player found (usually once a query), not about everyone. */
typedef bool (*cl_target_present_fn)(const void *ctx, uint16_t id);

/* Starts (or restarts) a memo; it rebuilds itself from the ring when it
 * finds the ring was re-initialised (a map change) or it fell behind. */
void cl_target_reset(cl_target_memo *m);

/* The nearest other living player among ids below max_players, other than
 * self_id, that present() accepts, as cl_interp_sample gives it at tick t
 * (distance from *me). False when there is none. */
bool cl_target_nearest(cl_target_memo *m, const cl_interp *ip, const player_state *me, uint16_t self_id,
                       uint16_t max_players, cl_target_present_fn present, const void *ctx, double t,
                       player_state *out);

/* The rule cl_target_nearest reproduces, the plain way (for tests and as
 * the definition): every id, every frame. */
bool cl_target_nearest_reference(const cl_interp *ip, const player_state *me, uint16_t self_id, uint16_t max_players,
                                 cl_target_present_fn present, const void *ctx, double t, player_state *out);

#endif
