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
/* Writes the low n bits of v (n 0..32). */
void bits_write(bit_writer *w, uint32_t v, int n);
/* Bytes used so far (partial last byte counted). */
static inline size_t bits_writer_bytes(const bit_writer *w) { return (w->bitpos + 7) / 8; }
static inline bool bits_writer_ok(const bit_writer *w) { return !w->overflow; }

void bits_reader_init(bit_reader *r, const uint8_t *buf, size_t len);
uint32_t bits_read(bit_reader *r, int n);
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
