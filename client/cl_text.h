/* cl_text.h - drawing text with SDL2_ttf, with a small texture cache.
 *
 * Owns: the fonts (assets/fonts/DejaVuSans*.ttf) and a cache of rendered
 * strings so name tags are not re-rasterised every frame.
 */
#ifndef CL_TEXT_H
#define CL_TEXT_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdbool.h>

#define CL_TEXT_CACHE 256

typedef struct {
    char text[160];
    SDL_Color color;
    int size;
    SDL_Texture *tex;
    int w, h;
    unsigned last_used;
} cl_text_entry;

typedef struct {
    SDL_Renderer *ren;
    TTF_Font *small, *large, *mono;
    cl_text_entry cache[CL_TEXT_CACHE];
    unsigned frame;
} cl_text;

/* Opens the fonts; false with a message in err. */
bool cl_text_init(cl_text *t, SDL_Renderer *ren, char *err, size_t err_cap);
void cl_text_free(cl_text *t);
void cl_text_frame(cl_text *t); /* call once per frame */

typedef enum { TEXT_SMALL, TEXT_LARGE, TEXT_MONO } cl_text_size;
typedef enum { ALIGN_LEFT, ALIGN_CENTER } cl_text_align;

/* Draws text with its top at y; x is the left edge or the centre. Returns
 * the width drawn. */
int cl_text_draw(cl_text *t, const char *s, int x, int y, SDL_Color color, cl_text_size size, cl_text_align align);

#endif
