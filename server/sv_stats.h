/* sv_stats.h - the server's own performance figures.
 *
 * Owns: a fixed ring of per-tick timings (receive, simulate, snapshots,
 * send, and their sum, the frame), their p50/p99/max over the last
 * SV_STATS_WINDOW seconds, the once-a-second report (those percentiles, CPU
 * use, bytes and packets per second in and out), and its two renderings:
 * one JSON line (for --stats FILE) and the console's status lines.
 *
 * Pure: time, CPU seconds and network counters are passed in; nothing here
 * reads a clock or a socket. No allocation: the ring and the scratch array
 * for percentiles are part of the struct. Recording a tick is O(1);
 * percentiles (a copy and a sort) run once a second, never per tick.
 */
#ifndef SV_STATS_H
#define SV_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_STATS_WINDOW 5   /* seconds of ticks the percentiles cover */
#define SV_STATS_RING 1280  /* tick samples held: >= 5 s at the highest tick rate (240 Hz) */

typedef enum {
    SV_PHASE_RECV = 0, /* receive: reading datagrams, ENet's handling, decoding and queuing messages */
    SV_PHASE_SIM,      /* simulate: inputs applied, the world stepped, match and combat rules */
    SV_PHASE_SNAP,     /* build, delta-encode and queue each client's snapshot */
    SV_PHASE_SEND,     /* ENet flush: the datagrams handed to the kernel */
    SV_PHASE_FRAME,    /* the sum of the four above for one tick */
    SV_PHASE_COUNT
} sv_phase;

/* p50, p99 and max of one phase, in milliseconds. */
typedef struct {
    double p50, p99, max;
} sv_stats_pct;

/* ENet host counters (cumulative; they may wrap at 2^32, differences are
 * taken modulo 2^32). */
typedef struct {
    uint32_t bytes_in, bytes_out, packets_in, packets_out;
} sv_stats_net;

/* The figures of one second. */
typedef struct {
    bool valid;             /* false until the first report */
    double t;               /* seconds since sv_stats_init */
    uint32_t tick;
    int players;            /* PLAYING slots */
    size_t samples;         /* ticks in the window */
    sv_stats_pct phase[SV_PHASE_COUNT];
    double cpu_percent;     /* process CPU time / wall time over the last period, % of one core */
    double bytes_in_s, bytes_out_s, packets_in_s, packets_out_s;
    uint64_t ticks_skipped; /* since start */
} sv_stats_report;

typedef struct {
    double t;                    /* when the tick started */
    float ms[SV_PHASE_COUNT];
} sv_stats_sample;

typedef struct {
    sv_stats_sample ring[SV_STATS_RING];
    size_t next, count;
    float scratch[SV_STATS_RING];
    double start;                /* time of sv_stats_init */
    double period_start;         /* start of the current reporting period */
    double cpu_at_period_start;  /* process CPU seconds then */
    sv_stats_net net_at_period_start;
    double pending[SV_PHASE_COUNT]; /* receive and send seconds between ticks, not yet charged to one */
    double tick_sim, tick_snap;  /* the last tick's split, set by the tick itself */
    sv_stats_report last;        /* the newest report */
} sv_stats;

/* Starts counting at `now` with the process's CPU seconds and the host's
 * counters at that moment. */
void sv_stats_init(sv_stats *st, double now, double cpu_s, const sv_stats_net *net);

/* Adds work done between ticks (receiving, or sending what was queued
 * outside a tick) to `phase`; it is charged to the next tick recorded. */
void sv_stats_add_pending(sv_stats *st, sv_phase phase, double seconds);

/* Records one tick that started at `t` (seconds): its simulate, snapshot
 * and send durations, plus the work pending since the previous tick. The
 * frame is the sum of the four phases. Overwrites the oldest sample when
 * the ring is full. */
void sv_stats_record_tick(sv_stats *st, double t, double sim_s, double snap_s, double send_s);

/* Percentiles of one phase over the samples with t > now - window (ms).
 * Nearest rank: p is the smallest sample with at least p% of the samples
 * at or below it. All zero when there are none. Returns the sample count. */
size_t sv_stats_percentiles(sv_stats *st, sv_phase phase, double now, double window, sv_stats_pct *out);

/* Percentile p (0..100, nearest rank) of n sorted values; 0 when n == 0. */
double sv_stats_nearest_rank(const float *sorted, size_t n, double p);

/* Closes the reporting period at `now`: percentiles over the window, CPU
 * percent and per-second rates since the previous report; starts the next
 * period. Stores the report in st->last and returns it. A period shorter
 * than 1 ms gives zero rates. */
const sv_stats_report *sv_stats_report_now(sv_stats *st, double now, double cpu_s, const sv_stats_net *net,
                                           uint32_t tick, int players, uint64_t ticks_skipped);

/* The report as one JSON object (no newline). Returns the length, or -1
 * if it did not fit in cap. */
int sv_stats_format_json(const sv_stats_report *r, char *buf, size_t cap);

/* The report as the console's status lines (each ending in '\n'). Returns
 * the length, or -1 if it did not fit in cap. */
int sv_stats_format_status(const sv_stats_report *r, char *buf, size_t cap);

#endif
