/* fuzz_snapshot.c - libFuzzer harness for the snapshot decoder
 * (shared/snapshot.h), tick rate 60.
 *
 * Input layout: byte 0 = L, the length of a baseline part (clipped to what
 * is there). If L > 0, data[1 .. 1+L) is decoded as a full snapshot and,
 * when accepted, becomes the baseline; otherwise a fixed valid baseline
 * (snap_fixture.h) is used. The rest is decoded without a baseline and
 * against the baseline (whose tick is set to the one the header asks for,
 * so deltas are reached). Every accepted frame must be valid: ids strictly
 * increasing and < PROTO_MAX_ENTITIES, count <= PROTO_VIEW_MAX_ENTITIES,
 * health <= PROTO_MAX_HEALTH, positions < PROTO_POS_Q_LIMIT.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap_fixture.h"
#include "snapshot.h"

static void check_frame(const snap_frame *f, const char *what) {
    const char *bad = NULL;
    int at = -1;
    if (f->count > PROTO_VIEW_MAX_ENTITIES) bad = "count above PROTO_VIEW_MAX_ENTITIES";
    for (int i = 0; !bad && i < f->count; i++) {
        const snap_entity *e = &f->ents[i];
        at = i;
        if (e->id >= PROTO_MAX_ENTITIES) bad = "id >= PROTO_MAX_ENTITIES";
        else if (i > 0 && e->id <= f->ents[i - 1].id) bad = "ids not strictly increasing";
        else if (e->health > PROTO_MAX_HEALTH) bad = "health above PROTO_MAX_HEALTH";
        else if (e->x >= PROTO_POS_Q_LIMIT || e->y >= PROTO_POS_Q_LIMIT) bad = "position >= PROTO_POS_Q_LIMIT";
    }
    if (bad) {
        fprintf(stderr, "%s: SNAP_OK but invalid frame: %s (entity %d of %u)\n", what, bad, at, f->count);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static snap_frame fixed, decoded_base, base, out;
    static int ready;
    if (!ready) {
        uint8_t tmp[PROTO_SNAPSHOT_MAX_BYTES];
        fixture_baseline(&fixed, tmp, sizeof tmp);
        check_frame(&fixed, "fixture");
        ready = 1;
    }
    if (size == 0) return 0;
    size_t blen = data[0];
    if (blen > size - 1) blen = size - 1;
    const uint8_t *rest = data + 1 + blen;
    size_t rest_len = size - 1 - blen;
    snap_header hdr;

    const snap_frame *chosen = &fixed;
    if (blen > 0) {
        memset(&decoded_base, 0, sizeof decoded_base);
        if (snap_decode(data + 1, blen, NULL, FIXTURE_TICK_RATE, &decoded_base, &hdr) == SNAP_OK) {
            check_frame(&decoded_base, "baseline part, no baseline");
            if (hdr.baseline_tick == 0) chosen = &decoded_base;
        }
    }

    memset(&out, 0, sizeof out);
    if (snap_decode(rest, rest_len, NULL, FIXTURE_TICK_RATE, &out, &hdr) == SNAP_OK)
        check_frame(&out, "no baseline");

    memcpy(&base, chosen, sizeof base);
    if (snap_decode_header(rest, rest_len, &hdr) == SNAP_OK && hdr.baseline_tick != 0)
        base.tick = hdr.baseline_tick; /* the delta's baseline is the frame we hold */
    memset(&out, 0, sizeof out);
    if (snap_decode(rest, rest_len, &base, FIXTURE_TICK_RATE, &out, &hdr) == SNAP_OK)
        check_frame(&out, "with baseline");
    return 0;
}
