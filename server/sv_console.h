/* sv_console.h - the operator's console on the server's standard input.
 *
 * Owns: reading whole lines from standard input without blocking the tick
 * loop, and the commands: status, kick NAME|ID, say TEXT, map NAME, quit,
 * help. Replies go to standard output; actions are logged. When standard
 * input is closed (or /dev/null) the console simply stops listening.
 */
#ifndef SV_CONSOLE_H
#define SV_CONSOLE_H

#include <signal.h>
#include <stdbool.h>

#include "sv_server.h"

#define SV_CONSOLE_LINE 256

typedef struct {
    bool open;
    char line[SV_CONSOLE_LINE];
    size_t len;
    bool overlong; /* the current line went past the buffer: ignore it */
} sv_console;

void sv_console_init(sv_console *con);

/* Reads what standard input has (never waits) and runs each complete line.
 * Sets *stop for `quit`. */
void sv_console_poll(sv_console *con, server *s, volatile sig_atomic_t *stop);

/* Runs one command line (also used by tests). */
void sv_console_run(server *s, const char *line, volatile sig_atomic_t *stop);

#endif
