/* test_msg.c - shared/msg.c: encoders and validating decoders of every message
 * except S_SNAPSHOT (bit-packed, see test_snapshot.c).
 *
 * Covers, for each of hello, rename, input, welcome, map_chunk, join,
 * player_rename, leave, client_chat, server_chat, kill and score:
 * encode->decode round trip, every truncated prefix refused, one trailing
 * byte refused, a wrong id refused, too-small encode buffers refused. Then
 * the per-message range rules (decoder and encoder): C_INPUT's layout
 * against literal bytes (u32 ack, u32 newest_tick, u32 newest_view_tick, u8
 * count, count x {u8 buttons, u16 aim, u8 view_back}, commands for
 * consecutive ticks newest, newest-1, ..., view tick = newest_view_tick -
 * view_back), count 0 and 9, newest_tick below count (a command for tick
 * 0), unknown button bits, non-consecutive ticks refused by the encoder;
 * view ticks: varied ones round trip, a lag over 255 clamped to 255 (decoded
 * as newest_view - 255), a view tick ahead of the newest refused by the
 * encoder, a view_back the decoder cannot honour refused; S_KILL (u8 id |
 * u16 killer | u16 victim | u8 weapon < WEAPON_COUNT) and S_SCORE (u8 id |
 * u16 player | i16 frags | u16 deaths | u16 ping_ms) against literal bytes
 * and their ranges; a seeded garbage/mutation run that must never crash and whose
 * accepted inputs must re-encode to the very same bytes. Also msg_crc32
 * against known vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "protocol.h"
#include "sim.h"
#include "wire.h"

/* ---- one table row per message ------------------------------------------ */

typedef union {
    msg_name name;
    msg_hello hello;
    msg_input input;
    msg_welcome welcome;
    msg_map_chunk map_chunk;
    msg_player_name player_name;
    msg_leave leave;
    msg_chat chat;
    msg_kill kill;
    msg_score score;
    msg_roster roster;
} any_msg;

typedef struct {
    const char *label;
    uint8_t id;
    size_t (*encode)(uint8_t *buf, size_t cap, const any_msg *m);
    int (*decode)(const uint8_t *buf, size_t len, any_msg *out);
    void (*sample)(any_msg *m);
    bool (*equal)(const any_msg *a, const any_msg *b);
} msg_kind;

static size_t enc_hello(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_hello(b, c, &m->hello); }
static size_t enc_rename(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_rename(b, c, &m->name); }
static size_t enc_input(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_input(b, c, &m->input); }
static size_t enc_welcome(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_welcome(b, c, &m->welcome); }
static size_t enc_chunk(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_map_chunk(b, c, &m->map_chunk); }
static size_t enc_join(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_join(b, c, &m->player_name); }
static size_t enc_prename(uint8_t *b, size_t c, const any_msg *m) {
    return msg_encode_player_rename(b, c, &m->player_name);
}
static size_t enc_leave(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_leave(b, c, &m->leave); }

static int dec_hello(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_hello(b, n, &o->hello); }
static int dec_rename(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_rename(b, n, &o->name); }
static int dec_input(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_input(b, n, &o->input); }
static int dec_welcome(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_welcome(b, n, &o->welcome); }
static int dec_chunk(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_map_chunk(b, n, &o->map_chunk); }
static int dec_join(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_join(b, n, &o->player_name); }
static int dec_prename(const uint8_t *b, size_t n, any_msg *o) {
    return msg_decode_player_rename(b, n, &o->player_name);
}
static int dec_leave(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_leave(b, n, &o->leave); }
static size_t enc_cchat(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_client_chat(b, c, &m->chat); }
static size_t enc_schat(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_server_chat(b, c, &m->chat); }
static int dec_cchat(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_client_chat(b, n, &o->chat); }
static int dec_schat(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_server_chat(b, n, &o->chat); }
static size_t enc_kill(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_kill(b, c, &m->kill); }
static size_t enc_score(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_score(b, c, &m->score); }
static int dec_kill(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_kill(b, n, &o->kill); }
static int dec_score(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_score(b, n, &o->score); }
static size_t enc_roster(uint8_t *b, size_t c, const any_msg *m) { return msg_encode_roster(b, c, &m->roster); }
static int dec_roster(const uint8_t *b, size_t n, any_msg *o) { return msg_decode_roster(b, n, &o->roster); }

static void sample_hello(any_msg *m) {
    strcpy(m->hello.name, "Zo\xc3\xab"); /* "Zo\u00eb" */
    m->hello.resume_id = 7;
    for (int k = 0; k < PROTO_TOKEN_BYTES; k++) m->hello.token[k] = (uint8_t)(0xa0 + k);
    m->hello.map_crc32 = 0xcbf43926u;
}
static void sample_rename(any_msg *m) { strcpy(m->name.name, "SixteenByteName!"); /* exactly PROTO_NAME_MAX */ }

/* How far each sample command's view tick lags the newest one's: equal,
 * older, the most the wire holds (255), and not in any order. */
static const uint32_t SAMPLE_VIEW_BACK[PROTO_MAX_CMDS_PER_PACKET] = {0, 0, 1, 3, 255, 17, 254, 100};
#define SAMPLE_NEWEST_VIEW 0x00fedcbau

static void sample_input(any_msg *m) {
    m->input.ack_snapshot_tick = 0x89abcdefu;
    m->input.count = PROTO_MAX_CMDS_PER_PACKET;
    for (int i = 0; i < m->input.count; i++) {
        m->input.cmds[i].tick = 100000u - (uint32_t)i; /* consecutive, newest first */
        m->input.cmds[i].buttons = (uint8_t)((i * 7) & BTN_ALL);
        m->input.cmds[i].aim = (uint16_t)(i * 9000 + 535);
        m->input.cmds[i].view_tick = SAMPLE_NEWEST_VIEW - SAMPLE_VIEW_BACK[i];
    }
    m->input.cmds[0].buttons = BTN_ALL;
    m->input.cmds[1].aim = 65535;
}

static void sample_welcome(any_msg *m) {
    m->welcome.client_id = 15;
    m->welcome.max_players = 16;
    m->welcome.tick_rate = 60;
    m->welcome.snapshot_rate = 20;
    m->welcome.input_every = 3;
    m->welcome.server_tick = 0xfffffff0u;
    m->welcome.map_bytes = 1234;
    m->welcome.map_crc32 = 0xcbf43926u;
    strcpy(m->welcome.map_name, "Courtyard");
    m->welcome.resumed = 1;
    m->welcome.map_follows = 1;
    for (int i = 0; i < PROTO_TOKEN_BYTES; i++) m->welcome.token[i] = (uint8_t)(0x10 + i);
    strcpy(m->welcome.server_name, "LAN Arena \xe6\x97\xa5\xe6\x9c\xac"); /* "日本" */
}

/* Chunk payload: bytes of every value, including NUL and 0xff. */
static uint8_t chunk_payload[PROTO_MAP_CHUNK_BYTES];

static void sample_chunk(any_msg *m) {
    for (size_t i = 0; i < sizeof chunk_payload; i++) chunk_payload[i] = (uint8_t)(i * 7 + 3);
    m->map_chunk.offset = 3 * PROTO_MAP_CHUNK_BYTES;
    m->map_chunk.length = 300;
    m->map_chunk.bytes = chunk_payload;
}

static void sample_join(any_msg *m) {
    m->player_name.player_id = PROTO_MAX_PLAYERS - 1;
    strcpy(m->player_name.name, "Zo\xc3\xab K");
}

static void sample_prename(any_msg *m) {
    m->player_name.player_id = 0;
    strcpy(m->player_name.name, "x");
}

static void sample_leave(any_msg *m) {
    m->leave.player_id = 513;
    m->leave.reason = PROTO_REASON_COUNT - 1;
}

static bool eq_name(const any_msg *a, const any_msg *b) { return strcmp(a->name.name, b->name.name) == 0; }

static bool eq_input(const any_msg *a, const any_msg *b) {
    if (a->input.ack_snapshot_tick != b->input.ack_snapshot_tick || a->input.count != b->input.count) return false;
    for (int i = 0; i < a->input.count; i++) {
        const input_cmd *x = &a->input.cmds[i], *y = &b->input.cmds[i];
        if (x->tick != y->tick || x->buttons != y->buttons || x->aim != y->aim || x->view_tick != y->view_tick)
            return false;
    }
    return true;
}

static bool eq_welcome(const any_msg *a, const any_msg *b) {
    const msg_welcome *x = &a->welcome, *y = &b->welcome;
    return x->client_id == y->client_id && x->max_players == y->max_players && x->tick_rate == y->tick_rate &&
           x->snapshot_rate == y->snapshot_rate && x->input_every == y->input_every &&
           x->server_tick == y->server_tick &&
           x->map_bytes == y->map_bytes && x->map_crc32 == y->map_crc32 &&
           strcmp(x->map_name, y->map_name) == 0 && strcmp(x->server_name, y->server_name) == 0 &&
           x->resumed == y->resumed && memcmp(x->token, y->token, PROTO_TOKEN_BYTES) == 0 &&
           x->map_follows == y->map_follows;
}

static bool eq_hello(const any_msg *a, const any_msg *b) {
    return strcmp(a->hello.name, b->hello.name) == 0 && a->hello.resume_id == b->hello.resume_id &&
           memcmp(a->hello.token, b->hello.token, PROTO_TOKEN_BYTES) == 0 && a->hello.map_crc32 == b->hello.map_crc32;
}

static bool eq_chunk(const any_msg *a, const any_msg *b) {
    return a->map_chunk.offset == b->map_chunk.offset && a->map_chunk.length == b->map_chunk.length &&
           memcmp(a->map_chunk.bytes, b->map_chunk.bytes, a->map_chunk.length) == 0;
}

static bool eq_player_name(const any_msg *a, const any_msg *b) {
    return a->player_name.player_id == b->player_name.player_id &&
           strcmp(a->player_name.name, b->player_name.name) == 0;
}

/* A client's raw line may hold anything but NUL: the server cleans it. */
static void sample_cchat(any_msg *m) {
    m->chat.from = 0;
    strcpy(m->chat.text, "gg \x01 wp \xe2\x9c\x93");
}
static void sample_schat(any_msg *m) {
    m->chat.from = PROTO_CHAT_FROM_SERVER;
    strcpy(m->chat.text, "server restarting in 5 min");
}
static bool eq_chat(const any_msg *a, const any_msg *b) {
    return a->chat.from == b->chat.from && strcmp(a->chat.text, b->chat.text) == 0;
}
static bool eq_leave(const any_msg *a, const any_msg *b) {
    return a->leave.player_id == b->leave.player_id && a->leave.reason == b->leave.reason;
}

static void sample_kill(any_msg *m) {
    m->kill.killer = PROTO_MAX_PLAYERS - 1;
    m->kill.victim = 258;
    m->kill.weapon = 0;
}
static bool eq_kill(const any_msg *a, const any_msg *b) {
    return a->kill.killer == b->kill.killer && a->kill.victim == b->kill.victim && a->kill.weapon == b->kill.weapon;
}

static void sample_score(any_msg *m) {
    m->score.player = 513;
    m->score.frags = -3;
    m->score.deaths = 65535;
    m->score.ping_ms = 0x1234;
}
static bool eq_score(const any_msg *a, const any_msg *b) {
    return a->score.player == b->score.player && a->score.frags == b->score.frags &&
           a->score.deaths == b->score.deaths && a->score.ping_ms == b->score.ping_ms;
}

/* A full roster: every entry at a limit somewhere. */
static void sample_roster(any_msg *m) {
    m->roster.count = PROTO_ROSTER_MAX;
    for (int i = 0; i < PROTO_ROSTER_MAX; i++) {
        m->roster.e[i].player_id = (uint16_t)(i == 0 ? PROTO_MAX_PLAYERS - 1 : i * 7);
        if (i == 1) snprintf(m->roster.e[i].name, sizeof m->roster.e[i].name, "sixteen-bytes-ok");
        else snprintf(m->roster.e[i].name, sizeof m->roster.e[i].name, "p%d-\xc3\xa9", i);
        m->roster.e[i].frags = (int16_t)(i % 2 ? -i : 32767 - i);
        m->roster.e[i].deaths = (uint16_t)(65535 - i);
        m->roster.e[i].ping_ms = (uint16_t)(i * 31);
    }
}
static bool eq_roster(const any_msg *a, const any_msg *b) {
    if (a->roster.count != b->roster.count) return false;
    for (int i = 0; i < a->roster.count; i++)
        if (a->roster.e[i].player_id != b->roster.e[i].player_id || strcmp(a->roster.e[i].name, b->roster.e[i].name) ||
            a->roster.e[i].frags != b->roster.e[i].frags || a->roster.e[i].deaths != b->roster.e[i].deaths ||
            a->roster.e[i].ping_ms != b->roster.e[i].ping_ms)
            return false;
    return true;
}

static const msg_kind KINDS[] = {
    {"hello", MSG_C_HELLO, enc_hello, dec_hello, sample_hello, eq_hello},
    {"rename", MSG_C_RENAME, enc_rename, dec_rename, sample_rename, eq_name},
    {"input", MSG_C_INPUT, enc_input, dec_input, sample_input, eq_input},
    {"welcome", MSG_S_WELCOME, enc_welcome, dec_welcome, sample_welcome, eq_welcome},
    {"map_chunk", MSG_S_MAP_CHUNK, enc_chunk, dec_chunk, sample_chunk, eq_chunk},
    {"join", MSG_S_JOIN, enc_join, dec_join, sample_join, eq_player_name},
    {"player_rename", MSG_S_RENAME, enc_prename, dec_prename, sample_prename, eq_player_name},
    {"leave", MSG_S_LEAVE, enc_leave, dec_leave, sample_leave, eq_leave},
    {"client_chat", MSG_C_CHAT, enc_cchat, dec_cchat, sample_cchat, eq_chat},
    {"server_chat", MSG_S_CHAT, enc_schat, dec_schat, sample_schat, eq_chat},
    {"kill", MSG_S_KILL, enc_kill, dec_kill, sample_kill, eq_kill},
    {"score", MSG_S_SCORE, enc_score, dec_score, sample_score, eq_score},
    {"roster", MSG_S_ROSTER, enc_roster, dec_roster, sample_roster, eq_roster},
};
#define KIND_COUNT (sizeof KINDS / sizeof KINDS[0])

/* Encodes k's sample into buf; fails the test if it does not encode. */
static size_t encode_sample(const msg_kind *k, any_msg *m, uint8_t *buf, size_t cap) {
    memset(m, 0, sizeof *m);
    k->sample(m);
    size_t n = k->encode(buf, cap, m);
    if (n == 0) fail_msg("%s: sample did not encode", k->label);
    return n;
}

/* ---- generic properties, every message ---------------------------------- */

static void test_round_trip_every_message(void **state) {
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const msg_kind *k = &KINDS[i];
        any_msg in, out;
        uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t n = encode_sample(k, &in, buf, sizeof buf);
        assert_int_equal(buf[0], k->id);
        assert_int_equal(msg_peek_id(buf, n), k->id);
        memset(&out, 0x5a, sizeof out);
        int rc = k->decode(buf, n, &out);
        if (rc != MSG_OK) fail_msg("%s: decode gave %s", k->label, msg_result_text(rc));
        if (!k->equal(&in, &out)) fail_msg("%s: round trip changed the message", k->label);
        /* re-encoding the decoded struct gives the same bytes */
        uint8_t again[PROTO_MAX_PACKET_BYTES];
        assert_int_equal(k->encode(again, sizeof again, &out), n);
        assert_memory_equal(again, buf, n);
    }
}

/* proto_input_due: every tick with 1 (or a bad 0); with N, one tick in N
 * for each client, and the clients' ticks spread evenly over the N. */
static void test_input_due_spreads_clients(void **state) {
    (void)state;
    for (uint32_t t = 1; t < 50; t++) {
        assert_true(proto_input_due(t, 7, 1));
        assert_true(proto_input_due(t, 7, 0));
    }
    for (int every = 2; every <= PROTO_MAX_INPUT_EVERY; every++) {
        int per_tick[PROTO_MAX_INPUT_EVERY] = {0};
        for (uint16_t id = 0; id < 420; id++) { /* 420: a multiple of 2, 3 and 4 */
            int sends = 0;
            for (uint32_t t = 1000; t < 1000 + (uint32_t)every * 10; t++) {
                if (!proto_input_due(t, id, every)) continue;
                sends++;
                per_tick[t % (uint32_t)every]++;
            }
            assert_int_equal(sends, 10);
        }
        for (int k = 0; k < every; k++) assert_int_equal(per_tick[k], 420 * 10 / every);
    }
}

static void test_expected_sizes(void **state) {
    (void)state;
    /* Sizes follow the layouts drawn in protocol.h. */
    const size_t expect[] = {
        1 + 1 + 4 + 2 + 16 + 4,                  /* hello "Zoë" (ë is 2 bytes), resume, map CRC */
        1 + 1 + PROTO_NAME_MAX,                  /* rename, 16-byte name        */
        1 + 4 + 4 + 4 + 1 + PROTO_MAX_CMDS_PER_PACKET * 4, /* input, 8 commands */
        1 + 2 + 2 + 2 + 2 + 1 + 4 + 4 + 4 + (1 + 9) + (1 + 16) + 1 + 16 + 1, /* welcome */
        1 + 4 + 2 + 300,                         /* map_chunk, 300 bytes        */
        1 + 2 + 1 + 6,                           /* join "Zoë K"                */
        1 + 2 + 1 + 1,                           /* player_rename "x"           */
        1 + 2 + 1,                               /* leave                       */
        1 + 1 + 11,                              /* client_chat, 11 bytes       */
        1 + 2 + 1 + 26,                          /* server_chat, 26 bytes       */
        1 + 2 + 2 + 1,                           /* kill                        */
        1 + 2 + 2 + 2 + 2,                       /* score                       */
        1 + 1 + 32 * (2 + 1 + 2 + 2 + 2) + 9 * 5 + 16 + 22 * 6, /* roster of 32: names "p0-é".."p31-é", one of 16 */
    };
    assert_int_equal(sizeof expect / sizeof expect[0], KIND_COUNT);
    for (size_t i = 0; i < KIND_COUNT; i++) {
        any_msg m;
        uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t n = encode_sample(&KINDS[i], &m, buf, sizeof buf);
        if (n != expect[i]) fail_msg("%s: %zu bytes, expected %zu", KINDS[i].label, n, expect[i]);
    }
}

static void test_every_truncated_prefix_refused(void **state) {
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const msg_kind *k = &KINDS[i];
        any_msg m, out;
        uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t n = encode_sample(k, &m, buf, sizeof buf);
        for (size_t len = 0; len < n; len++) {
            int rc = k->decode(buf, len, &out);
            if (rc != MSG_ERR_TRUNCATED)
                fail_msg("%s: prefix of %zu/%zu bytes gave %d (%s)", k->label, len, n, rc, msg_result_text(rc));
        }
        /* NULL buffer is an empty packet */
        assert_int_equal(k->decode(NULL, 0, &out), MSG_ERR_TRUNCATED);
    }
}

static void test_trailing_byte_refused(void **state) {
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const msg_kind *k = &KINDS[i];
        any_msg m, out;
        uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t n = encode_sample(k, &m, buf, sizeof buf - 2);
        buf[n] = 0;
        int rc = k->decode(buf, n + 1, &out);
        if (rc != MSG_ERR_TRAILING) fail_msg("%s: trailing 0x00 gave %d", k->label, rc);
        buf[n] = 0xff;
        buf[n + 1] = 0xff;
        rc = k->decode(buf, n + 2, &out);
        if (rc != MSG_ERR_TRAILING) fail_msg("%s: two trailing 0xff gave %d", k->label, rc);
    }
}

static void test_wrong_id_refused(void **state) {
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const msg_kind *k = &KINDS[i];
        any_msg m, out;
        uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t n = encode_sample(k, &m, buf, sizeof buf);
        for (int id = 0; id < 256; id++) {
            if (id == k->id) continue;
            buf[0] = (uint8_t)id;
            int rc = k->decode(buf, n, &out);
            if (rc != MSG_ERR_WRONG_ID) fail_msg("%s: first byte %d gave %d", k->label, id, rc);
        }
        /* a lone wrong id byte is still a wrong id, not truncation */
        buf[0] = (uint8_t)(k->id ^ 0x80);
        assert_int_equal(k->decode(buf, 1, &out), MSG_ERR_WRONG_ID);
    }
}

static void test_encode_refuses_small_buffers(void **state) {
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const msg_kind *k = &KINDS[i];
        any_msg m;
        uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t n = encode_sample(k, &m, buf, sizeof buf);
        for (size_t cap = 0; cap < n; cap++) {
            uint8_t small[PROTO_MAX_PACKET_BYTES];
            memset(small, 0xee, sizeof small);
            size_t got = k->encode(small, cap, &m);
            if (got != 0) fail_msg("%s: cap %zu/%zu encoded %zu bytes", k->label, cap, n, got);
            for (size_t j = cap; j < sizeof small; j++)
                if (small[j] != 0xee) fail_msg("%s: cap %zu: wrote byte %zu past cap", k->label, cap, j);
        }
        assert_int_equal(k->encode(buf, n, &m), n); /* exact fit works */
    }
}

static void test_peek_id_and_result_text(void **state) {
    (void)state;
    const uint8_t b[] = {MSG_S_SNAPSHOT, 1};
    assert_int_equal(msg_peek_id(b, 2), MSG_S_SNAPSHOT);
    assert_int_equal(msg_peek_id(b, 0), -1);
    assert_int_equal(msg_peek_id(NULL, 5), -1);
    assert_string_equal(msg_result_text(MSG_OK), "ok");
    assert_string_equal(msg_result_text(MSG_ERR_TRUNCATED), "truncated");
    assert_string_equal(msg_result_text(MSG_ERR_TRAILING), "trailing bytes");
    assert_string_equal(msg_result_text(MSG_ERR_WRONG_ID), "unexpected message id");
    assert_string_equal(msg_result_text(MSG_ERR_RANGE), "value out of range");
    assert_string_equal(msg_result_text(42), "unknown error");
}

/* ---- names ---------------------------------------------------------------- */

static void test_name_messages(void **state) {
    (void)state;
    uint8_t buf[64];
    msg_name m, out;
    msg_hello h = {.resume_id = PROTO_NO_RESUME}, hout;
    /* Client names are raw: the decoder accepts control bytes (server sanitizes). */
    strcpy(h.name, "a\x01\x7f b");
    size_t n = msg_encode_hello(buf, sizeof buf, &h);
    assert_int_equal(n, 2 + 5 + 2 + PROTO_TOKEN_BYTES + 4);
    assert_int_equal(msg_decode_hello(buf, n, &hout), MSG_OK);
    assert_string_equal(hout.name, h.name);
    assert_int_equal(hout.resume_id, PROTO_NO_RESUME);
    /* Empty name travels too. */
    m.name[0] = '\0';
    n = msg_encode_rename(buf, sizeof buf, &m);
    assert_int_equal(n, 2);
    assert_int_equal(msg_decode_rename(buf, n, &out), MSG_OK);
    assert_string_equal(out.name, "");
    /* Too long (17 bytes) on the wire is refused as out of range of the reader. */
    const uint8_t long_name[] = {MSG_C_HELLO, 17, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
                                 'a',         'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'};
    assert_int_not_equal(msg_decode_hello(long_name, sizeof long_name, &hout), MSG_OK);
    /* NUL inside the name is refused. */
    const uint8_t nul_name[] = {MSG_C_RENAME, 3, 'a', 0, 'b'};
    assert_int_not_equal(msg_decode_rename(nul_name, sizeof nul_name, &out), MSG_OK);
    /* hello and rename are not interchangeable */
    strcpy(h.name, "bob");
    n = msg_encode_hello(buf, sizeof buf, &h);
    assert_int_equal(msg_decode_rename(buf, n, &out), MSG_ERR_WRONG_ID);
    strcpy(m.name, "bob");
    n = msg_encode_rename(buf, sizeof buf, &m);
    assert_int_equal(msg_decode_hello(buf, n, &hout), MSG_ERR_WRONG_ID);
}

/* A hello either starts a new session (no slot, no token) or names the
 * slot it wants back; anything in between is refused both ways. */
static void test_hello_resume_fields(void **state) {
    (void)state;
    uint8_t buf[64];
    msg_hello h = {.name = "ann", .resume_id = PROTO_NO_RESUME}, out;
    h.token[3] = 1; /* a token without a slot */
    assert_int_equal(msg_encode_hello(buf, sizeof buf, &h), 0);
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_write_u8(&w, MSG_C_HELLO);
    wire_write_str(&w, "ann", PROTO_NAME_MAX);
    wire_write_u16(&w, PROTO_NO_RESUME);
    wire_write_bytes(&w, h.token, PROTO_TOKEN_BYTES);
    wire_write_u32(&w, 0);
    assert_int_equal(msg_decode_hello(buf, w.len, &out), MSG_ERR_RANGE);
    /* a slot beyond any server's range */
    h.resume_id = PROTO_MAX_PLAYERS;
    assert_int_equal(msg_encode_hello(buf, sizeof buf, &h), 0);
    buf[1 + 1 + 3] = (uint8_t)(PROTO_MAX_PLAYERS & 0xff);
    buf[1 + 1 + 3 + 1] = (uint8_t)(PROTO_MAX_PLAYERS >> 8);
    assert_int_equal(msg_decode_hello(buf, w.len, &out), MSG_ERR_RANGE);
    /* the last slot with a token is fine */
    h.resume_id = PROTO_MAX_PLAYERS - 1;
    size_t n = msg_encode_hello(buf, sizeof buf, &h);
    assert_int_equal(n, w.len);
    assert_int_equal(msg_decode_hello(buf, n, &out), MSG_OK);
    assert_int_equal(out.resume_id, PROTO_MAX_PLAYERS - 1);
    assert_memory_equal(out.token, h.token, PROTO_TOKEN_BYTES);
}

static void test_name_encoder_refuses_long_name(void **state) {
    (void)state;
    /* A well-formed msg_name cannot hold 17 bytes plus NUL; an unterminated
     * one can still reach the encoder. Back it with spare storage so the
     * over-long string is readable, and check the encoder refuses it. */
    union {
        msg_name m;
        char raw[64];
    } big;
    memset(big.raw, 'a', sizeof big.raw);
    big.raw[PROTO_NAME_MAX + 1] = '\0'; /* 17 bytes */
    uint8_t buf[64];
    assert_int_equal(msg_encode_rename(buf, sizeof buf, &big.m), 0);
    big.raw[PROTO_NAME_MAX] = '\0'; /* 16 bytes */
    assert_int_equal(msg_encode_rename(buf, sizeof buf, &big.m), 2 + PROTO_NAME_MAX);
}

/* ---- C_INPUT ---------------------------------------------------------------- */

/* Writes an input message by hand (no validation): ack 77, newest_tick,
 * newest_view_tick, count, then ncmds commands {buttons[i], aim 1000 + i,
 * view_back[i]}. */
static size_t build_input_view(uint8_t *buf, size_t cap, uint32_t newest, uint32_t newest_view, uint8_t count,
                               const uint8_t *buttons, const uint8_t *view_back, int ncmds) {
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_C_INPUT);
    wire_write_u32(&w, 77);
    wire_write_u32(&w, newest);
    wire_write_u32(&w, newest_view);
    wire_write_u8(&w, count);
    for (int i = 0; i < ncmds; i++) {
        wire_write_u8(&w, buttons[i]);
        wire_write_u16(&w, (uint16_t)(1000 + i));
        wire_write_u8(&w, view_back[i]);
    }
    assert_true(wire_writer_ok(&w));
    return w.len;
}

/* The same with newest_view_tick 9000 and view_back i (view ticks 9000,
 * 8999, ...). */
#define BUILD_VIEW 9000u
static size_t build_input(uint8_t *buf, size_t cap, uint32_t newest, uint8_t count, const uint8_t *buttons,
                          int ncmds) {
    uint8_t back[16];
    for (int i = 0; i < 16; i++) back[i] = (uint8_t)i;
    assert_true(ncmds <= 16);
    return build_input_view(buf, cap, newest, BUILD_VIEW, count, buttons, back, ncmds);
}

static void test_input_layout(void **state) {
    (void)state;
    msg_input m;
    memset(&m, 0, sizeof m);
    m.ack_snapshot_tick = 0x01020304u;
    m.count = 3;
    m.cmds[0] = (input_cmd){0x0a0b0c0du, BTN_UP | BTN_FIRE, 0xabcd, 0x10203040u};
    m.cmds[1] = (input_cmd){0x0a0b0c0cu, 0, 0, 0x1020303fu};
    m.cmds[2] = (input_cmd){0x0a0b0c0bu, BTN_RIGHT | BTN_FIRE2, 0xffff, 0x10203040u - 255u};
    uint8_t buf[64];
    memset(buf, 0xee, sizeof buf);
    size_t n = msg_encode_input(buf, sizeof buf, &m);
    const uint8_t expect[] = {
        MSG_C_INPUT,
        0x04, 0x03, 0x02, 0x01, /* ack_snapshot_tick                  */
        0x0d, 0x0c, 0x0b, 0x0a, /* newest_tick (cmds[0].tick)         */
        0x40, 0x30, 0x20, 0x10, /* newest_view_tick (cmds[0].view_tick) */
        0x03,                   /* count                              */
        0x11, 0xcd, 0xab, 0x00, /* newest: up+fire, aim 0xabcd, back 0 */
        0x00, 0x00, 0x00, 0x01, /* newest-1: nothing, aim 0, back 1   */
        0x28, 0xff, 0xff, 0xff, /* newest-2: right+fire2, 65535, 255  */
    };
    assert_int_equal(n, sizeof expect);
    assert_int_equal(n, 1 + 4 + 4 + 4 + 1 + 3 * 4);
    assert_int_equal(BTN_UP | BTN_FIRE, 0x11);
    assert_int_equal(BTN_RIGHT | BTN_FIRE2, 0x28);
    assert_memory_equal(buf, expect, sizeof expect);
    assert_int_equal(buf[n], 0xee);

    /* the literal bytes decode to exactly these commands, ticks derived */
    msg_input out;
    memset(&out, 0x5a, sizeof out);
    assert_int_equal(msg_decode_input(expect, sizeof expect, &out), MSG_OK);
    assert_int_equal(out.ack_snapshot_tick, 0x01020304u);
    assert_int_equal(out.count, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(out.cmds[i].tick, m.cmds[i].tick);
        assert_int_equal(out.cmds[i].buttons, m.cmds[i].buttons);
        assert_int_equal(out.cmds[i].aim, m.cmds[i].aim);
        assert_int_equal(out.cmds[i].view_tick, m.cmds[i].view_tick);
    }
}

static void test_input_range(void **state) {
    (void)state;
    uint8_t buf[256];
    msg_input out;
    uint8_t buttons[10];
    for (int i = 0; i < 10; i++) buttons[i] = BTN_UP;

    /* the baseline is accepted; ticks count down from newest_tick */
    size_t n = build_input(buf, sizeof buf, 500, 3, buttons, 3);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.ack_snapshot_tick, 77);
    assert_int_equal(out.count, 3);
    assert_int_equal(out.cmds[0].tick, 500);
    assert_int_equal(out.cmds[1].tick, 499);
    assert_int_equal(out.cmds[2].tick, 498);
    assert_int_equal(out.cmds[2].aim, 1002);
    assert_int_equal(out.cmds[0].view_tick, BUILD_VIEW);
    assert_int_equal(out.cmds[1].view_tick, BUILD_VIEW - 1);
    assert_int_equal(out.cmds[2].view_tick, BUILD_VIEW - 2);
    n = build_input(buf, sizeof buf, 500, 1, buttons, 1);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.count, 1);
    n = build_input(buf, sizeof buf, UINT32_MAX, PROTO_MAX_CMDS_PER_PACKET, buttons, PROTO_MAX_CMDS_PER_PACKET);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.count, PROTO_MAX_CMDS_PER_PACKET);
    assert_int_equal(out.cmds[7].tick, UINT32_MAX - 7u);

    /* count 0 and 9, even with the bytes present; 255 */
    n = build_input(buf, sizeof buf, 500, 0, buttons, 0);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
    n = build_input(buf, sizeof buf, 500, 0, buttons, 1);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
    n = build_input(buf, sizeof buf, 500, 9, buttons, 9);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
    n = build_input(buf, sizeof buf, 500, 255, buttons, 1);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);

    /* newest_tick below count would put a command at tick 0 or wrap:
     * refused; exactly count (ticks count..1) is fine */
    n = build_input(buf, sizeof buf, 2, 3, buttons, 3);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
    n = build_input(buf, sizeof buf, 0, 1, buttons, 1);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
    n = build_input(buf, sizeof buf, 7, 8, buttons, 8);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
    n = build_input(buf, sizeof buf, 3, 3, buttons, 3);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.cmds[2].tick, 1);
    n = build_input(buf, sizeof buf, 1, 1, buttons, 1);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.cmds[0].tick, 1);

    /* unknown button bits (outside BTN_ALL), each one alone, in the newest
     * and oldest command */
    int unknown_bits = 0;
    for (int bit = 0; bit < 8; bit++) {
        if (BTN_ALL & (1u << bit)) continue;
        unknown_bits++;
        buttons[0] = (uint8_t)(1u << bit);
        n = build_input(buf, sizeof buf, 500, 3, buttons, 3);
        assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
        buttons[0] = BTN_UP;
        buttons[2] = (uint8_t)(BTN_FIRE | (1u << bit));
        n = build_input(buf, sizeof buf, 500, 3, buttons, 3);
        assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_RANGE);
        buttons[2] = BTN_UP;
    }
    assert_true(unknown_bits >= 1);
    buttons[1] = BTN_ALL;
    n = build_input(buf, sizeof buf, 500, 3, buttons, 3);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);

    /* commands missing behind the count: truncated; one extra: trailing */
    n = build_input(buf, sizeof buf, 500, 3, buttons, 2);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_TRUNCATED);
    n = build_input(buf, sizeof buf, 500, 3, buttons, 4);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_ERR_TRAILING);
}

static void test_input_encoder_refuses_invalid(void **state) {
    (void)state;
    uint8_t buf[256];
    any_msg m;
    memset(&m, 0, sizeof m);
    sample_input(&m);
    assert_int_equal(msg_encode_input(buf, sizeof buf, &m.input), 1 + 4 + 4 + 4 + 1 + 8 * 4);

    msg_input bad = m.input;
    bad.count = 0;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    bad.count = PROTO_MAX_CMDS_PER_PACKET + 1;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);

    bad = m.input;
    for (int bit = 0; bit < 8; bit++) {
        if (BTN_ALL & (1u << bit)) continue;
        bad.cmds[3].buttons = (uint8_t)(BTN_UP | (1u << bit));
        assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    }
    bad.cmds[3].buttons = 0xff;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);

    /* non-consecutive ticks: a repeat, a gap, one newer than the newest,
     * and consecutive but ascending */
    bad = m.input;
    bad.cmds[5].tick = bad.cmds[4].tick;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    bad = m.input;
    for (int i = 3; i < bad.count; i++) bad.cmds[i].tick -= 1; /* 99998 then 99996 */
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    bad = m.input;
    bad.cmds[7].tick = bad.cmds[0].tick + 1;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    bad = m.input;
    for (int i = 0; i < bad.count; i++) bad.cmds[i].tick = 100000u + (uint32_t)i;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);

    /* a command for tick 0 (newest below count) */
    bad = m.input;
    bad.count = 3;
    for (int i = 0; i < 3; i++) bad.cmds[i].tick = 2u - (uint32_t)i;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    bad.count = 1;
    bad.cmds[0].tick = 0;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    /* ... while newest == count (ticks count..1) is the lowest accepted */
    bad = m.input;
    for (int i = 0; i < bad.count; i++) bad.cmds[i].tick = (uint32_t)(bad.count - i);
    size_t n = msg_encode_input(buf, sizeof buf, &bad);
    assert_int_equal(n, 1 + 4 + 4 + 4 + 1 + 8 * 4);
    msg_input out;
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.cmds[0].tick, PROTO_MAX_CMDS_PER_PACKET);
    assert_int_equal(out.cmds[PROTO_MAX_CMDS_PER_PACKET - 1].tick, 1);

    /* a view tick ahead of the newest command's: in the oldest, in the
     * middle, by one and by a lot */
    bad = m.input;
    bad.cmds[7].view_tick = bad.cmds[0].view_tick + 1;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    bad = m.input;
    bad.cmds[3].view_tick = UINT32_MAX;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
    bad = m.input;
    bad.cmds[1].view_tick = bad.cmds[0].view_tick + 1000;
    assert_int_equal(msg_encode_input(buf, sizeof buf, &bad), 0);
}

/* ---- C_INPUT view ticks ------------------------------------------------------- */

static void test_input_view_ticks_round_trip(void **state) {
    (void)state;
    uint8_t buf[64];
    msg_input m, out;
    /* the sample: lags 0..255 in no particular order, on the wire as given */
    any_msg a;
    memset(&a, 0, sizeof a);
    sample_input(&a);
    size_t n = msg_encode_input(buf, sizeof buf, &a.input);
    assert_int_equal(n, 1 + 4 + 4 + 4 + 1 + 8 * 4);
    const uint8_t newest_view[4] = {0xba, 0xdc, 0xfe, 0x00};
    assert_memory_equal(buf + 9, newest_view, 4);
    for (int i = 0; i < PROTO_MAX_CMDS_PER_PACKET; i++)
        assert_int_equal(buf[14 + 4 * i + 3], SAMPLE_VIEW_BACK[i]);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    for (int i = 0; i < PROTO_MAX_CMDS_PER_PACKET; i++)
        assert_int_equal(out.cmds[i].view_tick, SAMPLE_NEWEST_VIEW - SAMPLE_VIEW_BACK[i]);

    /* every lag 0..255 of the second command, at several newest view ticks,
     * including 0 (no snapshot seen yet), the lag itself and the top */
    const uint32_t newest[] = {0, 1, 254, 255, 256, 100000, UINT32_MAX};
    for (size_t k = 0; k < sizeof newest / sizeof newest[0]; k++)
        for (uint32_t lag = 0; lag <= 255 && lag <= newest[k]; lag++) {
            memset(&m, 0, sizeof m);
            m.ack_snapshot_tick = 5;
            m.count = 2;
            m.cmds[0] = (input_cmd){50, BTN_FIRE, 7, newest[k]};
            m.cmds[1] = (input_cmd){49, 0, 8, newest[k] - lag};
            n = msg_encode_input(buf, sizeof buf, &m);
            assert_int_equal(n, 1 + 4 + 4 + 4 + 1 + 2 * 4);
            assert_int_equal(buf[14 + 3], 0);
            assert_int_equal(buf[18 + 3], lag);
            memset(&out, 0x5a, sizeof out);
            assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
            assert_int_equal(out.cmds[0].view_tick, newest[k]);
            assert_int_equal(out.cmds[1].view_tick, newest[k] - lag);
        }

    /* the same view tick in every command (a client drawing one snapshot
     * for several ticks), and view ticks unrelated to the command ticks */
    memset(&m, 0, sizeof m);
    m.count = PROTO_MAX_CMDS_PER_PACKET;
    for (int i = 0; i < m.count; i++) m.cmds[i] = (input_cmd){20u - (uint32_t)i, 0, 0, 700000u};
    n = msg_encode_input(buf, sizeof buf, &m);
    assert_true(n > 0);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    for (int i = 0; i < m.count; i++) assert_int_equal(out.cmds[i].view_tick, 700000u);
}

static void test_input_view_lag_clamped(void **state) {
    (void)state;
    uint8_t buf[64], again[64];
    msg_input m, out;
    memset(&m, 0, sizeof m);
    m.ack_snapshot_tick = 1;
    m.count = 4;
    m.cmds[0] = (input_cmd){400, 0, 0, 1000};
    m.cmds[1] = (input_cmd){399, 0, 0, 1000 - 255}; /* the most the wire holds */
    m.cmds[2] = (input_cmd){398, 0, 0, 1000 - 256}; /* one more: clamped */
    m.cmds[3] = (input_cmd){397, 0, 0, 0};          /* 1000 back: clamped */
    size_t n = msg_encode_input(buf, sizeof buf, &m);
    const uint8_t expect[] = {
        MSG_C_INPUT,
        0x01, 0x00, 0x00, 0x00, /* ack              */
        0x90, 0x01, 0x00, 0x00, /* newest_tick 400  */
        0xe8, 0x03, 0x00, 0x00, /* newest_view 1000 */
        0x04,
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0xff,
        0x00, 0x00, 0x00, 0xff, /* 256 -> 255 */
        0x00, 0x00, 0x00, 0xff, /* 1000 -> 255 */
    };
    assert_int_equal(n, sizeof expect);
    assert_memory_equal(buf, expect, n);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.cmds[0].view_tick, 1000);
    assert_int_equal(out.cmds[1].view_tick, 1000 - 255);
    assert_int_equal(out.cmds[2].view_tick, 1000 - 255); /* newest_view - 255 */
    assert_int_equal(out.cmds[3].view_tick, 1000 - 255);
    /* what the decoder gives re-encodes to the same bytes */
    assert_int_equal(msg_encode_input(again, sizeof again, &out), n);
    assert_memory_equal(again, buf, n);
    /* a huge lag near the top of the tick range */
    m.count = 2;
    m.cmds[0].view_tick = UINT32_MAX;
    m.cmds[1].view_tick = 0;
    n = msg_encode_input(buf, sizeof buf, &m);
    assert_true(n > 0);
    assert_int_equal(buf[n - 1], 0xff);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.cmds[1].view_tick, UINT32_MAX - 255u);
}

/* A view_back the decoder cannot honour: one reaching below tick 0, or a
 * newest command (whose view tick is newest_view_tick itself) lagging
 * behind. The encoder never writes either, so accepting them would give an
 * input that does not re-encode to its own bytes. */
static void test_input_view_back_range(void **state) {
    (void)state;
    uint8_t buf[64], again[64];
    msg_input out;
    const uint8_t buttons[3] = {BTN_UP, BTN_UP, BTN_UP};
    /* accepted edges: back == newest_view (view tick 0), newest back 0 */
    const uint8_t ok_back[3] = {0, 4, 5};
    size_t n = build_input_view(buf, sizeof buf, 300, 5, 3, buttons, ok_back, 3);
    assert_int_equal(msg_decode_input(buf, n, &out), MSG_OK);
    assert_int_equal(out.cmds[0].view_tick, 5);
    assert_int_equal(out.cmds[1].view_tick, 1);
    assert_int_equal(out.cmds[2].view_tick, 0);
    assert_int_equal(msg_encode_input(again, sizeof again, &out), n);
    assert_memory_equal(again, buf, n);

    const struct {
        uint32_t newest_view;
        uint8_t back[3];
        const char *what;
    } bad[] = {
        {5, {0, 0, 6}, "oldest back 6 past newest_view 5"},
        {0, {0, 1, 0}, "back 1 with newest_view 0"},
        {254, {0, 0, 255}, "back 255 past newest_view 254"},
        {100, {1, 1, 1}, "newest command lagging its own view tick"},
        {100, {255, 0, 0}, "newest command back 255"},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = build_input_view(buf, sizeof buf, 300, bad[i].newest_view, 3, buttons, bad[i].back, 3);
        int rc = msg_decode_input(buf, n, &out);
        if (rc != MSG_ERR_RANGE) {
            wrong++;
            size_t n2 = rc == MSG_OK ? msg_encode_input(again, sizeof again, &out) : 0;
            print_error("BUG (shared/msg.c msg_decode_input): %s gave '%s' (view ticks %u %u %u, re-encoding "
                        "gives %s)\n",
                        bad[i].what, msg_result_text(rc), out.cmds[0].view_tick, out.cmds[1].view_tick,
                        out.cmds[2].view_tick,
                        n2 == n && memcmp(again, buf, n) == 0 ? "the same bytes" : "different bytes");
        }
    }
    if (wrong) fail_msg("%d of %zu impossible view_back cases accepted", wrong, sizeof bad / sizeof bad[0]);
}


/* ---- S_WELCOME ---------------------------------------------------------------- */

static void expect_welcome_refused(const msg_welcome *w, const char *what) {
    uint8_t buf[256];
    if (msg_encode_welcome(buf, sizeof buf, w) != 0) fail_msg("welcome encoder accepted %s", what);
    /* write the same fields by hand and check the decoder refuses them too */
    wire_writer wr;
    wire_writer_init(&wr, buf, sizeof buf);
    wire_write_u8(&wr, MSG_S_WELCOME);
    wire_write_u16(&wr, w->client_id);
    wire_write_u16(&wr, w->max_players);
    wire_write_u16(&wr, w->tick_rate);
    wire_write_u16(&wr, w->snapshot_rate);
    wire_write_u8(&wr, w->input_every);
    wire_write_u32(&wr, w->server_tick);
    wire_write_u32(&wr, w->map_bytes);
    wire_write_u32(&wr, w->map_crc32);
    wire_write_str(&wr, w->map_name, PROTO_MAP_NAME_MAX);
    wire_write_str(&wr, w->server_name, PROTO_SERVER_NAME_MAX);
    wire_write_u8(&wr, w->resumed);
    wire_write_bytes(&wr, w->token, PROTO_TOKEN_BYTES);
    wire_write_u8(&wr, w->map_follows);
    assert_true(wire_writer_ok(&wr));
    msg_welcome out;
    int rc = msg_decode_welcome(buf, wr.len, &out);
    if (rc != MSG_ERR_RANGE) fail_msg("welcome decoder gave %d for %s", rc, what);
}

static void test_welcome_range(void **state) {
    (void)state;
    any_msg good;
    memset(&good, 0, sizeof good);
    sample_welcome(&good);
    msg_welcome w;

    w = good.welcome;
    w.client_id = w.max_players;
    expect_welcome_refused(&w, "client_id == max_players");
    w.client_id = 60000;
    expect_welcome_refused(&w, "client_id 60000");
    w = good.welcome;
    w.max_players = 0;
    w.client_id = 0;
    expect_welcome_refused(&w, "max_players 0");
    w = good.welcome;
    w.max_players = PROTO_MAX_PLAYERS + 1;
    expect_welcome_refused(&w, "max_players 1025");
    w = good.welcome;
    w.tick_rate = PROTO_MIN_TICK_RATE - 1;
    w.snapshot_rate = 1;
    expect_welcome_refused(&w, "tick_rate 9");
    w.tick_rate = PROTO_MAX_TICK_RATE + 1;
    expect_welcome_refused(&w, "tick_rate 241");
    w = good.welcome;
    w.snapshot_rate = 0;
    expect_welcome_refused(&w, "snapshot_rate 0");
    w.snapshot_rate = (uint16_t)(w.tick_rate + 1);
    expect_welcome_refused(&w, "snapshot_rate > tick_rate");
    w = good.welcome;
    w.input_every = 0;
    expect_welcome_refused(&w, "input_every 0");
    w.input_every = PROTO_MAX_INPUT_EVERY + 1;
    expect_welcome_refused(&w, "input_every above PROTO_MAX_INPUT_EVERY");
    w = good.welcome;
    w.map_bytes = 0;
    expect_welcome_refused(&w, "map_bytes 0");
    w.map_bytes = PROTO_MAP_MAX_BYTES + 1;
    expect_welcome_refused(&w, "map_bytes above PROTO_MAP_MAX_BYTES");
    w.map_bytes = UINT32_MAX;
    expect_welcome_refused(&w, "map_bytes UINT32_MAX");
    w = good.welcome;
    w.map_name[0] = '\0';
    expect_welcome_refused(&w, "empty map name");
    strcpy(w.map_name, " Courtyard");
    expect_welcome_refused(&w, "map name with leading space");
    w = good.welcome;
    strcpy(w.server_name, "evil\x1b[2J");
    expect_welcome_refused(&w, "server name with ESC");
    w = good.welcome;
    w.resumed = 2;
    expect_welcome_refused(&w, "resumed 2");
    w = good.welcome;
    w.map_follows = 2;
    expect_welcome_refused(&w, "map_follows 2");

    /* the edges of every range are accepted */
    uint8_t buf[256];
    msg_welcome out;
    w = good.welcome;
    w.max_players = PROTO_MAX_PLAYERS;
    w.client_id = PROTO_MAX_PLAYERS - 1;
    w.tick_rate = PROTO_MAX_TICK_RATE;
    w.snapshot_rate = PROTO_MAX_TICK_RATE;
    w.input_every = PROTO_MAX_INPUT_EVERY;
    w.map_bytes = PROTO_MAP_MAX_BYTES;
    w.map_crc32 = UINT32_MAX;
    size_t n = msg_encode_welcome(buf, sizeof buf, &w);
    assert_int_not_equal(n, 0);
    assert_int_equal(msg_decode_welcome(buf, n, &out), MSG_OK);
    w.max_players = 1;
    w.client_id = 0;
    w.tick_rate = PROTO_MIN_TICK_RATE;
    w.snapshot_rate = 1;
    w.input_every = 1;
    w.map_bytes = 1;
    n = msg_encode_welcome(buf, sizeof buf, &w);
    assert_int_not_equal(n, 0);
    assert_int_equal(msg_decode_welcome(buf, n, &out), MSG_OK);
    assert_int_equal(out.tick_rate, PROTO_MIN_TICK_RATE);
}

/* ---- S_JOIN / S_RENAME ---------------------------------------------------------- */

static size_t build_player_name(uint8_t *buf, size_t cap, uint8_t id, uint16_t player_id, const char *name) {
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, id);
    wire_write_u16(&w, player_id);
    wire_write_str(&w, name, 255);
    assert_true(wire_writer_ok(&w));
    return w.len;
}

static void test_player_name_range(void **state) {
    (void)state;
    const char *bad_names[] = {
        "",             /* empty                       */
        ("a\x01" "b"),  /* C0 control (split: \x01b would be one escape) */
        "tab\there",    /* tab is not clean            */
        "del\x7f",      /* DEL                         */
        " lead",        /* leading space               */
        "trail ",       /* trailing space              */
        "two  spaces",  /* whitespace run              */
        "\xc2\x85name", /* C1 control U+0085           */
        "\xe2\x80\xaeRTL", /* bidi override U+202E     */
        "bad\xff",      /* invalid UTF-8               */
        "SeventeenBytes!!!", /* 17 bytes: over PROTO_NAME_MAX */
    };
    const uint8_t ids[] = {MSG_S_JOIN, MSG_S_RENAME};
    int (*decoders[])(const uint8_t *, size_t, msg_player_name *) = {msg_decode_join, msg_decode_player_rename};
    size_t (*encoders[])(uint8_t *, size_t, const msg_player_name *) = {msg_encode_join, msg_encode_player_rename};
    for (int k = 0; k < 2; k++) {
        uint8_t buf[300];
        msg_player_name out, m;
        for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
            size_t n = build_player_name(buf, sizeof buf, ids[k], 3, bad_names[i]);
            int rc = decoders[k](buf, n, &out);
            if (rc == MSG_OK) fail_msg("id %d accepted name #%zu", ids[k], i);
            if (strlen(bad_names[i]) <= PROTO_NAME_MAX) {
                assert_int_equal(rc, MSG_ERR_RANGE);
                m.player_id = 3;
                strcpy(m.name, bad_names[i]);
                if (encoders[k](buf, sizeof buf, &m) != 0) fail_msg("id %d encoded name #%zu", ids[k], i);
            }
        }
        /* player_id bound */
        size_t n = build_player_name(buf, sizeof buf, ids[k], PROTO_MAX_PLAYERS, "ok");
        assert_int_equal(decoders[k](buf, n, &out), MSG_ERR_RANGE);
        n = build_player_name(buf, sizeof buf, ids[k], 0xffff, "ok");
        assert_int_equal(decoders[k](buf, n, &out), MSG_ERR_RANGE);
        m.player_id = PROTO_MAX_PLAYERS;
        strcpy(m.name, "ok");
        assert_int_equal(encoders[k](buf, sizeof buf, &m), 0);
        n = build_player_name(buf, sizeof buf, ids[k], PROTO_MAX_PLAYERS - 1, "ok");
        assert_int_equal(decoders[k](buf, n, &out), MSG_OK);
        assert_int_equal(out.player_id, PROTO_MAX_PLAYERS - 1);
        assert_string_equal(out.name, "ok");
    }
}

/* ---- S_LEAVE ------------------------------------------------------------------ */

static void test_leave_range(void **state) {
    (void)state;
    msg_leave out;
    for (int reason = 0; reason < 256; reason++) {
        const uint8_t b[] = {MSG_S_LEAVE, 5, 0, (uint8_t)reason};
        int rc = msg_decode_leave(b, sizeof b, &out);
        assert_int_equal(rc, reason < PROTO_REASON_COUNT ? MSG_OK : MSG_ERR_RANGE);
        if (rc == MSG_OK) {
            assert_int_equal(out.reason, reason);
            assert_int_equal(out.player_id, 5);
        }
    }
    const uint8_t bad_id[] = {MSG_S_LEAVE, 0x00, 0x04, 0}; /* 1024 */
    assert_int_equal(msg_decode_leave(bad_id, sizeof bad_id, &out), MSG_ERR_RANGE);
    const uint8_t top_id[] = {MSG_S_LEAVE, 0xff, 0x03, 0}; /* 1023 */
    assert_int_equal(msg_decode_leave(top_id, sizeof top_id, &out), MSG_OK);
    assert_int_equal(out.player_id, 1023);

    uint8_t buf[8];
    msg_leave m = {1, PROTO_REASON_COUNT};
    assert_int_equal(msg_encode_leave(buf, sizeof buf, &m), 0);
    m = (msg_leave){PROTO_MAX_PLAYERS, PROTO_REASON_NONE};
    assert_int_equal(msg_encode_leave(buf, sizeof buf, &m), 0);
    m = (msg_leave){2, PROTO_REASON_KICKED};
    assert_int_equal(msg_encode_leave(buf, sizeof buf, &m), 4);
    const uint8_t expect[] = {MSG_S_LEAVE, 2, 0, PROTO_REASON_KICKED};
    assert_memory_equal(buf, expect, 4);
}

/* ---- S_KILL, S_SCORE ----------------------------------------------------------- */

static void test_kill_layout_and_range(void **state) {
    (void)state;
    uint8_t buf[16];
    msg_kill m = {PROTO_MAX_PLAYERS - 1, 0x0102, 0}, out;
    memset(buf, 0xee, sizeof buf);
    size_t n = msg_encode_kill(buf, sizeof buf, &m);
    const uint8_t expect[] = {MSG_S_KILL, 0xff, 0x03, 0x02, 0x01, 0x00};
    assert_int_equal(MSG_S_KILL, 71);
    assert_int_equal(n, sizeof expect);
    assert_memory_equal(buf, expect, n);
    assert_int_equal(buf[n], 0xee);
    memset(&out, 0x5a, sizeof out);
    assert_int_equal(msg_decode_kill(expect, sizeof expect, &out), MSG_OK);
    assert_int_equal(out.killer, PROTO_MAX_PLAYERS - 1);
    assert_int_equal(out.victim, 0x0102);
    assert_int_equal(out.weapon, 0);

    /* a suicide (killer == victim), and player 0 */
    const uint8_t suicide[] = {MSG_S_KILL, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(msg_decode_kill(suicide, sizeof suicide, &out), MSG_OK);
    assert_int_equal(out.killer, 0);
    assert_int_equal(out.victim, 0);
    m = (msg_kill){9, 9, 0};
    assert_int_equal(msg_encode_kill(buf, sizeof buf, &m), 6);
    assert_int_equal(msg_decode_kill(buf, 6, &out), MSG_OK);
    assert_true(out.killer == 9 && out.victim == 9);

    /* every weapon: the rail gun (0) and rocket launcher (1) travel, any
     * other number is refused */
    assert_int_equal(WEAPON_RAIL, 0);
    assert_int_equal(WEAPON_ROCKET, 1);
    for (int w = 0; w < WEAPON_COUNT; w++) {
        m = (msg_kill){4, 700, (uint8_t)w};
        assert_int_equal(msg_encode_kill(buf, sizeof buf, &m), 6);
        const uint8_t lit[] = {MSG_S_KILL, 4, 0, 0xbc, 0x02, (uint8_t)w};
        assert_memory_equal(buf, lit, 6);
        assert_int_equal(msg_decode_kill(buf, 6, &out), MSG_OK);
        assert_int_equal(out.weapon, w);
    }
    for (int w = WEAPON_COUNT; w < 256; w++) {
        const uint8_t b[] = {MSG_S_KILL, 1, 0, 2, 0, (uint8_t)w};
        assert_int_equal(msg_decode_kill(b, sizeof b, &out), MSG_ERR_RANGE);
        m = (msg_kill){1, 2, (uint8_t)w};
        assert_int_equal(msg_encode_kill(buf, sizeof buf, &m), 0);
    }
    /* player ids from PROTO_MAX_PLAYERS up, as killer and as victim */
    const uint16_t bad_ids[] = {PROTO_MAX_PLAYERS, PROTO_MAX_PLAYERS + 1, 0x8000, 0xffff};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        const uint8_t lo = (uint8_t)(bad_ids[i] & 0xff), hi = (uint8_t)(bad_ids[i] >> 8);
        const uint8_t bk[] = {MSG_S_KILL, lo, hi, 5, 0, 0};
        const uint8_t bv[] = {MSG_S_KILL, 5, 0, lo, hi, 0};
        assert_int_equal(msg_decode_kill(bk, sizeof bk, &out), MSG_ERR_RANGE);
        assert_int_equal(msg_decode_kill(bv, sizeof bv, &out), MSG_ERR_RANGE);
        m = (msg_kill){bad_ids[i], 5, 0};
        assert_int_equal(msg_encode_kill(buf, sizeof buf, &m), 0);
        m = (msg_kill){5, bad_ids[i], 0};
        assert_int_equal(msg_encode_kill(buf, sizeof buf, &m), 0);
    }
    /* truncated before a range error is still truncated */
    const uint8_t cut[] = {MSG_S_KILL, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(msg_decode_kill(cut, sizeof cut, &out), MSG_ERR_TRUNCATED);
    /* S_KILL and S_SCORE are not interchangeable */
    assert_int_equal(msg_decode_score(expect, sizeof expect, &(msg_score){0}), MSG_ERR_WRONG_ID);
}

/* S_ROSTER: its layout, and every way out of range refused both ways. */
static void test_roster_layout_and_range(void **state) {
    (void)state;
    msg_roster m, out;
    memset(&m, 0, sizeof m);
    m.count = 2;
    m.e[0].player_id = 0x0102;
    snprintf(m.e[0].name, sizeof m.e[0].name, "Al");
    m.e[0].frags = -1;
    m.e[0].deaths = 0x0304;
    m.e[0].ping_ms = 0x0506;
    m.e[1].player_id = 7;
    snprintf(m.e[1].name, sizeof m.e[1].name, "B");
    uint8_t buf[PROTO_MAX_PACKET_BYTES];
    const uint8_t expect[] = {MSG_S_ROSTER, 2, 0x02, 0x01, 2, 'A', 'l', 0xff, 0xff, 0x04, 0x03, 0x06, 0x05,
                              7, 0, 1, 'B', 0, 0, 0, 0, 0, 0};
    assert_int_equal(msg_encode_roster(buf, sizeof buf, &m), sizeof expect);
    assert_memory_equal(buf, expect, sizeof expect);
    assert_int_equal(msg_decode_roster(expect, sizeof expect, &out), MSG_OK);
    assert_int_equal(out.count, 2);
    assert_string_equal(out.e[0].name, "Al");
    assert_int_equal(out.e[0].frags, -1);
    /* counts 0 and PROTO_ROSTER_MAX + 1 */
    uint8_t bad[sizeof expect];
    memcpy(bad, expect, sizeof bad);
    bad[1] = 0;
    assert_int_equal(msg_decode_roster(bad, sizeof bad, &out), MSG_ERR_RANGE);
    bad[1] = PROTO_ROSTER_MAX + 1;
    assert_int_equal(msg_decode_roster(bad, sizeof bad, &out), MSG_ERR_RANGE);
    m.count = 0;
    assert_int_equal(msg_encode_roster(buf, sizeof buf, &m), 0);
    m.count = PROTO_ROSTER_MAX + 1;
    assert_int_equal(msg_encode_roster(buf, sizeof buf, &m), 0);
    /* a player id out of range, in the second entry */
    memcpy(bad, expect, sizeof bad);
    bad[13] = PROTO_MAX_PLAYERS & 0xff;
    bad[14] = PROTO_MAX_PLAYERS >> 8;
    assert_int_equal(msg_decode_roster(bad, sizeof bad, &out), MSG_ERR_RANGE);
    m.count = 2;
    m.e[1].player_id = PROTO_MAX_PLAYERS;
    assert_int_equal(msg_encode_roster(buf, sizeof buf, &m), 0);
    /* a name with a control character */
    m.e[1].player_id = 7;
    snprintf(m.e[1].name, sizeof m.e[1].name, "B\n");
    assert_int_equal(msg_encode_roster(buf, sizeof buf, &m), 0);
    memcpy(bad, expect, sizeof bad);
    bad[16] = '\n';
    assert_int_equal(msg_decode_roster(bad, sizeof bad, &out), MSG_ERR_RANGE);
    /* a full roster fits one datagram with room to spare */
    any_msg full;
    sample_roster(&full);
    size_t n = msg_encode_roster(buf, sizeof buf, &full.roster);
    assert_true(n > 0 && n <= 1024);
}

static void test_score_layout_and_range(void **state) {
    (void)state;
    uint8_t buf[16];
    msg_score m = {0x0203, -2, 0x0405, 0x0607}, out;
    memset(buf, 0xee, sizeof buf);
    size_t n = msg_encode_score(buf, sizeof buf, &m);
    const uint8_t expect[] = {MSG_S_SCORE, 0x03, 0x02, 0xfe, 0xff, 0x05, 0x04, 0x07, 0x06};
    assert_int_equal(MSG_S_SCORE, 72);
    assert_int_equal(n, sizeof expect);
    assert_memory_equal(buf, expect, n);
    assert_int_equal(buf[n], 0xee);
    memset(&out, 0x5a, sizeof out);
    assert_int_equal(msg_decode_score(expect, sizeof expect, &out), MSG_OK);
    assert_int_equal(out.player, 0x0203);
    assert_int_equal(out.frags, -2);
    assert_int_equal(out.deaths, 0x0405);
    assert_int_equal(out.ping_ms, 0x0607);

    /* frags: the whole signed range; deaths and ping: the whole unsigned */
    const int16_t frags[] = {INT16_MIN, -1, 0, 1, INT16_MAX};
    const uint16_t counts[] = {0, 1, 0x7fff, 0x8000, 0xffff};
    for (size_t i = 0; i < 5; i++) {
        m = (msg_score){PROTO_MAX_PLAYERS - 1, frags[i], counts[i], counts[4 - i]};
        n = msg_encode_score(buf, sizeof buf, &m);
        assert_int_equal(n, 9);
        assert_int_equal(msg_decode_score(buf, n, &out), MSG_OK);
        assert_int_equal(out.player, PROTO_MAX_PLAYERS - 1);
        assert_int_equal(out.frags, frags[i]);
        assert_int_equal(out.deaths, counts[i]);
        assert_int_equal(out.ping_ms, counts[4 - i]);
    }
    const uint8_t most_negative[] = {MSG_S_SCORE, 0, 0, 0x00, 0x80, 0, 0, 0, 0};
    assert_int_equal(msg_decode_score(most_negative, sizeof most_negative, &out), MSG_OK);
    assert_int_equal(out.frags, INT16_MIN);

    /* player ids from PROTO_MAX_PLAYERS up */
    const uint16_t bad_ids[] = {PROTO_MAX_PLAYERS, PROTO_MAX_PLAYERS + 1, 0x8000, 0xffff};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        const uint8_t b[] = {MSG_S_SCORE, (uint8_t)(bad_ids[i] & 0xff), (uint8_t)(bad_ids[i] >> 8), 1, 0, 2, 0, 3, 0};
        assert_int_equal(msg_decode_score(b, sizeof b, &out), MSG_ERR_RANGE);
        m = (msg_score){bad_ids[i], 1, 2, 3};
        assert_int_equal(msg_encode_score(buf, sizeof buf, &m), 0);
    }
    assert_int_equal(msg_decode_kill(expect, sizeof expect, &(msg_kill){0}), MSG_ERR_WRONG_ID);
}

/* ---- S_MAP_CHUNK --------------------------------------------------------------- */

static size_t build_chunk(uint8_t *buf, size_t cap, uint32_t offset, uint16_t length, size_t body) {
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_write_u8(&w, MSG_S_MAP_CHUNK);
    wire_write_u32(&w, offset);
    wire_write_u16(&w, length);
    for (size_t i = 0; i < body; i++) wire_write_u8(&w, (uint8_t)i);
    assert_true(wire_writer_ok(&w));
    return w.len;
}

static void test_map_chunk_range(void **state) {
    (void)state;
    static uint8_t buf[PROTO_MAX_PACKET_BYTES];
    msg_map_chunk out;

    /* layout and the bytes pointer into the packet */
    size_t n = build_chunk(buf, sizeof buf, 0x000a0b0cu, 3, 3);
    const uint8_t expect[] = {MSG_S_MAP_CHUNK, 0x0c, 0x0b, 0x0a, 0x00, 0x03, 0x00, 0, 1, 2};
    assert_int_equal(n, sizeof expect);
    assert_memory_equal(buf, expect, n);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_OK);
    assert_int_equal(out.offset, 0x000a0b0cu);
    assert_int_equal(out.length, 3);
    assert_ptr_equal(out.bytes, buf + 7);

    /* length 0 and above PROTO_MAP_CHUNK_BYTES */
    n = build_chunk(buf, sizeof buf, 0, 0, 0);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_ERR_RANGE);
    n = build_chunk(buf, sizeof buf, 0, PROTO_MAP_CHUNK_BYTES + 1, PROTO_MAP_CHUNK_BYTES + 1);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_ERR_RANGE);
    n = build_chunk(buf, sizeof buf, 0, PROTO_MAP_CHUNK_BYTES, PROTO_MAP_CHUNK_BYTES);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_OK);
    assert_int_equal(out.length, PROTO_MAP_CHUNK_BYTES);

    /* offset + length must stay within PROTO_MAP_MAX_BYTES, without wrapping */
    n = build_chunk(buf, sizeof buf, PROTO_MAP_MAX_BYTES - 1, 1, 1);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_OK);
    n = build_chunk(buf, sizeof buf, PROTO_MAP_MAX_BYTES - 1, 2, 2);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_ERR_RANGE);
    n = build_chunk(buf, sizeof buf, PROTO_MAP_MAX_BYTES, 1, 1);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_ERR_RANGE);
    n = build_chunk(buf, sizeof buf, UINT32_MAX, 10, 10);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_ERR_RANGE);

    /* body shorter than length is truncation, longer is trailing */
    n = build_chunk(buf, sizeof buf, 0, 10, 9);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_ERR_TRUNCATED);
    n = build_chunk(buf, sizeof buf, 0, 10, 11);
    assert_int_equal(msg_decode_map_chunk(buf, n, &out), MSG_ERR_TRAILING);

    /* encoder applies the same rules */
    uint8_t payload[PROTO_MAP_CHUNK_BYTES + 1];
    memset(payload, 'x', sizeof payload);
    msg_map_chunk m = {0, 0, payload};
    assert_int_equal(msg_encode_map_chunk(buf, sizeof buf, &m), 0);
    m.length = PROTO_MAP_CHUNK_BYTES + 1;
    assert_int_equal(msg_encode_map_chunk(buf, sizeof buf, &m), 0);
    m = (msg_map_chunk){PROTO_MAP_MAX_BYTES - 1, 2, payload};
    assert_int_equal(msg_encode_map_chunk(buf, sizeof buf, &m), 0);
    m = (msg_map_chunk){UINT32_MAX, 1, payload};
    assert_int_equal(msg_encode_map_chunk(buf, sizeof buf, &m), 0);
    m = (msg_map_chunk){PROTO_MAP_MAX_BYTES - 1, 1, payload};
    assert_int_equal(msg_encode_map_chunk(buf, sizeof buf, &m), 1 + 4 + 2 + 1);
    /* a full chunk fits in one packet */
    m = (msg_map_chunk){0, PROTO_MAP_CHUNK_BYTES, payload};
    n = msg_encode_map_chunk(buf, sizeof buf, &m);
    assert_int_equal(n, 1 + 4 + 2 + PROTO_MAP_CHUNK_BYTES);
    assert_true(n <= PROTO_MAX_PACKET_BYTES);
}

static void test_crc32_vectors(void **state) {
    (void)state;
    /* the standard check value of CRC-32/IEEE (zlib's crc32) */
    assert_int_equal(msg_crc32("123456789", 9), 0xcbf43926u);
    assert_int_equal(msg_crc32("", 0), 0x00000000u);
    assert_int_equal(msg_crc32("a", 1), 0xe8b7be43u);
    assert_int_equal(msg_crc32("The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
    const uint8_t zeros[4] = {0, 0, 0, 0};
    assert_int_equal(msg_crc32(zeros, 4), 0x2144df1cu);
    /* one flipped bit changes it */
    assert_int_not_equal(msg_crc32("123456788", 9), 0xcbf43926u);
}

/* ---- seeded garbage ------------------------------------------------------------ */

static uint32_t rng_state;
static uint32_t xorshift32(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* Feeds buf to every decoder; any accepted message must re-encode to the
 * identical bytes. Returns the number of decoders that accepted it. */
static int feed_all_decoders(const uint8_t *buf, size_t len) {
    int accepted = 0;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        static any_msg out;
        static uint8_t again[PROTO_MAX_PACKET_BYTES];
        memset(&out, 0, sizeof out);
        int rc = KINDS[i].decode(buf, len, &out);
        if (rc != MSG_OK && rc != MSG_ERR_TRUNCATED && rc != MSG_ERR_TRAILING && rc != MSG_ERR_WRONG_ID &&
            rc != MSG_ERR_RANGE)
            fail_msg("%s: unknown result %d", KINDS[i].label, rc);
        if (rc != MSG_OK) continue;
        accepted++;
        if (len == 0 || buf[0] != KINDS[i].id) fail_msg("%s accepted a packet with the wrong id", KINDS[i].label);
        size_t n = KINDS[i].encode(again, sizeof again, &out);
        if (n != len || memcmp(again, buf, len) != 0)
            fail_msg("%s: accepted %zu bytes but re-encoded to %zu different bytes", KINDS[i].label, len, n);
    }
    return accepted;
}

static void test_random_garbage(void **state) {
    (void)state;
    static const uint8_t ids[] = {MSG_C_HELLO, MSG_C_RENAME, MSG_C_INPUT,    MSG_C_CHAT,      MSG_S_WELCOME,
                                  MSG_S_JOIN,  MSG_S_LEAVE,  MSG_S_RENAME,   MSG_S_CHAT,      MSG_S_SNAPSHOT,
                                  MSG_S_KILL,  MSG_S_SCORE,  MSG_S_MAP_CHUNK};
    rng_state = 0x2545f491u;
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t buf[64];
        size_t len = xorshift32() % 65;
        for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)xorshift32();
        /* most packets get a real id so decoders look past the first byte */
        if (len > 0 && (xorshift32() & 3) != 0) buf[0] = ids[xorshift32() % (sizeof ids)];
        /* small length bytes / counts make deeper parses more likely */
        if (len > 5 && (xorshift32() & 1)) buf[1] = (uint8_t)(xorshift32() % 20);
        accepted += feed_all_decoders(buf, len);
    }
    print_message("garbage: %d of 20000 random packets accepted\n", accepted);
}

/* Valid encodings with a few bytes flipped, cut or extended: reaches the
 * accept path far more often than pure noise. */
static void test_mutated_messages(void **state) {
    (void)state;
    rng_state = 0x9e3779b9u;
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        const msg_kind *k = &KINDS[xorshift32() % KIND_COUNT];
        static any_msg m;
        static uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t n = encode_sample(k, &m, buf, sizeof buf);
        int flips = (int)(xorshift32() % 4);
        for (int f = 0; f < flips; f++) {
            size_t at = xorshift32() % n;
            if (at == 0 && (xorshift32() & 7)) at = 1 % n; /* mostly keep the id */
            buf[at] = (xorshift32() & 1) ? (uint8_t)xorshift32() : (uint8_t)(buf[at] ^ (1u << (xorshift32() % 8)));
        }
        switch (xorshift32() % 4) {
        case 0: n = xorshift32() % (n + 1); break;              /* cut            */
        case 1: buf[n] = (uint8_t)xorshift32(); n += 1; break;  /* one extra byte */
        default: break;
        }
        accepted += feed_all_decoders(buf, n);
    }
    print_message("mutation: %d of 20000 packets accepted\n", accepted);
    /* the accept path (and so the re-encode check) really ran */
    assert_true(accepted > 1000);
}

static void test_chat_range(void **state) {
    (void)state;
    uint8_t buf[PROTO_MAX_PACKET_BYTES];
    msg_chat m = {0}, out;
    /* longest line: PROTO_CHAT_MAX bytes both ways; one more is refused */
    memset(m.text, 'a', PROTO_CHAT_MAX);
    m.text[PROTO_CHAT_MAX] = '\0';
    size_t n = msg_encode_client_chat(buf, sizeof buf, &m);
    assert_int_equal(n, 2 + PROTO_CHAT_MAX);
    assert_int_equal(msg_decode_client_chat(buf, n, &out), MSG_OK);
    buf[1] = PROTO_CHAT_MAX + 1; /* claims a longer line */
    uint8_t longer[2 + PROTO_CHAT_MAX + 1];
    memcpy(longer, buf, n);
    longer[n] = 'a';
    assert_int_equal(msg_decode_client_chat(longer, sizeof longer, &out), MSG_ERR_TRUNCATED);
    /* server chat: only clean text from a player id or the server */
    m.from = 7;
    strcpy(m.text, "hello");
    n = msg_encode_server_chat(buf, sizeof buf, &m);
    assert_true(n > 0);
    assert_int_equal(msg_decode_server_chat(buf, n, &out), MSG_OK);
    assert_int_equal(out.from, 7);
    buf[1] = (uint8_t)(PROTO_MAX_PLAYERS & 0xff); /* from = PROTO_MAX_PLAYERS: no such player */
    buf[2] = (uint8_t)(PROTO_MAX_PLAYERS >> 8);
    assert_int_equal(msg_decode_server_chat(buf, n, &out), MSG_ERR_RANGE);
    const char *unclean[] = {"", " lead", "trail ", "two  spaces", "bell\a", "tab\there", "bad \xff utf8"};
    for (size_t i = 0; i < sizeof unclean / sizeof unclean[0]; i++) {
        strcpy(m.text, unclean[i]);
        m.from = 1;
        if (msg_encode_server_chat(buf, sizeof buf, &m) != 0) fail_msg("encoded unclean '%s'", unclean[i]);
        /* hand-built: the decoder refuses it too */
        size_t len = strlen(unclean[i]);
        uint8_t raw[64] = {MSG_S_CHAT, 1, 0, (uint8_t)len};
        memcpy(raw + 4, unclean[i], len);
        if (msg_decode_server_chat(raw, 4 + len, &out) == MSG_OK) fail_msg("decoded unclean '%s'", unclean[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_message),
        cmocka_unit_test(test_expected_sizes),
        cmocka_unit_test(test_input_due_spreads_clients),
        cmocka_unit_test(test_every_truncated_prefix_refused),
        cmocka_unit_test(test_trailing_byte_refused),
        cmocka_unit_test(test_wrong_id_refused),
        cmocka_unit_test(test_encode_refuses_small_buffers),
        cmocka_unit_test(test_peek_id_and_result_text),
        cmocka_unit_test(test_name_messages),
        cmocka_unit_test(test_hello_resume_fields),
        cmocka_unit_test(test_name_encoder_refuses_long_name),
        cmocka_unit_test(test_input_layout),
        cmocka_unit_test(test_input_range),
        cmocka_unit_test(test_input_encoder_refuses_invalid),
        cmocka_unit_test(test_input_view_ticks_round_trip),
        cmocka_unit_test(test_input_view_lag_clamped),
        cmocka_unit_test(test_input_view_back_range),
        cmocka_unit_test(test_welcome_range),
        cmocka_unit_test(test_player_name_range),
        cmocka_unit_test(test_leave_range),
        cmocka_unit_test(test_kill_layout_and_range),
        cmocka_unit_test(test_score_layout_and_range),
        cmocka_unit_test(test_roster_layout_and_range),
        cmocka_unit_test(test_chat_range),
        cmocka_unit_test(test_map_chunk_range),
        cmocka_unit_test(test_crc32_vectors),
        cmocka_unit_test(test_random_garbage),
        cmocka_unit_test(test_mutated_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
