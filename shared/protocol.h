/* protocol.h - the wire contract between gameserver and gameclient.
 *
 * Owns: the protocol version, ENet channel ids, message ids, disconnect
 * reason codes, every size limit, and the quantization of world values.
 * Each message's layout is drawn below; msg.c is the only code that reads
 * or writes them, field by field, little-endian (see wire.h).
 */
#ifndef GAME_PROTOCOL_H
#define GAME_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>

/* Bumped whenever any layout below changes. Travels as ENet connect data:
 * the low 24 bits are the version; bit 24 (PROTO_CONNECT_RESUMING) says the
 * client holds a session token, so a full server still lets it in to show
 * it (its slot is held); any other bit is refused as a version mismatch. */
#define PROTO_VERSION 6u
#define PROTO_CONNECT_VERSION_MASK 0x00ffffffu
#define PROTO_CONNECT_RESUMING (1u << 24)

/* ---- ENet channels ------------------------------------------------------ */
enum {
    PROTO_CHANNEL_RELIABLE = 0,   /* handshake, join/leave/rename, events     */
    PROTO_CHANNEL_UNRELIABLE = 1, /* snapshots (down) and input commands (up) */
    PROTO_CHANNEL_COUNT = 2
};

/* ---- Limits: everything that can grow is bounded here ------------------- */
#define PROTO_MAX_PLAYERS 1024        /* hard cap on --max-players            */
#define PROTO_NAME_MAX 16             /* bytes of UTF-8, excluding the NUL     */
#define PROTO_ROSTER_MAX 32           /* players in one S_ROSTER message       */
#define PROTO_MAP_NAME_MAX 32         /* bytes, excluding the NUL              */
#define PROTO_SERVER_NAME_MAX 32      /* bytes, excluding the NUL              */
#define PROTO_CHAT_MAX 120            /* bytes of UTF-8, excluding the NUL     */
#define PROTO_CHAT_FROM_SERVER 0xffffu /* S_CHAT sender id of the server itself */
#define PROTO_MAX_CMDS_PER_PACKET 8   /* input commands in one input message   */
#define PROTO_MIN_CMDS_PER_PACKET 4   /* sent even when acknowledged (redundancy) */
#define PROTO_MAX_INPUT_EVERY 4       /* ticks between a client's input packets, at most */
#define PROTO_SNAPSHOT_MAX_BYTES 1200 /* one snapshot fits one UDP datagram    */
#define PROTO_VIEW_MAX_ENTITIES 128   /* entities one client holds at once     */
#define PROTO_SNAPSHOT_RING 32        /* snapshots kept as baselines, per side */
#define PROTO_MAX_HEALTH 100
#define PROTO_MAX_AMMO 99
#define PROTO_MAX_ROCKETS 256         /* projectiles in flight at once          */
#define PROTO_MAX_PICKUPS 128         /* pickups a map may place                */
#define PROTO_MAX_ENTITY_SPEED 24.0f  /* any entity's velocity axis, tiles/s    */
#define PROTO_TOKEN_BYTES 16          /* session token: 128 random bits         */
#define PROTO_NO_RESUME 0xffffu       /* C_HELLO resume_id of a new session     */

/* Entity ids in snapshots: players, then rockets, then the map's pickups
 * (pickup id - PROTO_ENT_PICKUP_BASE = its index in the map). */
#define PROTO_ENT_ROCKET_BASE PROTO_MAX_PLAYERS
#define PROTO_ENT_PICKUP_BASE (PROTO_ENT_ROCKET_BASE + PROTO_MAX_ROCKETS)
#define PROTO_MAX_ENTITIES (PROTO_ENT_PICKUP_BASE + PROTO_MAX_PICKUPS)

/* Weapons (kill feed, S_KILL). */
enum { WEAPON_RAIL = 0, WEAPON_ROCKET = 1, WEAPON_COUNT = 2 };

/* Match phases (S_MATCH). */
enum { MATCH_PLAYING = 0, MATCH_INTERMISSION = 1, MATCH_PHASE_COUNT = 2 };
#define PROTO_MAX_PACKET_BYTES 4096   /* nothing we send or accept is larger   */
#define PROTO_MAP_CHUNK_BYTES 1024    /* map file bytes in one S_MAP_CHUNK     */
#define PROTO_MAP_MAX_BYTES (1024 * 1024) /* largest map file sent to clients */
#define PROTO_MAP_MAX_TILES 512       /* map width and height, in tiles        */
#define PROTO_MIN_TICK_RATE 10
#define PROTO_MAX_TICK_RATE 240

/* ---- Quantization (documented precision of world values on the wire) ---- *
 * The simulation snaps its state to these grids after every step, so what a
 * snapshot carries is exactly the server's state (prediction replays match).
 *   position: unsigned, 1/4096 tile  -> 21 bits cover 0..512 tiles
 *   velocity: signed,   1/1024 tile/s -> 16 bits cover +-32 tiles/s
 *   Fine enough that per-tick rounding changes the top speed by well under
 *   1 % at every tick rate from 10 to 240 Hz.
 *   aim:      unsigned, 2*pi/65536 rad -> 16 bits                          */
#define PROTO_POS_SCALE 4096.0f
#define PROTO_VEL_SCALE 1024.0f
#define PROTO_AIM_STEPS 65536.0f
#define PROTO_POS_BITS 21 /* PROTO_MAP_MAX_TILES * PROTO_POS_SCALE = 2^21 */
#define PROTO_POS_Q_LIMIT (1u << PROTO_POS_BITS)

/* ---- Disconnect reasons ---------------------------------------------------
 * Sent as the 32-bit data of enet_peer_disconnect(). Low 8 bits: reason;
 * bits 8..31: detail (for PROTO_REASON_VERSION, the server's version).   */
typedef enum {
    PROTO_REASON_NONE = 0,            /* plain leave                          */
    PROTO_REASON_VERSION = 1,         /* protocol version mismatch            */
    PROTO_REASON_SERVER_FULL = 2,     /* no free player slot                  */
    PROTO_REASON_SHUTDOWN = 3,        /* server is shutting down              */
    PROTO_REASON_HANDSHAKE = 4,       /* no valid hello in time               */
    PROTO_REASON_BAD_PACKETS = 5,     /* too many malformed packets           */
    PROTO_REASON_KICKED = 6,          /* removed by the server operator       */
    PROTO_REASON_CLIENT_QUIT = 7,     /* the client left on purpose           */
    PROTO_REASON_TIMED_OUT = 8,       /* lost, and did not come back in time  */
    PROTO_REASON_COUNT
} proto_reason;

/* Snapshots go out on the ticks where this number changes: snapshot_rate
 * of every tick_rate ticks, evenly spread. It also numbers them, so a
 * client can count the ones it missed. */
static inline uint32_t proto_snapshot_seq(uint32_t tick, int snapshot_rate, int tick_rate) {
    return (uint32_t)((uint64_t)tick * (uint64_t)snapshot_rate / (uint64_t)tick_rate);
}

/* Whether a client sends its input packet after predicting the command for
 * `tick`, when the server asked for one every `every` ticks (S_WELCOME):
 * on the ticks with (tick + client_id) % every == 0, so that the clients'
 * packets are spread over the ticks instead of all arriving on the same
 * one. Each packet repeats the commands not yet acknowledged, so nothing
 * is lost in between, only up to every - 1 ticks of delay added. */
static inline bool proto_input_due(uint32_t tick, uint16_t client_id, int every) {
    return every <= 1 || (tick + client_id) % (uint32_t)every == 0;
}

/* Human-readable text for a reason code; never NULL. */
const char *proto_reason_text(uint32_t reason);
static inline uint32_t proto_reason_pack(proto_reason r, uint32_t detail) {
    return (uint32_t)r | (detail << 8);
}

/* ---- Message ids (first byte of every packet) ----------------------------
 *
 * Client -> server
 *   C_HELLO   ch0  u8 id | str name | u16 resume_id | u8[16] resume_token
 *                  | u32 map_crc32
 *                  first message after connect. resume_id PROTO_NO_RESUME
 *                  (token all zero): a new player. Otherwise the slot and
 *                  session token of a connection that was lost: with the
 *                  right token the server gives back that slot, name,
 *                  frags and deaths; with a wrong one it is a new player.
 *                  map_crc32: the CRC-32 of the map the client still holds
 *                  (after a lost connection), 0 for none; when it is the
 *                  server's map, the map is not sent again.
 *   C_RENAME  ch0  u8 id | str name
 *   C_CHAT    ch0  u8 id | str text (<= PROTO_CHAT_MAX bytes; the server
 *                  cleans it and limits how often a player may talk)
 *   C_INPUT   ch1  u8 id | u32 ack_snapshot_tick | u32 newest_tick
 *                  | u32 newest_view_tick | u8 count(1..8)
 *                  | count x { u8 buttons | u16 aim | u8 view_back }
 *                  commands for ticks newest_tick, newest_tick-1, ... (every
 *                  packet repeats the ones not yet acknowledged); each
 *                  command's view tick (the server tick the player saw
 *                  others at, for lag compensation) = newest_view_tick -
 *                  view_back
 *
 * Server -> client
 *   S_WELCOME ch0  u8 id | u16 client_id | u16 max_players | u16 tick_rate
 *                  | u16 snapshot_rate | u8 input_every (1..4: the client
 *                  sends its C_INPUT every that many ticks, see
 *                  proto_input_due) | u32 server_tick | u32 map_bytes
 *                  | u32 map_crc32 | str map_name | str server_name
 *                  | u8 resumed (1: the old session was given back)
 *                  | u8[16] session_token (fresh from the OS's random
 *                  source at every welcome; the client presents it in
 *                  C_HELLO to resume after a lost connection)
 *                  | u8 map_follows (1: S_MAP_CHUNKs follow; 0: none, the
 *                  map is the one C_HELLO's map_crc32 named)
 *   S_MAP_CHUNK ch0 u8 id | u32 offset | u16 length(1..1024) | bytes
 *                  the map file's text, in order, right after S_WELCOME;
 *                  the client checks size and CRC-32, then parses it with
 *                  the same parser as the server (map.h)
 *   S_JOIN    ch0  u8 id | u16 player_id | str name     (a newcomer)
 *   S_LEAVE   ch0  u8 id | u16 player_id | u8 reason
 *   S_RENAME  ch0  u8 id | u16 player_id | str name
 *   S_CHAT    ch0  u8 id | u16 from (player id, PROTO_CHAT_FROM_SERVER for
 *                  the server itself) | str text (clean, <= PROTO_CHAT_MAX)
 *   S_KILL    ch0  u8 id | u16 killer | u16 victim | u8 weapon   (kill feed;
 *                  killer == victim: a suicide)
 *   S_SCORE   ch0  u8 id | u16 player | i16 frags | u16 deaths | u16 ping_ms
 *   S_ROSTER  ch0  u8 id | u8 count (1..PROTO_ROSTER_MAX) | count x (u16
 *                  player_id | str name | i16 frags | u16 deaths | u16
 *                  ping_ms): who is already here, with scores, right after
 *                  the map (one message per 32 players, not two per player)
 *   S_MATCH   ch0  u8 id | u8 phase | u32 phase_end_tick | u16 frag_limit
 *                  | u16 time_limit_s | str next_map   (on join and on every
 *                  phase change; next_map is the map after this match)
 *   S_SNAPSHOT ch1 bit-packed delta against an acknowledged snapshot: the
 *                  layout is drawn in snapshot.h
 *
 * str = u8 length | bytes (no NUL; length bounded per field above).
 */
typedef enum {
    MSG_C_HELLO = 1,
    MSG_C_RENAME = 2,
    MSG_C_INPUT = 3,
    MSG_C_CHAT = 4,
    MSG_S_WELCOME = 64,
    MSG_S_JOIN = 65,
    MSG_S_LEAVE = 66,
    MSG_S_RENAME = 67,
    MSG_S_SNAPSHOT = 68,
    MSG_S_MAP_CHUNK = 69,
    MSG_S_CHAT = 70,
    MSG_S_KILL = 71,
    MSG_S_SCORE = 72,
    MSG_S_MATCH = 73,
    MSG_S_ROSTER = 74
} msg_id;

/* Input buttons (bits of a command's buttons byte). */
enum {
    BTN_UP = 1u << 0,
    BTN_DOWN = 1u << 1,
    BTN_LEFT = 1u << 2,
    BTN_RIGHT = 1u << 3,
    BTN_FIRE = 1u << 4,    /* the hitscan rail gun */
    BTN_FIRE2 = 1u << 5,   /* the rocket launcher */
    BTN_ALL = 0x3fu /* any other bit is out of range */
};

/* Entity flags in a snapshot. */
enum {
    ENT_FLAG_ALIVE = 1u << 0,
    ENT_FLAG_PROTECTED = 1u << 1, /* just spawned: takes no damage */
    ENT_FLAG_FIRED = 1u << 2,     /* fired this tick (for muzzle flashes and tracers) */
    ENT_FLAG_ALL = 0x07u
};

#endif
