/* cl_headless.c - gameclient without a window: no SDL at all.
 *
 * Owns: the headless loop (network, ticks, duration, signals) used by
 * tests and load generators; prints the JSON summary at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <string.h>

#include "cl_app.h"
#include "cl_conn.h"
#include "cl_summary.h"
#include "log.h"

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

int cl_headless_run(const cl_config *cfg) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    static cl_conn conn;
    char err[300];
    double start = clock_now();
    if (!cl_conn_start(&conn, cfg, start, err, sizeof err)) {
        log_error("%s", err);
        cl_summary_print(stdout, &conn, 0);
        return CL_EXIT_NO_CONNECT;
    }
    double last = start;
    while (!stop_requested && !cl_conn_ended(&conn)) {
        double now = clock_now();
        if (cfg->duration > 0 && now - start >= cfg->duration) break;
        cl_conn_update(&conn, now, 0, 0);
        cl_conn_frame(&conn, now, now - last);
        last = now;
        /* Rounded up: rounded down, the last millisecond before each tick
         * was a loop of zero-timeout services (a receive call each). */
        double wait = cl_conn_wait(&conn, now);
        cl_conn_service(&conn, clock_now(), (uint32_t)ceil(wait * 1000.0));
    }
    int connected = conn.state == CONN_IN_GAME;
    cl_conn_leave(&conn);
    int code = cl_conn_exit_code(&conn);
    cl_summary_print(stdout, &conn, connected);
    cl_conn_free(&conn);
    return code;
}
