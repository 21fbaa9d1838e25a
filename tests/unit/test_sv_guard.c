/* test_sv_guard.c - the connection guard's decision: which half-open or
 * lingering ENet peers to reset (the oldest past the cap, never a young
 * one, any too old one, never one the application holds), per kind, with
 * peer reuse detected by connectID, and a rate-limited report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sv_guard.h"

static sv_guard g; /* large: not on the stack */

#define ROOM 1000 /* free peers: plenty, so that the reserve plays no part */

static void setup(size_t peers, int cap) {
    sv_guard_limits lim = {.max_pending = cap, .min_age = 0.5, .max_age = 3.0, .reserve = 16};
    sv_guard_init(&g, peers, &lim);
}

/* Peers [from, to) seen opening at `now`, connectID = index + 1. */
static void open_range(size_t from, size_t to, double now) {
    for (size_t i = from; i < to; i++) sv_guard_observe(&g, i, SV_GUARD_OPENING, (uint32_t)i + 1, true, now);
}

static bool contains(const uint16_t *v, size_t n, uint16_t x) {
    for (size_t i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

static void test_under_cap_nothing(void **state) {
    (void)state;
    setup(64, 8);
    open_range(0, 8, 0.0);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 2.0, ROOM, &ch), 0);
    assert_int_equal(g.counts.pending[SV_GUARD_OPENING], 8);
}

static void test_young_never_reset(void **state) {
    (void)state;
    setup(64, 8);
    open_range(0, 40, 0.0);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 0.4, ROOM, &ch), 0); /* 40 > 8, but all younger than 0.5 s */
    assert_int_equal(g.counts.pending[SV_GUARD_OPENING], 40);
    assert_int_equal(g.counts.peak[SV_GUARD_OPENING], 40);
}

static void test_oldest_past_cap(void **state) {
    (void)state;
    setup(64, 8);
    open_range(0, 10, 0.0);  /* oldest */
    open_range(10, 20, 1.0);
    open_range(20, 30, 2.0); /* young at 2.2 */
    const uint16_t *ch;
    size_t n = sv_guard_decide(&g, 2.2, ROOM, &ch);
    assert_int_equal(n, 20); /* 30 pending, cap 8: 22 too many, but only 20 are old enough */
    for (uint16_t i = 0; i < 20; i++) assert_true(contains(ch, n, i));
    for (uint16_t i = 20; i < 30; i++) assert_false(contains(ch, n, i)); /* too young */
    assert_int_equal(g.counts.reset_over_cap[SV_GUARD_OPENING], 20);
    assert_int_equal(g.counts.pending[SV_GUARD_OPENING], 10);
    /* Still over the cap, but the rest are young: they stay until old enough. */
    open_range(20, 30, 2.3);
    assert_int_equal(sv_guard_decide(&g, 2.3, ROOM, &ch), 0);
    open_range(20, 30, 2.6);
    n = sv_guard_decide(&g, 2.6, ROOM, &ch);
    assert_int_equal(n, 2);
    assert_true(contains(ch, n, 20) && contains(ch, n, 21)); /* ties go in peer order */
}

static void test_oldest_first_exact(void **state) {
    (void)state;
    setup(64, 4);
    for (size_t i = 0; i < 8; i++) /* peer i first seen at 0.1 * (7 - i): peer 7 oldest */
        sv_guard_observe(&g, i, SV_GUARD_OPENING, 100 + (uint32_t)i, true, 0.1 * (double)(7 - i));
    const uint16_t *ch;
    size_t n = sv_guard_decide(&g, 1.5, ROOM, &ch); /* all at least 0.8 s old */
    assert_int_equal(n, 4);
    for (uint16_t i = 4; i < 8; i++) assert_true(contains(ch, n, i));
}

static void test_too_old_whatever_the_count(void **state) {
    (void)state;
    setup(64, 32);
    open_range(0, 3, 0.0);
    open_range(3, 4, 1.0);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 3.0, ROOM, &ch), 0); /* exactly max_age: kept */
    open_range(0, 4, 3.5);
    size_t n = sv_guard_decide(&g, 3.5, ROOM, &ch);
    assert_int_equal(n, 3);
    assert_false(contains(ch, n, 3));
    assert_int_equal(g.counts.reset_too_old[SV_GUARD_OPENING], 3);
    /* Forgotten: seen again later (the same connection, had it not been
     * reset) it starts afresh. */
    open_range(0, 3, 3.6);
    assert_int_equal(sv_guard_decide(&g, 6.0, ROOM, &ch), 1); /* only peer 3, now 5 s old */
}

static void test_held_peers_untouched(void **state) {
    (void)state;
    setup(16, 1);
    for (size_t i = 0; i < 4; i++) sv_guard_observe(&g, i, SV_GUARD_CLOSING, 7, false, 0.0);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 100.0, ROOM, &ch), 0);
    assert_int_equal(g.counts.pending[SV_GUARD_CLOSING], 4);
}

static void test_reuse_restarts_clock(void **state) {
    (void)state;
    setup(16, 32);
    sv_guard_observe(&g, 5, SV_GUARD_OPENING, 1111, true, 0.0);
    sv_guard_observe(&g, 5, SV_GUARD_OPENING, 1111, true, 2.0);
    /* ENet freed the peer and gave it to a new CONNECT in one service. */
    sv_guard_observe(&g, 5, SV_GUARD_OPENING, 2222, true, 2.9);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 3.5, ROOM, &ch), 0);
    /* Kind changes restart it too (opening, then a refused connection's
     * disconnect). */
    sv_guard_observe(&g, 5, SV_GUARD_CLOSING, 2222, true, 5.0);
    assert_int_equal(sv_guard_decide(&g, 5.5, ROOM, &ch), 0);
    assert_int_equal(sv_guard_decide(&g, 8.1, ROOM, &ch), 1);
    assert_int_equal(g.counts.reset_too_old[SV_GUARD_CLOSING], 1);
    /* Idle (connected or free) forgets. */
    sv_guard_observe(&g, 6, SV_GUARD_OPENING, 1, true, 0.0);
    sv_guard_observe(&g, 6, SV_GUARD_IDLE, 0, true, 1.0);
    assert_int_equal(sv_guard_decide(&g, 10.0, ROOM, &ch), 0);
}

static void test_kinds_capped_apart(void **state) {
    (void)state;
    setup(64, 4);
    open_range(0, 4, 0.0);
    for (size_t i = 4; i < 8; i++) sv_guard_observe(&g, i, SV_GUARD_CLOSING, 1, true, 0.0);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 1.0, ROOM, &ch), 0); /* 4 + 4: each at its cap */
    sv_guard_observe(&g, 8, SV_GUARD_CLOSING, 1, true, 0.0);
    size_t n = sv_guard_decide(&g, 1.0, ROOM, &ch);
    assert_int_equal(n, 1);
    assert_true(ch[0] >= 4 && ch[0] <= 8);
    assert_int_equal(g.counts.reset_over_cap[SV_GUARD_CLOSING], 1);
    assert_int_equal(g.counts.reset_over_cap[SV_GUARD_OPENING], 0);
}

static void test_out_of_range_ignored(void **state) {
    (void)state;
    setup(4, 0);
    sv_guard_observe(&g, 4, SV_GUARD_OPENING, 1, true, 0.0);
    sv_guard_observe(&g, 100000, SV_GUARD_OPENING, 1, true, 0.0);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 100.0, ROOM, &ch), 0);
    sv_guard_init(&g, 1u << 20, &(sv_guard_limits){8, 0.5, 3.0, 16});
    assert_int_equal(g.peer_count, SV_GUARD_MAX_PEERS);
}

/* A flood faster than min_age allows: with fewer than `reserve` peers free,
 * the oldest go even if young, half-open ones first, held ones never. */
static void test_reserve_kept(void **state) {
    (void)state;
    setup(64, 8);
    open_range(0, 20, 0.0);
    open_range(20, 40, 0.2);
    for (size_t i = 40; i < 44; i++) sv_guard_observe(&g, i, SV_GUARD_OPENING, 1, false, 0.0); /* held */
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 0.3, 20, &ch), 0); /* 20 free: more than the reserve of 16 */
    size_t n = sv_guard_decide(&g, 0.3, 10, &ch);             /* 10 free: 6 go, the oldest */
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) assert_true(ch[i] < 20);
    assert_int_equal(g.counts.reset_for_room[SV_GUARD_OPENING], 6);
    assert_int_equal(g.counts.reset_over_cap[SV_GUARD_OPENING], 0);
    /* Past the cap and old enough: those count first, then room. */
    n = sv_guard_decide(&g, 0.6, 0, &ch); /* 14 + 20 evictable, 14 old enough */
    assert_int_equal(n, 16);
    for (uint16_t i = 0; i < 20; i++) assert_false(contains(ch, n, (uint16_t)(i + 40)));
    assert_int_equal(g.counts.reset_over_cap[SV_GUARD_OPENING], 14);
    assert_int_equal(g.counts.reset_for_room[SV_GUARD_OPENING], 8);
    /* Never more than there are: only held ones left beside 18 young. */
    n = sv_guard_decide(&g, 0.6, 0, &ch);
    assert_int_equal(n, 16);
    n = sv_guard_decide(&g, 0.6, 0, &ch);
    assert_int_equal(n, 2);
    assert_int_equal(sv_guard_decide(&g, 0.6, 0, &ch), 0);
    assert_int_equal(g.counts.pending[SV_GUARD_OPENING], 4);
}

/* Young ones under pressure go oldest first too (buckets below min_age). */
static void test_reserve_oldest_young_first(void **state) {
    (void)state;
    setup(64, 100);
    for (size_t i = 0; i < 10; i++) /* peer i seen at 0.04 * i: peer 0 oldest */
        sv_guard_observe(&g, i, SV_GUARD_OPENING, 7 + (uint32_t)i, true, 0.04 * (double)i);
    for (size_t i = 10; i < 20; i++) sv_guard_observe(&g, i, SV_GUARD_CLOSING, 1, true, 0.0);
    const uint16_t *ch;
    size_t n = sv_guard_decide(&g, 0.4, 13, &ch); /* 3 short of 16 */
    assert_int_equal(n, 3);
    for (uint16_t i = 0; i < 3; i++) assert_true(contains(ch, n, i)); /* half-open first, oldest first */
    n = sv_guard_decide(&g, 0.4, 0, &ch); /* 16 short: 7 half-open left, then 9 closing */
    assert_int_equal(n, 16);
    assert_int_equal(g.counts.reset_for_room[SV_GUARD_CLOSING], 9);
}

static void test_report_rate_limited(void **state) {
    (void)state;
    setup(64, 2);
    char line[400];
    assert_false(sv_guard_report(&g, 0.0, line, sizeof line)); /* nothing reset yet */
    open_range(0, 10, 0.0);
    const uint16_t *ch;
    assert_int_equal(sv_guard_decide(&g, 1.0, ROOM, &ch), 8);
    assert_true(sv_guard_report(&g, 1.0, line, sizeof line));
    assert_non_null(strstr(line, "reset 8 half-open connections since the last report (8 past the cap of 2, "
                              "0 older than 3.0 s, 0 to keep 16 peers free)"));
    open_range(0, 10, 1.1);
    assert_int_equal(sv_guard_decide(&g, 2.0, ROOM, &ch), 8);
    assert_false(sv_guard_report(&g, 2.0, line, sizeof line)); /* within the interval */
    assert_true(sv_guard_report(&g, 1.0 + SV_GUARD_LOG_INTERVAL, line, sizeof line));
    assert_non_null(strstr(line, "reset 8 half-open"));
    assert_non_null(strstr(line, "16 + 0 reset in all"));
    assert_false(sv_guard_report(&g, 100.0, line, sizeof line)); /* nothing new */
}

static void test_kind_of(void **state) {
    (void)state;
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_ACKNOWLEDGING_CONNECT), SV_GUARD_OPENING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_CONNECTION_PENDING), SV_GUARD_OPENING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_CONNECTING), SV_GUARD_OPENING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_CONNECTION_SUCCEEDED), SV_GUARD_OPENING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_DISCONNECTING), SV_GUARD_CLOSING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_ACKNOWLEDGING_DISCONNECT), SV_GUARD_CLOSING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_DISCONNECT_LATER), SV_GUARD_CLOSING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_ZOMBIE), SV_GUARD_CLOSING);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_CONNECTED), SV_GUARD_IDLE);
    assert_int_equal(sv_guard_kind_of(ENET_PEER_STATE_DISCONNECTED), SV_GUARD_IDLE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_under_cap_nothing),   cmocka_unit_test(test_young_never_reset),
        cmocka_unit_test(test_oldest_past_cap),     cmocka_unit_test(test_oldest_first_exact),
        cmocka_unit_test(test_too_old_whatever_the_count), cmocka_unit_test(test_held_peers_untouched),
        cmocka_unit_test(test_reuse_restarts_clock), cmocka_unit_test(test_kinds_capped_apart),
        cmocka_unit_test(test_out_of_range_ignored), cmocka_unit_test(test_reserve_kept),
        cmocka_unit_test(test_reserve_oldest_young_first), cmocka_unit_test(test_report_rate_limited),
        cmocka_unit_test(test_kind_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
