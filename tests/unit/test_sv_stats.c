/* test_sv_stats.c - the server's performance figures without a clock:
 * nearest-rank percentiles, the time window and the ring's wrap, receive
 * time charged to the next tick, CPU percent and per-second rates (also
 * across a wrap of ENet's 32-bit counters), and the JSON and status text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_stats.h"

static sv_stats st; /* large: keep it off the stack */

static const sv_stats_net zero_net = {0, 0, 0, 0};

static void test_nearest_rank(void **state) {
    (void)state;
    float v[100];
    for (int i = 0; i < 100; i++) v[i] = (float)(i + 1); /* 1..100 */
    assert_float_equal(sv_stats_nearest_rank(v, 100, 50.0), 50.0, 1e-9);
    assert_float_equal(sv_stats_nearest_rank(v, 100, 99.0), 99.0, 1e-9);
    assert_float_equal(sv_stats_nearest_rank(v, 100, 100.0), 100.0, 1e-9);
    assert_float_equal(sv_stats_nearest_rank(v, 100, 0.0), 1.0, 1e-9);
    assert_float_equal(sv_stats_nearest_rank(v, 1, 99.0), 1.0, 1e-9);
    assert_float_equal(sv_stats_nearest_rank(v, 4, 50.0), 2.0, 1e-9);
    assert_float_equal(sv_stats_nearest_rank(v, 0, 50.0), 0.0, 1e-9);
    float w[300];
    for (int i = 0; i < 300; i++) w[i] = (float)(i + 1);
    assert_float_equal(sv_stats_nearest_rank(w, 300, 99.0), 297.0, 1e-9); /* not 298 by rounding */
}

/* 300 ticks at 60 Hz with sim times 1..300 µs, shuffled: p50 150 µs, p99
 * 297 µs, max 300 µs, whatever the order they came in. */
static void test_percentiles_unordered(void **state) {
    (void)state;
    sv_stats_init(&st, 100.0, 0.0, &zero_net);
    int order[300];
    for (int i = 0; i < 300; i++) order[i] = i;
    srand(7);
    for (int i = 299; i > 0; i--) {
        int j = rand() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < 300; i++)
        sv_stats_record_tick(&st, 100.0 + i / 60.0, (order[i] + 1) * 1e-6, 0.0, 0.0);
    sv_stats_pct p;
    assert_int_equal(sv_stats_percentiles(&st, SV_PHASE_SIM, 104.99, SV_STATS_WINDOW, &p), 300);
    assert_float_equal(p.p50, 0.150, 1e-6);
    assert_float_equal(p.p99, 0.297, 1e-6);
    assert_float_equal(p.max, 0.300, 1e-6);
    assert_int_equal(sv_stats_percentiles(&st, SV_PHASE_SNAP, 104.99, SV_STATS_WINDOW, &p), 300);
    assert_float_equal(p.max, 0.0, 0.0);
}

/* Only ticks inside the window count: a slow spell 6 s ago is forgotten. */
static void test_window(void **state) {
    (void)state;
    sv_stats_init(&st, 0.0, 0.0, &zero_net);
    for (int i = 0; i < 60; i++) sv_stats_record_tick(&st, i / 60.0, 0.050, 0.0, 0.0);        /* 50 ms, at 0..1 s */
    for (int i = 0; i < 60; i++) sv_stats_record_tick(&st, 6.0 + i / 60.0, 0.001, 0.0, 0.0);  /* 1 ms, at 6..7 s */
    sv_stats_pct p;
    assert_int_equal(sv_stats_percentiles(&st, SV_PHASE_FRAME, 7.0, SV_STATS_WINDOW, &p), 60);
    assert_float_equal(p.max, 1.0, 1e-4);
    assert_int_equal(sv_stats_percentiles(&st, SV_PHASE_FRAME, 7.0, 10.0, &p), 120);
    assert_float_equal(p.max, 50.0, 1e-3);
    assert_int_equal(sv_stats_percentiles(&st, SV_PHASE_FRAME, 100.0, SV_STATS_WINDOW, &p), 0);
    assert_float_equal(p.p50, 0.0, 0.0);
    assert_float_equal(p.p99, 0.0, 0.0);
    assert_float_equal(p.max, 0.0, 0.0);
}

/* The ring keeps the newest SV_STATS_RING ticks; older ones are overwritten. */
static void test_ring_wraps(void **state) {
    (void)state;
    sv_stats_init(&st, 0.0, 0.0, &zero_net);
    size_t total = SV_STATS_RING + 100;
    for (size_t i = 0; i < total; i++) /* 20 ms for the first 100, 2 ms after; all within one second */
        sv_stats_record_tick(&st, (double)i * 1e-4, i < 100 ? 0.020 : 0.002, 0.0, 0.0);
    assert_int_equal(st.count, SV_STATS_RING);
    sv_stats_pct p;
    assert_int_equal(sv_stats_percentiles(&st, SV_PHASE_SIM, 1.0, SV_STATS_WINDOW, &p), SV_STATS_RING);
    assert_float_equal(p.max, 2.0, 1e-4);
    assert_float_equal(p.p50, 2.0, 1e-4);
}

/* Work between ticks goes to the next tick only; the frame is the
 * sum of the four phases. */
static void test_recv_and_frame(void **state) {
    (void)state;
    sv_stats_init(&st, 0.0, 0.0, &zero_net);
    sv_stats_add_pending(&st, SV_PHASE_RECV, 0.0002);
    sv_stats_add_pending(&st, SV_PHASE_RECV, 0.0003);
    sv_stats_add_pending(&st, SV_PHASE_RECV, -1.0);    /* ignored */
    sv_stats_add_pending(&st, SV_PHASE_SEND, 0.0001);  /* a flush between ticks */
    sv_stats_add_pending(&st, SV_PHASE_FRAME, 1.0);    /* not a phase of its own: ignored */
    sv_stats_record_tick(&st, 0.1, 0.001, 0.002, 0.0004);
    sv_stats_record_tick(&st, 0.2, 0.001, 0.0, 0.0);
    const sv_stats_sample *a = &st.ring[0], *b = &st.ring[1];
    assert_float_equal(a->ms[SV_PHASE_RECV], 0.5, 1e-4);
    assert_float_equal(a->ms[SV_PHASE_SIM], 1.0, 1e-4);
    assert_float_equal(a->ms[SV_PHASE_SNAP], 2.0, 1e-4);
    assert_float_equal(a->ms[SV_PHASE_SEND], 0.5, 1e-4);
    assert_float_equal(a->ms[SV_PHASE_FRAME], 4.0, 1e-4);
    assert_float_equal(b->ms[SV_PHASE_RECV], 0.0, 0.0);
    assert_float_equal(b->ms[SV_PHASE_FRAME], 1.0, 1e-4);
}

/* CPU percent and rates over the period since the last report; ENet's
 * 32-bit counters may wrap in between. */
static void test_report_rates(void **state) {
    (void)state;
    sv_stats_net n0 = {1000, 0xFFFFFF00u, 10, 20};
    sv_stats_init(&st, 50.0, 3.0, &n0);
    for (int i = 0; i < 120; i++) sv_stats_record_tick(&st, 50.0 + i / 60.0, 0.001, 0.0005, 0.0);
    sv_stats_net n1 = {1000 + 4000, 0x100u, 10 + 100, 20 + 60};
    const sv_stats_report *r = sv_stats_report_now(&st, 52.0, 3.5, &n1, 120, 2, 3);
    assert_true(r->valid);
    assert_float_equal(r->t, 2.0, 1e-9);
    assert_int_equal(r->tick, 120);
    assert_int_equal(r->players, 2);
    assert_int_equal(r->samples, 120);
    assert_float_equal(r->cpu_percent, 25.0, 1e-9);
    assert_float_equal(r->bytes_in_s, 2000.0, 1e-9);
    assert_float_equal(r->bytes_out_s, 256.0, 1e-9); /* 0x200 bytes across the wrap, over 2 s */
    assert_float_equal(r->packets_in_s, 50.0, 1e-9);
    assert_float_equal(r->packets_out_s, 30.0, 1e-9);
    assert_float_equal(r->phase[SV_PHASE_FRAME].p50, 1.5, 1e-4);
    assert_int_equal(r->ticks_skipped, 3);
    /* the next period starts where this one ended */
    sv_stats_net n2 = {n1.bytes_in + 500, n1.bytes_out, n1.packets_in, n1.packets_out};
    r = sv_stats_report_now(&st, 53.0, 3.5, &n2, 180, 2, 3);
    assert_float_equal(r->bytes_in_s, 500.0, 1e-9);
    assert_float_equal(r->cpu_percent, 0.0, 1e-9);
    assert_ptr_equal(r, &st.last);
    /* a zero-length period gives zero rates, never a division by zero */
    r = sv_stats_report_now(&st, 53.0, 4.0, &n1, 180, 2, 3);
    assert_float_equal(r->bytes_in_s, 0.0, 0.0);
    assert_float_equal(r->cpu_percent, 0.0, 0.0);
}

static void expect_key(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    if (!strstr(json, pat)) fail_msg("key %s missing in %s", key, json);
}

static void test_json(void **state) {
    (void)state;
    sv_stats_init(&st, 0.0, 0.0, &zero_net);
    for (int i = 0; i < 60; i++) sv_stats_record_tick(&st, i / 60.0, 0.001, 0.0, 0.0);
    sv_stats_net n = {6000, 12000, 60, 30};
    const sv_stats_report *r = sv_stats_report_now(&st, 1.0, 0.05, &n, 60, 2, 0);
    char buf[1024];
    int len = sv_stats_format_json(r, buf, sizeof buf);
    assert_true(len > 0);
    assert_int_equal((size_t)len, strlen(buf));
    assert_int_equal(buf[0], '{');
    assert_int_equal(buf[len - 1], '}');
    assert_null(strchr(buf, '\n'));
    static const char *const keys[] = {"t", "tick", "players", "frame_p50_ms", "frame_p99_ms", "frame_max_ms",
                                       "recv_p50_ms", "recv_p99_ms", "sim_p50_ms", "sim_p99_ms", "snap_p50_ms",
                                       "snap_p99_ms", "send_p50_ms", "send_p99_ms", "cpu_percent", "bytes_in_s",
                                       "bytes_out_s", "packets_in_s", "packets_out_s", "ticks_skipped"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) expect_key(buf, keys[i]);
    assert_non_null(strstr(buf, "\"players\":2,"));
    assert_non_null(strstr(buf, "\"frame_p50_ms\":1.0000,"));
    assert_non_null(strstr(buf, "\"bytes_out_s\":12000.0,"));
    assert_non_null(strstr(buf, "\"cpu_percent\":5.00,"));
    assert_non_null(strstr(buf, "\"ticks_skipped\":0}"));
    /* too small a buffer: -1 and an empty string, never a cut line */
    char small[40];
    assert_int_equal(sv_stats_format_json(r, small, sizeof small), -1);
    assert_string_equal(small, "");
}

static void test_status_text(void **state) {
    (void)state;
    char buf[1024];
    sv_stats_init(&st, 0.0, 0.0, &zero_net);
    assert_true(sv_stats_format_status(&st.last, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "none yet"));
    for (int i = 0; i < 60; i++) sv_stats_record_tick(&st, i / 60.0, 0.002, 0.0, 0.0);
    sv_stats_net n = {6000, 12000, 60, 30};
    const sv_stats_report *r = sv_stats_report_now(&st, 1.0, 0.1, &n, 60, 1, 4);
    assert_true(sv_stats_format_status(r, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "frame p50 2.000  p99 2.000  max 2.000"));
    assert_non_null(strstr(buf, "cpu 10.0%"));
    assert_non_null(strstr(buf, "out 12000 B/s 30 pkt/s"));
    assert_non_null(strstr(buf, "ticks skipped 4"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest_rank),  cmocka_unit_test(test_percentiles_unordered),
        cmocka_unit_test(test_window),        cmocka_unit_test(test_ring_wraps),
        cmocka_unit_test(test_recv_and_frame), cmocka_unit_test(test_report_rates),
        cmocka_unit_test(test_json),          cmocka_unit_test(test_status_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
