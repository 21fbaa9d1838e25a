/* fuzz_discovery.c - libFuzzer harness for the LAN discovery decoders
 * (shared/discovery.h). Accepted queries and replies are re-encoded; the
 * encoder must accept them and the result must decode again to the same
 * values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint32_t nonce = 0;
    if (discovery_decode_query(data, size, &nonce)) {
        uint8_t q[DISCOVERY_QUERY_BYTES];
        uint32_t nonce2 = 0;
        size_t n = discovery_encode_query(q, nonce);
        if (n != DISCOVERY_QUERY_BYTES || !discovery_decode_query(q, n, &nonce2) || nonce2 != nonce) {
            fprintf(stderr, "discovery query round trip failed\n");
            abort();
        }
    }

    discovery_reply r1, r2;
    memset(&r1, 0, sizeof r1);
    if (discovery_decode_reply(data, size, &r1)) {
        if (size > DISCOVERY_QUERY_BYTES) {
            fprintf(stderr, "discovery reply of %zu bytes accepted (larger than a query)\n", size);
            abort();
        }
        uint8_t out[DISCOVERY_QUERY_BYTES];
        size_t n = discovery_encode_reply(out, sizeof out, &r1);
        if (n == 0) {
            fprintf(stderr, "discovery_decode_reply accepted a reply the encoder refuses\n");
            abort();
        }
        memset(&r2, 0, sizeof r2);
        if (!discovery_decode_reply(out, n, &r2) || r2.nonce != r1.nonce || r2.game_port != r1.game_port ||
            r2.players != r1.players || r2.max_players != r1.max_players || strcmp(r2.name, r1.name) != 0 ||
            strcmp(r2.map, r1.map) != 0) {
            fprintf(stderr, "discovery reply round trip failed\n");
            abort();
        }
    }
    return 0;
}
