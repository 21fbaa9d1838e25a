/* cl_conn.c - connection state machine, server messages, input sending, and
 * the map grids the connections of one process share (see cl_conn.h). */
#include "cl_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The tile grids of the maps loaded in this process, shared by every
 * connection that loaded the same one (a swarm's bots all play one map:
 * one grid instead of one each). Single-threaded, as the rest. */
#define SHARED_MAPS 4
static struct {
    int refs; /* 0: a free slot */
    int width, height;
    uint8_t *tiles;
} shared_maps[SHARED_MAPS];

/* After map_parse: use the shared grid when it holds the same tiles, else
 * share this one (when a slot is free; else it stays the map's own). */
static void share_map_tiles(cl_conn *c) {
    game_map *m = &c->map;
    int free_slot = -1;
    for (int i = 0; i < SHARED_MAPS; i++) {
        if (shared_maps[i].refs == 0) {
            if (free_slot < 0) free_slot = i;
        } else if (shared_maps[i].width == m->width && shared_maps[i].height == m->height &&
                   memcmp(shared_maps[i].tiles, m->tiles, (size_t)m->width * (size_t)m->height) == 0) {
            free(m->tiles);
            m->tiles = shared_maps[i].tiles;
            shared_maps[i].refs++;
            c->map_shared = true;
            return;
        }
    }
    if (free_slot < 0) return;
    shared_maps[free_slot].refs = 1;
    shared_maps[free_slot].width = m->width;
    shared_maps[free_slot].height = m->height;
    shared_maps[free_slot].tiles = m->tiles;
    c->map_shared = true;
}

/* map_free, letting go of a shared grid (freed with its last user). */
static void free_map(cl_conn *c) {
    for (int i = 0; c->map_shared && i < SHARED_MAPS; i++)
        if (shared_maps[i].refs > 0 && shared_maps[i].tiles == c->map.tiles) {
            if (--shared_maps[i].refs > 0) c->map.tiles = NULL; /* (others still use it) */
            break;
        }
    c->map_shared = false;
    map_free(&c->map);
}

static void set_state(cl_conn *c, conn_state s, double now) {
    c->state = s;
    c->state_since = now;
}

/* Starts an ENet connection to the server, announcing the protocol version
 * (flagged as resuming when we hold a session token). Timeouts are set now;
 * the throttle once connected (ENet sends that setting as a command, which a
 * connecting peer cannot take). False if ENet has no free peer. */
static bool connect_peer(cl_conn *c) {
    c->peer = enet_host_connect(c->host, &c->server_addr, PROTO_CHANNEL_COUNT,
                                c->cfg.protocol_version | (c->have_token ? PROTO_CONNECT_RESUMING : 0));
    if (c->peer) net_peer_timeouts(c->peer, (uint32_t)c->cfg.peer_timeout_ms);
    return c->peer != NULL;
}

bool cl_conn_start(cl_conn *c, const cl_config *cfg, double now, char *err, size_t err_cap) {
    memset(c, 0, sizeof *c);
    return cl_conn_start_zeroed(c, cfg, now, err, err_cap);
}

bool cl_conn_start_zeroed(cl_conn *c, const cl_config *cfg, double now, char *err, size_t err_cap) {
    c->cfg = *cfg;
    if (enet_initialize() != 0) {
        snprintf(err, err_cap, "ENet failed to initialise");
        return false;
    }
    if (!net_parse_address(cfg->connect, CL_DEFAULT_PORT, &c->server_addr, err, err_cap)) {
        enet_deinitialize();
        return false;
    }
    net_format_address(&c->server_addr, c->server_text, sizeof c->server_text);
    c->host = enet_host_create(NULL, 1, PROTO_CHANNEL_COUNT, 0, 0);
    if (!c->host) {
        snprintf(err, err_cap, "cannot open a UDP socket");
        enet_deinitialize();
        return false;
    }
    c->host->maximumPacketSize = PROTO_MAX_PACKET_BYTES;
    c->host->maximumWaitingData = NET_MAX_WAITING_DATA;
    if (cfg->resume_id != PROTO_NO_RESUME) { /* test hook: try someone's slot */
        memcpy(c->token, cfg->resume_token, sizeof c->token);
        c->have_token = true;
        c->session_id = cfg->resume_id;
    }
    if (!connect_peer(c)) {
        snprintf(err, err_cap, "cannot start a connection");
        enet_host_destroy(c->host);
        c->host = NULL;
        enet_deinitialize();
        return false;
    }
    cl_bot_init(&c->bot, cfg->seed ? cfg->seed : cl_bot_hash(cfg->name));
    cl_target_reset(&c->target);
    set_state(c, CONN_CONNECTING, now);
    snprintf(c->status, sizeof c->status, "Connecting to %s ...", c->server_text);
    return true;
}

bool cl_conn_ended(const cl_conn *c) { return c->state >= CONN_FAILED; }

static void bad_packet(cl_conn *c, const char *what, int result) {
    c->bad_packets++;
    if (c->bad_packets <= 5) log_warn("dropped a bad %s from the server (%s)", what, msg_result_text(result));
}

static bool reason_is_refusal(uint32_t reason) {
    uint32_t r = reason & 0xffu;
    return r == PROTO_REASON_VERSION || r == PROTO_REASON_SERVER_FULL || r == PROTO_REASON_HANDSHAKE;
}

const char *cl_conn_disconnect_reason(const cl_conn *c) {
    switch (c->state) {
    case CONN_FAILED: return "could not connect";
    case CONN_REFUSED:
    case CONN_LOST: return c->end_reason_known ? proto_reason_text(c->end_reason) : "timed out";
    default: return NULL;
    }
}

/* After a lost connection: keep the world on screen (frozen) and the
 * roster until the new welcome replaces them, and start reconnect attempts. */
static void start_reconnect(cl_conn *c, double now) {
    if (c->reconnect_until == 0) {
        c->reconnect_until = now + c->cfg.reconnect_s;
        c->attempts = 0;
        log_warn("connection to %s lost: reconnecting for up to %.0f s", c->server_text, c->cfg.reconnect_s);
    }
    if (!c->interrupted) {
        c->interrupted = true;
        c->interrupted_since = c->last_snapshot_at > 0 ? c->last_snapshot_at : now;
        c->interruptions++;
    }
    free(c->map_text); /* a download cut short; the loaded map stays on screen until the new welcome */
    c->map_text = NULL;
    c->resuming = false;
    c->attempt_at = c->attempts == 0 ? now : now + CL_RECONNECT_PAUSE;
    set_state(c, CONN_RECONNECTING, now);
    snprintf(c->status, sizeof c->status, "Connection lost - reconnecting to %s ...", c->server_text);
}

/* A timeout (no reason) after we had joined, with a token to show. */
static bool may_reconnect(const cl_conn *c, uint32_t data) {
    bool session = c->state == CONN_IN_GAME || c->state == CONN_RECONNECTING ||
                   (c->state == CONN_HANDSHAKE && c->joined_at > 0);
    return data == 0 && session && c->have_token && c->cfg.reconnect_s > 0;
}

static void give_up_reconnect(cl_conn *c, double now, const char *why) {
    c->reconnect_until = 0;
    c->end_reason_known = false;
    set_state(c, CONN_LOST, now);
    snprintf(c->status, sizeof c->status, "Connection lost: %s timed out (%s)", c->server_text, why);
    log_info("%s", c->status);
}

/* The connection ended from the other side (or the network). */
static void on_disconnect(cl_conn *c, uint32_t data, double now) {
    c->peer = NULL;
    if (may_reconnect(c, data)) {
        start_reconnect(c, now);
        return;
    }
    if (c->state == CONN_CONNECTING) {
        set_state(c, CONN_FAILED, now);
        snprintf(c->status, sizeof c->status, "Could not connect to %s: no answer", c->server_text);
        return;
    }
    c->end_reason = data;
    c->end_reason_known = data != 0;
    c->reconnect_until = 0;
    if (data != 0 && reason_is_refusal(data)) {
        set_state(c, CONN_REFUSED, now);
        if ((data & 0xffu) == PROTO_REASON_VERSION)
            snprintf(c->status, sizeof c->status,
                     "Refused by %s: version mismatch (server speaks protocol %u, this client %u)", c->server_text,
                     data >> 8, c->cfg.protocol_version);
        else
            snprintf(c->status, sizeof c->status, "Refused by %s: %s", c->server_text, proto_reason_text(data));
    } else {
        set_state(c, CONN_LOST, now);
        if (data == 0) snprintf(c->status, sizeof c->status, "Connection lost: %s timed out", c->server_text);
        else snprintf(c->status, sizeof c->status, "Disconnected: %s", proto_reason_text(data));
    }
    log_info("%s", c->status);
}

/* Reconnect attempts: one at a time, each bounded, until the deadline. */
static void reconnect_step(cl_conn *c, double now) {
    if (c->state != CONN_RECONNECTING) return;
    if (c->peer && now - c->attempt_at > CL_RECONNECT_ATTEMPT) { /* no answer: try again */
        enet_peer_reset(c->peer);
        c->peer = NULL;
        c->attempt_at = now + CL_RECONNECT_PAUSE;
    }
    if (c->peer || now < c->attempt_at) return;
    if (now >= c->reconnect_until) {
        give_up_reconnect(c, now, "could not get back in");
        return;
    }
    if (!connect_peer(c)) { /* have_token holds here (may_reconnect): the resume flag goes along */
        give_up_reconnect(c, now, "cannot start a connection");
        return;
    }
    c->attempt_at = now;
    c->attempts++;
    snprintf(c->status, sizeof c->status, "Connection lost - reconnecting to %s (attempt %u)", c->server_text,
             c->attempts);
}

static void send_rename(cl_conn *c, const char *name) {
    uint8_t buf[64];
    msg_name m;
    snprintf(m.name, sizeof m.name, "%s", name);
    size_t n = msg_encode_rename(buf, sizeof buf, &m);
    if (n && c->peer) net_send(c->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
}

/* The first message: our name, the session to resume if we hold one, and
 * the map we still hold (after a lost connection), so that the server need
 * not send it again. */
static void send_hello(cl_conn *c) {
    uint8_t buf[64];
    msg_hello m = {.resume_id = PROTO_NO_RESUME};
    snprintf(m.name, sizeof m.name, "%s", c->cfg.name);
    if (c->have_token) {
        m.resume_id = c->session_id;
        memcpy(m.token, c->token, sizeof m.token);
    }
    if (c->map_loaded) m.map_crc32 = c->welcome.map_crc32;
    size_t n = msg_encode_hello(buf, sizeof buf, &m);
    if (n && c->peer) net_send(c->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
}

static void start_game(cl_conn *c, double now);

static void on_welcome(cl_conn *c, const uint8_t *data, size_t len, double now) {
    msg_welcome w;
    int r = msg_decode_welcome(data, len, &w);
    /* No map follows only for the one we hold (and named in C_HELLO). */
    bool keep_map = r == MSG_OK && !w.map_follows;
    if (r != MSG_OK || c->map_text || (c->map_loaded && !c->resuming && w.client_id != c->welcome.client_id) ||
        (keep_map && !(c->map_loaded && w.map_crc32 == c->welcome.map_crc32 && w.map_bytes == c->welcome.map_bytes))) {
        bad_packet(c, "welcome", r == MSG_OK ? MSG_ERR_WRONG_ID : r);
        return;
    }
    if (c->map_loaded && !keep_map) { /* a new match on another map, or back after a reconnect: drop the old world */
        free_map(c);
        c->map_loaded = false;
        set_state(c, CONN_HANDSHAKE, now);
        if (!c->resuming) log_info("next match: loading map %s", w.map_name);
    }
    if (c->resuming) {
        /* The server sends every player again after this welcome. */
        for (int i = 0; i < PROTO_MAX_PLAYERS; i++) c->players[i].present = false;
        if (w.resumed) {
            c->resumes++;
            log_info("resumed the session as player %u after %u attempt(s)", w.client_id, c->attempts);
        } else {
            log_warn("back in as a new player %u: the server did not take our session token", w.client_id);
        }
        c->resuming = false;
        c->reconnect_until = 0;
    }
    memcpy(c->token, w.token, sizeof c->token);
    c->have_token = false;
    for (int i = 0; i < PROTO_TOKEN_BYTES; i++) c->have_token |= w.token[i] != 0;
    c->session_id = w.client_id;
    c->welcome = w;
    if (keep_map) { /* back after a lost connection, on the map we hold */
        start_game(c, now);
        return;
    }
    c->map_text = malloc(w.map_bytes);
    c->map_received = 0;
    if (!c->map_text) {
        snprintf(c->status, sizeof c->status, "Out of memory for the map");
        return;
    }
    snprintf(c->status, sizeof c->status, "Joining \"%s\": loading map %s ...", w.server_name, w.map_name);
}

static void enter_game(cl_conn *c, double now) {
    char err[256];
    bool ok = msg_crc32(c->map_text, c->map_received) == c->welcome.map_crc32 &&
              map_parse(c->map_text, c->map_received, &c->map, err, sizeof err);
    free(c->map_text);
    c->map_text = NULL;
    if (!ok) {
        snprintf(c->status, sizeof c->status, "The server sent a map this client cannot read");
        log_error("%s", c->status);
        cl_conn_leave(c);
        set_state(c, CONN_FAILED, now);
        return;
    }
    c->map_loaded = true;
    share_map_tiles(c);
    start_game(c, now);
}

/* Into the game on the loaded map, as the welcome says: a fresh view of
 * the world (snapshots, prediction, clock). */
static void start_game(cl_conn *c, double now) {
    cl_interp_init(&c->interp, c->welcome.tick_rate, c->welcome.snapshot_rate);
    cl_target_reset(&c->target);
    /* Command numbers go on across a map change: the server's input queue
     * and its acknowledgements continue from the last one. */
    uint32_t next_cmd = c->predict.next_tick;
    cl_predict_init(&c->predict, 1.0f / (float)c->welcome.tick_rate);
    if (next_cmd > 1) {
        c->predict.next_tick = next_cmd;
        c->predict.acked_tick = next_cmd - 1;
    }
    ticker_init(&c->clock, c->welcome.tick_rate, 5);
    c->joined_at = now;
    c->stats_at = now;
    c->stats_down0 = c->joined_down0 = c->host->totalReceivedData;
    c->stats_up0 = c->joined_up0 = c->host->totalSentData;
    set_state(c, CONN_IN_GAME, now);
    c->status[0] = '\0';
    log_info("joined \"%s\" at %s as player %u, map %s, %u Hz", c->welcome.server_name, c->server_text,
             c->welcome.client_id, c->map.name, c->welcome.tick_rate);
}

static void on_map_chunk(cl_conn *c, const uint8_t *data, size_t len, double now) {
    msg_map_chunk ch;
    int r = msg_decode_map_chunk(data, len, &ch);
    if (r != MSG_OK || !c->map_text || ch.offset != c->map_received ||
        ch.length > c->welcome.map_bytes - c->map_received) {
        bad_packet(c, "map chunk", r == MSG_OK ? MSG_ERR_RANGE : r);
        return;
    }
    memcpy(c->map_text + ch.offset, ch.bytes, ch.length);
    c->map_received += ch.length;
    if (c->map_received == c->welcome.map_bytes) enter_game(c, now);
}

static void on_player_name(cl_conn *c, const uint8_t *data, size_t len, bool join) {
    msg_player_name m;
    int r = join ? msg_decode_join(data, len, &m) : msg_decode_player_rename(data, len, &m);
    if (r != MSG_OK || (!join && !c->players[m.player_id].present)) {
        bad_packet(c, join ? "join" : "rename", r == MSG_OK ? MSG_ERR_RANGE : r);
        return;
    }
    cl_player *p = &c->players[m.player_id];
    if (join) log_info("player %u '%s' joined", m.player_id, m.name);
    else log_info("player %u '%s' is now '%s'", m.player_id, p->name, m.name);
    p->present = true;
    snprintf(p->name, sizeof p->name, "%s", m.name);
}

static void on_leave(cl_conn *c, const uint8_t *data, size_t len) {
    msg_leave m;
    int r = msg_decode_leave(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(c, "leave", r);
        return;
    }
    cl_player *p = &c->players[m.player_id];
    if (p->present) log_info("player %u '%s' left (%s)", m.player_id, p->name, proto_reason_text(m.reason));
    p->present = false;
}

/* What changed from the newest frame held to a new one (both sorted by
 * id, walked together): players who lost health (hit effects), and rockets
 * that were there and are gone (exploded). */
static void note_changes(cl_conn *c, const snap_frame *prev, const snap_frame *f, double now) {
    int a = 0;
    for (int b = 0; b < prev->count; b++) {
        const snap_entity *was = &prev->ents[b];
        while (a < f->count && f->ents[a].id < was->id) a++;
        const snap_entity *is = a < f->count && f->ents[a].id == was->id ? &f->ents[a] : NULL;
        if (was->id < PROTO_MAX_PLAYERS) {
            if (is && is->health < was->health) c->hurt_at[was->id] = now;
        } else if (!is && was->id >= PROTO_ENT_ROCKET_BASE && was->id < PROTO_ENT_PICKUP_BASE) {
            cl_effect *fx = &c->effects[c->effect_count++ % CL_EFFECTS];
            float ahead = (float)(f->tick - prev->tick) / (float)c->welcome.tick_rate * 0.5f;
            fx->x = (float)was->x / PROTO_POS_SCALE + (float)was->vx / PROTO_VEL_SCALE * ahead;
            fx->y = (float)was->y / PROTO_POS_SCALE + (float)was->vy / PROTO_VEL_SCALE * ahead;
            fx->at = now;
        } else if (was->id >= PROTO_ENT_PICKUP_BASE) {
            break; /* (sorted: no rockets beyond) */
        }
    }
}

static void on_snapshot(cl_conn *c, const uint8_t *data, size_t len, double now) {
    static snap_frame frame; /* large: off the stack; single-threaded */
    if (c->state != CONN_IN_GAME) return;
    snap_header h;
    int r = snap_decode_header(data, len, &h);
    const snap_frame *base = r == SNAP_OK && h.baseline_tick ? cl_interp_find(&c->interp, h.baseline_tick) : NULL;
    if (r == SNAP_OK) r = snap_decode(data, len, base, c->welcome.tick_rate, &frame, &h);
    if (r == SNAP_ERR_NO_BASELINE) {
        c->no_baseline++; /* never decoded against the wrong state */
        return;
    }
    if (r != SNAP_OK) {
        bad_packet(c, "snapshot", r);
        return;
    }
    const snap_frame *prev = cl_interp_newest(&c->interp);
    if (prev) note_changes(c, prev, &frame, now);
    if (!cl_interp_add(&c->interp, &frame, now)) return;
    c->snapshots++;
    c->net.last_snapshot_bytes = (uint32_t)len;
    c->last_snapshot_at = now;
    if (c->interrupted) log_info("connection back after %.1f s without snapshots", now - c->interrupted_since);
    c->interrupted = false;
    c->self_ammo = frame.self_ammo;
    c->net.loss_up_pct = h.up_loss_pct;
    for (int i = 0; i < frame.count && frame.ents[i].id < PROTO_MAX_PLAYERS; i++) { /* (rockets, pickups after) */
        const snap_entity *e = &frame.ents[i];
        if (e->id == c->welcome.client_id) {
            player_state ps;
            snap_entity_to_state(e, &ps);
            cl_predict_reconcile(&c->predict, &c->map, &ps, frame.last_cmd_tick);
        } else if (e->id < PROTO_MAX_PLAYERS && !(c->seen[e->id / 8] & (1u << (e->id % 8)))) {
            c->seen[e->id / 8] |= (uint8_t)(1u << (e->id % 8));
            c->players_seen++;
        }
    }
}

static void on_match(cl_conn *c, const uint8_t *data, size_t len, double now) {
    msg_match m;
    int r = msg_decode_match(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(c, "match", r);
        return;
    }
    c->match = m;
    c->have_match = true;
    (void)now;
    if (m.phase == MATCH_INTERMISSION) log_info("match over; next map %s", m.next_map);
}

static void on_kill(cl_conn *c, const uint8_t *data, size_t len, double now) {
    msg_kill m;
    int r = msg_decode_kill(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(c, "kill", r);
        return;
    }
    c->kills[c->kill_count++ % CL_KILL_FEED] = (cl_kill){m.killer, m.victim, m.weapon, now};
    if (m.victim == c->welcome.client_id) c->last_killer = m.killer;
    log_info("kill %s -> %s", c->players[m.killer].name, c->players[m.victim].name);
}

static void on_score(cl_conn *c, const uint8_t *data, size_t len) {
    msg_score m;
    int r = msg_decode_score(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(c, "score", r);
        return;
    }
    cl_player *p = &c->players[m.player];
    p->frags = m.frags;
    p->deaths = m.deaths;
    p->ping_ms = m.ping_ms;
}

/* Who is already here, with scores (after the map, at every join and
 * resume): no "joined" line for each. */
static void on_players_here(cl_conn *c, const uint8_t *data, size_t len) {
    msg_roster m;
    int r = msg_decode_roster(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(c, "roster", r);
        return;
    }
    for (int i = 0; i < m.count; i++) {
        cl_player *p = &c->players[m.e[i].player_id];
        p->present = true;
        snprintf(p->name, sizeof p->name, "%s", m.e[i].name);
        p->frags = m.e[i].frags;
        p->deaths = m.e[i].deaths;
        p->ping_ms = m.e[i].ping_ms;
    }
}

static void on_chat(cl_conn *c, const uint8_t *data, size_t len, double now) {
    msg_chat m;
    int r = msg_decode_server_chat(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(c, "chat", r);
        return;
    }
    cl_chat_line *l = &c->chat[c->chat_count++ % CL_CHAT_LINES];
    l->from = m.from;
    l->at = now;
    if (m.from == PROTO_CHAT_FROM_SERVER) snprintf(l->text, sizeof l->text, "[server] %s", m.text);
    else snprintf(l->text, sizeof l->text, "%s: %s", c->players[m.from].present ? c->players[m.from].name : "?", m.text);
    log_info("chat %s", l->text);
}

void cl_conn_send_chat(cl_conn *c, const char *text) {
    if (c->state != CONN_IN_GAME || !c->peer || !*text) return;
    msg_chat m = {0};
    snprintf(m.text, sizeof m.text, "%s", text);
    uint8_t buf[PROTO_CHAT_MAX + 8];
    size_t n = msg_encode_client_chat(buf, sizeof buf, &m);
    if (n) net_send(c->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
}

static void on_receive(cl_conn *c, const uint8_t *data, size_t len, double now) {
    switch (msg_peek_id(data, len)) {
    case MSG_S_WELCOME: on_welcome(c, data, len, now); break;
    case MSG_S_MATCH: on_match(c, data, len, now); break;
    case MSG_S_MAP_CHUNK: on_map_chunk(c, data, len, now); break;
    case MSG_S_JOIN: on_player_name(c, data, len, true); break;
    case MSG_S_RENAME: on_player_name(c, data, len, false); break;
    case MSG_S_LEAVE: on_leave(c, data, len); break;
    case MSG_S_SNAPSHOT: on_snapshot(c, data, len, now); break;
    case MSG_S_CHAT: on_chat(c, data, len, now); break;
    case MSG_S_KILL: on_kill(c, data, len, now); break;
    case MSG_S_SCORE: on_score(c, data, len); break;
    case MSG_S_ROSTER: on_players_here(c, data, len); break;
    default: bad_packet(c, "message", MSG_ERR_WRONG_ID); break;
    }
}

void cl_conn_service(cl_conn *c, double now, uint32_t timeout_ms) {
    if (!c->host) return;
    ENetEvent ev;
    int r = enet_host_service(c->host, &ev, timeout_ms);
    while (r > 0) {
        switch (ev.type) {
        case ENET_EVENT_TYPE_CONNECT:
            c->resuming = c->state == CONN_RECONNECTING;
            set_state(c, CONN_HANDSHAKE, now);
            net_peer_configure(c->peer, (uint32_t)c->cfg.peer_timeout_ms);
            snprintf(c->status, sizeof c->status, "Connected to %s, %s ...", c->server_text,
                     c->resuming ? "resuming" : "joining");
            send_hello(c);
            break;
        case ENET_EVENT_TYPE_DISCONNECT: on_disconnect(c, ev.data, now); break;
        case ENET_EVENT_TYPE_RECEIVE:
            on_receive(c, ev.packet->data, ev.packet->dataLength, now);
            enet_packet_destroy(ev.packet);
            break;
        case ENET_EVENT_TYPE_NONE: break;
        }
        if (!c->host) return;
        r = enet_host_check_events(c->host, &ev);
    }
    if (c->peer && c->state == CONN_IN_GAME) c->rtt_ms = c->peer->roundTripTime;
    reconnect_step(c, now);
    if (c->state == CONN_CONNECTING && now - c->state_since > CL_CONNECT_TIMEOUT) {
        enet_peer_reset(c->peer);
        c->peer = NULL;
        set_state(c, CONN_FAILED, now);
        snprintf(c->status, sizeof c->status, "Could not connect to %s: no answer within %.0f s", c->server_text,
                 CL_CONNECT_TIMEOUT);
        log_info("%s", c->status);
    }
}

/* One input packet: the commands not yet acknowledged, newest first, and
 * at least two packets' worth (PROTO_MIN_CMDS_PER_PACKET or twice the
 * server's input_every, whichever is more), so a lost packet costs
 * nothing. */
static void send_input(cl_conn *c) {
    msg_input m;
    m.ack_snapshot_tick = c->interp.newest_tick;
    int least = 2 * c->welcome.input_every > PROTO_MIN_CMDS_PER_PACKET ? 2 * c->welcome.input_every
                                                                       : PROTO_MIN_CMDS_PER_PACKET;
    m.count = (uint8_t)cl_predict_unacked(&c->predict, m.cmds, least, PROTO_MAX_CMDS_PER_PACKET);
    if (m.count == 0) return;
    uint8_t buf[64];
    size_t n = msg_encode_input(buf, sizeof buf, &m);
    if (n) net_send(c->peer, PROTO_CHANNEL_UNRELIABLE, buf, n, NET_UNSEQUENCED);
}

static bool player_present(const void *ctx, uint16_t id) { return ((const cl_conn *)ctx)->players[id].present; }

/* The bot's target as drawn now. CL_BOT_RETARGET_HZ times a second (as
 * a player's attention moves, not every tick) it is the nearest other
 * living player on the roster: cl_target's search, exactly the reference
 * rule's answer (cl_target_nearest_reference) without sampling every
 * player id in every stored snapshot. In between, the bot follows that
 * player while it is alive, on the roster and in view; the search every
 * tick was a third of a bot's work in a crowd. */
static bool bot_target(cl_conn *c, double render_tick, player_state *out) {
    cl_bot *b = &c->bot;
    uint32_t tick = c->predict.next_tick;
    if (b->target >= 0 && tick < b->retarget_at && c->players[b->target].present &&
        cl_interp_sample(&c->interp, (uint16_t)b->target, render_tick, out) && (out->flags & ENT_FLAG_ALIVE))
        return true;
    int every = c->welcome.tick_rate / CL_BOT_RETARGET_HZ;
    b->retarget_at = tick + (uint32_t)(every > 1 ? every : 1);
    bool found = cl_target_nearest(&c->target, &c->interp, &c->predict.state, c->welcome.client_id,
                                   c->welcome.max_players, player_present, c, render_tick, out);
    b->target = found ? c->target.found_id : -1;
    return found;
}

void cl_conn_update(cl_conn *c, double now, uint8_t buttons, uint16_t aim) {
    if (c->state != CONN_IN_GAME || !c->peer) return;
    int due = ticker_advance(&c->clock, now);
    double view = cl_conn_render_tick(c, now);
    uint32_t view_tick = view > 0 ? (uint32_t)(view + 0.5) : 0;
    for (int i = 0; i < due; i++) {
        uint8_t b = buttons;
        uint16_t a = aim;
        if (c->cfg.bot) {
            player_state target;
            bool has = c->predict.have_state && bot_target(c, view, &target);
            b = cl_bot_buttons(&c->bot, c->predict.next_tick, c->welcome.tick_rate,
                               c->predict.have_state ? &c->predict.state : NULL, has ? &target : NULL);
            a = c->bot.aim;
        }
        if (c->have_match && c->match.phase == MATCH_INTERMISSION) b = 0; /* the server freezes play */
        if ((b & (BTN_FIRE | BTN_FIRE2)) && now >= c->next_local_shot && c->self_ammo > 0 &&
            (c->predict.state.flags & ENT_FLAG_ALIVE)) { /* muzzle flash / tracer at once: cosmetic */
            bool rail = b & BTN_FIRE;
            c->next_local_shot = now + (rail ? CL_RAIL_COOLDOWN : CL_ROCKET_COOLDOWN);
            c->tracer_until = rail ? now + 0.1 : 0.0;
            c->flash_until = now + 0.08;
            c->tracer_aim = a;
            c->shots_fired++;
        }
        cl_predict_command(&c->predict, &c->map, b & BTN_ALL, a, view_tick);
        if (proto_input_due(c->predict.next_tick - 1, c->welcome.client_id, c->welcome.input_every)) send_input(c);
    }
    if (c->cfg.rename_to[0] && !c->renamed && now - c->joined_at > 1.0) {
        send_rename(c, c->cfg.rename_to);
        c->renamed = true;
    }
    while (c->cfg.say[0] && c->said < c->cfg.say_count && now - c->joined_at > 1.0) {
        cl_conn_send_chat(c, c->cfg.say);
        c->said++;
    }
}

double cl_conn_wait(const cl_conn *c, double now) {
    return c->state == CONN_IN_GAME ? ticker_wait(&c->clock, now) : 0.005;
}

double cl_conn_render_tick(const cl_conn *c, double now) { return cl_interp_render_tick(&c->interp, now); }

/* How long remote players are drawn past the newest snapshot: first by
 * extrapolation (up to CL_EXTRAPOLATE_MS), then frozen. */
static void track_extrapolation(cl_conn *c, double now) {
    if (!c->interp.stored || now - c->joined_at < 1.0) return;
    double beyond_ms = (cl_conn_render_tick(c, now) - (double)c->interp.newest_tick) / c->welcome.tick_rate * 1000.0;
    if (beyond_ms > c->net.max_extrapolation_ms) c->net.max_extrapolation_ms = beyond_ms;
    if (beyond_ms > CL_EXTRAPOLATE_MS && beyond_ms - CL_EXTRAPOLATE_MS > c->net.max_freeze_ms)
        c->net.max_freeze_ms = beyond_ms - CL_EXTRAPOLATE_MS;
}

void cl_conn_frame(cl_conn *c, double now, double dt) {
    if (c->state != CONN_IN_GAME) return;
    double since = now - (c->last_snapshot_at > 0 ? c->last_snapshot_at : c->joined_at);
    if (!c->interrupted && since > CL_INTERRUPTED_AFTER) { /* a pulled cable, a stalled server */
        c->interrupted = true;
        c->interrupted_since = now - since;
        c->interruptions++;
        log_warn("connection interrupted: no snapshot for %.1f s", since);
    }
    cl_predict_smooth(&c->predict, (float)dt);
    cl_interp_update(&c->interp, now);
    track_extrapolation(c, now);
    c->net.rtt_ms = c->rtt_ms;
    c->net.interp_delay_ms = cl_interp_delay_ms(&c->interp);
    double span = now - c->stats_at;
    if (span < 1.0) return;
    c->net.jitter_ms = cl_interp_jitter_ms(&c->interp);
    c->net.loss_down_pct = c->interp.loss_pct;
    c->net.kbytes_down_s = (double)(uint32_t)(c->host->totalReceivedData - c->stats_down0) / span / 1000.0;
    c->net.kbytes_up_s = (double)(uint32_t)(c->host->totalSentData - c->stats_up0) / span / 1000.0;
    c->net.corrections_s = (double)(c->predict.corrections - c->stats_corrections0) / span;
    double in_game = now - c->joined_at;
    c->net.avg_kbytes_down_s = (double)(uint32_t)(c->host->totalReceivedData - c->joined_down0) / in_game / 1000.0;
    c->net.avg_kbytes_up_s = (double)(uint32_t)(c->host->totalSentData - c->joined_up0) / in_game / 1000.0;
    c->stats_down0 = c->host->totalReceivedData;
    c->stats_up0 = c->host->totalSentData;
    c->stats_corrections0 = c->predict.corrections;
    c->stats_at = now;
}

void cl_conn_leave(cl_conn *c) {
    if (c->state == CONN_RECONNECTING || (c->state == CONN_HANDSHAKE && c->resuming))
        give_up_reconnect(c, clock_now(), "gave up while reconnecting");
    else if (c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE) {
        /* Giving up before joining counts as not connecting. */
        set_state(c, CONN_FAILED, clock_now());
        snprintf(c->status, sizeof c->status, "Could not connect to %s: gave up before joining", c->server_text);
    }
    if (!c->host || !c->peer) return;
    enet_peer_disconnect(c->peer, proto_reason_pack(PROTO_REASON_CLIENT_QUIT, 0));
    double until = clock_now() + 1.0;
    ENetEvent ev;
    while (clock_now() < until && enet_host_service(c->host, &ev, 20) >= 0) {
        if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
        if (ev.type == ENET_EVENT_TYPE_DISCONNECT) break;
    }
    if (c->peer && c->peer->state != ENET_PEER_STATE_DISCONNECTED) enet_peer_reset(c->peer);
    c->peer = NULL;
    if (!cl_conn_ended(c)) set_state(c, CONN_LEFT, clock_now());
}

void cl_conn_free(cl_conn *c) {
    if (c->host) {
        enet_host_destroy(c->host);
        c->host = NULL;
        enet_deinitialize();
    }
    free(c->map_text);
    c->map_text = NULL;
    free_map(c);
}

int cl_conn_exit_code(const cl_conn *c) {
    switch (c->state) {
    case CONN_FAILED: return CL_EXIT_NO_CONNECT;
    case CONN_REFUSED: return CL_EXIT_REFUSED;
    case CONN_LOST: return CL_EXIT_LOST;
    case CONN_LEFT: return c->joined_at > 0 ? CL_EXIT_OK : CL_EXIT_NO_CONNECT;
    default: return CL_EXIT_OK;
    }
}
