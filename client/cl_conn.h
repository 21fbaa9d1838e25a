/* cl_conn.h - the client's connection to one server and what it knows.
 *
 * Owns: the ENet host and peer, the connection state machine (connecting,
 * handshake and map download, in game, reconnecting with the session
 * token after a lost connection, and the ways it ends: refused,
 * unreachable, lost, left), decoding server messages (bad ones dropped and
 * counted), the player roster, the received snapshots (cl_interp), the
 * own player's prediction (cl_predict), sending input, and with --bot the
 * bot's buttons (cl_bot, its target from cl_target). Connections in one
 * process that load the same map share its tile grid (botswarm). No SDL:
 * the window and headless front ends both drive it.
 */
#ifndef CL_CONN_H
#define CL_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "cl_bot.h"
#include "cl_config.h"
#include "cl_interp.h"
#include "cl_predict.h"
#include "cl_target.h"
#include "clock.h"
#include "map.h"
#include "msg.h"
#include "net.h"

typedef enum {
    CONN_CONNECTING,  /* waiting for the server to answer */
    CONN_HANDSHAKE,   /* connected; hello sent, waiting for welcome and map */
    CONN_IN_GAME,
    CONN_RECONNECTING, /* the connection was lost: trying to get back in (cfg.reconnect_s) */
    CONN_FAILED,      /* no answer: could not connect */
    CONN_REFUSED,     /* the server said no (reason) */
    CONN_LOST,        /* was in game, connection ended by the server or a timeout */
    CONN_LEFT         /* we left */
} conn_state;

typedef struct {
    bool present;
    char name[PROTO_NAME_MAX + 1];
    int frags, deaths;
    uint16_t ping_ms;
} cl_player;

#define CL_KILL_FEED 5
typedef struct {
    uint16_t killer, victim;
    uint8_t weapon;
    double at;
} cl_kill;

#define CL_RAIL_COOLDOWN 0.5   /* the server's cooldowns, for local muzzle flashes */
#define CL_ROCKET_COOLDOWN 0.9
#define CL_EFFECTS 16
#define CL_INTERRUPTED_AFTER 1.0 /* seconds without snapshots before "connection interrupted" */
#define CL_RECONNECT_ATTEMPT 3.0 /* seconds one reconnect attempt may take */
#define CL_RECONNECT_PAUSE 1.0   /* seconds between reconnect attempts */

typedef struct {
    float x, y;
    double at; /* an explosion seen at this time */
} cl_effect;
#define CL_CHAT_LINES 8
#define CL_CHAT_LINE_MAX (PROTO_NAME_MAX + PROTO_CHAT_MAX + 4)

typedef struct {
    char text[CL_CHAT_LINE_MAX];
    uint16_t from;       /* player id or PROTO_CHAT_FROM_SERVER */
    double at;           /* arrival time */
} cl_chat_line;

/* The figures of the net graph (F3) and the JSON summary, refreshed once a
 * second except where noted. */
typedef struct {
    double rtt_ms;             /* ENet's round-trip estimate (every frame) */
    double jitter_ms;          /* snapshot arrival jitter */
    uint8_t loss_down_pct;     /* snapshots lost, last second */
    uint8_t loss_up_pct;       /* our inputs lost, as the server measured */
    double kbytes_down_s;      /* ENet bytes received per second, in KB (1000 B) */
    double kbytes_up_s;
    uint32_t last_snapshot_bytes;
    double interp_delay_ms;    /* (every frame) */
    double corrections_s;      /* prediction corrections per second */
    double max_extrapolation_ms; /* longest drawing past the newest snapshot */
    double max_freeze_ms;      /* longest hold beyond the extrapolation limit */
    double avg_kbytes_down_s;  /* averages since joining (for the summary) */
    double avg_kbytes_up_s;
} cl_netstats;

typedef struct {
    cl_config cfg;
    ENetHost *host;
    ENetPeer *peer;
    ENetAddress server_addr;
    char server_text[64];
    conn_state state;
    uint32_t end_reason;       /* packed proto reason when REFUSED / LOST */
    bool end_reason_known;     /* false: timed out without a reason */
    char status[160];          /* one line for the person: what is happening */
    double state_since;

    msg_welcome welcome;
    char *map_text;            /* being downloaded: welcome.map_bytes */
    uint32_t map_received;
    game_map map;
    bool map_loaded;
    bool map_shared;           /* map.tiles is a grid shared in this process (see cl_conn.c) */

    cl_player players[PROTO_MAX_PLAYERS];
    uint8_t seen[PROTO_MAX_PLAYERS / 8]; /* other players seen in snapshots */
    int players_seen;

    cl_interp interp;
    cl_predict predict;
    cl_bot bot;
    cl_target_memo target;     /* the bot's nearest-target search (cfg.bot) */
    ticker clock;
    double joined_at;
    bool renamed;

    uint64_t snapshots;        /* decoded and stored */
    uint64_t bad_packets;      /* malformed messages dropped */
    uint64_t no_baseline;      /* deltas dropped: their baseline was not held */
    uint32_t rtt_ms;
    cl_netstats net;
    double stats_at;           /* last once-a-second refresh */
    uint32_t stats_down0, stats_up0;
    uint32_t joined_down0, joined_up0;
    uint64_t stats_corrections0;
    cl_kill kills[CL_KILL_FEED];  /* ring, newest at kill_count - 1 */
    uint32_t kill_count;
    uint8_t self_ammo;
    uint16_t last_killer;         /* who fragged us last */
    double next_local_shot;       /* cosmetic: when our gun may fire again */
    double tracer_until;          /* cosmetic: our predicted tracer */
    double flash_until;           /* cosmetic: our predicted muzzle flash */
    uint32_t shots_fired;         /* times we pressed fire and the gun was ready */
    cl_effect effects[CL_EFFECTS]; /* ring of explosions */
    uint32_t effect_count;
    double hurt_at[PROTO_MAX_PLAYERS]; /* when each player last lost health (hit effects) */
    double last_snapshot_at;      /* arrival of the newest snapshot stored */
    bool interrupted;             /* no snapshot for CL_INTERRUPTED_AFTER seconds */
    uint32_t interruptions;       /* times that happened */
    double interrupted_since;
    msg_match match;              /* the match phase, limits and next map */
    bool have_match;
    uint16_t tracer_aim;
    cl_chat_line chat[CL_CHAT_LINES]; /* ring, newest at chat_count - 1 */
    uint32_t chat_count;
    int said;                  /* --say lines sent so far */
    /* Resuming a lost connection: the server's session token, the slot it
     * belongs to, and the reconnect attempts (CONN_RECONNECTING). */
    uint8_t token[PROTO_TOKEN_BYTES];
    bool have_token;
    uint16_t session_id;
    bool resuming;             /* this connection is a reconnect */
    double reconnect_until;    /* give up then (0: not reconnecting) */
    double attempt_at;         /* the current attempt started / the next one starts */
    uint32_t attempts;
    uint32_t resumes;          /* times the server gave our slot back */
} cl_conn;

/* Sets up ENet and starts connecting (address resolution errors come back
 * false with a message in err). */
bool cl_conn_start(cl_conn *c, const cl_config *cfg, double now, char *err, size_t err_cap);

/* The same for a cl_conn whose bytes are all zero already (calloc, static
 * storage): it does not clear the whole structure again, so the pages of
 * its per-player tables and snapshot ring that a game never fills are
 * never touched (memory per bot in botswarm). */
bool cl_conn_start_zeroed(cl_conn *c, const cl_config *cfg, double now, char *err, size_t err_cap);

/* Services the network for up to timeout_ms, handling every event. */
void cl_conn_service(cl_conn *c, double now, uint32_t timeout_ms);

/* Runs the client ticks that are due (input, prediction, sending).
 * `buttons` are the person's (ignored with --bot). */
void cl_conn_update(cl_conn *c, double now, uint8_t buttons, uint16_t aim);

/* Seconds until the next client tick is due (for waiting). */
double cl_conn_wait(const cl_conn *c, double now);

/* Sends a chat line (the server cleans and rate-limits it). */
void cl_conn_send_chat(cl_conn *c, const char *text);

/* Leaves politely (waits up to a second for the server to confirm). */
void cl_conn_leave(cl_conn *c);

/* Frees everything; safe after a failed start. */
void cl_conn_free(cl_conn *c);

/* True once the connection has ended, whatever the way. */
bool cl_conn_ended(const cl_conn *c);

/* Estimated server tick to draw remote players at (server time minus the
 * adaptive interpolation delay). */
double cl_conn_render_tick(const cl_conn *c, double now);

/* Per frame: smoothing, interpolation delay, net figures. */
void cl_conn_frame(cl_conn *c, double now, double dt);

/* Process exit code for how the run went (see cl_config.h). */
int cl_conn_exit_code(const cl_conn *c);

/* Text of why the connection ended, or NULL while it has not been ended by
 * the server or the network. */
const char *cl_conn_disconnect_reason(const cl_conn *c);

#endif
