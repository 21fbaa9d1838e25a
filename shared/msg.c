/* msg.c - field-by-field encoders and validating decoders (see msg.h). */
#include "msg.h"

#include <string.h>

#include "text.h"
#include "wire.h"

const char *msg_result_text(int result) {
    switch (result) {
    case MSG_OK: return "ok";
    case MSG_ERR_TRUNCATED: return "truncated";
    case MSG_ERR_TRAILING: return "trailing bytes";
    case MSG_ERR_WRONG_ID: return "unexpected message id";
    case MSG_ERR_RANGE: return "value out of range";
    default: return "unknown error";
    }
}

int msg_peek_id(const uint8_t *buf, size_t len) { return (buf && len) ? buf[0] : -1; }

/* Ends a decode: maps the reader state to a result. */
static int finish(const wire_reader *r, bool range_ok) {
    if (!wire_reader_ok(r)) return MSG_ERR_TRUNCATED;
    if (!range_ok) return MSG_ERR_RANGE;
    if (wire_reader_remaining(r) != 0) return MSG_ERR_TRAILING;
    return MSG_OK;
}

static bool expect_id(wire_reader *r, msg_id id) { return wire_read_u8(r) == id; }

static size_t finish_write(const wire_writer *w) { return wire_writer_ok(w) ? w->len : 0; }

/* ---- names (C_RENAME) ----------------------------------------------------- */

static size_t encode_name(uint8_t *buf, size_t cap, msg_id id, const msg_name *m) {
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, id);
    wire_write_str(&w, m->name, PROTO_NAME_MAX);
    return finish_write(&w);
}

/* A client's name is raw input: any bytes without NUL are accepted here and
 * cleaned by the server (text_sanitize), which may still reject it. */
static int decode_name(const uint8_t *buf, size_t len, msg_id id, msg_name *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, id)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    wire_read_str(&r, out->name, PROTO_NAME_MAX);
    return finish(&r, true);
}

size_t msg_encode_rename(uint8_t *buf, size_t cap, const msg_name *m) { return encode_name(buf, cap, MSG_C_RENAME, m); }
int msg_decode_rename(const uint8_t *buf, size_t len, msg_name *out) { return decode_name(buf, len, MSG_C_RENAME, out); }

/* ---- C_HELLO ---------------------------------------------------------------- */

static bool token_is_zero(const uint8_t *t) {
    uint8_t any = 0;
    for (int i = 0; i < PROTO_TOKEN_BYTES; i++) any |= t[i];
    return any == 0;
}

/* A new session carries no token; a resume names a possible slot. */
static bool hello_valid(const msg_hello *m) {
    return m->resume_id == PROTO_NO_RESUME ? token_is_zero(m->token) : m->resume_id < PROTO_MAX_PLAYERS;
}

size_t msg_encode_hello(uint8_t *buf, size_t cap, const msg_hello *m) {
    if (!hello_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_C_HELLO);
    wire_write_str(&w, m->name, PROTO_NAME_MAX);
    wire_write_u16(&w, m->resume_id);
    wire_write_bytes(&w, m->token, PROTO_TOKEN_BYTES);
    wire_write_u32(&w, m->map_crc32);
    return finish_write(&w);
}

/* The name is raw input, cleaned by the server (as for C_RENAME). */
int msg_decode_hello(const uint8_t *buf, size_t len, msg_hello *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_C_HELLO)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    wire_read_str(&r, out->name, PROTO_NAME_MAX);
    out->resume_id = wire_read_u16(&r);
    wire_read_bytes(&r, out->token, PROTO_TOKEN_BYTES);
    out->map_crc32 = wire_read_u32(&r);
    return finish(&r, hello_valid(out));
}

/* ---- C_INPUT ------------------------------------------------------------- */

static bool input_valid(const msg_input *m) {
    if (m->count < 1 || m->count > PROTO_MAX_CMDS_PER_PACKET || m->cmds[0].tick < m->count) return false;
    for (int i = 0; i < m->count; i++) {
        if (m->cmds[i].buttons & ~BTN_ALL) return false;
        if (m->cmds[i].tick != m->cmds[0].tick - (uint32_t)i) return false;
        /* view ticks never run ahead of the newest (they lag by at most 255: clamped) */
        if (m->cmds[i].view_tick > m->cmds[0].view_tick) return false;
    }
    return true;
}

size_t msg_encode_input(uint8_t *buf, size_t cap, const msg_input *m) {
    if (!input_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_C_INPUT);
    wire_write_u32(&w, m->ack_snapshot_tick);
    wire_write_u32(&w, m->cmds[0].tick);
    wire_write_u32(&w, m->cmds[0].view_tick);
    wire_write_u8(&w, m->count);
    for (int i = 0; i < m->count; i++) {
        wire_write_u8(&w, m->cmds[i].buttons);
        wire_write_u16(&w, m->cmds[i].aim);
        uint32_t back = m->cmds[0].view_tick - m->cmds[i].view_tick;
        wire_write_u8(&w, (uint8_t)(back > 255 ? 255 : back));
    }
    return finish_write(&w);
}

int msg_decode_input(const uint8_t *buf, size_t len, msg_input *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_C_INPUT)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->ack_snapshot_tick = wire_read_u32(&r);
    uint32_t newest = wire_read_u32(&r);
    uint32_t newest_view = wire_read_u32(&r);
    out->count = wire_read_u8(&r);
    if (!wire_reader_ok(&r)) return MSG_ERR_TRUNCATED;
    if (out->count < 1 || out->count > PROTO_MAX_CMDS_PER_PACKET || newest < out->count) return MSG_ERR_RANGE;
    for (int i = 0; i < out->count; i++) {
        out->cmds[i].tick = newest - (uint32_t)i;
        out->cmds[i].buttons = wire_read_u8(&r);
        out->cmds[i].aim = wire_read_u16(&r);
        uint8_t back = wire_read_u8(&r);
        /* the newest command is the view reference; older ones lag behind it */
        if (wire_reader_ok(&r) && ((i == 0 && back != 0) || back > newest_view)) return MSG_ERR_RANGE;
        out->cmds[i].view_tick = newest_view - back;
    }
    return finish(&r, input_valid(out));
}

/* ---- S_WELCOME ------------------------------------------------------------ */

static bool welcome_valid(const msg_welcome *m) {
    return m->max_players >= 1 && m->max_players <= PROTO_MAX_PLAYERS && m->client_id < m->max_players &&
           m->tick_rate >= PROTO_MIN_TICK_RATE && m->tick_rate <= PROTO_MAX_TICK_RATE &&
           m->snapshot_rate >= 1 && m->snapshot_rate <= m->tick_rate && m->input_every >= 1 &&
           m->input_every <= PROTO_MAX_INPUT_EVERY && m->map_bytes >= 1 &&
           m->map_bytes <= PROTO_MAP_MAX_BYTES && m->resumed <= 1 && m->map_follows <= 1 &&
           text_is_clean(m->map_name, PROTO_MAP_NAME_MAX) && text_is_clean(m->server_name, PROTO_SERVER_NAME_MAX);
}

size_t msg_encode_welcome(uint8_t *buf, size_t cap, const msg_welcome *m) {
    if (!welcome_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_WELCOME);
    wire_write_u16(&w, m->client_id);
    wire_write_u16(&w, m->max_players);
    wire_write_u16(&w, m->tick_rate);
    wire_write_u16(&w, m->snapshot_rate);
    wire_write_u8(&w, m->input_every);
    wire_write_u32(&w, m->server_tick);
    wire_write_u32(&w, m->map_bytes);
    wire_write_u32(&w, m->map_crc32);
    wire_write_str(&w, m->map_name, PROTO_MAP_NAME_MAX);
    wire_write_str(&w, m->server_name, PROTO_SERVER_NAME_MAX);
    wire_write_u8(&w, m->resumed);
    wire_write_bytes(&w, m->token, PROTO_TOKEN_BYTES);
    wire_write_u8(&w, m->map_follows);
    return finish_write(&w);
}

int msg_decode_welcome(const uint8_t *buf, size_t len, msg_welcome *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_WELCOME)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->client_id = wire_read_u16(&r);
    out->max_players = wire_read_u16(&r);
    out->tick_rate = wire_read_u16(&r);
    out->snapshot_rate = wire_read_u16(&r);
    out->input_every = wire_read_u8(&r);
    out->server_tick = wire_read_u32(&r);
    out->map_bytes = wire_read_u32(&r);
    out->map_crc32 = wire_read_u32(&r);
    wire_read_str(&r, out->map_name, PROTO_MAP_NAME_MAX);
    wire_read_str(&r, out->server_name, PROTO_SERVER_NAME_MAX);
    out->resumed = wire_read_u8(&r);
    wire_read_bytes(&r, out->token, PROTO_TOKEN_BYTES);
    out->map_follows = wire_read_u8(&r);
    return finish(&r, welcome_valid(out));
}

/* ---- S_JOIN, S_RENAME ------------------------------------------------------ */

static bool player_name_valid(const msg_player_name *m) {
    return m->player_id < PROTO_MAX_PLAYERS && text_is_clean(m->name, PROTO_NAME_MAX);
}

static size_t encode_player_name(uint8_t *buf, size_t cap, msg_id id, const msg_player_name *m) {
    if (!player_name_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, id);
    wire_write_u16(&w, m->player_id);
    wire_write_str(&w, m->name, PROTO_NAME_MAX);
    return finish_write(&w);
}

static int decode_player_name(const uint8_t *buf, size_t len, msg_id id, msg_player_name *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, id)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->player_id = wire_read_u16(&r);
    wire_read_str(&r, out->name, PROTO_NAME_MAX);
    return finish(&r, player_name_valid(out));
}

size_t msg_encode_join(uint8_t *buf, size_t cap, const msg_player_name *m) {
    return encode_player_name(buf, cap, MSG_S_JOIN, m);
}
size_t msg_encode_player_rename(uint8_t *buf, size_t cap, const msg_player_name *m) {
    return encode_player_name(buf, cap, MSG_S_RENAME, m);
}
int msg_decode_join(const uint8_t *buf, size_t len, msg_player_name *out) {
    return decode_player_name(buf, len, MSG_S_JOIN, out);
}
int msg_decode_player_rename(const uint8_t *buf, size_t len, msg_player_name *out) {
    return decode_player_name(buf, len, MSG_S_RENAME, out);
}

/* ---- S_LEAVE ---------------------------------------------------------------- */

static bool leave_valid(const msg_leave *m) {
    return m->player_id < PROTO_MAX_PLAYERS && m->reason < PROTO_REASON_COUNT;
}

size_t msg_encode_leave(uint8_t *buf, size_t cap, const msg_leave *m) {
    if (!leave_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_LEAVE);
    wire_write_u16(&w, m->player_id);
    wire_write_u8(&w, m->reason);
    return finish_write(&w);
}

int msg_decode_leave(const uint8_t *buf, size_t len, msg_leave *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_LEAVE)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->player_id = wire_read_u16(&r);
    out->reason = wire_read_u8(&r);
    return finish(&r, leave_valid(out));
}

/* ---- S_MAP_CHUNK ---------------------------------------------------------------- */

static bool map_chunk_valid(const msg_map_chunk *m) {
    return m->length >= 1 && m->length <= PROTO_MAP_CHUNK_BYTES && m->offset < PROTO_MAP_MAX_BYTES &&
           m->length <= PROTO_MAP_MAX_BYTES - m->offset;
}

size_t msg_encode_map_chunk(uint8_t *buf, size_t cap, const msg_map_chunk *m) {
    if (!map_chunk_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_MAP_CHUNK);
    wire_write_u32(&w, m->offset);
    wire_write_u16(&w, m->length);
    wire_write_bytes(&w, m->bytes, m->length);
    return finish_write(&w);
}

int msg_decode_map_chunk(const uint8_t *buf, size_t len, msg_map_chunk *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_MAP_CHUNK)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->offset = wire_read_u32(&r);
    out->length = wire_read_u16(&r);
    if (!wire_reader_ok(&r)) return MSG_ERR_TRUNCATED;
    if (!map_chunk_valid(out)) return MSG_ERR_RANGE;
    if (wire_reader_remaining(&r) < out->length) return MSG_ERR_TRUNCATED;
    out->bytes = buf + r.pos;
    r.pos += out->length;
    return finish(&r, true);
}

/* ---- S_KILL, S_SCORE ---------------------------------------------------------- */

size_t msg_encode_kill(uint8_t *buf, size_t cap, const msg_kill *m) {
    if (m->killer >= PROTO_MAX_PLAYERS || m->victim >= PROTO_MAX_PLAYERS || m->weapon >= WEAPON_COUNT) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_KILL);
    wire_write_u16(&w, m->killer);
    wire_write_u16(&w, m->victim);
    wire_write_u8(&w, m->weapon);
    return finish_write(&w);
}

int msg_decode_kill(const uint8_t *buf, size_t len, msg_kill *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_KILL)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->killer = wire_read_u16(&r);
    out->victim = wire_read_u16(&r);
    out->weapon = wire_read_u8(&r);
    return finish(&r, out->killer < PROTO_MAX_PLAYERS && out->victim < PROTO_MAX_PLAYERS && out->weapon < WEAPON_COUNT);
}

size_t msg_encode_score(uint8_t *buf, size_t cap, const msg_score *m) {
    if (m->player >= PROTO_MAX_PLAYERS) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_SCORE);
    wire_write_u16(&w, m->player);
    wire_write_i16(&w, m->frags);
    wire_write_u16(&w, m->deaths);
    wire_write_u16(&w, m->ping_ms);
    return finish_write(&w);
}

int msg_decode_score(const uint8_t *buf, size_t len, msg_score *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_SCORE)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->player = wire_read_u16(&r);
    out->frags = wire_read_i16(&r);
    out->deaths = wire_read_u16(&r);
    out->ping_ms = wire_read_u16(&r);
    return finish(&r, out->player < PROTO_MAX_PLAYERS);
}

/* ---- S_ROSTER -------------------------------------------------------------------- */

static bool roster_valid(const msg_roster *m) {
    if (m->count < 1 || m->count > PROTO_ROSTER_MAX) return false;
    for (int i = 0; i < m->count; i++)
        if (m->e[i].player_id >= PROTO_MAX_PLAYERS || !text_is_clean(m->e[i].name, PROTO_NAME_MAX)) return false;
    return true;
}

size_t msg_encode_roster(uint8_t *buf, size_t cap, const msg_roster *m) {
    if (!roster_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_ROSTER);
    wire_write_u8(&w, m->count);
    for (int i = 0; i < m->count; i++) {
        wire_write_u16(&w, m->e[i].player_id);
        wire_write_str(&w, m->e[i].name, PROTO_NAME_MAX);
        wire_write_i16(&w, m->e[i].frags);
        wire_write_u16(&w, m->e[i].deaths);
        wire_write_u16(&w, m->e[i].ping_ms);
    }
    return finish_write(&w);
}

int msg_decode_roster(const uint8_t *buf, size_t len, msg_roster *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_ROSTER)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->count = wire_read_u8(&r);
    if (!wire_reader_ok(&r)) return MSG_ERR_TRUNCATED;
    if (out->count < 1 || out->count > PROTO_ROSTER_MAX) return MSG_ERR_RANGE;
    for (int i = 0; i < out->count; i++) {
        out->e[i].player_id = wire_read_u16(&r);
        wire_read_str(&r, out->e[i].name, PROTO_NAME_MAX);
        out->e[i].frags = wire_read_i16(&r);
        out->e[i].deaths = wire_read_u16(&r);
        out->e[i].ping_ms = wire_read_u16(&r);
    }
    return finish(&r, wire_reader_ok(&r) && roster_valid(out));
}

/* ---- S_MATCH --------------------------------------------------------------------- */

static bool match_valid(const msg_match *m) {
    return m->phase < MATCH_PHASE_COUNT && text_is_clean(m->next_map, PROTO_MAP_NAME_MAX);
}

size_t msg_encode_match(uint8_t *buf, size_t cap, const msg_match *m) {
    if (!match_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_MATCH);
    wire_write_u8(&w, m->phase);
    wire_write_u32(&w, m->phase_end_tick);
    wire_write_u16(&w, m->frag_limit);
    wire_write_u16(&w, m->time_limit_s);
    wire_write_str(&w, m->next_map, PROTO_MAP_NAME_MAX);
    return finish_write(&w);
}

int msg_decode_match(const uint8_t *buf, size_t len, msg_match *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_MATCH)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->phase = wire_read_u8(&r);
    out->phase_end_tick = wire_read_u32(&r);
    out->frag_limit = wire_read_u16(&r);
    out->time_limit_s = wire_read_u16(&r);
    wire_read_str(&r, out->next_map, PROTO_MAP_NAME_MAX);
    return finish(&r, match_valid(out));
}

/* ---- C_CHAT, S_CHAT -------------------------------------------------------------- */

size_t msg_encode_client_chat(uint8_t *buf, size_t cap, const msg_chat *m) {
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_C_CHAT);
    wire_write_str(&w, m->text, PROTO_CHAT_MAX);
    return finish_write(&w);
}

int msg_decode_client_chat(const uint8_t *buf, size_t len, msg_chat *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_C_CHAT)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->from = 0;
    wire_read_str(&r, out->text, PROTO_CHAT_MAX);
    return finish(&r, true);
}

static bool server_chat_valid(const msg_chat *m) {
    return (m->from < PROTO_MAX_PLAYERS || m->from == PROTO_CHAT_FROM_SERVER) && text_is_clean(m->text, PROTO_CHAT_MAX);
}

size_t msg_encode_server_chat(uint8_t *buf, size_t cap, const msg_chat *m) {
    if (!server_chat_valid(m)) return 0;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_CHAT);
    wire_write_u16(&w, m->from);
    wire_write_str(&w, m->text, PROTO_CHAT_MAX);
    return finish_write(&w);
}

int msg_decode_server_chat(const uint8_t *buf, size_t len, msg_chat *out) {
    wire_reader r;
    wire_reader_init(&r, buf, len);
    if (!expect_id(&r, MSG_S_CHAT)) return wire_reader_ok(&r) ? MSG_ERR_WRONG_ID : MSG_ERR_TRUNCATED;
    out->from = wire_read_u16(&r);
    wire_read_str(&r, out->text, PROTO_CHAT_MAX);
    return finish(&r, server_chat_valid(out));
}

uint32_t msg_crc32(const void *data, size_t len) {
    const uint8_t *p = data;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
