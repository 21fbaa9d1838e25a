/* cl_swarm.c - N headless bots driven from one loop (see cl_swarm.h).
 *
 * Owns: the bots (each a cl_conn with cfg.bot on, so per tick the work is
 * exactly what gameclient --headless --bot does: cl_conn_update - the
 * bot's buttons, prediction, one input packet - and cl_conn_frame), the
 * loop's schedule and the run's figures.
 *
 * What keeps a bot cheap, the loop: a bot takes a turn only when a
 * datagram came for it (serviced at once, as a headless client would) or
 * its own tick is due (a min-heap of due times, so no loop pass looks at
 * every bot); a due tick with nothing received only flushes its input
 * (enet_host_flush, no receive call to find nothing), and ENet's full
 * service runs on a quiet tick only while ENet has something to time out
 * or resend (an unacknowledged reliable command, not yet connected) or
 * after FULL_SERVICE_S. Nothing here allocates after a bot's start.
 *
 * And the sockets (cl_wire.c): with the server on loopback every bot's
 * datagrams go through one shared socket, in batches, epoll watching that
 * one; otherwise each bot's own socket is watched and read two datagrams
 * at a time.
 */
#define _GNU_SOURCE /* recvmmsg */
#include "cl_swarm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cl_conn.h"
#include "cl_wire.h"
#include "log.h"
#include "net.h"

#define RTT_BUCKETS 2001 /* 1 ms each; the last holds everything from 2000 ms */
#define WARMUP_S 1.0     /* a bot's snapshot rate is counted from 1 s after it joined */
#define RTT_AFTER_S 2.0  /* its round trip sampled from 2 s after (ENet's estimate settles) */
#define STEADY_AFTER_S 2.0
#define EVENTS_MAX SWARM_MAX_BOTS
#define FULL_SERVICE_S 1.0 /* the longest a bot in the game goes without a full ENet service */
#define LEAVE_SERVICE_S 0.05 /* leaving: ENet resends the disconnect in a full service */
#define MIN_WAIT_S 0.00025  /* the soonest a bot's next turn without data comes */
#define WIRE_TAG UINT32_MAX /* epoll's tag for the shared socket */
#define WIRE_BUFFER_BYTES (4 << 20) /* the shared socket's kernel buffers (the kernel reports twice): 1000 bots' bursts */
#define WIRE_DRAIN_BATCHES 32 /* recvmmsg calls per loop pass at most (the ticks due go first) */

typedef enum { BOT_WAITING, BOT_RUNNING, BOT_DONE } bot_phase;

typedef struct {
    cl_conn *conn; /* allocated once, at its start */
    bot_phase phase;
    int fd;        /* the socket registered with epoll, or -1 */
    bool ready;    /* epoll said its socket has data */
    bool leaving;
    conn_state seen_state;
    double next_at;     /* when its next tick is due (its key in the heap) */
    double last_frame;
    double serviced_at; /* last full ENet service */
    int heap_at;        /* its place in the heap, or -1 */
    double joined;      /* first seen in the game (0: never) */
    double warm_at;     /* rate window start (0: not yet) */
    uint64_t warm_snaps;
    bool dropped;       /* left the game other than by a map change */
    double dropped_at;
    uint64_t dropped_snaps;
    uint64_t last_snaps; /* for the progress line */
} swarm_bot;

typedef struct {
    const swarm_config *cfg;
    swarm_bot *bots;
    int *heap;  /* running bots by next_at, soonest first (a binary heap) */
    int heap_n;
    int *ready; /* bots epoll reported, in order, not yet serviced */
    int ready_n;
    int epfd;
    struct epoll_event events[EVENTS_MAX];
    uint32_t rtt_hist[RTT_BUCKETS];
    uint64_t rtt_count;
    swarm_result *res;
} swarm;

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { /* the second one also cuts the leaving short */
    (void)sig;
    stop_requested = stop_requested ? 2 : 1;
}

void swarm_config_default(swarm_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->connect, sizeof cfg->connect, "127.0.0.1:%d", CL_DEFAULT_PORT);
    cfg->bots = 10;
    cfg->duration = 10.0;
    snprintf(cfg->name_prefix, sizeof cfg->name_prefix, "bot");
    cfg->connect_rate = 200.0;
    cl_config c;
    cl_config_default(&c);
    cfg->peer_timeout_ms = c.peer_timeout_ms;
    cfg->progress_s = 1.0;
}

static double cpu_split(double *user, double *sys) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    return *user + *sys;
}

static double cpu_seconds(void) {
    double u, s;
    return cpu_split(&u, &s);
}

static long rss_now_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void add_reason(swarm_result *res, const char *why) {
    for (int i = 0; i < res->reason_count; i++)
        if (strcmp(res->reasons[i].text, why) == 0) {
            res->reasons[i].count++;
            return;
        }
    if (res->reason_count == SWARM_REASONS) return;
    swarm_reason *r = &res->reasons[res->reason_count++];
    snprintf(r->text, sizeof r->text, "%s", why);
    r->count = 1;
}

/* ---- The schedule: a binary heap of the running bots by next_at ---------- */

static void heap_set(swarm *sw, int at, int index) {
    sw->heap[at] = index;
    sw->bots[index].heap_at = at;
}

static void heap_up(swarm *sw, int at) {
    int index = sw->heap[at];
    double key = sw->bots[index].next_at;
    while (at > 0) {
        int parent = (at - 1) / 2;
        if (sw->bots[sw->heap[parent]].next_at <= key) break;
        heap_set(sw, at, sw->heap[parent]);
        at = parent;
    }
    heap_set(sw, at, index);
}

static void heap_down(swarm *sw, int at) {
    int index = sw->heap[at];
    double key = sw->bots[index].next_at;
    for (;;) {
        int child = 2 * at + 1;
        if (child >= sw->heap_n) break;
        if (child + 1 < sw->heap_n && sw->bots[sw->heap[child + 1]].next_at < sw->bots[sw->heap[child]].next_at)
            child++;
        if (key <= sw->bots[sw->heap[child]].next_at) break;
        heap_set(sw, at, sw->heap[child]);
        at = child;
    }
    heap_set(sw, at, index);
}

static void heap_push(swarm *sw, int index) {
    sw->heap[sw->heap_n++] = index;
    heap_up(sw, sw->heap_n - 1);
}

static void heap_remove(swarm *sw, int index) {
    int at = sw->bots[index].heap_at;
    if (at < 0) return;
    sw->bots[index].heap_at = -1;
    int last = sw->heap[--sw->heap_n];
    if (at == sw->heap_n) return;
    heap_set(sw, at, last);
    heap_up(sw, at);
    heap_down(sw, sw->bots[last].heap_at);
}

/* Keeps epoll watching the bot's current socket. `force` re-adds it even
 * when the number is unchanged (a closed socket leaves epoll by itself, and
 * a new one may get the same number). */
static void watch(swarm *sw, int index, bool force) {
    swarm_bot *b = &sw->bots[index];
    if (wire_active()) return; /* one socket for all, watched from the start */
    int fd = b->conn->host ? (int)b->conn->host->socket : -1;
    if (fd == b->fd && !force) return;
    if (b->fd >= 0) epoll_ctl(sw->epfd, EPOLL_CTL_DEL, b->fd, NULL); /* may be closed already: harmless */
    b->fd = -1;
    if (fd < 0) return;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)index};
    if (epoll_ctl(sw->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 || errno == EEXIST) b->fd = fd;
}

static void unwatch(swarm *sw, swarm_bot *b) {
    if (b->fd >= 0) epoll_ctl(sw->epfd, EPOLL_CTL_DEL, b->fd, NULL);
    b->fd = -1;
}

/* A bot's cl_conn: fresh pages from the kernel, zero and page-aligned, so
 * that only the parts a bot uses become resident (cl_conn_start_zeroed)
 * and its cache-line-sized tables line up. */
static cl_conn *conn_alloc(void) {
    void *p = mmap(NULL, sizeof(cl_conn), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void conn_release(cl_conn *c) { munmap(c, sizeof *c); }

static void start_bot(swarm *sw, int index, double now) {
    const swarm_config *cfg = sw->cfg;
    swarm_bot *b = &sw->bots[index];
    b->fd = -1;
    b->phase = BOT_DONE;
    b->conn = conn_alloc();
    if (!b->conn) {
        add_reason(sw->res, "out of memory");
        return;
    }
    cl_config cc;
    cl_config_default(&cc);
    snprintf(cc.connect, sizeof cc.connect, "%s", cfg->connect);
    cc.connect_given = true;
    snprintf(cc.name, sizeof cc.name, "%s%04u", cfg->name_prefix, (unsigned)(index + 1) % 10000u);
    cc.name_given = true;
    cc.headless = true;
    cc.bot = true;
    cc.peer_timeout_ms = cfg->peer_timeout_ms;
    if (cfg->seed_given) { /* a distinct, nonzero seed per bot */
        uint32_t s = cfg->seed * 2654435761u + (uint32_t)index * 40503u + 1u;
        cc.seed = s ? s : 1u;
    }
    char err[300];
    wire_set_current(index);
    bool started = cl_conn_start_zeroed(b->conn, &cc, now, err, sizeof err);
    wire_set_current(-1);
    if (!started) {
        add_reason(sw->res, err);
        cl_conn_free(b->conn);
        conn_release(b->conn);
        b->conn = NULL;
        return;
    }
    sw->res->started++;
    wire_forget(b->conn->host->socket);
    b->phase = BOT_RUNNING;
    b->seen_state = b->conn->state;
    b->next_at = now;
    b->last_frame = now;
    b->serviced_at = now;
    heap_push(sw, index);
    watch(sw, index, false);
}

/* Notes what happened to a bot since its last turn. */
static void observe(swarm *sw, int index, double now) {
    swarm_bot *b = &sw->bots[index];
    cl_conn *c = b->conn;
    conn_state s = c->state;
    if (s != b->seen_state) {
        b->seen_state = s;
        watch(sw, index, true); /* a new socket may have come with it */
    }
    if (s == CONN_IN_GAME && b->joined == 0) b->joined = now;
    if (b->joined > 0 && !b->dropped && s != CONN_IN_GAME && s != CONN_HANDSHAKE) { /* HANDSHAKE: a map change */
        b->dropped = true;
        b->dropped_at = now;
        b->dropped_snaps = c->snapshots;
    }
    if (b->joined > 0 && b->warm_at == 0 && !b->dropped && now - b->joined >= WARMUP_S) {
        b->warm_at = now;
        b->warm_snaps = c->snapshots;
    }
    if (cl_conn_ended(c)) {
        b->phase = BOT_DONE;
        unwatch(sw, b);
        heap_remove(sw, index);
    }
}

/* Whether ENet needs its full service although the socket is quiet: its
 * timers (resending a reliable command, giving up on a silent server) run
 * only there, and only matter while a reliable command of ours is
 * unacknowledged or the connection is not yet (or no longer) up. */
static bool enet_timers_due(const cl_conn *c) {
    const ENetPeer *p = c->peer;
    return !p || p->state != ENET_PEER_STATE_CONNECTED || !enet_list_empty(&p->sentReliableCommands);
}

/* One turn: the ticks that are due (update, frame), and ENet. ENet gets a
 * full service (send, receive, events, timeouts) when the socket has data,
 * when the bot is not in the game, when its timers matter
 * (enet_timers_due) and at least every FULL_SERVICE_S; a tick in between
 * only needs its input sent, which enet_host_flush does without the
 * receive call that would find nothing. A due bot goes back in the heap. */
static void turn(swarm *sw, int index, double now, bool readable) {
    swarm_bot *b = &sw->bots[index];
    cl_conn *c = b->conn;
    bool tick = now >= b->next_at;
    b->ready = false;
    wire_set_current(index);
    if (tick) {
        cl_conn_update(c, now, 0, 0); /* cfg.bot: the bot presses the buttons */
        cl_conn_frame(c, now, now - b->last_frame);
        b->last_frame = now;
    }
    if (!c->host) {
        /* (nothing to service) */
    } else if (readable || c->state != CONN_IN_GAME || enet_timers_due(c) || now - b->serviced_at >= FULL_SERVICE_S) {
        ENetSocket fd = c->host->socket;
        wire_forget(fd); /* (a stale "empty" from an earlier service cut short) */
        cl_conn_service(c, now, 0);
        while (c->host && wire_read_ahead(fd)) cl_conn_service(c, now, 0); /* a datagram read ahead */
        b->serviced_at = now;
    } else {
        enet_host_flush(c->host);
    }
    wire_set_current(-1);
    observe(sw, index, now);
    if (b->phase == BOT_RUNNING && tick) {
        double wait = cl_conn_wait(c, now);
        b->next_at = now + (wait > MIN_WAIT_S ? wait : MIN_WAIT_S); /* (the loop always moves on) */
        if (b->heap_at >= 0) heap_down(sw, b->heap_at); /* (later than before: it only moves down) */
        else heap_push(sw, index);
    }
}

static void rtt_add(swarm *sw, uint32_t ms) {
    sw->rtt_hist[ms < RTT_BUCKETS ? ms : RTT_BUCKETS - 1]++;
    sw->rtt_count++;
}

static double hist_quantile(const uint32_t *hist, int buckets, uint64_t count, double q) {
    if (count == 0) return -1.0;
    uint64_t want = (uint64_t)ceil(q * (double)count), seen = 0;
    if (want == 0) want = 1;
    for (int i = 0; i < buckets; i++) {
        seen += hist[i];
        if (seen >= want) return i;
    }
    return buckets - 1;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double at, cpu;
} progress_mark;

static void progress_line(swarm *sw, FILE *out, double t0, double now, progress_mark *last, bool header) {
    static uint32_t hist[RTT_BUCKETS];
    memset(hist, 0, sizeof hist);
    int in_game = 0, joining = 0, failed = 0, lost = 0;
    uint64_t snaps = 0, n_rtt = 0;
    for (int i = 0; i < sw->cfg->bots; i++) {
        swarm_bot *b = &sw->bots[i];
        failed += b->phase == BOT_DONE && b->joined == 0;
        lost += b->dropped;
        cl_conn *c = b->conn;
        if (!c) continue;
        if (c->state == CONN_IN_GAME) {
            in_game++;
            snaps += c->snapshots - b->last_snaps;
            hist[c->rtt_ms < RTT_BUCKETS ? c->rtt_ms : RTT_BUCKETS - 1]++;
            n_rtt++;
        } else if (b->phase == BOT_RUNNING) {
            joining++;
        }
        b->last_snaps = c->snapshots;
    }
    double cpu = cpu_seconds(), dt = now - last->at;
    if (header)
        fprintf(out, "%7s %7s %7s %7s %7s %7s %8s %12s %6s\n", "time_s", "started", "in_game", "joining", "failed",
                "lost", "snap_hz", "rtt_ms p50/99", "cpu%");
    fprintf(out, "%7.1f %7d %7d %7d %7d %7d %8.1f %6.0f/%-5.0f %6.0f\n", now - t0, sw->res->started, in_game, joining,
            failed, lost, in_game && dt > 0 ? (double)snaps / in_game / dt : 0.0,
            hist_quantile(hist, RTT_BUCKETS, n_rtt, 0.5), hist_quantile(hist, RTT_BUCKETS, n_rtt, 0.99),
            dt > 0 ? (cpu - last->cpu) / dt * 100.0 : 0.0);
    fflush(out);
    last->at = now;
    last->cpu = cpu;
}

typedef struct {
    swarm *sw;
    int pending; /* bots still leaving */
} leaving;

/* A leaving bot's ENet service; once it is done (the server confirmed, or
 * ENet gave up) it is no longer leaving. */
static void leave_service(leaving *lv, int index) {
    swarm_bot *b = &lv->sw->bots[index];
    if (!b->leaving) return;
    ENetEvent ev;
    int r;
    wire_set_current(index);
    while ((r = enet_host_service(b->conn->host, &ev, 0)) > 0) {
        if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
        if (ev.type == ENET_EVENT_TYPE_DISCONNECT) break;
    }
    wire_set_current(-1);
    if (r == 0 && b->conn->peer->state != ENET_PEER_STATE_DISCONNECTED) return;
    if (r > 0) lv->sw->res->left_confirmed++;
    b->leaving = false;
    lv->pending--;
}

static void leave_deliver(void *ctx, int index) { leave_service(ctx, index); } /* a datagram on the wire */

/* Every bot leaves at once; the server gets one shared deadline to confirm. */
static void leave_all(swarm *sw) {
    leaving lv = {sw, 0};
    for (int i = 0; i < sw->cfg->bots; i++) {
        swarm_bot *b = &sw->bots[i];
        cl_conn *c = b->conn;
        if (!c || !c->host || !c->peer || b->phase != BOT_RUNNING) continue;
        if (c->peer->state == ENET_PEER_STATE_DISCONNECTED) continue;
        bool was_connected = c->peer->state == ENET_PEER_STATE_CONNECTED;
        wire_set_current(i);
        enet_peer_disconnect(c->peer, proto_reason_pack(PROTO_REASON_CLIENT_QUIT, 0));
        wire_set_current(-1);
        if (was_connected && c->peer->state != ENET_PEER_STATE_DISCONNECTED) {
            b->leaving = true;
            lv.pending++;
            watch(sw, i, false);
        }
    }
    /* Service a leaving bot when its socket has data (the confirmation),
     * and every LEAVE_SERVICE_S anyway (ENet resends the disconnect). */
    double until = clock_now() + 1.0 + 0.001 * lv.pending, next_all = 0;
    struct epoll_event *evs = sw->events;
    bool wire_ready = false;
    while (lv.pending > 0 && clock_now() < until && stop_requested < 2) {
        double now = clock_now();
        bool all = now >= next_all;
        if (all) next_all = now + LEAVE_SERVICE_S;
        if (wire_ready) wire_drain(leave_deliver, &lv, WIRE_DRAIN_BATCHES);
        wire_ready = false;
        for (int i = 0; i < sw->cfg->bots; i++) {
            swarm_bot *b = &sw->bots[i];
            if (!b->leaving || !(all || b->ready)) continue;
            b->ready = false;
            leave_service(&lv, i);
        }
        wire_flush();
        int n = lv.pending > 0 ? epoll_wait(sw->epfd, evs, EVENTS_MAX, 5) : 0;
        for (int k = 0; k < n; k++) {
            if (evs[k].data.u32 == WIRE_TAG) wire_ready = true;
            else if (evs[k].data.u32 < (uint32_t)sw->cfg->bots) sw->bots[evs[k].data.u32].ready = true;
        }
    }
    for (int i = 0; i < sw->cfg->bots; i++) {
        swarm_bot *b = &sw->bots[i];
        cl_conn *c = b->conn;
        if (!c) continue;
        unwatch(sw, b);
        if (c->peer && c->peer->state != ENET_PEER_STATE_DISCONNECTED) enet_peer_reset(c->peer);
        c->peer = NULL;
        cl_conn_leave(c); /* no peer left: only settles the state */
    }
}

static void summarise(swarm *sw, double t_end) {
    swarm_result *res = sw->res;
    int n = sw->cfg->bots;
    double *rates = malloc(sizeof *rates * (size_t)n);
    int rate_n = 0;
    for (int i = 0; i < n; i++) {
        swarm_bot *b = &sw->bots[i];
        cl_conn *c = b->conn;
        if (!c || b->joined == 0) {
            res->failed++;
            if (c) {
                const char *why = cl_conn_disconnect_reason(c);
                add_reason(res, why ? why : "still joining at the end");
            }
            continue;
        }
        res->ever_connected++;
        if (b->dropped) {
            res->lost++;
            if (c->state == CONN_IN_GAME) res->resumed++;
            const char *why = cl_conn_disconnect_reason(c);
            char text[80];
            snprintf(text, sizeof text, "lost: %s", why ? why : "reconnecting");
            add_reason(res, text);
        } else if (c->state == CONN_IN_GAME || c->state == CONN_HANDSHAKE) {
            res->connected++;
        }
        res->snapshots += c->snapshots;
        res->interruptions += c->interruptions;
        res->bad_packets += c->bad_packets;
        res->no_baseline += c->no_baseline;
        res->corrections += c->predict.corrections;
        double until = b->dropped ? b->dropped_at : t_end;
        uint64_t snaps = b->dropped ? b->dropped_snaps : c->snapshots;
        if (rates && b->warm_at > 0 && until - b->warm_at >= 1.0)
            rates[rate_n++] = (double)(snaps - b->warm_snaps) / (until - b->warm_at);
    }
    res->rate_bots = rate_n;
    res->snapshot_hz = res->snapshot_hz_min = res->snapshot_hz_max = -1.0;
    if (rate_n > 0) {
        qsort(rates, (size_t)rate_n, sizeof *rates, cmp_double);
        res->snapshot_hz = rate_n % 2 ? rates[rate_n / 2] : (rates[rate_n / 2 - 1] + rates[rate_n / 2]) / 2.0;
        res->snapshot_hz_min = rates[0];
        res->snapshot_hz_max = rates[rate_n - 1];
    }
    free(rates);
    if (sw->rtt_count == 0) /* a short run: the bots' final estimates */
        for (int i = 0; i < n; i++) {
            swarm_bot *b = &sw->bots[i];
            if (b->conn && b->conn->state == CONN_IN_GAME) rtt_add(sw, b->conn->rtt_ms);
        }
    res->rtt_samples = sw->rtt_count;
    res->rtt_median = hist_quantile(sw->rtt_hist, RTT_BUCKETS, sw->rtt_count, 0.5);
    res->rtt_p99 = hist_quantile(sw->rtt_hist, RTT_BUCKETS, sw->rtt_count, 0.99);
    res->rtt_max = hist_quantile(sw->rtt_hist, RTT_BUCKETS, sw->rtt_count, 1.0);
}

/* A datagram on the shared socket for bot `index`: its turn, at once (as
 * a bot's own socket with data would have had). */
static void deliver(void *ctx, int index) {
    swarm *sw = ctx;
    if (index < sw->cfg->bots && sw->bots[index].phase == BOT_RUNNING) turn(sw, index, clock_now(), true);
}

bool swarm_run(const swarm_config *cfg, swarm_result *res, FILE *progress, char *err, size_t err_cap) {
    memset(res, 0, sizeof *res);
    res->bots = cfg->bots;
    swarm *sw = calloc(1, sizeof *sw);
    if (!sw) {
        snprintf(err, err_cap, "out of memory");
        return false;
    }
    sw->cfg = cfg;
    sw->res = res;
    sw->bots = calloc((size_t)cfg->bots, sizeof *sw->bots);
    sw->heap = calloc((size_t)cfg->bots, sizeof *sw->heap);
    sw->ready = calloc((size_t)cfg->bots, sizeof *sw->ready);
    sw->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!sw->bots || !sw->heap || !sw->ready || sw->epfd < 0) {
        if (sw->bots && sw->heap && sw->ready) snprintf(err, err_cap, "epoll: %s", strerror(errno));
        else snprintf(err, err_cap, "out of memory for %d bots", cfg->bots);
        if (sw->epfd >= 0) close(sw->epfd);
        free(sw->bots);
        free(sw->heap);
        free(sw->ready);
        free(sw);
        return false;
    }
    for (int i = 0; i < cfg->bots; i++) {
        sw->bots[i].fd = -1;
        sw->bots[i].heap_at = -1;
    }
    log_set_level(cfg->verbose ? LOG_LEVEL_INFO : LOG_LEVEL_ERROR);
    /* A server on loopback: every bot on the one shared socket (cl_wire.h). */
    ENetAddress server;
    char why[300];
    if (net_parse_address(cfg->connect, CL_DEFAULT_PORT, &server, why, sizeof why)) {
        if (wire_open(&server, cfg->bots, WIRE_BUFFER_BYTES, why, sizeof why)) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = WIRE_TAG};
            if (epoll_ctl(sw->epfd, EPOLL_CTL_ADD, wire_fd(), &ev) != 0) {
                fprintf(stderr, "botswarm: WARNING: epoll on the shared socket: %s; one socket per bot\n",
                        strerror(errno));
                wire_close();
            }
        } else if (why[0]) {
            fprintf(stderr, "botswarm: WARNING: no shared socket (%s); one socket per bot\n", why);
        }
    }
    res->shared_socket = wire_active();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    long rss0 = rss_now_kb();
    wire_stats io0, io1;
    wire_get_stats(&io0);
    bool wire_ready = false;
    double user0, sys0, user1, sys1;
    double t0 = clock_now(), cpu0 = cpu_split(&user0, &sys0);
    double last_start_at = 0, steady_at = 0, steady_cpu = 0, next_rtt_at = t0 + 1.0;
    long in_game_sum = 0, in_game_samples = 0; /* bots in the game, sampled each second of the steady window */
    double next_progress = cfg->progress_s > 0 ? t0 + cfg->progress_s : INFINITY;
    progress_mark mark = {t0, cpu0};
    bool header = true;
    int next_start = 0;
    double now = t0;
    while (!stop_requested) {
        now = clock_now();
        if (now - t0 >= cfg->duration) break;
        while (next_start < cfg->bots && now >= t0 + next_start / cfg->connect_rate) {
            start_bot(sw, next_start++, now);
            if (next_start == cfg->bots) last_start_at = now;
        }
        /* The bots whose tick is due (with their data, if any), then the
         * others with data. The clock is read again after each turn (a turn
         * takes a while), not for each bot. */
        double at = now;
        while (sw->heap_n > 0 && sw->bots[sw->heap[0]].next_at <= at) {
            int i = sw->heap[0];
            turn(sw, i, at, sw->bots[i].ready);
            at = clock_now();
        }
        if (wire_ready) {
            wire_drain(deliver, sw, WIRE_DRAIN_BATCHES);
            wire_ready = false;
        }
        for (int k = 0; k < sw->ready_n; k++) {
            swarm_bot *b = &sw->bots[sw->ready[k]];
            if (!b->ready) continue; /* (its tick came first) */
            if (b->phase == BOT_RUNNING) {
                turn(sw, sw->ready[k], at, true);
                at = clock_now();
            }
            b->ready = false;
        }
        sw->ready_n = 0;
        double wake = next_start < cfg->bots ? t0 + next_start / cfg->connect_rate : t0 + cfg->duration;
        if (sw->heap_n > 0 && sw->bots[sw->heap[0]].next_at < wake) wake = sw->bots[sw->heap[0]].next_at;
        now = clock_now();
        if (now >= next_rtt_at) { /* once a second: every settled bot's round trip, and who is in */
            next_rtt_at += 1.0;
            int in_game = 0;
            for (int i = 0; i < next_start; i++) {
                swarm_bot *b = &sw->bots[i];
                if (b->phase != BOT_RUNNING || b->conn->state != CONN_IN_GAME) continue;
                in_game++;
                if (!b->dropped && now - b->joined >= RTT_AFTER_S) rtt_add(sw, b->conn->rtt_ms);
            }
            if (steady_at > 0) {
                in_game_sum += in_game;
                in_game_samples++;
            }
        }
        if (last_start_at > 0 && steady_at == 0 && now - last_start_at >= STEADY_AFTER_S) {
            steady_at = now;
            steady_cpu = cpu_seconds();
        }
        if (progress && now >= next_progress) {
            progress_line(sw, progress, t0, now, &mark, header);
            header = false;
            next_progress += cfg->progress_s;
        }
        if (next_progress < wake) wake = next_progress;
        if (next_rtt_at < wake) wake = next_rtt_at;
        int timeout = wake <= now ? 0 : (int)ceil((wake - now) * 1000.0);
        if (timeout > 100) timeout = 100;
        wire_flush(); /* the bots' datagrams of this pass */
        int n = epoll_wait(sw->epfd, sw->events, EVENTS_MAX, timeout);
        res->wakeups++;
        for (int k = 0; k < n; k++) {
            uint32_t i = sw->events[k].data.u32;
            if (i == WIRE_TAG) wire_ready = true;
            if (i < (uint32_t)cfg->bots && !sw->bots[i].ready) {
                sw->bots[i].ready = true;
                sw->ready[sw->ready_n++] = (int)i;
            }
        }
    }
    double t_end = clock_now(), cpu_end = cpu_split(&user1, &sys1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    res->wall_s = t_end - t0;
    res->cpu_s = cpu_end - cpu0;
    res->cpu_user_s = user1 - user0;
    res->cpu_sys_s = sys1 - sys0;
    res->cpu_percent = res->wall_s > 0 ? res->cpu_s / res->wall_s * 100.0 : 0.0;
    res->cpu_percent_steady = -1.0;
    double per_bot_cpu = res->cpu_s, per_bot_wall = res->wall_s;
    if (steady_at > 0 && t_end - steady_at >= 1.0) {
        res->cpu_percent_steady = (cpu_end - steady_cpu) / (t_end - steady_at) * 100.0;
        per_bot_cpu = cpu_end - steady_cpu;
        per_bot_wall = t_end - steady_at;
    }
    res->cpu_us_per_bot_s =
        res->started > 0 && per_bot_wall > 0 ? per_bot_cpu / per_bot_wall / res->started * 1e6 : 0.0;
    res->in_game_avg = in_game_samples > 0 ? (double)in_game_sum / (double)in_game_samples : -1.0;
    res->cpu_us_per_in_game_bot_s = res->cpu_percent_steady >= 0 && res->in_game_avg > 0
                                        ? res->cpu_percent_steady / 100.0 / res->in_game_avg * 1e6
                                        : -1.0;
    wire_get_stats(&io1);
    res->socket_reads = io1.reads - io0.reads;
    res->datagrams_read = io1.datagrams_in - io0.datagrams_in;
    res->socket_writes = io1.writes - io0.writes;
    res->datagrams_sent = io1.datagrams_out - io0.datagrams_out;
    res->strays = io1.strays - io0.strays;
    res->send_failures = io1.send_failures - io0.send_failures;
    res->rss_kb = ru.ru_maxrss;
    res->rss_kb_per_bot = res->started > 0 ? (ru.ru_maxrss - rss0) / res->started : 0;
    if (progress && cfg->progress_s > 0) progress_line(sw, progress, t0, t_end, &mark, header);
    summarise(sw, t_end);

    leave_all(sw);
    for (int i = 0; i < cfg->bots; i++)
        if (sw->bots[i].conn) {
            if (sw->bots[i].conn->host) wire_forget(sw->bots[i].conn->host->socket);
            cl_conn_free(sw->bots[i].conn);
            conn_release(sw->bots[i].conn);
        }
    wire_close();
    close(sw->epfd);
    free(sw->bots);
    free(sw->heap);
    free(sw->ready);
    free(sw);
    return true;
}

static void print_value(FILE *out, const char *key, double v, int decimals) { /* v < 0: null */
    fprintf(out, ",\"%s\":", key);
    if (v < 0) fputs("null", out);
    else fprintf(out, "%.*f", decimals, v);
}

void swarm_print_json(FILE *out, const swarm_result *r) {
    fprintf(out, "{\"bots\":%d,\"connected\":%d,\"ever_connected\":%d,\"failed\":%d,\"lost\":%d,\"resumed\":%d", r->bots,
            r->connected, r->ever_connected, r->failed, r->lost, r->resumed);
    print_value(out, "snapshot_hz", r->snapshot_hz, 2);
    print_value(out, "snapshot_hz_min", r->snapshot_hz_min, 2);
    print_value(out, "snapshot_hz_max", r->snapshot_hz_max, 2);
    print_value(out, "rtt_ms_median", r->rtt_median, 0);
    print_value(out, "rtt_ms_p99", r->rtt_p99, 0);
    print_value(out, "rtt_ms_max", r->rtt_max, 0);
    fprintf(out, ",\"cpu_percent\":%.1f", r->cpu_percent);
    print_value(out, "cpu_percent_steady", r->cpu_percent_steady, 1);
    print_value(out, "in_game_avg", r->in_game_avg, 1);
    print_value(out, "cpu_us_per_in_game_bot_s", r->cpu_us_per_in_game_bot_s, 0);
    fprintf(out,
            ",\"cpu_us_per_bot_s\":%.0f,\"rss_kb\":%ld,\"rss_kb_per_bot\":%ld,\"duration_s\":%.2f,\"started\":%d,"
            "\"left_confirmed\":%d,\"snapshots\":%llu,\"interruptions\":%llu,\"bad_packets\":%llu,"
            "\"snapshots_no_baseline\":%llu,\"corrections\":%llu,\"shared_socket\":%s}\n",
            r->cpu_us_per_bot_s, r->rss_kb, r->rss_kb_per_bot, r->wall_s, r->started, r->left_confirmed,
            (unsigned long long)r->snapshots, (unsigned long long)r->interruptions,
            (unsigned long long)r->bad_packets, (unsigned long long)r->no_baseline,
            (unsigned long long)r->corrections, r->shared_socket ? "true" : "false");
    fflush(out);
}

static void row(FILE *out, const char *label, const char *fmt, ...) LOG_PRINTF(3, 4);
static void row(FILE *out, const char *label, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(out, "  %-22s ", label);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    va_end(ap);
}

void swarm_print_table(FILE *out, const swarm_config *cfg, const swarm_result *r) {
    fprintf(out, "botswarm: %d bots against %s, %.1f s\n", r->bots, cfg->connect, r->wall_s);
    row(out, "connected to the end", "%d", r->connected);
    row(out, "ever connected", "%d", r->ever_connected);
    row(out, "failed to join", "%d", r->failed);
    row(out, "lost after joining", "%d (%d back in at the end)", r->lost, r->resumed);
    for (int i = 0; i < r->reason_count; i++) row(out, "", "%4d  %s", r->reasons[i].count, r->reasons[i].text);
    if (r->snapshot_hz >= 0)
        row(out, "snapshots per second", "median %.1f, min %.1f, max %.1f (%d bots)", r->snapshot_hz,
            r->snapshot_hz_min, r->snapshot_hz_max, r->rate_bots);
    else
        row(out, "snapshots per second", "-");
    if (r->rtt_median >= 0)
        row(out, "round trip (ms)", "median %.0f, p99 %.0f, max %.0f (%llu samples)", r->rtt_median, r->rtt_p99,
            r->rtt_max, (unsigned long long)r->rtt_samples);
    else
        row(out, "round trip (ms)", "-");
    row(out, "interruptions", "%llu", (unsigned long long)r->interruptions);
    row(out, "bad packets", "%llu", (unsigned long long)r->bad_packets);
    row(out, "swarm CPU", "%.1f%% of a core (%.2f s: user %.2f, system %.2f)", r->cpu_percent, r->cpu_s,
        r->cpu_user_s, r->cpu_sys_s);
    if (r->cpu_percent_steady >= 0) row(out, "swarm CPU, all started", "%.1f%% of a core", r->cpu_percent_steady);
    row(out, "CPU per bot", "%.0f us per second", r->cpu_us_per_bot_s);
    if (r->in_game_avg >= 0)
        row(out, "... per bot in the game", "%.0f us per second (%.1f in the game on average, all started)",
            r->cpu_us_per_in_game_bot_s, r->in_game_avg);
    row(out, "loop wake-ups", "%.0f per second", r->wall_s > 0 ? (double)r->wakeups / r->wall_s : 0.0);
    row(out, "sockets", "%s", r->shared_socket ? "one shared (127.1.x.y per bot)" : "one per bot");
    row(out, "socket reads", "%llu for %llu datagrams", (unsigned long long)r->socket_reads,
        (unsigned long long)r->datagrams_read);
    row(out, "socket writes", "%llu for %llu datagrams", (unsigned long long)r->socket_writes,
        (unsigned long long)r->datagrams_sent);
    if (r->strays) row(out, "stray datagrams", "%llu (not from the server, dropped)", (unsigned long long)r->strays);
    if (r->send_failures)
        row(out, "refused sends", "%llu datagrams the kernel refused, dropped", (unsigned long long)r->send_failures);
    row(out, "memory", "%ld KB peak resident, %ld KB per bot", r->rss_kb, r->rss_kb_per_bot);
    row(out, "left cleanly", "%d confirmed by the server", r->left_confirmed);
    fflush(out);
}
