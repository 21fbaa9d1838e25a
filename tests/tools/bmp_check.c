/* bmp_check.c - test helper: is a screenshot more than a blank frame?
 *
 * bmp_check FILE [--min-colors N] [--min-fraction F] [--has-color RRGGBB]
 *   exits 0 when the image has at least N distinct colours, at least a
 *   fraction F of its pixels differ from its most common colour, and (if
 *   given) some pixel has exactly colour RRGGBB; prints what it measured.
 * bmp_check --player-color ID   prints the RRGGBB a player id is drawn in.
 */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_colors.h"

#define HIST 65536

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--player-color") == 0) {
        uint8_t rgb[3];
        cl_player_color((uint16_t)atoi(argv[2]), rgb);
        printf("%02x%02x%02x\n", rgb[0], rgb[1], rgb[2]);
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bmp_check FILE [--min-colors N] [--min-fraction F] [--has-color RRGGBB]\n");
        return 2;
    }
    int min_colors = 1;
    double min_fraction = 0.0;
    long want = -1;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--min-colors") == 0) min_colors = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--min-fraction") == 0) min_fraction = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--has-color") == 0) want = strtol(argv[i + 1], NULL, 16);
    }
    SDL_Surface *raw = SDL_LoadBMP(argv[1]);
    if (!raw) {
        fprintf(stderr, "bmp_check: %s: %s\n", argv[1], SDL_GetError());
        return 1;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGB888, 0);
    SDL_FreeSurface(raw);
    if (!s) return 1;
    /* Count colours with a hashed histogram of exact values. */
    static uint32_t keys[HIST];
    static uint32_t counts[HIST];
    int distinct = 0, found = 0;
    long total = (long)s->w * s->h;
    for (int y = 0; y < s->h; y++) {
        const uint32_t *row = (const uint32_t *)((const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++) {
            uint32_t c = row[x] & 0xffffffu;
            if (want >= 0 && c == (uint32_t)want) found = 1;
            uint32_t h = (c * 2654435761u) >> 16;
            while (counts[h] && keys[h] != c) h = (h + 1) % HIST;
            if (!counts[h]) {
                if (distinct == HIST - 1) continue;
                keys[h] = c;
                distinct++;
            }
            counts[h]++;
        }
    }
    uint32_t top = 0;
    for (int i = 0; i < HIST; i++)
        if (counts[i] > top) top = counts[i];
    double fraction = 1.0 - (double)top / (double)total;
    printf("%s: %dx%d, %d colours, %.1f%% of pixels differ from the background%s\n", argv[1], s->w, s->h, distinct,
           fraction * 100.0, want >= 0 ? (found ? ", colour found" : ", colour NOT found") : "");
    SDL_FreeSurface(s);
    return (distinct >= min_colors && fraction >= min_fraction && (want < 0 || found)) ? 0 : 1;
}
