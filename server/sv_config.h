/* sv_config.h - gameserver settings and their command-line parsing.
 *
 * Owns: defaults, the --help text, validation of every option.
 */
#ifndef SV_CONFIG_H
#define SV_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol.h"
#include "discovery.h"

#define SV_DEFAULT_PORT 27500
#define SV_DEFAULT_MAX_PLAYERS 32
#define SV_DEFAULT_TICK_RATE 60
#define SV_DEFAULT_SNAPSHOT_RATE 30
#define SV_DEFAULT_MAP "courtyard,crossroads"
#define SV_DEFAULT_NAME "LAN Arena"
#define SV_DEFAULT_TIME_LIMIT 600
#define SV_DEFAULT_FRAG_LIMIT 20
#define SV_DEFAULT_INTERMISSION 8
#define SV_DEFAULT_RESUME_GRACE 60 /* seconds a lost player's slot is held */
#define SV_DEFAULT_CLIENT_RATE 14000 /* snapshot bytes per second to one client */
/* --input-every by default: 1 (an input packet every tick), but 2 on a
 * server with more slots than this and a tick rate of at least
 * SV_INPUT_EVERY_AUTO_MIN_HZ (inputs then still arrive 30 times a second
 * or more): half the datagrams for the server to read, for half a tick of
 * input delay on average. Unreal Engine throttles its clients' moves the
 * same way above a player count. */
#define SV_INPUT_EVERY_AUTO_PLAYERS 64
#define SV_INPUT_EVERY_AUTO_MIN_HZ 60
/* A busy server: snapshots to encode and send at full slots,
 * max_players x snapshot_rate, at least SV_BUSY_SNAPSHOTS_PER_S a second
 * (64 slots at 64 Hz; 137 at 30 Hz; a 64-slot server at the usual 30 Hz
 * is not busy). On a busy server, by default:
 * --send-thread: on when there is more than one processor: the UDP sends
 * (most of the cost of the send phase, and some of every receive) leave
 * the main thread;
 * --rt-priority: SV_RT_AUTO_PRIORITY (SCHED_FIFO, sv_sched.h) when the
 * kernel allows it, normal scheduling otherwise;
 * --threads: one per processor beyond the two that the main thread and the
 * sender thread take, plus the main one, at most SV_THREADS_AUTO_MAX (3 on
 * four processors); on two processors 2 under real-time scheduling, else
 * 1. On this project's two-core test machine, with the bots beside the
 * server at the same priority, a second encoding thread lowered the median
 * frame at 1000 players but raised its p99 (README, "Scaling"): its helper
 * was preempted in the middle of its share; under real-time scheduling it
 * is not. A server that is not busy does everything on the main thread at
 * normal priority. */
#define SV_BUSY_SNAPSHOTS_PER_S 4096
#define SV_THREADS_AUTO_MAX 4
#define SV_RT_AUTO_PRIORITY 10

typedef struct {
    uint16_t port;           /* 0: the OS picks a free port */
    int max_players;
    int tick_rate;           /* Hz */
    int snapshot_rate;       /* Hz, <= tick_rate */
    char map[256];           /* rotation: NAME[,NAME...], each under assets/maps/ or a .map path */
    int time_limit;          /* seconds per match, 0 = none */
    int frag_limit;          /* frags that end a match, 0 = none */
    int intermission;        /* seconds of final scores between matches */
    int peer_timeout_ms;     /* a client silent this long is dropped */
    int resume_grace;        /* seconds a lost player's slot waits for its return; 0: freed at once */
    char name[PROTO_SERVER_NAME_MAX + 1];
    uint16_t discovery_port; /* LAN discovery responder (discovery.h); 0: none */
    char stats_path[512];    /* --stats FILE: one JSON line of performance figures per second; "": none */
    int client_rate;         /* snapshot bytes per second to each client, ENet headers included; 0: no limit */
    int input_every;         /* ticks between a client's input packets, 1..PROTO_MAX_INPUT_EVERY; 0: automatic */
    int threads;             /* threads that encode snapshots, 1..SV_WORKERS_MAX; 0: automatic */
    int send_thread;         /* 1: UDP sends on a thread of their own, 0: on the main thread, -1: automatic */
    int rt_priority;         /* SCHED_FIFO priority of the server's threads, 1..99; 0: normal; -1: automatic.
                              * main.c sets it to what the kernel granted (0 when refused) before the
                              * server starts, so sv_config_threads sees the outcome */
} sv_config;

void sv_config_default(sv_config *c);

/* The input packet interval the server asks of its clients (S_WELCOME):
 * --input-every, or when that is 0 (automatic) 2 for more than
 * SV_INPUT_EVERY_AUTO_PLAYERS slots at SV_INPUT_EVERY_AUTO_MIN_HZ or more,
 * else 1. */
int sv_config_input_every(const sv_config *c);

/* Whether the server is busy (the rule above). */
bool sv_config_busy(const sv_config *c);

/* The real-time priority to ask for: --rt-priority, or when that is -1
 * (automatic) SV_RT_AUTO_PRIORITY on a busy server, else 0 (normal
 * scheduling). */
int sv_config_rt_priority(const sv_config *c);

/* The threads that encode snapshots: --threads, or when that is 0
 * (automatic) the rule above, for `cpus` processors (two processors: 2
 * when rt_priority > 0, else 1). */
int sv_config_threads(const sv_config *c, int cpus);
/* Whether the UDP sends get a thread of their own: --send-thread, or the
 * rule above. */
bool sv_config_send_thread(const sv_config *c, int cpus);

typedef enum { SV_ARGS_OK, SV_ARGS_HELP, SV_ARGS_ERROR } sv_args_result;

/* Parses argv into c. On SV_ARGS_ERROR a message is in err. */
sv_args_result sv_config_parse(sv_config *c, int argc, char **argv, char *err, int err_cap);

void sv_config_print_help(const char *prog);

#endif
