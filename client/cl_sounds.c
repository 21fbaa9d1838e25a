/* cl_sounds.c - sounds for what happened since the last frame (cl_sounds.h). */
#include "cl_sounds.h"

#include <math.h>

void cl_sounds_update(cl_audio *audio, const cl_conn *c, cl_sound_watch *w, double now) {
    if (c->state != CONN_IN_GAME) {
        w->primed = false;
        return;
    }
    uint16_t me = c->welcome.client_id;
    const snap_frame *f = cl_interp_newest(&c->interp);
    const snap_entity *self = f ? snap_frame_find(f, me) : NULL;
    if (!w->primed) { /* entering the game: remember everything, chime once */
        *w = (cl_sound_watch){.primed = true, .shots = c->shots_fired, .effects = c->effect_count,
                           .kills = c->kill_count, .tick = f ? f->tick : 0, .ammo = c->self_ammo};
        if (self) w->health = self->health, w->flags = self->flags;
        for (int i = 0; i < PROTO_MAX_PLAYERS; i++)
            if (c->players[i].present) w->present[i / 8] |= (uint8_t)(1u << (i % 8));
        cl_audio_play(audio, SOUND_JOIN, 0.6f);
        return;
    }
    if (c->shots_fired != w->shots) { /* cl_conn clears tracer_until for a rocket */
        cl_audio_play(audio, c->tracer_until > now ? SOUND_FIRE : SOUND_ROCKET, 0.7f);
        w->shots = c->shots_fired;
        w->shot_at = now;
    }
    for (; w->effects != c->effect_count; w->effects++) { /* explosions, quieter far away */
        const cl_effect *fx = &c->effects[w->effects % CL_EFFECTS];
        float dx = fx->x - c->predict.state.x, dy = fx->y - c->predict.state.y;
        cl_audio_play(audio, SOUND_EXPLOSION, 1.0f / (1.0f + sqrtf(dx * dx + dy * dy) / 6.0f));
    }
    for (; w->kills != c->kill_count; w->kills++)
        if (c->kills[w->kills % CL_KILL_FEED].victim == me) cl_audio_play(audio, SOUND_DEATH, 0.8f);
    if (f && f->tick != w->tick) { /* a new snapshot: health changes */
        const snap_frame *prev = cl_interp_find(&c->interp, w->tick);
        bool hit = false;
        for (int i = 0; prev && i < f->count && f->ents[i].id < PROTO_MAX_PLAYERS; i++) {
            const snap_entity *e = &f->ents[i], *was = snap_frame_find(prev, e->id);
            if (e->id != me && was && e->health < was->health) hit = true;
        }
        if (hit && now - w->shot_at < 1.0) cl_audio_play(audio, SOUND_HIT, 0.6f);
        if (self) {
            bool alive = self->flags & ENT_FLAG_ALIVE, was_alive = w->flags & ENT_FLAG_ALIVE;
            if (alive && was_alive && self->health < w->health) cl_audio_play(audio, SOUND_HURT, 0.7f);
            /* a pickup: health up, or a box's worth of ammunition (regaining
             * one round at a time is silent) */
            if (alive && was_alive && (self->health > w->health || c->self_ammo >= w->ammo + 5))
                cl_audio_play(audio, SOUND_PICKUP, 0.6f);
            w->health = self->health;
            w->flags = self->flags;
        }
        w->ammo = c->self_ammo;
        w->tick = f->tick;
    }
    for (int i = 0; i < PROTO_MAX_PLAYERS; i++) { /* someone joined (not the roster sent on our join) */
        uint8_t bit = (uint8_t)(1u << (i % 8));
        bool is = c->players[i].present, was = w->present[i / 8] & bit;
        if (is && !was && i != me && now - c->joined_at > 1.0) cl_audio_play(audio, SOUND_JOIN, 0.5f);
        w->present[i / 8] = (uint8_t)(is ? w->present[i / 8] | bit : w->present[i / 8] & ~bit);
    }
}
