/* sv_config.c - gameserver options: defaults, parsing, help (see sv_config.h). */
#include "sv_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void sv_config_default(sv_config *c) {
    memset(c, 0, sizeof *c);
    c->port = SV_DEFAULT_PORT;
    c->max_players = SV_DEFAULT_MAX_PLAYERS;
    c->tick_rate = SV_DEFAULT_TICK_RATE;
    c->snapshot_rate = SV_DEFAULT_SNAPSHOT_RATE;
    snprintf(c->map, sizeof c->map, "%s", SV_DEFAULT_MAP);
    snprintf(c->name, sizeof c->name, "%s", SV_DEFAULT_NAME);
}

void sv_config_print_help(const char *prog) {
    printf("Usage: %s [options]\n"
           "Authoritative LAN arena server (protocol %u).\n\n"
           "Options:\n"
           "  --port N           UDP port to listen on (default %d; 0 picks a free port,\n"
           "                     printed in the first log line)\n"
           "  --max-players N    player slots, 1..%d (default %d)\n"
           "  --tick-rate HZ     simulation ticks per second, %d..%d (default %d)\n"
           "  --snapshot-rate HZ snapshots per second to each client, 1..tick rate\n"
           "                     (default %d, or the tick rate if lower)\n"
           "  --map NAME|PATH    map from assets/maps/NAME.map, or a .map file (default %s)\n"
           "  --name TEXT        server name shown to players (default \"%s\")\n"
           "  --help             this text\n\n"
           "Stops cleanly on SIGINT (Ctrl-C) or SIGTERM, telling every client why.\n"
           "Exit status: 0 clean shutdown, 1 start-up error (port, map), 2 usage error.\n",
           prog, PROTO_VERSION, SV_DEFAULT_PORT, PROTO_MAX_PLAYERS, SV_DEFAULT_MAX_PLAYERS, PROTO_MIN_TICK_RATE,
           PROTO_MAX_TICK_RATE, SV_DEFAULT_TICK_RATE, SV_DEFAULT_SNAPSHOT_RATE, SV_DEFAULT_MAP, SV_DEFAULT_NAME);
}

static bool parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) return false;
    *out = v;
    return true;
}

sv_args_result sv_config_parse(sv_config *c, int argc, char **argv, char *err, int err_cap) {
    bool snapshot_given = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return SV_ARGS_HELP;
        if (i + 1 >= argc) {
            snprintf(err, (size_t)err_cap, "unknown option or missing value: %s", a);
            return SV_ARGS_ERROR;
        }
        const char *v = argv[++i];
        long n;
        if (strcmp(a, "--port") == 0) {
            if (!parse_int(v, 0, 65535, &n)) goto bad_value;
            c->port = (uint16_t)n;
        } else if (strcmp(a, "--max-players") == 0) {
            if (!parse_int(v, 1, PROTO_MAX_PLAYERS, &n)) goto bad_value;
            c->max_players = (int)n;
        } else if (strcmp(a, "--tick-rate") == 0) {
            if (!parse_int(v, PROTO_MIN_TICK_RATE, PROTO_MAX_TICK_RATE, &n)) goto bad_value;
            c->tick_rate = (int)n;
        } else if (strcmp(a, "--snapshot-rate") == 0) {
            if (!parse_int(v, 1, PROTO_MAX_TICK_RATE, &n)) goto bad_value;
            c->snapshot_rate = (int)n;
            snapshot_given = true;
        } else if (strcmp(a, "--map") == 0) {
            if (strlen(v) == 0 || strlen(v) >= sizeof c->map) goto bad_value;
            snprintf(c->map, sizeof c->map, "%s", v);
        } else if (strcmp(a, "--name") == 0) {
            if (text_sanitize(v, c->name, PROTO_SERVER_NAME_MAX) == 0) goto bad_value;
        } else {
            snprintf(err, (size_t)err_cap, "unknown option: %s", a);
            return SV_ARGS_ERROR;
        }
        continue;
    bad_value:
        snprintf(err, (size_t)err_cap, "bad value for %s: '%s' (see --help)", a, v);
        return SV_ARGS_ERROR;
    }
    if (c->snapshot_rate > c->tick_rate) {
        if (snapshot_given) {
            snprintf(err, (size_t)err_cap, "--snapshot-rate %d is above --tick-rate %d", c->snapshot_rate,
                     c->tick_rate);
            return SV_ARGS_ERROR;
        }
        c->snapshot_rate = c->tick_rate;
    }
    return SV_ARGS_OK;
}
