/* sv_input.c - per-client input command queue (see sv_input.h). */
#include "sv_input.h"

#include <string.h>

void sv_input_reset(sv_input_queue *q) { memset(q, 0, sizeof *q); }

bool sv_input_push(sv_input_queue *q, const input_cmd *cmd) {
    if (cmd->tick == 0 || cmd->tick <= q->newest_tick) return false;
    if (q->count == SV_INPUT_QUEUE) {
        /* Bound reached: drop the oldest, so sending more never buys extra
         * movement, only a shorter queue. */
        q->head = (q->head + 1) % SV_INPUT_QUEUE;
        q->count--;
        q->dropped++;
    }
    q->ring[(q->head + q->count) % SV_INPUT_QUEUE] = *cmd;
    q->count++;
    q->newest_tick = cmd->tick;
    return true;
}

input_cmd sv_input_take(sv_input_queue *q, bool *fresh) {
    if (!q->primed && q->count >= SV_INPUT_PRIME) q->primed = true;
    if (!q->primed) { /* still gathering: the player stays as it is */
        *fresh = false;
        return q->last;
    }
    if (q->count == 0) {
        q->repeated++;
        *fresh = false;
        return q->last;
    }
    q->last = q->ring[q->head];
    q->head = (q->head + 1) % SV_INPUT_QUEUE;
    q->count--;
    *fresh = true;
    return q->last;
}
