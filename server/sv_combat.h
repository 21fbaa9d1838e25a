/* sv_combat.h - the rail gun, damage, death, respawn, scores.
 *
 * Owns: resolving rail shots with lag compensation (sv_lagcomp), rockets
 * (entities flying at SV_ROCKET_SPEED, exploding on walls and players with
 * blast damage; the owner takes half), pickups (health and ammunition, back
 * after a delay), health and
 * deaths, frags (a suicide costs one), respawning after a delay at the spawn
 * point farthest from living enemies with a short spawn protection, ammo,
 * and telling clients (kill feed, scores). Called from the server tick.
 */
#ifndef SV_COMBAT_H
#define SV_COMBAT_H

#include "sv_server.h"

#define SV_RAIL_DAMAGE 40          /* three hits kill from full health */
#define SV_RAIL_RANGE 40.0f        /* tiles */
#define SV_RAIL_COOLDOWN 0.5       /* seconds between shots */
#define SV_RESPAWN_DELAY 2.0       /* seconds dead */
#define SV_SPAWN_CANDIDATES 32     /* spawn points measured for one respawn (all, on smaller maps) */
#define SV_SPAWN_PROTECTION 1.5    /* seconds without damage after a spawn (ends on firing) */
#define SV_START_AMMO 10
#define SV_AMMO_REGEN 1.5          /* seconds per round regained, up to SV_START_AMMO */
#define SV_FIRED_FLAG_TIME 0.1     /* seconds the FIRED flag stays up (tracers) */
#define SV_SCORE_PING_INTERVAL 10.0 /* seconds between ping refreshes (scores go out at once) */
#define SV_ROCKET_SPEED 14.0f      /* tiles/s */
#define SV_ROCKET_COOLDOWN 0.9     /* seconds between rockets */
#define SV_ROCKET_COST 3           /* rounds of ammunition per rocket */
#define SV_ROCKET_LIFE 3.0         /* seconds before a rocket burns out */
#define SV_ROCKET_DIRECT 60        /* damage to the player a rocket hits, on top of the blast */
#define SV_ROCKET_SPLASH 70        /* blast damage at the centre, falling to 0 at the radius */
#define SV_ROCKET_RADIUS 1.6f      /* blast radius, tiles */
#define SV_ROCKET_HIT_RADIUS 0.45f /* how close to a player's centre a rocket must pass */
#define SV_MAX_AMMO 30             /* ammunition a player can carry */
#define SV_PICKUP_RADIUS 0.6f      /* how close a player must come to take a pickup */
#define SV_HEALTH_PICKUP 40        /* health a health pack gives */
#define SV_AMMO_PICKUP 10          /* rounds an ammunition box gives */
#define SV_HEALTH_RESPAWN 20.0     /* seconds before a taken health pack returns */
#define SV_AMMO_RESPAWN 15.0       /* seconds before a taken ammunition box returns */

/* Puts a player into the game (or back after death). */
void sv_combat_spawn(server *s, sv_client *c);

/* Start of a tick: respawns due, ammo regained, protection and flags that
 * ran out. */
void sv_combat_begin_tick(server *s);

/* After everyone moved this tick: records positions for lag compensation,
 * then resolves this tick's shots. */
void sv_combat_after_move(server *s);

/* Sends every player's score to one client (NULL: to everyone). */
void sv_combat_send_scores(server *s, sv_client *to);

/* News of a kill (the kill feed line and the two score rows) goes to every
 * player while there are at most SV_SCORE_REFRESH_MAX_PLAYERS; in a larger
 * game to its witnesses only: the two players and every player within
 * SV_VIEW_RADIUS of the victim (as of the last snapshot round's grid).
 * Otherwise N players, each seeing kills at a rate that grows with N, make
 * N x N reliable messages: at 550 bots, 50 kills a second were 80000 a
 * second. Writes the slots of the PLAYING recipients to out (room for
 * max_players), each once, and returns their count. *principals: how many
 * of them, from the first, get the kill reliably: all of them in a small
 * game; in a larger game the two players, who come first (1 for a suicide,
 * fewer if one is not playing). To the others it is a line of the kill
 * feed, sent unreliably with their next snapshot (sv_combat_send_feed): at
 * 1000 bots, some 200 kills a second, the reliable copies and their
 * acknowledgements, one datagram each, were a third of the datagrams the
 * server received, and sent at once, half of the copies (those to the
 * players whose snapshot was not due that tick) went in datagrams of their
 * own. */
int sv_combat_witnesses(const server *s, const sv_client *killer, const sv_client *victim, uint16_t *out,
                        int *principals);

/* Sends the kill feed lines held for c (see sv_combat_witnesses), if any:
 * unreliable and unsequenced, queued just before its snapshot so that ENet
 * puts them in the same datagram. */
void sv_combat_send_feed(sv_client *c);

/* The news of a kill (done by kill(), after the scores changed): the kill
 * to its witnesses, the two new score rows (see sv_combat_witnesses). */
void sv_combat_kill_news(server *s, sv_client *killer, sv_client *victim, uint8_t weapon);

#define SV_LEADER_ROWS 20       /* the rows the client's scoreboard shows */
#define SV_LEADER_INTERVAL 2.0  /* seconds between leader refreshes in a large game */

/* In a large game, where score rows reach only witnesses: sends everyone
 * the rows of the SV_LEADER_ROWS players with the most frags (fewest
 * deaths first among equals) whose frags or deaths changed since they
 * last went to everyone. Returns how many rows went out. */
int sv_combat_send_leaders(server *s);

#endif
