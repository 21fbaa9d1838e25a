/* cl_swarm.h - many headless bots in one process (the botswarm program).
 *
 * Owns: N bot clients (each its own cl_conn, in pages of its own, with its
 * own ENet host; their datagrams go through one shared socket when the
 * server is on loopback, else through a socket each: cl_wire.h), started
 * at a steady rate, all driven from one loop at the client tick rate: the
 * socket(s) watched with epoll, a bot is serviced (ENet, timeout 0) when a
 * datagram came for it and run (ticks, frame, and a flush of its input)
 * when its next tick is due, and the loop sleeps until the next due time
 * in between. The bots play
 * exactly as `gameclient --bot` does (the same cl_conn code: its bot, its
 * cl_target search). At the end all leave together (one shared second for the
 * server's confirmations, not a second each), and the run's figures come
 * back in a swarm_result: who stayed connected, snapshot rates, round
 * trips, the swarm's own CPU and memory.
 */
#ifndef CL_SWARM_H
#define CL_SWARM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "protocol.h"

#define SWARM_MAX_BOTS 1024
#define SWARM_NAME_DIGITS 4 /* names are PREFIX0001 ... */
#define SWARM_PREFIX_MAX (PROTO_NAME_MAX - SWARM_NAME_DIGITS)
#define SWARM_REASONS 8     /* distinct failure reasons kept for the report */

typedef struct {
    char connect[256];                  /* HOST[:PORT] */
    int bots;                           /* 1..SWARM_MAX_BOTS */
    double duration;                    /* seconds from the first start to leaving */
    char name_prefix[SWARM_PREFIX_MAX + 1];
    uint32_t seed;                      /* bot i's seed derives from it ... */
    bool seed_given;                    /* ... when given; else from the bot's name, as gameclient */
    double connect_rate;                /* bot starts per second */
    int peer_timeout_ms;                /* as gameclient --peer-timeout */
    double progress_s;                  /* seconds between progress lines on stderr; 0: none */
    bool verbose;                       /* let the bots' own log lines through */
} swarm_config;

typedef struct {
    char text[80];
    int count;
} swarm_reason;

typedef struct {
    int bots;
    int started;          /* got a socket and began to connect */
    int ever_connected;   /* reached the game at some point */
    int connected;        /* in the game at the end, never having lost the connection */
    int failed;           /* never reached the game */
    int lost;             /* lost the connection after joining (even if it got back in) */
    int resumed;          /* of those, back in the game at the end */
    int left_confirmed;   /* the server confirmed our leaving within the shared second */
    int rate_bots;        /* bots in the game long enough for a snapshot rate */
    double snapshot_hz, snapshot_hz_min, snapshot_hz_max; /* per bot, median/min/max; < 0: none */
    double rtt_median, rtt_p99, rtt_max;                  /* ms; < 0: none */
    uint64_t rtt_samples;
    uint64_t snapshots, interruptions, bad_packets, no_baseline, corrections;
    double wall_s;        /* from the first start to the end of play (leaving excluded) */
    double cpu_s;         /* the swarm's user + system CPU over wall_s */
    double cpu_user_s, cpu_sys_s;
    uint64_t wakeups;     /* returns from the loop's epoll_wait */
    bool shared_socket;   /* all bots on one socket (the server on loopback; cl_wire.h) */
    uint64_t socket_reads, datagrams_read; /* receive calls, and the datagrams they got */
    uint64_t socket_writes, datagrams_sent; /* send calls, and the datagrams they sent */
    uint64_t strays;      /* shared socket: datagrams not from the server, dropped */
    uint64_t send_failures; /* shared socket: datagrams the kernel refused, dropped */
    double cpu_percent;   /* of one core */
    double cpu_percent_steady; /* from 2 s after the last start to the end; < 0: no such window */
    double cpu_us_per_bot_s;   /* steady window when there is one, else whole run, per started bot */
    double in_game_avg;        /* bots in the game, average over the steady window; < 0: no window */
    double cpu_us_per_in_game_bot_s; /* steady CPU per bot in the game; < 0: unknown */
    long rss_kb;          /* peak resident set */
    long rss_kb_per_bot;  /* (peak - before the first bot) / started bots */
    swarm_reason reasons[SWARM_REASONS]; /* why bots failed or were lost */
    int reason_count;
} swarm_result;

void swarm_config_default(swarm_config *cfg);

/* Runs the swarm to the end (duration, or SIGINT/SIGTERM) and fills *res.
 * Progress goes to `progress` (may be NULL). Returns false, with a message
 * in err, only when the swarm itself cannot run (epoll, memory); bots that
 * cannot connect are results, not errors. */
bool swarm_run(const swarm_config *cfg, swarm_result *res, FILE *progress, char *err, size_t err_cap);

/* The human table (stderr) and the one-line JSON object (stdout). */
void swarm_print_table(FILE *out, const swarm_config *cfg, const swarm_result *res);
void swarm_print_json(FILE *out, const swarm_result *res);

#endif
