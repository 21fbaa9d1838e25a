/* protocol.c - text for the protocol's reason codes (see protocol.h). */
#include "protocol.h"

const char *proto_reason_text(uint32_t reason) {
    switch ((proto_reason)(reason & 0xffu)) {
    case PROTO_REASON_NONE: return "left the game";
    case PROTO_REASON_VERSION: return "protocol version mismatch";
    case PROTO_REASON_SERVER_FULL: return "server full";
    case PROTO_REASON_SHUTDOWN: return "server shut down";
    case PROTO_REASON_HANDSHAKE: return "handshake failed";
    case PROTO_REASON_BAD_PACKETS: return "too many malformed packets";
    case PROTO_REASON_KICKED: return "kicked by the server";
    case PROTO_REASON_CLIENT_QUIT: return "quit";
    case PROTO_REASON_TIMED_OUT: return "timed out";
    case PROTO_REASON_COUNT: break;
    }
    return "unknown reason";
}
