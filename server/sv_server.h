/* sv_server.h - the server's state and its main loop.
 *
 * Owns: the ENet host, the client slot table, the world (map and players),
 * the fixed-timestep loop, and clean shutdown. Client lifecycle lives in
 * sv_clients.c, snapshot building in sv_snapshot.c.
 */
#ifndef SV_SERVER_H
#define SV_SERVER_H

#include <signal.h>
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

#define SV_SPARE_PEERS 16          /* extra ENet peers so a full server can say so */
#define SV_HANDSHAKE_TIMEOUT 5.0   /* seconds to send a valid hello */
#define SV_BAD_PACKET_LIMIT 50     /* malformed packets before a kick */
#define SV_MAX_CATCHUP_TICKS 5     /* ticks one loop turn may run after a stall */
#define SV_STATS_LOG_SECONDS 10.0  /* per-client stats log lines (also on SIGUSR1) */
#define SV_CHAT_BURST 4            /* chat lines a player may send at once */
#define SV_CHAT_RATE 0.5           /* ... then this many per second */

typedef enum { SLOT_FREE = 0, SLOT_HANDSHAKE, SLOT_PLAYING } sv_slot_state;

typedef struct {
    sv_slot_state state;
    ENetPeer *peer;
    char addr[32];
    char name[PROTO_NAME_MAX + 1];
    player_state ps;
    sv_input_queue input;
    double connected_at;
    uint32_t last_cmd_tick;      /* newest fresh command applied */
    uint32_t ack_snapshot_tick;  /* newest snapshot the client said it has */
    uint32_t bad_packets;
    uint64_t snapshots_sent;
    snap_frame *ring;            /* PROTO_SNAPSHOT_RING frames this client holds */
    uint32_t ring_next;
    seq_window input_seq;        /* input packets, by newest command tick */
    uint8_t up_loss_pct;         /* inputs lost on the way up, last period */
    uint64_t bytes_down, bytes_up; /* payload bytes, since the last stats line */
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
    float dist2;
    uint16_t index;
} sv_near;

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
} sv_snap_stats;

typedef struct {
    sv_config cfg;
    game_map map;
    char *map_text;        /* the map file, sent to clients at join */
    size_t map_text_len;
    uint32_t map_crc32;
    ENetHost *host;
    uint16_t port;
    sv_client *clients;   /* cfg.max_players slots */
    int occupied;         /* slots not FREE */
    uint32_t tick;
    uint32_t spawn_counter;
    ticker clock;
    uint64_t reported_dropped;
    uint64_t bad_packets_total;
    sv_near *near_scratch;  /* cfg.max_players, for snapshot selection */
    snap_frame *rings;      /* every client's snapshot ring, one block */
    snap_frame want_scratch;
    uint16_t priority_scratch[PROTO_VIEW_MAX_ENTITIES];
    sv_snap_stats snap_stats;
    double last_stats_at;
    double last_log_at;     /* last per-client stats log lines */
    double last_scores_at;
    lag_history lag;        /* positions of the last ticks, for lag compensation */
    sv_rocket rockets[PROTO_MAX_ROCKETS];
    uint32_t pickup_back[PROTO_MAX_PICKUPS]; /* tick a taken pickup returns (0: there) */
    sv_match_state match;
    sv_discovery discovery; /* LAN discovery responder; closed when off */
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

/* Tells every client `reason`, waits up to a second for them to go, and
 * frees everything. */
void sv_server_shutdown(server *s, proto_reason reason);

/* Index of a slot, for player ids. */
static inline uint16_t sv_client_id(const server *s, const sv_client *c) { return (uint16_t)(c - s->clients); }

/* ---- sv_clients.c: connection lifecycle ---------------------------------- */
void sv_clients_on_connect(server *s, ENetPeer *peer, uint32_t data, double now);
void sv_clients_on_disconnect(server *s, ENetPeer *peer, uint32_t data);
void sv_clients_on_receive(server *s, ENetPeer *peer, const uint8_t *data, size_t len, uint8_t channel, double now);
/* Sends a chat line from `from` (a player id or PROTO_CHAT_FROM_SERVER) to
 * every player, or to one client when `to` is not NULL. */
void sv_chat_send(server *s, sv_client *to, uint16_t from, const char *text);
void sv_clients_check_handshakes(server *s, double now);
/* Sends S_WELCOME and the map file to a client (at join and on a map
 * change); false if ENet refused (the caller drops the client). */
bool sv_clients_send_welcome(server *s, sv_client *c);
/* Disconnects a client with a reason, announcing its leave. */
void sv_client_drop(server *s, sv_client *c, proto_reason reason);
/* Sends to every PLAYING client. */
void sv_broadcast(server *s, uint8_t channel, const uint8_t *buf, size_t len, net_delivery how);

/* ---- sv_snapshot.c: building and sending snapshots ------------------------ */
/* Fills want with the entities client `viewer` should hold (sorted by id):
 * every player, or the PROTO_VIEW_MAX_ENTITIES nearest; priority gets their
 * indices nearest first (the viewer itself first). */
void sv_snapshot_build(server *s, const sv_client *viewer, snap_frame *want, uint16_t *priority);
/* Builds, delta-encodes against each client's acknowledged snapshot, and
 * sends one snapshot to every PLAYING client. */
void sv_snapshot_send_all(server *s);
/* Logs snapshot size figures as one JSON line ("snapshot_stats {...}"). */
void sv_snapshot_log_stats(const server *s);

#endif
