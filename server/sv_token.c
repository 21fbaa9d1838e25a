/* sv_token.c - session tokens from the OS random source (see sv_token.h). */
#define _DEFAULT_SOURCE
#include "sv_token.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

static bool fill_random(uint8_t *out, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    if (got == n) return true;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    got = 0;
    while (got < n) {
        ssize_t r = read(fd, out + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    return got == n;
}

bool sv_token_generate(uint8_t out[PROTO_TOKEN_BYTES]) {
    for (int attempt = 0; attempt < 4; attempt++) {
        if (!fill_random(out, PROTO_TOKEN_BYTES)) return false;
        uint8_t any = 0;
        for (int i = 0; i < PROTO_TOKEN_BYTES; i++) any |= out[i];
        if (any) return true; /* all zero means "no token" on the wire */
    }
    return false;
}

bool sv_token_equal(const uint8_t a[PROTO_TOKEN_BYTES], const uint8_t b[PROTO_TOKEN_BYTES]) {
    uint8_t diff = 0;
    for (int i = 0; i < PROTO_TOKEN_BYTES; i++) diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}
