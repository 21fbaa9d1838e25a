/* cl_text.c - SDL2_ttf text with a texture cache (see cl_text.h). */
#include "cl_text.h"

#include <stdio.h>
#include <string.h>

#include "assets.h"

bool cl_text_init(cl_text *t, SDL_Renderer *ren, char *err, size_t err_cap) {
    memset(t, 0, sizeof *t);
    t->ren = ren;
    char path[1200], mono[1200];
    if (!assets_find("fonts/DejaVuSans.ttf", path, sizeof path) ||
        !assets_find("fonts/DejaVuSansMono.ttf", mono, sizeof mono)) {
        snprintf(err, err_cap, "font assets/fonts/DejaVuSans.ttf not found (set GAME_ASSETS to the assets folder)");
        return false;
    }
    if (TTF_Init() != 0) {
        snprintf(err, err_cap, "SDL_ttf: %s", TTF_GetError());
        return false;
    }
    t->small = TTF_OpenFont(path, 14);
    t->large = TTF_OpenFont(path, 24);
    t->mono = TTF_OpenFont(mono, 13);
    if (!t->small || !t->large || !t->mono) {
        snprintf(err, err_cap, "cannot open %s: %s", path, TTF_GetError());
        cl_text_free(t);
        return false;
    }
    return true;
}

void cl_text_free(cl_text *t) {
    for (int i = 0; i < CL_TEXT_CACHE; i++)
        if (t->cache[i].tex) SDL_DestroyTexture(t->cache[i].tex);
    memset(t->cache, 0, sizeof t->cache);
    if (t->small) TTF_CloseFont(t->small);
    if (t->large) TTF_CloseFont(t->large);
    if (t->mono) TTF_CloseFont(t->mono);
    t->small = t->large = t->mono = NULL;
    if (TTF_WasInit()) TTF_Quit();
}

void cl_text_frame(cl_text *t) { t->frame++; }

static cl_text_entry *lookup(cl_text *t, const char *s, SDL_Color c, int size) {
    cl_text_entry *victim = &t->cache[0];
    for (int i = 0; i < CL_TEXT_CACHE; i++) {
        cl_text_entry *e = &t->cache[i];
        if (e->tex && e->size == size && memcmp(&e->color, &c, sizeof c) == 0 && strcmp(e->text, s) == 0) {
            e->last_used = t->frame;
            return e;
        }
        if (!e->tex) victim = e;
        else if (victim->tex && e->last_used < victim->last_used) victim = e;
    }
    TTF_Font *font = size == TEXT_LARGE ? t->large : size == TEXT_MONO ? t->mono : t->small;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(font, s, c);
    if (!surf) return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->ren, surf);
    int w = surf->w, h = surf->h;
    SDL_FreeSurface(surf);
    if (!tex) return NULL;
    if (victim->tex) SDL_DestroyTexture(victim->tex);
    snprintf(victim->text, sizeof victim->text, "%s", s);
    victim->color = c;
    victim->size = size;
    victim->tex = tex;
    victim->w = w;
    victim->h = h;
    victim->last_used = t->frame;
    return victim;
}

int cl_text_draw(cl_text *t, const char *s, int x, int y, SDL_Color color, cl_text_size size, cl_text_align align) {
    if (!s || !*s) return 0;
    cl_text_entry *e = lookup(t, s, color, (int)size);
    if (!e) return 0;
    SDL_Rect dst = {align == ALIGN_CENTER ? x - e->w / 2 : x, y, e->w, e->h};
    SDL_RenderCopy(t->ren, e->tex, NULL, &dst);
    return e->w;
}
