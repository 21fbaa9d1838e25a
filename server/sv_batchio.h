/* sv_batchio.h - batched UDP system calls under ENet, for the game server.
 *
 * Owns: this program's own enet_socket_send and enet_socket_receive, which
 * take the place of ENet's (see sv_batchio.c for how and why), the
 * batching windows in which the game socket's datagrams go out with one
 * sendmmsg per 64 and come in with one recvmmsg per 64, and the optional
 * sender thread that makes those sendmmsg calls.
 *
 * Outside a window, and on every other socket, both functions do exactly
 * what ENet's own do. Inside one, sends to the attached socket are queued
 * (copied; ENet reuses its buffers) and reported as sent, and go out at
 * the latest when the window ends (with a sender thread: are handed to it
 * then); receives come from a batch read ahead. Nothing is ever held past
 * sv_batchio_end: the server wraps each enet_host_service and each tick's
 * enet_host_flush in a window.
 */
#ifndef SV_BATCHIO_H
#define SV_BATCHIO_H

#include <stdbool.h>
#include <stdint.h>

#include <enet/enet.h>

typedef struct {
    uint64_t send_calls;      /* sendmmsg/sendmsg system calls for the game socket */
    uint64_t datagrams_sent;  /* datagrams those calls sent */
    uint64_t send_errors;     /* datagrams the kernel refused (dropped, as a lost datagram) */
    uint64_t recv_calls;      /* recvmmsg system calls that returned data */
    uint64_t datagrams_read;  /* datagrams those calls read */
    uint64_t oversized;       /* datagrams too long for any ENet packet: dropped and counted */
    uint64_t queue_full;      /* datagrams sent at once, unqueued, because the sender thread was
                               * SEND_RING datagrams behind */
    uint64_t direct_windows;  /* with a sender thread: small windows sent by the thread that
                               * queued them, because the sender slept (sv_batchio.c) */
} sv_batchio_stats;

/* Batches the datagrams of `socket` (the game host's) from now on; one
 * socket at a time (ENET_SOCKET_NULL: none). */
void sv_batchio_attach(ENetSocket socket);

/* From now on a sender thread sends the queued datagrams: the window's
 * end only wakes it, so the system calls (most of the cost of sending)
 * leave the thread that runs ENet. False (and sending stays on the
 * calling thread) when no socket is attached or the thread cannot start.
 * sv_batchio_attach stops it, after it has sent everything queued. */
bool sv_batchio_start_sender(void);
bool sv_batchio_threaded(void);
/* Waits until the sender thread has sent everything queued so far (tests,
 * shutdown); returns at once without one. */
void sv_batchio_drain(void);
/* Whether the sender thread is asleep, waiting for datagrams (tests). */
bool sv_batchio_sender_asleep(void);

/* Opens and closes a batching window. sv_batchio_end sends everything
 * queued (or, with a sender thread, hands it over). Windows do not nest. */
void sv_batchio_begin(void);
void sv_batchio_end(void);

/* Datagrams already read from the kernel that ENet has not taken yet: the
 * socket may look idle to poll() while these wait, so do not sleep. */
int sv_batchio_pending(void);

void sv_batchio_get_stats(sv_batchio_stats *out);

#endif
