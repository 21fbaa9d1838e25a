/* cl_summary.h - the one-line JSON summary printed when a client exits. */
#ifndef CL_SUMMARY_H
#define CL_SUMMARY_H

#include <stdio.h>

#include "cl_conn.h"

/* Writes {"name":…,"connected":…,"client_id":…,"snapshots":…,
 * "players_seen":…,"rtt_ms":…,"disconnect_reason":…} and a newline.
 * `connected` is true when the client was in the game until the run ended
 * (or it left on purpose); client_id is null if it never joined. */
void cl_summary_print(FILE *out, const cl_conn *c, int connected_to_end);

#endif
