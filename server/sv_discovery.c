/* sv_discovery.c - the LAN discovery responder (see sv_discovery.h). */
#include "sv_discovery.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

void sv_discovery_init(sv_discovery *d) {
    memset(d, 0, sizeof *d);
    d->socket = ENET_SOCKET_NULL;
    ratelimit_init(&d->bucket, DISCOVERY_REPLY_BURST, DISCOVERY_REPLY_RATE);
}

bool sv_discovery_open(sv_discovery *d, uint16_t port, char *err, size_t err_cap) {
    sv_discovery_init(d);
    if (port == 0) {
        snprintf(err, err_cap, "discovery port 0 means no responder");
        return false;
    }
    ENetSocket s = enet_socket_create(ENET_SOCKET_TYPE_DATAGRAM);
    if (s == ENET_SOCKET_NULL) {
        snprintf(err, err_cap, "cannot create a UDP socket for discovery");
        return false;
    }
    ENetAddress addr = {.host = ENET_HOST_ANY, .port = port};
    if (enet_socket_set_option(s, ENET_SOCKOPT_REUSEADDR, 1) < 0 ||
        enet_socket_set_option(s, ENET_SOCKOPT_NONBLOCK, 1) < 0 || enet_socket_bind(s, &addr) < 0) {
        enet_socket_destroy(s);
        snprintf(err, err_cap, "cannot listen for discovery on UDP port %u (in use without SO_REUSEADDR, or "
                 "not permitted)", port);
        return false;
    }
    d->socket = s;
    d->open = true;
    d->port = port;
    return true;
}

/* True when a datagram is waiting (ENet reports an empty datagram and "none
 * waiting" alike as 0 bytes; this tells them apart). */
static bool readable_now(ENetSocket s) {
    enet_uint32 cond = ENET_SOCKET_WAIT_RECEIVE;
    return enet_socket_wait(s, &cond, 0) == 0 && (cond & ENET_SOCKET_WAIT_RECEIVE);
}

static void answer(sv_discovery *d, const ENetAddress *to, size_t query_len, uint32_t nonce,
                   const sv_discovery_info *info) {
    discovery_reply r;
    memset(&r, 0, sizeof r);
    r.nonce = nonce;
    r.game_port = info->game_port;
    r.players = info->players;
    r.max_players = info->max_players;
    text_sanitize(info->name, r.name, PROTO_SERVER_NAME_MAX);
    text_sanitize(info->map, r.map, PROTO_MAP_NAME_MAX);
    /* The reply buffer has the query's size: a reply can never outgrow it. */
    uint8_t out[DISCOVERY_QUERY_BYTES];
    size_t len = discovery_encode_reply(out, query_len < sizeof out ? query_len : sizeof out, &r);
    if (len == 0) {
        d->send_errors++;
        return;
    }
    ENetBuffer b = {.data = out, .dataLength = len};
    if (enet_socket_send(d->socket, to, &b, 1) == (int)len)
        d->replies++;
    else
        d->send_errors++;
}

int sv_discovery_poll(sv_discovery *d, const sv_discovery_info *info, double now) {
    if (!d->open) return 0;
    /* Room for one byte more than a query, so "one byte too long" is seen as
     * such; anything longer is cut by the kernel and ENet reports -1. */
    uint8_t in[DISCOVERY_QUERY_BYTES + 32];
    int handled = 0;
    while (handled < SV_DISCOVERY_MAX_PER_POLL) {
        ENetAddress from;
        ENetBuffer b = {.data = in, .dataLength = sizeof in};
        int got = enet_socket_receive(d->socket, &from, &b, 1);
        if (got == 0) {
            if (!readable_now(d->socket)) break;
            handled++; /* an empty datagram: nothing to count it by */
            continue;
        }
        handled++;
        uint32_t nonce;
        if (got < 0 || !discovery_decode_query(in, (size_t)got, &nonce)) {
            d->bad++;
            continue;
        }
        d->queries++;
        if (!ratelimit_allow(&d->bucket, now)) {
            d->rate_limited++;
            continue;
        }
        answer(d, &from, (size_t)got, nonce, info);
    }
    return handled;
}

void sv_discovery_format_stats(const sv_discovery *d, char *buf, size_t cap) {
    snprintf(buf, cap, "queries %llu, replies %llu, bad %llu, rate_limited %llu, send_errors %llu",
             (unsigned long long)d->queries, (unsigned long long)d->replies, (unsigned long long)d->bad,
             (unsigned long long)d->rate_limited, (unsigned long long)d->send_errors);
}

void sv_discovery_close(sv_discovery *d) {
    if (d->open) enet_socket_destroy(d->socket);
    d->open = false;
    d->socket = ENET_SOCKET_NULL;
}
