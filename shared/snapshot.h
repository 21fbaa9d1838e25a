/* snapshot.h - world snapshots and their delta encoding, pure.
 *
 * Owns: the quantized snapshot frame (exactly what the client holds: players,
 * rockets and pickups, told apart by id range, see protocol.h), and
 * the S_SNAPSHOT wire format: a bit-packed delta against a baseline frame
 * the client has acknowledged (or a full frame when there is none).
 *
 * Wire layout (bits, LSB first, after the u8 message id):
 *   server_tick      32
 *   baseline_back    bucket{0,4,8,16}   ticks back to the baseline; 0 = full
 *   last_cmd_tick    full: 32 bits; delta: bucket{0,4,8,32} added to the
 *                    baseline's value
 *   up_loss_pct      7                   inputs lost on the way up, 0..100
 *   self_ammo        7                   the receiver's ammunition, 0..99
 *   records          bucket{4,7,10,16}  number of entity records
 *   each record, in increasing id order:
 *     id_gap         bucket{0,3,6,11}   id - previous id - 1 (first: id)
 *     kind           1 bit: 1 = update; else 1 bit: 1 = new, 0 = removed
 *     update:        mask 4 bits: POS VEL AIM STATUS (never 0), fields in
 *                    this order:
 *       VEL   vx, vy change: zigzag bucket{4,8,12,17} each (a reversal at full
 *             rocket speed is a change of 2 x 24 tiles/s)
 *       POS   x, y residual against dead reckoning from the baseline with
 *             the old and new velocities: zigzag bucket{3,8,13,22} each
 *       AIM   aim change (mod 65536, signed): zigzag bucket{5,9,13,16}
 *       STATUS flags 8 bits, health 7 bits
 *     new:    x 21, y 21, vx vy zigzag bucket{4,8,12,17}, aim 16, flags 8,
 *             health 7
 *   padding to a whole byte with zero bits
 * An entity absent from the records is where dead reckoning from the
 * baseline puts it, with its other fields unchanged, so an entity standing
 * still or running steadily costs nothing. Dead reckoning (integers, identical on
 * every machine): with an unchanged velocity v, position + ticks *
 * round(v / tick_rate); otherwise position + round(((ticks+1) * v_new +
 * (ticks-1) * v_old) / (2 * tick_rate)), which is what the simulation's
 * semi-implicit steps give for a steady acceleration.
 */
#ifndef GAME_SNAPSHOT_H
#define GAME_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"
#include "sim.h"

/* One entity, quantized (units as in protocol.h). */
typedef struct {
    uint16_t id;
    uint32_t x, y;  /* 1/PROTO_POS_SCALE tile, < PROTO_POS_Q_LIMIT */
    int16_t vx, vy; /* 1/PROTO_VEL_SCALE tile/s, |v| <= PROTO_MAX_ENTITY_SPEED */
    uint16_t aim;
    uint8_t flags;
    uint8_t health; /* 0..PROTO_MAX_HEALTH */
} snap_entity;

/* What one client holds for one server tick: entities sorted by id. */
typedef struct {
    uint32_t tick;          /* server tick; 0 = empty slot */
    uint32_t last_cmd_tick; /* newest command of the receiver applied */
    uint8_t self_ammo;      /* the receiver's rail gun ammunition */
    uint16_t count;
    snap_entity ents[PROTO_VIEW_MAX_ENTITIES];
} snap_frame;

typedef struct {
    uint32_t server_tick;
    uint32_t baseline_tick; /* 0: full snapshot */
    uint8_t up_loss_pct;
    uint8_t self_ammo;
} snap_header;

typedef enum {
    SNAP_OK = 0,
    SNAP_ERR_TRUNCATED = -1,
    SNAP_ERR_TRAILING = -2,
    SNAP_ERR_WRONG_ID = -3,
    SNAP_ERR_RANGE = -4,
    SNAP_ERR_NO_BASELINE = -5 /* a delta whose baseline the caller does not hold */
} snap_result;

const char *snap_result_text(int result);

/* Quantize / dequantize one player's state. */
void snap_entity_from_state(snap_entity *e, uint16_t id, const player_state *p);
void snap_entity_to_state(const snap_entity *e, player_state *p);

/* Finds an entity by id in a frame (binary search), or NULL. */
const snap_entity *snap_frame_find(const snap_frame *f, uint16_t id);

/* Encodes `want` (entities sorted by id) as a delta against `baseline`
 * (NULL: full) into buf, within cap bytes. Changes are admitted in the
 * order given by `priority` (indices into want->ents, want->count of them)
 * while they fit; removals of entities no longer wanted go first. *view
 * receives exactly the frame the client will hold after decoding (baseline
 * plus the admitted changes). Returns the byte count, 0 if even the header
 * does not fit or want is invalid. `dropped` (may be NULL) receives the
 * number of changes left out for lack of room. */
size_t snap_encode(uint8_t *buf, size_t cap, const snap_frame *want, const uint16_t *priority,
                   const snap_frame *baseline, int tick_rate, uint8_t up_loss_pct, snap_frame *view, int *dropped);

/* snap_encode, and for each wanted entity whether the client holds it
 * exactly after this snapshot: current[i] (want->count of them; may be
 * NULL) is 1 when *view holds want->ents[i] as it is, 0 when its change was
 * left out. Written only when view is not NULL. */
size_t snap_encode_current(uint8_t *buf, size_t cap, const snap_frame *want, const uint16_t *priority,
                           const snap_frame *baseline, int tick_rate, uint8_t up_loss_pct, snap_frame *view,
                           int *dropped, uint8_t *current);

/* snap_encode_current without checking the two frames' entities
 * (frame_valid: ids increasing, every entity snap_entity_valid), which the
 * caller vouches for: the server's wanted entities were checked once when
 * they were quantized, and its baselines are views this encoder returned
 * (every view of valid frames is valid). The arguments are still checked.
 * For valid frames the same bytes, view and current as snap_encode_current
 * (the snapshot tests compare them on every encoding); for invalid ones
 * the output is undefined garbage (never out of bounds). */
size_t snap_encode_trusted(uint8_t *buf, size_t cap, const snap_frame *want, const uint16_t *priority,
                           const snap_frame *baseline, int tick_rate, uint8_t up_loss_pct, snap_frame *view,
                           int *dropped, uint8_t *current);

/* One entity within the wire format's ranges: id < PROTO_MAX_ENTITIES,
 * coordinates < PROTO_POS_Q_LIMIT, |velocity| at most the top speed, only
 * known flags, health at most PROTO_MAX_HEALTH. */
bool snap_entity_valid(const snap_entity *e);

/* Reads just the header (to find the baseline). */
int snap_decode_header(const uint8_t *buf, size_t len, snap_header *out);

/* Decodes a snapshot. `baseline` must be the frame with tick
 * header.baseline_tick for a delta (else SNAP_ERR_NO_BASELINE), and is
 * ignored for a full one. Never trusts the input: ids out of range or out
 * of order, updates or removals of entities the baseline lacks, new ones it
 * already has, values out of range, too many entities: SNAP_ERR_RANGE. */
int snap_decode(const uint8_t *buf, size_t len, const snap_frame *baseline, int tick_rate, snap_frame *out,
                snap_header *hdr);

/* Size in bytes the same entities would take sent naively: id (2) and every
 * field unquantized (x, y, vx, vy, aim as 4-byte floats, flags 1, health 1),
 * plus a 13-byte header. For measuring what delta encoding saves. */
size_t snap_naive_bytes(int entities);

#endif
