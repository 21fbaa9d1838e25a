/* cl_render.c - one frame: map, players, name tags, top bar, status panel. */
#include "cl_render.h"

#include "cl_colors.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const SDL_Color COL_BG = {18, 20, 26, 255};
static const SDL_Color COL_FLOOR = {46, 52, 64, 255};
static const SDL_Color COL_GRID = {52, 58, 71, 255};
static const SDL_Color COL_WALL = {120, 128, 146, 255};
static const SDL_Color COL_WALL_TOP = {150, 158, 176, 255};
static const SDL_Color COL_TEXT = {235, 238, 245, 255};
static const SDL_Color COL_DIM = {160, 168, 184, 255};
static const SDL_Color COL_BAD = {255, 120, 110, 255};

static void set_color(SDL_Renderer *r, SDL_Color c) { SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a); }

SDL_Color cl_render_player_color(uint16_t id) {
    uint8_t rgb[3];
    cl_player_color(id, rgb);
    return (SDL_Color){rgb[0], rgb[1], rgb[2], 255};
}

static void fill_circle(SDL_Renderer *r, float cx, float cy, float radius, SDL_Color c) {
    enum { SEG = 24 };
    SDL_Vertex v[SEG + 2];
    int idx[SEG * 3];
    SDL_Color col = c;
    v[0] = (SDL_Vertex){{cx, cy}, col, {0, 0}};
    for (int i = 0; i <= SEG; i++) {
        float a = (float)i * 6.2831853f / SEG;
        v[i + 1] = (SDL_Vertex){{cx + cosf(a) * radius, cy + sinf(a) * radius}, col, {0, 0}};
    }
    for (int i = 0; i < SEG; i++) {
        idx[i * 3] = 0;
        idx[i * 3 + 1] = i + 1;
        idx[i * 3 + 2] = i + 2;
    }
    SDL_RenderGeometry(r, NULL, v, SEG + 2, idx, SEG * 3);
}

static void world_to_screen(const cl_view *v, float wx, float wy, float *sx, float *sy) {
    *sx = (wx - v->cam_x) * v->tile_px + (float)v->w * 0.5f;
    *sy = (wy - v->cam_y) * v->tile_px + (float)v->h * 0.5f;
}

static void draw_map(SDL_Renderer *r, const game_map *m, const cl_view *v) {
    int x0 = (int)floorf(v->cam_x - (float)v->w * 0.5f / v->tile_px) - 1;
    int x1 = (int)ceilf(v->cam_x + (float)v->w * 0.5f / v->tile_px) + 1;
    int y0 = (int)floorf(v->cam_y - (float)v->h * 0.5f / v->tile_px) - 1;
    int y1 = (int)ceilf(v->cam_y + (float)v->h * 0.5f / v->tile_px) + 1;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > m->width) x1 = m->width;
    if (y1 > m->height) y1 = m->height;
    float sx, sy;
    world_to_screen(v, 0, 0, &sx, &sy);
    SDL_FRect floor_rect = {sx, sy, (float)m->width * v->tile_px, (float)m->height * v->tile_px};
    set_color(r, COL_FLOOR);
    SDL_RenderFillRectF(r, &floor_rect);
    set_color(r, COL_GRID);
    for (int x = x0; x <= x1; x++) {
        world_to_screen(v, (float)x, 0, &sx, &sy);
        SDL_RenderDrawLineF(r, sx, sy, sx, sy + (float)m->height * v->tile_px);
    }
    for (int y = y0; y <= y1; y++) {
        world_to_screen(v, 0, (float)y, &sx, &sy);
        SDL_RenderDrawLineF(r, sx, sy, sx + (float)m->width * v->tile_px, sy);
    }
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            if (!map_is_wall(m, x, y)) continue;
            /* Integer edges shared with the neighbours: no seams. */
            float ex, ey;
            world_to_screen(v, (float)x, (float)y, &sx, &sy);
            world_to_screen(v, (float)(x + 1), (float)(y + 1), &ex, &ey);
            int left = (int)floorf(sx), top_px = (int)floorf(sy), right = (int)floorf(ex), bottom = (int)floorf(ey);
            SDL_Rect rc = {left, top_px, right - left, bottom - top_px};
            set_color(r, COL_WALL);
            SDL_RenderFillRect(r, &rc);
            if (y == 0 || !map_is_wall(m, x, y - 1)) { /* light the exposed top edge */
                SDL_Rect top = {left, top_px, right - left, (int)(v->tile_px * 0.18f) + 1};
                set_color(r, COL_WALL_TOP);
                SDL_RenderFillRect(r, &top);
            }
        }
}

/* A rail shot: a bright line from the shooter along its aim to the wall. */
static void draw_tracer(SDL_Renderer *r, const cl_view *v, const game_map *m, float x, float y, uint16_t aim,
                        SDL_Color col) {
    float a = (float)aim * 6.2831853f / PROTO_AIM_STEPS, dx = cosf(a), dy = sinf(a);
    float len = sim_ray_wall_distance(m, x, y, dx, dy, 40.0f);
    float sx, sy, ex, ey;
    world_to_screen(v, x, y, &sx, &sy);
    world_to_screen(v, x + dx * len, y + dy * len, &ex, &ey);
    SDL_SetRenderDrawColor(r, col.r, col.g, col.b, 255);
    for (int o = -1; o <= 1; o++) {
        SDL_RenderDrawLineF(r, sx + (float)o, sy, ex + (float)o, ey);
        SDL_RenderDrawLineF(r, sx, sy + (float)o, ex, ey + (float)o);
    }
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    SDL_RenderDrawLineF(r, sx, sy, ex, ey);
}

static void draw_player(SDL_Renderer *r, cl_text *text, const cl_view *v, const player_state *p, uint16_t id,
                        const char *name, int is_self, double hurt_age) {
    float sx, sy;
    world_to_screen(v, p->x, p->y, &sx, &sy);
    float rad = SIM_PLAYER_HALF * v->tile_px * 1.1f;
    if (sx < -rad * 4 || sy < -rad * 4 || sx > (float)v->w + rad * 4 || sy > (float)v->h + rad * 4) return;
    SDL_Color col = cl_render_player_color(id);
    if (!(p->flags & ENT_FLAG_ALIVE)) { /* dead: a cross where it fell */
        SDL_SetRenderDrawColor(r, col.r / 2, col.g / 2, col.b / 2, 255);
        SDL_RenderDrawLineF(r, sx - rad, sy - rad, sx + rad, sy + rad);
        SDL_RenderDrawLineF(r, sx - rad, sy + rad, sx + rad, sy - rad);
        return;
    }
    if (p->flags & ENT_FLAG_PROTECTED) fill_circle(r, sx, sy, rad + 5.0f, (SDL_Color){90, 200, 255, 255});
    if (hurt_age >= 0 && hurt_age < 0.2) /* just hit: a red burst that shrinks */
        fill_circle(r, sx, sy, rad + 9.0f * (float)(1.0 - hurt_age / 0.2), (SDL_Color){255, 60, 50, 255});
    if (is_self) fill_circle(r, sx, sy, rad + 2.5f, (SDL_Color){255, 255, 255, 255});
    fill_circle(r, sx, sy, rad, col);
    float a = (float)p->aim * 6.2831853f / PROTO_AIM_STEPS;
    SDL_SetRenderDrawColor(r, 20, 20, 24, 255);
    SDL_RenderDrawLineF(r, sx, sy, sx + cosf(a) * rad * 1.4f, sy + sinf(a) * rad * 1.4f);
    cl_text_draw(text, name, (int)sx, (int)(sy - rad - 20), is_self ? COL_TEXT : col, TEXT_SMALL, ALIGN_CENTER);
    if (!is_self && p->health < PROTO_MAX_HEALTH) { /* health bar over others */
        SDL_Rect back = {(int)(sx - rad), (int)(sy + rad + 4), (int)(rad * 2), 4};
        SDL_Rect fill = back;
        fill.w = (int)(rad * 2 * (float)p->health / PROTO_MAX_HEALTH);
        SDL_SetRenderDrawColor(r, 60, 20, 20, 255);
        SDL_RenderFillRect(r, &back);
        SDL_SetRenderDrawColor(r, 90, 220, 90, 255);
        SDL_RenderFillRect(r, &fill);
    }
}

static void draw_panel(SDL_Renderer *r, cl_text *text, const cl_view *v, const char *line1, const char *line2,
                       SDL_Color c1) {
    SDL_Rect box = {v->w / 2 - 360, v->h / 2 - 60, 720, 120};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 190);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    cl_text_draw(text, line1, v->w / 2, v->h / 2 - 38, c1, TEXT_LARGE, ALIGN_CENTER);
    cl_text_draw(text, line2, v->w / 2, v->h / 2 + 12, COL_DIM, TEXT_SMALL, ALIGN_CENTER);
}

/* Camera on one axis: the whole map centred when it fits, else follow the
 * player without showing space beyond the map's edge. */
static float follow_axis(float player, float map_size, float view_size) {
    if (map_size <= view_size) return map_size * 0.5f;
    float half = view_size * 0.5f;
    return fminf(fmaxf(player, half), map_size - half);
}

/* Pickups (from the newest snapshot: they do not move), rockets
 * (interpolated like players), explosions (a ring that grows and fades). */
static void draw_items(SDL_Renderer *r, const cl_view *v, const cl_conn *c, double t, double now) {
    const snap_frame *f = cl_interp_newest(&c->interp);
    float sx, sy;
    for (int i = 0; f && i < f->count; i++) {
        const snap_entity *e = &f->ents[i];
        if (e->id < PROTO_ENT_PICKUP_BASE) continue;
        world_to_screen(v, (float)e->x / PROTO_POS_SCALE, (float)e->y / PROTO_POS_SCALE, &sx, &sy);
        float h = v->tile_px * 0.28f;
        bool there = e->flags & ENT_FLAG_ALIVE;
        if (e->aim == PICKUP_HEALTH) { /* a cross */
            SDL_SetRenderDrawColor(r, there ? 80 : 50, there ? 230 : 70, there ? 110 : 60, 255);
            SDL_FRect a = {sx - h, sy - h / 3, 2 * h, 2 * h / 3}, b = {sx - h / 3, sy - h, 2 * h / 3, 2 * h};
            SDL_RenderFillRectF(r, &a);
            SDL_RenderFillRectF(r, &b);
        } else { /* a box */
            SDL_SetRenderDrawColor(r, there ? 240 : 70, there ? 200 : 66, there ? 60 : 50, 255);
            SDL_FRect a = {sx - h, sy - h * 0.7f, 2 * h, 1.4f * h};
            if (there) SDL_RenderFillRectF(r, &a);
            else SDL_RenderDrawRectF(r, &a);
        }
    }
    for (uint16_t k = 0; k < PROTO_MAX_ROCKETS; k++) {
        uint16_t id = (uint16_t)(PROTO_ENT_ROCKET_BASE + k);
        if (!f || !snap_frame_find(f, id)) continue; /* only rockets still flying */
        player_state p;
        if (!cl_interp_sample(&c->interp, id, t, &p)) continue;
        world_to_screen(v, p.x, p.y, &sx, &sy);
        float len = sqrtf(p.vx * p.vx + p.vy * p.vy);
        float tx = len > 0 ? -p.vx / len : 0, ty = len > 0 ? -p.vy / len : 0;
        SDL_SetRenderDrawColor(r, 255, 170, 60, 255);
        SDL_RenderDrawLineF(r, sx, sy, sx + tx * v->tile_px * 0.8f, sy + ty * v->tile_px * 0.8f);
        fill_circle(r, sx, sy, v->tile_px * 0.14f, (SDL_Color){255, 230, 140, 255});
    }
    for (uint32_t k = 0; k < CL_EFFECTS && k < c->effect_count; k++) {
        const cl_effect *fx = &c->effects[k];
        double age = now - fx->at;
        if (age < 0 || age > 0.45) continue;
        world_to_screen(v, fx->x, fx->y, &sx, &sy);
        float rad = (float)(0.3 + age / 0.45 * 1.3) * v->tile_px;
        Uint8 fade = (Uint8)(255 * (1.0 - age / 0.45));
        fill_circle(r, sx, sy, rad, (SDL_Color){255, (Uint8)(120 + fade / 3), 40, 255});
        fill_circle(r, sx, sy, rad * 0.6f, (SDL_Color){255, 240, (Uint8)(120 + fade / 2), 255});
    }
}

static const char *state_title(const cl_conn *c) {
    switch (c->state) {
    case CONN_CONNECTING: return "Connecting";
    case CONN_HANDSHAKE: return c->resuming ? "Resuming" : "Joining";
    case CONN_IN_GAME: return "";
    case CONN_RECONNECTING: return "Connection lost - reconnecting";
    case CONN_FAILED: return "Could not connect";
    case CONN_REFUSED:
        if ((c->end_reason & 0xffu) == PROTO_REASON_SERVER_FULL) return "Server full";
        if ((c->end_reason & 0xffu) == PROTO_REASON_VERSION) return "Version mismatch";
        return "Refused";
    case CONN_LOST: return "Connection lost";
    case CONN_LEFT: return "Left the game";
    }
    return "";
}

void cl_render_frame(SDL_Renderer *r, cl_text *text, const cl_conn *c, double now, cl_view *view) {
    cl_text_frame(text);
    SDL_GetRendererOutputSize(r, &view->w, &view->h);
    view->tile_px = fmaxf(12.0f, fminf(64.0f, (float)view->h / 22.0f));
    set_color(r, COL_BG);
    SDL_RenderClear(r);

    if (c->map_loaded) {
        view->cam_x = (float)c->map.width * 0.5f;
        view->cam_y = (float)c->map.height * 0.5f;
        player_state me = c->predict.state;
        cl_predict_drawn(&c->predict, &me.x, &me.y);
        if (c->predict.have_state) {
            view->cam_x = follow_axis(me.x, (float)c->map.width, (float)view->w / view->tile_px);
            view->cam_y = follow_axis(me.y, (float)c->map.height, (float)view->h / view->tile_px);
        }
        draw_map(r, &c->map, view);
        double t = cl_conn_render_tick(c, now);
        draw_items(r, view, c, t, now);
        int count = 0;
        for (uint16_t id = 0; id < c->welcome.max_players; id++) {
            if (!c->players[id].present) continue;
            count++;
            if (id == c->welcome.client_id) continue;
            player_state p;
            if (!cl_interp_sample(&c->interp, id, t, &p)) continue;
            if ((p.flags & ENT_FLAG_FIRED) && (p.flags & ENT_FLAG_ALIVE))
                draw_tracer(r, view, &c->map, p.x, p.y, p.aim, cl_render_player_color(id));
            draw_player(r, text, view, &p, id, c->players[id].name, 0, now - c->hurt_at[id]);
        }
        if (c->predict.have_state && now < c->tracer_until)
            draw_tracer(r, view, &c->map, me.x, me.y, c->tracer_aim, cl_render_player_color(c->welcome.client_id));
        if (c->predict.have_state && now < c->flash_until) { /* our muzzle flash, at once */
            float fx, fy, a = (float)c->tracer_aim * 6.2831853f / PROTO_AIM_STEPS;
            world_to_screen(view, me.x + cosf(a) * 0.45f, me.y + sinf(a) * 0.45f, &fx, &fy);
            fill_circle(r, fx, fy, view->tile_px * 0.2f, (SDL_Color){255, 240, 160, 255});
        }
        if (c->predict.have_state)
            draw_player(r, text, view, &me, c->welcome.client_id, c->players[c->welcome.client_id].name, 1,
                        now - c->hurt_at[c->welcome.client_id]);
        char bar[200];
        snprintf(bar, sizeof bar, "%s  |  %s  |  %d/%u players  |  ping %u ms", c->welcome.server_name, c->map.name,
                 count, c->welcome.max_players, c->rtt_ms);
        SDL_Rect top = {0, 0, view->w, 24};
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(r, 0, 0, 0, 150);
        SDL_RenderFillRect(r, &top);
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        cl_text_draw(text, bar, 8, 3, COL_TEXT, TEXT_SMALL, ALIGN_LEFT);
    }
    if (c->state == CONN_IN_GAME && c->interrupted) {
        char line[160];
        snprintf(line, sizeof line, "No word from %.64s for %.0f s; waiting for it to come back", c->server_text,
                 now - c->interrupted_since);
        draw_panel(r, text, view, "Connection interrupted", line, COL_BAD);
    }
    if (c->state == CONN_RECONNECTING) {
        char line[200];
        snprintf(line, sizeof line, "No word from %.64s for %.0f s. Trying to get back in (attempt %u); giving up in %.0f s",
                 c->server_text, now - c->interrupted_since, c->attempts, c->reconnect_until - now);
        draw_panel(r, text, view, state_title(c), line, COL_BAD);
        cl_text_draw(text, "Your slot, name and score are kept. Esc to quit", view->w / 2, view->h / 2 + 36, COL_DIM,
                     TEXT_SMALL, ALIGN_CENTER);
    } else if (c->state != CONN_IN_GAME) {
        SDL_Color col = (c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE) ? COL_TEXT : COL_BAD;
        draw_panel(r, text, view, state_title(c), c->status, col);
        cl_text_draw(text, "Esc to quit", view->w / 2, view->h / 2 + 36, COL_DIM, TEXT_SMALL, ALIGN_CENTER);
    }
}

void cl_render_net_graph(SDL_Renderer *r, cl_text *text, const cl_conn *c, const cl_view *view) {
    if (c->state != CONN_IN_GAME) return;
    const cl_netstats *n = &c->net;
    char lines[8][96];
    snprintf(lines[0], sizeof lines[0], "rtt       %6.0f ms", n->rtt_ms);
    snprintf(lines[1], sizeof lines[1], "jitter    %6.1f ms", n->jitter_ms);
    snprintf(lines[2], sizeof lines[2], "loss      %3u%% down %3u%% up", n->loss_down_pct, n->loss_up_pct);
    snprintf(lines[3], sizeof lines[3], "in        %6.2f KB/s", n->kbytes_down_s);
    snprintf(lines[4], sizeof lines[4], "out       %6.2f KB/s", n->kbytes_up_s);
    snprintf(lines[5], sizeof lines[5], "snapshot  %6u B", n->last_snapshot_bytes);
    snprintf(lines[6], sizeof lines[6], "interp    %6.0f ms", n->interp_delay_ms);
    snprintf(lines[7], sizeof lines[7], "correct   %6.1f /s", n->corrections_s);
    int w = 290, h = 8 * 18 + 30, x = view->w - w - 10, y = 34;
    SDL_Rect box = {x, y, w, h};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 180);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    cl_text_draw(text, "net graph (F3)", x + 10, y + 6, COL_DIM, TEXT_SMALL, ALIGN_LEFT);
    for (int i = 0; i < 8; i++) cl_text_draw(text, lines[i], x + 10, y + 26 + i * 18, COL_TEXT, TEXT_MONO, ALIGN_LEFT);
}

void cl_render_chat(SDL_Renderer *r, cl_text *text, const cl_conn *c, const cl_view *view, double now,
                    const char *typing) {
    if (c->state != CONN_IN_GAME) return;
    int y = view->h - 30 - (typing ? 24 : 0);
    for (uint32_t k = 0; k < CL_CHAT_LINES && k < c->chat_count; k++) {
        const cl_chat_line *l = &c->chat[(c->chat_count - 1 - k) % CL_CHAT_LINES];
        if (!typing && now - l->at > CL_CHAT_SHOW_SECONDS) break;
        SDL_Color col = l->from == PROTO_CHAT_FROM_SERVER ? COL_BAD : cl_render_player_color(l->from);
        int w = 0;
        if (l->from != PROTO_CHAT_FROM_SERVER) {
            /* "name: text": the name in the player's colour */
            const char *colon = strstr(l->text, ": ");
            char name[PROTO_NAME_MAX + 2];
            size_t n = colon ? (size_t)(colon - l->text) + 1 : 0;
            if (n && n < sizeof name) {
                memcpy(name, l->text, n);
                name[n] = '\0';
                w = cl_text_draw(text, name, 12, y, col, TEXT_SMALL, ALIGN_LEFT);
                cl_text_draw(text, colon + 2, 12 + w + 6, y, COL_TEXT, TEXT_SMALL, ALIGN_LEFT);
            }
        } else {
            cl_text_draw(text, l->text, 12, y, col, TEXT_SMALL, ALIGN_LEFT);
        }
        y -= 20;
    }
    if (typing) {
        char line[PROTO_CHAT_MAX + 16];
        snprintf(line, sizeof line, "say: %s_", typing);
        SDL_Rect box = {6, view->h - 32, view->w - 12, 24};
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(r, 0, 0, 0, 170);
        SDL_RenderFillRect(r, &box);
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        cl_text_draw(text, line, 12, view->h - 29, COL_TEXT, TEXT_SMALL, ALIGN_LEFT);
    }
}

void cl_render_hud(SDL_Renderer *r, cl_text *text, const cl_conn *c, const cl_view *view, double now) {
    if (c->state != CONN_IN_GAME || !c->predict.have_state) return;
    const player_state *me = &c->predict.state;
    const cl_player *self = &c->players[c->welcome.client_id];
    /* bottom bar: health bar and numbers */
    int y = view->h - 58;
    SDL_Rect back = {12, y, 200, 16}, fill = back;
    fill.w = 200 * me->health / PROTO_MAX_HEALTH;
    SDL_SetRenderDrawColor(r, 60, 20, 20, 255);
    SDL_RenderFillRect(r, &back);
    SDL_SetRenderDrawColor(r, me->health > 30 ? 90 : 230, me->health > 30 ? 220 : 80, 90, 255);
    SDL_RenderFillRect(r, &fill);
    char line[160];
    double left = cl_render_seconds_left(c, now);
    char clock_text[32] = "";
    if (left > 0) snprintf(clock_text, sizeof clock_text, "   time %d:%02d", (int)left / 60, (int)left % 60);
    snprintf(line, sizeof line, "health %u   ammo %u   frags %d   deaths %d%s", me->health, c->self_ammo, self->frags,
             self->deaths, clock_text);
    cl_text_draw(text, line, 222, y - 1, COL_TEXT, TEXT_SMALL, ALIGN_LEFT);
    /* kill feed, newest first, under the top bar */
    int ky = 30;
    for (uint32_t k = 0; k < CL_KILL_FEED && k < c->kill_count; k++) {
        const cl_kill *kl = &c->kills[(c->kill_count - 1 - k) % CL_KILL_FEED];
        if (now - kl->at > 6.0) break;
        if (kl->killer == kl->victim) snprintf(line, sizeof line, "%s fragged themselves", c->players[kl->victim].name);
        else
            snprintf(line, sizeof line, "%s  -%s->  %s", c->players[kl->killer].name,
                     kl->weapon == WEAPON_ROCKET ? "rocket" : "rail", c->players[kl->victim].name);
        cl_text_draw(text, line, 12, ky, cl_render_player_color(kl->killer), TEXT_SMALL, ALIGN_LEFT);
        ky += 18;
    }
    double hurt = now - c->hurt_at[c->welcome.client_id];
    if (hurt >= 0 && hurt < 0.3) { /* we were hit: the screen's edge flashes red */
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(r, 255, 0, 0, (Uint8)(120 * (1.0 - hurt / 0.3)));
        SDL_Rect edges[4] = {{0, 0, view->w, 14}, {0, view->h - 14, view->w, 14}, {0, 0, 14, view->h},
                             {view->w - 14, 0, 14, view->h}};
        SDL_RenderFillRects(r, edges, 4);
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    }
    if (!(me->flags & ENT_FLAG_ALIVE)) {
        char who[80];
        snprintf(who, sizeof who, "Fragged by %s - respawning", c->players[c->last_killer].name);
        cl_text_draw(text, who, view->w / 2, view->h / 3, COL_BAD, TEXT_LARGE, ALIGN_CENTER);
    }
}

double cl_render_seconds_left(const cl_conn *c, double now) {
    if (!c->have_match || (c->match.phase == MATCH_PLAYING && c->match.time_limit_s == 0)) return 0.0;
    double left = ((double)c->match.phase_end_tick - cl_interp_server_tick(&c->interp, now)) / c->welcome.tick_rate;
    return left > 0 ? left : 0.0;
}

void cl_render_scoreboard(SDL_Renderer *r, cl_text *text, const cl_conn *c, const cl_view *view, double now) {
    if (c->state != CONN_IN_GAME) return;
    uint16_t order[PROTO_MAX_PLAYERS];
    int n = 0;
    for (uint16_t id = 0; id < c->welcome.max_players; id++)
        if (c->players[id].present) order[n++] = id;
    for (int i = 1; i < n; i++) /* insertion sort: frags down, deaths up */
        for (int j = i; j > 0; j--) {
            const cl_player *a = &c->players[order[j - 1]], *b = &c->players[order[j]];
            if (a->frags > b->frags || (a->frags == b->frags && a->deaths <= b->deaths)) break;
            uint16_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    int rows = n < 20 ? n : 20, w = 460, h = 60 + rows * 20;
    SDL_Rect box = {view->w / 2 - w / 2, 60, w, h};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 200);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    int x = box.x + 16, y = box.y + 10;
    if (c->have_match && c->match.phase == MATCH_INTERMISSION && n > 0) {
        char banner[160];
        snprintf(banner, sizeof banner, "Match over: %s wins. Next map %s in %.0f s", c->players[order[0]].name,
                 c->match.next_map, cl_render_seconds_left(c, now));
        cl_text_draw(text, banner, view->w / 2, box.y - 34, COL_TEXT, TEXT_LARGE, ALIGN_CENTER);
    }
    cl_text_draw(text, "player", x, y, COL_DIM, TEXT_SMALL, ALIGN_LEFT);
    cl_text_draw(text, "frags", x + 230, y, COL_DIM, TEXT_SMALL, ALIGN_LEFT);
    cl_text_draw(text, "deaths", x + 300, y, COL_DIM, TEXT_SMALL, ALIGN_LEFT);
    cl_text_draw(text, "ping", x + 380, y, COL_DIM, TEXT_SMALL, ALIGN_LEFT);
    for (int i = 0; i < rows; i++) {
        const cl_player *p = &c->players[order[i]];
        char num[16];
        int ry = y + 28 + i * 20;
        cl_text_draw(text, p->name, x, ry, cl_render_player_color(order[i]), TEXT_SMALL, ALIGN_LEFT);
        snprintf(num, sizeof num, "%d", p->frags);
        cl_text_draw(text, num, x + 230, ry, COL_TEXT, TEXT_SMALL, ALIGN_LEFT);
        snprintf(num, sizeof num, "%d", p->deaths);
        cl_text_draw(text, num, x + 300, ry, COL_TEXT, TEXT_SMALL, ALIGN_LEFT);
        snprintf(num, sizeof num, "%u", p->ping_ms);
        cl_text_draw(text, num, x + 380, ry, COL_TEXT, TEXT_SMALL, ALIGN_LEFT);
    }
}
