/* netsim_core.h - the pure decision logic of the netsim relay: per-direction
 * fault configuration, a seeded splitmix64 RNG, blackout windows and the
 * per-packet decision (how many copies, each copy's due time). No sockets,
 * no clocks: the caller passes the time in, so everything here is
 * deterministic for a given seed and packet sequence. */
#ifndef NETSIM_CORE_H
#define NETSIM_CORE_H

#include <stdbool.h>
#include <stdint.h>

#define NETSIM_MAX_BLACKOUTS 16
#define NETSIM_MAX_COPIES 2
#define NETSIM_MAX_DELAY_MS 600000u /* 10 minutes: upper bound for latency and jitter */

/* Faults applied to one direction (client->server or server->client). */
typedef struct netsim_dir_config {
    uint32_t latency_ms;  /* base one-way delay */
    uint32_t jitter_ms;   /* uniform in [-jitter, +jitter], total clamped at 0 */
    double loss_pct;      /* 0..100: drop the packet */
    double dup_pct;       /* 0..100: send a second copy with its own delay */
    double reorder_pct;   /* 0..100, per copy: add latency/2 + 10 ms */
} netsim_dir_config;

/* Drop everything received in [start_ms, start_ms + duration_ms). */
typedef struct netsim_window {
    uint64_t start_ms;
    uint64_t duration_ms;
} netsim_window;

typedef struct netsim_blackouts {
    netsim_window windows[NETSIM_MAX_BLACKOUTS];
    int count;
} netsim_blackouts;

/* splitmix64: tiny, fast, good enough statistics for fault simulation. */
typedef struct netsim_rng {
    uint64_t state;
} netsim_rng;

typedef enum netsim_verdict {
    NETSIM_SEND = 0,     /* 1 or 2 copies to queue */
    NETSIM_LOST,         /* dropped by the loss probability */
    NETSIM_BLACKOUT      /* dropped because now_ms is inside a blackout window */
} netsim_verdict;

typedef struct netsim_decision {
    netsim_verdict verdict;
    int copies;                             /* 0, 1 or 2 */
    bool duplicated;                        /* copies == 2 */
    uint32_t delay_ms[NETSIM_MAX_COPIES];   /* per copy, includes any reorder extra */
    uint64_t due_ms[NETSIM_MAX_COPIES];     /* now_ms + delay_ms */
    bool reordered[NETSIM_MAX_COPIES];      /* this copy got the reorder extra */
} netsim_decision;

void netsim_rng_seed(netsim_rng *rng, uint64_t seed);
uint64_t netsim_rng_next(netsim_rng *rng);
/* Uniform double in [0, 1). */
double netsim_rng_unit(netsim_rng *rng);
/* True with probability pct/100 (pct <= 0: never, pct >= 100: always). */
bool netsim_rng_chance(netsim_rng *rng, double pct);

/* True if every field is in range (percentages 0..100, delays <= max). */
bool netsim_dir_config_valid(const netsim_dir_config *cfg);
/* Extra delay a reordered copy gets: latency/2 + 10 ms. */
uint32_t netsim_reorder_extra_ms(const netsim_dir_config *cfg);

/* Adds a window; false if full or duration is 0. */
bool netsim_blackouts_add(netsim_blackouts *b, uint64_t start_ms, uint64_t duration_ms);
/* True if now_ms lies inside any window (start inclusive, end exclusive). */
bool netsim_in_blackout(const netsim_blackouts *b, uint64_t now_ms);

/* Decides the fate of one packet received at now_ms (ms since start).
 * Order: blackout (no RNG draw), loss, duplication, then per copy jitter
 * and reorder. blackouts may be NULL. */
void netsim_decide(const netsim_dir_config *cfg, const netsim_blackouts *blackouts,
                   netsim_rng *rng, uint64_t now_ms, netsim_decision *out);

#endif
