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
 * The queue: a window's datagrams are copied into a ring of SEND_RING
 * slots. Without a sender thread the window's end sends them (and the ring
 * starts over at its first slot). With one (sv_batchio_start_sender, on a
 * busy server) the window's end only publishes them and wakes the thread
 * if it sleeps: the sendmmsg calls, which at 1000 players cost about 1.5
 * ms of every 16.7 ms tick on loopback, leave the thread that runs the
 * game. Valve's GameNetworkingSockets sends from a service thread of its
 * own for the same reason. A window of at most DIRECT_MAX datagrams
 * published while the sender sleeps is sent by the publishing thread
 * instead (waking the sender would cost more). If the thread falls
 * SEND_RING datagrams behind, a datagram goes out at once, unqueued
 * (counted). ENet sees no difference: a queued datagram counts as sent.
 *
 * If ENet were ever linked so that its internal calls bypass these, the
 * server still works, unbatched; sv_batchio_get_stats then shows no calls
 * (unit_sv_batchio checks that ENet does come through here).
 */
#define _GNU_SOURCE
#include "sv_batchio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define BATCH 64          /* datagrams per sendmmsg / recvmmsg */
/* With a sender thread: a window of at most this many datagrams published
 * while the sender sleeps is sent by the publishing thread. Waking a thread
 * on another processor cost the waker 20-40 us on this project's two-core
 * VM, about what one sendmmsg of 16 datagrams costs. */
#define DIRECT_MAX 16
#define SEND_RING 1024    /* datagrams queued for sending, at most (a power of two) */
#define SEND_SLOT_BYTES ENET_HOST_DEFAULT_MTU /* the server's MTU: longer ones go out unqueued */
#define SLOT_BYTES ENET_PROTOCOL_MAXIMUM_MTU   /* the longest datagram ENet reads */

_Static_assert(sizeof(ENetBuffer) == sizeof(struct iovec), "ENetBuffer is an iovec on Unix");
_Static_assert((SEND_RING & (SEND_RING - 1)) == 0, "SEND_RING is a power of two");

static struct {
    ENetSocket socket;
    bool attached, open;
    /* The send queue: slots [tail, qhead) hold datagrams not yet sent;
     * [tail, head) of them are published to whoever sends (the sender
     * thread, or sv_batchio_end on this thread). Indices count up and wrap
     * at 2^32; slot i is i % SEND_RING. Only the producer (the thread
     * running ENet) writes qhead, head and the slots past head; only the
     * sender writes tail. */
    uint32_t qhead;
    _Atomic uint32_t head, tail;
    struct mmsghdr send_msg[SEND_RING];
    struct iovec send_iov[SEND_RING];
    struct sockaddr_in send_to[SEND_RING];
    uint8_t send_data[SEND_RING][SEND_SLOT_BYTES];
    /* the sender thread, when started */
    bool threaded;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool sleeping, quit;
    /* datagrams read ahead: recv_msg[rnext .. rcount) not yet taken */
    int rnext, rcount;
    struct mmsghdr recv_msg[BATCH];
    struct iovec recv_iov[BATCH];
    struct sockaddr_in recv_from[BATCH];
    uint8_t recv_data[BATCH][SLOT_BYTES];
    /* figures: the send side's are written by the sender */
    _Atomic uint64_t send_calls, datagrams_sent, send_errors, queue_full, direct_windows;
    sv_batchio_stats stats; /* the receive side's */
} B = {.socket = ENET_SOCKET_NULL, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

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

/* Sends the published datagrams [tail, head) in sendmmsg calls of up to
 * BATCH (the sender's side of the queue). */
static void send_published(void) {
    uint32_t head = atomic_load_explicit(&B.head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&B.tail, memory_order_relaxed);
    while (tail != head) {
        uint32_t at = tail % SEND_RING, n = head - tail;
        if (n > BATCH) n = BATCH;
        if (n > SEND_RING - at) n = SEND_RING - at; /* contiguous up to the ring's end */
        int r = sendmmsg(B.socket, &B.send_msg[at], n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        atomic_fetch_add_explicit(&B.send_calls, 1, memory_order_relaxed);
        if (r > 0) {
            tail += (uint32_t)r;
            atomic_fetch_add_explicit(&B.datagrams_sent, (uint64_t)r, memory_order_relaxed);
        } else { /* the datagram at tail was refused: lost, as ENet treats a send that would block */
            atomic_fetch_add_explicit(&B.send_errors, 1, memory_order_relaxed);
            tail++;
        }
        atomic_store_explicit(&B.tail, tail, memory_order_release); /* its slots may be reused */
    }
}

/* Hands the queued datagrams to the sender: the thread (woken if it
 * sleeps), or this thread at once. */
static void publish(void) {
    atomic_store_explicit(&B.head, B.qhead, memory_order_release);
    if (!B.threaded) {
        send_published();
        /* all sent: start again at the first slots (their pages stay
         * warm, and no more of the ring than one window needs is touched) */
        B.qhead = 0;
        atomic_store_explicit(&B.head, 0, memory_order_relaxed);
        atomic_store_explicit(&B.tail, 0, memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&B.lock);
    if (B.sleeping && B.qhead - atomic_load_explicit(&B.tail, memory_order_relaxed) <= DIRECT_MAX) {
        /* A few datagrams (acknowledgements while servicing) and a sleeping
         * sender: sent here, under the lock, so the sender cannot wake into
         * them; one sendmmsg costs less than waking a thread on another
         * processor. */
        send_published();
        atomic_fetch_add_explicit(&B.direct_windows, 1, memory_order_relaxed);
    } else if (B.sleeping) {
        pthread_cond_signal(&B.wake);
    }
    pthread_mutex_unlock(&B.lock);
}

static void *sender_main(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&B.lock);
        while (!B.quit && atomic_load_explicit(&B.head, memory_order_acquire) ==
                              atomic_load_explicit(&B.tail, memory_order_relaxed)) {
            B.sleeping = true;
            pthread_cond_wait(&B.wake, &B.lock);
            B.sleeping = false;
        }
        bool quit = B.quit;
        pthread_mutex_unlock(&B.lock);
        send_published(); /* on quit too: nothing published is left behind */
        if (quit) return NULL;
    }
}

int enet_socket_send(ENetSocket socket, const ENetAddress *address, const ENetBuffer *buffers, size_t count) {
    if (!B.open || socket != B.socket || !address) return plain_send(socket, address, buffers, count);
    size_t total = 0;
    for (size_t k = 0; k < count; k++) total += buffers[k].dataLength;
    if (total > SEND_SLOT_BYTES) return plain_send(socket, address, buffers, count); /* never at ENet's default MTU */
    if (B.qhead - atomic_load_explicit(&B.tail, memory_order_acquire) == SEND_RING) {
        if (!B.threaded) publish(); /* sends them all, here */
        if (B.qhead - atomic_load_explicit(&B.tail, memory_order_acquire) == SEND_RING) {
            atomic_fetch_add_explicit(&B.queue_full, 1, memory_order_relaxed); /* the sender is behind */
            return plain_send(socket, address, buffers, count);
        }
    }
    uint32_t i = B.qhead % SEND_RING;
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
    B.qhead++;
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

/* Waits until everything published has been sent (the sender thread is
 * running, or nothing is published). */
static void wait_sent(void) {
    struct timespec pause = {0, 50000};
    while (atomic_load_explicit(&B.tail, memory_order_acquire) != atomic_load_explicit(&B.head, memory_order_relaxed))
        nanosleep(&pause, NULL);
}

static void stop_sender(void) {
    if (!B.threaded) return;
    pthread_mutex_lock(&B.lock);
    B.quit = true;
    pthread_cond_signal(&B.wake);
    pthread_mutex_unlock(&B.lock);
    pthread_join(B.thread, NULL);
    B.threaded = false;
    B.quit = false;
}

void sv_batchio_attach(ENetSocket socket) {
    if (B.qhead != atomic_load_explicit(&B.head, memory_order_relaxed)) publish();
    stop_sender(); /* it sends what was published before it goes */
    B.socket = socket;
    B.attached = socket != ENET_SOCKET_NULL;
    B.open = false;
    B.rnext = B.rcount = 0;
}

bool sv_batchio_start_sender(void) {
    if (!B.attached || B.threaded) return B.threaded;
    B.quit = false;
    B.threaded = pthread_create(&B.thread, NULL, sender_main, NULL) == 0;
    return B.threaded;
}

bool sv_batchio_threaded(void) { return B.threaded; }

bool sv_batchio_sender_asleep(void) {
    pthread_mutex_lock(&B.lock);
    bool asleep = B.threaded && B.sleeping;
    pthread_mutex_unlock(&B.lock);
    return asleep;
}

void sv_batchio_drain(void) {
    if (B.threaded) wait_sent();
}

void sv_batchio_begin(void) { B.open = B.attached; }

void sv_batchio_end(void) {
    if (B.qhead != atomic_load_explicit(&B.head, memory_order_relaxed)) publish();
    B.open = false;
}

int sv_batchio_pending(void) { return B.rcount - B.rnext; }

void sv_batchio_get_stats(sv_batchio_stats *out) {
    *out = B.stats;
    out->send_calls = atomic_load_explicit(&B.send_calls, memory_order_relaxed);
    out->datagrams_sent = atomic_load_explicit(&B.datagrams_sent, memory_order_relaxed);
    out->send_errors = atomic_load_explicit(&B.send_errors, memory_order_relaxed);
    out->queue_full = atomic_load_explicit(&B.queue_full, memory_order_relaxed);
    out->direct_windows = atomic_load_explicit(&B.direct_windows, memory_order_relaxed);
}
