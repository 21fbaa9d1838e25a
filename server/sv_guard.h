/* sv_guard.h - the connection guard: keeps half-open and lingering ENet
 * connections from filling the server's ENet peers.
 *
 * Owns: a record per ENet peer of when it entered a transient state, and
 * the policy that frees the oldest of them. ENet gives a peer to every
 * CONNECT it receives and holds it (ACKNOWLEDGING_CONNECT) until the caller
 * acknowledges VERIFY_CONNECT or ENet's own timeout fires, 5 to 30 s later;
 * a disconnect the far side never acknowledges holds one as long. A flood of
 * such connections would fill every peer and leave a real client nowhere to
 * connect. After each service of the host the guard looks at every peer:
 *
 *   - opening: CONNECTING, ACKNOWLEDGING_CONNECT, CONNECTION_PENDING or
 *     CONNECTION_SUCCEEDED (on a server, in practice, ACKNOWLEDGING_CONNECT);
 *   - closing: DISCONNECT_LATER, DISCONNECTING, ACKNOWLEDGING_DISCONNECT or
 *     ZOMBIE, once the application has let go of the peer (peer->data NULL).
 *
 * For each kind: one older than SV_GUARD_MAX_AGE is reset; and while more
 * than SV_GUARD_MAX_PENDING are in that state, the oldest are reset, but
 * never one younger than SV_GUARD_MIN_AGE (a real handshake on a lossy link
 * takes a few round trips; on a LAN it takes one). Only when fewer than
 * SV_GUARD_RESERVE_PEERS peers would stay free (a flood of more than ~1500
 * half-open connections a second) do younger ones go too, oldest first:
 * otherwise nobody at all could connect. A peer the application still holds
 * (peer->data set) is never touched. Resetting is silent (enet_peer_reset):
 * the far side learns nothing, and the peer is free at once.
 *
 * The decision (sv_guard_observe, sv_guard_decide) is pure and unit tested;
 * sv_guard_poll applies it to an ENet host. O(peers) per call, no allocation
 * (the records are a fixed array of SV_GUARD_MAX_PEERS).
 */
#ifndef SV_GUARD_H
#define SV_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* ENet peers the server adds for connections in flight, beyond its players
 * and SV_SPARE_PEERS: room a flood fills before the guard frees it. A flood
 * of R half-open connections per second holds about SV_GUARD_MAX_PENDING +
 * R * SV_GUARD_MIN_AGE peers. 456 bytes each (ENet 1.3.17, x86-64). */
#define SV_GUARD_EXTRA_PEERS 1024
#define SV_GUARD_MAX_PENDING 32    /* opening (or closing) peers before the oldest go; sv_guard_poll
                                      * allows one per 8 regular peers when that is more */
#define SV_GUARD_MIN_AGE 0.5       /* seconds: younger ones go only to keep the reserve */
#define SV_GUARD_MAX_AGE 3.0       /* seconds: older ones are reset whatever the count */
/* Peers kept free for newcomers: one service of the host reads at most 256
 * datagrams (ENet), so the CONNECTs that arrive between two polls cannot
 * take them all. */
#define SV_GUARD_RESERVE_PEERS 320
#define SV_GUARD_LOG_INTERVAL 5.0  /* seconds between the guard's warning lines */
#define SV_GUARD_MAX_PEERS 4096    /* ENet's limit (ENET_PROTOCOL_MAXIMUM_PEER_ID + 1) */
#define SV_GUARD_YOUNG_BUCKETS 16   /* resolution of "oldest": below min_age, */
#define SV_GUARD_OLD_BUCKETS 48     /* ... and from min_age to max_age */
#define SV_GUARD_AGE_BUCKETS (SV_GUARD_YOUNG_BUCKETS + SV_GUARD_OLD_BUCKETS)

typedef enum { SV_GUARD_IDLE = 0, SV_GUARD_OPENING = 1, SV_GUARD_CLOSING = 2, SV_GUARD_KINDS = 3 } sv_guard_kind;

typedef struct {
    int max_pending;   /* per kind */
    double min_age;    /* seconds; > 0 */
    double max_age;    /* seconds; > min_age */
    int reserve;       /* free peers to keep, younger ones going if need be */
} sv_guard_limits;

typedef struct {
    uint8_t kind;        /* sv_guard_kind */
    bool evictable;      /* the application holds nothing on this peer */
    uint32_t connect_id; /* ENet's connectID when first seen: a reused peer starts afresh */
    double since;        /* when first seen in this kind */
} sv_guard_record;

/* Counters, per kind (index by sv_guard_kind). */
typedef struct {
    uint64_t reset_over_cap[SV_GUARD_KINDS]; /* the oldest, past max_pending */
    uint64_t reset_too_old[SV_GUARD_KINDS];  /* past max_age */
    uint64_t reset_for_room[SV_GUARD_KINDS]; /* to keep `reserve` peers free */
    int pending[SV_GUARD_KINDS];             /* at the last decide */
    int peak[SV_GUARD_KINDS];
    uint64_t no_free_peer;                   /* polls that found every peer in use */
} sv_guard_counts;

typedef struct {
    sv_guard_limits lim;
    size_t peer_count;
    sv_guard_record rec[SV_GUARD_MAX_PEERS];
    uint16_t chosen[SV_GUARD_MAX_PEERS];
    sv_guard_counts counts;
    sv_guard_counts logged;  /* counts at the last warning line */
    double last_log_at;
    const void *host;        /* the host these records describe (sv_guard_poll) */
} sv_guard;

/* The limits above. */
sv_guard_limits sv_guard_default_limits(void);

/* Forgets everything; peer_count is clamped to SV_GUARD_MAX_PEERS. */
void sv_guard_init(sv_guard *g, size_t peer_count, const sv_guard_limits *lim);

/* Records peer `index` as seen at `now`: its kind, ENet connectID, and
 * whether the application has let go of it. A peer keeps its first-seen time
 * while kind and connectID stay the same. */
void sv_guard_observe(sv_guard *g, size_t index, sv_guard_kind kind, uint32_t connect_id, bool evictable, double now);

/* After every peer has been observed, with `free_peers` of the host's peers
 * free (DISCONNECTED): picks the peers to reset (too old; the oldest past
 * the cap; the oldest while fewer than `reserve` would be free), forgets
 * them, counts them, and returns how many; *chosen points at their indices
 * (valid until the next call). */
size_t sv_guard_decide(sv_guard *g, double now, size_t free_peers, const uint16_t **chosen);

/* True once per SV_GUARD_LOG_INTERVAL when peers were reset since the last
 * line; writes that line into buf. */
bool sv_guard_report(sv_guard *g, double now, char *buf, size_t cap);

/* The kind of an ENet peer state. */
sv_guard_kind sv_guard_kind_of(ENetPeerState state);

/* Observes every peer of host, resets those sv_guard_decide picks, and logs
 * a warning line now and then. Call after each service of the host (its
 * events drained). Uses one guard of this module's own, bound to host on
 * the first call (and again if host changes). */
void sv_guard_poll(ENetHost *host, double now);

/* That guard's counters (zero before the first poll). */
const sv_guard_counts *sv_guard_totals(void);

#endif
