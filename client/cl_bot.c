/* cl_bot.c - scripted wandering movement for --bot (see cl_bot.h). */
#include "cl_bot.h"

#include <math.h>

#include "protocol.h"

static uint32_t next_rand(cl_bot *b) {
    uint32_t x = b->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return b->rng = x;
}

uint32_t cl_bot_hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

void cl_bot_init(cl_bot *b, uint32_t seed) {
    b->rng = seed ? seed : 0x9e3779b9u;
    b->buttons = 0;
    b->change_at = 0;
    b->changed = 0;
    b->aim = 0;
    b->target = -1;
    b->retarget_at = 0;
}

uint8_t cl_bot_buttons(cl_bot *b, uint32_t tick, int rate, const player_state *me, const player_state *target) {
    static const uint8_t dirs[8] = {BTN_UP, BTN_UP | BTN_RIGHT, BTN_RIGHT, BTN_RIGHT | BTN_DOWN,
                                    BTN_DOWN, BTN_DOWN | BTN_LEFT, BTN_LEFT, BTN_LEFT | BTN_UP};
    /* Stuck: holding a direction but not moving (a wall). */
    int stuck = b->buttons && me && me->vx == 0.0f && me->vy == 0.0f && tick >= b->changed + 6;
    if (tick >= b->change_at || stuck) {
        uint32_t d = next_rand(b) % 8;
        b->buttons = dirs[d];
        b->aim = (uint16_t)(49152u + d * 8192u); /* looks where it walks */
        b->changed = tick;
        b->change_at = tick + (uint32_t)rate * 2 / 5 + next_rand(b) % (uint32_t)(rate + 1);
    }
    if (me && target) {
        float dx = target->x - me->x, dy = target->y - me->y;
        if (dx * dx + dy * dy <= CL_BOT_RANGE * CL_BOT_RANGE) {
            float a = atan2f(dy, dx);
            if (a < 0) a += 6.2831853f;
            b->aim = (uint16_t)((uint32_t)(a / 6.2831853f * 65536.0f) & 0xffffu);
            /* Close in: rockets every other second; else the rail gun. */
            bool rocket = dx * dx + dy * dy < 36.0f && (tick / (uint32_t)rate) % 2 == 0;
            return (uint8_t)(b->buttons | (rocket ? BTN_FIRE2 : BTN_FIRE));
        }
    }
    return b->buttons;
}
