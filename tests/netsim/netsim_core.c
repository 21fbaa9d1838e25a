/* netsim_core.c - pure per-packet fault decisions for netsim: RNG, blackout
 * windows, loss / duplication / latency + jitter / reorder. See
 * netsim_core.h. */
#include "netsim_core.h"

#include <string.h>

void netsim_rng_seed(netsim_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t netsim_rng_next(netsim_rng *rng)
{
    uint64_t z = (rng->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

double netsim_rng_unit(netsim_rng *rng)
{
    return (double)(netsim_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0); /* 2^53 */
}

bool netsim_rng_chance(netsim_rng *rng, double pct)
{
    if (pct <= 0.0) {
        return false;
    }
    if (pct >= 100.0) {
        return true;
    }
    return netsim_rng_unit(rng) * 100.0 < pct;
}

static bool pct_ok(double p)
{
    return p >= 0.0 && p <= 100.0; /* also false for NaN */
}

bool netsim_dir_config_valid(const netsim_dir_config *cfg)
{
    return cfg->latency_ms <= NETSIM_MAX_DELAY_MS && cfg->jitter_ms <= NETSIM_MAX_DELAY_MS &&
           pct_ok(cfg->loss_pct) && pct_ok(cfg->dup_pct) && pct_ok(cfg->reorder_pct);
}

uint32_t netsim_reorder_extra_ms(const netsim_dir_config *cfg)
{
    return cfg->latency_ms / 2u + 10u;
}

bool netsim_blackouts_add(netsim_blackouts *b, uint64_t start_ms, uint64_t duration_ms)
{
    if (b->count < 0 || b->count >= NETSIM_MAX_BLACKOUTS || duration_ms == 0) {
        return false;
    }
    b->windows[b->count].start_ms = start_ms;
    b->windows[b->count].duration_ms = duration_ms;
    b->count++;
    return true;
}

bool netsim_in_blackout(const netsim_blackouts *b, uint64_t now_ms)
{
    if (!b) {
        return false;
    }
    for (int i = 0; i < b->count && i < NETSIM_MAX_BLACKOUTS; i++) {
        const netsim_window *w = &b->windows[i];
        if (now_ms >= w->start_ms && now_ms - w->start_ms < w->duration_ms) {
            return true;
        }
    }
    return false;
}

/* latency + uniform integer jitter in [-jitter, +jitter], clamped at 0. */
static uint32_t jittered_delay(const netsim_dir_config *cfg, netsim_rng *rng)
{
    int64_t d = (int64_t)cfg->latency_ms;
    if (cfg->jitter_ms > 0) {
        uint64_t span = 2u * (uint64_t)cfg->jitter_ms + 1u;
        d += (int64_t)(netsim_rng_next(rng) % span) - (int64_t)cfg->jitter_ms;
    }
    return d < 0 ? 0u : (uint32_t)d;
}

void netsim_decide(const netsim_dir_config *cfg, const netsim_blackouts *blackouts,
                   netsim_rng *rng, uint64_t now_ms, netsim_decision *out)
{
    memset(out, 0, sizeof *out);
    if (netsim_in_blackout(blackouts, now_ms)) {
        out->verdict = NETSIM_BLACKOUT;
        return;
    }
    if (netsim_rng_chance(rng, cfg->loss_pct)) {
        out->verdict = NETSIM_LOST;
        return;
    }
    out->verdict = NETSIM_SEND;
    out->duplicated = netsim_rng_chance(rng, cfg->dup_pct);
    out->copies = out->duplicated ? 2 : 1;
    for (int c = 0; c < out->copies; c++) {
        uint32_t delay = jittered_delay(cfg, rng);
        if (netsim_rng_chance(rng, cfg->reorder_pct)) {
            out->reordered[c] = true;
            delay += netsim_reorder_extra_ms(cfg);
        }
        out->delay_ms[c] = delay;
        out->due_ms[c] = now_ms + delay;
    }
}
