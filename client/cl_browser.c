/* cl_browser.c - the LAN server browser start screen (see cl_browser.h). */
#include "cl_browser.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

static const SDL_Color C_TEXT = {235, 238, 245, 255};
static const SDL_Color C_DIM = {160, 168, 184, 255};
static const SDL_Color C_ACCENT = {120, 200, 255, 255};
static const SDL_Color C_WARN = {255, 150, 120, 255};

void cl_browser_init(cl_browser *b, const char *broadcast, uint16_t discovery_port, const char *name, double now) {
    memset(b, 0, sizeof *b);
    b->selected = -1;
    b->last_click_row = -1;
    snprintf(b->name, sizeof b->name, "%s", name);
    b->disc_ok = cl_discovery_open(&b->disc, broadcast, discovery_port, b->disc_error, sizeof b->disc_error);
    b->last_query = now - CL_BROWSER_REFRESH; /* ask at once */
}

void cl_browser_free(cl_browser *b) {
    if (b->disc_ok) cl_discovery_close(&b->disc);
    b->disc_ok = false;
}

void cl_browser_update(cl_browser *b, double now) {
    if (b->disc_ok) {
        if (now - b->last_query >= CL_BROWSER_REFRESH) {
            cl_discovery_send(&b->disc, now);
            b->last_query = now;
        }
        cl_discovery_poll(&b->disc, now);
    }
    b->shown_count = 0;
    for (int i = 0; b->disc_ok && i < cl_discovery_count(&b->disc); i++)
        if (now - cl_discovery_get(&b->disc, i)->last_seen <= CL_BROWSER_FORGET) b->shown[b->shown_count++] = i;
    if (b->selected >= b->shown_count) b->selected = b->shown_count - 1;
    if (b->selected < 0 && b->shown_count > 0 && b->focus == FIELD_LIST) b->selected = 0;
}

/* The address of the selected server, as HOST:PORT. */
static bool selected_address(const cl_browser *b, char *out, size_t cap) {
    if (b->selected < 0 || b->selected >= b->shown_count) return false;
    net_format_address(&cl_discovery_get(&b->disc, b->shown[b->selected])->address, out, cap);
    return true;
}

static void backspace(char *s) {
    size_t n = strlen(s);
    while (n > 0 && ((unsigned char)s[n - 1] & 0xc0) == 0x80) n--;
    s[n > 0 ? n - 1 : 0] = '\0';
}

#define ROW_Y0 150
#define ROW_H 26

bool cl_browser_event(cl_browser *b, const SDL_Event *ev, double now, char *connect, size_t cap) {
    if (ev->type == SDL_TEXTINPUT) {
        char *field = b->focus == FIELD_ADDRESS ? b->address : b->focus == FIELD_NAME ? b->name : NULL;
        size_t limit = b->focus == FIELD_NAME ? PROTO_NAME_MAX : sizeof b->address - 1;
        if (field && strlen(field) + strlen(ev->text.text) <= limit) strcat(field, ev->text.text);
        return false;
    }
    if (ev->type == SDL_MOUSEBUTTONDOWN && ev->button.button == SDL_BUTTON_LEFT) {
        int row = (ev->button.y - ROW_Y0) / ROW_H;
        if (ev->button.y >= ROW_Y0 && row < b->shown_count) {
            bool double_click = row == b->last_click_row && now - b->last_click < 0.4;
            b->selected = row;
            b->focus = FIELD_LIST;
            b->last_click = now;
            b->last_click_row = row;
            if (double_click) return selected_address(b, connect, cap);
        }
        return false;
    }
    if (ev->type != SDL_KEYDOWN) return false;
    SDL_Keycode k = ev->key.keysym.sym;
    if (k == SDLK_TAB) b->focus = (cl_browser_field)((b->focus + 1) % FIELD_COUNT);
    else if (k == SDLK_BACKSPACE && b->focus == FIELD_ADDRESS) backspace(b->address);
    else if (k == SDLK_BACKSPACE && b->focus == FIELD_NAME) backspace(b->name);
    else if (k == SDLK_DOWN && b->selected + 1 < b->shown_count) b->selected++, b->focus = FIELD_LIST;
    else if (k == SDLK_UP && b->selected > 0) b->selected--, b->focus = FIELD_LIST;
    else if (k == SDLK_F5) b->last_query = now - CL_BROWSER_REFRESH;
    else if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
        if (b->focus == FIELD_ADDRESS || (b->focus == FIELD_NAME && b->address[0])) {
            if (!b->address[0]) return false;
            snprintf(connect, cap, "%s", b->address);
            return true;
        }
        return selected_address(b, connect, cap);
    }
    return false;
}

static void field(SDL_Renderer *r, cl_text *t, int x, int y, int w, const char *label, const char *value, bool focused,
                  double now) {
    SDL_Rect box = {x + 90, y - 3, w - 90, 24};
    SDL_SetRenderDrawColor(r, 30, 34, 44, 255);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, focused ? 120 : 70, focused ? 200 : 76, focused ? 255 : 92, 255);
    SDL_RenderDrawRect(r, &box);
    cl_text_draw(t, label, x, y, C_DIM, TEXT_SMALL, ALIGN_LEFT);
    char shown[300];
    snprintf(shown, sizeof shown, "%s%s", value, focused && ((int)(now * 2) % 2) ? "_" : "");
    cl_text_draw(t, shown, x + 98, y, C_TEXT, TEXT_SMALL, ALIGN_LEFT);
}

void cl_browser_draw(SDL_Renderer *r, cl_text *t, cl_browser *b, int w, int h, double now) {
    cl_text_frame(t);
    SDL_SetRenderDrawColor(r, 18, 20, 26, 255);
    SDL_RenderClear(r);
    cl_text_draw(t, "LAN Arena", 40, 28, C_TEXT, TEXT_LARGE, ALIGN_LEFT);
    char sub[200];
    if (b->disc_ok)
        snprintf(sub, sizeof sub, "Servers on your network (asking every %.0f s; F5 asks now)", CL_BROWSER_REFRESH);
    else
        snprintf(sub, sizeof sub, "LAN search unavailable: %s", b->disc_error);
    cl_text_draw(t, sub, 40, 66, b->disc_ok ? C_DIM : C_WARN, TEXT_SMALL, ALIGN_LEFT);
    int x = 40;
    cl_text_draw(t, "server", x + 10, ROW_Y0 - 28, C_DIM, TEXT_SMALL, ALIGN_LEFT);
    cl_text_draw(t, "map", x + 330, ROW_Y0 - 28, C_DIM, TEXT_SMALL, ALIGN_LEFT);
    cl_text_draw(t, "players", x + 520, ROW_Y0 - 28, C_DIM, TEXT_SMALL, ALIGN_LEFT);
    cl_text_draw(t, "ping", x + 620, ROW_Y0 - 28, C_DIM, TEXT_SMALL, ALIGN_LEFT);
    cl_text_draw(t, "address", x + 700, ROW_Y0 - 28, C_DIM, TEXT_SMALL, ALIGN_LEFT);
    int max_rows = (h - ROW_Y0 - 130) / ROW_H;
    for (int i = 0; i < b->shown_count && i < max_rows; i++) {
        const cl_discovery_server *s = cl_discovery_get(&b->disc, b->shown[i]);
        int y = ROW_Y0 + i * ROW_H;
        if (i == b->selected) {
            SDL_Rect sel = {x, y - 3, w - 2 * x, ROW_H};
            SDL_SetRenderDrawColor(r, b->focus == FIELD_LIST ? 40 : 32, b->focus == FIELD_LIST ? 70 : 40, 100, 255);
            SDL_RenderFillRect(r, &sel);
        }
        char players[32], ping[32], addr[40];
        snprintf(players, sizeof players, "%u/%u", s->players, s->max_players);
        snprintf(ping, sizeof ping, "%.0f ms", s->ping_ms);
        net_format_address(&s->address, addr, sizeof addr);
        bool full = s->players >= s->max_players;
        cl_text_draw(t, s->name, x + 10, y, C_TEXT, TEXT_SMALL, ALIGN_LEFT);
        cl_text_draw(t, s->map, x + 330, y, C_TEXT, TEXT_SMALL, ALIGN_LEFT);
        cl_text_draw(t, players, x + 520, y, full ? C_WARN : C_TEXT, TEXT_SMALL, ALIGN_LEFT);
        cl_text_draw(t, ping, x + 620, y, C_TEXT, TEXT_SMALL, ALIGN_LEFT);
        cl_text_draw(t, addr, x + 700, y, C_DIM, TEXT_SMALL, ALIGN_LEFT);
    }
    if (b->shown_count == 0)
        cl_text_draw(t, b->disc_ok ? "Looking for servers..." : "Type an address below.", x + 10, ROW_Y0, C_DIM,
                     TEXT_SMALL, ALIGN_LEFT);
    int fy = h - 110;
    field(r, t, x, fy, 560, "address", b->address, b->focus == FIELD_ADDRESS, now);
    field(r, t, x, fy + 34, 560, "name", b->name, b->focus == FIELD_NAME, now);
    cl_text_draw(t, "Up/Down or click: choose   Enter or double-click: join   Tab: next field   Esc: quit", x,
                 h - 34, C_ACCENT, TEXT_SMALL, ALIGN_LEFT);
}
