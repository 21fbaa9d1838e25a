/* net.h - the thin ENet glue shared by server and client.
 *
 * Owns: the one place in shared/ that includes <enet/enet.h>: host limits
 * set on purpose, per-peer throttle and timeout settings, sending a buffer
 * as a packet, and formatting addresses for logs and screens.
 */
#ifndef GAME_NET_H
#define GAME_NET_H

#include <enet/enet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Peer timeouts (ms), as enet_peer_timeout(limit, minimum, maximum). ENet's
 * defaults are 32 / 5000 / 30000. Ours: a peer silent for `timeout` ms (the
 * --peer-timeout option, default NET_TIMEOUT_DEFAULT_MS) is dropped; the
 * minimum is half of it (ENet never gives up earlier, however many resends
 * failed). */
#define NET_TIMEOUT_LIMIT 32
#define NET_TIMEOUT_DEFAULT_MS 10000
#define NET_TIMEOUT_MIN_OPTION_MS 2000
#define NET_TIMEOUT_MAX_OPTION_MS 120000

/* Per-host caps far below ENet's 32 MiB defaults. */
#define NET_MAX_WAITING_DATA (256 * 1024)

/* Sets packet-size and waiting-data limits on a freshly created host. */
void net_host_limits(ENetHost *host);

/* Asks the kernel for socket buffers of `bytes` each way (SO_RCVBUFFORCE
 * first, which only a privileged process may use, then SO_RCVBUF, which the
 * kernel caps at net.core.rmem_max); returns the receive buffer granted. A
 * server with hundreds of clients needs more than ENet's 256 KiB, or bursts
 * of input overflow it and are lost. */
int net_host_buffers(ENetHost *host, int bytes);
int net_socket_buffers(int fd, int bytes); /* the same for any UDP socket */

/* Explicit timeouts, and a throttle that never drops our unreliable packets
 * on its own (ENet's throttle starves low-RTT links; we send little). */
void net_peer_configure(ENetPeer *peer, uint32_t timeout_ms);

/* Only the timeouts (before the connection is up). */
void net_peer_timeouts(ENetPeer *peer, uint32_t timeout_ms);

typedef enum {
    NET_RELIABLE,    /* resent until acknowledged, in order */
    NET_SEQUENCED,   /* unreliable; an older one arriving after a newer is dropped (snapshots) */
    NET_UNSEQUENCED  /* unreliable, delivered whatever the order (redundant inputs) */
} net_delivery;

/* Copies data into a new packet and queues it on channel. Returns false
 * (and frees the packet) if ENet refused it. */
bool net_send(ENetPeer *peer, uint8_t channel, const void *data, size_t len, net_delivery how);

/* Queues one copy of data for each of the n peers (NULL ones skipped): a
 * single packet, shared by reference (ENet frees it after the last peer
 * is done with it), not one allocation and copy per peer. Returns how
 * many peers took it. */
int net_send_many(ENetPeer *const *peers, int n, uint8_t channel, const void *data, size_t len, net_delivery how);

/* "a.b.c.d:port" into buf. */
void net_format_address(const ENetAddress *a, char *buf, size_t cap);

/* Parses "HOST" or "HOST:PORT" (HOST a name or dotted quad) into *out,
 * resolving names; default_port when none is given. False with a message in
 * err on failure. */
bool net_parse_address(const char *text, uint16_t default_port, ENetAddress *out, char *err, size_t err_cap);

/* The port a host is bound to (useful after binding port 0). */
uint16_t net_host_port(ENetHost *host);

#endif
