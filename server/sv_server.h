/* sv_server.h - the server's state and its main loop.
 *
 * Owns: the ENet host, the client slot table, the world (map and players),
 * the fixed-timestep loop, and clean shutdown. Client lifecycle lives in
 * sv_clients.c, snapshot building in sv_snapshot.c.
 */
#ifndef SV_SERVER_H
#define SV_SERVER_H

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "map.h"
#include "msg.h"
#include "net.h"
#include "ratelimit.h"
#include "seqwin.h"
#include "sim.h"
#include "snapshot.h"
#include "sv_config.h"
#include "sv_discovery.h"
#include "sv_input.h"
#include "sv_lagcomp.h"
#include "sv_stats.h"
#include "sv_grid.h"
#include "sv_priority.h"
#include "sv_workers.h"

#define SV_SPARE_PEERS (SV_MAX_HANDSHAKES + 16) /* ENet peers beyond the players: handshakes, and
                                                  * room to tell a full server's callers so */
#define SV_HANDSHAKE_TIMEOUT 5.0   /* seconds to send a valid hello */
#define SV_MAX_HANDSHAKES 32       /* connections in progress (no hello yet); past it the oldest goes */
#define SV_BAD_PACKET_LIMIT 50     /* malformed packets before a kick */
#define SV_MAX_CATCHUP_TICKS 5     /* ticks one loop turn may run after a stall */
#define SV_SOCKET_BUFFER_BYTES (8 * 1024 * 1024) /* UDP buffers asked of the kernel */
#define SV_SCORE_REFRESH_MAX_PLAYERS 64 /* above this, no periodic all-to-all score refresh, and
                                         * joins are announced in batches */
#define SV_JOIN_NEWS_INTERVAL 0.25 /* seconds between those batches */
#define SV_STATS_LOG_SECONDS 10.0  /* per-client stats log lines (also on SIGUSR1) */
#define SV_STATS_LOG_WORST 10      /* large games: per-client lines for at most this many in trouble */
#define SV_FEED_MAX 8              /* kill feed lines held for a client's next snapshot (large games) */
#define SV_PREPARE_LEAD 0.0003     /* seconds before a tick with snapshots that the helpers are woken */
#define SV_SERVICE_MIN_INTERVAL 0.001 /* seconds between ENet services: each walks every peer */
#define SV_GUARD_POLL_INTERVAL 0.005  /* seconds between connection-guard passes over every peer */
#define SV_SERVICE_BACKLOG 64      /* datagrams one ENet service read that mean "read on at once" */
#define SV_SERVICE_MAX_ROUNDS 16   /* ... at most this many services in a row (4096 datagrams) */
#define SV_CHAT_BURST 4            /* chat lines a player may send at once */
#define SV_CHAT_RATE 0.5           /* ... then this many per second */
#define SV_INPUT_PACKET_BURST 64   /* input packets a client may send at once */
#define SV_INPUT_PACKETS_PER_TICK 2 /* ... then twice the tick rate per second */

/* Slots 0..max_players-1 are players (the index is the player id); the
 * SV_MAX_HANDSHAKES after them hold connections until their hello places
 * them. A DETACHED player lost its connection and waits, out of the world,
 * for a reconnect with its session token (cfg.resume_grace seconds). */
typedef enum { SLOT_FREE = 0, SLOT_HANDSHAKE, SLOT_PLAYING, SLOT_DETACHED } sv_slot_state;

typedef struct {
    sv_slot_state state;
    ENetPeer *peer;
    char addr[32];
    char name[PROTO_NAME_MAX + 1];
    player_state ps;
    sv_input_queue input;
    double connected_at;
    double detached_at;          /* when a DETACHED player lost its connection */
    uint8_t token[PROTO_TOKEN_BYTES]; /* this session's resume token */
    bool has_token;              /* false if the OS gave no randomness: no resume */
    uint32_t resumes;            /* times this player came back */
    uint32_t input_packets_dropped; /* over the input packet rate limit */
    ratelimit input_limit;       /* input packets per second (SV_INPUT_PACKET_*) */
    uint32_t last_cmd_tick;      /* newest fresh command applied */
    uint32_t ack_snapshot_tick;  /* newest snapshot the client said it has */
    uint32_t bad_packets;
    uint64_t snapshots_sent;
    snap_frame *ring;            /* PROTO_SNAPSHOT_RING frames this client holds */
    uint32_t ring_ticks[PROTO_SNAPSHOT_RING]; /* ring[i].tick, packed: the baseline search reads
                                               * these, not 32 frames in 32 cold cache lines */
    uint32_t ring_next;
    seq_window input_seq;        /* input packets, by newest command tick */
    uint8_t up_loss_pct;         /* inputs lost on the way up, last period */
    uint64_t bytes_down, bytes_up; /* payload bytes, since the last stats line */
    int32_t told_frags, told_deaths; /* its score as last sent to everyone (large games) */
    bool join_news;              /* joined a large game, not yet announced to everyone */
    msg_kill feed[SV_FEED_MAX];  /* large games: kills it witnessed, to go with its next snapshot */
    uint8_t feed_count;
    int32_t rate_credit;         /* snapshot bytes it may still be sent under --client-rate */
    uint32_t full_snapshots;     /* snapshots sent without a baseline */
    ratelimit chat_limit;        /* SV_CHAT_BURST lines, then SV_CHAT_RATE per second */
    uint32_t chat_refused;
    input_cmd cmd;               /* the command applied this tick */
    int frags, deaths;
    int ammo;
    uint32_t fire_ready, fired_until, protect_until, respawn_at, ammo_at; /* ticks */
    uint32_t shots, hits, pickups;
} sv_client;

typedef struct {
    bool active;
    uint16_t owner;
    float x, y, vx, vy;
    uint32_t born, expires; /* ticks */
} sv_rocket;

#define SV_MAX_ROTATION 16

/* Match flow: phase, limits, the map rotation (sv_match.c). */
typedef struct {
    char maps[SV_MAX_ROTATION][64];
    int map_count, current;
    uint8_t phase;           /* MATCH_* */
    uint32_t phase_end;      /* tick */
} sv_match_state;

/* Sizes of the snapshots sent, for the figures logged at exit. */
typedef struct {
    uint64_t count;
    uint64_t bytes;
    uint64_t naive_bytes;          /* the same snapshots sent naively */
    uint32_t max;
    uint32_t hist[PROTO_SNAPSHOT_MAX_BYTES + 1];
    uint64_t dropped_changes;      /* changes left out for lack of room */
    uint64_t invalid_entities;     /* entities the index found out of the wire's ranges: not sent */
} sv_snap_stats;

/* One snapshot worker's scratch (sv_snapshot.c): every thread that
 * encodes snapshots has its own. */
typedef struct {
    snap_frame want;
    float d2[PROTO_VIEW_MAX_ENTITIES];
    uint16_t priority[PROTO_VIEW_MAX_ENTITIES];
    uint8_t current[PROTO_VIEW_MAX_ENTITIES]; /* which of want the client holds exactly after encoding */
    sv_grid_hit *near;      /* room for every entity (players, rockets, pickups) */
} sv_snap_worker;

/* One client's snapshot of the current round: encoded by any worker, sent
 * (and counted) by the main thread. */
typedef struct {
    int16_t len;            /* bytes in snap_bytes; 0: none this round; -1: it did not encode */
    uint16_t entities;      /* in the client's view */
    uint16_t dropped;       /* changes left out for lack of room */
} sv_snap_out;

typedef struct {
    sv_config cfg;
    game_map map;
    char *map_text;        /* the map file, sent to clients at join */
    size_t map_text_len;
    uint32_t map_crc32;
    ENetHost *host;
    uint16_t port;
    sv_client *clients;   /* cfg.max_players player slots, then SV_MAX_HANDSHAKES */
    uint64_t resumes_total;     /* players given their slot back */
    uint64_t resumes_refused;   /* resume requests with a wrong or expired token */
    uint64_t input_dropped_total; /* input packets over a client's rate limit */
    uint64_t handshakes_evicted; /* connections in progress pushed out by newer ones */
    uint32_t tick;
    uint32_t spawn_counter;
    ticker clock;
    uint64_t reported_dropped;
    uint64_t bad_packets_total;
    uint16_t witness_scratch[PROTO_MAX_PLAYERS]; /* who hears of a kill (sv_combat_witnesses) */
    ENetPeer *peer_scratch[PROTO_MAX_PLAYERS];   /* recipients of one shared packet (sv_broadcast) */
    snap_frame *rings;      /* every client's snapshot ring, one block */
    sv_prio_state *prio;    /* cfg.max_players: each client's priority accumulators */
    sv_workers workers;     /* the threads that encode snapshots (cfg.threads; sv_snapshot.c) */
    sv_snap_worker *snap_workers; /* snap_worker_count (at least workers.threads): each one's scratch */
    int snap_worker_count;
    sv_snap_out *snap_out;  /* cfg.max_players: each client's snapshot of this round */
    uint8_t *snap_bytes;    /* cfg.max_players x PROTO_SNAPSHOT_MAX_BYTES: their bytes */
    sv_grid view_grid;      /* every entity, rebuilt each snapshot round (sv_snapshot.c) */
    snap_entity view_ents[PROTO_MAX_ENTITIES]; /* each entity in view_grid, quantized once per round */
    sv_grid combat_grid;    /* living players, rebuilt when combat needs it (sv_combat.c) */
    sv_snap_stats snap_stats;
    double last_stats_at;
    double last_log_at;     /* last per-client stats log lines */
    uint32_t kills_since_log; /* kills since then (large games log them as a count) */
    double last_scores_at;
    double last_service_at, last_guard_at; /* the pump's pacing (sv_server.c) */
    uint32_t prepared_tick; /* the tick the snapshot helpers were last woken ahead for */
    int snap_round_players; /* players the last snapshot round was for (sv_snapshot_send) */
    double last_leaders_at;
    double last_join_news_at;
    int join_news_waiting;  /* players with join_news set */
    lag_history lag;        /* positions of the last ticks, for lag compensation */
    sv_rocket rockets[PROTO_MAX_ROCKETS];
    uint32_t pickup_back[PROTO_MAX_PICKUPS]; /* tick a taken pickup returns (0: there) */
    sv_match_state match;
    sv_discovery discovery; /* LAN discovery responder; closed when off */
    sv_stats stats;         /* tick timing, CPU and traffic figures (status, --stats) */
    FILE *stats_file;       /* --stats FILE, or NULL */
} server;

/* Loads the map, opens the UDP port, allocates every slot, and opens the LAN
 * discovery responder when configured (failing to bind it is only a warning:
 * the server runs without it). False with a message in err on failure
 * (nothing left to free). */
bool sv_server_init(server *s, const sv_config *cfg, char *err, size_t err_cap);

/* Runs until *stop becomes non-zero (set by a signal handler); logs
 * per-client stats at once when *stats_request is set (SIGUSR1). */
void sv_server_run(server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *stats_request);

/* One fixed simulation tick: apply one command per player, step the world,
 * send snapshots when due. */
void sv_server_tick(server *s);

/* One turn of sv_server_run's loop (without the console): runs the ticks
 * due by the clock (each flushed), timers, scores, stats, then services
 * ENet, waiting for traffic until the next tick but at most max_wait_ms (0:
 * only polls). log_stats: log the per-client lines now (SIGUSR1). For
 * tests and benchmarks that drive the server themselves. */
void sv_server_step(server *s, uint32_t max_wait_ms, bool log_stats);

/* Tells every client `reason`, waits up to a second for them to go, and
 * frees everything. */
void sv_server_shutdown(server *s, proto_reason reason);

/* Index of a slot, for player ids. */
static inline uint16_t sv_client_id(const server *s, const sv_client *c) { return (uint16_t)(c - s->clients); }

/* ---- sv_clients.c: connection lifecycle ---------------------------------- */
void sv_clients_on_connect(server *s, ENetPeer *peer, uint32_t data, double now);
void sv_clients_on_disconnect(server *s, ENetPeer *peer, uint32_t data, double now);
void sv_clients_on_receive(server *s, ENetPeer *peer, const uint8_t *data, size_t len, uint8_t channel, double now);
/* Sends a chat line from `from` (a player id or PROTO_CHAT_FROM_SERVER) to
 * every player, or to one client when `to` is not NULL. */
void sv_chat_send(server *s, sv_client *to, uint16_t from, const char *text);
/* Drops connections that sent no hello in SV_HANDSHAKE_TIMEOUT and frees
 * the slots of lost players whose grace period is over. */
void sv_clients_check_timers(server *s, double now);
/* Player slots in use (playing, or held for a lost player's return). */
int sv_clients_occupied(const server *s);
/* More than SV_SCORE_REFRESH_MAX_PLAYERS slots in use: news of kills, scores
 * and joins goes to fewer players, or in batches. */
bool sv_clients_large_game(const server *s);
/* Large games: the players who joined since the last call, announced to
 * everyone in S_ROSTER messages (PROTO_ROSTER_MAX to one, a packet shared
 * by all) instead of an S_JOIN each to everyone; at 200 joins a second
 * and 1000 players that was 200 000 reliable messages a second. Returns
 * how many were announced. */
int sv_clients_send_join_news(server *s);
/* The rows (name, frags, deaths, ping) of players `ids` to every player,
 * in S_ROSTER messages, each one packet shared by all. */
void sv_clients_announce(server *s, const uint16_t *ids, int count);
/* Sends S_WELCOME and the map file to a client (at join and on a map
 * change); false if ENet refused (the caller drops the client). The map
 * is left out when `held_map_crc32` (what the client's C_HELLO said it
 * still holds; 0: nothing) is this map's CRC-32: a client back after a
 * lost connection does not download it again. */
bool sv_clients_send_welcome(server *s, sv_client *c, bool resumed, uint32_t held_map_crc32);
/* Disconnects a client with a reason, announcing its leave. */
void sv_client_drop(server *s, sv_client *c, proto_reason reason);
/* Sends to every PLAYING client. */
void sv_broadcast(server *s, uint8_t channel, const uint8_t *buf, size_t len, net_delivery how);

/* ---- sv_snapshot.c: building and sending snapshots ------------------------ */
/* Allocates the snapshot state of the cfg.max_players slots of s->clients
 * (allocated before): each client's ring (each slot pointed at its own),
 * accumulators and output; and starts `threads` workers (1: the calling
 * thread alone). False when out of memory (nothing left allocated); a
 * helper thread that cannot be started is only a warning (fewer workers).
 * The server must not move until sv_snapshot_free. */
bool sv_snapshot_alloc(server *s, int threads);
/* Stops the workers and frees what sv_snapshot_alloc allocated. */
void sv_snapshot_free(server *s);
/* Puts every entity into s->view_grid and its quantized state into
 * s->view_ents (once per snapshot round, before sv_snapshot_build). */
void sv_snapshot_index(server *s);
/* How far a client's view reaches, tiles: the client's camera shows 22
 * tiles top to bottom (cl_render.c), so about 20 to either side in a 16:9
 * window and 26 in a 21:9 one; 40 leaves room for what is about to come
 * into sight. Nothing farther is relevant to it. */
#define SV_VIEW_RADIUS 40.0f

/* Fills w->want with the entities client `viewer` should hold (sorted by
 * id): itself and its PROTO_VIEW_MAX_ENTITIES - 1 nearest within
 * SV_VIEW_RADIUS (all of them when fewer), found in s->view_grid; w->d2[i]
 * gets w->want.ents[i]'s squared distance (tiles). */
void sv_snapshot_build(const server *s, const sv_client *viewer, sv_snap_worker *w);
/* Builds, delta-encodes against each client's acknowledged snapshot, and
 * sends one snapshot to every PLAYING client. The building and encoding
 * are shared by the workers; the sending is the calling thread's. */
void sv_snapshot_send_all(server *s);
/* The same for the PLAYING clients in the slots i with i % every == phase
 * (every >= 1, 0 <= phase < every). */
void sv_snapshot_send(server *s, int every, int phase);
/* Logs snapshot size figures as one JSON line ("snapshot_stats {...}"). */
void sv_snapshot_log_stats(const server *s);
/* The client holds no snapshot (a new connection, a new match): the next
 * one is full. */
void sv_snapshot_forget(sv_client *c);

#endif
