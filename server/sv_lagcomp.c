/* sv_lagcomp.c - position history and rewound hitscan rays (sv_lagcomp.h). */
#include "sv_lagcomp.h"

#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool lag_history_init(lag_history *h, int players) {
    memset(h, 0, sizeof *h);
    h->players = players;
    h->rows = calloc((size_t)LAGCOMP_HISTORY * (size_t)players, sizeof *h->rows);
    return h->rows != NULL;
}

void lag_history_free(lag_history *h) {
    free(h->rows);
    h->rows = NULL;
}

static lag_sample *row(const lag_history *h, uint32_t tick) {
    return h->rows + (size_t)(tick % LAGCOMP_HISTORY) * (size_t)h->players;
}

void lag_begin_tick(lag_history *h, uint32_t tick) {
    h->ticks[tick % LAGCOMP_HISTORY] = tick;
    memset(row(h, tick), 0, sizeof(lag_sample) * (size_t)h->players);
}

void lag_record(lag_history *h, uint32_t tick, int player, float x, float y, bool alive) {
    if (player < 0 || player >= h->players || h->ticks[tick % LAGCOMP_HISTORY] != tick) return;
    row(h, tick)[player] = (lag_sample){x, y, alive};
}

uint32_t lag_rewind_tick(const lag_history *h, uint32_t now_tick, uint32_t view_tick, int tick_rate) {
    uint32_t max_back = (uint32_t)(LAGCOMP_MAX_MS / 1000.0 * tick_rate + 0.5);
    if (max_back >= LAGCOMP_HISTORY) max_back = LAGCOMP_HISTORY - 1;
    uint32_t oldest = now_tick > max_back ? now_tick - max_back : 1;
    uint32_t t = view_tick > now_tick ? now_tick : view_tick < oldest ? oldest : view_tick;
    /* Fall forward to a tick the history really holds. */
    while (t < now_tick && h->ticks[t % LAGCOMP_HISTORY] != t) t++;
    return t;
}

int lag_raycast(const lag_history *h, const game_map *m, uint32_t tick, int shooter, float ox, float oy, float angle,
                float range, float *dist) {
    float dx = cosf(angle), dy = sinf(angle);
    float best = sim_ray_wall_distance(m, ox, oy, dx, dy, range);
    int hit = -1;
    if (h->ticks[tick % LAGCOMP_HISTORY] == tick) {
        const lag_sample *r = row(h, tick);
        for (int i = 0; i < h->players; i++) {
            if (i == shooter || !r[i].alive) continue;
            float px = r[i].x - ox, py = r[i].y - oy;
            float along = px * dx + py * dy;
            if (along < 0.0f) continue;
            float perp2 = px * px + py * py - along * along;
            float r2 = LAGCOMP_HIT_RADIUS * LAGCOMP_HIT_RADIUS;
            if (perp2 > r2) continue;
            float enter = along - sqrtf(r2 - perp2);
            if (enter < best) {
                best = enter < 0.0f ? 0.0f : enter;
                hit = i;
            }
        }
    }
    if (dist) *dist = best;
    return hit;
}
