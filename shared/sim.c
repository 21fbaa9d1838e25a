/* sim.c - player movement and collision, shared by server and client (sim.h). */
#include "sim.h"

#include <math.h>
#include <stdlib.h>

#include "protocol.h"

static float snap(float v, float scale) { return roundf(v * scale) / scale; }

void sim_quantize(player_state *p) {
    float max_pos = (float)PROTO_MAP_MAX_TILES - 1.0f / PROTO_POS_SCALE;
    p->x = fminf(fmaxf(snap(p->x, PROTO_POS_SCALE), 0.0f), max_pos);
    p->y = fminf(fmaxf(snap(p->y, PROTO_POS_SCALE), 0.0f), max_pos);
    p->vx = fminf(fmaxf(snap(p->vx, PROTO_VEL_SCALE), -SIM_MAX_SPEED), SIM_MAX_SPEED);
    p->vy = fminf(fmaxf(snap(p->vy, PROTO_VEL_SCALE), -SIM_MAX_SPEED), SIM_MAX_SPEED);
}

/* Tile index range [lo, hi] overlapped by the open interval (c - h, c + h). */
static void tile_span(float c, float h, int *lo, int *hi) {
    *lo = (int)floorf(c - h);
    *hi = (int)ceilf(c + h) - 1;
}

bool sim_player_in_wall(const game_map *m, const player_state *p) {
    int x0, x1, y0, y1;
    tile_span(p->x, SIM_PLAYER_HALF, &x0, &x1);
    tile_span(p->y, SIM_PLAYER_HALF, &y0, &y1);
    for (int ty = y0; ty <= y1; ty++)
        for (int tx = x0; tx <= x1; tx++)
            if (map_is_wall(m, tx, ty)) return true;
    return false;
}

/* Moves along one axis by d (|d| below one tile) and stops at the first
 * wall. `along` is the moving coordinate, `across` the other one. */
static void move_axis(const game_map *m, float *along, float across, float *vel, float d, bool x_axis) {
    if (d == 0.0f) return;
    float next = *along + d;
    int a0, a1, c0, c1;
    tile_span(next, SIM_PLAYER_HALF, &a0, &a1);
    tile_span(across, SIM_PLAYER_HALF, &c0, &c1);
    int lead = d > 0 ? a1 : a0; /* the only column/row newly entered */
    for (int c = c0; c <= c1; c++) {
        bool wall = x_axis ? map_is_wall(m, lead, c) : map_is_wall(m, c, lead);
        if (wall) {
            next = d > 0 ? (float)lead - SIM_PLAYER_HALF : (float)(lead + 1) + SIM_PLAYER_HALF;
            *vel = 0.0f;
            break;
        }
    }
    *along = next;
}

void sim_player_step(const game_map *m, player_state *p, const input_cmd *cmd, float dt) {
    if (!(p->flags & ENT_FLAG_ALIVE)) return;
    float wx = 0.0f, wy = 0.0f;
    if (cmd->buttons & BTN_LEFT) wx -= 1.0f;
    if (cmd->buttons & BTN_RIGHT) wx += 1.0f;
    if (cmd->buttons & BTN_UP) wy -= 1.0f;
    if (cmd->buttons & BTN_DOWN) wy += 1.0f;
    if (wx != 0.0f && wy != 0.0f) {
        wx *= 0.70710678f;
        wy *= 0.70710678f;
    }
    p->aim = cmd->aim;
    /* Velocity approaches the wished one by at most rate*dt (as a vector),
     * landing on it exactly: steady running is exactly steady. */
    bool moving = wx != 0.0f || wy != 0.0f;
    float tx = wx * SIM_RUN_SPEED, ty = wy * SIM_RUN_SPEED;
    float dx0 = tx - p->vx, dy0 = ty - p->vy;
    float dist = sqrtf(dx0 * dx0 + dy0 * dy0);
    float step = (moving ? SIM_ACCEL : SIM_DECEL) * dt;
    if (dist <= step) {
        p->vx = tx;
        p->vy = ty;
    } else {
        p->vx += dx0 * (step / dist);
        p->vy += dy0 * (step / dist);
    }
    sim_quantize(p); /* velocity on its grid before it moves anything */

    /* The move in whole position units; sub-steps (also whole units) keep
     * each below a quarter tile: no tunnelling at any allowed tick rate. */
    int rate = (int)lroundf(1.0f / dt);
    int32_t ux = sim_step_units((int32_t)lroundf(p->vx * PROTO_VEL_SCALE), rate);
    int32_t uy = sim_step_units((int32_t)lroundf(p->vy * PROTO_VEL_SCALE), rate);
    int32_t longest = abs(ux) > abs(uy) ? abs(ux) : abs(uy);
    int32_t quarter = (int32_t)(PROTO_POS_SCALE / 4.0f);
    int steps = (int)((longest + quarter - 1) / quarter);
    if (steps < 1) steps = 1;
    for (int i = 0; i < steps; i++) {
        int32_t sx = ux * (i + 1) / steps - ux * i / steps, sy = uy * (i + 1) / steps - uy * i / steps;
        if (ux) move_axis(m, &p->x, p->y, &p->vx, (float)sx / PROTO_POS_SCALE, true);
        if (p->vx == 0.0f) ux = 0;
        if (uy) move_axis(m, &p->y, p->x, &p->vy, (float)sy / PROTO_POS_SCALE, false);
        if (p->vy == 0.0f) uy = 0;
    }
    sim_quantize(p);
}

void sim_player_spawn(const game_map *m, player_state *p, uint32_t index) {
    const map_spawn *s = &m->spawns[index % (uint32_t)m->spawn_count];
    p->x = s->x;
    p->y = s->y;
    p->vx = p->vy = 0.0f;
    p->flags = ENT_FLAG_ALIVE;
    p->health = PROTO_MAX_HEALTH;
    sim_quantize(p);
}

float sim_ray_wall_distance(const game_map *m, float ox, float oy, float dx, float dy, float range) {
    /* Grid traversal (Amanatides & Woo) from the origin's tile. */
    int tx = (int)floorf(ox), ty = (int)floorf(oy);
    if (map_is_wall(m, tx, ty)) return 0.0f;
    int step_x = dx > 0 ? 1 : -1, step_y = dy > 0 ? 1 : -1;
    float next_x = dx > 0 ? (float)(tx + 1) : (float)tx, next_y = dy > 0 ? (float)(ty + 1) : (float)ty;
    float t_max_x = dx != 0.0f ? (next_x - ox) / dx : INFINITY;
    float t_max_y = dy != 0.0f ? (next_y - oy) / dy : INFINITY;
    float t_dx = dx != 0.0f ? fabsf(1.0f / dx) : INFINITY, t_dy = dy != 0.0f ? fabsf(1.0f / dy) : INFINITY;
    for (;;) {
        float t;
        if (t_max_x < t_max_y) {
            t = t_max_x;
            tx += step_x;
            t_max_x += t_dx;
        } else {
            t = t_max_y;
            ty += step_y;
            t_max_y += t_dy;
        }
        if (t >= range) return range;
        if (map_is_wall(m, tx, ty)) return t;
    }
}

