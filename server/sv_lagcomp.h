/* sv_lagcomp.h - lag compensation: where every player was, tick by tick,
 * and hitscan rays against those past positions.
 *
 * Owns: a ring of the last LAGCOMP_HISTORY ticks of player positions, and
 * a ray test against the map's walls and the players as they stood at a
 * given past tick (the tick the shooter saw them at). Pure: no clocks, no
 * allocation after lag_history_init.
 */
#ifndef SV_LAGCOMP_H
#define SV_LAGCOMP_H

#include <stdbool.h>
#include <stdint.h>

#include "map.h"

#define LAGCOMP_HISTORY 64        /* ticks kept (>= 200 ms at 240 Hz) */
#define LAGCOMP_MAX_MS 200.0      /* never rewind further than this */
#define LAGCOMP_HIT_RADIUS 0.4f   /* a player's hit circle, tiles */

typedef struct {
    float x, y;
    bool alive;
} lag_sample;

typedef struct {
    int players;
    uint32_t ticks[LAGCOMP_HISTORY]; /* tick stored in each row (0: none) */
    lag_sample *rows;                /* LAGCOMP_HISTORY x players */
} lag_history;

/* Allocates the ring for `players` slots; false when out of memory. */
bool lag_history_init(lag_history *h, int players);
void lag_history_free(lag_history *h);

/* Starts the row for `tick` (every player absent), then record each one. */
void lag_begin_tick(lag_history *h, uint32_t tick);
void lag_record(lag_history *h, uint32_t tick, int player, float x, float y, bool alive);

/* The tick to test a shot against: the shooter's view tick, but no older
 * than LAGCOMP_MAX_MS (and the history) and no newer than now. */
uint32_t lag_rewind_tick(const lag_history *h, uint32_t now_tick, uint32_t view_tick, int tick_rate);

/* Casts a ray from (ox, oy) at `angle` radians up to `range` tiles, against
 * walls and every other player alive at `tick` in the history. Returns the
 * player hit first, or -1; *dist gets the distance to what stopped the ray
 * (a wall or the player). */
int lag_raycast(const lag_history *h, const game_map *m, uint32_t tick, int shooter, float ox, float oy, float angle,
                float range, float *dist);

#endif
