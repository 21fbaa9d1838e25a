/* wire.c - bounds-checked little-endian writer and reader (see wire.h). */
#include "wire.h"

#include <string.h>

void wire_writer_init(wire_writer *w, uint8_t *buf, size_t cap) {
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->overflow = false;
}

static bool writer_reserve(wire_writer *w, size_t n) {
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return false;
    }
    return true;
}

void wire_write_u8(wire_writer *w, uint8_t v) {
    if (!writer_reserve(w, 1)) return;
    w->buf[w->len++] = v;
}

void wire_write_u16(wire_writer *w, uint16_t v) {
    if (!writer_reserve(w, 2)) return;
    w->buf[w->len++] = (uint8_t)(v & 0xff);
    w->buf[w->len++] = (uint8_t)(v >> 8);
}

static void write_le(wire_writer *w, uint32_t v, int bytes) {
    if (!writer_reserve(w, (size_t)bytes)) return;
    for (int i = 0; i < bytes; i++) w->buf[w->len++] = (uint8_t)(v >> (8 * i));
}

void wire_write_u24(wire_writer *w, uint32_t v) { write_le(w, v & 0xffffffu, 3); }
void wire_write_u32(wire_writer *w, uint32_t v) { write_le(w, v, 4); }

void wire_write_i16(wire_writer *w, int16_t v) { wire_write_u16(w, (uint16_t)v); }

void wire_write_bytes(wire_writer *w, const void *src, size_t n) {
    if (!writer_reserve(w, n)) return;
    if (n) memcpy(w->buf + w->len, src, n);
    w->len += n;
}

void wire_write_str(wire_writer *w, const char *s, size_t max_len) {
    size_t n = strlen(s);
    if (n > max_len || n > 255) {
        w->overflow = true;
        return;
    }
    wire_write_u8(w, (uint8_t)n);
    wire_write_bytes(w, s, n);
}

void wire_reader_init(wire_reader *r, const void *buf, size_t len) {
    r->buf = buf;
    r->len = buf ? len : 0;
    r->pos = 0;
    r->error = false;
}

static bool reader_take(wire_reader *r, size_t n) {
    if (r->error || n > r->len - r->pos) {
        r->error = true;
        return false;
    }
    return true;
}

uint8_t wire_read_u8(wire_reader *r) {
    if (!reader_take(r, 1)) return 0;
    return r->buf[r->pos++];
}

uint16_t wire_read_u16(wire_reader *r) {
    if (!reader_take(r, 2)) return 0;
    uint16_t v = (uint16_t)(r->buf[r->pos] | (r->buf[r->pos + 1] << 8));
    r->pos += 2;
    return v;
}

static uint32_t read_le(wire_reader *r, int bytes) {
    if (!reader_take(r, (size_t)bytes)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint32_t)r->buf[r->pos + (size_t)i] << (8 * i);
    r->pos += (size_t)bytes;
    return v;
}

uint32_t wire_read_u24(wire_reader *r) { return read_le(r, 3); }
uint32_t wire_read_u32(wire_reader *r) { return read_le(r, 4); }

int16_t wire_read_i16(wire_reader *r) { return (int16_t)wire_read_u16(r); }

void wire_read_bytes(wire_reader *r, void *dst, size_t n) {
    if (!reader_take(r, n)) {
        memset(dst, 0, n);
        return;
    }
    if (n) memcpy(dst, r->buf + r->pos, n);
    r->pos += n;
}

void wire_read_str(wire_reader *r, char *dst, size_t max_len) {
    dst[0] = '\0';
    size_t n = wire_read_u8(r);
    if (n > max_len) {
        r->error = true;
        return;
    }
    if (!reader_take(r, n)) return;
    if (n && memchr(r->buf + r->pos, '\0', n)) {
        r->error = true;
        return;
    }
    memcpy(dst, r->buf + r->pos, n);
    dst[n] = '\0';
    r->pos += n;
}
