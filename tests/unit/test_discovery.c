/* test_discovery.c - shared/discovery.c: LAN discovery query/reply codec and
 * the reply token bucket.
 *
 * Covers: the query's layout against literal bytes and its round trip; every
 * shorter query, one byte longer, a non-zero byte anywhere in the padding, a
 * wrong magic (including the reply's) and a wrong version refused. The
 * reply's layout and round trip; every truncated prefix and a trailing byte
 * refused; out-of-range fields refused by encoder and decoder; names that are
 * not clean text refused by the decoder and cleaned by the encoder. The reply
 * for the longest names fits, untruncated, in a query's size, and for every
 * buffer size the reply never exceeds that size or DISCOVERY_QUERY_BYTES;
 * names that must be cut are cut at UTF-8 character boundaries (2-, 3- and
 * 4-byte characters) and never end in a space. Seeded garbage (20000 random
 * buffers, then 20000 mutations of valid datagrams) never crashes, and
 * whatever is accepted re-encodes to the very same bytes. The token bucket
 * allows its burst, then its rate, refuses beyond, ignores time running
 * backwards and never stores more than the burst.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "discovery.h"
#include "ratelimit.h"
#include "protocol.h"
#include "text.h"

/* ---- query ----------------------------------------------------------------- */

static void test_query_layout_and_round_trip(void **state) {
    (void)state;
    uint8_t buf[DISCOVERY_QUERY_BYTES];
    memset(buf, 0xaa, sizeof buf);
    assert_int_equal(discovery_encode_query(buf, 0x12345678u), DISCOVERY_QUERY_BYTES);
    assert_memory_equal(buf, "LANq", 4);
    assert_int_equal(buf[4], PROTO_VERSION);
    assert_int_equal(buf[5], 0x78);
    assert_int_equal(buf[6], 0x56);
    assert_int_equal(buf[7], 0x34);
    assert_int_equal(buf[8], 0x12);
    for (size_t i = DISCOVERY_QUERY_HEADER_BYTES; i < sizeof buf; i++) assert_int_equal(buf[i], 0);
    uint32_t nonce = 0;
    assert_true(discovery_decode_query(buf, sizeof buf, &nonce));
    assert_int_equal(nonce, 0x12345678u);
    const uint32_t others[] = {0, 1, 0xffffffffu, 0x80000000u};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        discovery_encode_query(buf, others[i]);
        assert_true(discovery_decode_query(buf, sizeof buf, &nonce));
        assert_int_equal(nonce, others[i]);
    }
}

static void test_query_wrong_sizes_refused(void **state) {
    (void)state;
    uint8_t buf[DISCOVERY_QUERY_BYTES + 64];
    memset(buf, 0, sizeof buf);
    discovery_encode_query(buf, 7);
    uint32_t nonce = 99;
    for (size_t len = 0; len < DISCOVERY_QUERY_BYTES; len++)
        if (discovery_decode_query(buf, len, &nonce)) fail_msg("a %zu-byte query was accepted", len);
    /* one byte long, with the extra byte zero like the padding */
    assert_false(discovery_decode_query(buf, DISCOVERY_QUERY_BYTES + 1, &nonce));
    assert_false(discovery_decode_query(buf, DISCOVERY_QUERY_BYTES - 1, &nonce));
    assert_false(discovery_decode_query(buf, sizeof buf, &nonce));
    assert_int_equal(nonce, 99); /* untouched on refusal */
    assert_true(discovery_decode_query(buf, DISCOVERY_QUERY_BYTES, &nonce));
}

static void test_query_padding_must_be_zero(void **state) {
    (void)state;
    uint8_t buf[DISCOVERY_QUERY_BYTES];
    uint32_t nonce;
    for (size_t i = DISCOVERY_QUERY_HEADER_BYTES; i < DISCOVERY_QUERY_BYTES; i++) {
        const uint8_t values[] = {1, 0x80, 0xff};
        for (size_t v = 0; v < sizeof values; v++) {
            discovery_encode_query(buf, 0xabcdef01u);
            buf[i] = values[v];
            if (discovery_decode_query(buf, sizeof buf, &nonce))
                fail_msg("padding byte %zu = 0x%02x accepted", i, values[v]);
        }
    }
}

static void test_query_wrong_magic_or_version(void **state) {
    (void)state;
    uint8_t buf[DISCOVERY_QUERY_BYTES];
    uint32_t nonce;
    for (size_t i = 0; i < DISCOVERY_MAGIC_LEN; i++) {
        discovery_encode_query(buf, 5);
        buf[i] ^= 0x20;
        assert_false(discovery_decode_query(buf, sizeof buf, &nonce));
    }
    discovery_encode_query(buf, 5);
    memcpy(buf, DISCOVERY_REPLY_MAGIC, DISCOVERY_MAGIC_LEN);
    assert_false(discovery_decode_query(buf, sizeof buf, &nonce));
    const int versions[] = {0, (int)PROTO_VERSION - 1, (int)PROTO_VERSION + 1, 255};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        if (versions[i] == (int)PROTO_VERSION || versions[i] < 0) continue;
        discovery_encode_query(buf, 5);
        buf[4] = (uint8_t)versions[i];
        assert_false(discovery_decode_query(buf, sizeof buf, &nonce));
    }
}

/* ---- reply ----------------------------------------------------------------- */

static discovery_reply sample_reply(void) {
    discovery_reply r;
    memset(&r, 0, sizeof r);
    r.nonce = 0xa1b2c3d4u;
    r.game_port = 27500;
    r.players = 3;
    r.max_players = 32;
    snprintf(r.name, sizeof r.name, "%s", "LAN Arena");
    snprintf(r.map, sizeof r.map, "%s", "Courtyard");
    return r;
}

static void assert_reply_equal(const discovery_reply *a, const discovery_reply *b) {
    assert_int_equal(a->nonce, b->nonce);
    assert_int_equal(a->game_port, b->game_port);
    assert_int_equal(a->players, b->players);
    assert_int_equal(a->max_players, b->max_players);
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->map, b->map);
}

static void test_reply_layout_and_round_trip(void **state) {
    (void)state;
    discovery_reply r = sample_reply(), back;
    uint8_t buf[DISCOVERY_QUERY_BYTES];
    size_t n = discovery_encode_reply(buf, sizeof buf, &r);
    assert_int_equal(n, DISCOVERY_REPLY_FIXED_BYTES + strlen(r.name) + strlen(r.map));
    const uint8_t head[] = {'L', 'A', 'N', 'r', PROTO_VERSION, 0xd4, 0xc3, 0xb2, 0xa1,
                            0x6c, 0x6b, /* 27500 */ 3, 0, 32, 0, 9};
    assert_memory_equal(buf, head, sizeof head);
    assert_memory_equal(buf + sizeof head, "LAN Arena", 9);
    assert_int_equal(buf[sizeof head + 9], 9);
    assert_memory_equal(buf + sizeof head + 10, "Courtyard", 9);
    memset(&back, 0x55, sizeof back);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_reply_equal(&back, &r);
    /* extremes of every number */
    r.nonce = 0;
    r.game_port = 65535;
    r.players = PROTO_MAX_PLAYERS;
    r.max_players = PROTO_MAX_PLAYERS;
    n = discovery_encode_reply(buf, sizeof buf, &r);
    assert_true(n > 0);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_reply_equal(&back, &r);
    r.game_port = 1;
    r.players = 0;
    r.max_players = 1;
    n = discovery_encode_reply(buf, sizeof buf, &r);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_reply_equal(&back, &r);
}

static void test_reply_truncated_and_trailing_refused(void **state) {
    (void)state;
    discovery_reply r = sample_reply(), back;
    uint8_t buf[DISCOVERY_QUERY_BYTES + 1];
    size_t n = discovery_encode_reply(buf, DISCOVERY_QUERY_BYTES, &r);
    assert_true(n > 0 && n < DISCOVERY_QUERY_BYTES);
    for (size_t len = 0; len < n; len++)
        if (discovery_decode_reply(buf, len, &back)) fail_msg("a reply cut to %zu of %zu bytes was accepted", len, n);
    buf[n] = 0;
    assert_false(discovery_decode_reply(buf, n + 1, &back));
    buf[n] = 'x';
    assert_false(discovery_decode_reply(buf, n + 1, &back));
    /* a reply longer than a query is refused whatever it holds */
    uint8_t big[DISCOVERY_QUERY_BYTES + 8];
    memset(big, 0, sizeof big);
    memcpy(big, buf, n);
    assert_false(discovery_decode_reply(big, sizeof big, &back));
}

static void test_reply_wrong_magic_version_range(void **state) {
    (void)state;
    discovery_reply r = sample_reply(), back;
    uint8_t buf[DISCOVERY_QUERY_BYTES], bad[DISCOVERY_QUERY_BYTES];
    size_t n = discovery_encode_reply(buf, sizeof buf, &r);
    for (size_t i = 0; i < DISCOVERY_MAGIC_LEN; i++) {
        memcpy(bad, buf, n);
        bad[i] ^= 0x01;
        assert_false(discovery_decode_reply(bad, n, &back));
    }
    memcpy(bad, buf, n);
    memcpy(bad, DISCOVERY_QUERY_MAGIC, DISCOVERY_MAGIC_LEN);
    assert_false(discovery_decode_reply(bad, n, &back));
    memcpy(bad, buf, n);
    bad[4] = (uint8_t)(PROTO_VERSION + 1);
    assert_false(discovery_decode_reply(bad, n, &back));
    /* game port 0 */
    memcpy(bad, buf, n);
    bad[9] = bad[10] = 0;
    assert_false(discovery_decode_reply(bad, n, &back));
    /* players above max_players */
    memcpy(bad, buf, n);
    bad[11] = 33;
    assert_false(discovery_decode_reply(bad, n, &back));
    /* max_players 0, and above PROTO_MAX_PLAYERS */
    memcpy(bad, buf, n);
    bad[11] = 0;
    bad[13] = 0;
    assert_false(discovery_decode_reply(bad, n, &back));
    memcpy(bad, buf, n);
    bad[13] = (uint8_t)((PROTO_MAX_PLAYERS + 1) & 0xff);
    bad[14] = (uint8_t)((PROTO_MAX_PLAYERS + 1) >> 8);
    assert_false(discovery_decode_reply(bad, n, &back));

    /* the encoder refuses the same */
    discovery_reply e = r;
    e.game_port = 0;
    assert_int_equal(discovery_encode_reply(buf, sizeof buf, &e), 0);
    e = r;
    e.max_players = 0;
    e.players = 0;
    assert_int_equal(discovery_encode_reply(buf, sizeof buf, &e), 0);
    e = r;
    e.max_players = PROTO_MAX_PLAYERS + 1;
    assert_int_equal(discovery_encode_reply(buf, sizeof buf, &e), 0);
    e = r;
    e.players = 33;
    assert_int_equal(discovery_encode_reply(buf, sizeof buf, &e), 0);
    e = r;
    e.name[0] = '\0';
    assert_int_equal(discovery_encode_reply(buf, sizeof buf, &e), 0);
    e = r;
    snprintf(e.map, sizeof e.map, "\x01\x02\x7f");
    assert_int_equal(discovery_encode_reply(buf, sizeof buf, &e), 0);
}

/* Builds a reply datagram by hand, with any name bytes. */
static size_t raw_reply(uint8_t *buf, const char *name, size_t name_len, const char *map, size_t map_len) {
    const uint8_t head[] = {'L', 'A', 'N', 'r', PROTO_VERSION, 1, 2, 3, 4, 0x6c, 0x6b, 0, 0, 8, 0};
    size_t n = 0;
    memcpy(buf, head, sizeof head);
    n += sizeof head;
    buf[n++] = (uint8_t)name_len;
    memcpy(buf + n, name, name_len);
    n += name_len;
    buf[n++] = (uint8_t)map_len;
    memcpy(buf + n, map, map_len);
    return n + map_len;
}

static void test_reply_names_must_be_clean(void **state) {
    (void)state;
    uint8_t buf[256];
    discovery_reply back;
    assert_true(discovery_decode_reply(buf, raw_reply(buf, "Ok", 2, "Map", 3), &back));
    assert_string_equal(back.name, "Ok");
    struct {
        const char *s;
        size_t len;
    } bad_names[] = {
        {"", 0},                  /* empty */
        {"a\x01z", 3},            /* control character */
        {"a\nz", 3},              /* newline */
        {" lead", 5},             /* leading space */
        {"trail ", 6},            /* trailing space */
        {"two  spaces", 11},      /* a run of spaces */
        {"tab\there", 8},         /* tab */
        {"a\xc3", 2},             /* truncated UTF-8 */
        {"\xc0\xaf", 2},          /* overlong */
        {"\xed\xa0\x80", 3},      /* surrogate */
        {"\xe2\x80\xae" "x", 4},  /* bidi override */
        {"a\0b", 3},              /* NUL */
        {"x\x7f", 2},             /* DEL */
    };
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        size_t n = raw_reply(buf, bad_names[i].s, bad_names[i].len, "Map", 3);
        if (discovery_decode_reply(buf, n, &back)) fail_msg("server name #%zu accepted", i);
        n = raw_reply(buf, "Name", 4, bad_names[i].s, bad_names[i].len);
        if (discovery_decode_reply(buf, n, &back)) fail_msg("map name #%zu accepted", i);
    }
    /* a name one byte over its limit, otherwise clean */
    char long_name[PROTO_SERVER_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name);
    assert_false(discovery_decode_reply(buf, raw_reply(buf, long_name, PROTO_SERVER_NAME_MAX + 1, "M", 1), &back));
    assert_true(discovery_decode_reply(buf, raw_reply(buf, long_name, PROTO_SERVER_NAME_MAX, "M", 1), &back));
    assert_false(discovery_decode_reply(buf, raw_reply(buf, "N", 1, long_name, PROTO_MAP_NAME_MAX + 1), &back));

    /* the encoder cleans what it is given */
    discovery_reply r = sample_reply();
    snprintf(r.name, sizeof r.name, "  a\x01" "b  c ");
    size_t n = discovery_encode_reply(buf, DISCOVERY_QUERY_BYTES, &r);
    assert_true(n > 0);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_string_equal(back.name, "ab c");
}

/* ---- size: a reply never outgrows its query ------------------------------- */

/* A name of exactly `bytes` bytes made of the UTF-8 character `ch`, padded
 * with ASCII to the exact length. */
static void fill_name(char *dst, size_t bytes, const char *ch) {
    size_t cl = strlen(ch), n = 0;
    while (n + cl <= bytes) {
        memcpy(dst + n, ch, cl);
        n += cl;
    }
    while (n < bytes) dst[n++] = 'z';
    dst[n] = '\0';
}

static void test_longest_names_fit_in_a_query(void **state) {
    (void)state;
    assert_true(DISCOVERY_REPLY_MAX_BYTES <= DISCOVERY_QUERY_BYTES);
    const char *chars[] = {"W", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (size_t c = 0; c < 4; c++) {
        discovery_reply r = sample_reply(), back;
        r.nonce = 0xffffffffu;
        r.game_port = 65535;
        r.players = r.max_players = PROTO_MAX_PLAYERS;
        fill_name(r.name, PROTO_SERVER_NAME_MAX, chars[c]);
        fill_name(r.map, PROTO_MAP_NAME_MAX, chars[c]);
        assert_int_equal(strlen(r.name), PROTO_SERVER_NAME_MAX);
        uint8_t buf[DISCOVERY_QUERY_BYTES + 16];
        memset(buf, 0xee, sizeof buf);
        size_t n = discovery_encode_reply(buf, DISCOVERY_QUERY_BYTES, &r);
        assert_int_equal(n, DISCOVERY_REPLY_MAX_BYTES);
        assert_true(n <= DISCOVERY_QUERY_BYTES);
        for (size_t i = n; i < sizeof buf; i++) assert_int_equal(buf[i], 0xee);
        assert_true(discovery_decode_reply(buf, n, &back));
        assert_reply_equal(&back, &r); /* nothing was cut */
    }
}

/* True when `cut` is `full` or a prefix of it that ends between characters. */
static bool is_boundary_prefix(const char *cut, const char *full) {
    size_t n = strlen(cut);
    if (n == 0 || strncmp(cut, full, n) != 0) return false;
    unsigned char next = (unsigned char)full[n];
    return next == '\0' || (next & 0xc0) != 0x80;
}

static void test_reply_never_larger_than_buffer(void **state) {
    (void)state;
    const char *chars[] = {"W", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "a "};
    for (size_t c = 0; c < sizeof chars / sizeof chars[0]; c++) {
        discovery_reply r = sample_reply();
        fill_name(r.name, PROTO_SERVER_NAME_MAX, chars[c]);
        fill_name(r.map, PROTO_MAP_NAME_MAX, chars[(c + 1) % 4]);
        /* a clean original (the "a " pattern must not end in a space) */
        char clean_name[PROTO_SERVER_NAME_MAX + 1], clean_map[PROTO_MAP_NAME_MAX + 1];
        text_sanitize(r.name, clean_name, PROTO_SERVER_NAME_MAX);
        text_sanitize(r.map, clean_map, PROTO_MAP_NAME_MAX);
        for (size_t cap = 0; cap <= DISCOVERY_QUERY_BYTES + 40; cap++) {
            uint8_t buf[DISCOVERY_QUERY_BYTES + 64];
            memset(buf, 0xee, sizeof buf);
            size_t n = discovery_encode_reply(buf, cap, &r);
            if (n > cap || n > DISCOVERY_QUERY_BYTES) fail_msg("reply of %zu bytes for a %zu-byte buffer", n, cap);
            for (size_t i = cap < DISCOVERY_QUERY_BYTES ? cap : DISCOVERY_QUERY_BYTES; i < sizeof buf; i++)
                if (buf[i] != 0xee) fail_msg("cap %zu: byte %zu written", cap, i);
            if (cap >= DISCOVERY_REPLY_MAX_BYTES) assert_int_equal(n, DISCOVERY_REPLY_FIXED_BYTES +
                                                                          strlen(clean_name) + strlen(clean_map));
            if (cap < DISCOVERY_REPLY_FIXED_BYTES + 2) assert_int_equal(n, 0);
            if (n == 0) {
                /* only when not even one character of each name fits */
                assert_true(cap < DISCOVERY_REPLY_FIXED_BYTES + 2 * 4);
                continue;
            }
            discovery_reply back;
            if (!discovery_decode_reply(buf, n, &back)) fail_msg("cap %zu: reply not decodable", cap);
            if (!is_boundary_prefix(back.name, clean_name) || !is_boundary_prefix(back.map, clean_map))
                fail_msg("cap %zu: '%s' / '%s' not cut at a character boundary", cap, back.name, back.map);
            assert_true(text_is_clean(back.name, PROTO_SERVER_NAME_MAX));
            assert_true(text_is_clean(back.map, PROTO_MAP_NAME_MAX));
        }
    }
}

static void test_reply_cut_examples(void **state) {
    (void)state;
    discovery_reply r = sample_reply(), back;
    uint8_t buf[DISCOVERY_QUERY_BYTES];
    /* 7 bytes for names: the map keeps half (3), the name gets the rest (4),
     * which holds one 3-byte euro sign */
    snprintf(r.name, sizeof r.name, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
    snprintf(r.map, sizeof r.map, "Courtyard");
    size_t n = discovery_encode_reply(buf, DISCOVERY_REPLY_FIXED_BYTES + 7, &r);
    assert_int_equal(n, DISCOVERY_REPLY_FIXED_BYTES + 6);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_string_equal(back.name, "\xe2\x82\xac");
    assert_string_equal(back.map, "Cou");
    /* a short name leaves the map the rest */
    snprintf(r.name, sizeof r.name, "ab");
    n = discovery_encode_reply(buf, DISCOVERY_REPLY_FIXED_BYTES + 7, &r);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_string_equal(back.name, "ab");
    assert_string_equal(back.map, "Court");
    /* a cut never leaves a trailing space */
    snprintf(r.name, sizeof r.name, "LAN Arena");
    snprintf(r.map, sizeof r.map, "Big Map");
    n = discovery_encode_reply(buf, DISCOVERY_REPLY_FIXED_BYTES + 7, &r);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_string_equal(back.map, "Big");
    assert_string_equal(back.name, "LAN");
    n = discovery_encode_reply(buf, DISCOVERY_REPLY_FIXED_BYTES + 8, &r);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_string_equal(back.map, "Big");
    assert_string_equal(back.name, "LAN A");
    /* a 4-byte character that cannot fit: no reply rather than a broken one */
    snprintf(r.name, sizeof r.name, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
    snprintf(r.map, sizeof r.map, "M");
    assert_int_equal(discovery_encode_reply(buf, DISCOVERY_REPLY_FIXED_BYTES + 4, &r), 0);
    assert_int_equal(discovery_encode_reply(buf, DISCOVERY_REPLY_FIXED_BYTES + 1, &r), 0);
    n = discovery_encode_reply(buf, DISCOVERY_REPLY_FIXED_BYTES + 5, &r);
    assert_true(discovery_decode_reply(buf, n, &back));
    assert_string_equal(back.name, "\xf0\x9f\x98\x80");
    assert_string_equal(back.map, "M");
}

/* ---- seeded garbage -------------------------------------------------------- */

static uint32_t rng_state;
static uint32_t rng(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* Decodes buf both ways; anything accepted must re-encode identically.
 * Returns how many decoders accepted it. */
static int check_datagram(const uint8_t *buf, size_t len) {
    int accepted = 0;
    uint32_t nonce;
    if (discovery_decode_query(buf, len, &nonce)) {
        uint8_t again[DISCOVERY_QUERY_BYTES];
        assert_int_equal(discovery_encode_query(again, nonce), len);
        assert_memory_equal(again, buf, len);
        accepted++;
    }
    discovery_reply r;
    if (discovery_decode_reply(buf, len, &r)) {
        uint8_t again[DISCOVERY_QUERY_BYTES];
        assert_true(len <= DISCOVERY_QUERY_BYTES);
        size_t n = discovery_encode_reply(again, len, &r);
        assert_int_equal(n, len);
        assert_memory_equal(again, buf, len);
        accepted++;
    }
    return accepted;
}

static void test_random_garbage(void **state) {
    (void)state;
    rng_state = 0x2545f491u;
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t buf[DISCOVERY_QUERY_BYTES + 32];
        size_t len = rng() % sizeof buf;
        for (size_t k = 0; k < len; k++) buf[k] = (uint8_t)rng();
        /* half of them start with a real magic and version, to get further */
        if (i & 1 && len >= 5) {
            memcpy(buf, (i & 2) ? DISCOVERY_QUERY_MAGIC : DISCOVERY_REPLY_MAGIC, 4);
            buf[4] = (uint8_t)PROTO_VERSION;
        }
        accepted += check_datagram(buf, len);
    }
    print_message("garbage: %d of 20000 random datagrams accepted\n", accepted);
}

static void test_mutated_datagrams(void **state) {
    (void)state;
    rng_state = 0x9e3779b9u;
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t buf[DISCOVERY_QUERY_BYTES + 32];
        memset(buf, 0, sizeof buf);
        size_t len;
        if (i & 1) {
            len = discovery_encode_query(buf, rng());
        } else {
            discovery_reply r = sample_reply();
            r.nonce = rng();
            r.max_players = (uint16_t)(1 + rng() % PROTO_MAX_PLAYERS);
            r.players = (uint16_t)(rng() % (r.max_players + 1u));
            len = discovery_encode_reply(buf, DISCOVERY_QUERY_BYTES, &r);
        }
        int edits = 1 + (int)(rng() % 3);
        for (int e = 0; e < edits; e++) {
            switch (rng() % 4) {
            case 0: buf[rng() % len] ^= (uint8_t)(1u << (rng() % 8)); break;
            case 1: buf[rng() % len] = (uint8_t)rng(); break;
            case 2: len = rng() % (len + 1); break;                 /* cut */
            default: if (len < sizeof buf) buf[len++] = (uint8_t)(rng() % 3); break; /* grow */
            }
            if (len == 0) break;
        }
        accepted += check_datagram(buf, len);
    }
    print_message("mutations: %d of 20000 mutated datagrams accepted\n", accepted);
    assert_true(accepted > 0); /* the check above really ran on accepted input */
}

/* ---- token bucket ---------------------------------------------------------- */

static void test_bucket_burst_then_rate(void **state) {
    (void)state;
    ratelimit b;
    ratelimit_init(&b, 200.0, 200.0);
    double t = 1000.0;
    for (int i = 0; i < 200; i++) assert_true(ratelimit_allow(&b, t));
    assert_false(ratelimit_allow(&b, t));
    assert_false(ratelimit_allow(&b, t + 0.004)); /* 0.8 token */
    assert_true(ratelimit_allow(&b, t + 0.006));  /* 1.2 tokens */
    assert_false(ratelimit_allow(&b, t + 0.006)); /* 0.2 left */
    /* a flood: 100 tries per millisecond for 10 s gets the rate, no more */
    t += 0.006;
    int allowed = 0;
    for (int ms = 1; ms <= 10000; ms++)
        for (int k = 0; k < 100; k++) allowed += ratelimit_allow(&b, t + ms / 1000.0);
    if (allowed < 1999 || allowed > 2001) fail_msg("allowed %d in 10 s at 200/s", allowed);
}

static void test_bucket_caps_and_clock(void **state) {
    (void)state;
    ratelimit b;
    ratelimit_init(&b, DISCOVERY_REPLY_BURST, DISCOVERY_REPLY_RATE);
    /* the first call only starts the clock: the bucket is full */
    int n = 0;
    while (ratelimit_allow(&b, 5.0)) n++;
    assert_int_equal(n, (int)DISCOVERY_REPLY_BURST);
    /* time running backwards adds nothing */
    assert_false(ratelimit_allow(&b, 4.0));
    assert_false(ratelimit_allow(&b, 5.0));
    /* a long quiet spell refills to the burst, never beyond */
    n = 0;
    while (ratelimit_allow(&b, 500.0)) n++;
    assert_int_equal(n, (int)DISCOVERY_REPLY_BURST);
    /* one simulated second of a 10 kHz query flood: burst + rate at most */
    ratelimit_init(&b, DISCOVERY_REPLY_BURST, DISCOVERY_REPLY_RATE);
    n = 0;
    for (int i = 0; i < 10000; i++) n += ratelimit_allow(&b, 100.0 + i / 10000.0);
    if (n > (int)(DISCOVERY_REPLY_BURST + DISCOVERY_REPLY_RATE) + 1 || n < (int)(DISCOVERY_REPLY_BURST + DISCOVERY_REPLY_RATE) - 1)
        fail_msg("%d replies allowed in one flooded second", n);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_layout_and_round_trip),
        cmocka_unit_test(test_query_wrong_sizes_refused),
        cmocka_unit_test(test_query_padding_must_be_zero),
        cmocka_unit_test(test_query_wrong_magic_or_version),
        cmocka_unit_test(test_reply_layout_and_round_trip),
        cmocka_unit_test(test_reply_truncated_and_trailing_refused),
        cmocka_unit_test(test_reply_wrong_magic_version_range),
        cmocka_unit_test(test_reply_names_must_be_clean),
        cmocka_unit_test(test_longest_names_fit_in_a_query),
        cmocka_unit_test(test_reply_never_larger_than_buffer),
        cmocka_unit_test(test_reply_cut_examples),
        cmocka_unit_test(test_random_garbage),
        cmocka_unit_test(test_mutated_datagrams),
        cmocka_unit_test(test_bucket_burst_then_rate),
        cmocka_unit_test(test_bucket_caps_and_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
