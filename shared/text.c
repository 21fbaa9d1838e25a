/* text.c - UTF-8 validation and cleaning of player-supplied text (see text.h). */
#include "text.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Stores the
 * code point in *cp. Rejects overlongs, surrogates and values > U+10FFFF. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    size_t n;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0) { n = 2; v = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { n = 3; v = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { n = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at NUL */
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return n;
}

static bool is_control(uint32_t cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
           cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069); /* line separators, bidi overrides */
}

static bool is_space(uint32_t cp) { return cp == ' ' || cp == '\t' || cp == 0xa0; }

size_t text_sanitize(const char *in, char *out, size_t max_bytes) {
    const unsigned char *s = (const unsigned char *)in;
    size_t len = 0;
    bool pending_space = false;
    while (*s) {
        uint32_t cp;
        size_t n = utf8_decode(s, &cp);
        if (n == 0) { s++; continue; }          /* drop one invalid byte */
        if (is_space(cp)) { pending_space = len > 0; s += n; continue; }
        if (is_control(cp)) { s += n; continue; }
        size_t need = n + (pending_space ? 1 : 0);
        if (len + need > max_bytes) break;       /* cut at a boundary */
        if (pending_space) out[len++] = ' ';
        memcpy(out + len, s, n);
        len += n;
        pending_space = false;
        s += n;
    }
    out[len] = '\0';
    return len;
}

bool text_is_clean(const char *s, size_t max_bytes) {
    size_t n = strlen(s);
    if (n == 0 || n > max_bytes) return false;
    char tmp[256];
    if (n >= sizeof tmp) return false;
    return text_sanitize(s, tmp, max_bytes) == n && memcmp(tmp, s, n) == 0;
}
