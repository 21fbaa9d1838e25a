/* assets.c - locating files under assets/ (see assets.h). */
#define _POSIX_C_SOURCE 200809L
#include "assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GAME_SOURCE_ASSETS
#define GAME_SOURCE_ASSETS "assets"
#endif

static bool try_dir(const char *dir, const char *relative, char *out, size_t cap) {
    if (!dir || !*dir) return false;
    int n = snprintf(out, cap, "%s/%s", dir, relative);
    return n > 0 && (size_t)n < cap && access(out, R_OK) == 0;
}

bool assets_find(const char *relative, char *out, size_t cap) {
    if (try_dir(getenv("GAME_ASSETS"), relative, out, cap)) return true;
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char dir[1100];
            snprintf(dir, sizeof dir, "%s/assets", exe);
            if (try_dir(dir, relative, out, cap)) return true;
            snprintf(dir, sizeof dir, "%s/../assets", exe);
            if (try_dir(dir, relative, out, cap)) return true;
        }
    }
    if (try_dir(GAME_SOURCE_ASSETS, relative, out, cap)) return true;
    return try_dir("assets", relative, out, cap);
}
