/* clock.c - monotonic clock and fixed-timestep ticker (see clock.h). */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

double clock_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double clock_cpu_seconds(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void clock_format_wall(char *buf, int cap) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, (size_t)cap, "%s.%03ld", date, ts.tv_nsec / 1000000);
}

void ticker_init(ticker *t, double hz, int max_catchup) {
    t->step = 1.0 / hz;
    t->origin = 0.0;
    t->done = 0;
    t->max_catchup = max_catchup < 1 ? 1 : max_catchup;
    t->started = false;
    t->dropped = 0;
}

int ticker_advance(ticker *t, double now) {
    if (!t->started) {
        t->started = true;
        t->origin = now;
    }
    /* Ticks due by now, counted from the origin (no drift from repeated
     * addition; a tiny tolerance so a call exactly on a tick time counts it). */
    double elapsed = (now - t->origin) / t->step;
    if (elapsed < -1e-6) return 0;
    uint64_t target = (uint64_t)floor(elapsed + 1e-6) + 1;
    if (target <= t->done) return 0;
    uint64_t due = target - t->done;
    t->done = target;
    if (due > (uint64_t)t->max_catchup) {
        /* Too far behind: run max_catchup ticks and skip the rest, so a stall
         * does not turn into a burst of simulation. */
        t->dropped += due - (uint64_t)t->max_catchup;
        return t->max_catchup;
    }
    return (int)due;
}

double ticker_wait(const ticker *t, double now) {
    if (!t->started) return 0.0;
    double w = t->origin + (double)t->done * t->step - now;
    return w > 0.0 ? w : 0.0;
}
