/* cl_app.h - the two front ends of gameclient: headless and windowed.
 * Each runs a whole session and returns the process exit code. */
#ifndef CL_APP_H
#define CL_APP_H

#include "cl_config.h"

int cl_headless_run(const cl_config *cfg);
int cl_window_run(const cl_config *cfg);

#endif
