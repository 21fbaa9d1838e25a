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

static void draw_player(SDL_Renderer *r, cl_text *text, const cl_view *v, const player_state *p, uint16_t id,
                        const char *name, int is_self) {
    float sx, sy;
    world_to_screen(v, p->x, p->y, &sx, &sy);
    float rad = SIM_PLAYER_HALF * v->tile_px * 1.1f;
    if (sx < -rad * 4 || sy < -rad * 4 || sx > (float)v->w + rad * 4 || sy > (float)v->h + rad * 4) return;
    SDL_Color col = cl_render_player_color(id);
    if (is_self) fill_circle(r, sx, sy, rad + 2.5f, (SDL_Color){255, 255, 255, 255});
    fill_circle(r, sx, sy, rad, col);
    float a = (float)p->aim * 6.2831853f / PROTO_AIM_STEPS;
    SDL_SetRenderDrawColor(r, 20, 20, 24, 255);
    SDL_RenderDrawLineF(r, sx, sy, sx + cosf(a) * rad * 1.4f, sy + sinf(a) * rad * 1.4f);
    cl_text_draw(text, name, (int)sx, (int)(sy - rad - 20), is_self ? COL_TEXT : col, TEXT_SMALL, ALIGN_CENTER);
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

static const char *state_title(const cl_conn *c) {
    switch (c->state) {
    case CONN_CONNECTING: return "Connecting";
    case CONN_HANDSHAKE: return "Joining";
    case CONN_IN_GAME: return "";
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
        int count = 0;
        for (uint16_t id = 0; id < c->welcome.max_players; id++) {
            if (!c->players[id].present) continue;
            count++;
            if (id == c->welcome.client_id) continue;
            player_state p;
            if (cl_interp_sample(&c->interp, id, t, &p)) draw_player(r, text, view, &p, id, c->players[id].name, 0);
        }
        if (c->predict.have_state)
            draw_player(r, text, view, &me, c->welcome.client_id,
                        c->players[c->welcome.client_id].name, 1);
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
    if (c->state != CONN_IN_GAME) {
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
