/* test_sv_alloc.c - steady ticks allocate nothing.
 *
 * A real server (sv_server_init: map, slots, an ENet host on a loopback
 * port the OS picks) and a few ENet clients in this process that do what
 * cl_conn does: connect with PROTO_VERSION, send C_HELLO, then every tick a
 * C_INPUT (unsequenced, the unacknowledged commands, the newest snapshot
 * tick as acknowledgement, so snapshots are deltas); they move, turn and
 * fire. After everyone has joined and 2 s of warm-up, the server is driven
 * for 5 s more (sv_server_step: the ticks, snapshots, ENet's receive and
 * send, timers, scores, the once-a-second figures) while every allocation
 * made inside those calls is counted three ways:
 *
 *   own      calls to malloc/calloc/realloc from our objects (server/,
 *            shared/, this file), through `-Wl,--wrap=` (see CMakeLists);
 *   system   every call to the allocator from anything in the process
 *            during the server's turn: our code, libc's own (qsort mallocs
 *            a buffer for arrays of 1 KiB and more) and libenet's, by
 *            defining malloc, calloc, realloc and free here (they forward
 *            to glibc's __libc_*); not in sanitizer builds, where the
 *            sanitizer owns malloc;
 *   pool     ENet's allocations through sv_pool (the server installs it as
 *            ENet's allocator), and how many of them reached the system.
 *
 * The test asserts all the system-reaching counts are zero; ENet's calls to
 * the pool are reported (packets per tick), not limited. The clients' own
 * work is outside the counted calls.
 *
 * A third run has 140 clients (SV_ALLOC_CLIENTS=N in the environment: N;
 * 0: skipped; skipped by default in sanitizer builds): more entities than a
 * client's view holds, so every snapshot chooses the nearest; sorting 140
 * or more with glibc's qsort would malloc its buffer each time (it did,
 * once per client per snapshot, before interest management came).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "msg.h"
#include "net.h"
#include "snapshot.h"
#include "sv_pool.h"
#include "sv_server.h"

/* ---- counting --------------------------------------------------------- */

static volatile int counting;       /* inside the counted server calls */
static volatile uint64_t own_calls; /* from our objects (--wrap) */
static volatile uint64_t sys_calls; /* anything in the process (interposed) */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n) {
    if (counting) own_calls++;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    if (counting) own_calls++;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
    if (counting) own_calls++;
    return __real_realloc(p, n);
}
void __wrap_free(void *p) { __real_free(p); }

#ifdef SV_ALLOC_INTERPOSE
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

void *malloc(size_t n) {
    if (counting) sys_calls++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size) {
    if (counting) sys_calls++;
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n) {
    if (counting) sys_calls++;
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
#define HAVE_SYS_COUNT 1
#else
#define HAVE_SYS_COUNT 0
#endif

/* ---- in-process clients ----------------------------------------------- */

typedef struct {
    ENetHost *host;
    ENetPeer *peer;
    bool joined, lost;
    uint32_t cmd_tick;     /* newest command number sent */
    uint32_t newest_snap;  /* newest snapshot tick seen (acknowledged) */
    uint64_t snapshots;
    uint8_t buttons;
    uint16_t aim;
    uint32_t rng;
} tclient;

#define MAX_CLIENTS 256
static tclient clients[MAX_CLIENTS];
static int client_count;
static server sv;

static uint32_t next_rand(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void client_send_hello(tclient *c, int index) {
    msg_hello m = {.resume_id = PROTO_NO_RESUME};
    snprintf(m.name, sizeof m.name, "alloc%d", index);
    uint8_t buf[64];
    size_t n = msg_encode_hello(buf, sizeof buf, &m);
    assert_true(n > 0);
    assert_true(net_send(c->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE));
}

/* One command per client tick; the packet carries the newest four. Every
 * 40 ticks a new direction and aim; a rail shot every 97. */
static void client_send_input(tclient *c) {
    c->cmd_tick++;
    if (c->cmd_tick % 40 == 1) {
        uint32_t r = next_rand(&c->rng);
        c->buttons = (uint8_t)(r & (BTN_UP | BTN_DOWN | BTN_LEFT | BTN_RIGHT));
        c->aim = (uint16_t)(r >> 4);
    }
    msg_input m = {.ack_snapshot_tick = c->newest_snap};
    m.count = (uint8_t)(c->cmd_tick < PROTO_MIN_CMDS_PER_PACKET ? c->cmd_tick : PROTO_MIN_CMDS_PER_PACKET);
    for (int i = 0; i < m.count; i++) {
        uint32_t t = c->cmd_tick - (uint32_t)i;
        m.cmds[i] = (input_cmd){.tick = t,
                                .buttons = (uint8_t)(c->buttons | (t % 97 == 0 ? BTN_FIRE : 0)),
                                .aim = c->aim,
                                .view_tick = c->newest_snap};
    }
    uint8_t buf[64];
    size_t n = msg_encode_input(buf, sizeof buf, &m);
    assert_true(n > 0);
    net_send(c->peer, PROTO_CHANNEL_UNRELIABLE, buf, n, NET_UNSEQUENCED);
}

static void client_service(tclient *c, int index) {
    ENetEvent ev;
    while (enet_host_service(c->host, &ev, 0) > 0) {
        switch (ev.type) {
        case ENET_EVENT_TYPE_CONNECT: client_send_hello(c, index); break;
        case ENET_EVENT_TYPE_DISCONNECT: c->lost = true; break;
        case ENET_EVENT_TYPE_RECEIVE: {
            const uint8_t *d = ev.packet->data;
            size_t len = ev.packet->dataLength;
            int id = msg_peek_id(d, len);
            if (id == MSG_S_WELCOME) c->joined = true;
            if (id == MSG_S_SNAPSHOT) {
                snap_header h;
                if (snap_decode_header(d, len, &h) == SNAP_OK) {
                    c->snapshots++;
                    if (h.server_tick > c->newest_snap) c->newest_snap = h.server_tick;
                }
            }
            enet_packet_destroy(ev.packet);
            break;
        }
        case ENET_EVENT_TYPE_NONE: break;
        }
    }
}

typedef struct {
    uint64_t own, sys, pool_allocs, pool_system, ticks, turns;
} counts;

/* Drives the server and the clients for `seconds`: the server's turns
 * counted when `count` is set, the clients' never. */
static void run_for(double seconds, bool count, counts *out) {
    sv_pool_stats p0, p1;
    uint64_t own0 = own_calls, sys0 = sys_calls, pool_allocs = 0, pool_system = 0;
    uint32_t tick0 = sv.tick;
    uint64_t turns = 0;
    double step = 1.0 / sv.cfg.tick_rate, now = clock_now(), end = now + seconds, next_input = now;
    while ((now = clock_now()) < end) {
        sv_pool_get_stats(&p0);
        counting = count;
        sv_server_step(&sv, 1, false);
        counting = 0;
        sv_pool_get_stats(&p1);
        pool_allocs += p1.allocs - p0.allocs;
        pool_system += p1.system_allocs - p0.system_allocs;
        turns++;
        bool send = now >= next_input;
        if (send) next_input = now - next_input > 0.1 ? now + step : next_input + step;
        for (int i = 0; i < client_count; i++) {
            tclient *c = &clients[i];
            client_service(c, i);
            if (send && c->joined && !c->lost) client_send_input(c);
            enet_host_flush(c->host);
        }
    }
    if (out) {
        *out = (counts){.own = own_calls - own0, .sys = sys_calls - sys0, .pool_allocs = pool_allocs,
                        .pool_system = pool_system, .ticks = sv.tick - tick0,
                        .turns = turns};
    }
}

static void start(int n, int tick_rate, int snapshot_rate, int max_players) {
    sv_config cfg;
    sv_config_default(&cfg);
    cfg.port = 0;
    cfg.discovery_port = 0;
    cfg.max_players = max_players;
    cfg.tick_rate = tick_rate;
    cfg.snapshot_rate = snapshot_rate;
    cfg.time_limit = 0; /* no match end (a map change is not steady state) */
    cfg.frag_limit = 0;
    snprintf(cfg.map, sizeof cfg.map, "courtyard");
    char err[600];
    if (!sv_server_init(&sv, &cfg, err, sizeof err)) fail_msg("sv_server_init: %s", err);
    /* the pool is ENet's allocator from here on: the clients too */
    ENetAddress addr;
    enet_address_set_host(&addr, "127.0.0.1");
    addr.port = sv.port;
    assert_true(n <= MAX_CLIENTS);
    client_count = 0;
    memset(clients, 0, sizeof clients);
    for (int i = 0; i < n; i++) {
        tclient *c = &clients[client_count++];
        c->rng = 12345u + (uint32_t)i * 7919u;
        c->host = enet_host_create(NULL, 1, PROTO_CHANNEL_COUNT, 0, 0);
        assert_non_null(c->host);
        c->peer = enet_host_connect(c->host, &addr, PROTO_CHANNEL_COUNT, PROTO_VERSION);
        assert_non_null(c->peer);
        /* a few connections at a time: at most 32 may be in progress */
        if (i % 16 == 15) run_for(0.05, false, NULL);
    }
    double until = clock_now() + 20.0;
    int joined = 0;
    while (clock_now() < until) {
        run_for(0.1, false, NULL);
        joined = 0;
        for (int i = 0; i < n; i++) joined += clients[i].joined;
        if (joined == n) break;
    }
    assert_int_equal(joined, n);
}

static void stop(void) {
    for (int i = 0; i < client_count; i++) {
        enet_peer_disconnect_now(clients[i].peer, 0);
        enet_host_flush(clients[i].host);
    }
    run_for(0.1, false, NULL);
    for (int i = 0; i < client_count; i++) enet_host_destroy(clients[i].host);
    client_count = 0;
    sv_server_shutdown(&sv, PROTO_REASON_SHUTDOWN);
}

static void steady_run(int n, int tick_rate, int snapshot_rate, int max_players) {
    start(n, tick_rate, snapshot_rate, max_players);
    run_for(2.0, false, NULL); /* warm-up: the pool grows to the traffic's peak */
    uint64_t snaps0 = 0;
    for (int i = 0; i < n; i++) snaps0 += clients[i].snapshots;
    counts k;
    const double seconds = 5.0;
    run_for(seconds, true, &k);
    uint64_t snaps = 0;
    int lost = 0;
    for (int i = 0; i < n; i++) {
        snaps += clients[i].snapshots;
        lost += clients[i].lost;
    }
    snaps -= snaps0;
    printf("# %d clients, %d Hz ticks, %d Hz snapshots: %llu ticks in %.0f s (%llu loop turns), "
           "%.1f snapshots/s per client\n",
           n, tick_rate, snapshot_rate, (unsigned long long)k.ticks, seconds, (unsigned long long)k.turns,
           (double)snaps / n / seconds);
    printf("#   the server's ENet through the pool: %llu allocations (%.1f per tick), %llu of them from the system\n",
           (unsigned long long)k.pool_allocs, k.ticks ? (double)k.pool_allocs / (double)k.ticks : 0.0,
           (unsigned long long)k.pool_system);
    printf("#   malloc/calloc/realloc from our code: %llu; from anything during the server's turns: %s%llu\n",
           (unsigned long long)k.own, HAVE_SYS_COUNT ? "" : "(not counted in this build) ",
           (unsigned long long)k.sys);
    stop();
    assert_int_equal(lost, 0);
    assert_true(k.ticks >= (uint64_t)(seconds * tick_rate / 2)); /* it did run (a loaded machine skips some) */
    assert_true(snaps >= (uint64_t)(seconds * snapshot_rate / 2) * (uint64_t)n);
    assert_true(k.pool_allocs > 0); /* packets did flow through the pool */
    assert_int_equal(k.pool_system, 0);
    assert_int_equal(k.own, 0);
    assert_int_equal(k.sys, 0);
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* The instruments themselves: a calloc in our code, libc's qsort on a
 * large array, and an ENet packet through the pool are each seen. */
static void test_instruments(void **state) {
    (void)state;
    assert_int_equal(sv_pool_install_enet(), 0);
    static int big[4096];
    for (int i = 0; i < 4096; i++) big[i] = (i * 7919) % 4096;
    enet_packet_destroy(enet_packet_create("x", 1, 0)); /* the pool's first slab: a malloc of our own */
    sv_pool_stats p0, p1;
    sv_pool_get_stats(&p0);
    uint64_t own0 = own_calls, sys0 = sys_calls;
    counting = 1;
    lag_history h;
    bool made = lag_history_init(&h, 4); /* a calloc in server/sv_lagcomp.c */
    qsort(big, 4096, sizeof big[0], cmp_int); /* 16 KiB: glibc mallocs its buffer */
    ENetPacket *pk = enet_packet_create("x", 1, 0);
    counting = 0;
    assert_true(made);
    lag_history_free(&h);
    assert_non_null(pk);
    enet_packet_destroy(pk);
    sv_pool_get_stats(&p1);
    assert_int_equal(own_calls - own0, 1);
    if (HAVE_SYS_COUNT) assert_true(sys_calls - sys0 >= 2);
    assert_int_equal(p1.allocs - p0.allocs, 2); /* the packet and its data */
    assert_int_equal(p1.frees - p0.frees, 2);
}

static void test_steady_60_30(void **state) {
    (void)state;
    steady_run(4, 60, 30, 8);
}

static void test_steady_128_128(void **state) {
    (void)state;
    steady_run(4, 128, 128, 8);
}

static void test_steady_many(void **state) {
    (void)state;
    const char *e = getenv("SV_ALLOC_CLIENTS");
    int n = e ? atoi(e) : HAVE_SYS_COUNT ? 140 : 0; /* only the interposed count sees libc's own mallocs */
    if (n <= 0) skip();
    if (n > MAX_CLIENTS) n = MAX_CLIENTS;
    steady_run(n, 60, 30, n);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instruments),
        cmocka_unit_test(test_steady_60_30),
        cmocka_unit_test(test_steady_128_128),
        cmocka_unit_test(test_steady_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
