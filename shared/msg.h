/* msg.h - encoders and decoders of every protocol message (layouts in protocol.h).
 *
 * Owns: turning message structs into bytes and back (snapshots: snapshot.h). Encoders write into a
 * caller buffer and return the byte count, or 0 if it does not fit or a
 * field is out of range. Decoders return MSG_OK or an error code and never
 * trust the input: truncated, oversized (trailing bytes), unknown or
 * out-of-range input is refused. Pure functions, no allocation.
 */
#ifndef GAME_MSG_H
#define GAME_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"
#include "sim.h"

typedef enum {
    MSG_OK = 0,
    MSG_ERR_TRUNCATED = -1,   /* ran out of bytes                        */
    MSG_ERR_TRAILING = -2,    /* bytes left after the message            */
    MSG_ERR_WRONG_ID = -3,    /* first byte is not the expected message  */
    MSG_ERR_RANGE = -4        /* a field holds an impossible value       */
} msg_result;

const char *msg_result_text(int result);

typedef struct {
    char name[PROTO_NAME_MAX + 1];
} msg_name; /* C_RENAME */

typedef struct {
    char name[PROTO_NAME_MAX + 1];
    uint16_t resume_id;                 /* PROTO_NO_RESUME, or a slot < PROTO_MAX_PLAYERS */
    uint8_t token[PROTO_TOKEN_BYTES];   /* all zero with PROTO_NO_RESUME */
    uint32_t map_crc32;                 /* CRC-32 of the map the client still holds (0: none) */
} msg_hello;

typedef struct {
    uint32_t ack_snapshot_tick;
    uint8_t count;                          /* 1..PROTO_MAX_CMDS_PER_PACKET */
    input_cmd cmds[PROTO_MAX_CMDS_PER_PACKET]; /* newest first, consecutive ticks >= 1 */
} msg_input;

typedef struct {
    uint16_t client_id;
    uint16_t max_players;
    uint16_t tick_rate;
    uint16_t snapshot_rate;
    uint8_t input_every; /* ticks between the client's input packets, 1..PROTO_MAX_INPUT_EVERY */
    uint32_t server_tick;
    uint32_t map_bytes;  /* 1..PROTO_MAP_MAX_BYTES */
    uint32_t map_crc32;
    char map_name[PROTO_MAP_NAME_MAX + 1];
    char server_name[PROTO_SERVER_NAME_MAX + 1];
    uint8_t resumed;                    /* 0 or 1 */
    uint8_t token[PROTO_TOKEN_BYTES];   /* this session's token */
    uint8_t map_follows;                /* 1: S_MAP_CHUNKs follow; 0: the map is the one the client named in C_HELLO */
} msg_welcome;

typedef struct {
    uint16_t player_id;
    char name[PROTO_NAME_MAX + 1];
} msg_player_name; /* S_JOIN and S_RENAME */

typedef struct {
    uint32_t offset;
    uint16_t length; /* 1..PROTO_MAP_CHUNK_BYTES */
    const uint8_t *bytes; /* points into the decoded buffer */
} msg_map_chunk;

typedef struct {
    uint16_t player_id;
    uint8_t reason; /* proto_reason */
} msg_leave;

typedef struct {
    uint16_t killer, victim; /* player ids; equal for a suicide */
    uint8_t weapon;          /* WEAPON_* */
} msg_kill;

typedef struct {
    uint8_t phase;           /* MATCH_* */
    uint32_t phase_end_tick; /* server tick the phase ends at */
    uint16_t frag_limit;     /* 0: none */
    uint16_t time_limit_s;   /* 0: none */
    char next_map[PROTO_MAP_NAME_MAX + 1];
} msg_match;

typedef struct {
    uint16_t player;
    int16_t frags;
    uint16_t deaths;
    uint16_t ping_ms;
} msg_score;

typedef struct {
    uint8_t count; /* 1..PROTO_ROSTER_MAX */
    struct {
        uint16_t player_id;
        char name[PROTO_NAME_MAX + 1];
        int16_t frags;
        uint16_t deaths;
        uint16_t ping_ms;
    } e[PROTO_ROSTER_MAX];
} msg_roster;

typedef struct {
    uint16_t from; /* S_CHAT only: player id or PROTO_CHAT_FROM_SERVER */
    char text[PROTO_CHAT_MAX + 1];
} msg_chat;

/* First byte of a packet, or -1 when empty. */
int msg_peek_id(const uint8_t *buf, size_t len);

size_t msg_encode_hello(uint8_t *buf, size_t cap, const msg_hello *m);
size_t msg_encode_rename(uint8_t *buf, size_t cap, const msg_name *m);
size_t msg_encode_input(uint8_t *buf, size_t cap, const msg_input *m);
size_t msg_encode_welcome(uint8_t *buf, size_t cap, const msg_welcome *m);
size_t msg_encode_join(uint8_t *buf, size_t cap, const msg_player_name *m);
size_t msg_encode_player_rename(uint8_t *buf, size_t cap, const msg_player_name *m);
size_t msg_encode_leave(uint8_t *buf, size_t cap, const msg_leave *m);
size_t msg_encode_map_chunk(uint8_t *buf, size_t cap, const msg_map_chunk *m);
size_t msg_encode_client_chat(uint8_t *buf, size_t cap, const msg_chat *m);
size_t msg_encode_kill(uint8_t *buf, size_t cap, const msg_kill *m);
size_t msg_encode_score(uint8_t *buf, size_t cap, const msg_score *m);
size_t msg_encode_roster(uint8_t *buf, size_t cap, const msg_roster *m);
size_t msg_encode_match(uint8_t *buf, size_t cap, const msg_match *m);
size_t msg_encode_server_chat(uint8_t *buf, size_t cap, const msg_chat *m);

int msg_decode_hello(const uint8_t *buf, size_t len, msg_hello *out);
int msg_decode_rename(const uint8_t *buf, size_t len, msg_name *out);
int msg_decode_input(const uint8_t *buf, size_t len, msg_input *out);
int msg_decode_welcome(const uint8_t *buf, size_t len, msg_welcome *out);
int msg_decode_join(const uint8_t *buf, size_t len, msg_player_name *out);
int msg_decode_player_rename(const uint8_t *buf, size_t len, msg_player_name *out);
int msg_decode_leave(const uint8_t *buf, size_t len, msg_leave *out);
/* out->bytes points into buf: valid while buf is. Offset + length must stay
 * within PROTO_MAP_MAX_BYTES. */
int msg_decode_map_chunk(const uint8_t *buf, size_t len, msg_map_chunk *out);
int msg_decode_kill(const uint8_t *buf, size_t len, msg_kill *out);
int msg_decode_score(const uint8_t *buf, size_t len, msg_score *out);
int msg_decode_roster(const uint8_t *buf, size_t len, msg_roster *out);
int msg_decode_match(const uint8_t *buf, size_t len, msg_match *out);
/* C_CHAT: raw text (any bytes but NUL, <= PROTO_CHAT_MAX); the server cleans it. */
int msg_decode_client_chat(const uint8_t *buf, size_t len, msg_chat *out);
/* S_CHAT: the text must already be clean (text_is_clean), the sender a
 * player id or PROTO_CHAT_FROM_SERVER. */
int msg_decode_server_chat(const uint8_t *buf, size_t len, msg_chat *out);

/* CRC-32 (IEEE 802.3, as zlib) of a buffer. */
uint32_t msg_crc32(const void *data, size_t len);

#endif
