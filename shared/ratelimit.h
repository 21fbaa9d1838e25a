/* ratelimit.h - a token bucket: at most `burst` events at once, refilled at
 * `rate` per second. Pure: time is passed in. Used for chat per player. */
#ifndef GAME_RATELIMIT_H
#define GAME_RATELIMIT_H

#include <stdbool.h>

typedef struct {
    double tokens, burst, rate, last;
    bool started;
} ratelimit;

void ratelimit_init(ratelimit *r, double burst, double rate_per_s);
/* True (and one token spent) if an event is allowed at `now`. */
bool ratelimit_allow(ratelimit *r, double now);

#endif
