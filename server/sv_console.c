/* sv_console.c - operator commands on standard input (see sv_console.h). */
#define _POSIX_C_SOURCE 200809L
#include "sv_console.h"

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sv_match.h"
#include "text.h"

void sv_console_init(sv_console *con) {
    memset(con, 0, sizeof *con);
    /* Only a terminal, pipe or file is a console; never a socket. */
    struct stat st;
    con->open = fstat(STDIN_FILENO, &st) == 0 && !S_ISSOCK(st.st_mode);
}

static void print_status(server *s) {
    printf("map %s, %s, %.0f s left, tick %u\n", s->map.name,
           s->match.phase == MATCH_PLAYING ? "playing" : "intermission", sv_match_seconds_left(s), s->tick);
    printf("%4s  %-16s  %-21s  %6s  %7s  %5s  %6s\n", "id", "name", "address", "ping", "loss up", "frags", "deaths");
    int n = 0;
    for (int i = 0; i < s->cfg.max_players; i++) {
        const sv_client *c = &s->clients[i];
        if (c->state == SLOT_DETACHED) { /* lost, slot held for a reconnect */
            printf("%4d  %-16s  %-21s  %7s  %7s  %5d  %6d  lost %.0f s ago, held %d s\n", i, c->name, c->addr, "-",
                   "-", c->frags, c->deaths, clock_now() - c->detached_at, s->cfg.resume_grace);
            n++;
            continue;
        }
        if (c->state != SLOT_PLAYING) continue;
        printf("%4d  %-16s  %-21s  %4u ms  %6u%%  %5d  %6d\n", i, c->name, c->addr, c->peer->roundTripTime,
               c->up_loss_pct, c->frags, c->deaths);
        n++;
    }
    printf("%d/%d players (resumed so far: %llu)\n", n, s->cfg.max_players, (unsigned long long)s->resumes_total);
    char perf[600]; /* tick time split, CPU, traffic: the newest once-a-second report (sv_stats.h) */
    if (sv_stats_format_status(&s->stats.last, perf, sizeof perf) > 0) fputs(perf, stdout);
}

/* A player (playing, or lost with the slot held) by exact name, or by id number. */
static sv_client *find_player(server *s, const char *who) {
    for (int i = 0; i < s->cfg.max_players; i++)
        if (s->clients[i].state >= SLOT_PLAYING && strcmp(s->clients[i].name, who) == 0) return &s->clients[i];
    char *end;
    long id = strtol(who, &end, 10);
    if (*who && !*end && id >= 0 && id < s->cfg.max_players && s->clients[id].state >= SLOT_PLAYING)
        return &s->clients[id];
    return NULL;
}

void sv_console_run(server *s, const char *line, volatile sig_atomic_t *stop) {
    while (*line == ' ' || *line == '\t') line++;
    const char *arg = strchr(line, ' ');
    size_t cmd_len = arg ? (size_t)(arg - line) : strlen(line);
    while (arg && *arg == ' ') arg++;
    if (!arg) arg = "";
#define IS(word) (cmd_len == strlen(word) && strncmp(line, word, cmd_len) == 0)
    if (cmd_len == 0) return;
    if (IS("status")) {
        print_status(s);
    } else if (IS("kick")) {
        sv_client *c = find_player(s, arg);
        if (!c) printf("no player '%s' (use a name or an id from status)\n", arg);
        else {
            printf("kicked %d '%s'\n", sv_client_id(s, c), c->name);
            log_info("console: kick %d '%s'", sv_client_id(s, c), c->name);
            sv_client_drop(s, c, PROTO_REASON_KICKED);
        }
    } else if (IS("say")) {
        char clean[PROTO_CHAT_MAX + 1];
        if (text_sanitize(arg, clean, PROTO_CHAT_MAX) == 0) printf("say what?\n");
        else {
            sv_chat_send(s, NULL, PROTO_CHAT_FROM_SERVER, clean);
            log_info("console: say %s", clean);
            printf("said: %s\n", clean);
        }
    } else if (IS("map")) {
        char err[600];
        if (!*arg) printf("map NAME: which map?\n");
        else if (!sv_match_change_map(s, arg, err, sizeof err)) printf("%s\n", err);
        else printf("map changed to %s\n", s->map.name);
    } else if (IS("quit")) {
        printf("shutting down\n");
        log_info("console: quit");
        *stop = 1;
    } else if (IS("help")) {
        printf("commands: status | kick NAME|ID | say TEXT | map NAME | quit\n");
    } else {
        printf("unknown command '%.*s' (try help)\n", (int)cmd_len, line);
    }
#undef IS
    fflush(stdout);
}

void sv_console_poll(sv_console *con, server *s, volatile sig_atomic_t *stop) {
    for (int rounds = 0; con->open && rounds < 8; rounds++) {
        struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
        if (poll(&pfd, 1, 0) <= 0) return;
        if (pfd.revents & POLLNVAL) { /* not open after all */
            con->open = false;
            return;
        }
        if (!(pfd.revents & (POLLIN | POLLHUP))) return;
        char buf[256];
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n <= 0) { /* closed: stop listening, keep serving */
            con->open = false;
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            char ch = buf[i];
            if (ch == '\n') {
                con->line[con->len] = '\0';
                if (con->len && con->line[con->len - 1] == '\r') con->line[con->len - 1] = '\0';
                if (con->overlong) printf("line too long (max %d bytes)\n", SV_CONSOLE_LINE - 1);
                else sv_console_run(s, con->line, stop);
                con->len = 0;
                con->overlong = false;
            } else if (con->len + 1 < sizeof con->line) {
                con->line[con->len++] = ch;
            } else {
                con->overlong = true;
            }
        }
    }
}
