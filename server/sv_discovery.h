/* sv_discovery.h - the server's LAN discovery responder.
 *
 * Owns: a UDP socket of its own (ENet's socket API, not the ENet host) bound
 * to ENET_HOST_ANY on the discovery port with SO_REUSEADDR, so several
 * servers on one machine share the port and each hears every broadcast
 * query. The codec and the layouts are in shared/discovery.h.
 *
 * sv_discovery_poll never blocks and does bounded work: it reads at most
 * SV_DISCOVERY_MAX_PER_POLL datagrams (the rest wait in the kernel for the
 * next loop turn), answers each valid query with one reply to the query's
 * source address, never larger than the query (see discovery.h), and answers
 * at most DISCOVERY_REPLY_RATE replies per second in all (a token bucket,
 * time passed in), so the server cannot be used as a reflector. Anything
 * that is not exactly a query (wrong size, magic, version, padding, or a
 * datagram too long to read) is counted as bad and gets no answer.
 */
#ifndef SV_DISCOVERY_H
#define SV_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discovery.h"
#include "ratelimit.h"
#include "net.h"

#define SV_DISCOVERY_MAX_PER_POLL 64 /* datagrams read per call */

typedef struct {
    ENetSocket socket;
    bool open;
    uint16_t port;
    ratelimit bucket;
    uint64_t queries;       /* valid queries received */
    uint64_t replies;       /* replies sent */
    uint64_t bad;           /* datagrams that were not a query */
    uint64_t rate_limited;  /* valid queries left unanswered by the rate limit */
    uint64_t send_errors;   /* replies the socket refused */
} sv_discovery;

/* What the server reports, filled in by the caller for each poll. */
typedef struct {
    const char *name;
    const char *map;
    uint16_t game_port;
    uint16_t players;
    uint16_t max_players;
} sv_discovery_info;

/* Marks d closed (safe to poll and close). */
void sv_discovery_init(sv_discovery *d);

/* Opens the responder on UDP `port` (1..65535). False with a message in err
 * when the socket cannot be created or bound; d is then left closed. */
bool sv_discovery_open(sv_discovery *d, uint16_t port, char *err, size_t err_cap);

/* Reads up to SV_DISCOVERY_MAX_PER_POLL datagrams and answers the valid
 * queries. `now` is in seconds (clock_now()). Returns the number of
 * datagrams read; 0 when closed. */
int sv_discovery_poll(sv_discovery *d, const sv_discovery_info *info, double now);

/* The counters as one line for the log: "queries Q, replies R, bad B,
 * rate_limited L, send_errors E". */
void sv_discovery_format_stats(const sv_discovery *d, char *buf, size_t cap);

void sv_discovery_close(sv_discovery *d);

#endif
