/* sv_combat.c - shots, damage, deaths, respawns and scores (sv_combat.h). */
#include "sv_combat.h"

#include <math.h>
#include <stdio.h>

#include "log.h"

static uint32_t ticks_for(const server *s, double seconds) {
    return (uint32_t)(seconds * s->cfg.tick_rate + 0.5);
}

static void send_score(server *s, sv_client *to, const sv_client *c) {
    msg_score m = {sv_client_id(s, c), (int16_t)c->frags, (uint16_t)c->deaths,
                   (uint16_t)(c->peer ? c->peer->roundTripTime : 0)};
    uint8_t buf[16];
    size_t n = msg_encode_score(buf, sizeof buf, &m);
    if (!n) return;
    if (to) net_send(to->peer, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
    else sv_broadcast(s, PROTO_CHANNEL_RELIABLE, buf, n, NET_RELIABLE);
}

void sv_combat_send_scores(server *s, sv_client *to) {
    for (int i = 0; i < s->cfg.max_players; i++)
        if (s->clients[i].state == SLOT_PLAYING || s->clients[i].state == SLOT_DETACHED) send_score(s, to, &s->clients[i]);
}

int sv_combat_witnesses(const server *s, const sv_client *killer, const sv_client *victim, uint16_t *out,
                        int *principals) {
    int n = 0;
    if (!sv_clients_large_game(s)) {
        for (int i = 0; i < s->cfg.max_players; i++)
            if (s->clients[i].state == SLOT_PLAYING) out[n++] = (uint16_t)i;
        *principals = n;
        return n;
    }
    uint16_t near[SV_GRID_MAX_ITEMS];
    int k = s->view_grid.built ? sv_grid_query_radius(&s->view_grid, victim->ps.x, victim->ps.y, SV_VIEW_RADIUS,
                                                       near, SV_GRID_MAX_ITEMS)
                               : 0;
    uint16_t self[2] = {sv_client_id(s, killer), sv_client_id(s, victim)};
    *principals = 0;
    for (int j = 0; j < k + 2; j++) {
        uint16_t id = j < 2 ? self[j] : near[j - 2];
        if (id >= s->cfg.max_players || s->clients[id].state != SLOT_PLAYING) continue; /* rockets, pickups */
        if (j >= 2 && (id == self[0] || id == self[1])) continue;
        if (j == 1 && id == self[0]) continue; /* a suicide: one player */
        out[n++] = id;
        if (j < 2) *principals = n;
    }
    return n;
}

/* The witnesses of a kill get buf. */
static void tell_witnesses(server *s, const uint16_t *who, int n, const uint8_t *buf, size_t len) {
    ENetPeer **to = s->peer_scratch;
    for (int i = 0; i < n; i++) to[i] = s->clients[who[i]].peer;
    net_send_many(to, n, PROTO_CHANNEL_RELIABLE, buf, len, NET_RELIABLE);
}

static void send_feed_line(const sv_client *c, const msg_kill *m) {
    uint8_t buf[16];
    size_t n = msg_encode_kill(buf, sizeof buf, m);
    if (n) net_send(c->peer, PROTO_CHANNEL_UNRELIABLE, buf, n, NET_UNSEQUENCED);
}

/* A kill feed line for c's next snapshot; sent at once when SV_FEED_MAX
 * are already waiting. */
static void hold_feed_line(sv_client *c, const msg_kill *m) {
    if (c->feed_count < SV_FEED_MAX) c->feed[c->feed_count++] = *m;
    else send_feed_line(c, m);
}

void sv_combat_send_feed(sv_client *c) {
    for (int i = 0; i < c->feed_count; i++) send_feed_line(c, &c->feed[i]);
    c->feed_count = 0;
}

static void send_score_to(server *s, const uint16_t *who, int n, const sv_client *c) {
    msg_score m = {sv_client_id(s, c), (int16_t)c->frags, (uint16_t)c->deaths,
                   (uint16_t)(c->peer ? c->peer->roundTripTime : 0)};
    uint8_t buf[16];
    size_t len = msg_encode_score(buf, sizeof buf, &m);
    if (len) tell_witnesses(s, who, n, buf, len);
}

/* True when a ranks above b on the scoreboard. */
static bool ranks_above(const sv_client *a, const sv_client *b) {
    return a->frags > b->frags || (a->frags == b->frags && a->deaths < b->deaths);
}

int sv_combat_send_leaders(server *s) {
    int top[SV_LEADER_ROWS], n = 0;
    for (int i = 0; i < s->cfg.max_players; i++) { /* insertion into the top rows: N x 20 at worst */
        const sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING && c->state != SLOT_DETACHED) continue;
        if (n == SV_LEADER_ROWS && !ranks_above(c, &s->clients[top[n - 1]])) continue;
        int j = n < SV_LEADER_ROWS ? n++ : n - 1;
        while (j > 0 && ranks_above(c, &s->clients[top[j - 1]])) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = i;
    }
    uint16_t changed[SV_LEADER_ROWS];
    int sent = 0;
    for (int k = 0; k < n; k++) {
        sv_client *c = &s->clients[top[k]];
        if (c->told_frags == c->frags && c->told_deaths == c->deaths) continue;
        c->told_frags = c->frags;
        c->told_deaths = c->deaths;
        changed[sent++] = (uint16_t)top[k];
    }
    sv_clients_announce(s, changed, sent); /* one message for them all */
    return sent;
}

/* Puts the living players (but `except`) into s->combat_grid as they are
 * now; the queries below then look only at nearby cells instead of every
 * player. */
static void index_players(server *s, const sv_client *except) {
    sv_grid *g = &s->combat_grid;
    sv_grid_begin(g, s->map.width, s->map.height);
    for (int i = 0; i < s->cfg.max_players; i++) {
        const sv_client *o = &s->clients[i];
        if (o != except && o->state == SLOT_PLAYING && (o->ps.flags & ENT_FLAG_ALIVE))
            sv_grid_add(g, (uint16_t)i, o->ps.x, o->ps.y);
    }
    sv_grid_build(g);
}

/* Ids of the indexed players within r of (x, y), plus `also` (-1: none),
 * in increasing order: the order the loops over every player went in, so
 * that the outcome (who is hit first, who takes a pickup) is the same. */
static int players_near(const server *s, float x, float y, float r, int also, uint16_t *out) {
    uint16_t found[PROTO_MAX_PLAYERS];
    int n = sv_grid_query_radius(&s->combat_grid, x, y, r, found, PROTO_MAX_PLAYERS);
    uint64_t bits[PROTO_MAX_PLAYERS / 64] = {0};
    for (int k = 0; k < n; k++) bits[found[k] >> 6] |= 1ull << (found[k] & 63);
    if (also >= 0 && also < PROTO_MAX_PLAYERS) bits[also >> 6] |= 1ull << (also & 63);
    int count = 0;
    for (int w = 0; w < PROTO_MAX_PLAYERS / 64; w++)
        for (uint64_t b = bits[w]; b; b &= b - 1) out[count++] = (uint16_t)(w * 64 + __builtin_ctzll(b));
    return count;
}

/* The spawn point whose nearest living enemy is farthest away, among at
 * most SV_SPAWN_CANDIDATES of them spread evenly over the map's list (from
 * a point that moves on with every spawn): every one on a small map; on
 * metropolis's 1000, measuring each cost a third of a million instructions
 * a respawn. A candidate stops being measured as soon as an enemy is found
 * no farther than the best so far: it cannot win then. */
static uint32_t pick_spawn(server *s, const sv_client *c) {
    uint32_t count = (uint32_t)s->map.spawn_count;
    uint32_t start = s->spawn_counter++ % count, best = start;
    uint32_t tries = count < SV_SPAWN_CANDIDATES ? count : SV_SPAWN_CANDIDATES;
    float best_d = -1.0f;
    index_players(s, c);
    for (uint32_t k = 0; k < tries; k++) {
        uint32_t i = (start + (uint32_t)((uint64_t)k * count / tries)) % count;
        const map_spawn *sp = &s->map.spawns[i];
        float nearest = sv_grid_nearest_d2(&s->combat_grid, sp->x, sp->y, best_d);
        if (nearest > best_d) {
            best_d = nearest;
            best = i;
        }
    }
    return best;
}

void sv_combat_spawn(server *s, sv_client *c) {
    sim_player_spawn(&s->map, &c->ps, pick_spawn(s, c));
    c->ps.flags |= ENT_FLAG_PROTECTED;
    c->protect_until = s->tick + ticks_for(s, SV_SPAWN_PROTECTION);
    c->ammo = SV_START_AMMO;
    c->ammo_at = s->tick + ticks_for(s, SV_AMMO_REGEN);
}

void sv_combat_begin_tick(server *s) {
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING) continue;
        if (!(c->ps.flags & ENT_FLAG_ALIVE)) {
            if (s->tick >= c->respawn_at) sv_combat_spawn(s, c);
            continue;
        }
        if (s->tick >= c->protect_until) c->ps.flags &= (uint8_t)~ENT_FLAG_PROTECTED;
        if (s->tick >= c->fired_until) c->ps.flags &= (uint8_t)~ENT_FLAG_FIRED;
        if (c->ammo >= SV_START_AMMO) c->ammo_at = s->tick + ticks_for(s, SV_AMMO_REGEN);
        else if (s->tick >= c->ammo_at) {
            c->ammo++;
            c->ammo_at = s->tick + ticks_for(s, SV_AMMO_REGEN);
        }
    }
}

static void kill(server *s, sv_client *killer, sv_client *victim, uint8_t weapon) {
    victim->ps.health = 0;
    victim->ps.flags = 0; /* dead: not alive, not firing, not protected */
    victim->ps.vx = victim->ps.vy = 0.0f;
    victim->deaths++;
    victim->respawn_at = s->tick + ticks_for(s, SV_RESPAWN_DELAY);
    if (killer == victim) killer->frags--;
    else killer->frags++;
    s->kills_since_log++;
    if (!sv_clients_large_game(s)) /* large games: a count in the stats lines (some 200 kills a second at 1000) */
        log_info("kill: '%s' fragged '%s' (%d frags)", killer->name, victim->name, killer->frags);
    sv_combat_kill_news(s, killer, victim, weapon);
}

void sv_combat_kill_news(server *s, sv_client *killer, sv_client *victim, uint8_t weapon) {
    msg_kill m = {sv_client_id(s, killer), sv_client_id(s, victim), weapon};
    uint8_t buf[16];
    size_t n = msg_encode_kill(buf, sizeof buf, &m);
    uint16_t *who = s->witness_scratch;
    int np, nw = sv_combat_witnesses(s, killer, victim, who, &np);
    if (n) tell_witnesses(s, who, np, buf, n);
    for (int i = np; i < nw; i++) hold_feed_line(&s->clients[who[i]], &m);
    /* The two new score rows: to every witness in a small game (everyone);
     * in a large one to the two players only, the others see the leaders'
     * rows (sv_combat_send_leaders): a row for each witness of each kill
     * was two thirds of a large game's reliable messages. */
    send_score_to(s, who, np, killer);
    if (victim != killer) send_score_to(s, who, np, victim);
}

/* Applies damage from `attacker`; protected and dead players take none. */
static void damage(server *s, sv_client *attacker, sv_client *v, int amount, uint8_t weapon) {
    if (amount <= 0 || v->state != SLOT_PLAYING || !(v->ps.flags & ENT_FLAG_ALIVE) ||
        (v->ps.flags & ENT_FLAG_PROTECTED))
        return;
    if (attacker != v) attacker->hits++;
    v->ps.health = v->ps.health > amount ? (uint8_t)(v->ps.health - amount) : 0;
    if (v->ps.health == 0) kill(s, attacker, v, weapon);
}

static void fire_rocket(server *s, sv_client *c) {
    c->ammo -= SV_ROCKET_COST;
    c->fire_ready = s->tick + ticks_for(s, SV_ROCKET_COOLDOWN);
    c->fired_until = s->tick + ticks_for(s, SV_FIRED_FLAG_TIME);
    c->ps.flags = (uint8_t)((c->ps.flags | ENT_FLAG_FIRED) & ~ENT_FLAG_PROTECTED);
    c->shots++;
    for (int i = 0; i < PROTO_MAX_ROCKETS; i++) {
        sv_rocket *r = &s->rockets[i];
        if (r->active) continue;
        float a = (float)c->cmd.aim * 6.2831853f / PROTO_AIM_STEPS;
        *r = (sv_rocket){true, sv_client_id(s, c), c->ps.x, c->ps.y, cosf(a) * SV_ROCKET_SPEED,
                         sinf(a) * SV_ROCKET_SPEED, s->tick, s->tick + ticks_for(s, SV_ROCKET_LIFE)};
        return;
    }
}

static void explode(server *s, sv_rocket *r, int direct) {
    sv_client *owner = &s->clients[r->owner];
    bool owner_here = owner->state == SLOT_PLAYING;
    uint16_t near[PROTO_MAX_PLAYERS]; /* everyone the blast can reach, and the one hit */
    int nn = players_near(s, r->x, r->y, SV_ROCKET_RADIUS + 0.01f, direct, near);
    for (int q = 0; q < nn; q++) {
        int i = near[q];
        sv_client *v = &s->clients[i];
        if (v->state != SLOT_PLAYING || !(v->ps.flags & ENT_FLAG_ALIVE)) continue;
        float dx = v->ps.x - r->x, dy = v->ps.y - r->y, d = sqrtf(dx * dx + dy * dy);
        int amount = i == direct ? SV_ROCKET_DIRECT : 0;
        if (d < SV_ROCKET_RADIUS) amount += (int)(SV_ROCKET_SPLASH * (1.0f - d / SV_ROCKET_RADIUS));
        if (v == owner) amount /= 2;
        damage(s, owner_here ? owner : v, v, amount, WEAPON_ROCKET);
    }
    r->active = false;
}

/* Moves every rocket one tick: it explodes on the first wall or player on
 * its path, or burns out. */
static void move_rockets(server *s) {
    float dt = 1.0f / (float)s->cfg.tick_rate;
    for (int k = 0; k < PROTO_MAX_ROCKETS; k++) {
        sv_rocket *r = &s->rockets[k];
        if (!r->active) continue;
        if (s->tick >= r->expires || !(r->x > 0 && r->y > 0)) {
            r->active = false;
            continue;
        }
        float len = SV_ROCKET_SPEED * dt, dx = r->vx / SV_ROCKET_SPEED, dy = r->vy / SV_ROCKET_SPEED;
        float wall = sim_ray_wall_distance(&s->map, r->x, r->y, dx, dy, len);
        float travel = wall;
        int hit = -1;
        /* Only players within reach of this tick's path can be hit: at most
         * len + SV_ROCKET_HIT_RADIUS along it and SV_ROCKET_HIT_RADIUS off it. */
        uint16_t near[PROTO_MAX_PLAYERS];
        int nn = players_near(s, r->x, r->y, len + 2.0f * SV_ROCKET_HIT_RADIUS + 0.01f, -1, near);
        for (int q = 0; q < nn; q++) {
            int i = near[q];
            const sv_client *v = &s->clients[i];
            if (v->state != SLOT_PLAYING || !(v->ps.flags & ENT_FLAG_ALIVE)) continue;
            if (i == r->owner && s->tick - r->born < ticks_for(s, 0.15)) continue; /* leaving the barrel */
            float px = v->ps.x - r->x, py = v->ps.y - r->y, along = px * dx + py * dy;
            if (along < -SV_ROCKET_HIT_RADIUS || along > travel + SV_ROCKET_HIT_RADIUS) continue;
            float perp2 = px * px + py * py - along * along;
            if (perp2 <= SV_ROCKET_HIT_RADIUS * SV_ROCKET_HIT_RADIUS && along < travel + 1e-3f) {
                travel = along > 0 ? along : 0;
                hit = i;
            }
        }
        r->x += dx * travel;
        r->y += dy * travel;
        if (hit >= 0 || wall < len) explode(s, r, hit);
    }
}

/* Players standing on an available pickup take it if they need it. */
static void take_pickups(server *s) {
    for (int k = 0; k < s->map.pickup_count; k++) {
        if (s->pickup_back[k] > s->tick) continue;
        const map_pickup *p = &s->map.pickups[k];
        uint16_t near[PROTO_MAX_PLAYERS];
        int nn = players_near(s, p->x, p->y, SV_PICKUP_RADIUS + 0.01f, -1, near);
        for (int q = 0; q < nn; q++) {
            sv_client *c = &s->clients[near[q]];
            if (c->state != SLOT_PLAYING || !(c->ps.flags & ENT_FLAG_ALIVE)) continue;
            float dx = c->ps.x - p->x, dy = c->ps.y - p->y;
            if (dx * dx + dy * dy > SV_PICKUP_RADIUS * SV_PICKUP_RADIUS) continue;
            if (p->type == PICKUP_HEALTH && c->ps.health < PROTO_MAX_HEALTH) {
                int h = c->ps.health + SV_HEALTH_PICKUP;
                c->ps.health = (uint8_t)(h > PROTO_MAX_HEALTH ? PROTO_MAX_HEALTH : h);
                s->pickup_back[k] = s->tick + ticks_for(s, SV_HEALTH_RESPAWN);
            } else if (p->type == PICKUP_AMMO && c->ammo < SV_MAX_AMMO) {
                c->ammo = c->ammo + SV_AMMO_PICKUP > SV_MAX_AMMO ? SV_MAX_AMMO : c->ammo + SV_AMMO_PICKUP;
                s->pickup_back[k] = s->tick + ticks_for(s, SV_AMMO_RESPAWN);
            } else {
                continue;
            }
            c->pickups++;
            break;
        }
    }
}

static void fire(server *s, sv_client *c) {
    c->ammo--;
    c->fire_ready = s->tick + ticks_for(s, SV_RAIL_COOLDOWN);
    c->fired_until = s->tick + ticks_for(s, SV_FIRED_FLAG_TIME);
    c->ps.flags = (uint8_t)((c->ps.flags | ENT_FLAG_FIRED) & ~ENT_FLAG_PROTECTED); /* firing ends protection */
    c->shots++;
    uint32_t t = lag_rewind_tick(&s->lag, s->tick, c->cmd.view_tick, s->cfg.tick_rate);
    float angle = (float)c->cmd.aim * 6.2831853f / PROTO_AIM_STEPS;
    float dist;
    int hit = lag_raycast(&s->lag, &s->map, t, sv_client_id(s, c), c->ps.x, c->ps.y, angle, SV_RAIL_RANGE, &dist);
    if (hit < 0) return;
    sv_client *v = &s->clients[hit];
    /* The target as it is now decides whether it can still be hurt. */
    damage(s, c, v, SV_RAIL_DAMAGE, WEAPON_RAIL);
}

void sv_combat_after_move(server *s) {
    index_players(s, NULL); /* positions are final for this tick; shots and pickups only change health */
    lag_begin_tick(&s->lag, s->tick);
    for (int i = 0; i < s->cfg.max_players; i++) {
        const sv_client *c = &s->clients[i];
        if (c->state == SLOT_PLAYING) lag_record(&s->lag, s->tick, i, c->ps.x, c->ps.y, c->ps.flags & ENT_FLAG_ALIVE);
    }
    for (int i = 0; i < s->cfg.max_players; i++) {
        sv_client *c = &s->clients[i];
        if (c->state != SLOT_PLAYING || !(c->ps.flags & ENT_FLAG_ALIVE) || s->tick < c->fire_ready) continue;
        if ((c->cmd.buttons & BTN_FIRE) && c->ammo > 0) fire(s, c);
        else if ((c->cmd.buttons & BTN_FIRE2) && c->ammo >= SV_ROCKET_COST) fire_rocket(s, c);
    }
    move_rockets(s);
    take_pickups(s);
}
