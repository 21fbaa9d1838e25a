/* seqwin.c - loss measurement over sequence numbers (see seqwin.h). */
#include "seqwin.h"

#include <string.h>

void seqwin_init(seq_window *w) { memset(w, 0, sizeof *w); }

bool seqwin_add(seq_window *w, uint32_t seq) {
    if (!w->started) {
        w->started = true;
        w->newest = seq;
        w->bits = 1;
        w->received++;
        w->expected++;
        return true;
    }
    if (seq > w->newest) {
        uint32_t shift = seq - w->newest;
        w->bits = shift >= 64 ? 1 : (w->bits << shift) | 1u;
        w->newest = seq;
        w->expected += shift;
        w->received++;
        return true;
    }
    uint32_t age = w->newest - seq;
    if (age >= 64 || (w->bits & (1ull << age))) return false;
    w->bits |= 1ull << age;
    w->received++;
    return true;
}

uint8_t seqwin_take_loss(seq_window *w, uint32_t min_expected, uint8_t *last) {
    if (w->expected == 0 || w->expected < min_expected) return *last;
    uint32_t got = w->received > w->expected ? w->expected : w->received;
    *last = (uint8_t)((uint64_t)(w->expected - got) * 100u / w->expected);
    w->received = w->expected = 0;
    return *last;
}
