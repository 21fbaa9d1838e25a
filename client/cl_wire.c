/* cl_wire.c - the bot swarm's socket layer: one shared socket with a
 * loopback address per bot, or per-bot sockets read two datagrams at a
 * time (see cl_wire.h). */
#define _GNU_SOURCE /* recvmmsg, sendmmsg, struct in_pktinfo */
#include "cl_wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

_Static_assert(sizeof(ENetBuffer) == sizeof(struct iovec), "ENetBuffer is an iovec on Unix");

#define WIRE_DATAGRAM ENET_PROTOCOL_MAXIMUM_MTU
#define ADDRS_PER_BYTE 250 /* fourth bytes 1..250 */

typedef union {
    char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct cmsghdr align;
} pktinfo_control;

typedef struct {
    int fd;
    struct sockaddr_in server;
    int bots;
    /* gathered for sending */
    int tx_n;
    struct mmsghdr tx_msgs[WIRE_BATCH];
    struct iovec tx_iov[WIRE_BATCH];
    struct sockaddr_in tx_to[WIRE_BATCH];
    pktinfo_control tx_ctl[WIRE_BATCH];
    uint8_t tx_data[WIRE_BATCH][WIRE_DATAGRAM];
    /* received */
    struct mmsghdr rx_msgs[WIRE_BATCH];
    struct iovec rx_iov[WIRE_BATCH];
    struct sockaddr_in rx_from[WIRE_BATCH];
    pktinfo_control rx_ctl[WIRE_BATCH];
    uint8_t rx_data[WIRE_BATCH][WIRE_DATAGRAM];
} shared_wire;

static shared_wire *wire;  /* NULL: per-bot sockets */
static int current = -1;   /* the bot whose turn it is */
static wire_stats stats;

/* The datagram handed to the current bot (wire), taken by its next read. */
static struct {
    const uint8_t *data;
    int len; /* -1: too long for ENet's buffer */
    int bot;
} held = {NULL, 0, -1};

/* Per-bot sockets: the read-ahead state (one datagram, for one socket). */
static struct {
    ENetSocket empty; /* the socket the last read found empty after its datagram */
    ENetSocket ahead; /* the socket a datagram was read ahead for */
    int ahead_len;    /* its length; -1: too long (an error when it is taken) */
    struct sockaddr_in ahead_from;
    uint8_t ahead_data[ENET_PROTOCOL_MAXIMUM_MTU];
} rx = {.empty = ENET_SOCKET_NULL, .ahead = ENET_SOCKET_NULL};

/* One datagram's header: its address, its one buffer, room for its
 * IP_PKTINFO. */
static void msg_setup(struct msghdr *h, struct sockaddr_in *addr, struct iovec *iov, pktinfo_control *ctl) {
    h->msg_name = addr;
    h->msg_namelen = sizeof *addr;
    h->msg_iov = iov;
    h->msg_iovlen = 1;
    h->msg_control = ctl->buf;
    h->msg_controllen = sizeof ctl->buf;
    h->msg_flags = 0;
}

uint32_t wire_bot_address(int bot) {
    uint32_t b = (uint32_t)bot;
    return htonl(0x7f010000u | (b / ADDRS_PER_BYTE) << 8 | (b % ADDRS_PER_BYTE + 1u));
}

/* The bot an address on the wire belongs to, or -1. */
static int bot_of_address(uint32_t net_addr) {
    uint32_t a = ntohl(net_addr);
    if ((a >> 16) != 0x7f01u) return -1;
    uint32_t hi = (a >> 8) & 0xffu, lo = a & 0xffu;
    if (lo < 1 || lo > ADDRS_PER_BYTE) return -1;
    int bot = (int)(hi * ADDRS_PER_BYTE + lo - 1);
    return wire && bot < wire->bots ? bot : -1;
}

bool wire_open(const ENetAddress *server, int bots, int buffer_bytes, char *err, size_t err_cap) {
    err[0] = '\0';
    if ((ntohl(server->host) >> 24) != 127) return false;
    if (bots > WIRE_MAX_BOTS) {
        snprintf(err, err_cap, "more than %d bots", WIRE_MAX_BOTS);
        return false;
    }
    shared_wire *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, err_cap, "out of memory");
        return false;
    }
    w->bots = bots;
    w->server = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(server->port)};
    w->server.sin_addr.s_addr = server->host;
    /* Bound to every address: a datagram to any bot's 127.1.x.y comes here.
     * Only the server's datagrams are taken (wire_drain). */
    int one = 1;
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    w->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (w->fd < 0 || setsockopt(w->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0 ||
        bind(w->fd, (struct sockaddr *)&any, sizeof any) != 0) {
        snprintf(err, err_cap, "shared socket: %s", strerror(errno));
        if (w->fd >= 0) close(w->fd);
        free(w);
        return false;
    }
    int got = net_socket_buffers(w->fd, buffer_bytes);
    if (got < buffer_bytes)
        fprintf(stderr, "botswarm: WARNING: the shared socket got %d bytes of receive buffer, not %d\n", got,
                buffer_bytes);
    for (int i = 0; i < WIRE_BATCH; i++) {
        w->rx_iov[i] = (struct iovec){w->rx_data[i], WIRE_DATAGRAM};
        w->tx_iov[i] = (struct iovec){w->tx_data[i], 0};
        struct msghdr *t = &w->tx_msgs[i].msg_hdr;
        msg_setup(t, &w->tx_to[i], &w->tx_iov[i], &w->tx_ctl[i]);
        struct cmsghdr *cm = CMSG_FIRSTHDR(t);
        cm->cmsg_level = IPPROTO_IP;
        cm->cmsg_type = IP_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    }
    wire = w;
    return true;
}

void wire_close(void) {
    if (!wire) return;
    wire_flush();
    close(wire->fd);
    free(wire);
    wire = NULL;
    held.data = NULL;
}

bool wire_active(void) { return wire != NULL; }
int wire_fd(void) { return wire ? wire->fd : -1; }
void wire_set_current(int bot) { current = bot; }

void wire_flush(void) {
    if (!wire) return;
    int done = 0;
    while (done < wire->tx_n) {
        int r = sendmmsg(wire->fd, wire->tx_msgs + done, (unsigned)(wire->tx_n - done), 0);
        stats.writes++;
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { /* the first one is refused: drop it, go on with the rest */
            stats.send_failures++;
            done++;
            continue;
        }
        stats.datagrams_out += (uint64_t)r;
        done += r;
    }
    wire->tx_n = 0;
}

/* Gathers one datagram of the current bot for the next sendmmsg. */
static int wire_send(const ENetAddress *address, const ENetBuffer *buffers, size_t count) {
    shared_wire *w = wire;
    if (w->tx_n == WIRE_BATCH) wire_flush();
    int k = w->tx_n;
    size_t len = 0;
    for (size_t i = 0; i < count; i++) {
        if (len + buffers[i].dataLength > WIRE_DATAGRAM) return -1; /* (ENet keeps to its MTU) */
        memcpy(w->tx_data[k] + len, buffers[i].data, buffers[i].dataLength);
        len += buffers[i].dataLength;
    }
    w->tx_iov[k].iov_len = len;
    w->tx_to[k] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(address->port)};
    w->tx_to[k].sin_addr.s_addr = address->host;
    struct in_pktinfo info = {.ipi_ifindex = 0};
    info.ipi_spec_dst.s_addr = wire_bot_address(current);
    memcpy(CMSG_DATA(CMSG_FIRSTHDR(&w->tx_msgs[k].msg_hdr)), &info, sizeof info);
    w->tx_n++;
    return (int)len;
}

int enet_socket_send(ENetSocket socket, const ENetAddress *address, const ENetBuffer *buffers, size_t count) {
    if (wire && current >= 0 && address) return wire_send(address, buffers, count);
    /* As ENet's own (unix.c). */
    struct msghdr msg;
    struct sockaddr_in sin;
    memset(&msg, 0, sizeof msg);
    if (address) {
        sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(address->port)};
        sin.sin_addr.s_addr = address->host;
        msg.msg_name = &sin;
        msg.msg_namelen = sizeof sin;
    }
    msg.msg_iov = (struct iovec *)buffers;
    msg.msg_iovlen = count;
    stats.writes++;
    int n = (int)sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n < 0) return errno == EWOULDBLOCK ? 0 : -1;
    stats.datagrams_out++;
    return n;
}

int wire_drain(wire_deliver_fn deliver, void *ctx, int max_batches) {
    shared_wire *w = wire;
    if (!w) return 0;
    int delivered = 0;
    for (int batch = 0; batch < max_batches; batch++) {
        for (int i = 0; i < WIRE_BATCH; i++) /* (recvmmsg changes the lengths) */
            msg_setup(&w->rx_msgs[i].msg_hdr, &w->rx_from[i], &w->rx_iov[i], &w->rx_ctl[i]);
        int n = recvmmsg(w->fd, w->rx_msgs, WIRE_BATCH, MSG_DONTWAIT, NULL);
        stats.reads++;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        stats.datagrams_in += (uint64_t)n;
        for (int i = 0; i < n; i++) {
            struct msghdr *h = &w->rx_msgs[i].msg_hdr;
            const struct sockaddr_in *from = &w->rx_from[i];
            int bot = -1;
            for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm))
                if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
                    struct in_pktinfo info;
                    memcpy(&info, CMSG_DATA(cm), sizeof info);
                    bot = bot_of_address(info.ipi_addr.s_addr);
                }
            if (bot < 0 || from->sin_addr.s_addr != w->server.sin_addr.s_addr || from->sin_port != w->server.sin_port) {
                stats.strays++;
                continue;
            }
            held.data = w->rx_data[i];
            held.len = (h->msg_flags & MSG_TRUNC) ? -1 : (int)w->rx_msgs[i].msg_len;
            held.bot = bot;
            deliver(ctx, bot);
            held.data = NULL;
            delivered++;
        }
        if (n < WIRE_BATCH) break; /* the socket is empty */
    }
    return delivered;
}

static void to_enet_address(ENetAddress *address, const struct sockaddr_in *from) {
    if (!address) return;
    address->host = (enet_uint32)from->sin_addr.s_addr;
    address->port = ntohs(from->sin_port);
}

/* Wire: the current bot's held datagram once, then "nothing". */
static int wire_receive(ENetAddress *address, ENetBuffer *buffers, size_t count) {
    if (!held.data || held.bot != current) return 0;
    const uint8_t *data = held.data;
    held.data = NULL;
    if (held.len < 0 || count < 1 || buffers[0].dataLength < (size_t)held.len) return -1;
    memcpy(buffers[0].data, data, (size_t)held.len);
    to_enet_address(address, &wire->server);
    return held.len;
}

int enet_socket_receive(ENetSocket socket, ENetAddress *address, ENetBuffer *buffers, size_t count) {
    if (wire) return wire_receive(address, buffers, count);
    if (rx.ahead == socket) { /* read ahead: this read's answer */
        rx.ahead = ENET_SOCKET_NULL;
        if (rx.ahead_len < 0 || count < 1 || buffers[0].dataLength < (size_t)rx.ahead_len) return -1;
        memcpy(buffers[0].data, rx.ahead_data, (size_t)rx.ahead_len);
        to_enet_address(address, &rx.ahead_from);
        return rx.ahead_len;
    }
    if (rx.empty == socket) { /* found empty after the last datagram */
        rx.empty = ENET_SOCKET_NULL;
        return 0;
    }
    rx.empty = ENET_SOCKET_NULL;
    unsigned want = rx.ahead == ENET_SOCKET_NULL ? 2 : 1; /* (the one slot is taken) */
    struct sockaddr_in from[2];
    struct iovec spare = {rx.ahead_data, sizeof rx.ahead_data};
    struct mmsghdr msgs[2];
    memset(msgs, 0, sizeof msgs);
    msgs[0].msg_hdr.msg_name = &from[0];
    msgs[0].msg_hdr.msg_namelen = sizeof from[0];
    msgs[0].msg_hdr.msg_iov = (struct iovec *)buffers; /* ENetBuffer is an iovec on Unix */
    msgs[0].msg_hdr.msg_iovlen = count;
    msgs[1].msg_hdr.msg_name = &from[1];
    msgs[1].msg_hdr.msg_namelen = sizeof from[1];
    msgs[1].msg_hdr.msg_iov = &spare;
    msgs[1].msg_hdr.msg_iovlen = 1;
    stats.reads++;
    int n = recvmmsg(socket, msgs, want, MSG_DONTWAIT, NULL);
    if (n < 0) return errno == EWOULDBLOCK ? 0 : -1;
    if (n == 0) return 0;
    stats.datagrams_in += (uint64_t)n;
    if (n == 2) {
        rx.ahead = socket;
        rx.ahead_len = (msgs[1].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int)msgs[1].msg_len;
        rx.ahead_from = from[1];
    } else if (want == 2) {
        rx.empty = socket;
    }
    if (msgs[0].msg_hdr.msg_flags & MSG_TRUNC) return -1;
    to_enet_address(address, &from[0]);
    return (int)msgs[0].msg_len;
}

bool wire_read_ahead(ENetSocket socket) { return !wire && rx.ahead == socket; }

void wire_forget(ENetSocket socket) {
    if (rx.empty == socket) rx.empty = ENET_SOCKET_NULL;
    if (rx.ahead == socket) rx.ahead = ENET_SOCKET_NULL;
}

void wire_get_stats(wire_stats *out) { *out = stats; }
