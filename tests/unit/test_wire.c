/* test_wire.c - shared/wire.c: the bounds-checked little-endian writer/reader.
 *
 * Covers: round trips of every field type, the exact little-endian byte
 * layout, sticky writer overflow (len frozen after the first failure),
 * sticky reader truncation at every possible length (reads yield 0), and the
 * string rules (too long refused, embedded NUL refused, empty allowed).
 * u24 (positions on the wire): round trip of edge values, 3-byte layout,
 * only the low 24 bits written, truncation and exact-fit behaviour.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "wire.h"

/* Writes one of each field type; returns the byte count. */
static size_t write_sample(wire_writer *w) {
    wire_write_u8(w, 0xa5);
    wire_write_u16(w, 0xbeef);
    wire_write_u32(w, 0xdeadbeefu);
    wire_write_u24(w, 0x07c0deu);
    wire_write_i16(w, -2);
    wire_write_bytes(w, "xyz", 3);
    wire_write_str(w, "hello", 16);
    return w->len;
}

/* The bytes write_sample must produce, little-endian throughout. */
static const uint8_t SAMPLE_BYTES[] = {
    0xa5,                   /* u8                 */
    0xef, 0xbe,             /* u16 0xbeef         */
    0xef, 0xbe, 0xad, 0xde, /* u32 0xdeadbeef     */
    0xde, 0xc0, 0x07,       /* u24 0x07c0de       */
    0xfe, 0xff,             /* i16 -2             */
    'x', 'y', 'z',          /* bytes              */
    5, 'h', 'e', 'l', 'l', 'o' /* str: u8 len | bytes */
};

static void test_round_trip_all_types(void **state) {
    (void)state;
    uint8_t buf[64];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    size_t n = write_sample(&w);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(n, sizeof SAMPLE_BYTES);

    wire_reader r;
    wire_reader_init(&r, buf, n);
    assert_int_equal(wire_read_u8(&r), 0xa5);
    assert_int_equal(wire_read_u16(&r), 0xbeef);
    assert_int_equal(wire_read_u32(&r), 0xdeadbeefu);
    assert_int_equal(wire_read_u24(&r), 0x07c0deu);
    assert_int_equal(wire_read_i16(&r), -2);
    char bytes[3];
    wire_read_bytes(&r, bytes, 3);
    assert_memory_equal(bytes, "xyz", 3);
    char s[17];
    wire_read_str(&r, s, 16);
    assert_string_equal(s, "hello");
    assert_true(wire_reader_ok(&r));
    assert_int_equal(wire_reader_remaining(&r), 0);
}

static void test_extreme_values(void **state) {
    (void)state;
    uint8_t buf[32];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_write_u8(&w, 0);
    wire_write_u8(&w, 255);
    wire_write_u16(&w, 0);
    wire_write_u16(&w, 65535);
    wire_write_u32(&w, 0);
    wire_write_u32(&w, 0xffffffffu);
    wire_write_i16(&w, INT16_MIN);
    wire_write_i16(&w, INT16_MAX);
    wire_write_i16(&w, 0);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, 2 + 4 + 8 + 6);

    wire_reader r;
    wire_reader_init(&r, buf, w.len);
    assert_int_equal(wire_read_u8(&r), 0);
    assert_int_equal(wire_read_u8(&r), 255);
    assert_int_equal(wire_read_u16(&r), 0);
    assert_int_equal(wire_read_u16(&r), 65535);
    assert_int_equal(wire_read_u32(&r), 0);
    assert_int_equal(wire_read_u32(&r), 0xffffffffu);
    assert_int_equal(wire_read_i16(&r), INT16_MIN);
    assert_int_equal(wire_read_i16(&r), INT16_MAX);
    assert_int_equal(wire_read_i16(&r), 0);
    assert_true(wire_reader_ok(&r));
    assert_int_equal(wire_reader_remaining(&r), 0);
}

static void test_little_endian_layout(void **state) {
    (void)state;
    uint8_t buf[64];
    memset(buf, 0xcc, sizeof buf);
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    size_t n = write_sample(&w);
    assert_int_equal(n, sizeof SAMPLE_BYTES);
    assert_memory_equal(buf, SAMPLE_BYTES, sizeof SAMPLE_BYTES);
    assert_int_equal(buf[n], 0xcc); /* nothing written past len */

    /* i16 minimum and a u32 with distinct bytes, checked individually. */
    wire_writer_init(&w, buf, sizeof buf);
    wire_write_i16(&w, INT16_MIN);
    wire_write_u32(&w, 0x04030201u);
    const uint8_t expect[] = {0x00, 0x80, 0x01, 0x02, 0x03, 0x04};
    assert_int_equal(w.len, sizeof expect);
    assert_memory_equal(buf, expect, sizeof expect);

    /* Reading literal bytes decodes little-endian too. */
    wire_reader r;
    const uint8_t in[] = {0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x00, 0x80};
    wire_reader_init(&r, in, sizeof in);
    assert_int_equal(wire_read_u16(&r), 0x1234);
    assert_int_equal(wire_read_u32(&r), 0x12345678u);
    assert_int_equal(wire_read_i16(&r), INT16_MIN);
    assert_true(wire_reader_ok(&r));
}

static void test_u24_round_trip_and_layout(void **state) {
    (void)state;
    /* every byte position matters: edges, each byte alone, the sign-bit
     * pattern of 24 bits, and a 19-bit boundary (0x07ffff, 0x080000) */
    const uint32_t vals[] = {0, 1, 0xff, 0x100, 0xffff, 0x10000, 0x7fffff, 0x800000,
                             0x07ffff, 0x080000, 0xfffffe, 0xffffff, 0x123456};
    const size_t nvals = sizeof vals / sizeof vals[0];
    uint8_t buf[3 * 13 + 8];
    memset(buf, 0xcc, sizeof buf);
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    for (size_t i = 0; i < nvals; i++) wire_write_u24(&w, vals[i]);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, 3 * nvals);
    assert_int_equal(buf[3 * nvals], 0xcc); /* nothing past len */
    for (size_t i = 0; i < nvals; i++) { /* low byte first, 3 bytes each */
        assert_int_equal(buf[3 * i], vals[i] & 0xff);
        assert_int_equal(buf[3 * i + 1], (vals[i] >> 8) & 0xff);
        assert_int_equal(buf[3 * i + 2], (vals[i] >> 16) & 0xff);
    }
    wire_reader r;
    wire_reader_init(&r, buf, w.len);
    for (size_t i = 0; i < nvals; i++) assert_int_equal(wire_read_u24(&r), vals[i]);
    assert_true(wire_reader_ok(&r));
    assert_int_equal(wire_reader_remaining(&r), 0);

    /* literal layout, mixed with neighbours of other widths; only the low
     * 24 bits of the argument are written */
    wire_writer_init(&w, buf, sizeof buf);
    wire_write_u8(&w, 0xaa);
    wire_write_u24(&w, 0x123456u);
    wire_write_u24(&w, 0xff07ffffu); /* high byte dropped: 0x07ffff */
    wire_write_u24(&w, 0x01000000u); /* only bit 24 set: writes 0   */
    wire_write_u16(&w, 0xbbcc);
    const uint8_t expect[] = {0xaa, 0x56, 0x34, 0x12, 0xff, 0xff, 0x07, 0x00, 0x00, 0x00, 0xcc, 0xbb};
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, sizeof expect);
    assert_memory_equal(buf, expect, sizeof expect);

    /* reading literal bytes: the top byte of the result is always 0 */
    const uint8_t in[] = {0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0x00, 0x00, 0x80};
    wire_reader_init(&r, in, sizeof in);
    assert_int_equal(wire_read_u24(&r), 0x030201u);
    assert_int_equal(wire_read_u24(&r), 0xffffffu);
    assert_int_equal(wire_read_u24(&r), 0x800000u);
    assert_true(wire_reader_ok(&r));
    assert_int_equal(wire_reader_remaining(&r), 0);

    /* fewer than 3 bytes: fails, yields 0, and is sticky */
    for (size_t len = 0; len < 3; len++) {
        wire_reader_init(&r, in, len);
        assert_int_equal(wire_read_u24(&r), 0);
        assert_false(wire_reader_ok(&r));
        assert_int_equal(wire_reader_remaining(&r), 0);
        assert_int_equal(wire_read_u8(&r), 0);
    }
    /* 4 bytes: one u24 reads, the next fails although a byte is left */
    wire_reader_init(&r, in, 4);
    assert_int_equal(wire_read_u24(&r), 0x030201u);
    assert_int_equal(wire_reader_remaining(&r), 1);
    assert_int_equal(wire_read_u24(&r), 0);
    assert_false(wire_reader_ok(&r));

    /* writer: exactly 3 bytes fit; 2 bytes of room write nothing */
    for (size_t cap = 0; cap <= 3; cap++) {
        memset(buf, 0xcc, sizeof buf);
        wire_writer_init(&w, buf, cap);
        wire_write_u24(&w, 0x654321u);
        if (cap == 3) {
            assert_true(wire_writer_ok(&w));
            assert_int_equal(w.len, 3);
            assert_memory_equal(buf, "\x21\x43\x65", 3);
            wire_write_u8(&w, 0); /* full now */
            assert_false(wire_writer_ok(&w));
            assert_int_equal(w.len, 3);
        } else {
            assert_false(wire_writer_ok(&w));
            assert_int_equal(w.len, 0);
        }
        for (size_t i = cap == 3 ? 3 : 0; i < 6; i++) assert_int_equal(buf[i], 0xcc); /* nothing else touched */
    }
}

static void test_writer_exact_fit(void **state) {
    (void)state;
    uint8_t buf[sizeof SAMPLE_BYTES];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    assert_int_equal(write_sample(&w), sizeof SAMPLE_BYTES);
    assert_true(wire_writer_ok(&w));
    assert_memory_equal(buf, SAMPLE_BYTES, sizeof SAMPLE_BYTES);
    /* Full: even one more byte overflows. */
    wire_write_u8(&w, 1);
    assert_false(wire_writer_ok(&w));
    assert_int_equal(w.len, sizeof SAMPLE_BYTES);
}

/* For every capacity below the sample size the writer fails, keeps the
 * length it had before the failing write, and never writes past cap. */
static void test_writer_overflow_every_cap(void **state) {
    (void)state;
    for (size_t cap = 0; cap < sizeof SAMPLE_BYTES; cap++) {
        uint8_t buf[sizeof SAMPLE_BYTES + 8];
        memset(buf, 0xcc, sizeof buf);
        wire_writer w;
        wire_writer_init(&w, buf, cap);
        size_t n = write_sample(&w);
        assert_false(wire_writer_ok(&w));
        assert_true(n <= cap);
        assert_memory_equal(buf, SAMPLE_BYTES, n); /* prefix is correct */
        for (size_t i = cap; i < sizeof buf; i++) assert_int_equal(buf[i], 0xcc);
    }
}

static void test_writer_overflow_sticky(void **state) {
    (void)state;
    uint8_t buf[8];
    memset(buf, 0xcc, sizeof buf);
    wire_writer w;
    wire_writer_init(&w, buf, 5);
    wire_write_u32(&w, 0x11223344u);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, 4);
    wire_write_u16(&w, 0xaaaa); /* needs 2, only 1 left: fails */
    assert_false(wire_writer_ok(&w));
    assert_int_equal(w.len, 4);
    /* A write that would fit on its own still does nothing now. */
    wire_write_u8(&w, 0x55);
    wire_write_bytes(&w, "", 0);
    wire_write_str(&w, "", 4);
    assert_false(wire_writer_ok(&w));
    assert_int_equal(w.len, 4);
    assert_int_equal(buf[4], 0xcc);
    /* Zero-length writes on a healthy writer succeed. */
    wire_writer_init(&w, buf, 0);
    wire_write_bytes(&w, "abc", 0);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, 0);
}

/* Truncating the sample at every length: the reader fails, stays failed,
 * and every read after the failure yields 0 / empty. */
static void test_reader_truncation_every_length(void **state) {
    (void)state;
    for (size_t len = 0; len < sizeof SAMPLE_BYTES; len++) {
        wire_reader r;
        wire_reader_init(&r, SAMPLE_BYTES, len);
        uint8_t a = wire_read_u8(&r);
        uint16_t b = wire_read_u16(&r);
        uint32_t c = wire_read_u32(&r);
        uint32_t c24 = wire_read_u24(&r);
        int16_t d = wire_read_i16(&r);
        char bytes[3];
        wire_read_bytes(&r, bytes, 3);
        char s[17];
        memset(s, 'q', sizeof s);
        wire_read_str(&r, s, 16);
        assert_false(wire_reader_ok(&r));
        assert_int_equal(wire_reader_remaining(&r), 0);
        assert_string_equal(s, ""); /* the string is never complete */
        /* Each field is either complete and right, or past the cut and 0. */
        assert_true(a == (len >= 1 ? 0xa5 : 0));
        assert_true(b == (len >= 3 ? 0xbeef : 0));
        assert_true(c == (len >= 7 ? 0xdeadbeefu : 0));
        assert_true(c24 == (len >= 10 ? 0x07c0deu : 0));
        assert_true(d == (len >= 12 ? -2 : 0));
        if (len >= 15) assert_memory_equal(bytes, "xyz", 3);
        else assert_memory_equal(bytes, "\0\0\0", 3);
        /* Sticky: more reads keep yielding 0 even though bytes exist. */
        assert_int_equal(wire_read_u8(&r), 0);
        assert_int_equal(wire_read_u16(&r), 0);
        assert_int_equal(wire_read_u32(&r), 0);
        assert_int_equal(wire_read_u24(&r), 0);
        assert_false(wire_reader_ok(&r));
    }
}

static void test_reader_sticky_after_failure(void **state) {
    (void)state;
    const uint8_t in[] = {1, 2, 3};
    wire_reader r;
    wire_reader_init(&r, in, sizeof in);
    assert_int_equal(wire_read_u32(&r), 0); /* needs 4, has 3 */
    assert_false(wire_reader_ok(&r));
    /* Bytes are there, but the reader refuses everything after a failure. */
    assert_int_equal(wire_read_u8(&r), 0);
    assert_false(wire_reader_ok(&r));

    /* A NULL buffer reads as empty. */
    wire_reader_init(&r, NULL, 10);
    assert_int_equal(wire_reader_remaining(&r), 0);
    assert_int_equal(wire_read_u8(&r), 0);
    assert_false(wire_reader_ok(&r));

    /* wire_reader_fail marks a healthy reader failed. */
    wire_reader_init(&r, in, sizeof in);
    assert_int_equal(wire_read_u8(&r), 1);
    wire_reader_fail(&r);
    assert_false(wire_reader_ok(&r));
    assert_int_equal(wire_read_u8(&r), 0);
}

static void test_str_max_length(void **state) {
    (void)state;
    uint8_t buf[64];
    wire_writer w;

    /* Exactly max is fine. */
    wire_writer_init(&w, buf, sizeof buf);
    wire_write_str(&w, "abcd", 4);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, 5);

    /* One over max is refused and nothing is written. */
    wire_writer_init(&w, buf, sizeof buf);
    wire_write_str(&w, "abcde", 4);
    assert_false(wire_writer_ok(&w));
    assert_int_equal(w.len, 0);

    /* A u8 length cannot carry 256 bytes whatever max says. */
    char big[257];
    memset(big, 'a', 256);
    big[256] = '\0';
    uint8_t large[300];
    wire_writer_init(&w, large, sizeof large);
    wire_write_str(&w, big, 1000);
    assert_false(wire_writer_ok(&w));
    big[255] = '\0';
    wire_writer_init(&w, large, sizeof large);
    wire_write_str(&w, big, 1000);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, 256);
    assert_int_equal(large[0], 255);

    /* Reader: length byte above max is refused, dst left empty. */
    const uint8_t in[] = {5, 'a', 'b', 'c', 'd', 'e'};
    char s[8];
    wire_reader r;
    wire_reader_init(&r, in, sizeof in);
    wire_read_str(&r, s, 4);
    assert_false(wire_reader_ok(&r));
    assert_string_equal(s, "");
    wire_reader_init(&r, in, sizeof in);
    wire_read_str(&r, s, 5);
    assert_true(wire_reader_ok(&r));
    assert_string_equal(s, "abcde");
}

static void test_str_nul_refused(void **state) {
    (void)state;
    const uint8_t mid[] = {3, 'a', 0, 'b'};
    const uint8_t end[] = {3, 'a', 'b', 0};
    const uint8_t only[] = {1, 0};
    const uint8_t *cases[] = {mid, end, only};
    const size_t lens[] = {sizeof mid, sizeof end, sizeof only};
    for (int i = 0; i < 3; i++) {
        char s[8];
        wire_reader r;
        wire_reader_init(&r, cases[i], lens[i]);
        wire_read_str(&r, s, 7);
        assert_false(wire_reader_ok(&r));
        assert_string_equal(s, "");
    }
}

static void test_str_empty_ok(void **state) {
    (void)state;
    uint8_t buf[4];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_write_str(&w, "", 0);
    wire_write_str(&w, "", 16);
    assert_true(wire_writer_ok(&w));
    assert_int_equal(w.len, 2);
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[1], 0);

    wire_reader r;
    wire_reader_init(&r, buf, 2);
    char s[4] = "zzz";
    wire_read_str(&r, s, 0);
    assert_true(wire_reader_ok(&r));
    assert_string_equal(s, "");
    strcpy(s, "zzz");
    wire_read_str(&r, s, 3);
    assert_true(wire_reader_ok(&r));
    assert_string_equal(s, "");
    assert_int_equal(wire_reader_remaining(&r), 0);
}

static void test_str_truncated_body(void **state) {
    (void)state;
    const uint8_t in[] = {4, 'a', 'b'};
    wire_reader r;
    char s[8];
    wire_reader_init(&r, in, sizeof in);
    wire_read_str(&r, s, 7);
    assert_false(wire_reader_ok(&r));
    assert_string_equal(s, "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_all_types),
        cmocka_unit_test(test_extreme_values),
        cmocka_unit_test(test_little_endian_layout),
        cmocka_unit_test(test_u24_round_trip_and_layout),
        cmocka_unit_test(test_writer_exact_fit),
        cmocka_unit_test(test_writer_overflow_every_cap),
        cmocka_unit_test(test_writer_overflow_sticky),
        cmocka_unit_test(test_reader_truncation_every_length),
        cmocka_unit_test(test_reader_sticky_after_failure),
        cmocka_unit_test(test_str_max_length),
        cmocka_unit_test(test_str_nul_refused),
        cmocka_unit_test(test_str_empty_ok),
        cmocka_unit_test(test_str_truncated_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
