/* cl_predict.c - own-player prediction and reconciliation (see cl_predict.h). */
#include "cl_predict.h"

#include <math.h>
#include <string.h>

#include "protocol.h"

void cl_predict_init(cl_predict *p, float dt) {
    memset(p, 0, sizeof *p);
    p->next_tick = 1;
    p->dt = dt;
}

input_cmd cl_predict_command(cl_predict *p, const game_map *m, uint8_t buttons, uint16_t aim, uint32_t view_tick) {
    uint32_t prev = p->next_tick > 1 ? p->cmds[(p->next_tick - 1) % CL_CMD_RING].view_tick : 0;
    input_cmd c = {p->next_tick++, buttons, aim, view_tick > prev ? view_tick : prev};
    p->cmds[c.tick % CL_CMD_RING] = c;
    if (p->have_state) sim_player_step(m, &p->state, &c, p->dt);
    return c;
}

void cl_predict_reconcile(cl_predict *p, const game_map *m, const player_state *server, uint32_t last_cmd_tick) {
    if (last_cmd_tick >= p->next_tick) return; /* acknowledges a command we never sent */
    if (last_cmd_tick > p->acked_tick) p->acked_tick = last_cmd_tick;
    player_state s = *server;
    uint32_t first = last_cmd_tick + 1;
    /* Commands older than the ring are gone: replay what we still hold. */
    if (p->next_tick - first > CL_CMD_RING) first = p->next_tick - CL_CMD_RING;
    for (uint32_t t = first; t < p->next_tick; t++) sim_player_step(m, &s, &p->cmds[t % CL_CMD_RING], p->dt);
    bool reborn = p->have_state && ((p->state.flags ^ s.flags) & ENT_FLAG_ALIVE);
    if (reborn) p->smooth_x = p->smooth_y = 0.0f; /* died or respawned: the server moved us, no misprediction */
    else if (p->have_state) {
        float ex = p->state.x - s.x, ey = p->state.y - s.y;
        float err = sqrtf(ex * ex + ey * ey);
        if (err > 0.5f / PROTO_POS_SCALE) {
            p->corrections++;
            p->last_error = err;
            if (err > CL_SNAP_DISTANCE) p->smooth_x = p->smooth_y = 0.0f;
            else {
                p->smooth_x += ex; /* keep drawing where we were, then blend */
                p->smooth_y += ey;
            }
        }
    }
    p->state = s;
    p->have_state = true;
}

void cl_predict_smooth(cl_predict *p, float dt) {
    float k = expf(-CL_SMOOTH_RATE * dt);
    p->smooth_x *= k;
    p->smooth_y *= k;
    if (fabsf(p->smooth_x) < 1e-4f) p->smooth_x = 0.0f;
    if (fabsf(p->smooth_y) < 1e-4f) p->smooth_y = 0.0f;
}

void cl_predict_drawn(const cl_predict *p, float *x, float *y) {
    *x = p->state.x + p->smooth_x;
    *y = p->state.y + p->smooth_y;
}

int cl_predict_unacked(const cl_predict *p, input_cmd *out, int min, int max) {
    int n = 0;
    for (uint32_t t = p->next_tick - 1; t >= 1 && n < max && (t > p->acked_tick || n < min); t--)
        out[n++] = p->cmds[t % CL_CMD_RING];
    return n;
}
