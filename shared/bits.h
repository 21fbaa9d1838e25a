/* bits.h - bounds-checked bit-level writer and reader (LSB first).
 *
 * Owns: packing fields of any width 1..32 into bytes, plus the variable-
 * width integer codes the snapshot delta uses. Like wire.h both sides have a
 * sticky error flag: after the first overflow or over-read every call is a
 * no-op (reads yield 0), checked once at the end.
 */
#ifndef GAME_BITS_H
#define GAME_BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint8_t *buf;
    size_t cap;       /* bytes */
    size_t bitpos;    /* bits written */
    bool overflow;
} bit_writer;

typedef struct {
    const uint8_t *buf;
    size_t len;       /* bytes */
    size_t bitpos;
    bool error;
} bit_reader;

void bits_writer_init(bit_writer *w, uint8_t *buf, size_t cap);
/* Writes the low n bits of v (n 0..32) when fewer than 8 bytes are left
 * after the write position: byte by byte. */
void bits_write_tail(bit_writer *w, uint64_t shifted, size_t byte, int n);

/* Writes the low n bits of v (n 0..32). Inline: it is the inner loop of
 * snapshot encoding. The buffer was zeroed by bits_writer_init, so the
 * value, shifted into place once, is ORed in; away from the end of the
 * buffer as one 8-byte load and store (little-endian machines). */
static inline void bits_write(bit_writer *w, uint32_t v, int n) {
    if (w->overflow || n <= 0) return;
    if (n < 32) v &= (1u << n) - 1u;
    if (w->bitpos + (size_t)n > w->cap * 8) {
        w->overflow = true;
        return;
    }
    size_t byte = w->bitpos / 8;
    uint64_t x = (uint64_t)v << (w->bitpos % 8);
    w->bitpos += (size_t)n;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (byte + 8 <= w->cap) {
        uint64_t cur;
        memcpy(&cur, w->buf + byte, 8);
        cur |= x;
        memcpy(w->buf + byte, &cur, 8);
        return;
    }
#endif
    bits_write_tail(w, x, byte, n + (int)((w->bitpos - (size_t)n) % 8));
}
/* Bytes used so far (partial last byte counted). */
static inline size_t bits_writer_bytes(const bit_writer *w) { return (w->bitpos + 7) / 8; }
static inline bool bits_writer_ok(const bit_writer *w) { return !w->overflow; }

void bits_reader_init(bit_reader *r, const uint8_t *buf, size_t len);
uint32_t bits_read_tail(bit_reader *r, int n);

/* Reads n bits (0..32); 0 and a sticky error past the end. Inline, like
 * bits_write: away from the end the field's bytes come in as one 8-byte
 * load (little-endian machines). */
static inline uint32_t bits_read(bit_reader *r, int n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    size_t byte = r->bitpos / 8;
    if (!r->error && n > 0 && n <= 32 && byte + 8 <= r->len) {
        uint64_t acc;
        memcpy(&acc, r->buf + byte, 8);
        acc >>= r->bitpos % 8;
        r->bitpos += (size_t)n;
        return (uint32_t)(acc & ((1ull << n) - 1u));
    }
#endif
    return bits_read_tail(r, n);
}
static inline bool bits_reader_ok(const bit_reader *r) { return !r->error; }
/* True when only zero padding (< 8 bits) is left: nothing unread. */
bool bits_reader_at_end(const bit_reader *r);

/* Zigzag maps signed to unsigned so small magnitudes stay small. */
static inline uint32_t bits_zigzag(int32_t v) { return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31); }
static inline int32_t bits_unzigzag(uint32_t u) { return (int32_t)(u >> 1) ^ -(int32_t)(u & 1u); }

/* Bucketed unsigned code: a 2-bit selector picks one of four widths from
 * `widths` (ascending, each <= 32), then the value in that many bits. The
 * writer overflows (sticky) if v needs more than widths[3] bits. */
void bits_write_bucket(bit_writer *w, uint32_t v, const uint8_t widths[4]);
uint32_t bits_read_bucket(bit_reader *r, const uint8_t widths[4]);

#endif
