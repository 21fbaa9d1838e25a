/* sv_grid.h - a uniform spatial grid over the map, for "what is near here".
 *
 * Owns: bucketing entities (an id and a position) into square cells of
 * SV_GRID_CELL tiles, and the two queries the server asks: every entity
 * within a radius of a point, and the k nearest to a point. The grid is
 * rebuilt from scratch whenever its user needs it (once per tick or per
 * snapshot round): sv_grid_begin, sv_grid_add for each entity, then
 * sv_grid_build, a counting sort into the cells, O(entities + cells).
 * Every array is fixed-size inside the struct (bounded by the map and
 * entity limits in protocol.h), so a zeroed sv_grid is valid and nothing
 * is ever allocated. A query looks only at the cells it needs: a radius
 * query at the cells its square overlaps, a nearest query at rings of
 * cells around the point until no unvisited cell can hold anything closer.
 *
 * Positions outside the map (or not finite) fall into the nearest edge
 * cell; the queries stay exact for them. Ties in distance go to the lower
 * id, as a brute-force sort by (distance, id) would choose.
 */
#ifndef SV_GRID_H
#define SV_GRID_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol.h"

#define SV_GRID_CELL 8.0f /* cell side, tiles */
#define SV_GRID_MAX_SIDE ((PROTO_MAP_MAX_TILES + 7) / 8)
#define SV_GRID_MAX_CELLS (SV_GRID_MAX_SIDE * SV_GRID_MAX_SIDE)
#define SV_GRID_MAX_ITEMS PROTO_MAX_ENTITIES

typedef struct {
    float x, y;
    uint16_t id;
} sv_grid_item;

/* One query result: an id and its squared distance from the query point. */
typedef struct {
    float d2;
    uint16_t id;
} sv_grid_hit;

typedef struct {
    int cols, rows;
    int count;                                   /* items added since sv_grid_begin */
    bool built;                                  /* sv_grid_build ran after the last add */
    uint16_t cell_start[SV_GRID_MAX_CELLS + 1];  /* cell c holds items[cell_start[c] .. cell_start[c+1]) */
    uint16_t item_cell[SV_GRID_MAX_ITEMS];       /* staging: the cell of each added item */
    sv_grid_item staged[SV_GRID_MAX_ITEMS];      /* in the order added */
    sv_grid_item items[SV_GRID_MAX_ITEMS];       /* by cell; within a cell, in the order added */
} sv_grid;

/* Empties the grid and sizes it for a map of w x h tiles (clamped to
 * 1..PROTO_MAP_MAX_TILES). */
void sv_grid_begin(sv_grid *g, int map_w, int map_h);

/* Adds an entity; false (and nothing added) when SV_GRID_MAX_ITEMS are in. */
bool sv_grid_add(sv_grid *g, uint16_t id, float x, float y);

/* Sorts the added entities into their cells. Queries need it. */
void sv_grid_build(sv_grid *g);

/* Ids of the entities with (dx*dx + dy*dy) <= r*r from (x, y), at most cap
 * of them, in no particular order. Returns how many were written. */
int sv_grid_query_radius(const sv_grid *g, float x, float y, float r, uint16_t *out, int cap);

/* The k entities nearest to (x, y) by (squared distance, id) among those
 * within max_r of it (d2 <= max_r * max_r; INFINITY: no limit), leaving out
 * the id `skip` (pass -1 to skip none): written to out[0..n) in no
 * particular order, n = min(k, entities considered). `out` must have room
 * for every entity in the grid (g->count): it is also the scratch space.
 * Returns n. */
int sv_grid_nearest(const sv_grid *g, float x, float y, int k, int skip, float max_r, sv_grid_hit *out);

/* Squared distance from (x, y) to the nearest entity, stopping early with
 * a value <= `enough` as soon as one that close is found (pass a negative
 * `enough` for the exact minimum). INFINITY for an empty grid. */
float sv_grid_nearest_d2(const sv_grid *g, float x, float y, float enough);

#endif
