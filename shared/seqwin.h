/* seqwin.h - loss measurement over a stream of sequence numbers.
 *
 * Owns: counting distinct sequence numbers received against those expected
 * (the span from the first to the newest), with duplicates and very late
 * arrivals (more than 64 behind) ignored. Used for snapshots on the client
 * and input packets on the server. Pure.
 */
#ifndef GAME_SEQWIN_H
#define GAME_SEQWIN_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool started;
    uint32_t newest;
    uint64_t bits;      /* bit k: newest - k was received */
    uint32_t received;  /* distinct, since the last take */
    uint32_t expected;  /* since the last take */
} seq_window;

void seqwin_init(seq_window *w);
/* Records one arrival; false for a duplicate or one too old to judge. */
bool seqwin_add(seq_window *w, uint32_t seq);
/* Loss in percent (0..100) since the last take, then starts a new period;
 * `min_expected` guards against judging from too few packets (returns the
 * previous figure, kept in *last, when fewer were expected). */
uint8_t seqwin_take_loss(seq_window *w, uint32_t min_expected, uint8_t *last);

#endif
