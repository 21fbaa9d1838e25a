/* cl_colors.h - the colour of each player, distinct for neighbouring ids.
 * Pure (no SDL) so tests can ask which colour a player should be drawn in. */
#ifndef CL_COLORS_H
#define CL_COLORS_H

#include <stdint.h>

void cl_player_color(uint16_t id, uint8_t rgb[3]);

#endif
