/* cl_prefs.c - the remembered player name, in SDL's preference path. */
#include "cl_prefs.h"

#include <SDL.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "protocol.h"
#include "text.h"

static bool name_path(char *out, size_t cap) {
    char *dir = SDL_GetPrefPath("lanarena", "gameclient");
    if (!dir) return false;
    int n = snprintf(out, cap, "%sname.txt", dir);
    SDL_free(dir);
    return n > 0 && (size_t)n < cap;
}

bool cl_prefs_load_name(char *out, size_t cap) {
    char path[1024], raw[256] = "";
    if (!name_path(path, sizeof path)) return false;
    FILE *f = fopen(path, "r");
    if (!f) return false;
    bool ok = fgets(raw, sizeof raw, f) != NULL;
    fclose(f);
    if (!ok) return false;
    raw[strcspn(raw, "\r\n")] = '\0';
    char clean[PROTO_NAME_MAX + 1];
    if (text_sanitize(raw, clean, PROTO_NAME_MAX) == 0) return false;
    snprintf(out, cap, "%s", clean);
    return true;
}

bool cl_prefs_save_name(const char *name) {
    char path[1024];
    if (!name_path(path, sizeof path)) return false;
    FILE *f = fopen(path, "w");
    if (!f) {
        log_warn("cannot remember the name in %s", path);
        return false;
    }
    fprintf(f, "%s\n", name);
    return fclose(f) == 0;
}
