/* cl_prefs.h - what the client remembers between runs (SDL's preference
 * path, e.g. ~/.local/share/lanarena/gameclient/): the player's name. */
#ifndef CL_PREFS_H
#define CL_PREFS_H

#include <stdbool.h>
#include <stddef.h>

/* Reads the remembered name into out (cleaned); false when there is none. */
bool cl_prefs_load_name(char *out, size_t cap);
/* Remembers a name; false (and a log line) if it cannot be written. */
bool cl_prefs_save_name(const char *name);

#endif
