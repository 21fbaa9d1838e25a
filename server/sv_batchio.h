/* sv_batchio.h - batched UDP system calls under ENet, for the game server.
 *
 * Owns: this program's own enet_socket_send and enet_socket_receive, which
 * take the place of ENet's (see sv_batchio.c for how and why), and the
 * batching windows in which the game socket's datagrams go out with one
 * sendmmsg per 64 and come in with one recvmmsg per 64.
 *
 * Outside a window, and on every other socket, both functions do exactly
 * what ENet's own do. Inside one, sends to the attached socket are queued
 * (copied; ENet reuses its buffers) and reported as sent, and go out at
 * the latest when the window ends; receives come from a batch read ahead.
 * Nothing is ever held past sv_batchio_end: the server wraps each
 * enet_host_service and each tick's enet_host_flush in a window.
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
} sv_batchio_stats;

/* Batches the datagrams of `socket` (the game host's) from now on; one
 * socket at a time (ENET_SOCKET_NULL: none). */
void sv_batchio_attach(ENetSocket socket);

/* Opens and closes a batching window. sv_batchio_end sends everything
 * queued. Windows do not nest. */
void sv_batchio_begin(void);
void sv_batchio_end(void);

/* Datagrams already read from the kernel that ENet has not taken yet: the
 * socket may look idle to poll() while these wait, so do not sleep. */
int sv_batchio_pending(void);

void sv_batchio_get_stats(sv_batchio_stats *out);

#endif
