/* cl_window.c - gameclient with an SDL2 window.
 *
 * Owns: SDL start-up and shut-down, the frame loop (events, keyboard and
 * mouse to input, network, ticks, drawing), Esc to leave, and the optional
 * end-of-run screenshot.
 */
#include <SDL.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cl_app.h"
#include "cl_browser.h"
#include "cl_conn.h"
#include "cl_prefs.h"
#include "cl_render.h"
#include "cl_sounds.h"
#include "cl_summary.h"
#include "cl_text.h"
#include "log.h"
#include "text.h"

static const double TWO_PI = 6.283185307179586;

static uint8_t read_buttons(void) {
    const Uint8 *k = SDL_GetKeyboardState(NULL);
    uint8_t b = 0;
    if (k[SDL_SCANCODE_W] || k[SDL_SCANCODE_UP]) b |= BTN_UP;
    if (k[SDL_SCANCODE_S] || k[SDL_SCANCODE_DOWN]) b |= BTN_DOWN;
    if (k[SDL_SCANCODE_A] || k[SDL_SCANCODE_LEFT]) b |= BTN_LEFT;
    if (k[SDL_SCANCODE_D] || k[SDL_SCANCODE_RIGHT]) b |= BTN_RIGHT;
    Uint32 mouse = SDL_GetMouseState(NULL, NULL);
    if (mouse & SDL_BUTTON(SDL_BUTTON_LEFT)) b |= BTN_FIRE;
    else if (mouse & SDL_BUTTON(SDL_BUTTON_RIGHT)) b |= BTN_FIRE2;
    return b;
}

/* Aim: the angle from the own player (window centre) to the mouse. */
static uint16_t read_aim(const cl_view *v) {
    int mx, my;
    SDL_GetMouseState(&mx, &my);
    double a = atan2((double)my - v->h * 0.5, (double)mx - v->w * 0.5);
    if (a < 0) a += TWO_PI;
    return (uint16_t)((long)(a / (TWO_PI) * 65536.0) & 0xffff);
}

static bool save_screenshot(SDL_Renderer *ren, const char *path) {
    int w, h;
    SDL_GetRendererOutputSize(ren, &w, &h);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) return false;
    bool ok = SDL_RenderReadPixels(ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) == 0 &&
              SDL_SaveBMP(s, path) == 0;
    SDL_FreeSurface(s);
    if (ok) log_info("screenshot saved to %s (%dx%d)", path, w, h);
    else log_error("screenshot to %s failed: %s", path, SDL_GetError());
    return ok;
}

/* Runs the browser screen until a server is chosen (true, cfg->connect and
 * cfg->name set) or the person quits (false). */
static bool choose_server(SDL_Window *win, SDL_Renderer *ren, cl_text *text, cl_config *cfg) {
    static cl_browser b;
    double start = clock_now();
    cl_browser_init(&b, cfg->broadcast, cfg->discovery_port, cfg->name, start);
    SDL_StartTextInput();
    bool chosen = false, running = true;
    while (running && !chosen) {
        double now = clock_now();
        SDL_Event ev;
        while (SDL_PollEvent(&ev)) {
            if (ev.type == SDL_QUIT || (ev.type == SDL_KEYDOWN && ev.key.keysym.sym == SDLK_ESCAPE)) running = false;
            else if (cl_browser_event(&b, &ev, now, cfg->connect, sizeof cfg->connect)) chosen = true;
        }
        if (cfg->duration > 0 && now - start >= cfg->duration) running = false;
        cl_browser_update(&b, now);
        int w, h;
        SDL_GetRendererOutputSize(ren, &w, &h);
        cl_browser_draw(ren, text, &b, w, h, now);
        if (!running && cfg->screenshot[0]) save_screenshot(ren, cfg->screenshot);
        SDL_RenderPresent(ren);
        SDL_SetWindowTitle(win, "LAN Arena - choose a server");
        SDL_Delay(10);
    }
    SDL_StopTextInput();
    char clean[PROTO_NAME_MAX + 1];
    if (chosen && text_sanitize(b.name, clean, PROTO_NAME_MAX) > 0 && strcmp(clean, cfg->name) != 0) {
        snprintf(cfg->name, sizeof cfg->name, "%s", clean);
        cfg->name_given = true; /* remembered for next time */
    }
    cl_browser_free(&b);
    if (chosen) log_info("chose %s from the server list", cfg->connect);
    return chosen;
}

int cl_window_run(const cl_config *cfg_in) {
    cl_config cfg_local = *cfg_in;
    const cl_config *cfg = &cfg_local;
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        log_error("SDL could not start video: %s (try --headless)", SDL_GetError());
        return CL_EXIT_ERROR;
    }
    SDL_Window *win = SDL_CreateWindow("LAN Arena", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, cfg->width,
                                       cfg->height, SDL_WINDOW_RESIZABLE);
    SDL_Renderer *ren = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC) : NULL;
    if (win && !ren) ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    if (!win || !ren) {
        log_error("cannot open a window: %s", SDL_GetError());
        if (win) SDL_DestroyWindow(win);
        SDL_Quit();
        return CL_EXIT_ERROR;
    }
    SDL_RendererInfo info;
    bool vsync = SDL_GetRendererInfo(ren, &info) == 0 && (info.flags & SDL_RENDERER_PRESENTVSYNC);
    static cl_text text;
    char err[400];
    if (!cl_text_init(&text, ren, err, sizeof err)) {
        log_error("%s", err);
        SDL_DestroyRenderer(ren);
        SDL_DestroyWindow(win);
        SDL_Quit();
        return CL_EXIT_ERROR;
    }

    /* The name: the one given now (remembered for next time), else the one
     * remembered from last time. */
    if (!cfg_local.name_given) cl_prefs_load_name(cfg_local.name, sizeof cfg_local.name);
    /* Without --connect: the LAN browser picks the server (and the name). */
    if (!cfg_local.connect_given && !choose_server(win, ren, &text, &cfg_local)) {
        cl_text_free(&text);
        SDL_DestroyRenderer(ren);
        SDL_DestroyWindow(win);
        SDL_Quit();
        return CL_EXIT_OK;
    }
    if (cfg_local.name_given) cl_prefs_save_name(cfg_local.name);
    static cl_audio audio; /* optional: the game runs silent without it */
    if (!cl_audio_init(&audio, err, sizeof err)) log_warn("%s", err);
    static cl_sound_watch sounds;
    static cl_conn conn;
    double start = clock_now();
    if (!cl_conn_start(&conn, cfg, start, err, sizeof err)) {
        log_error("%s", err);
        conn.state = CONN_FAILED;
        snprintf(conn.status, sizeof conn.status, "%.150s", err);
    }
    cl_view view = {0};
    bool running = true;
    bool net_graph = false;
    double last = start;
    bool chat_open = false;
    char chat[PROTO_CHAT_MAX + 1] = "";
    SDL_StopTextInput(); /* SDL starts with text input on; only the chat line wants it */
    int connected_to_end = 0;
    char title[160] = "";
    while (running) {
        SDL_Event ev;
        while (SDL_PollEvent(&ev)) {
            if (ev.type == SDL_QUIT) running = false;
            if (ev.type == SDL_TEXTINPUT && chat_open && strlen(chat) + strlen(ev.text.text) <= PROTO_CHAT_MAX)
                strcat(chat, ev.text.text);
            if (ev.type != SDL_KEYDOWN) continue;
            SDL_Keycode key = ev.key.keysym.sym;
            if (chat_open) {
                if (key == SDLK_RETURN || key == SDLK_KP_ENTER) cl_conn_send_chat(&conn, chat);
                if (key == SDLK_BACKSPACE) { /* drop the last UTF-8 character */
                    size_t n = strlen(chat);
                    while (n > 0 && ((unsigned char)chat[n - 1] & 0xc0) == 0x80) n--;
                    chat[n > 0 ? n - 1 : 0] = '\0';
                }
                if (key == SDLK_RETURN || key == SDLK_KP_ENTER || key == SDLK_ESCAPE) {
                    chat_open = false;
                    chat[0] = '\0';
                    SDL_StopTextInput();
                }
                continue;
            }
            if (key == SDLK_ESCAPE) running = false;
            if (key == SDLK_F3 && !ev.key.repeat) net_graph = !net_graph;
            if (key == SDLK_F11 && !ev.key.repeat) { /* full screen on the desktop's resolution, or back */
                bool full = SDL_GetWindowFlags(win) & SDL_WINDOW_FULLSCREEN_DESKTOP;
                if (SDL_SetWindowFullscreen(win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP) != 0)
                    log_warn("full screen: %s", SDL_GetError());
            }
            if ((key == SDLK_RETURN || key == SDLK_KP_ENTER) && conn.state == CONN_IN_GAME) {
                chat_open = true;
                SDL_StartTextInput();
            }
        }
        double now = clock_now();
        if (cfg->duration > 0 && now - start >= cfg->duration) running = false;
        bool focused = (SDL_GetWindowFlags(win) & SDL_WINDOW_INPUT_FOCUS) != 0;
        cl_conn_service(&conn, now, 0);
        cl_conn_update(&conn, now, focused && !chat_open ? read_buttons() : 0, read_aim(&view));
        cl_conn_frame(&conn, now, now - last);
        cl_sounds_update(&audio, &conn, &sounds, now);
        last = now;
        cl_render_frame(ren, &text, &conn, now, &view);
        if (net_graph || cfg->net_graph) cl_render_net_graph(ren, &text, &conn, &view);
        cl_render_hud(ren, &text, &conn, &view, now);
        bool intermission = conn.have_match && conn.match.phase == MATCH_INTERMISSION;
        if (cfg->scoreboard || intermission || (!chat_open && SDL_GetKeyboardState(NULL)[SDL_SCANCODE_TAB]))
            cl_render_scoreboard(ren, &text, &conn, &view, now);
        cl_render_chat(ren, &text, &conn, &view, now, chat_open ? chat : NULL);
        if (!running && cfg->screenshot[0]) save_screenshot(ren, cfg->screenshot);
        SDL_RenderPresent(ren);
        char want[160];
        snprintf(want, sizeof want, "LAN Arena - %.140s", conn.state == CONN_IN_GAME ? conn.welcome.server_name : conn.status);
        if (strcmp(want, title) != 0) {
            snprintf(title, sizeof title, "%s", want);
            SDL_SetWindowTitle(win, title);
        }
        if (!vsync) SDL_Delay(2);
        connected_to_end = conn.state == CONN_IN_GAME;
    }
    cl_conn_leave(&conn);
    int code = cl_conn_exit_code(&conn);
    cl_summary_print(stdout, &conn, connected_to_end);
    cl_conn_free(&conn);
    cl_audio_free(&audio);
    cl_text_free(&text);
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return code;
}
