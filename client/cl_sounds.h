/* cl_sounds.h - which sound to play when, read off the connection.
 *
 * Owns: noticing, once per frame, what happened since the last one (our
 * shots, explosions, our death, being hurt, a pickup, a hit on someone
 * shortly after we fired, a player joining) and playing it through
 * cl_audio. cl_conn only counts and stores; no sound code lives there.
 */
#ifndef CL_SOUNDS_H
#define CL_SOUNDS_H

#include <stdbool.h>
#include <stdint.h>

#include "cl_audio.h"
#include "cl_conn.h"

typedef struct {
    bool primed;          /* false until the first in-game frame */
    uint32_t shots, effects, kills, tick;
    uint8_t health, ammo, flags;
    double shot_at;       /* our last shot, for the hit tick */
    uint8_t present[PROTO_MAX_PLAYERS / 8];
} cl_sound_watch;

void cl_sounds_update(cl_audio *audio, const cl_conn *c, cl_sound_watch *w, double now);

#endif
