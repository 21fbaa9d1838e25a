/* cl_browser.h - the start screen: servers found on the LAN, and fields for
 * an address and a name.
 *
 * Owns: asking the LAN for servers every CL_BROWSER_REFRESH seconds (through
 * cl_discovery), the list with each server's name, map, players and ping,
 * keyboard and mouse selection, editing the address and name fields, and
 * drawing the screen. The window loop hands it events until the person
 * picks a server (or types an address) and presses Enter.
 */
#ifndef CL_BROWSER_H
#define CL_BROWSER_H

#include <SDL.h>
#include <stdbool.h>

#include "cl_discovery.h"
#include "cl_render.h"
#include "cl_text.h"

#define CL_BROWSER_REFRESH 3.0  /* seconds between queries */
#define CL_BROWSER_FORGET 10.0  /* a server not heard from this long leaves the list */

typedef enum { FIELD_LIST, FIELD_ADDRESS, FIELD_NAME, FIELD_COUNT } cl_browser_field;

typedef struct {
    cl_discovery disc;
    bool disc_ok;
    char disc_error[160];
    double last_query;
    int selected;               /* row in the visible list, -1: none */
    cl_browser_field focus;
    char address[256];
    char name[PROTO_NAME_MAX + 1];
    int shown[CL_DISCOVERY_MAX_SERVERS]; /* indexes of fresh servers, in list order */
    int shown_count;
    double last_click;
    int last_click_row;
} cl_browser;

/* Opens the discovery socket (a failure is shown on screen, the address
 * field still works). */
void cl_browser_init(cl_browser *b, const char *broadcast, uint16_t discovery_port, const char *name, double now);
void cl_browser_free(cl_browser *b);

/* Queries and collects replies; call once per frame. */
void cl_browser_update(cl_browser *b, double now);

/* Handles one event. True when the person chose where to go: the address
 * to connect to is written to `connect` (HOST:PORT). */
bool cl_browser_event(cl_browser *b, const SDL_Event *ev, double now, char *connect, size_t cap);

void cl_browser_draw(SDL_Renderer *ren, cl_text *text, cl_browser *b, int w, int h, double now);

#endif
