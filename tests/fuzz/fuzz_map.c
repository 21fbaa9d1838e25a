/* fuzz_map.c - libFuzzer harness for map_parse (shared/map.h), any bytes.
 * On success the map must be within limits with at least one spawn; on
 * failure the error message must be non-empty and NUL-terminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static game_map m; /* large (spawn and pickup arrays): keep it off the stack */
    char err[256];
    memset(err, 0x5a, sizeof err); /* no NUL: a missing terminator shows */
    memset(&m, 0, sizeof m);
    if (map_parse((const char *)data, size, &m, err, sizeof err)) {
        if (m.width < MAP_MIN_TILES || m.width > PROTO_MAP_MAX_TILES || m.height < MAP_MIN_TILES ||
            m.height > PROTO_MAP_MAX_TILES || m.spawn_count < 1 || m.spawn_count > MAP_MAX_SPAWNS ||
            m.pickup_count < 0 || m.pickup_count > PROTO_MAX_PICKUPS || m.tiles == NULL ||
            memchr(m.name, '\0', sizeof m.name) == NULL || m.name[0] == '\0') {
            fprintf(stderr, "map_parse accepted an invalid map: %dx%d, %d spawns, %d pickups\n", m.width,
                    m.height, m.spawn_count, m.pickup_count);
            abort();
        }
        for (int i = 0; i < m.width * m.height; i++) {
            if (m.tiles[i] != TILE_FLOOR && m.tiles[i] != TILE_WALL) abort();
        }
        map_free(&m);
    } else {
        if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0') {
            fprintf(stderr, "map_parse failed without a usable error message\n");
            abort();
        }
    }
    return 0;
}
