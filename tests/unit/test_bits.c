/* test_bits.c - shared/bits.c: the bit-level writer and reader.
 *
 * Covers: bits_write/bits_read round trips for every width 1..32 at every
 * bit offset 0..7 (with neighbours on both sides left intact and the high
 * bits of the value ignored); the LSB-first layout against literal bytes;
 * the sticky overflow of the writer and over-read of the reader; bucket
 * codes (each selector chosen exactly at its boundaries, the literal
 * selector bits, a value too large for widths[3] overflowing); zigzag
 * mapping and its round trip including INT32_MIN/INT32_MAX; and
 * bits_reader_at_end, false while bits are unread or the padding holds a
 * set bit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bits.h"

static uint32_t mask_of(int n) { return n >= 32 ? 0xffffffffu : (1u << n) - 1u; }

/* ---- round trips ---------------------------------------------------------- */

static void test_round_trip_every_width_and_offset(void **state) {
    (void)state;
    const uint32_t values[] = {0u, 0xffffffffu, 0xa5a5a5a5u, 0x5a5a5a5au, 0x80000001u, 0x12345678u, 1u};
    for (int off = 0; off < 8; off++) {
        for (int n = 1; n <= 32; n++) {
            for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
                /* the value as given has bits above n set: only the low n
                 * bits may travel; plus the top bit of the field alone */
                uint32_t vals[2] = {values[k], 1u << (n - 1)};
                for (int j = 0; j < 2; j++) {
                    uint32_t v = vals[j];
                    uint8_t buf[16];
                    bit_writer w;
                    bits_writer_init(&w, buf, sizeof buf);
                    const uint32_t prefix = 0x55u & mask_of(off);
                    bits_write(&w, prefix, off);
                    bits_write(&w, v, n);
                    bits_write(&w, 0x5u, 3); /* trailer 101 */
                    assert_true(bits_writer_ok(&w));
                    assert_int_equal(w.bitpos, (size_t)(off + n + 3));
                    assert_int_equal(bits_writer_bytes(&w), (size_t)(off + n + 3 + 7) / 8);
                    /* nothing written past the used bits */
                    for (size_t b = w.bitpos; b < sizeof buf * 8; b++)
                        if (buf[b / 8] & (1u << (b % 8))) fail_msg("off %d n %d: stray bit %zu", off, n, b);

                    bit_reader r;
                    bits_reader_init(&r, buf, bits_writer_bytes(&w));
                    assert_int_equal(bits_read(&r, off), prefix);
                    uint32_t got = bits_read(&r, n);
                    if (got != (v & mask_of(n)))
                        fail_msg("off %d n %d: wrote 0x%08x, read 0x%08x", off, n, v & mask_of(n), got);
                    assert_int_equal(bits_read(&r, 3), 0x5u);
                    assert_true(bits_reader_ok(&r));
                    assert_true(bits_reader_at_end(&r));
                }
            }
        }
    }
}

static void test_zero_width_is_a_no_op(void **state) {
    (void)state;
    uint8_t buf[2];
    bit_writer w;
    bits_writer_init(&w, buf, sizeof buf);
    bits_write(&w, 0xffffffffu, 0);
    assert_int_equal(w.bitpos, 0);
    assert_int_equal(bits_writer_bytes(&w), 0);
    assert_int_equal(buf[0], 0);
    bit_reader r;
    bits_reader_init(&r, buf, 0);
    assert_int_equal(bits_read(&r, 0), 0);
    assert_true(bits_reader_ok(&r));
    assert_true(bits_reader_at_end(&r));
    /* init clears the whole buffer */
    memset(buf, 0xff, sizeof buf);
    bits_writer_init(&w, buf, sizeof buf);
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[1], 0);
}

/* ---- layout ---------------------------------------------------------------- */

static void test_lsb_first_layout(void **state) {
    (void)state;
    uint8_t buf[8];
    memset(buf, 0xee, sizeof buf);
    bit_writer w;
    bits_writer_init(&w, buf, sizeof buf);
    bits_write(&w, 0x5u, 3);         /* bits 0..2: 1 0 1          */
    bits_write(&w, 0x1fu, 5);        /* bits 3..7: 1 1 1 1 1      */
    bits_write(&w, 0xabcu, 12);      /* byte 1 = 0xbc, low nibble of byte 2 = 0xa */
    bits_write(&w, 0x12345678u, 32); /* from bit 20 */
    bits_write(&w, 1u, 1);           /* bit 52 */
    assert_true(bits_writer_ok(&w));
    assert_int_equal(w.bitpos, 53);
    assert_int_equal(bits_writer_bytes(&w), 7);
    const uint8_t expect[7] = {0xfd, 0xbc, 0x8a, 0x67, 0x45, 0x23, 0x11};
    assert_memory_equal(buf, expect, sizeof expect);
    assert_int_equal(buf[7], 0); /* cleared by init, not written */

    /* reading the literal bytes in other widths */
    bit_reader r;
    bits_reader_init(&r, expect, sizeof expect);
    assert_int_equal(bits_read(&r, 1), 1);
    assert_int_equal(bits_read(&r, 1), 0);
    assert_int_equal(bits_read(&r, 6), 0x3f);        /* 1 then 11111 */
    assert_int_equal(bits_read(&r, 16), 0x8abc);     /* bytes 1 and 2 */
    assert_int_equal(bits_read(&r, 28), 0x1234567u); /* bits 24..51 */
    assert_int_equal(bits_read(&r, 1), 1);            /* bit 52 */
    assert_true(bits_reader_ok(&r));
    assert_true(bits_reader_at_end(&r));

    /* a single bit at each position of a byte */
    for (int b = 0; b < 8; b++) {
        uint8_t one[1];
        bits_writer_init(&w, one, 1);
        bits_write(&w, 0, b);
        bits_write(&w, 1, 1);
        assert_int_equal(one[0], 1u << b);
    }
}

/* ---- sticky errors ----------------------------------------------------------- */

static void test_writer_overflow_is_sticky(void **state) {
    (void)state;
    uint8_t buf[4];
    memset(buf, 0xee, sizeof buf);
    bit_writer w;
    bits_writer_init(&w, buf, 2);
    assert_int_equal(buf[2], 0xee); /* init clears only cap bytes */
    bits_write(&w, 0x3ffu, 10);
    assert_true(bits_writer_ok(&w));
    bits_write(&w, 0x7fu, 7); /* 17 bits > 16 */
    assert_false(bits_writer_ok(&w));
    assert_int_equal(w.bitpos, 10);
    bits_write(&w, 1u, 1); /* would fit, but the error is sticky */
    assert_false(bits_writer_ok(&w));
    assert_int_equal(w.bitpos, 10);
    assert_int_equal(buf[0], 0xff);
    assert_int_equal(buf[1], 0x03); /* nothing of the refused writes */
    assert_int_equal(buf[2], 0xee);
    assert_int_equal(buf[3], 0xee);

    /* exactly full is fine; one more bit is not */
    bits_writer_init(&w, buf, 2);
    bits_write(&w, 0xffffu, 16);
    assert_true(bits_writer_ok(&w));
    bits_write(&w, 0u, 1);
    assert_false(bits_writer_ok(&w));
    assert_int_equal(buf[2], 0xee);

    /* a zero-capacity writer refuses the first bit */
    bits_writer_init(&w, NULL, 0);
    bits_write(&w, 0u, 0);
    assert_true(bits_writer_ok(&w));
    bits_write(&w, 0u, 1);
    assert_false(bits_writer_ok(&w));
    assert_int_equal(bits_writer_bytes(&w), 0);

    /* 32 bits into 3 bytes */
    bits_writer_init(&w, buf, 3);
    bits_write(&w, 0xffffffffu, 32);
    assert_false(bits_writer_ok(&w));
    assert_int_equal(w.bitpos, 0);
}

static void test_reader_over_read_is_sticky(void **state) {
    (void)state;
    const uint8_t in[2] = {0xff, 0xff};
    bit_reader r;
    bits_reader_init(&r, in, sizeof in);
    assert_int_equal(bits_read(&r, 10), 0x3ff);
    assert_int_equal(bits_read(&r, 7), 0); /* 17 > 16 */
    assert_false(bits_reader_ok(&r));
    assert_int_equal(r.bitpos, 10);
    assert_int_equal(bits_read(&r, 1), 0); /* would be there, but sticky */
    assert_int_equal(bits_read(&r, 6), 0);
    assert_false(bits_reader_ok(&r));
    assert_false(bits_reader_at_end(&r));

    /* exactly to the end is fine */
    bits_reader_init(&r, in, sizeof in);
    assert_int_equal(bits_read(&r, 16), 0xffff);
    assert_true(bits_reader_ok(&r));
    assert_int_equal(bits_read(&r, 1), 0);
    assert_false(bits_reader_ok(&r));

    /* more than 32 bits at once is an error */
    const uint8_t big[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    bits_reader_init(&r, big, sizeof big);
    assert_int_equal(bits_read(&r, 33), 0);
    assert_false(bits_reader_ok(&r));
    bits_reader_init(&r, big, sizeof big);
    assert_int_equal(bits_read(&r, 32), 0x04030201u);
    assert_true(bits_reader_ok(&r));

    /* a NULL buffer reads as empty whatever the length says */
    bits_reader_init(&r, NULL, 5);
    assert_int_equal(r.len, 0);
    assert_int_equal(bits_read(&r, 1), 0);
    assert_false(bits_reader_ok(&r));
}

/* ---- bucket codes ---------------------------------------------------------------- */

static void check_bucket(const uint8_t widths[4], uint32_t v, uint32_t want_sel) {
    uint8_t buf[8];
    bit_writer w;
    bits_writer_init(&w, buf, sizeof buf);
    bits_write(&w, 1u, 1); /* start off the byte boundary */
    bits_write_bucket(&w, v, widths);
    bits_write(&w, 1u, 1);
    if (!bits_writer_ok(&w)) fail_msg("bucket of %u overflowed", v);
    if (w.bitpos != (size_t)(2 + 2 + widths[want_sel]))
        fail_msg("bucket of %u: %zu bits, want selector %u (%d bits)", v, w.bitpos, want_sel, 2 + widths[want_sel]);
    bit_reader r;
    bits_reader_init(&r, buf, bits_writer_bytes(&w));
    assert_int_equal(bits_read(&r, 1), 1);
    assert_int_equal(bits_read(&r, 2), want_sel); /* the selector comes first */
    assert_int_equal(bits_read(&r, widths[want_sel]), v);
    assert_int_equal(bits_read(&r, 1), 1);
    assert_true(bits_reader_ok(&r));
    /* and bits_read_bucket gives it back */
    bits_reader_init(&r, buf, bits_writer_bytes(&w));
    bits_read(&r, 1);
    assert_int_equal(bits_read_bucket(&r, widths), v);
    assert_int_equal(bits_read(&r, 1), 1);
    assert_true(bits_reader_ok(&r));
    assert_true(bits_reader_at_end(&r));
}

static void test_bucket_selection(void **state) {
    (void)state;
    const uint8_t w0[4] = {0, 4, 8, 16};
    check_bucket(w0, 0, 0);
    check_bucket(w0, 1, 1);
    check_bucket(w0, 15, 1);
    check_bucket(w0, 16, 2);
    check_bucket(w0, 255, 2);
    check_bucket(w0, 256, 3);
    check_bucket(w0, 65535, 3);

    const uint8_t w1[4] = {4, 7, 10, 16};
    check_bucket(w1, 0, 0);
    check_bucket(w1, 15, 0);
    check_bucket(w1, 16, 1);
    check_bucket(w1, 127, 1);
    check_bucket(w1, 128, 2);
    check_bucket(w1, 1023, 2);
    check_bucket(w1, 1024, 3);
    check_bucket(w1, 65535, 3);

    const uint8_t w2[4] = {0, 4, 8, 32};
    check_bucket(w2, 256, 3);
    check_bucket(w2, 0xffffffffu, 3);
    check_bucket(w2, 0x80000000u, 3);

    const uint8_t w3[4] = {3, 8, 13, 22};
    check_bucket(w3, 7, 0);
    check_bucket(w3, 8, 1);
    check_bucket(w3, 8191, 2);
    check_bucket(w3, 8192, 3);
    check_bucket(w3, (1u << 22) - 1u, 3);
}

static void test_bucket_too_large_overflows(void **state) {
    (void)state;
    const uint8_t widths[4] = {0, 4, 8, 16};
    uint8_t buf[8];
    bit_writer w;
    bits_writer_init(&w, buf, sizeof buf);
    bits_write_bucket(&w, 65536, widths);
    assert_false(bits_writer_ok(&w));
    assert_int_equal(w.bitpos, 0); /* nothing written, not even the selector */
    bits_write_bucket(&w, 0, widths); /* sticky */
    assert_false(bits_writer_ok(&w));
    assert_int_equal(w.bitpos, 0);

    bits_writer_init(&w, buf, sizeof buf);
    bits_write_bucket(&w, 0xffffffffu, widths);
    assert_false(bits_writer_ok(&w));

    /* a bucket that fits the code but not the buffer is an overflow too */
    bits_writer_init(&w, buf, 2);
    bits_write_bucket(&w, 65535, widths); /* 18 bits */
    assert_false(bits_writer_ok(&w));

    /* reading a bucket past the end */
    const uint8_t in[1] = {0x03}; /* selector 3: 16 more bits that are not there */
    bit_reader r;
    bits_reader_init(&r, in, sizeof in);
    assert_int_equal(bits_read_bucket(&r, widths), 0);
    assert_false(bits_reader_ok(&r));
    /* selector 0 with width 0 needs just the two bits */
    const uint8_t zero[1] = {0x00};
    bits_reader_init(&r, zero, sizeof zero);
    assert_int_equal(bits_read_bucket(&r, widths), 0);
    assert_true(bits_reader_ok(&r));
    assert_int_equal(r.bitpos, 2);
    assert_true(bits_reader_at_end(&r));
}

/* ---- zigzag ------------------------------------------------------------------------ */

static void test_zigzag(void **state) {
    (void)state;
    const struct {
        int32_t s;
        uint32_t u;
    } table[] = {
        {0, 0},         {-1, 1},          {1, 2},           {-2, 3}, {2, 4}, {-64, 127}, {64, 128},
        {INT32_MAX, 0xfffffffeu}, {INT32_MIN, 0xffffffffu}, {INT32_MIN + 1, 0xfffffffdu},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (bits_zigzag(table[i].s) != table[i].u)
            fail_msg("zigzag(%d) = %u, want %u", table[i].s, bits_zigzag(table[i].s), table[i].u);
        assert_int_equal(bits_unzigzag(table[i].u), table[i].s);
    }
    for (int32_t v = -70000; v <= 70000; v++) {
        uint32_t u = bits_zigzag(v);
        if (bits_unzigzag(u) != v) fail_msg("zigzag round trip of %d", v);
        /* small magnitudes stay small: u = 2|v| - (v < 0) */
        assert_true(u == (v >= 0 ? 2u * (uint32_t)v : 2u * (uint32_t)(-(int64_t)v) - 1u));
    }
    for (uint32_t u = 0xffff0000u; u != 0; u++) assert_int_equal(bits_zigzag(bits_unzigzag(u)), u);
    /* through the wire in a 32-bit bucket */
    const uint8_t widths[4] = {4, 8, 16, 32};
    const int32_t vals[] = {INT32_MIN, INT32_MAX, -1, 0, 7, -8, 8};
    uint8_t buf[64];
    bit_writer w;
    bits_writer_init(&w, buf, sizeof buf);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) bits_write_bucket(&w, bits_zigzag(vals[i]), widths);
    assert_true(bits_writer_ok(&w));
    bit_reader r;
    bits_reader_init(&r, buf, bits_writer_bytes(&w));
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        assert_int_equal(bits_unzigzag(bits_read_bucket(&r, widths)), vals[i]);
    assert_true(bits_reader_ok(&r));
    assert_true(bits_reader_at_end(&r));
}

/* ---- at_end ---------------------------------------------------------------------- */

static void test_reader_at_end(void **state) {
    (void)state;
    bit_reader r;
    /* empty buffer: at the end from the start */
    bits_reader_init(&r, NULL, 0);
    assert_true(bits_reader_at_end(&r));

    /* 13 bits used in 2 bytes: the last 3 are zero padding */
    const uint8_t in[2] = {0xff, 0x1f};
    bits_reader_init(&r, in, sizeof in);
    assert_false(bits_reader_at_end(&r));
    bits_read(&r, 5);
    assert_false(bits_reader_at_end(&r)); /* 11 bits unread */
    bits_read(&r, 4);
    assert_false(bits_reader_at_end(&r)); /* 7 bits left, but 4 of them set */
    bits_read(&r, 3);
    assert_false(bits_reader_at_end(&r)); /* bit 12 still set */
    bits_read(&r, 1);
    assert_true(bits_reader_at_end(&r));
    bits_read(&r, 3); /* reading the zero padding explicitly is fine too */
    assert_true(bits_reader_ok(&r));
    assert_true(bits_reader_at_end(&r));

    /* any set padding bit, at each position 13..15 */
    for (int b = 13; b < 16; b++) {
        uint8_t pad[2] = {0xff, (uint8_t)(0x1f | (1u << (b - 8)))};
        bits_reader_init(&r, pad, sizeof pad);
        bits_read(&r, 13);
        assert_true(bits_reader_ok(&r));
        if (bits_reader_at_end(&r)) fail_msg("padding bit %d set but at_end", b);
    }
    /* a whole zero byte more is not padding */
    const uint8_t extra[3] = {0xff, 0x1f, 0x00};
    bits_reader_init(&r, extra, sizeof extra);
    bits_read(&r, 13);
    assert_false(bits_reader_at_end(&r));
    bits_read(&r, 8);
    assert_true(bits_reader_at_end(&r));
    /* after an error, never at the end */
    bits_reader_init(&r, in, sizeof in);
    bits_read(&r, 20);
    assert_false(bits_reader_ok(&r));
    assert_false(bits_reader_at_end(&r));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_width_and_offset),
        cmocka_unit_test(test_zero_width_is_a_no_op),
        cmocka_unit_test(test_lsb_first_layout),
        cmocka_unit_test(test_writer_overflow_is_sticky),
        cmocka_unit_test(test_reader_over_read_is_sticky),
        cmocka_unit_test(test_bucket_selection),
        cmocka_unit_test(test_bucket_too_large_overflows),
        cmocka_unit_test(test_zigzag),
        cmocka_unit_test(test_reader_at_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
