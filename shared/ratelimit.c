/* ratelimit.c - token bucket (see ratelimit.h). */
#include "ratelimit.h"

void ratelimit_init(ratelimit *r, double burst, double rate_per_s) {
    r->tokens = burst;
    r->burst = burst;
    r->rate = rate_per_s;
    r->last = 0.0;
    r->started = false;
}

bool ratelimit_allow(ratelimit *r, double now) {
    if (!r->started) {
        r->started = true;
        r->last = now;
    }
    if (now > r->last) {
        r->tokens += (now - r->last) * r->rate;
        if (r->tokens > r->burst) r->tokens = r->burst;
        r->last = now;
    }
    if (r->tokens < 1.0) return false;
    r->tokens -= 1.0;
    return true;
}
