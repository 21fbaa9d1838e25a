/* sv_batchio.c - batched UDP system calls under ENet (sv_batchio.h).
 *
 * Why: ENet sends every datagram with its own sendmsg and reads every one
 * with its own recvmsg. On this kind of machine a sendmsg of a small UDP
 * datagram costs about 4.6 us and one sendmmsg per 64 about 1.7 us per
 * datagram (measured on loopback), so at hundreds of clients the system
 * calls, not the game, fill the server's frame. ENet 1.3 has no batched
 * I/O of its own.
 *
 * How: enet_socket_send and enet_socket_receive are ENet's documented
 * platform functions (enet.h), and libenet calls them through its
 * procedure linkage table, so the definitions below, linked into the
 * gameserver executable, are the ones ENet uses: ELF symbol interposition,
 * the mechanism that lets a program supply its own malloc. They do what
 * ENet's unix.c does (same return values: the byte count, 0 for "would
 * block", -1 for an error) except in two ways:
 *   - the attached socket's datagrams are sent in batches inside a window
 *     (sv_batchio_begin/end) and read in batches of up to 64 with
 *     recvmmsg, always;
 *   - a datagram too long for ENet's buffer is dropped and counted, where
 *     ENet's own version returns -1 and so makes enet_host_service fail.
 * If ENet were ever linked so that its internal calls bypass these, the
 * server still works, unbatched; sv_batchio_get_stats then shows no calls
 * (unit_sv_batchio checks that ENet does come through here).
 */
#define _GNU_SOURCE
#include "sv_batchio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define BATCH 64
#define SLOT_BYTES ENET_PROTOCOL_MAXIMUM_MTU

_Static_assert(sizeof(ENetBuffer) == sizeof(struct iovec), "ENetBuffer is an iovec on Unix");

static struct {
    ENetSocket socket;
    bool attached, open;
    /* sends queued in the current window */
    int nsend;
    struct mmsghdr send_msg[BATCH];
    struct iovec send_iov[BATCH];
    struct sockaddr_in send_to[BATCH];
    uint8_t send_data[BATCH][SLOT_BYTES];
    /* datagrams read ahead: recv_msg[rnext .. rcount) not yet taken */
    int rnext, rcount;
    struct mmsghdr recv_msg[BATCH];
    struct iovec recv_iov[BATCH];
    struct sockaddr_in recv_from[BATCH];
    uint8_t recv_data[BATCH][SLOT_BYTES];
    sv_batchio_stats stats;
} B = {.socket = ENET_SOCKET_NULL};

/* ---- ENet's own behaviour (unix.c), for every other socket --------------- */

static int plain_send(ENetSocket socket, const ENetAddress *address, const ENetBuffer *buffers, size_t count) {
    struct msghdr msg;
    struct sockaddr_in sin;
    memset(&msg, 0, sizeof msg);
    if (address) {
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_port = htons(address->port);
        sin.sin_addr.s_addr = address->host;
        msg.msg_name = &sin;
        msg.msg_namelen = sizeof sin;
    }
    msg.msg_iov = (struct iovec *)(uintptr_t)buffers;
    msg.msg_iovlen = count;
    ssize_t n = sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n < 0) return errno == EWOULDBLOCK ? 0 : -1;
    return (int)n;
}

static int plain_receive(ENetSocket socket, ENetAddress *address, ENetBuffer *buffers, size_t count) {
    struct msghdr msg;
    struct sockaddr_in sin;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = &sin;
    msg.msg_namelen = sizeof sin;
    msg.msg_iov = (struct iovec *)buffers;
    msg.msg_iovlen = count;
    ssize_t n = recvmsg(socket, &msg, MSG_NOSIGNAL);
    if (n < 0) return errno == EWOULDBLOCK ? 0 : -1;
    if (msg.msg_flags & MSG_TRUNC) return -1;
    if (address) {
        address->host = (enet_uint32)sin.sin_addr.s_addr;
        address->port = ntohs(sin.sin_port);
    }
    return (int)n;
}

/* ---- batching ---------------------------------------------------------- */

static void flush_sends(void) {
    int i = 0;
    while (i < B.nsend) {
        int r = sendmmsg(B.socket, &B.send_msg[i], (unsigned)(B.nsend - i), MSG_NOSIGNAL);
        B.stats.send_calls++;
        if (r > 0) {
            i += r;
            B.stats.datagrams_sent += (uint64_t)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else { /* the datagram at i was refused: lost, as ENet treats a send that would block */
            B.stats.send_errors++;
            i++;
        }
    }
    B.nsend = 0;
}

int enet_socket_send(ENetSocket socket, const ENetAddress *address, const ENetBuffer *buffers, size_t count) {
    if (!B.open || socket != B.socket || !address) return plain_send(socket, address, buffers, count);
    size_t total = 0;
    for (size_t k = 0; k < count; k++) total += buffers[k].dataLength;
    if (total > SLOT_BYTES) { /* never, ENet's MTU is at most this; keep the order anyway */
        flush_sends();
        return plain_send(socket, address, buffers, count);
    }
    if (B.nsend == BATCH) flush_sends();
    int i = B.nsend++;
    uint8_t *p = B.send_data[i];
    for (size_t k = 0; k < count; k++) {
        memcpy(p, buffers[k].data, buffers[k].dataLength);
        p += buffers[k].dataLength;
    }
    B.send_to[i] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(address->port),
                                        .sin_addr.s_addr = address->host};
    B.send_iov[i] = (struct iovec){B.send_data[i], total};
    B.send_msg[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &B.send_to[i], .msg_namelen = sizeof B.send_to[i],
                                                 .msg_iov = &B.send_iov[i], .msg_iovlen = 1}};
    return (int)total;
}

/* Reads up to BATCH datagrams; false when none are waiting (or on error,
 * in *err). */
static bool refill(bool *err) {
    for (int i = 0; i < BATCH; i++) {
        B.recv_iov[i] = (struct iovec){B.recv_data[i], SLOT_BYTES};
        B.recv_msg[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &B.recv_from[i],
                                                     .msg_namelen = sizeof B.recv_from[i],
                                                     .msg_iov = &B.recv_iov[i], .msg_iovlen = 1}};
    }
    int r;
    do r = recvmmsg(B.socket, B.recv_msg, BATCH, MSG_DONTWAIT, NULL);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        *err = r < 0 && errno != EAGAIN && errno != EWOULDBLOCK;
        return false;
    }
    B.stats.recv_calls++;
    B.stats.datagrams_read += (uint64_t)r;
    B.rnext = 0;
    B.rcount = r;
    return true;
}

int enet_socket_receive(ENetSocket socket, ENetAddress *address, ENetBuffer *buffers, size_t count) {
    if (!B.attached || socket != B.socket) return plain_receive(socket, address, buffers, count);
    for (;;) {
        if (B.rnext == B.rcount) {
            bool err = false;
            if (!refill(&err)) return err ? -1 : 0;
        }
        const struct mmsghdr *m = &B.recv_msg[B.rnext];
        const uint8_t *data = B.recv_data[B.rnext];
        const struct sockaddr_in *from = &B.recv_from[B.rnext];
        B.rnext++;
        size_t len = m->msg_len, room = 0;
        for (size_t k = 0; k < count; k++) room += buffers[k].dataLength;
        if ((m->msg_hdr.msg_flags & MSG_TRUNC) || len > room) {
            B.stats.oversized++;
            continue;
        }
        size_t off = 0;
        for (size_t k = 0; k < count && off < len; k++) {
            size_t part = len - off < buffers[k].dataLength ? len - off : buffers[k].dataLength;
            memcpy(buffers[k].data, data + off, part);
            off += part;
        }
        if (address) {
            address->host = (enet_uint32)from->sin_addr.s_addr;
            address->port = ntohs(from->sin_port);
        }
        return (int)len;
    }
}

/* ---- the interface --------------------------------------------------------- */

void sv_batchio_attach(ENetSocket socket) {
    if (B.open) flush_sends();
    B.socket = socket;
    B.attached = socket != ENET_SOCKET_NULL;
    B.rnext = B.rcount = 0;
}

void sv_batchio_begin(void) { B.open = B.attached; }

void sv_batchio_end(void) {
    if (B.nsend) flush_sends();
    B.open = false;
}

int sv_batchio_pending(void) { return B.rcount - B.rnext; }

void sv_batchio_get_stats(sv_batchio_stats *out) { *out = B.stats; }
