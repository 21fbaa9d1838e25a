/* cl_wire.h - the bot swarm's socket layer (botswarm only).
 *
 * Owns: how the swarm's ENet hosts reach the network. libenet calls the
 * platform functions enet_socket_send and enet_socket_receive (enet.h)
 * through its procedure linkage table, so the definitions in cl_wire.c,
 * linked into botswarm, are the ones every bot's ENet host uses.
 *
 * Two ways, chosen by wire_open:
 *
 * - The shared wire (the server on 127.0.0.0/8): one UDP socket carries
 *   every bot's datagrams. Bot i sends from its own loopback address
 *   (127.1.x.y, wire_bot_address) through IP_PKTINFO, so the server sees
 *   a distinct client per bot as it would on a LAN; its datagrams are
 *   gathered and go out with one sendmmsg per WIRE_BATCH (wire_flush), and
 *   the server's datagrams come in with one recvmmsg per WIRE_BATCH
 *   (wire_drain), each handed to the bot its destination address names.
 *   A bot's own ENet socket stays unbound and unused. This takes the
 *   system calls (two or three per datagram, and an epoll entry per bot)
 *   out of the swarm's cost; the kernel's work per datagram remains.
 *
 * - Per-bot sockets (any other server): each bot's ENet host uses its own
 *   socket as ENet would, except that a read asks recvmmsg for two
 *   datagrams, so a read that finds one also tells that the socket is
 *   empty and ENet's next read (the one that would come back empty) needs
 *   no system call.
 *
 * Whose datagrams are being sent or received is the bot whose turn it is
 * (wire_set_current): the swarm runs one bot at a time.
 */
#ifndef CL_WIRE_H
#define CL_WIRE_H

#include <enet/enet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_BATCH 64      /* datagrams per sendmmsg / recvmmsg */
#define WIRE_MAX_BOTS 1024 /* source addresses 127.1.0.1 ... (250 per third byte) */

typedef struct {
    uint64_t reads, datagrams_in;   /* receive calls, and the datagrams they got */
    uint64_t writes, datagrams_out; /* send calls (wire: sendmmsg), and the datagrams they sent */
    uint64_t strays;                /* wire: datagrams not from the server or for no bot, dropped */
    uint64_t send_failures;         /* datagrams the kernel refused, dropped (UDP may lose them) */
} wire_stats;

/* Opens the shared wire when `server` is a loopback address (and
 * `bots` <= WIRE_MAX_BOTS), with `buffer_bytes` of kernel buffer each way.
 * Returns true when the wire is in use; false (and err says why, empty
 * when the server is simply not on loopback) means per-bot sockets. */
bool wire_open(const ENetAddress *server, int bots, int buffer_bytes, char *err, size_t err_cap);
void wire_close(void);
bool wire_active(void);
int wire_fd(void); /* the wire's socket, for epoll; -1 when not active */

/* Bot i's source address on the wire (network byte order). */
uint32_t wire_bot_address(int bot);

/* The bot whose ENet calls follow (-1: none). */
void wire_set_current(int bot);

/* Sends the datagrams gathered so far (wire only; otherwise nothing). */
void wire_flush(void);

/* Reads what the wire holds, up to max_batches recvmmsg calls, and for
 * each datagram from the server to a bot makes it that bot's next read
 * and calls deliver(ctx, bot), which services the bot. Returns the
 * datagrams delivered. */
typedef void (*wire_deliver_fn)(void *ctx, int bot);
int wire_drain(wire_deliver_fn deliver, void *ctx, int max_batches);

/* Per-bot sockets: whether a datagram was read ahead for `socket` (its
 * bot should be serviced again), and forgetting what is known of a socket
 * that closes or is new. */
bool wire_read_ahead(ENetSocket socket);
void wire_forget(ENetSocket socket);

void wire_get_stats(wire_stats *out);

#endif
