/* cl_bot.h - scripted movement for --bot clients.
 *
 * Owns: a small deterministic wanderer: it holds a direction for 0.4-1.5 s,
 * picks another (seeded random) when the time is up or when it is stuck
 * against a wall, and aims at the nearest player in range (firing) or where
 * it walks. Pure; time comes in as ticks.
 */
#ifndef CL_BOT_H
#define CL_BOT_H

#include <stdint.h>

#include "sim.h"

typedef struct {
    uint32_t rng;
    uint8_t buttons;
    uint32_t change_at; /* tick to pick a new direction */
    uint32_t changed;   /* tick the current direction was picked */
    uint16_t aim;
    int target;            /* the player it follows; -1: none */
    uint32_t retarget_at;  /* tick it looks for the nearest again */
} cl_bot;

void cl_bot_init(cl_bot *b, uint32_t seed);

/* Buttons for tick `tick` (ticks per second `rate`) given the own state and
 * the nearest other player as drawn (NULL: none). With a target within
 * CL_BOT_RANGE the bot aims at it and holds fire; otherwise it aims where it
 * walks. */
#define CL_BOT_RANGE 14.0f
#define CL_BOT_RETARGET_HZ 10 /* how often a second the bot looks again for the nearest player */
uint8_t cl_bot_buttons(cl_bot *b, uint32_t tick, int rate, const player_state *me, const player_state *target);

/* 32-bit FNV-1a of a string, for seeds derived from names. */
uint32_t cl_bot_hash(const char *s);

#endif
