/* discovery.h - LAN server discovery: the query/reply codec.
 *
 * Owns: the layout of the two discovery datagrams and their pure encoders
 * and validating decoders. No sockets here: server/sv_discovery.c answers queries,
 * client/cl_discovery.c sends them and collects replies.
 *
 * Discovery runs on its own UDP port (default 27501), apart from the ENet
 * game port. A client broadcasts a query to that port; every server on the
 * LAN answers with its name, map, player count and game port. Several
 * servers on one machine share the discovery port (SO_REUSEADDR: broadcasts
 * reach every one of them).
 *
 * Query (client -> server, to the discovery port), exactly
 * DISCOVERY_QUERY_BYTES = 96 bytes:
 *   "LANq" (4 bytes) | u8 version (PROTO_VERSION) | u32 nonce | 87 zero bytes
 * Anything shorter, longer, with another magic or version, or with a
 * non-zero padding byte is not a query: the server counts it and stays
 * silent.
 *
 * Reply (server -> the query's source address):
 *   "LANr" (4 bytes) | u8 version | u32 nonce (echoed) | u16 game_port
 *   | u16 players | u16 max_players | str server_name (1..PROTO_SERVER_NAME_MAX)
 *   | str map_name (1..PROTO_MAP_NAME_MAX)
 * str = u8 length | bytes, names valid text (text_is_clean). No trailing
 * bytes. Little-endian like every other message (wire.h).
 *
 * No amplification: a reply is never larger than the query it answers. The
 * encoder writes into a buffer of the query's size (the padding is there to
 * pay for the reply) and, should the names not fit, cuts them at a UTF-8
 * character boundary; decoders also refuse a reply larger than a query. A
 * spoofed flood of queries therefore returns at most as many bytes as it
 * sent, and a server answers at most DISCOVERY_REPLY_RATE replies per second
 * (a token bucket, shared/ratelimit.h, in server/sv_discovery.c) whatever
 * the flood.
 */
#ifndef GAME_DISCOVERY_H
#define GAME_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define DISCOVERY_DEFAULT_PORT 27501
#define DISCOVERY_QUERY_BYTES 96
#define DISCOVERY_MAGIC_LEN 4
#define DISCOVERY_QUERY_MAGIC "LANq"
#define DISCOVERY_REPLY_MAGIC "LANr"
/* Bytes of a query before its padding: magic, version, nonce. */
#define DISCOVERY_QUERY_HEADER_BYTES (DISCOVERY_MAGIC_LEN + 1 + 4)
/* Bytes of a reply besides the name bytes: magic, version, nonce, game
 * port, players, max players, two string lengths. */
#define DISCOVERY_REPLY_FIXED_BYTES (DISCOVERY_MAGIC_LEN + 1 + 4 + 2 + 2 + 2 + 1 + 1)
#define DISCOVERY_REPLY_MAX_BYTES \
    (DISCOVERY_REPLY_FIXED_BYTES + PROTO_SERVER_NAME_MAX + PROTO_MAP_NAME_MAX)
#define DISCOVERY_REPLY_RATE 200.0  /* replies per second, per server */
#define DISCOVERY_REPLY_BURST 200.0 /* replies allowed at once after a quiet spell */

/* The longest names must always fit, untruncated, in one query's size. */
_Static_assert(DISCOVERY_REPLY_MAX_BYTES <= DISCOVERY_QUERY_BYTES, "a reply must never outgrow the query");

typedef struct {
    uint32_t nonce;
    uint16_t game_port;     /* 1..65535 */
    uint16_t players;       /* 0..max_players */
    uint16_t max_players;   /* 1..PROTO_MAX_PLAYERS */
    char name[PROTO_SERVER_NAME_MAX + 1];
    char map[PROTO_MAP_NAME_MAX + 1];
} discovery_reply;

/* Writes a query into buf (DISCOVERY_QUERY_BYTES bytes); returns that size. */
size_t discovery_encode_query(uint8_t buf[DISCOVERY_QUERY_BYTES], uint32_t nonce);

/* True, with the nonce, when buf/len is exactly a query of our version. */
bool discovery_decode_query(const uint8_t *buf, size_t len, uint32_t *nonce);

/* Encodes r into buf, at most cap bytes (pass the size of the query being
 * answered). Names are cleaned (text_sanitize) and, if the whole reply would
 * not fit in cap (or DISCOVERY_QUERY_BYTES, whichever is less), cut at a
 * UTF-8 character boundary, never leaving a trailing space: the map name
 * keeps what the server name leaves, but at least half the room for names,
 * and the server name gets the rest.
 * Returns the byte count (never above cap), or 0 when a field is out of
 * range (port 0, max_players 0 or too high, players above max_players), a
 * name has nothing printable, or not even one character of each name fits. */
size_t discovery_encode_reply(uint8_t *buf, size_t cap, const discovery_reply *r);

/* True when buf/len is exactly one valid reply of our version, at most
 * DISCOVERY_QUERY_BYTES long, with in-range fields and clean names. */
bool discovery_decode_reply(const uint8_t *buf, size_t len, discovery_reply *out);

#endif
