/* cl_render.h - drawing one frame of the game with SDL2's renderer.
 *
 * Owns: the camera (centred on the own player), the map, players with name
 * tags, the top bar, and the connection-state panel.
 */
#ifndef CL_RENDER_H
#define CL_RENDER_H

#include <SDL.h>

#include "cl_conn.h"
#include "cl_text.h"

typedef struct {
    float cam_x, cam_y;   /* world point at the window centre */
    float tile_px;        /* pixels per tile */
    int w, h;             /* window size in pixels */
} cl_view;

/* Draws the whole frame (does not present). Fills *view with the camera
 * used, so input can map the mouse to the world. */
void cl_render_frame(SDL_Renderer *ren, cl_text *text, const cl_conn *c, double now, cl_view *view);

/* The F3 overlay: round trip, jitter, loss each way, KB/s each way, last
 * snapshot size, interpolation delay, corrections per second. */
void cl_render_net_graph(SDL_Renderer *ren, cl_text *text, const cl_conn *c, const cl_view *view);

/* Chat: the last lines at the bottom left (each fades after
 * CL_CHAT_SHOW_SECONDS), and the line being typed when `typing` is not NULL. */
#define CL_CHAT_SHOW_SECONDS 12.0
void cl_render_chat(SDL_Renderer *ren, cl_text *text, const cl_conn *c, const cl_view *view, double now,
                    const char *typing);

/* HUD: health, ammunition, frags and deaths at the bottom, the kill feed
 * at the top left, and a death notice while dead. */
void cl_render_hud(SDL_Renderer *ren, cl_text *text, const cl_conn *c, const cl_view *view, double now);

/* Tab (and the intermission): every player's name, frags, deaths and
 * ping, best first; in the intermission also who won and the next map. */
void cl_render_scoreboard(SDL_Renderer *ren, cl_text *text, const cl_conn *c, const cl_view *view, double now);

/* Seconds left in the match phase (0 when unknown or no time limit). */
double cl_render_seconds_left(const cl_conn *c, double now);

/* Colour of a player, distinct for neighbouring ids. */
SDL_Color cl_render_player_color(uint16_t id);

#endif
