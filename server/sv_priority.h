/* sv_priority.h - per-client priority accumulators for snapshot changes.
 *
 * Owns: the order in which one client's snapshot admits changes into its
 * byte budget (snap_encode's `priority`), so that the most relevant go
 * first and nothing starves. Pure: no server state, no clock.
 *
 * Every snapshot, each entity in the client's view (except the client's own
 * player, which always goes first) adds its weight to its accumulator:
 *   w = 1 + 960 / (64 + d^2)     d = distance in tiles: 16 at the viewer,
 *                                8.5 at 8 tiles, 4 at 16, 1.9 at 32, -> 1
 *   doubled when the entity is new to the client or its flags or health
 *   differ from what the client holds (a death, a shot, a hit).
 * Changes are admitted by accumulated priority, highest first; after the
 * encoding, an entity the client is now up to date on (its change was
 * sent, or it needed none) has its accumulator and age reset, the others
 * keep theirs and age by one snapshot.
 *
 * The bound: an entity whose age reaches SV_PRIO_OVERDUE (that many
 * snapshots in a row left behind) goes ahead of every entity that is not
 * overdue, oldest first. A 1200-byte snapshot always has room for at least
 * 55 of the costliest changes (137 bits each, after up to 128 removals of
 * 15 bits and the header), and an entity that was admitted can never again
 * be older than one still waiting, so an overdue entity waits behind at
 * most 126 others, 54 of them admitted per snapshot: it is sent within 3
 * snapshots of becoming overdue. So a change to an entity that stays in
 * view reaches the client (if the datagram arrives) within
 * SV_PRIO_OVERDUE + 3 snapshots: 9, 300 ms at 30 snapshots per second.
 * Entities leaving the view, or a full snapshot (no baseline), start over.
 */
#ifndef SV_PRIORITY_H
#define SV_PRIORITY_H

#include <stdint.h>

#include "protocol.h"
#include "snapshot.h"

#define SV_PRIO_OVERDUE 6 /* snapshots behind before age decides the order */
#define SV_PRIO_BOUND (SV_PRIO_OVERDUE + 3) /* snapshots within which any change is sent */

typedef struct {
    uint16_t acc; /* accumulated priority (saturates) */
    uint8_t age;  /* snapshots in a row that ended with the client behind on it */
} sv_prio_entry;

/* One client's accumulators for the entities of its last view: e[i] is
 * entity ids[i]'s, ids in increasing order. Kept beside the ids (not
 * indexed by entity id) so that one snapshot reads one small contiguous
 * block: 770 bytes a client instead of 4.7 KB scattered. Zeroed = a fresh
 * client. */
typedef struct {
    uint16_t count;
    uint16_t ids[PROTO_VIEW_MAX_ENTITIES];
    sv_prio_entry e[PROTO_VIEW_MAX_ENTITIES];
} sv_prio_state;

/* Before encoding: accumulates the weights of the entities in `want`
 * (sorted by id; d2[i] is want->ents[i]'s squared distance from the viewer
 * in tiles), resets the entities that left the view (all of them when
 * baseline is NULL), and writes priority[0..want->count): indices into
 * want->ents, the entity `self_id` first (if present), then overdue ones
 * by age, then the rest by accumulated priority (ties: lower id first). */
void sv_prio_order(sv_prio_state *st, const snap_frame *want, const float *d2, uint16_t self_id,
                   const snap_frame *baseline, uint16_t *priority);

/* After encoding: `want` is the frame sv_prio_order was given, and
 * current[i] tells whether the client now holds want->ents[i] exactly
 * (snap_encode_current's output). Those are up to date: their accumulator
 * and age go to zero; the others age by one. */
void sv_prio_after(sv_prio_state *st, const snap_frame *want, const uint8_t *current);

/* The accumulator of entity `id`, or NULL when it is not in the last view. */
const sv_prio_entry *sv_prio_find(const sv_prio_state *st, uint16_t id);

/* The weight one entity adds per snapshot (see above). */
uint16_t sv_prio_weight(float d2, int changed);

#endif
