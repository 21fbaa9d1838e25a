/* cl_config.c - gameclient options: defaults, parsing, help (see cl_config.h). */
#include "cl_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_discovery.h"
#include "net.h"
#include "text.h"

#define CL_STR_(x) #x
#define CL_STR(x) CL_STR_(x)

void cl_config_default(cl_config *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->connect, sizeof c->connect, "127.0.0.1:%d", CL_DEFAULT_PORT);
    snprintf(c->name, sizeof c->name, "player");
    c->width = 1024;
    c->height = 640;
    c->protocol_version = PROTO_VERSION;
    snprintf(c->broadcast, sizeof c->broadcast, "%s", CL_DISCOVERY_DEFAULT_BROADCAST);
    c->discovery_port = DISCOVERY_DEFAULT_PORT;
    c->say_count = 1;
    c->peer_timeout_ms = NET_TIMEOUT_DEFAULT_MS;
    c->reconnect_s = CL_DEFAULT_RECONNECT;
    c->resume_id = PROTO_NO_RESUME;
}

void cl_config_print_help(const char *prog) {
    printf("Usage: %s [options]\n"
           "LAN arena client (protocol %u).\n\n"
           "Options:\n"
           "  --connect HOST[:PORT]  server to join (default 127.0.0.1:%d)\n"
           "  --name NAME            player name, up to %d bytes of UTF-8 (default: the name\n"
           "                         used last time in a window, else \"player\"); remembered\n"
           "  --headless             no window, no SDL video or audio (tests, load)\n"
           "  --bot                  scripted movement instead of the keyboard\n"
           "  --duration SECONDS     leave after this long (default: until Esc / closed)\n"
           "  --size WxH             window size (default 1024x640); the window is resizable\n"
           "  --screenshot FILE.bmp  save the last frame before leaving (window mode)\n"
           "  --seed N               bot randomness (default: derived from the name)\n"
           "  --peer-timeout MS      give up on a silent server after MS, 2000..120000\n"
           "                         (default 10000; \"connection interrupted\" shows after 1 s)\n"
           "  --reconnect SECONDS    after a lost connection, reconnect by itself for this\n"
           "                         long and take back the same slot, name and score\n"
           "                         (default 30; 0: give up at once)\n"
           "  --net-graph            start with the net graph shown (F3 toggles it)\n"
           "  --scoreboard           keep the scoreboard shown (as if Tab were held)\n"
           "  --list-servers         print the servers on the LAN (one JSON line each, then\n"
           "                         {\"servers\":N}) and exit 0; listens --duration seconds\n"
           "                         (default 1)\n"
           "  --broadcast ADDR       where --list-servers asks (default " CL_DISCOVERY_DEFAULT_BROADCAST ")\n"
           "  --discovery-port N     the servers' discovery port (default " CL_STR(DISCOVERY_DEFAULT_PORT) ")\n"
           "  --rename NAME          test hook: change name once, 1 s after joining\n"
           "  --say TEXT             test hook: send TEXT as chat 1 s after joining\n"
           "  --say-count N          test hook: ... N times at once (default 1)\n"
           "  --protocol-version N   test hook: announce protocol version N\n"
           "  --resume-token ID:HEX  test hook: ask for slot ID back with this 32-digit token\n"
           "  --help                 this text\n\n"
           "Controls: WASD or arrow keys move, mouse aims, left button fires, Tab scores,\n"
           "Enter chats, F3 net graph, F11 full screen,\n"
           "Esc leaves (or cancels the chat line).\n\n"
           "On exit a JSON summary is printed as the last line of standard output:\n"
           "  {\"name\",\"connected\",\"client_id\",\"snapshots\",\"players_seen\",\"rtt_ms\",\"jitter_ms\",\n"
           "   \"loss_down_pct\",\"loss_up_pct\",\"kbytes_down_s\",\"kbytes_up_s\",\"interp_delay_ms\",\n"
           "   \"corrections\",\"snapshots_no_baseline\",\"bad_packets\",\"max_extrapolation_ms\",\n"
           "   \"max_freeze_ms\",\"frags\",\"deaths\",\"predicting\",\"interruptions\",\"resumes\",\n"
           "   \"disconnect_reason\"}  (see README.md)\n\n"
           "Exit status:\n"
           "  0  stayed connected for the whole run (or left with Esc)\n"
           "  1  local error (window, font, network library)\n"
           "  2  usage error\n"
           "  3  could not connect (no answer within %.0f s)\n"
           "  4  refused by the server (server full, version mismatch, handshake)\n"
           "  5  connection lost (timed out and could not get back in, kicked, server shut down)\n",
           prog, PROTO_VERSION, CL_DEFAULT_PORT, PROTO_NAME_MAX, CL_CONNECT_TIMEOUT);
}

cl_args_result cl_config_parse(cl_config *c, int argc, char **argv, char *err, int err_cap) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return CL_ARGS_HELP;
        if (strcmp(a, "--headless") == 0) { c->headless = true; continue; }
        if (strcmp(a, "--bot") == 0) { c->bot = true; continue; }
        if (strcmp(a, "--net-graph") == 0) { c->net_graph = true; continue; }
        if (strcmp(a, "--scoreboard") == 0) { c->scoreboard = true; continue; }
        if (strcmp(a, "--list-servers") == 0) { c->list_servers = true; continue; }
        if (i + 1 >= argc) {
            snprintf(err, (size_t)err_cap, "unknown option or missing value: %s", a);
            return CL_ARGS_ERROR;
        }
        const char *v = argv[++i];
        char *end = NULL;
        if (strcmp(a, "--connect") == 0) {
            if (!*v || strlen(v) >= sizeof c->connect) goto bad_value;
            snprintf(c->connect, sizeof c->connect, "%s", v);
            c->connect_given = true;
        } else if (strcmp(a, "--name") == 0) {
            if (text_sanitize(v, c->name, PROTO_NAME_MAX) == 0) goto bad_value;
            c->name_given = true;
        } else if (strcmp(a, "--rename") == 0) {
            if (text_sanitize(v, c->rename_to, PROTO_NAME_MAX) == 0) goto bad_value;
        } else if (strcmp(a, "--say") == 0) {
            if (!*v || strlen(v) > PROTO_CHAT_MAX) goto bad_value;
            snprintf(c->say, sizeof c->say, "%s", v);
        } else if (strcmp(a, "--say-count") == 0) {
            long k = strtol(v, &end, 10);
            if (*end || k < 1 || k > 100) goto bad_value;
            c->say_count = (int)k;
        } else if (strcmp(a, "--duration") == 0) {
            c->duration = strtod(v, &end);
            if (*end || !(c->duration > 0 && c->duration < 1e7)) goto bad_value;
        } else if (strcmp(a, "--size") == 0) {
            if (sscanf(v, "%dx%d", &c->width, &c->height) != 2 || c->width < 160 || c->height < 120 ||
                c->width > 8192 || c->height > 8192)
                goto bad_value;
        } else if (strcmp(a, "--screenshot") == 0) {
            if (!*v || strlen(v) >= sizeof c->screenshot) goto bad_value;
            snprintf(c->screenshot, sizeof c->screenshot, "%s", v);
        } else if (strcmp(a, "--peer-timeout") == 0) {
            long ms = strtol(v, &end, 10);
            if (*end || ms < NET_TIMEOUT_MIN_OPTION_MS || ms > NET_TIMEOUT_MAX_OPTION_MS) goto bad_value;
            c->peer_timeout_ms = (int)ms;
        } else if (strcmp(a, "--reconnect") == 0) {
            c->reconnect_s = strtod(v, &end);
            if (*end || !*v || !(c->reconnect_s >= 0 && c->reconnect_s <= 3600)) goto bad_value;
        } else if (strcmp(a, "--resume-token") == 0) {
            unsigned long id = strtoul(v, &end, 10);
            if (end == v || *end != ':' || id >= PROTO_MAX_PLAYERS || strlen(end + 1) != 2 * PROTO_TOKEN_BYTES)
                goto bad_value;
            for (int k = 0; k < PROTO_TOKEN_BYTES; k++) {
                unsigned byte;
                if (sscanf(end + 1 + 2 * k, "%2x", &byte) != 1) goto bad_value;
                c->resume_token[k] = (uint8_t)byte;
            }
            c->resume_id = (uint16_t)id;
        } else if (strcmp(a, "--seed") == 0) {
            unsigned long s = strtoul(v, &end, 10);
            if (*end || !*v) goto bad_value;
            c->seed = (uint32_t)s;
        } else if (strcmp(a, "--protocol-version") == 0) {
            unsigned long s = strtoul(v, &end, 10);
            if (*end || !*v) goto bad_value;
            c->protocol_version = (uint32_t)s;
        } else if (strcmp(a, "--broadcast") == 0) {
            if (!*v || strlen(v) >= sizeof c->broadcast) goto bad_value;
            snprintf(c->broadcast, sizeof c->broadcast, "%s", v);
        } else if (strcmp(a, "--discovery-port") == 0) {
            unsigned long p = strtoul(v, &end, 10);
            if (*end || !*v || p < 1 || p > 65535) goto bad_value;
            c->discovery_port = (uint16_t)p;
        } else {
            snprintf(err, (size_t)err_cap, "unknown option: %s", a);
            return CL_ARGS_ERROR;
        }
        continue;
    bad_value:
        snprintf(err, (size_t)err_cap, "bad value for %s: '%s' (see --help)", a, v);
        return CL_ARGS_ERROR;
    }
    if (c->screenshot[0] && c->headless) {
        snprintf(err, (size_t)err_cap, "--screenshot needs a window; drop --headless");
        return CL_ARGS_ERROR;
    }
    return CL_ARGS_OK;
}
