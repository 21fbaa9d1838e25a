/* cl_config.h - gameclient options and their command-line parsing.
 *
 * Owns: defaults, --help text (with the exit codes), validation.
 */
#ifndef CL_CONFIG_H
#define CL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol.h"
#include "discovery.h"

/* Process exit codes, documented in --help and README.md. */
enum {
    CL_EXIT_OK = 0,            /* stayed connected for the whole run, or left on purpose */
    CL_EXIT_ERROR = 1,         /* local failure (window, font, ENet) */
    CL_EXIT_USAGE = 2,         /* bad command line */
    CL_EXIT_NO_CONNECT = 3,    /* server could not be reached */
    CL_EXIT_REFUSED = 4,       /* server refused: full, version mismatch, handshake */
    CL_EXIT_LOST = 5           /* connection lost, kicked, or server shut down */
};

#define CL_DEFAULT_PORT 27500
#define CL_CONNECT_TIMEOUT 5.0 /* seconds to wait for the server to answer */
#define CL_DEFAULT_RECONNECT 30.0 /* seconds of reconnect attempts after a lost connection */

typedef struct {
    char connect[256];         /* HOST[:PORT] */
    bool connect_given;        /* --connect was given: skip the LAN browser */
    char name[PROTO_NAME_MAX + 1];
    bool name_given;           /* --name was on the command line */
    bool headless;
    bool bot;
    double duration;           /* seconds; 0 = until quit */
    char screenshot[512];      /* BMP written at the end of the run, if set */
    int width, height;
    uint32_t protocol_version; /* test hook: announce another version */
    char rename_to[PROTO_NAME_MAX + 1]; /* test hook: rename after 1 s in game */
    uint32_t seed;             /* bot randomness; 0 = from the name */
    int peer_timeout_ms;       /* the server silent this long: connection lost */
    double reconnect_s;        /* after a lost connection, try to get back in this long (0: never) */
    uint16_t resume_id;        /* test hook: offer this slot and token in the first hello */
    uint8_t resume_token[PROTO_TOKEN_BYTES];
    bool net_graph;            /* start with the net graph shown (F3 toggles) */
    bool scoreboard;           /* test hook: keep the scoreboard shown (as if Tab were held) */
    char say[PROTO_CHAT_MAX + 1]; /* test hook: chat this, 1 s after joining */
    int say_count;             /* ... this many times at once (default 1) */
    bool list_servers;         /* --list-servers: print the LAN's servers as JSON and exit */
    char broadcast[64];        /* where discovery queries go (IPv4 address or name) */
    uint16_t discovery_port;   /* the servers' discovery port */
} cl_config;

void cl_config_default(cl_config *c);

typedef enum { CL_ARGS_OK, CL_ARGS_HELP, CL_ARGS_ERROR } cl_args_result;
cl_args_result cl_config_parse(cl_config *c, int argc, char **argv, char *err, int err_cap);
void cl_config_print_help(const char *prog);

#endif
