/* text.h - validation and cleaning of player-supplied text (names, later chat).
 *
 * Owns: the rules for what a name may contain: valid UTF-8, no control
 * characters (C0, DEL, C1), no leading/trailing spaces, at most a given
 * number of bytes, never cut inside a character. Pure functions.
 */
#ifndef GAME_TEXT_H
#define GAME_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Cleans `in` into `out` (capacity max_bytes + 1): invalid UTF-8 sequences and
 * control characters are dropped, runs of whitespace become one space, ends are
 * trimmed, and the result is cut at a character boundary to max_bytes.
 * Returns the length of `out`; 0 means nothing usable was left. */
size_t text_sanitize(const char *in, char *out, size_t max_bytes);

/* True when `s` is already what text_sanitize would produce and non-empty. */
bool text_is_clean(const char *s, size_t max_bytes);

#endif
