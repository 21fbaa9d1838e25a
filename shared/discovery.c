/* discovery.c - LAN discovery query/reply codec and token bucket (see discovery.h). */
#include "discovery.h"

#include <string.h>

#include "text.h"
#include "wire.h"

size_t discovery_encode_query(uint8_t buf[DISCOVERY_QUERY_BYTES], uint32_t nonce) {
    memset(buf, 0, DISCOVERY_QUERY_BYTES);
    wire_writer w;
    wire_writer_init(&w, buf, DISCOVERY_QUERY_BYTES);
    wire_write_bytes(&w, DISCOVERY_QUERY_MAGIC, DISCOVERY_MAGIC_LEN);
    wire_write_u8(&w, (uint8_t)PROTO_VERSION);
    wire_write_u32(&w, nonce);
    return DISCOVERY_QUERY_BYTES; /* the rest stays zero: the padding */
}

bool discovery_decode_query(const uint8_t *buf, size_t len, uint32_t *nonce) {
    if (len != DISCOVERY_QUERY_BYTES) return false;
    wire_reader r;
    wire_reader_init(&r, buf, len);
    uint8_t magic[DISCOVERY_MAGIC_LEN];
    wire_read_bytes(&r, magic, sizeof magic);
    uint8_t version = wire_read_u8(&r);
    uint32_t n = wire_read_u32(&r);
    if (!wire_reader_ok(&r) || memcmp(magic, DISCOVERY_QUERY_MAGIC, DISCOVERY_MAGIC_LEN) != 0 ||
        version != PROTO_VERSION)
        return false;
    while (wire_reader_remaining(&r) > 0)
        if (wire_read_u8(&r) != 0) return false;
    *nonce = n;
    return true;
}

size_t discovery_encode_reply(uint8_t *buf, size_t cap, const discovery_reply *r) {
    if (r->game_port == 0 || r->max_players == 0 || r->max_players > PROTO_MAX_PLAYERS ||
        r->players > r->max_players)
        return 0;
    size_t room = cap < DISCOVERY_QUERY_BYTES ? cap : DISCOVERY_QUERY_BYTES;
    if (room < DISCOVERY_REPLY_FIXED_BYTES + 2) return 0;
    size_t text_room = room - DISCOVERY_REPLY_FIXED_BYTES;

    char name[PROTO_SERVER_NAME_MAX + 1], map[PROTO_MAP_NAME_MAX + 1];
    size_t name_len = text_sanitize(r->name, name, PROTO_SERVER_NAME_MAX);
    size_t map_len = text_sanitize(r->map, map, PROTO_MAP_NAME_MAX);
    if (name_len == 0 || map_len == 0) return 0;
    if (name_len + map_len > text_room) {
        /* The map name keeps what the server name leaves, at least half. */
        size_t map_room = text_room - (name_len < text_room ? name_len : text_room);
        if (map_room < text_room / 2) map_room = text_room / 2;
        if (map_len > map_room) {
            char cut[PROTO_MAP_NAME_MAX + 1];
            map_len = text_sanitize(map, cut, map_room);
            memcpy(map, cut, map_len + 1);
        }
        if (name_len > text_room - map_len) {
            char cut[PROTO_SERVER_NAME_MAX + 1];
            name_len = text_sanitize(name, cut, text_room - map_len);
            memcpy(name, cut, name_len + 1);
        }
        if (name_len == 0 || map_len == 0) return 0;
    }

    wire_writer w;
    wire_writer_init(&w, buf, room);
    wire_write_bytes(&w, DISCOVERY_REPLY_MAGIC, DISCOVERY_MAGIC_LEN);
    wire_write_u8(&w, (uint8_t)PROTO_VERSION);
    wire_write_u32(&w, r->nonce);
    wire_write_u16(&w, r->game_port);
    wire_write_u16(&w, r->players);
    wire_write_u16(&w, r->max_players);
    wire_write_str(&w, name, PROTO_SERVER_NAME_MAX);
    wire_write_str(&w, map, PROTO_MAP_NAME_MAX);
    return wire_writer_ok(&w) ? w.len : 0;
}

bool discovery_decode_reply(const uint8_t *buf, size_t len, discovery_reply *out) {
    if (len > DISCOVERY_QUERY_BYTES) return false;
    wire_reader r;
    wire_reader_init(&r, buf, len);
    discovery_reply m;
    uint8_t magic[DISCOVERY_MAGIC_LEN];
    wire_read_bytes(&r, magic, sizeof magic);
    uint8_t version = wire_read_u8(&r);
    m.nonce = wire_read_u32(&r);
    m.game_port = wire_read_u16(&r);
    m.players = wire_read_u16(&r);
    m.max_players = wire_read_u16(&r);
    wire_read_str(&r, m.name, PROTO_SERVER_NAME_MAX);
    wire_read_str(&r, m.map, PROTO_MAP_NAME_MAX);
    if (!wire_reader_ok(&r) || wire_reader_remaining(&r) != 0 ||
        memcmp(magic, DISCOVERY_REPLY_MAGIC, DISCOVERY_MAGIC_LEN) != 0 || version != PROTO_VERSION ||
        m.game_port == 0 || m.max_players == 0 || m.max_players > PROTO_MAX_PLAYERS ||
        m.players > m.max_players || !text_is_clean(m.name, PROTO_SERVER_NAME_MAX) ||
        !text_is_clean(m.map, PROTO_MAP_NAME_MAX))
        return false;
    *out = m;
    return true;
}

