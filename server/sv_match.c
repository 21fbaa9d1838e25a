/* sv_match.c - time and frag limits, intermission, map rotation (sv_match.h). */
#include "sv_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "log.h"
#include "sv_combat.h"
#include "text.h"

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

/* Loads a map into the server, replacing the current one only on success. */
static bool load_map(server *s, const char *name, char *err, size_t err_cap) {
    char path[1200], map_err[512];
    if (!resolve_map(name, path, sizeof path)) {
        snprintf(err, err_cap, "map '%s' not found (looked for %s)", name, path);
        return false;
    }
    char *text = NULL;
    size_t len = 0;
    game_map m;
    if (!map_read_text(path, &text, &len, map_err, sizeof map_err)) {
        snprintf(err, err_cap, "bad map: %s", map_err);
        return false;
    }
    if (!map_parse(text, len, &m, map_err, sizeof map_err)) {
        snprintf(err, err_cap, "bad map: %s: %s", path, map_err);
        free(text);
        return false;
    }
    free(s->map_text);
    map_free(&s->map);
    s->map = m;
    s->map_text = text;
    s->map_text_len = len;
    s->map_crc32 = msg_crc32(text, len);
    return true;
}

static uint32_t ticks_for(const server *s, int seconds) { return (uint32_t)seconds * (uint32_t)s->cfg.tick_rate; }

bool sv_match_init(server *s, char *err, size_t err_cap) {
    sv_match_state *m = &s->match;
    m->map_count = 0;
    const char *p = s->cfg.map;
    while (*p && m->map_count < SV_MAX_ROTATION) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n > 0 && n < sizeof m->maps[0]) {
            memcpy(m->maps[m->map_count], p, n);
            m->maps[m->map_count++][n] = '\0';
        }
        p += n + (comma ? 1 : 0);
    }
    if (m->map_count == 0) {
        snprintf(err, err_cap, "no map given");
        return false;
    }
    /* Check every map of the rotation now, so a bad one fails at start-up. */
    for (int i = m->map_count - 1; i >= 0; i--)
        if (!load_map(s, m->maps[i], err, err_cap)) return false;
    m->current = 0;
    m->phase = MATCH_PLAYING;
    m->phase_end = s->tick + ticks_for(s, s->cfg.time_limit);
    return true;
}

double sv_match_seconds_left(const server *s) {
    if (s->match.phase == MATCH_PLAYING && s->cfg.time_limit == 0) return 0.0;
    return s->match.phase_end > s->tick ? (double)(s->match.phase_end - s->tick) / s->cfg.tick_rate : 0.0;
}

bool sv_match_frozen(const server *s) { return s->match.phase == MATCH_INTERMISSION; }

static const char *next_map_name(const server *s) {
    return s->match.maps[(s->match.current + 1) % s->match.map_count];
}

void sv_match_send(server *s, sv_client *to) {
    msg_match m = {s->match.phase, s->match.phase_end, (uint16_t)s->cfg.frag_limit, (uint16_t)s->cfg.time_limit, ""};
    char clean[PROTO_MAP_NAME_MAX + 1];
    if (text_sanitize(next_map_name(s), clean, PROTO_MAP_NAME_MAX) == 0) snprintf(clean, sizeof clean, "?");
    snprintf(m.next_map, sizeof m.next_map, "%s", clean);
    uint8_t buf[64];
    size_t n = msg_encode_match(buf, sizeof buf, &m);
    if (!n) return;
    if (to) net_send(to->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
    else sv_broadcast(s, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
}

static void start_intermission(server *s, const char *why) {
    const sv_client *best = NULL;
    for (int i = 0; i < s->cfg.max_players; i++) {
        const sv_client *c = &s->clients[i];
        if (c->state == SLOT_PLAYING && (!best || c->frags > best->frags)) best = c;
    }
    log_info("match over (%s): %s wins with %d frags; next map %s in %d s", why, best ? best->name : "nobody",
             best ? best->frags : 0, next_map_name(s), s->cfg.intermission);
    s->match.phase = MATCH_INTERMISSION;
    s->match.phase_end = s->tick + ticks_for(s, s->cfg.intermission);
    sv_match_send(s, NULL);
}

/* New match on the current map: scores, rockets, pickups reset; everyone
 * gets the map again (full snapshots follow) and respawns. */
static void start_match(server *s) {
    memset(s->rockets, 0, sizeof s->rockets);
    memset(s->pickup_back, 0, sizeof s->pickup_back);
    s->match.phase = MATCH_PLAYING;
    s->match.phase_end = s->tick + ticks_for(s, s->cfg.time_limit);
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state == SLOT_DETACHED) c->frags = c->deaths = 0; /* lost, maybe back: a new match for them too */
        if (c->state != SLOT_PLAYING) continue;
        c->frags = c->deaths = 0;
        sv_snapshot_forget(c);
        sv_combat_spawn(s, c);
        if (!sv_clients_send_welcome(s, c, false, 0)) sv_client_drop(s, c, PROTO_REASON_HANDSHAKE);
    }
    sv_combat_send_scores(s, NULL);
    sv_match_send(s, NULL);
    log_info("match started on %s (%dx%d)", s->map.name, s->map.width, s->map.height);
}

bool sv_match_change_map(server *s, const char *name, char *err, size_t err_cap) {
    if (!load_map(s, name, err, err_cap)) return false;
    for (int i = 0; i < s->match.map_count; i++)
        if (strcmp(s->match.maps[i], name) == 0) s->match.current = i;
    start_match(s);
    return true;
}

void sv_match_tick(server *s) {
    sv_match_state *m = &s->match;
    if (m->phase == MATCH_PLAYING) {
        if (s->cfg.time_limit > 0 && s->tick >= m->phase_end) {
            start_intermission(s, "time limit");
            return;
        }
        for (int i = 0; s->cfg.frag_limit > 0 && i < s->cfg.max_players; i++) {
            const sv_client *c = &s->clients[i];
            if (c->state == SLOT_PLAYING && c->frags >= s->cfg.frag_limit) {
                start_intermission(s, "frag limit");
                return;
            }
        }
        return;
    }
    if (s->tick < m->phase_end) return;
    int next = (m->current + 1) % m->map_count;
    char err[600];
    if (!load_map(s, m->maps[next], err, sizeof err)) log_error("%s; staying on %s", err, s->map.name);
    else m->current = next;
    start_match(s);
}
