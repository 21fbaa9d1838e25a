/* sv_server.c - server start-up, the fixed-timestep loop, the tick, shutdown. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "sv_server.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assets.h"
#include "log.h"
#include "sv_batchio.h"
#include "sv_combat.h"
#include "sv_console.h"
#include "sv_guard.h"
#include "sv_match.h"
#include "sv_pool.h"

static sv_stats_net host_counters(const ENetHost *h);

static void close_stats_file(server *s) {
    if (s->stats_file) fclose(s->stats_file);
    s->stats_file = NULL;
}

bool sv_server_init(server *s, const sv_config *cfg, char *err, size_t err_cap) {
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    if (cfg->stats_path[0]) { /* first, so that a bad path fails before anything else is set up */
        s->stats_file = fopen(cfg->stats_path, "w");
        if (!s->stats_file) {
            snprintf(err, err_cap, "cannot open the --stats file %s: %s", cfg->stats_path, strerror(errno));
            return false;
        }
        setvbuf(s->stats_file, NULL, _IOLBF, 0);
    }
    if (!sv_match_init(s, err, err_cap)) {
        close_stats_file(s);
        free(s->map_text);
        map_free(&s->map);
        return false;
    }
    s->clients = calloc((size_t)cfg->max_players + SV_MAX_HANDSHAKES, sizeof *s->clients);
    if (!s->clients || !sv_snapshot_alloc(s, sv_config_threads(cfg, sv_workers_cpus())) ||
        !lag_history_init(&s->lag, cfg->max_players)) {
        snprintf(err, err_cap, "out of memory for %d players", cfg->max_players);
        goto fail;
    }
    if (sv_pool_install_enet() != 0) { /* ENet allocates from sv_pool: no malloc per tick */
        snprintf(err, err_cap, "ENet failed to initialise");
        goto fail;
    }
    /* ENet's per-peer commands, acknowledgements and packet structs (the
     * 64- and 96-byte classes) come and go in bursts of several per peer
     * (a round of pings, a broadcast): room for 32 of each per slot. */
    sv_pool_reserve(96, 32 * (size_t)cfg->max_players);
    sv_pool_reserve(64, 32 * (size_t)cfg->max_players);
    ENetAddress addr = {.host = ENET_HOST_ANY, .port = cfg->port};
    s->host = enet_host_create(&addr, (size_t)cfg->max_players + SV_SPARE_PEERS + SV_GUARD_EXTRA_PEERS,
                              PROTO_CHANNEL_COUNT, 0, 0);
    if (!s->host) {
        snprintf(err, err_cap, "cannot listen on UDP port %u (in use, or not permitted)", cfg->port);
        enet_deinitialize();
        goto fail;
    }
    net_host_limits(s->host);
    int rcvbuf = net_host_buffers(s->host, SV_SOCKET_BUFFER_BYTES);
    if (rcvbuf < SV_SOCKET_BUFFER_BYTES && cfg->max_players > 64) /* Linux reports twice what it books */
        log_warn("UDP receive buffer %d KiB, asked for %d KiB: bursts from %d players may overflow it "
                 "(raise net.core.rmem_max, or run as root)", rcvbuf / 1024, SV_SOCKET_BUFFER_BYTES / 1024,
                 cfg->max_players);
    s->port = net_host_port(s->host);
    sv_batchio_attach(s->host->socket); /* its datagrams in batches: sv_batchio.c */
    if (sv_config_send_thread(cfg, sv_workers_cpus()) && !sv_batchio_start_sender())
        log_warn("could not start the sender thread: sending on the main thread");
    sv_discovery_init(&s->discovery);
    if (cfg->discovery_port != 0) {
        char derr[256];
        if (!sv_discovery_open(&s->discovery, cfg->discovery_port, derr, sizeof derr))
            log_warn("%s: running without LAN discovery", derr);
    }
    ticker_init(&s->clock, cfg->tick_rate, SV_MAX_CATCHUP_TICKS);
    s->last_stats_at = clock_now();
    s->last_log_at = s->last_stats_at; /* the first stats lines come SV_STATS_LOG_SECONDS in */
    sv_stats_net net0 = host_counters(s->host);
    sv_stats_init(&s->stats, s->last_stats_at, clock_cpu_seconds(), &net0);
    return true;
fail:
    close_stats_file(s);
    lag_history_free(&s->lag);
    free(s->map_text);
    if (s->clients) sv_snapshot_free(s);
    free(s->clients);
    map_free(&s->map);
    return false;
}

/* True when snapshots are due on `tick`: spreads snapshot_rate sends
 * evenly over tick_rate ticks. */
static bool snapshot_due(const server *s, uint32_t tick) {
    return proto_snapshot_seq(tick, s->cfg.snapshot_rate, s->cfg.tick_rate) !=
           proto_snapshot_seq(tick - 1, s->cfg.snapshot_rate, s->cfg.tick_rate);
}

static int snapshot_turns(const server *s) {
    return s->cfg.tick_rate % s->cfg.snapshot_rate == 0 ? s->cfg.tick_rate / s->cfg.snapshot_rate : 1;
}

static bool snapshots_on(const server *s, uint32_t tick) { return snapshot_turns(s) > 1 || snapshot_due(s, tick); }

/* Sends this tick's snapshots. When the tick rate is a multiple k > 1 of
 * the snapshot rate, the clients take turns: slot i gets its snapshots on
 * the ticks with (tick + i) % k == 0, so each tick builds and sends 1/k of
 * them instead of all of them every k-th tick (the frame's worst case
 * shrinks k times). Each client still gets one every k ticks, and
 * proto_snapshot_seq of those ticks still counts up by one, as the client
 * expects. Otherwise everyone on the ticks snapshot_due picks. */
static void send_snapshots(server *s) {
    int k = snapshot_turns(s);
    if (k > 1) sv_snapshot_send(s, k, (int)((uint32_t)(k - (int)(s->tick % (uint32_t)k)) % (uint32_t)k));
    else if (snapshot_due(s, s->tick)) sv_snapshot_send_all(s);
}

/* Wakes the snapshot helpers ahead of tick `tick` if it sends snapshots
 * and the last round had anyone to send them to (an empty server stays
 * idle) (sv_workers.h), once per tick. Not the sender thread: on two processors
 * it would only find the helper's or the main thread's processor to spin
 * on (measured: it gave up nine times in ten and the send phase got
 * longer). */
static bool helpers_to_prepare(const server *s, uint32_t tick) {
    return s->workers.threads > 1 && s->prepared_tick != tick && s->snap_round_players > 0;
}

static void prepare_helpers(server *s, uint32_t tick) {
    if (!helpers_to_prepare(s, tick)) return;
    s->prepared_tick = tick;
    if (snapshots_on(s, tick)) sv_workers_prepare(&s->workers);
}

static void log_client_stats(const server *s, const sv_client *c, double span) {
    log_info("stats player %d '%s': rtt %u ms, input loss %u%%, down %.0f B/s, up %.0f B/s, "
             "bad packets %u, full snapshots %u, input repeats %u, input dropped %u, queued %u",
             sv_client_id(s, c), c->name, c->peer->roundTripTime, c->up_loss_pct, (double)c->bytes_down / span,
             (double)c->bytes_up / span, c->bad_packets, c->full_snapshots, c->input.repeated, c->input.dropped,
             c->input.count);
}

/* A player an operator of a large game wants a line about: bad packets, or
 * a tenth of its inputs lost. */
static bool in_trouble(const sv_client *c) { return c->bad_packets > 0 || c->up_loss_pct >= 10; }

/* Large games: one line for everyone every SV_STATS_LOG_SECONDS (round trip
 * median and max, input loss, bytes, kills) instead of a line per player
 * (at 1000 players, 100 lines a second), plus lines for the first
 * SV_STATS_LOG_WORST players in trouble. */
static void log_game_stats(server *s, double span, double since_log) {
    enum { RTT_BUCKETS = 1024 };
    uint16_t rtt_count[RTT_BUCKETS];
    memset(rtt_count, 0, sizeof rtt_count);
    int n = 0, troubled = 0, shown = 0;
    unsigned rtt_max = 0, loss_max = 0;
    double loss_sum = 0, down = 0, up = 0;
    uint64_t bad = 0;
    for (int i = 0; i < s->cfg.max_players; i++) {
        const sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING) continue;
        unsigned rtt = c->peer->roundTripTime;
        rtt_count[rtt < RTT_BUCKETS ? rtt : RTT_BUCKETS - 1]++;
        if (rtt > rtt_max) rtt_max = rtt;
        if (c->up_loss_pct > loss_max) loss_max = c->up_loss_pct;
        loss_sum += c->up_loss_pct;
        down += (double)c->bytes_down;
        up += (double)c->bytes_up;
        bad += c->bad_packets;
        n++;
        if (in_trouble(c)) {
            troubled++;
            if (shown < SV_STATS_LOG_WORST) {
                log_client_stats(s, c, span);
                shown++;
            }
        }
    }
    unsigned rtt_median = 0;
    for (int seen = 0; rtt_median < RTT_BUCKETS; rtt_median++)
        if ((seen += rtt_count[rtt_median]) * 2 >= n) break;
    log_info("stats game: %d players, rtt median %u ms, max %u ms, input loss mean %.1f%% max %u%%, "
             "down %.0f B/s, up %.0f B/s per player, bad packets %llu, %d in trouble (lines for %d), "
             "%u kills in %.0f s",
             n, rtt_median, rtt_max, n ? loss_sum / n : 0.0, loss_max, n ? down / span / n : 0.0,
             n ? up / span / n : 0.0, (unsigned long long)bad, troubled, shown, s->kills_since_log, since_log);
}

/* Once a second: each client's input loss; every SV_STATS_LOG_SECONDS (or
 * when asked) a log line per client with round trip, loss and bytes/s (in a
 * large game one for the game, see log_game_stats). */
static void update_stats(server *s, double now, bool log_now) {
    if (now - s->last_stats_at < 1.0 && !log_now) return;
    double span = now - s->last_stats_at;
    s->last_stats_at = now;
    bool log_lines = log_now || now - s->last_log_at >= SV_STATS_LOG_SECONDS;
    double since_log = now - s->last_log_at;
    if (log_lines) s->last_log_at = now;
    uint32_t min_expected = 20u / (uint32_t)sv_config_input_every(&s->cfg); /* input packets a second, at least */
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state == SLOT_PLAYING) seqwin_take_loss(&c->input_seq, min_expected, &c->up_loss_pct);
    }
    if (log_lines && span > 0) {
        if (sv_clients_large_game(s)) log_game_stats(s, span, since_log);
        else
            for (int i = 0; i < s->cfg.max_players; i++)
                if (s->clients[i].state == SLOT_PLAYING) log_client_stats(s, &s->clients[i], span);
        s->kills_since_log = 0;
    }
    for (int i = 0; i < s->cfg.max_players; i++) s->clients[i].bytes_down = s->clients[i].bytes_up = 0;
}

void sv_server_tick(server *s) {
    double t_sim = clock_now(); /* timing for sv_stats: simulate, then snapshots */
    float dt = 1.0f / (float)s->cfg.tick_rate;
    s->tick++;
    /* if the loop did not already wake the helper threads ahead of this
     * tick (a tick run late, to catch up), now: they get ready while this
     * thread simulates */
    prepare_helpers(s, s->tick);
    sv_match_tick(s);
    bool frozen = sv_match_frozen(s); /* intermission: players coast to a stop, nobody fires */
    if (!frozen) sv_combat_begin_tick(s);
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING) continue;
        bool fresh;
        c->cmd = sv_input_take(&c->input, &fresh);
        if (fresh) c->last_cmd_tick = c->cmd.tick;
        else c->cmd.buttons &= (uint8_t)~(BTN_FIRE | BTN_FIRE2); /* a repeated command never fires again */
        if (frozen) c->cmd.buttons = 0;
        sim_player_step(&s->map, &c->ps, &c->cmd, dt);
    }
    if (!frozen) sv_combat_after_move(s);
    double t_snap = clock_now();
    s->stats.tick_sim = t_snap - t_sim;
    send_snapshots(s);
    s->stats.tick_snap = clock_now() - t_snap;
}

static void handle_event(server *s, const ENetEvent *ev) {
    switch (ev->type) {
    case ENET_EVENT_TYPE_CONNECT: sv_clients_on_connect(s, ev->peer, ev->data, clock_now()); break;
    case ENET_EVENT_TYPE_DISCONNECT: sv_clients_on_disconnect(s, ev->peer, ev->data, clock_now()); break;
    case ENET_EVENT_TYPE_RECEIVE:
        sv_clients_on_receive(s, ev->peer, ev->packet->data, ev->packet->dataLength, ev->channelID, clock_now());
        enet_packet_destroy(ev->packet);
        break;
    case ENET_EVENT_TYPE_NONE: break;
    }
}

/* Waits for traffic until the next tick is due, then services ENet once
 * without waiting and drains what is queued.
 *
 * Pacing: enet_host_service walks every peer (twice) whatever arrived, and
 * the connection guard walks them all too, so servicing each datagram as it
 * lands costs O(peers) per datagram: at 780 players and 14000 datagrams a
 * second that was most of the frame. So services are at least
 * SV_SERVICE_MIN_INTERVAL apart (what arrives meanwhile waits at most that
 * long, and is read in one batch), and the guard runs at most every
 * SV_GUARD_POLL_INTERVAL (its limits are in seconds).
 *
 * Timing for sv_stats: enet_host_service(host, ev, timeout) would mix the
 * idle wait with the work of reading datagrams, so the two are split. The
 * wait (enet_socket_wait, as enet_host_service does it) is idle and not
 * counted. Before it, enet_host_flush sends what was queued since the last
 * tick (replies, scores, chat): counted as send. After it, the
 * non-blocking service (recvfrom, ENet's protocol handling and its acks)
 * and our handling of every event (decode, validate, queue inputs) are
 * counted as receive, when it read a datagram or gave an event: a service
 * that found nothing is as idle as the wait. Both are charged to
 * the next tick. */
static void sleep_for(double seconds) {
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL); /* a signal cuts it short: fine */
}

static void pump(server *s, double timeout) {
    if (timeout > 0.0) {
        double t0 = clock_now();
        sv_batchio_begin();
        enet_host_flush(s->host);
        sv_batchio_end();
        sv_stats_add_pending(&s->stats, SV_PHASE_SEND, clock_now() - t0);
        double pause = s->last_service_at + SV_SERVICE_MIN_INTERVAL - clock_now();
        /* Paced, or less than the socket wait's millisecond to go before a
         * tick: sleep it out (not spin through it servicing ENet). */
        if (pause > 0.0 || timeout < 0.001) sleep_for(pause > 0.0 && pause < timeout ? pause : timeout);
        else if (sv_batchio_pending() == 0) { /* datagrams read ahead: no waiting for the socket */
            enet_uint32 cond = ENET_SOCKET_WAIT_RECEIVE | ENET_SOCKET_WAIT_INTERRUPT;
            /* a signal or an error: service anyway */
            (void)enet_socket_wait(s->host->socket, &cond, (enet_uint32)(timeout * 1000.0));
        }
    }
    double t_recv = clock_now();
    enet_uint32 datagrams = s->host->totalReceivedPackets;
    ENetEvent ev;
    sv_batchio_begin(); /* acknowledgements and pings sent while servicing go out together */
    /* One service reads at most 256 datagrams (ENet's own cap): while one
     * reads many, there is a backlog, and another service goes on at once
     * instead of after the pacing pause (at 1000 players a tick's 1000
     * inputs would otherwise wait for the next tick, and queue up). */
    int r = 0;
    bool busy = false;
    for (int round = 0; round < SV_SERVICE_MAX_ROUNDS; round++) {
        enet_uint32 before = s->host->totalReceivedPackets;
        r = enet_host_service(s->host, &ev, 0);
        busy |= r != 0 || s->host->totalReceivedPackets != datagrams;
        while (r > 0) {
            handle_event(s, &ev);
            r = enet_host_check_events(s->host, &ev);
        }
        if (r < 0 || s->host->totalReceivedPackets - before < SV_SERVICE_BACKLOG) break;
    }
    double after = clock_now();
    s->last_service_at = after;
    if (after - s->last_guard_at >= SV_GUARD_POLL_INTERVAL) {
        s->last_guard_at = after;
        sv_guard_poll(s->host, after); /* half-open and lingering peers: the oldest go */
    }
    sv_batchio_end();
    if (busy) sv_stats_add_pending(&s->stats, SV_PHASE_RECV, clock_now() - t_recv);
    if (r < 0) log_warn("enet_host_service failed (a send was refused); continuing");
}

static sv_stats_net host_counters(const ENetHost *h) {
    return (sv_stats_net){.bytes_in = h->totalReceivedData, .bytes_out = h->totalSentData,
                          .packets_in = h->totalReceivedPackets, .packets_out = h->totalSentPackets};
}

/* Once a second: the performance report (console status), written as one
 * JSON line when --stats is on. A write error closes the file, logged. */
static void report_perf(server *s, double now) {
    if (now - s->stats.period_start < 1.0) return;
    int players = 0;
    for (int i = 0; i < s->cfg.max_players; i++) players += s->clients[i].state == SLOT_PLAYING;
    sv_stats_net net = host_counters(s->host);
    const sv_stats_report *r =
        sv_stats_report_now(&s->stats, now, clock_cpu_seconds(), &net, s->tick, players, s->clock.dropped);
    if (!s->stats_file) return;
    char line[1024];
    if (sv_stats_format_json(r, line, sizeof line) < 0) return;
    if (fprintf(s->stats_file, "%s\n", line) < 0 || fflush(s->stats_file) != 0) {
        log_warn("cannot write the --stats file %s: %s; no more lines", s->cfg.stats_path, strerror(errno));
        close_stats_file(s);
    }
}

/* Answers waiting LAN discovery queries: never blocks, bounded per call. */
static void poll_discovery(server *s, double now) {
    if (!s->discovery.open) return;
    sv_discovery_info info = {.name = s->cfg.name, .map = s->map.name, .game_port = s->port,
                              .players = (uint16_t)sv_clients_occupied(s), .max_players = (uint16_t)s->cfg.max_players};
    sv_discovery_poll(&s->discovery, &info, now);
}

/* One turn of the loop: the ticks due (each flushed at once), timers,
 * scores, discovery, stats, then ENet serviced, waiting for traffic until
 * the next tick is due but at most max_wait_ms. */
void sv_server_step(server *s, uint32_t max_wait_ms, bool log_stats) {
    double now = clock_now();
    int due = ticker_advance(&s->clock, now);
    for (int i = 0; i < due; i++) {
        double t_tick = clock_now();
        sv_server_tick(s);
        double t_send = clock_now(); /* send each tick's snapshots now, timed apart from the pump */
        sv_batchio_begin();
        enet_host_flush(s->host);
        sv_batchio_end();
        sv_stats_record_tick(&s->stats, t_tick, s->stats.tick_sim, s->stats.tick_snap, clock_now() - t_send);
    }
    if (s->clock.dropped != s->reported_dropped) {
        log_warn("server fell behind: skipped %llu ticks instead of bursting",
                 (unsigned long long)(s->clock.dropped - s->reported_dropped));
        s->reported_dropped = s->clock.dropped;
    }
    sv_clients_check_timers(s, now);
    if (now - s->last_scores_at >= SV_SCORE_PING_INTERVAL) { /* pings change */
        s->last_scores_at = now;
        /* every player's row to every player: N x N reliable messages, so
         * large games refresh pings only when scores change */
        if (!sv_clients_large_game(s)) sv_combat_send_scores(s, NULL);
    }
    if (now - s->last_leaders_at >= SV_LEADER_INTERVAL) { /* large games: kill news reaches witnesses only */
        s->last_leaders_at = now;
        if (sv_clients_large_game(s)) sv_combat_send_leaders(s);
    }
    if (s->join_news_waiting > 0 && now - s->last_join_news_at >= SV_JOIN_NEWS_INTERVAL) {
        s->last_join_news_at = now;
        sv_clients_send_join_news(s);
    }
    poll_discovery(s, now);
    update_stats(s, now, log_stats);
    report_perf(s, now);
    double wait = ticker_wait(&s->clock, clock_now());
    /* The snapshot helpers are woken SV_PREPARE_LEAD before the next tick,
     * while this thread is idle: they are spinning when their share comes,
     * and the wake-up (tens of microseconds of this thread's time on some
     * machines) is not in the tick. The wait stops short for it. */
    if (helpers_to_prepare(s, s->tick + 1)) {
        if (wait <= SV_PREPARE_LEAD) prepare_helpers(s, s->tick + 1);
        else wait -= SV_PREPARE_LEAD;
    }
    pump(s, wait < max_wait_ms / 1000.0 ? wait : max_wait_ms / 1000.0);
}

void sv_server_run(server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *stats_request) {
    sv_console console;
    sv_console_init(&console);
    while (!*stop) {
        sv_console_poll(&console, s, stop);
        if (*stop) break;
        bool log_stats = *stats_request != 0;
        *stats_request = 0;
        sv_server_step(s, UINT32_MAX, log_stats);
    }
}

static int live_peers(const ENetHost *h) {
    int n = 0;
    for (size_t i = 0; i < h->peerCount; i++)
        if (h->peers[i].state != ENET_PEER_STATE_DISCONNECTED) n++;
    return n;
}

void sv_server_shutdown(server *s, proto_reason reason) {
    sv_pool_stats ps;
    sv_pool_get_stats(&ps);
    log_info("enet allocator: %llu blocks allocated, %llu from the system (%llu slabs, %llu oversized), "
             "%.1f KiB in slabs", (unsigned long long)ps.allocs, (unsigned long long)ps.system_allocs,
             (unsigned long long)ps.slabs, (unsigned long long)ps.oversized, (double)ps.bytes_held / 1024.0);
    sv_batchio_stats bs;
    sv_batchio_get_stats(&bs);
    char how[96] = "by the main thread";
    if (sv_batchio_threaded())
        snprintf(how, sizeof how, "by a sender thread, and %llu small windows by the main thread while it slept",
                 (unsigned long long)bs.direct_windows);
    log_info("batched UDP: %llu datagrams sent in %llu sendmmsg calls (%s), %llu refused, %llu sent unqueued "
             "(the sender thread was behind); %llu read in %llu recvmmsg calls, %llu oversized dropped",
             (unsigned long long)bs.datagrams_sent, (unsigned long long)bs.send_calls, how,
             (unsigned long long)bs.send_errors,
             (unsigned long long)bs.queue_full, (unsigned long long)bs.datagrams_read,
             (unsigned long long)bs.recv_calls, (unsigned long long)bs.oversized);
    if (s->workers.threads > 1)
        log_info("snapshot threads: %d, %llu rounds: %llu chunks of clients on the main thread, %llu "
                 "on the helpers; helpers woken ahead %llu times spinning when their round came, %llu gave up",
                 s->workers.threads, (unsigned long long)s->workers.jobs,
                 (unsigned long long)s->workers.caller_chunks, (unsigned long long)atomic_load(&s->workers.helper_chunks),
                 (unsigned long long)atomic_load(&s->workers.spins_met),
                 (unsigned long long)atomic_load(&s->workers.spins_missed));
    log_info("totals: bad packets %llu, resumes %llu, resume tokens refused %llu, connections in progress "
             "dropped %llu, input packets over the rate limit %llu",
             (unsigned long long)s->bad_packets_total, (unsigned long long)s->resumes_total,
             (unsigned long long)s->resumes_refused, (unsigned long long)s->handshakes_evicted,
             (unsigned long long)s->input_dropped_total);
    if (s->discovery.open) {
        char stats[200];
        sv_discovery_format_stats(&s->discovery, stats, sizeof stats);
        log_info("discovery: %s", stats);
        sv_discovery_close(&s->discovery);
    }
    if (s->host) {
        for (int i = 0; i < s->cfg.max_players + SV_MAX_HANDSHAKES; i++)
            if (s->clients[i].state != SLOT_FREE) sv_client_drop(s, &s->clients[i], reason);
        double until = clock_now() + 1.0;
        while (live_peers(s->host) > 0 && clock_now() < until) {
            ENetEvent ev;
            if (enet_host_service(s->host, &ev, 20) > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE)
                enet_packet_destroy(ev.packet);
        }
        enet_host_flush(s->host);
        sv_batchio_attach(ENET_SOCKET_NULL);
        enet_host_destroy(s->host);
        s->host = NULL;
        enet_deinitialize();
    }
    sv_snapshot_free(s);
    free(s->clients);
    lag_history_free(&s->lag);
    s->clients = NULL;
    free(s->map_text);
    s->map_text = NULL;
    map_free(&s->map);
    close_stats_file(s);
}
