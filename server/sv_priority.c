/* sv_priority.c - per-client priority accumulators (sv_priority.h). */
#include "sv_priority.h"

#include <string.h>

uint16_t sv_prio_weight(float d2, int changed) {
    if (!(d2 >= 0.0f)) d2 = 0.0f; /* the viewer itself, or NaN */
    uint16_t w = (uint16_t)(1.0f + 960.0f / (64.0f + d2));
    return changed ? (uint16_t)(2 * w) : w;
}

/* One stable counting-sort pass of idx[0..n) into out by byte `shift` of
 * ~rank (ascending in ~rank is descending in rank). */
static void radix_pass(const uint16_t *rank, const uint8_t *idx, uint8_t *out, int n, int shift) {
    uint16_t count[257];
    memset(count, 0, sizeof count);
    for (int i = 0; i < n; i++) count[(((uint16_t)~rank[idx[i]] >> shift) & 0xffu) + 1]++;
    for (int b = 0; b < 256; b++) count[b + 1] = (uint16_t)(count[b + 1] + count[b]);
    for (int i = 0; i < n; i++) out[count[((uint16_t)~rank[idx[i]] >> shift) & 0xffu]++] = idx[i];
}

/* Sorts idx[0..n) by rank[idx], highest first, keeping the given order
 * among equal ranks: an LSD radix sort over the 16-bit ranks (no
 * comparisons, no allocation, linear in n), skipping a byte all ranks
 * share (the high one, mostly: accumulators rarely pass 255). */
static void sort_by_rank_desc(const uint16_t *rank, uint8_t *idx, int n) {
    if (n < 2) return;
    uint16_t all_or = 0, all_and = 0xffffu;
    for (int i = 0; i < n; i++) {
        all_or |= rank[idx[i]];
        all_and &= rank[idx[i]];
    }
    uint16_t differ = (uint16_t)(all_or ^ all_and); /* bits not all the same */
    uint8_t tmp[PROTO_VIEW_MAX_ENTITIES];
    if (differ & 0xffu) {
        radix_pass(rank, idx, tmp, n, 0);
        memcpy(idx, tmp, (size_t)n);
    }
    if (differ >> 8) {
        radix_pass(rank, idx, tmp, n, 8);
        memcpy(idx, tmp, (size_t)n);
    }
}

/* The order key of one entity: overdue ones (by age, then accumulated
 * priority) above all the others (by accumulated priority). */
static uint16_t rank_of(const sv_prio_entry *e) {
    if (e->age >= SV_PRIO_OVERDUE) {
        unsigned age = e->age > 127 ? 127 : e->age, acc = e->acc > 255 ? 255 : e->acc;
        return (uint16_t)(0x8000u | age << 8 | acc);
    }
    return e->acc > 0x7fff ? 0x7fff : e->acc;
}

void sv_prio_order(sv_prio_state *st, const snap_frame *want, const float *d2, uint16_t self_id,
                   const snap_frame *baseline, uint16_t *priority) {
    /* One pass over `want` (id order) with a cursor into the last view's
     * ids (st->ids: carrying the accumulators of the entities that stay
     * over to their new places; the ones that arrive start at zero, the
     * ones that left are forgotten; all start over without a baseline) and
     * one into the baseline (what the client holds). */
    sv_prio_entry kept[PROTO_VIEW_MAX_ENTITIES];
    uint16_t rank[PROTO_VIEW_MAX_ENTITIES];
    uint8_t idx[PROTO_VIEW_MAX_ENTITIES];
    int nk = 0, np = 0, oi = 0, bi = 0;
    int old_count = baseline ? st->count : 0;
    int base_count = baseline ? baseline->count : 0;
    for (int i = 0; i < want->count; i++) {
        const snap_entity *n = &want->ents[i];
        uint16_t id = n->id;
        while (oi < old_count && st->ids[oi] < id) oi++;
        sv_prio_entry e = oi < old_count && st->ids[oi] == id ? st->e[oi] : (sv_prio_entry){0, 0};
        if (id == self_id) {
            kept[i] = e;
            priority[np++] = (uint16_t)i;
            continue;
        }
        /* New to the client, or its status changed: it matters more. */
        while (bi < base_count && baseline->ents[bi].id < id) bi++;
        const snap_entity *b = bi < base_count && baseline->ents[bi].id == id ? &baseline->ents[bi] : NULL;
        int changed = !b || b->flags != n->flags || b->health != n->health;
        uint32_t acc = (uint32_t)e.acc + sv_prio_weight(d2[i], changed);
        e.acc = (uint16_t)(acc > 0xffffu ? 0xffffu : acc);
        kept[i] = e;
        rank[i] = rank_of(&e);
        idx[nk++] = (uint8_t)i; /* in id order: equal ranks keep it, lower id first */
    }
    st->count = want->count;
    for (int i = 0; i < want->count; i++) st->ids[i] = want->ents[i].id;
    memcpy(st->e, kept, (size_t)want->count * sizeof kept[0]);
    sort_by_rank_desc(rank, idx, nk);
    for (int k = 0; k < nk; k++) priority[np++] = idx[k];
}

void sv_prio_after(sv_prio_state *st, const snap_frame *want, const uint8_t *current) {
    if (st->count != want->count) return; /* not the frame sv_prio_order had */
    for (int i = 0; i < want->count; i++) {
        sv_prio_entry *e = &st->e[i];
        if (current[i]) *e = (sv_prio_entry){0, 0};
        else if (e->age < 255) e->age++;
    }
}

const sv_prio_entry *sv_prio_find(const sv_prio_state *st, uint16_t id) {
    int lo = 0, hi = st->count; /* ids are in increasing order */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (st->ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < st->count && st->ids[lo] == id ? &st->e[lo] : NULL;
}
