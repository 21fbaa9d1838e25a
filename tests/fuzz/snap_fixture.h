/* snap_fixture.h - the fixed baseline frame shared by fuzz_snapshot.c and
 * make_corpus.c: a few players, a rocket and a pickup, encoded as a full
 * snapshot with snap_encode; *out receives the frame the client holds. */
#ifndef FUZZ_SNAP_FIXTURE_H
#define FUZZ_SNAP_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

#define FIXTURE_TICK_RATE 60
#define FIXTURE_TICK 1000u

static size_t fixture_baseline(snap_frame *out, uint8_t *buf, size_t cap) {
    static snap_frame want;
    memset(&want, 0, sizeof want);
    want.tick = FIXTURE_TICK;
    want.last_cmd_tick = 990;
    want.self_ammo = 10;
    const snap_entity ents[] = {
        {.id = 0, .x = 10 * 4096, .y = 12 * 4096, .vx = 3 * 1024, .vy = 0, .aim = 100, .flags = 1, .health = 100},
        {.id = 3, .x = 20 * 4096, .y = 5 * 4096, .vx = -2048, .vy = 1024, .aim = 40000, .flags = 3, .health = 55},
        {.id = 7, .x = 30 * 4096 + 17, .y = 30 * 4096, .vx = 0, .vy = 0, .aim = 0, .flags = 0, .health = 0},
        {.id = PROTO_ENT_ROCKET_BASE + 2, .x = 15 * 4096, .y = 15 * 4096, .vx = 20 * 1024, .vy = -5 * 1024, .aim = 9000},
        {.id = PROTO_ENT_PICKUP_BASE + 1, .x = 8 * 4096 + 2048, .y = 9 * 4096 + 2048, .flags = 1},
    };
    want.count = (uint16_t)(sizeof ents / sizeof ents[0]);
    memcpy(want.ents, ents, sizeof ents);
    uint16_t prio[sizeof ents / sizeof ents[0]];
    for (uint16_t i = 0; i < want.count; i++) prio[i] = i;
    memset(out, 0, sizeof *out);
    size_t n = snap_encode(buf, cap, &want, prio, NULL, FIXTURE_TICK_RATE, 0, out, NULL);
    if (n == 0 || out->count != want.count) abort(); /* the fixture itself is broken */
    out->tick = FIXTURE_TICK;
    return n;
}

#endif
