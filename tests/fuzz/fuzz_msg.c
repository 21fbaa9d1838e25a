/* fuzz_msg.c - libFuzzer harness for every message decoder in shared/msg.h.
 *
 * The input goes to each decoder. Whenever one accepts it (MSG_OK), the
 * decoded struct is re-encoded with the matching encoder; the encoder must
 * accept it and the re-encoded bytes must decode with MSG_OK again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

#define ROUND_TRIP(type, decode, encode)                                                   \
    do {                                                                                   \
        type m1, m2;                                                                       \
        memset(&m1, 0, sizeof m1);                                                         \
        if (decode(data, size, &m1) == MSG_OK) {                                           \
            uint8_t out[PROTO_MAX_PACKET_BYTES * 2];                                       \
            size_t n = encode(out, sizeof out, &m1);                                       \
            if (n == 0) {                                                                  \
                fprintf(stderr, "%s accepted input that %s refuses\n", #decode, #encode); \
                abort();                                                                   \
            }                                                                              \
            memset(&m2, 0, sizeof m2);                                                     \
            int r = decode(out, n, &m2);                                                   \
            if (r != MSG_OK) {                                                             \
                fprintf(stderr, "%s: re-encoded bytes refused: %s\n", #decode,             \
                        msg_result_text(r));                                               \
                abort();                                                                   \
            }                                                                              \
        }                                                                                  \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)msg_peek_id(data, size);
    ROUND_TRIP(msg_hello, msg_decode_hello, msg_encode_hello);
    ROUND_TRIP(msg_name, msg_decode_rename, msg_encode_rename);
    ROUND_TRIP(msg_input, msg_decode_input, msg_encode_input);
    ROUND_TRIP(msg_welcome, msg_decode_welcome, msg_encode_welcome);
    ROUND_TRIP(msg_map_chunk, msg_decode_map_chunk, msg_encode_map_chunk);
    ROUND_TRIP(msg_player_name, msg_decode_join, msg_encode_join);
    ROUND_TRIP(msg_player_name, msg_decode_player_rename, msg_encode_player_rename);
    ROUND_TRIP(msg_leave, msg_decode_leave, msg_encode_leave);
    ROUND_TRIP(msg_kill, msg_decode_kill, msg_encode_kill);
    ROUND_TRIP(msg_score, msg_decode_score, msg_encode_score);
    ROUND_TRIP(msg_roster, msg_decode_roster, msg_encode_roster);
    ROUND_TRIP(msg_match, msg_decode_match, msg_encode_match);
    ROUND_TRIP(msg_chat, msg_decode_client_chat, msg_encode_client_chat);
    ROUND_TRIP(msg_chat, msg_decode_server_chat, msg_encode_server_chat);
    return 0;
}
