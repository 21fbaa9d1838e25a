/* sv_clients.c - client lifecycle: connect, handshake, messages, leave.
 *
 * Owns: version and capacity checks on connect, the hello/welcome
 * handshake, name cleaning and de-duplication, join/leave/rename
 * announcements, decoding client messages, and the bad-packet policy
 * (drop, count, kick past SV_BAD_PACKET_LIMIT).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "sv_combat.h"
#include "sv_match.h"
#include "sv_server.h"
#include "sv_token.h"
#include "text.h"

static int slot_count(const server *s) { return s->cfg.max_players + SV_MAX_HANDSHAKES; }

static sv_client *client_of(server *s, ENetPeer *peer) {
    uintptr_t v = (uintptr_t)peer->data;
    if (v == 0 || v > (uintptr_t)slot_count(s)) return NULL;
    return &s->clients[v - 1];
}

static bool is_player(const sv_client *c) { return c->state == SLOT_PLAYING || c->state == SLOT_DETACHED; }

int sv_clients_occupied(const server *s) {
    int n = 0;
    for (int i = 0; i < s->cfg.max_players; i++) n += is_player(&s->clients[i]);
    return n;
}

bool sv_clients_large_game(const server *s) { return sv_clients_occupied(s) > SV_SCORE_REFRESH_MAX_PLAYERS; }

/* Every connected player's peer into s->peer_scratch; returns how many. */
static int playing_peers(server *s) {
    int n = 0;
    for (int i = 0; i < s->cfg.max_players; i++)
        if (s->clients[i].state == SLOT_PLAYING) s->peer_scratch[n++] = s->clients[i].peer;
    return n;
}

void sv_broadcast(server *s, uint8_t channel, const uint8_t *buf, size_t len, net_delivery how) {
    int n = playing_peers(s);
    net_send_many(s->peer_scratch, n, channel, buf, len, how);
}

static void refuse(ENetPeer *peer, const char *addr, proto_reason reason, uint32_t detail, const char *why) {
    log_info("refused %s: %s", addr, why);
    peer->data = NULL;
    enet_peer_disconnect(peer, proto_reason_pack(reason, detail));
}

/* Fresh per-connection state: peer, address, input queue, rate limits,
 * snapshot baselines. The player's own fields (name, score) are kept. */
static void attach(server *s, sv_client *c, ENetPeer *peer, const char *addr, double connected_at) {
    c->peer = peer;
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    c->connected_at = connected_at;
    sv_input_reset(&c->input);
    seqwin_init(&c->input_seq);
    ratelimit_init(&c->chat_limit, SV_CHAT_BURST, SV_CHAT_RATE);
    ratelimit_init(&c->input_limit, SV_INPUT_PACKET_BURST, (double)SV_INPUT_PACKETS_PER_TICK * s->cfg.tick_rate);
    c->last_cmd_tick = 0;
    c->up_loss_pct = 0;
    c->bytes_down = c->bytes_up = 0;
    sv_snapshot_forget(c); /* nothing held yet */
    peer->data = (void *)(uintptr_t)(sv_client_id(s, c) + 1);
}

/* Player slots free, or held for someone who may come back with a token. */
static bool player_room(const server *s) {
    for (int i = 0; i < s->cfg.max_players; i++)
        if (s->clients[i].state != SLOT_PLAYING) return true;
    return false;
}

/* Ends a connection that never joined, at once: its ENet peer is free for
 * the next caller (a graceful disconnect would hold it until acknowledged). */
static void drop_handshake_now(sv_client *c, proto_reason reason) {
    if (c->peer) {
        c->peer->data = NULL;
        enet_peer_disconnect_now(c->peer, proto_reason_pack(reason, 0));
    }
    c->peer = NULL;
    c->state = SLOT_FREE;
}

void sv_clients_on_connect(server *s, ENetPeer *peer, uint32_t data, double now) {
    char addr[32];
    net_format_address(&peer->address, addr, sizeof addr);
    uint32_t version = data & PROTO_CONNECT_VERSION_MASK, flags = data & ~PROTO_CONNECT_VERSION_MASK;
    if (version != PROTO_VERSION || (flags & ~PROTO_CONNECT_RESUMING)) {
        char why[96];
        snprintf(why, sizeof why, "protocol version %u (flags %#x), this server speaks %u", version, flags,
                 PROTO_VERSION);
        refuse(peer, addr, PROTO_REASON_VERSION, PROTO_VERSION, why);
        return;
    }
    /* A returning player's slot is held (or still looks in use): let it
     * show its token even when no slot is free. */
    if (!player_room(s) && !(flags & PROTO_CONNECT_RESUMING)) {
        refuse(peer, addr, PROTO_REASON_SERVER_FULL, 0, "server full");
        return;
    }
    /* Connections in progress are capped: past SV_MAX_HANDSHAKES the oldest
     * one goes (a real client sends its hello within a round trip, so a
     * flood of idle connections only pushes out its own kind). */
    sv_client *c = NULL, *oldest = NULL;
    for (int i = s->cfg.max_players; i < slot_count(s) && !c; i++) {
        sv_client *h = &s->clients[i];
        if (h->state == SLOT_FREE) c = h;
        else if (!oldest || h->connected_at < oldest->connected_at) oldest = h;
    }
    if (!c) {
        if (s->handshakes_evicted++ % 100 == 0)
            log_warn("%d connections in progress: dropping the oldest (%s); %llu dropped so far", SV_MAX_HANDSHAKES,
                     oldest->addr, (unsigned long long)s->handshakes_evicted);
        drop_handshake_now(oldest, PROTO_REASON_HANDSHAKE);
        c = oldest;
    }
    memset(c, 0, sizeof *c);
    c->state = SLOT_HANDSHAKE;
    attach(s, c, peer, addr, now);
    net_peer_configure(peer, (uint32_t)s->cfg.peer_timeout_ms);
    log_info("connect from %s (%d/%d player slots in use)", addr, sv_clients_occupied(s), s->cfg.max_players);
}

/* Frees a slot; announces the leave when it held a player. */
static void release(server *s, sv_client *c, uint32_t reason) {
    bool announce = is_player(c);
    uint16_t id = sv_client_id(s, c);
    if (c->peer) c->peer->data = NULL;
    c->state = SLOT_FREE;
    c->peer = NULL;
    c->has_token = false;
    memset(c->token, 0, sizeof c->token);
    if (announce) {
        uint8_t buf[8];
        msg_leave m = {id, (uint8_t)((reason & 0xffu) < PROTO_REASON_COUNT ? (reason & 0xffu) : 0)};
        size_t n = msg_encode_leave(buf, sizeof buf, &m);
        if (n) sv_broadcast(s, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
    }
}

/* A player whose connection timed out leaves the world but keeps its
 * slot, name and score for cfg.resume_grace seconds. */
static void detach(server *s, sv_client *c, double now) {
    c->peer->data = NULL;
    c->peer = NULL;
    c->state = SLOT_DETACHED;
    c->detached_at = now;
    c->ps.flags = 0; /* out of the world: not drawn, not hit */
    c->ps.vx = c->ps.vy = 0.0f;
    log_info("player %d '%s' (%s) lost: timed out; slot held %d s for a reconnect", sv_client_id(s, c), c->name,
             c->addr, s->cfg.resume_grace);
}

void sv_clients_on_disconnect(server *s, ENetPeer *peer, uint32_t data, double now) {
    sv_client *c = client_of(s, peer);
    if (!c) return; /* a refused or already dropped peer finishing */
    if (c->state == SLOT_PLAYING && data == 0 && s->cfg.resume_grace > 0 && c->has_token) {
        detach(s, c, now);
        return;
    }
    const char *why = data == 0 ? "timed out or left without a reason" : proto_reason_text(data);
    if (c->state == SLOT_PLAYING)
        log_info("player %d '%s' (%s) disconnected: %s", sv_client_id(s, c), c->name, c->addr, why);
    else
        log_info("%s disconnected during handshake: %s", c->addr, why);
    release(s, c, data);
}

void sv_client_drop(server *s, sv_client *c, proto_reason reason) {
    if (c->state == SLOT_FREE) return;
    const char *kind = c->state == SLOT_HANDSHAKE ? "connection" : c->state == SLOT_DETACHED ? "lost player" : "player";
    log_info("dropping %s %d '%s' (%s): %s", kind, sv_client_id(s, c), c->name, c->addr, proto_reason_text(reason));
    if (c->peer) enet_peer_disconnect(c->peer, proto_reason_pack(reason, 0));
    release(s, c, reason);
}

/* Counts a malformed or unexpected packet; kicks past the limit. */
static void bad_packet(server *s, sv_client *c, const char *what, int result) {
    c->bad_packets++;
    s->bad_packets_total++;
    if (c->bad_packets == 1 || c->bad_packets % 10 == 0)
        log_warn("bad packet #%u from %s: %s (%s)", c->bad_packets, c->addr, what, msg_result_text(result));
    if (c->bad_packets >= SV_BAD_PACKET_LIMIT) sv_client_drop(s, c, PROTO_REASON_BAD_PACKETS);
}

/* Cleans a requested name and makes it unique among players. */
static void choose_name(server *s, const sv_client *self, const char *requested, char *out) {
    char base[PROTO_NAME_MAX + 1];
    if (text_sanitize(requested, base, PROTO_NAME_MAX) == 0)
        snprintf(base, sizeof base, "player%d", sv_client_id(s, self));
    for (int suffix = 1; suffix < 10000; suffix++) {
        if (suffix == 1) snprintf(out, PROTO_NAME_MAX + 1, "%s", base);
        else {
            char tail[8];
            int tl = snprintf(tail, sizeof tail, "~%d", suffix);
            int keep = PROTO_NAME_MAX - tl;
            /* Cut the base at a character boundary before the suffix. */
            char cut[PROTO_NAME_MAX + 1];
            size_t cl = text_sanitize(base, cut, (size_t)keep);
            memcpy(out, cut, cl);
            memcpy(out + cl, tail, (size_t)tl + 1);
        }
        bool taken = false;
        for (int i = 0; i < s->cfg.max_players && !taken; i++) {
            const sv_client *o = &s->clients[i];
            taken = o != self && is_player(o) && strcmp(o->name, out) == 0;
        }
        if (!taken) return;
    }
}

static void send_player_name(ENetPeer *to, msg_id id, uint16_t player, const char *name, server *s) {
    uint8_t buf[64];
    msg_player_name m = {.player_id = player};
    snprintf(m.name, sizeof m.name, "%s", name);
    size_t n = id == MSG_S_JOIN ? msg_encode_join(buf, sizeof buf, &m) : msg_encode_player_rename(buf, sizeof buf, &m);
    if (!n) return;
    if (to) net_send(to, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
    else sv_broadcast(s, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
}

/* Adds player i to roster message r; a full message goes to the n peers
 * in `to` (one packet shared among them) and r starts over. */
static void roster_add(server *s, msg_roster *r, int i, ENetPeer *const *to, int n) {
    const sv_client *c = &s->clients[i];
    r->e[r->count].player_id = (uint16_t)i;
    snprintf(r->e[r->count].name, sizeof r->e[r->count].name, "%s", c->name);
    r->e[r->count].frags = (int16_t)c->frags;
    r->e[r->count].deaths = (uint16_t)c->deaths;
    r->e[r->count].ping_ms = (uint16_t)(c->peer ? c->peer->roundTripTime : 0);
    if (++r->count == PROTO_ROSTER_MAX) {
        uint8_t buf[PROTO_MAX_PACKET_BYTES];
        size_t len = msg_encode_roster(buf, sizeof buf, r);
        if (len) net_send_many(to, n, PROTO_CHANNEL_RELIABLE, buf, len, NET_RELIABLE);
        r->count = 0;
    }
}

static void roster_finish(msg_roster *r, ENetPeer *const *to, int n) {
    uint8_t buf[PROTO_MAX_PACKET_BYTES];
    size_t len = r->count ? msg_encode_roster(buf, sizeof buf, r) : 0;
    if (len) net_send_many(to, n, PROTO_CHANNEL_RELIABLE, buf, len, NET_RELIABLE);
    r->count = 0;
}

/* Every player and its score to one client, PROTO_ROSTER_MAX to a
 * message: at 1000 players 32 reliable messages where a join and a score
 * row each were 2000, and each of them costs ENet a command, a send and an
 * acknowledgement. */
static void send_roster(server *s, sv_client *to) {
    msg_roster r;
    r.count = 0;
    for (int i = 0; i < s->cfg.max_players; i++)
        if (is_player(&s->clients[i])) roster_add(s, &r, i, &to->peer, 1);
    roster_finish(&r, &to->peer, 1);
}

void sv_clients_announce(server *s, const uint16_t *ids, int count) {
    ENetPeer **to = s->peer_scratch;
    int n = playing_peers(s);
    msg_roster r;
    r.count = 0;
    for (int k = 0; k < count; k++)
        if (ids[k] < s->cfg.max_players && is_player(&s->clients[ids[k]])) roster_add(s, &r, ids[k], to, n);
    roster_finish(&r, to, n);
}

int sv_clients_send_join_news(server *s) {
    if (s->join_news_waiting == 0) return 0;
    s->join_news_waiting = 0;
    uint16_t *ids = s->witness_scratch;
    int told = 0;
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (!c->join_news) continue;
        c->join_news = false;
        if (is_player(c)) ids[told++] = (uint16_t)i; /* (one gone again: the others never heard of it) */
    }
    sv_clients_announce(s, ids, told);
    return told;
}

/* Whether a client that said in C_HELLO it holds a map with this CRC-32
 * (0: none) holds the server's. */
static bool holds_map(const server *s, uint32_t held_map_crc32) {
    return held_map_crc32 != 0 && held_map_crc32 == s->map_crc32;
}

bool sv_clients_send_welcome(server *s, sv_client *c, bool resumed, uint32_t held_map_crc32) {
    bool map_follows = !holds_map(s, held_map_crc32);
    msg_welcome w = {.client_id = sv_client_id(s, c),
                     .resumed = resumed,
                     .max_players = (uint16_t)s->cfg.max_players,
                     .tick_rate = (uint16_t)s->cfg.tick_rate,
                     .snapshot_rate = (uint16_t)s->cfg.snapshot_rate,
                     .input_every = (uint8_t)sv_config_input_every(&s->cfg),
                     .server_tick = s->tick,
                     .map_bytes = (uint32_t)s->map_text_len,
                     .map_crc32 = s->map_crc32,
                     .map_follows = map_follows};
    snprintf(w.map_name, sizeof w.map_name, "%s", s->map.name);
    snprintf(w.server_name, sizeof w.server_name, "%s", s->cfg.name);
    if (c->has_token) memcpy(w.token, c->token, sizeof w.token);
    uint8_t buf[160];
    size_t n = msg_encode_welcome(buf, sizeof buf, &w);
    if (!n || !net_send(c->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE)) {
        log_error("could not send welcome to %s", c->addr);
        return false;
    }
    if (!map_follows) return true;
    for (size_t off = 0; off < s->map_text_len; off += PROTO_MAP_CHUNK_BYTES) {
        size_t left = s->map_text_len - off;
        msg_map_chunk ch = {(uint32_t)off, (uint16_t)(left < PROTO_MAP_CHUNK_BYTES ? left : PROTO_MAP_CHUNK_BYTES),
                            (const uint8_t *)s->map_text + off};
        uint8_t chunk[PROTO_MAP_CHUNK_BYTES + 16];
        size_t cn = msg_encode_map_chunk(chunk, sizeof chunk, &ch);
        if (!cn || !net_send(c->peer, PROTO_CHANNEL_RELIABLE, chunk, cn, NET_RELIABLE)) {
            log_error("could not send the map to %s", c->addr);
            return false;
        }
    }
    return true;
}

/* The slot a hello asks back, if its token is right: a lost player's, or
 * one whose old connection this server has not yet seen time out. */
static sv_client *resume_target(server *s, const sv_client *c, const msg_hello *hello) {
    if (hello->resume_id == PROTO_NO_RESUME) return NULL;
    sv_client *o = hello->resume_id < s->cfg.max_players ? &s->clients[hello->resume_id] : NULL;
    if (o && is_player(o) && o->has_token && sv_token_equal(o->token, hello->token)) return o;
    s->resumes_refused++;
    log_warn("%s asked for slot %u back with a wrong or expired token: joining as a new player", c->addr,
             hello->resume_id);
    return NULL;
}

/* Moves the connection of handshake slot c into player slot to. */
static void move_connection(server *s, sv_client *c, sv_client *to) {
    attach(s, to, c->peer, c->addr, c->connected_at);
    to->bad_packets = c->bad_packets;
    c->peer = NULL;
    c->state = SLOT_FREE;
}

static void handle_hello(server *s, sv_client *c, const uint8_t *data, size_t len) {
    msg_hello hello;
    int r = msg_decode_hello(data, len, &hello);
    if (r != MSG_OK) {
        bad_packet(s, c, "hello", r);
        return;
    }
    sv_client *p = resume_target(s, c, &hello);
    bool resumed = p != NULL;
    for (int i = 0; i < s->cfg.max_players && !p; i++)
        if (s->clients[i].state == SLOT_FREE) p = &s->clients[i];
    if (!p) { /* the last free slot went while this one shook hands */
        sv_client_drop(s, c, PROTO_REASON_SERVER_FULL);
        return;
    }
    if (resumed && p->state == SLOT_PLAYING) { /* its old connection is dead; we just had not noticed */
        log_info("player %d '%s': the old connection from %s is replaced", sv_client_id(s, p), p->name, p->addr);
        p->peer->data = NULL;
        enet_peer_reset(p->peer);
        p->peer = NULL;
    }
    if (!resumed) {
        snap_frame *ring = p->ring;
        memset(p, 0, sizeof *p);
        p->ring = ring;
    }
    move_connection(s, c, p);
    p->state = SLOT_HANDSHAKE;
    if (!resumed) choose_name(s, p, hello.name, p->name);
    uint16_t id = sv_client_id(s, p);
    sv_combat_spawn(s, p);
    /* A new token at every join and resume: one that has been used is spent. */
    p->has_token = sv_token_generate(p->token);
    if (!p->has_token) log_warn("no randomness from the OS: player %d cannot resume a lost connection", id);
    if (!sv_clients_send_welcome(s, p, resumed, hello.map_crc32)) {
        sv_client_drop(s, p, PROTO_REASON_HANDSHAKE);
        return;
    }
    /* The newcomer learns who is here, itself included, with scores (lost
     * players too: their slots and scores are held), then everyone learns
     * of the newcomer under its final name. A returning player is news to
     * no one. */
    p->state = SLOT_PLAYING;
    send_roster(s, p);
    if (resumed) {
        send_player_name(p->peer, MSG_S_JOIN, id, p->name, s);
    } else if (sv_clients_large_game(s)) { /* news in batches (sv_server_step) */
        p->join_news = true;
        s->join_news_waiting++;
    } else {
        send_player_name(NULL, MSG_S_JOIN, id, p->name, s);
    }
    sv_match_send(s, p);
    int playing = 0;
    for (int i = 0; i < s->cfg.max_players; i++) playing += s->clients[i].state == SLOT_PLAYING;
    const char *map_kept = holds_map(s, hello.map_crc32) ? ", map kept" : "";
    if (resumed) {
        p->resumes++;
        s->resumes_total++;
        log_info("player %d '%s' resumed from %s (%d playing, frags %d, deaths %d%s)", id, p->name, p->addr, playing,
                 p->frags, p->deaths, map_kept);
    } else {
        log_info("player %d '%s' joined from %s (%d playing%s)", id, p->name, p->addr, playing, map_kept);
    }
}

static void handle_input(server *s, sv_client *c, const uint8_t *data, size_t len, double now) {
    /* A bound on input packets per second: more never buys more movement
     * (one command per tick), only work; the surplus is dropped unread. */
    if (!ratelimit_allow(&c->input_limit, now)) {
        s->input_dropped_total++;
        if (c->input_packets_dropped++ % 1000 == 0)
            log_warn("player %d '%s' sends input too fast: %u packets dropped", sv_client_id(s, c), c->name,
                     c->input_packets_dropped);
        return;
    }
    msg_input m;
    int r = msg_decode_input(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(s, c, "input", r);
        return;
    }
    c->bytes_up += len;
    /* Loss counts packets: one is expected every input_every ticks (a client
     * sending more often has the extra ones taken as duplicates). */
    seqwin_add(&c->input_seq, m.cmds[0].tick / (uint32_t)sv_config_input_every(&s->cfg));
    if (m.ack_snapshot_tick <= s->tick && m.ack_snapshot_tick > c->ack_snapshot_tick)
        c->ack_snapshot_tick = m.ack_snapshot_tick;
    for (int i = m.count - 1; i >= 0; i--) sv_input_push(&c->input, &m.cmds[i]); /* oldest first */
}

static void handle_rename(server *s, sv_client *c, const uint8_t *data, size_t len) {
    msg_name m;
    int r = msg_decode_rename(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(s, c, "rename", r);
        return;
    }
    char name[PROTO_NAME_MAX + 1];
    choose_name(s, c, m.name, name);
    if (strcmp(name, c->name) == 0) return;
    log_info("player %d '%s' renamed to '%s'", sv_client_id(s, c), c->name, name);
    snprintf(c->name, sizeof c->name, "%s", name);
    /* Not yet announced: only it hears now; the others get the new name with the news. */
    send_player_name(c->join_news ? c->peer : NULL, MSG_S_RENAME, sv_client_id(s, c), c->name, s);
}

void sv_chat_send(server *s, sv_client *to, uint16_t from, const char *text) {
    msg_chat m = {.from = from};
    snprintf(m.text, sizeof m.text, "%s", text);
    uint8_t buf[PROTO_CHAT_MAX + 8];
    size_t n = msg_encode_server_chat(buf, sizeof buf, &m);
    if (!n) return;
    if (to) net_send(to->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
    else sv_broadcast(s, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
}

/* Chat: cleaned (length, UTF-8, no control characters), rate limited per
 * player; a refused line earns the sender a notice, never a kick. */
static void handle_chat(server *s, sv_client *c, const uint8_t *data, size_t len, double now) {
    msg_chat m;
    int r = msg_decode_client_chat(data, len, &m);
    if (r != MSG_OK) {
        bad_packet(s, c, "chat", r);
        return;
    }
    char clean[PROTO_CHAT_MAX + 1];
    if (text_sanitize(m.text, clean, PROTO_CHAT_MAX) == 0) return;
    if (!ratelimit_allow(&c->chat_limit, now)) {
        if (c->chat_refused++ % 10 == 0)
            log_info("chat from player %d '%s' refused: rate limit", sv_client_id(s, c), c->name);
        sv_chat_send(s, c, PROTO_CHAT_FROM_SERVER, "You are sending messages too fast; wait a moment.");
        return;
    }
    log_info("chat %d '%s': %s", sv_client_id(s, c), c->name, clean);
    sv_chat_send(s, NULL, sv_client_id(s, c), clean);
}

void sv_clients_on_receive(server *s, ENetPeer *peer, const uint8_t *data, size_t len, uint8_t channel, double now) {
    sv_client *c = client_of(s, peer);
    if (!c) return;
    int id = msg_peek_id(data, len);
    bool expected_channel = channel == (id == MSG_C_INPUT ? PROTO_CHANNEL_UNRELIABLE : PROTO_CHANNEL_RELIABLE);
    if (!expected_channel) {
        bad_packet(s, c, "message on the wrong channel", MSG_ERR_WRONG_ID);
        return;
    }
    if (c->state == SLOT_HANDSHAKE) {
        if (id == MSG_C_HELLO) handle_hello(s, c, data, len);
        else bad_packet(s, c, "message before hello", MSG_ERR_WRONG_ID);
        return;
    }
    switch (id) {
    case MSG_C_INPUT: handle_input(s, c, data, len, now); break;
    case MSG_C_RENAME: handle_rename(s, c, data, len); break;
    case MSG_C_CHAT: handle_chat(s, c, data, len, now); break;
    default: bad_packet(s, c, "unexpected message", MSG_ERR_WRONG_ID); break;
    }
}

void sv_clients_check_timers(server *s, double now) {
    for (int i = 0; i < slot_count(s); i++) {
        sv_client *c = &s->clients[i];
        if (c->state == SLOT_HANDSHAKE && now - c->connected_at > SV_HANDSHAKE_TIMEOUT) {
            log_info("%s sent no hello in %.0f s: dropped", c->addr, SV_HANDSHAKE_TIMEOUT);
            drop_handshake_now(c, PROTO_REASON_HANDSHAKE);
        } else if (c->state == SLOT_DETACHED && now - c->detached_at > s->cfg.resume_grace) {
            log_info("player %d '%s' did not come back in %d s: slot freed", i, c->name, s->cfg.resume_grace);
            release(s, c, PROTO_REASON_TIMED_OUT);
        }
    }
}
