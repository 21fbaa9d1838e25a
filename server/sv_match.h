/* sv_match.h - match flow: time and frag limits, the intermission with the
 * final scores, and the map rotation.
 *
 * Owns: loading maps (first at start-up, then the next in the rotation or
 * one named at the console), resetting scores, rockets and pickups for a new
 * match, freezing play during the intermission, and telling clients
 * (S_MATCH, and S_WELCOME plus the map file on a change).
 */
#ifndef SV_MATCH_H
#define SV_MATCH_H

#include "sv_server.h"

/* Parses the rotation (cfg.map: NAME[,NAME...]) and loads the first map.
 * False with a message naming the file and line when a map is bad. */
bool sv_match_init(server *s, char *err, size_t err_cap);

/* Every tick: ends the match on a limit, ends the intermission with the
 * next map. */
void sv_match_tick(server *s);

/* Switches to map `name` now and starts a new match (console `map`). On
 * failure the current map stays and err says why. */
bool sv_match_change_map(server *s, const char *name, char *err, size_t err_cap);

/* True during the intermission: nobody moves or fires. */
bool sv_match_frozen(const server *s);

/* Sends the match state to one client, or everyone (to == NULL). */
void sv_match_send(server *s, sv_client *to);

/* Seconds left in the current phase. */
double sv_match_seconds_left(const server *s);

#endif
