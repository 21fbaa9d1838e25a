/* net.c - thin ENet glue shared by server and client (see net.h). */
#include "net.h"

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

void net_host_limits(ENetHost *host) {
    host->maximumPacketSize = PROTO_MAX_PACKET_BYTES;
    host->maximumWaitingData = NET_MAX_WAITING_DATA;
}

int net_host_buffers(ENetHost *host, int bytes) { return net_socket_buffers((int)host->socket, bytes); }

int net_socket_buffers(int fd, int bytes) {
#ifdef SO_RCVBUFFORCE
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
#endif
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
#ifdef SO_SNDBUFFORCE
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) != 0)
#endif
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    int got = 0;
    socklen_t len = sizeof got;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) != 0) got = 0;
    return got;
}

void net_peer_timeouts(ENetPeer *peer, uint32_t timeout_ms) {
    enet_peer_timeout(peer, NET_TIMEOUT_LIMIT, timeout_ms / 2, timeout_ms);
}

void net_peer_configure(ENetPeer *peer, uint32_t timeout_ms) {
    net_peer_timeouts(peer, timeout_ms);
    /* interval, acceleration, deceleration: deceleration 0 keeps the throttle
     * at its maximum, so ENet never discards unreliable packets by itself. */
    enet_peer_throttle_configure(peer, ENET_PEER_PACKET_THROTTLE_INTERVAL, ENET_PEER_PACKET_THROTTLE_SCALE, 0);
}

static enet_uint32 packet_flags(net_delivery how) {
    return how == NET_RELIABLE ? ENET_PACKET_FLAG_RELIABLE : how == NET_UNSEQUENCED ? ENET_PACKET_FLAG_UNSEQUENCED : 0;
}

int net_send_many(ENetPeer *const *peers, int n, uint8_t channel, const void *data, size_t len, net_delivery how) {
    ENetPacket *p = NULL;
    int taken = 0;
    for (int i = 0; i < n; i++) {
        if (!peers[i]) continue;
        if (!p && !(p = enet_packet_create(data, len, packet_flags(how)))) return taken;
        taken += enet_peer_send(peers[i], channel, p) == 0; /* each send holds a reference */
    }
    if (p && p->referenceCount == 0) enet_packet_destroy(p);
    return taken;
}

bool net_send(ENetPeer *peer, uint8_t channel, const void *data, size_t len, net_delivery how) {
    if (!peer) return false; /* a slot without a connection (tests, a peer being torn down) */
    ENetPacket *p = enet_packet_create(data, len, packet_flags(how));
    if (!p) return false;
    if (enet_peer_send(peer, channel, p) < 0) {
        enet_packet_destroy(p);
        return false;
    }
    return true;
}

void net_format_address(const ENetAddress *a, char *buf, size_t cap) {
    uint32_t h = a->host; /* network byte order in memory */
    const uint8_t *b = (const uint8_t *)&h;
    snprintf(buf, cap, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], a->port);
}

bool net_parse_address(const char *text, uint16_t default_port, ENetAddress *out, char *err, size_t err_cap) {
    char host[256];
    const char *colon = strrchr(text, ':');
    size_t hlen = colon ? (size_t)(colon - text) : strlen(text);
    if (hlen == 0 || hlen >= sizeof host) {
        snprintf(err, err_cap, "'%s' is not a host name or address", text);
        return false;
    }
    memcpy(host, text, hlen);
    host[hlen] = '\0';
    uint16_t port = default_port;
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*(colon + 1) == '\0' || *end != '\0' || p < 1 || p > 65535) {
            snprintf(err, err_cap, "'%s' is not a port (1-65535)", colon + 1);
            return false;
        }
        port = (uint16_t)p;
    }
    if (enet_address_set_host(out, host) != 0) {
        snprintf(err, err_cap, "cannot resolve host '%s'", host);
        return false;
    }
    out->port = port;
    return true;
}

uint16_t net_host_port(ENetHost *host) {
    ENetAddress a;
    if (enet_socket_get_address(host->socket, &a) != 0) return host->address.port;
    return a.port;
}
