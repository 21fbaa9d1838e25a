/* cl_discovery.h - finding servers on the LAN (the client side of discovery).
 *
 * Owns: a UDP socket of its own (ENet's socket API, SO_BROADCAST) that sends
 * discovery queries to a broadcast address and the discovery port, and the
 * list of servers that answered. Layouts and sizes are in shared/discovery.h.
 *
 * Each cl_discovery_send uses a fresh random nonce and remembers when it went
 * out; the last CL_DISCOVERY_PENDING queries stay answerable, so a reply to
 * an earlier query still counts after a resend. cl_discovery_poll (never
 * blocks, time passed in) reads up to CL_DISCOVERY_MAX_PER_POLL datagrams,
 * keeps the valid replies whose nonce we sent, and adds or updates the
 * server in the list: at most CL_DISCOVERY_MAX_SERVERS, one entry per
 * address + game port, where the address is the reply's source IP with the
 * game port the server reported. ping_ms is the reply's arrival minus its
 * query's send time (the best seen); it includes up to one server loop turn.
 *
 * Also the headless listing mode, `gameclient --list-servers`.
 */
#ifndef CL_DISCOVERY_H
#define CL_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "discovery.h"
#include "net.h"

#define CL_DISCOVERY_MAX_SERVERS 64
#define CL_DISCOVERY_PENDING 8          /* queries whose replies we still accept */
#define CL_DISCOVERY_MAX_PER_POLL 64    /* datagrams read per poll */
#define CL_DISCOVERY_DEFAULT_BROADCAST "255.255.255.255"
#define CL_DISCOVERY_LIST_SECONDS 1.0   /* --list-servers without --duration */
#define CL_DISCOVERY_RESEND_SECONDS 0.5 /* --list-servers asks again this often */

typedef struct {
    ENetAddress address;      /* source IP of the reply, the server's game port */
    char name[PROTO_SERVER_NAME_MAX + 1];
    char map[PROTO_MAP_NAME_MAX + 1];
    uint16_t players;
    uint16_t max_players;
    double ping_ms;           /* best reply time - query send time */
    double last_seen;         /* `now` of the newest reply */
} cl_discovery_server;

typedef struct {
    uint32_t nonce;
    double sent_at;
    bool used;
} cl_discovery_query;

typedef struct {
    ENetSocket socket;
    bool open;
    ENetAddress target;       /* broadcast address and discovery port */
    uint64_t rng;             /* nonce generator */
    cl_discovery_query pending[CL_DISCOVERY_PENDING];
    int pending_next;
    cl_discovery_server servers[CL_DISCOVERY_MAX_SERVERS];
    int count;
    uint64_t sent, send_errors;
    uint64_t replies;         /* valid replies to our queries */
    uint64_t bad;             /* datagrams that were not a valid reply */
    uint64_t unmatched;       /* valid replies with a nonce we did not send */
    uint64_t list_full;       /* servers left out: the list was full */
} cl_discovery;

/* Opens a broadcast-capable UDP socket that will query `broadcast` (an IPv4
 * address or host name) on UDP `port`. False with a message in err. */
bool cl_discovery_open(cl_discovery *d, const char *broadcast, uint16_t port, char *err, size_t err_cap);

/* Sends one query. False if the socket refused it (counted). */
bool cl_discovery_send(cl_discovery *d, double now);

/* Reads waiting replies; returns the number of datagrams read. */
int cl_discovery_poll(cl_discovery *d, double now);

/* Waits up to timeout_ms for a datagram to arrive (for idle loops). */
void cl_discovery_wait(cl_discovery *d, uint32_t timeout_ms);

static inline int cl_discovery_count(const cl_discovery *d) { return d->count; }
static inline const cl_discovery_server *cl_discovery_get(const cl_discovery *d, int i) {
    return i >= 0 && i < d->count ? &d->servers[i] : NULL;
}

/* Forgets the servers found (a refresh); pending queries stay answerable. */
void cl_discovery_clear(cl_discovery *d);

void cl_discovery_close(cl_discovery *d);

/* `gameclient --list-servers`: queries for `seconds` (again every
 * CL_DISCOVERY_RESEND_SECONDS), then prints one JSON line per server
 * ({"address","name","map","players","max_players","ping_ms"}) and a last
 * line {"servers":N} to out. Returns the process exit code. */
int cl_discovery_list_run(const char *broadcast, uint16_t port, double seconds, FILE *out);

#endif
