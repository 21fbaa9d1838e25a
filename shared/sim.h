/* sim.h - the fixed-step game simulation shared by server and client.
 *
 * Owns: player movement (velocity moves toward the wished one at a bounded
 * rate, so it settles exactly on the run speed, which keeps snapshots
 * cheap; wall collision) and the
 * quantization of player state to the wire grid. The server runs it as the
 * authority; the client runs the very same code to predict its own player.
 * Pure: no clocks, no I/O, time comes in as dt.
 */
#ifndef GAME_SIM_H
#define GAME_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "map.h"

#define SIM_PLAYER_HALF 0.3125f   /* half side of a player's box, tiles (on the wire grid) */
#define SIM_RUN_SPEED 6.0f        /* tiles/s, reached while a direction is held */
#define SIM_ACCEL 40.0f           /* tiles/s^2 toward the wished velocity       */
#define SIM_DECEL 30.0f           /* tiles/s^2 toward rest with no direction    */
#define SIM_MAX_SPEED 8.0f        /* hard cap on any velocity axis, tiles/s     */

/* One tick of one player's input. */
typedef struct {
    uint32_t tick;      /* client's command number, increasing by one per tick */
    uint8_t buttons;    /* BTN_* bits */
    uint16_t aim;       /* quantized angle, 0..65535 = 0..2pi */
    uint32_t view_tick; /* server tick the player saw the others at (lag compensation) */
} input_cmd;

/* The replicated state of one player. Always on the quantization grid. */
typedef struct {
    float x, y;   /* centre, world units (tiles) */
    float vx, vy; /* tiles per second */
    uint16_t aim;
    uint8_t flags;  /* ENT_FLAG_* */
    uint8_t health; /* 0..PROTO_MAX_HEALTH */
} player_state;

/* Advances one player by dt seconds (one tick: dt = 1 / tick rate, an
 * integer rate) under cmd, colliding with the map's walls. The state stays
 * on the wire grid: velocity is snapped, then the position moves by a whole
 * number of grid units (sim_step_units). */
void sim_player_step(const game_map *m, player_state *p, const input_cmd *cmd, float dt);

/* Places a player, alive and at rest, on spawn point `index % spawn_count`. */
void sim_player_spawn(const game_map *m, player_state *p, uint32_t index);

/* How far one tick moves at quantized velocity v (1/PROTO_VEL_SCALE tile/s),
 * in position units (1/PROTO_POS_SCALE tile), rounded half away from zero.
 * Integer arithmetic: the simulation moves exactly this, and the snapshot
 * codec's dead reckoning uses the same function (inline: the encoder calls
 * it for most entities of every snapshot). */
/* num / den (den > 0) rounded half away from zero, in integers: the one
 * rounding of every distance the simulation and dead reckoning compute. */
static inline int64_t sim_div_round(int64_t num, int64_t den) {
    return (num >= 0 ? num + den / 2 : num - den / 2) / den;
}

static inline int32_t sim_step_units(int32_t v, int tick_rate) {
    return (int32_t)sim_div_round((int64_t)v * (int64_t)PROTO_POS_SCALE, (int64_t)PROTO_VEL_SCALE * tick_rate);
}

/* Snaps position, velocity to the wire grid (see protocol.h). */
void sim_quantize(player_state *p);

/* Distance from (ox, oy) along the unit direction (dx, dy) to the first wall
 * tile, or `range` if none is nearer (grid traversal). */
float sim_ray_wall_distance(const game_map *m, float ox, float oy, float dx, float dy, float range);

/* True if the player's box overlaps a wall tile. */
bool sim_player_in_wall(const game_map *m, const player_state *p);

#endif
