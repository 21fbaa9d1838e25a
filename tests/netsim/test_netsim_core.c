/* test_netsim_core.c - cmocka unit tests for netsim's pure modules: the
 * per-packet decisions (rates, delay bounds, zero config, blackouts,
 * determinism) in netsim_core.c and the bounded delay heap in netsim_heap.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netsim_core.h"
#include "netsim_heap.h"

#define N_PACKETS 100000
#define SEED 20240607u

/* Rates measured over N_PACKETS (and their copies). */
typedef struct rates {
    long packets, lost, blackout, sent, duplicated, copies, reordered;
    uint32_t min_delay, max_delay;
} rates;

static rates measure(const netsim_dir_config *cfg, uint64_t seed)
{
    netsim_rng rng;
    netsim_rng_seed(&rng, seed);
    rates r;
    memset(&r, 0, sizeof r);
    r.min_delay = UINT32_MAX;
    for (long i = 0; i < N_PACKETS; i++) {
        netsim_decision d;
        uint64_t now = (uint64_t)i * 3u;
        netsim_decide(cfg, NULL, &rng, now, &d);
        r.packets++;
        if (d.verdict == NETSIM_LOST) {
            assert_int_equal(d.copies, 0);
            r.lost++;
            continue;
        }
        assert_int_equal(d.verdict, NETSIM_SEND);
        r.sent++;
        assert_true(d.copies == 1 || d.copies == 2);
        assert_int_equal(d.duplicated, d.copies == 2);
        r.duplicated += d.duplicated;
        for (int c = 0; c < d.copies; c++) {
            r.copies++;
            r.reordered += d.reordered[c];
            assert_int_equal(d.due_ms[c], now + d.delay_ms[c]);
            if (d.delay_ms[c] < r.min_delay) {
                r.min_delay = d.delay_ms[c];
            }
            if (d.delay_ms[c] > r.max_delay) {
                r.max_delay = d.delay_ms[c];
            }
        }
    }
    return r;
}

static void assert_rate(long hits, long total, double want_pct)
{
    assert_true(total > 0);
    double got = 100.0 * (double)hits / (double)total;
    if (!(got >= want_pct - 0.5 && got <= want_pct + 0.5)) {
        fail_msg("rate %.3f%% not within 0.5 points of %.3f%% (%ld of %ld)", got, want_pct, hits,
                 total);
    }
}

static void test_zero_config_passes_straight(void **state)
{
    (void)state;
    netsim_dir_config cfg;
    memset(&cfg, 0, sizeof cfg);
    assert_true(netsim_dir_config_valid(&cfg));
    netsim_rng rng;
    netsim_rng_seed(&rng, SEED);
    for (uint64_t now = 0; now < N_PACKETS; now += 7) {
        netsim_decision d;
        netsim_decide(&cfg, NULL, &rng, now, &d);
        assert_int_equal(d.verdict, NETSIM_SEND);
        assert_int_equal(d.copies, 1);
        assert_false(d.duplicated);
        assert_false(d.reordered[0]);
        assert_int_equal(d.delay_ms[0], 0);
        assert_int_equal(d.due_ms[0], now);
    }
    netsim_blackouts none;
    memset(&none, 0, sizeof none);
    netsim_decision d;
    netsim_decide(&cfg, &none, &rng, 12345, &d);
    assert_int_equal(d.verdict, NETSIM_SEND);
    assert_int_equal(d.due_ms[0], 12345);
}

static void test_loss_rate(void **state)
{
    (void)state;
    const double pcts[] = {0.0, 1.0, 5.0, 20.0, 50.0, 99.0, 100.0};
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
        netsim_dir_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.loss_pct = pcts[i];
        rates r = measure(&cfg, SEED + i);
        assert_rate(r.lost, r.packets, pcts[i]);
        assert_int_equal(r.duplicated, 0);
        assert_int_equal(r.reordered, 0);
    }
}

static void test_dup_rate(void **state)
{
    (void)state;
    const double pcts[] = {2.5, 15.0, 50.0, 100.0};
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
        netsim_dir_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.dup_pct = pcts[i];
        rates r = measure(&cfg, SEED + 10 + i);
        assert_int_equal(r.lost, 0);
        assert_rate(r.duplicated, r.sent, pcts[i]);
        assert_int_equal(r.copies, r.sent + r.duplicated);
    }
}

static void test_reorder_rate(void **state)
{
    (void)state;
    const double pcts[] = {1.0, 10.0, 33.3};
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
        netsim_dir_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.latency_ms = 40;
        cfg.reorder_pct = pcts[i];
        rates r = measure(&cfg, SEED + 20 + i);
        assert_rate(r.reordered, r.copies, pcts[i]);
        /* no jitter: exactly latency, or latency + latency/2 + 10 */
        assert_int_equal(r.min_delay, 40);
        assert_int_equal(r.max_delay, 40 + 20 + 10);
    }
}

static void test_combined_rates(void **state)
{
    (void)state;
    netsim_dir_config cfg = {.latency_ms = 80, .jitter_ms = 15, .loss_pct = 12.5,
                             .dup_pct = 7.0, .reorder_pct = 4.0};
    rates r = measure(&cfg, SEED + 30);
    assert_rate(r.lost, r.packets, 12.5);
    assert_rate(r.duplicated, r.sent, 7.0);
    assert_rate(r.reordered, r.copies, 4.0);
}

/* Delays stay in [latency - jitter, latency + jitter] (+ reorder extra),
 * clamped at 0, and the whole jitter range is used. */
static void check_delay_bounds(uint32_t latency, uint32_t jitter, double reorder)
{
    netsim_dir_config cfg = {.latency_ms = latency, .jitter_ms = jitter, .dup_pct = 30.0,
                             .reorder_pct = reorder};
    uint32_t extra = netsim_reorder_extra_ms(&cfg);
    assert_int_equal(extra, latency / 2 + 10);
    int64_t lo = (int64_t)latency - (int64_t)jitter, hi = (int64_t)latency + (int64_t)jitter;
    int64_t lo_clamped = lo < 0 ? 0 : lo;
    netsim_rng rng;
    netsim_rng_seed(&rng, SEED + latency + jitter);
    int64_t seen_min = INT64_MAX, seen_max = -1;
    double sum = 0;
    long n = 0;
    for (long i = 0; i < N_PACKETS; i++) {
        netsim_decision d;
        netsim_decide(&cfg, NULL, &rng, 1000, &d);
        for (int c = 0; c < d.copies; c++) {
            int64_t base = (int64_t)d.delay_ms[c] - (d.reordered[c] ? (int64_t)extra : 0);
            assert_true(base >= lo_clamped);
            assert_true(base <= hi);
            assert_int_equal(d.due_ms[c], 1000 + d.delay_ms[c]);
            if (!d.reordered[c]) {
                seen_min = base < seen_min ? base : seen_min;
                seen_max = base > seen_max ? base : seen_max;
                sum += (double)base;
                n++;
            }
        }
    }
    if (jitter <= 100) { /* few values: both extremes occur */
        assert_int_equal(seen_min, lo_clamped);
        assert_int_equal(seen_max, hi);
    } else { /* wide range: the extremes are approached within 1% */
        assert_true(seen_min <= lo_clamped + (int64_t)jitter / 50);
        assert_true(seen_max >= hi - (int64_t)jitter / 50);
    }
    if (lo >= 0 && n > 0) { /* unclamped: symmetric around the latency */
        double mean = sum / (double)n;
        assert_true(mean > (double)latency - 0.05 * (double)jitter - 0.5);
        assert_true(mean < (double)latency + 0.05 * (double)jitter + 0.5);
    }
}

static void test_delay_bounds(void **state)
{
    (void)state;
    check_delay_bounds(50, 20, 0.0);
    check_delay_bounds(50, 20, 25.0);
    check_delay_bounds(100, 0, 50.0);
    check_delay_bounds(5, 20, 10.0);    /* clamped at 0 */
    check_delay_bounds(0, 30, 0.0);     /* clamped at 0 */
    check_delay_bounds(NETSIM_MAX_DELAY_MS, NETSIM_MAX_DELAY_MS, 50.0);
}

static void test_blackout_windows(void **state)
{
    (void)state;
    netsim_blackouts b;
    memset(&b, 0, sizeof b);
    assert_false(netsim_in_blackout(&b, 0));
    assert_false(netsim_in_blackout(NULL, 0));
    assert_true(netsim_blackouts_add(&b, 500, 1000));   /* [500, 1500) */
    assert_true(netsim_blackouts_add(&b, 3000, 10));    /* [3000, 3010) */
    assert_false(netsim_blackouts_add(&b, 100, 0));     /* empty window refused */
    assert_int_equal(b.count, 2);

    netsim_dir_config cfg = {.latency_ms = 30, .jitter_ms = 10};
    netsim_rng rng;
    netsim_rng_seed(&rng, SEED);
    long dropped = 0;
    for (uint64_t now = 0; now < 5000; now++) {
        bool inside = (now >= 500 && now < 1500) || (now >= 3000 && now < 3010);
        assert_int_equal(netsim_in_blackout(&b, now), inside);
        netsim_decision d;
        netsim_decide(&cfg, &b, &rng, now, &d);
        if (inside) {
            assert_int_equal(d.verdict, NETSIM_BLACKOUT);
            assert_int_equal(d.copies, 0);
            dropped++;
        } else {
            assert_int_equal(d.verdict, NETSIM_SEND);
            assert_int_equal(d.copies, 1);
        }
    }
    assert_int_equal(dropped, 1010);
    assert_false(netsim_in_blackout(&b, 499));
    assert_true(netsim_in_blackout(&b, 500));
    assert_true(netsim_in_blackout(&b, 1499));
    assert_false(netsim_in_blackout(&b, 1500));

    /* at most 16 windows */
    for (int i = b.count; i < NETSIM_MAX_BLACKOUTS; i++) {
        assert_true(netsim_blackouts_add(&b, 10000 + (uint64_t)i * 100, 10));
    }
    assert_false(netsim_blackouts_add(&b, 99999, 10));
    assert_int_equal(b.count, NETSIM_MAX_BLACKOUTS);
    assert_true(netsim_in_blackout(&b, 10000 + 15 * 100 + 9));
    assert_false(netsim_in_blackout(&b, 10000 + 15 * 100 + 10));

    /* a blackout wins even with 100% duplication and no loss */
    netsim_dir_config dup = {.dup_pct = 100.0};
    netsim_decision d;
    netsim_decide(&dup, &b, &rng, 700, &d);
    assert_int_equal(d.verdict, NETSIM_BLACKOUT);
    assert_int_equal(d.copies, 0);
}

static bool same_decision(const netsim_decision *a, const netsim_decision *b)
{
    if (a->verdict != b->verdict || a->copies != b->copies || a->duplicated != b->duplicated) {
        return false;
    }
    for (int c = 0; c < a->copies; c++) {
        if (a->delay_ms[c] != b->delay_ms[c] || a->due_ms[c] != b->due_ms[c] ||
            a->reordered[c] != b->reordered[c]) {
            return false;
        }
    }
    return true;
}

static void test_seed_determinism(void **state)
{
    (void)state;
    netsim_dir_config cfg = {.latency_ms = 60, .jitter_ms = 25, .loss_pct = 10.0,
                             .dup_pct = 10.0, .reorder_pct = 10.0};
    netsim_rng a, b, c;
    netsim_rng_seed(&a, 42);
    netsim_rng_seed(&b, 42);
    netsim_rng_seed(&c, 43);
    long differ_other_seed = 0;
    for (uint64_t i = 0; i < N_PACKETS; i++) {
        netsim_decision da, db, dc;
        netsim_decide(&cfg, NULL, &a, i, &da);
        netsim_decide(&cfg, NULL, &b, i, &db);
        netsim_decide(&cfg, NULL, &c, i, &dc);
        assert_true(same_decision(&da, &db));
        differ_other_seed += !same_decision(&da, &dc);
    }
    /* with 10% loss and 51 jitter values nearly every decision differs */
    assert_true(differ_other_seed > N_PACKETS / 2);

    netsim_rng_seed(&a, 7);
    netsim_rng_seed(&b, 7);
    netsim_rng_seed(&c, 8);
    long same_raw = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = netsim_rng_next(&a);
        assert_int_equal(x, netsim_rng_next(&b));
        same_raw += x == netsim_rng_next(&c);
    }
    assert_int_equal(same_raw, 0);
}

static void test_rng_basics(void **state)
{
    (void)state;
    netsim_rng rng;
    netsim_rng_seed(&rng, 0); /* seed 0 is fine for splitmix64 */
    double sum = 0;
    for (int i = 0; i < N_PACKETS; i++) {
        double u = netsim_rng_unit(&rng);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
    }
    assert_true(sum / N_PACKETS > 0.49 && sum / N_PACKETS < 0.51);
    for (int i = 0; i < 1000; i++) {
        assert_false(netsim_rng_chance(&rng, 0.0));
        assert_true(netsim_rng_chance(&rng, 100.0));
    }
}

static void test_config_validation(void **state)
{
    (void)state;
    netsim_dir_config ok = {.latency_ms = NETSIM_MAX_DELAY_MS, .jitter_ms = 0, .loss_pct = 100.0,
                            .dup_pct = 0.0, .reorder_pct = 50.0};
    assert_true(netsim_dir_config_valid(&ok));
    netsim_dir_config bad = ok;
    bad.loss_pct = -0.1;
    assert_false(netsim_dir_config_valid(&bad));
    bad = ok;
    bad.dup_pct = 100.5;
    assert_false(netsim_dir_config_valid(&bad));
    bad = ok;
    bad.reorder_pct = NAN;
    assert_false(netsim_dir_config_valid(&bad));
    bad = ok;
    bad.latency_ms = NETSIM_MAX_DELAY_MS + 1;
    assert_false(netsim_dir_config_valid(&bad));
    bad = ok;
    bad.jitter_ms = NETSIM_MAX_DELAY_MS + 1;
    assert_false(netsim_dir_config_valid(&bad));
}

static void test_heap_order_and_capacity(void **state)
{
    (void)state;
    enum { CAP = 64 };
    netsim_heap_item storage[CAP];
    netsim_heap h;
    netsim_heap_init(&h, storage, CAP);
    netsim_heap_item it;
    assert_false(netsim_heap_pop(&h, &it));
    assert_false(netsim_heap_peek(&h, &it));

    netsim_rng rng;
    netsim_rng_seed(&rng, SEED);
    for (uint32_t i = 0; i < CAP; i++) {
        assert_false(netsim_heap_full(&h));
        assert_true(netsim_heap_push(&h, netsim_rng_next(&rng) % 50u, i));
    }
    assert_true(netsim_heap_full(&h));
    assert_false(netsim_heap_push(&h, 0, 999)); /* refused when full */
    assert_int_equal(netsim_heap_len(&h), CAP);

    uint64_t last_due = 0, last_seq = 0;
    bool seen[CAP];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < CAP; i++) {
        assert_true(netsim_heap_peek(&h, &it));
        netsim_heap_item popped;
        assert_true(netsim_heap_pop(&h, &popped));
        assert_int_equal(popped.due_ms, it.due_ms);
        assert_int_equal(popped.id, it.id);
        assert_true(popped.id < CAP);
        assert_false(seen[popped.id]);
        seen[popped.id] = true;
        assert_true(popped.due_ms >= last_due);
        if (i > 0 && popped.due_ms == last_due) {
            assert_true(popped.seq > last_seq); /* ties: first in, first out */
        }
        last_due = popped.due_ms;
        last_seq = popped.seq;
    }
    assert_int_equal(netsim_heap_len(&h), 0);
    assert_false(netsim_heap_pop(&h, NULL));
    assert_true(netsim_heap_push(&h, 5, 1)); /* usable again after draining */
}

/* Interleaved pushes and pops against a simple reference: every pop is the
 * minimum of what is queued, and a full heap refuses. */
static void test_heap_interleaved(void **state)
{
    (void)state;
    enum { CAP = 8192 };
    static netsim_heap_item storage[CAP];
    static uint64_t ref_due[CAP];
    static bool ref_live[CAP];
    netsim_heap h;
    netsim_heap_init(&h, storage, CAP);
    memset(ref_live, 0, sizeof ref_live);
    netsim_rng rng;
    netsim_rng_seed(&rng, SEED + 99);
    uint64_t now = 0;
    long refused = 0;
    for (int step = 0; step < 200000; step++) {
        now += netsim_rng_next(&rng) % 2u;
        if (netsim_rng_next(&rng) % 100u < 55u) {
            /* find a free id: the heap is full exactly when none is free */
            uint32_t id = (uint32_t)(netsim_rng_next(&rng) % CAP);
            uint32_t tries = 0;
            while (ref_live[id] && tries < CAP) {
                id = (id + 1) % CAP;
                tries++;
            }
            uint64_t due = now + netsim_rng_next(&rng) % 300u;
            if (tries == CAP) {
                assert_true(netsim_heap_full(&h));
                assert_false(netsim_heap_push(&h, due, id));
                refused++;
                continue;
            }
            assert_true(netsim_heap_push(&h, due, id));
            ref_live[id] = true;
            ref_due[id] = due;
        } else {
            netsim_heap_item it;
            if (!netsim_heap_pop(&h, &it)) {
                assert_int_equal(netsim_heap_len(&h), 0);
                continue;
            }
            assert_true(ref_live[it.id]);
            assert_int_equal(ref_due[it.id], it.due_ms);
            ref_live[it.id] = false;
            if (step % 97 == 0) { /* spot-check: nothing queued is earlier */
                for (uint32_t i = 0; i < CAP; i++) {
                    assert_false(ref_live[i] && ref_due[i] < it.due_ms);
                }
            }
        }
    }
    (void)refused;
    /* fill to the brim, then drain in order */
    while (!netsim_heap_full(&h)) {
        assert_true(netsim_heap_push(&h, netsim_rng_next(&rng) % 1000u, 0));
    }
    assert_false(netsim_heap_push(&h, 0, 0));
    assert_int_equal(netsim_heap_len(&h), CAP);
    uint64_t last = 0;
    netsim_heap_item it;
    size_t popped = 0;
    while (netsim_heap_pop(&h, &it)) {
        assert_true(it.due_ms >= last);
        last = it.due_ms;
        popped++;
    }
    assert_int_equal(popped, CAP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_config_passes_straight),
        cmocka_unit_test(test_loss_rate),
        cmocka_unit_test(test_dup_rate),
        cmocka_unit_test(test_reorder_rate),
        cmocka_unit_test(test_combined_rates),
        cmocka_unit_test(test_delay_bounds),
        cmocka_unit_test(test_blackout_windows),
        cmocka_unit_test(test_seed_determinism),
        cmocka_unit_test(test_rng_basics),
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_heap_order_and_capacity),
        cmocka_unit_test(test_heap_interleaved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
