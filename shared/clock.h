/* clock.h - monotonic time and the fixed-timestep ticker.
 *
 * Owns: reading the clock (only main loops call clock_now) and deciding how
 * many fixed ticks are due. The ticker is pure: time is passed in. A slow
 * frame catches up by at most max_catchup ticks per call; time beyond that
 * is dropped (and counted) instead of spiralling.
 */
#ifndef GAME_CLOCK_H
#define GAME_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds on a monotonic clock. */
double clock_now(void);
/* CPU seconds this process has used (all threads), for CPU-use figures. */
double clock_cpu_seconds(void);
/* Wall-clock time for log lines: "2026-11-24 09:10:11.123". */
void clock_format_wall(char *buf, int cap);

typedef struct {
    double step;          /* seconds per tick */
    double origin;        /* time of tick 0; tick k is due at origin + k*step */
    uint64_t done;        /* ticks run or skipped so far */
    int max_catchup;      /* most ticks one advance may return */
    bool started;
    uint64_t dropped;     /* ticks skipped because we fell too far behind */
} ticker;

void ticker_init(ticker *t, double hz, int max_catchup);
/* Number of ticks due at `now` (0..max_catchup). */
int ticker_advance(ticker *t, double now);
/* Seconds from `now` until the next tick is due (0 if overdue). */
double ticker_wait(const ticker *t, double now);

#endif
