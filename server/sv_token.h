/* sv_token.h - session tokens for resuming a lost connection.
 *
 * Owns: drawing 128-bit tokens from the operating system's random source
 * (getrandom, or /dev/urandom where that is missing) and comparing them in
 * constant time. A token is never derived from anything guessable; when no
 * OS randomness is available there is no token (and so no resume).
 */
#ifndef SV_TOKEN_H
#define SV_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol.h"

/* Fills out with PROTO_TOKEN_BYTES random bytes (never all zero); false
 * when the OS gave none. */
bool sv_token_generate(uint8_t out[PROTO_TOKEN_BYTES]);

/* True when a and b hold the same token; time does not depend on where
 * they differ. */
bool sv_token_equal(const uint8_t a[PROTO_TOKEN_BYTES], const uint8_t b[PROTO_TOKEN_BYTES]);

#endif
