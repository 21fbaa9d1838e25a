/* sv_server.c - server start-up, the fixed-timestep loop, the tick, shutdown. */
#include "sv_server.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "log.h"

/* "courtyard" -> assets/maps/courtyard.map; anything with a '/' or ending in
 * .map is taken as a path. */
static bool resolve_map(const char *arg, char *path, size_t cap) {
    size_t n = strlen(arg);
    if (strchr(arg, '/') || (n > 4 && strcmp(arg + n - 4, ".map") == 0)) {
        snprintf(path, cap, "%s", arg);
        return true;
    }
    char rel[300];
    snprintf(rel, sizeof rel, "maps/%s.map", arg);
    if (assets_find(rel, path, cap)) return true;
    snprintf(path, cap, "assets/%s", rel);
    return false;
}

bool sv_server_init(server *s, const sv_config *cfg, char *err, size_t err_cap) {
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    char path[1200], map_err[512];
    if (!resolve_map(cfg->map, path, sizeof path)) {
        snprintf(err, err_cap, "map '%s' not found (looked for %s)", cfg->map, path);
        return false;
    }
    if (!map_read_text(path, &s->map_text, &s->map_text_len, map_err, sizeof map_err) ||
        !map_parse(s->map_text, s->map_text_len, &s->map, map_err, sizeof map_err)) {
        snprintf(err, err_cap, "bad map: %s%s%s", s->map_text ? path : "", s->map_text ? ": " : "", map_err);
        free(s->map_text);
        return false;
    }
    s->map_crc32 = msg_crc32(s->map_text, s->map_text_len);
    s->clients = calloc((size_t)cfg->max_players, sizeof *s->clients);
    s->near_scratch = calloc((size_t)cfg->max_players, sizeof *s->near_scratch);
    s->rings = calloc((size_t)cfg->max_players * PROTO_SNAPSHOT_RING, sizeof *s->rings);
    if (!s->clients || !s->near_scratch || !s->rings) {
        snprintf(err, err_cap, "out of memory for %d players", cfg->max_players);
        goto fail;
    }
    if (enet_initialize() != 0) {
        snprintf(err, err_cap, "ENet failed to initialise");
        goto fail;
    }
    ENetAddress addr = {.host = ENET_HOST_ANY, .port = cfg->port};
    s->host = enet_host_create(&addr, (size_t)cfg->max_players + SV_SPARE_PEERS, PROTO_CHANNEL_COUNT, 0, 0);
    if (!s->host) {
        snprintf(err, err_cap, "cannot listen on UDP port %u (in use, or not permitted)", cfg->port);
        enet_deinitialize();
        goto fail;
    }
    net_host_limits(s->host);
    for (int i = 0; i < cfg->max_players; i++) s->clients[i].ring = s->rings + (size_t)i * PROTO_SNAPSHOT_RING;
    s->port = net_host_port(s->host);
    ticker_init(&s->clock, cfg->tick_rate, SV_MAX_CATCHUP_TICKS);
    return true;
fail:
    free(s->map_text);
    free(s->rings);
    free(s->clients);
    free(s->near_scratch);
    map_free(&s->map);
    return false;
}

/* True when snapshots are due on this tick: spreads snapshot_rate sends
 * evenly over tick_rate ticks. */
static bool snapshot_due(const server *s) {
    return proto_snapshot_seq(s->tick, s->cfg.snapshot_rate, s->cfg.tick_rate) !=
           proto_snapshot_seq(s->tick - 1, s->cfg.snapshot_rate, s->cfg.tick_rate);
}

/* Once a second: each client's input loss; every SV_STATS_LOG_SECONDS (or
 * when asked) a log line per client with round trip, loss and bytes/s. */
static void update_stats(server *s, double now, bool log_now) {
    static double last_log;
    if (now - s->last_stats_at < 1.0 && !log_now) return;
    double span = now - s->last_stats_at;
    s->last_stats_at = now;
    bool log_lines = log_now || now - last_log >= SV_STATS_LOG_SECONDS;
    if (log_lines) last_log = now;
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING) continue;
        seqwin_take_loss(&c->input_seq, 20, &c->up_loss_pct);
        if (log_lines && span > 0)
            log_info("stats player %d '%s': rtt %u ms, input loss %u%%, down %.0f B/s, up %.0f B/s, "
                     "bad packets %u, full snapshots %u, input repeats %u, input dropped %u, queued %u",
                     i, c->name, c->peer->roundTripTime, c->up_loss_pct, (double)c->bytes_down / span,
                     (double)c->bytes_up / span, c->bad_packets, c->full_snapshots, c->input.repeated,
                     c->input.dropped, c->input.count);
        c->bytes_down = c->bytes_up = 0;
    }
}

void sv_server_tick(server *s) {
    float dt = 1.0f / (float)s->cfg.tick_rate;
    s->tick++;
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING) continue;
        bool fresh;
        input_cmd cmd = sv_input_take(&c->input, &fresh);
        if (fresh) c->last_cmd_tick = cmd.tick;
        sim_player_step(&s->map, &c->ps, &cmd, dt);
    }
    if (snapshot_due(s)) sv_snapshot_send_all(s);
}

static void handle_event(server *s, const ENetEvent *ev) {
    switch (ev->type) {
    case ENET_EVENT_TYPE_CONNECT: sv_clients_on_connect(s, ev->peer, ev->data, clock_now()); break;
    case ENET_EVENT_TYPE_DISCONNECT: sv_clients_on_disconnect(s, ev->peer, ev->data); break;
    case ENET_EVENT_TYPE_RECEIVE:
        sv_clients_on_receive(s, ev->peer, ev->packet->data, ev->packet->dataLength, ev->channelID, clock_now());
        enet_packet_destroy(ev->packet);
        break;
    case ENET_EVENT_TYPE_NONE: break;
    }
}

/* Services ENet once with the given timeout, then drains what is queued. */
static void pump(server *s, uint32_t timeout_ms) {
    ENetEvent ev;
    int r = enet_host_service(s->host, &ev, timeout_ms);
    while (r > 0) {
        handle_event(s, &ev);
        r = enet_host_check_events(s->host, &ev);
    }
    if (r < 0) log_warn("enet_host_service failed (a send was refused); continuing");
}

void sv_server_run(server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *stats_request) {
    s->last_stats_at = clock_now();
    while (!*stop) {
        double now = clock_now();
        int due = ticker_advance(&s->clock, now);
        for (int i = 0; i < due; i++) sv_server_tick(s);
        if (s->clock.dropped != s->reported_dropped) {
            log_warn("server fell behind: skipped %llu ticks instead of bursting",
                     (unsigned long long)(s->clock.dropped - s->reported_dropped));
            s->reported_dropped = s->clock.dropped;
        }
        sv_clients_check_handshakes(s, now);
        update_stats(s, now, *stats_request != 0);
        *stats_request = 0;
        double wait = ticker_wait(&s->clock, clock_now());
        pump(s, (uint32_t)floor(wait * 1000.0));
    }
}

static int live_peers(const ENetHost *h) {
    int n = 0;
    for (size_t i = 0; i < h->peerCount; i++)
        if (h->peers[i].state != ENET_PEER_STATE_DISCONNECTED) n++;
    return n;
}

void sv_server_shutdown(server *s, proto_reason reason) {
    if (s->host) {
        for (int i = 0; i < s->cfg.max_players; i++)
            if (s->clients[i].state != SLOT_FREE) sv_client_drop(s, &s->clients[i], reason);
        double until = clock_now() + 1.0;
        while (live_peers(s->host) > 0 && clock_now() < until) {
            ENetEvent ev;
            if (enet_host_service(s->host, &ev, 20) > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE)
                enet_packet_destroy(ev.packet);
        }
        enet_host_flush(s->host);
        enet_host_destroy(s->host);
        s->host = NULL;
        enet_deinitialize();
    }
    free(s->clients);
    free(s->near_scratch);
    free(s->rings);
    s->rings = NULL;
    s->clients = NULL;
    s->near_scratch = NULL;
    free(s->map_text);
    s->map_text = NULL;
    map_free(&s->map);
}
