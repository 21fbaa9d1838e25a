/* bits.c - bit-level writer and reader, bucketed integer codes (bits.h). */
#include "bits.h"

#include <string.h>

void bits_writer_init(bit_writer *w, uint8_t *buf, size_t cap) {
    w->buf = buf;
    w->cap = cap;
    w->bitpos = 0;
    w->overflow = false;
    if (cap) memset(buf, 0, cap);
}

void bits_write_tail(bit_writer *w, uint64_t shifted, size_t byte, int n) {
    /* n counts the field's bits plus its offset in the first byte; the
     * bound check in bits_write keeps the last byte inside the buffer. */
    int nbytes = (n + 7) / 8;
    for (int k = 0; k < nbytes; k++) w->buf[byte + (size_t)k] |= (uint8_t)(shifted >> (8 * k));
}

void bits_reader_init(bit_reader *r, const uint8_t *buf, size_t len) {
    r->buf = buf;
    r->len = buf ? len : 0;
    r->bitpos = 0;
    r->error = false;
}

uint32_t bits_read_tail(bit_reader *r, int n) {
    if (r->error || n <= 0) return 0;
    if (n > 32 || r->bitpos + (size_t)n > r->len * 8) {
        r->error = true;
        return 0;
    }
    /* The 1..5 bytes that hold the field, gathered at once (all within len:
     * checked above), then shifted and masked: the hot path of snapshot
     * decoding. */
    const uint8_t *p = r->buf + r->bitpos / 8;
    int shift = (int)(r->bitpos % 8);
    int bytes = (shift + n + 7) / 8;
    uint64_t acc = 0;
    for (int k = 0; k < bytes; k++) acc |= (uint64_t)p[k] << (8 * k);
    r->bitpos += (size_t)n;
    return (uint32_t)((acc >> shift) & ((1ull << n) - 1u));
}

bool bits_reader_at_end(const bit_reader *r) {
    if (r->error) return false;
    size_t total = r->len * 8;
    if (total - r->bitpos >= 8) return false;
    /* The padding bits of the last byte must be zero. */
    for (size_t b = r->bitpos; b < total; b++)
        if (r->buf[b / 8] & (1u << (b % 8))) return false;
    return true;
}

void bits_write_bucket(bit_writer *w, uint32_t v, const uint8_t widths[4]) {
    for (uint32_t sel = 0; sel < 4; sel++) {
        if (widths[sel] >= 32 || v < (1u << widths[sel])) {
            bits_write(w, sel, 2);
            bits_write(w, v, widths[sel]);
            return;
        }
    }
    w->overflow = true;
}

uint32_t bits_read_bucket(bit_reader *r, const uint8_t widths[4]) {
    uint32_t sel = bits_read(r, 2);
    return bits_read(r, widths[sel]);
}
