/* cl_predict.h - client-side prediction of the own player.
 *
 * Owns: the ring of commands sent but not yet acknowledged, the predicted
 * own state (the same sim_player_step the server runs, applied at once on
 * every command), and reconciliation: on each snapshot, restart from the
 * server's state at its last applied command and replay the newer ones.
 * A visible correction is blended away over a few frames (an offset that
 * decays), unless it is large, then the player snaps. A death or respawn
 * (the alive flag changing) is the server moving us, not a misprediction:
 * it snaps and is not counted. Pure; no allocation.
 */
#ifndef CL_PREDICT_H
#define CL_PREDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "map.h"
#include "sim.h"

#define CL_CMD_RING 128 /* > 2 s of commands at 60 Hz */

typedef struct {
    input_cmd cmds[CL_CMD_RING]; /* indexed by tick % CL_CMD_RING */
    uint32_t next_tick;          /* tick of the next command (starts at 1) */
    uint32_t acked_tick;         /* newest command the server has applied */
    player_state state;          /* predicted own state */
    bool have_state;
    uint64_t corrections;        /* reconciliations that moved the player */
    float dt;
    float smooth_x, smooth_y;    /* drawn position = state + smooth offset */
    float last_error;            /* size of the last correction, tiles */
} cl_predict;

#define CL_SNAP_DISTANCE 2.0f    /* corrections above this (tiles) snap */
#define CL_SMOOTH_RATE 15.0f     /* 1/s: the offset decays as exp(-rate t) */

void cl_predict_init(cl_predict *p, float dt);

/* Records a new command for this tick, steps the prediction with it, and
 * returns it (with its tick assigned). view_tick is the server tick other
 * players are drawn at; it never goes backwards from one command to the
 * next (the server rewinds shots to it). */
input_cmd cl_predict_command(cl_predict *p, const game_map *m, uint8_t buttons, uint16_t aim, uint32_t view_tick);

/* Reconciles with the server's state after command `last_cmd_tick`. */
void cl_predict_reconcile(cl_predict *p, const game_map *m, const player_state *server, uint32_t last_cmd_tick);

/* Decays the smoothing offset over dt seconds (call once per frame). */
void cl_predict_smooth(cl_predict *p, float dt);

/* Where to draw the own player: the prediction plus the smoothing offset. */
void cl_predict_drawn(const cl_predict *p, float *x, float *y);

/* Fills out (newest first) with the commands the server has not yet
 * acknowledged, but at least the newest `min` sent (redundancy even when
 * acknowledgements are quick) and at most `max`; returns how many. */
int cl_predict_unacked(const cl_predict *p, input_cmd *out, int min, int max);

#endif
