/* wire.h - bounds-checked little-endian writer and reader over caller buffers.
 *
 * Owns: the only code that touches raw packet bytes. Both sides carry a
 * sticky error flag: once a read or write would cross the end, every later
 * call is a no-op (reads yield 0) and wire_*_ok() reports false, so a codec
 * can write straight-line code and check once at the end.
 */
#ifndef GAME_WIRE_H
#define GAME_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow;
} wire_writer;

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    bool error;
} wire_reader;

void wire_writer_init(wire_writer *w, uint8_t *buf, size_t cap);
void wire_write_u8(wire_writer *w, uint8_t v);
void wire_write_u16(wire_writer *w, uint16_t v);
void wire_write_u24(wire_writer *w, uint32_t v); /* low 24 bits */
void wire_write_u32(wire_writer *w, uint32_t v);
void wire_write_i16(wire_writer *w, int16_t v);
void wire_write_bytes(wire_writer *w, const void *src, size_t n);
/* u8 length then bytes. Overflows (sticky) if strlen(s) > max_len. */
void wire_write_str(wire_writer *w, const char *s, size_t max_len);
static inline bool wire_writer_ok(const wire_writer *w) { return !w->overflow; }

void wire_reader_init(wire_reader *r, const void *buf, size_t len);
uint8_t wire_read_u8(wire_reader *r);
uint16_t wire_read_u16(wire_reader *r);
uint32_t wire_read_u24(wire_reader *r);
uint32_t wire_read_u32(wire_reader *r);
int16_t wire_read_i16(wire_reader *r);
void wire_read_bytes(wire_reader *r, void *dst, size_t n);
/* Reads a u8-length string into dst (capacity max_len + 1, NUL-terminated).
 * Fails (sticky) if the length exceeds max_len, the bytes run out, or the
 * bytes contain a NUL. On failure dst is the empty string. */
void wire_read_str(wire_reader *r, char *dst, size_t max_len);
/* Marks the reader failed (for semantic errors found by a decoder). */
static inline void wire_reader_fail(wire_reader *r) { r->error = true; }
static inline bool wire_reader_ok(const wire_reader *r) { return !r->error; }
static inline size_t wire_reader_remaining(const wire_reader *r) {
    return r->error ? 0 : r->len - r->pos;
}

#endif
