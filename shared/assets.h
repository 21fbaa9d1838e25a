/* assets.h - finding the assets/ folder at run time.
 *
 * Owns: the search order for asset files: $GAME_ASSETS, then assets/ beside
 * or one level above the running executable, then the source tree's
 * assets/ recorded at build time, then ./assets.
 */
#ifndef GAME_ASSETS_H
#define GAME_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the full path of assets/<relative> into out if that file exists. */
bool assets_find(const char *relative, char *out, size_t cap);

#endif
