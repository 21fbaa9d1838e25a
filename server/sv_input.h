/* sv_input.h - one client's queue of input commands on the server.
 *
 * Owns: accepting commands from input packets (duplicates and stale ones
 * ignored, surplus beyond the bound dropped, oldest first) and handing out
 * exactly one command per tick (the last one repeated when the queue is
 * dry). It is a jitter buffer: nothing is applied until SV_INPUT_PRIME
 * commands have gathered, so arrival jitter up to that many ticks never
 * starves it; each later starvation deepens it by one command for good.
 * Pure and allocation-free.
 */
#ifndef SV_INPUT_H
#define SV_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

#define SV_INPUT_QUEUE 8 /* jitter buffer bound: commands queued per client (133 ms at 60 Hz) */
#define SV_INPUT_PRIME 2 /* commands to gather before the first is applied */

typedef struct {
    input_cmd ring[SV_INPUT_QUEUE];
    uint32_t head;         /* index of the oldest queued command */
    uint32_t count;
    uint32_t newest_tick;  /* newest command tick ever accepted (0: none) */
    input_cmd last;        /* last command applied (repeated when dry) */
    uint32_t dropped;      /* surplus commands discarded */
    uint32_t repeated;     /* ticks that reused the last command (once primed) */
    bool primed;           /* SV_INPUT_PRIME commands have gathered once */
} sv_input_queue;

void sv_input_reset(sv_input_queue *q);

/* Offers one command. Returns true if queued, false if it was a duplicate
 * or older than one already accepted. */
bool sv_input_push(sv_input_queue *q, const input_cmd *cmd);

/* The command to apply this tick. *fresh is true for a newly received one,
 * false when the last command is repeated. */
input_cmd sv_input_take(sv_input_queue *q, bool *fresh);

#endif
