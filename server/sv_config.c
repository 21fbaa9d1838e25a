/* sv_config.c - gameserver options: defaults, parsing, help (see sv_config.h). */
#include "sv_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "sv_sched.h"
#include "sv_workers.h"
#include "text.h"

#define SV_STR_(x) #x
#define SV_STR(x) SV_STR_(x)

void sv_config_default(sv_config *c) {
    memset(c, 0, sizeof *c);
    c->port = SV_DEFAULT_PORT;
    c->max_players = SV_DEFAULT_MAX_PLAYERS;
    c->tick_rate = SV_DEFAULT_TICK_RATE;
    c->snapshot_rate = SV_DEFAULT_SNAPSHOT_RATE;
    snprintf(c->map, sizeof c->map, "%s", SV_DEFAULT_MAP);
    snprintf(c->name, sizeof c->name, "%s", SV_DEFAULT_NAME);
    c->time_limit = SV_DEFAULT_TIME_LIMIT;
    c->frag_limit = SV_DEFAULT_FRAG_LIMIT;
    c->intermission = SV_DEFAULT_INTERMISSION;
    c->peer_timeout_ms = NET_TIMEOUT_DEFAULT_MS;
    c->resume_grace = SV_DEFAULT_RESUME_GRACE;
    c->client_rate = SV_DEFAULT_CLIENT_RATE;
    c->discovery_port = DISCOVERY_DEFAULT_PORT;
    c->send_thread = -1;
    c->rt_priority = -1;
}

int sv_config_input_every(const sv_config *c) {
    if (c->input_every >= 1 && c->input_every <= PROTO_MAX_INPUT_EVERY) return c->input_every;
    return c->max_players > SV_INPUT_EVERY_AUTO_PLAYERS && c->tick_rate >= SV_INPUT_EVERY_AUTO_MIN_HZ ? 2 : 1;
}

bool sv_config_busy(const sv_config *c) {
    return (long)c->max_players * (long)c->snapshot_rate >= SV_BUSY_SNAPSHOTS_PER_S;
}

int sv_config_rt_priority(const sv_config *c) {
    if (c->rt_priority >= 0 && c->rt_priority <= SV_RT_PRIORITY_MAX) return c->rt_priority;
    return sv_config_busy(c) ? SV_RT_AUTO_PRIORITY : 0;
}

int sv_config_threads(const sv_config *c, int cpus) {
    if (c->threads >= 1 && c->threads <= SV_WORKERS_MAX) return c->threads;
    if (!sv_config_busy(c) || cpus < 2) return 1;
    if (cpus == 2) return c->rt_priority > 0 ? 2 : 1;
    return cpus - 1 < SV_THREADS_AUTO_MAX ? cpus - 1 : SV_THREADS_AUTO_MAX;
}

bool sv_config_send_thread(const sv_config *c, int cpus) {
    if (c->send_thread >= 0) return c->send_thread == 1;
    return sv_config_busy(c) && cpus > 1;
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
           "  --map NAME[,NAME]  the map rotation: each NAME from assets/maps/NAME.map, or a\n"
           "                     .map file path (default %s); every map is checked at start\n"
           "  --time-limit MIN   minutes per match, decimals allowed, 0 = none (default %d)\n"
           "  --frag-limit N     frags that end a match, 0 = none (default %d)\n"
           "  --intermission S   seconds of final scores before the next map (default %d)\n"
           "  --peer-timeout MS  drop a client silent this long, 2000..120000 (default 10000)\n"
           "  --resume-grace S   hold a lost player's slot, name and score this many\n"
           "                     seconds for a reconnect with its session token, 0..3600\n"
           "                     (default " SV_STR(SV_DEFAULT_RESUME_GRACE) "; 0: free the slot at once)\n"
           "  --name TEXT        server name shown to players (default \"%s\")\n"
           "  --discovery-port N answer LAN discovery queries on UDP port N (default\n"
           "                     " SV_STR(DISCOVERY_DEFAULT_PORT) "; 0: no responder; shared by servers on one host)\n"
           "  --client-rate B    snapshot bytes per second sent to each client, ENet\n"
           "                     headers included, 2000..1000000 or 0 for no limit (default\n"
           "                     " SV_STR(SV_DEFAULT_CLIENT_RATE) "); past it the nearest and longest-waiting changes go first\n"
           "  --input-every N    ask clients for an input packet every N ticks, 1.." SV_STR(PROTO_MAX_INPUT_EVERY) "\n"
           "                     (each repeats the commands not yet acknowledged; default:\n"
           "                     2 above " SV_STR(SV_INPUT_EVERY_AUTO_PLAYERS) " slots at " SV_STR(SV_INPUT_EVERY_AUTO_MIN_HZ) " Hz or more, else 1)\n"
           "  --threads N        threads that build and encode snapshots, 1.." SV_STR(SV_WORKERS_MAX) " (default 1;\n"
           "                     on a busy server one per processor beyond two, plus one, at most\n"
           "                     " SV_STR(SV_THREADS_AUTO_MAX) ", and 2 on two processors when --rt-priority was granted)\n"
           "                     (busy: max players x snapshot rate >= " SV_STR(SV_BUSY_SNAPSHOTS_PER_S) " a second)\n"
           "  --send-thread 0|1  1: UDP sends go out from a thread of their own (default: 1\n"
           "                     on a busy server with more than one processor, else 0)\n"
           "  --rt-priority N    run the server's threads under real-time scheduling\n"
           "                     (SCHED_FIFO) at priority N, 1..99, or 0 for normal scheduling\n"
           "                     (default: " SV_STR(SV_RT_AUTO_PRIORITY) " on a busy server, else 0); needs root or\n"
           "                     CAP_SYS_NICE, else the server runs at normal priority and\n"
           "                     says so. For a machine that is there to run the server\n"
           "  --stats FILE       write one JSON line of performance figures per second to\n"
           "                     FILE (tick time split p50/p99/max, CPU, bytes and packets\n"
           "                     per second); FILE is truncated at start\n"
           "  --help             this text\n\n"
           "Console (standard input): status, kick NAME|ID, say TEXT, map NAME, quit.\n"
           "Stops cleanly on SIGINT (Ctrl-C) or SIGTERM, telling every client why.\n"
           "Exit status: 0 clean shutdown, 1 start-up error (port, map), 2 usage error.\n",
           prog, PROTO_VERSION, SV_DEFAULT_PORT, PROTO_MAX_PLAYERS, SV_DEFAULT_MAX_PLAYERS, PROTO_MIN_TICK_RATE,
           PROTO_MAX_TICK_RATE, SV_DEFAULT_TICK_RATE, SV_DEFAULT_SNAPSHOT_RATE, SV_DEFAULT_MAP,
           SV_DEFAULT_TIME_LIMIT / 60, SV_DEFAULT_FRAG_LIMIT, SV_DEFAULT_INTERMISSION, SV_DEFAULT_NAME);
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
        } else if (strcmp(a, "--time-limit") == 0) {
            char *end;
            double minutes = strtod(v, &end);
            if (*end || !(minutes >= 0 && minutes <= 1440)) goto bad_value;
            c->time_limit = (int)(minutes * 60.0 + 0.5);
        } else if (strcmp(a, "--frag-limit") == 0) {
            if (!parse_int(v, 0, 10000, &n)) goto bad_value;
            c->frag_limit = (int)n;
        } else if (strcmp(a, "--peer-timeout") == 0) {
            if (!parse_int(v, NET_TIMEOUT_MIN_OPTION_MS, NET_TIMEOUT_MAX_OPTION_MS, &n)) goto bad_value;
            c->peer_timeout_ms = (int)n;
        } else if (strcmp(a, "--resume-grace") == 0) {
            if (!parse_int(v, 0, 3600, &n)) goto bad_value;
            c->resume_grace = (int)n;
        } else if (strcmp(a, "--intermission") == 0) {
            if (!parse_int(v, 1, 120, &n)) goto bad_value;
            c->intermission = (int)n;
        } else if (strcmp(a, "--map") == 0) {
            if (strlen(v) == 0 || strlen(v) >= sizeof c->map) goto bad_value;
            snprintf(c->map, sizeof c->map, "%s", v);
        } else if (strcmp(a, "--name") == 0) {
            if (text_sanitize(v, c->name, PROTO_SERVER_NAME_MAX) == 0) goto bad_value;
        } else if (strcmp(a, "--discovery-port") == 0) {
            if (!parse_int(v, 0, 65535, &n)) goto bad_value;
            c->discovery_port = (uint16_t)n;
        } else if (strcmp(a, "--client-rate") == 0) {
            if (!parse_int(v, 0, 1000000, &n) || (n > 0 && n < 2000)) goto bad_value;
            c->client_rate = (int)n;
        } else if (strcmp(a, "--input-every") == 0) {
            if (!parse_int(v, 1, PROTO_MAX_INPUT_EVERY, &n)) goto bad_value;
            c->input_every = (int)n;
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_int(v, 1, SV_WORKERS_MAX, &n)) goto bad_value;
            c->threads = (int)n;
        } else if (strcmp(a, "--send-thread") == 0) {
            if (!parse_int(v, 0, 1, &n)) goto bad_value;
            c->send_thread = (int)n;
        } else if (strcmp(a, "--rt-priority") == 0) {
            if (!parse_int(v, 0, SV_RT_PRIORITY_MAX, &n)) goto bad_value;
            c->rt_priority = (int)n;
        } else if (strcmp(a, "--stats") == 0) {
            if (strlen(v) == 0 || strlen(v) >= sizeof c->stats_path) goto bad_value;
            snprintf(c->stats_path, sizeof c->stats_path, "%s", v);
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
    if (c->discovery_port != 0 && c->discovery_port == c->port) {
        snprintf(err, (size_t)err_cap, "--discovery-port %u is also the game port (--port); pick another",
                 c->discovery_port);
        return SV_ARGS_ERROR;
    }
    return SV_ARGS_OK;
}
