/* map.h - arena maps: the text format, its parser, and tile queries.
 *
 * File format (UTF-8 text, lines end in \n or \r\n):
 *
 *   # comment lines (only before the `tiles` line; '#' is a wall inside it)
 *   arena-map 1            <- first non-comment line: magic and format version
 *   name Courtyard         <- required: 1..32 bytes, shown in the client
 *   tiles                  <- every following line is one row of the grid
 *   ##########
 *   #S..H..A.#             '#' wall   '.' floor   'S' spawn point (floor)
 *                          'H' health pickup   'A' ammunition pickup (floor)
 *   ##########
 *
 * Rows must all have the same width; width and height are 4..512 tiles; the
 * map needs at least one spawn point and at most MAP_MAX_SPAWNS, and at most
 * PROTO_MAX_PICKUPS pickups. Anything
 * outside the grid counts as wall. One tile is one world unit.
 */
#ifndef GAME_MAP_H
#define GAME_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define MAP_MIN_TILES 4
#define MAP_MAX_SPAWNS 1024 /* one per player at the player limit (metropolis.map) */
#define MAP_MAX_FILE_BYTES PROTO_MAP_MAX_BYTES

typedef enum { TILE_FLOOR = 0, TILE_WALL = 1 } map_tile;

typedef struct {
    float x, y; /* centre of the spawn tile, world units */
} map_spawn;

typedef enum { PICKUP_HEALTH = 0, PICKUP_AMMO = 1 } map_pickup_type;

typedef struct {
    float x, y; /* centre of the tile */
    uint8_t type; /* map_pickup_type */
} map_pickup;

typedef struct {
    char name[PROTO_MAP_NAME_MAX + 1];
    int width, height;
    uint8_t *tiles; /* width * height, row-major, owned; map_tile values */
    int spawn_count;
    map_spawn spawns[MAP_MAX_SPAWNS];
    int pickup_count;
    map_pickup pickups[PROTO_MAX_PICKUPS];
} game_map;

/* Parses map text. On success fills *out (free with map_free) and returns
 * true. On failure returns false, leaves *out empty, and writes a message
 * naming the line ("line 7: ...") into err. */
bool map_parse(const char *text, size_t len, game_map *out, char *err, size_t err_cap);

/* Reads a whole map file (at most MAP_MAX_FILE_BYTES) into a new buffer
 * that the caller frees. Errors are prefixed with the path. */
bool map_read_text(const char *path, char **text, size_t *len, char *err, size_t err_cap);

/* Reads and parses a file; errors are prefixed with the path. */
bool map_load_file(const char *path, game_map *out, char *err, size_t err_cap);

void map_free(game_map *m);

/* True for walls and for every tile outside the grid. */
static inline bool map_is_wall(const game_map *m, int tx, int ty) {
    if (tx < 0 || ty < 0 || tx >= m->width || ty >= m->height) return true;
    return m->tiles[(size_t)ty * (size_t)m->width + (size_t)tx] == TILE_WALL;
}

#endif
