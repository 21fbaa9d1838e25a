/* main.c - gameserver entry point: options, signals, start, run, stop. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "sv_batchio.h"
#include "sv_sched.h"
#include "sv_server.h"

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t stop_signal = 0;
static volatile sig_atomic_t stats_requested = 0;

static void on_usr1(int sig) {
    (void)sig;
    stats_requested = 1;
}

static void on_signal(int sig) {
    stop_requested = 1;
    stop_signal = sig;
}

/* Descriptors 0-2 must be open before any socket is made: if standard input
 * were closed, the first socket would become fd 0 and the console would read
 * game traffic. Closed ones are pointed at /dev/null. */
static void ensure_std_fds(void) {
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1) {
            int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
            if (n >= 0 && n != fd) close(n);
        }
}

int main(int argc, char **argv) {
    ensure_std_fds();
    sv_config cfg;
    sv_config_default(&cfg);
    char err[600];
    switch (sv_config_parse(&cfg, argc, argv, err, sizeof err)) {
    case SV_ARGS_HELP: sv_config_print_help(argv[0]); return 0;
    case SV_ARGS_ERROR: fprintf(stderr, "gameserver: %s\n", err); return 2;
    case SV_ARGS_OK: break;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    /* Before any thread starts (they inherit it), and before
     * sv_server_init picks the encoding threads from the outcome. */
    bool rt_given = cfg.rt_priority >= 0; /* -1: automatic */
    int rt_wanted = sv_config_rt_priority(&cfg);
    char why[160] = "";
    cfg.rt_priority = rt_wanted > 0 && sv_sched_realtime(rt_wanted, why, sizeof why) ? rt_wanted : 0;
    if (rt_wanted > 0 && cfg.rt_priority == 0) {
        if (rt_given)
            log_warn("--rt-priority %d refused: %s; running at normal priority", rt_wanted, why);
        else
            log_info("real-time scheduling not available (%s): normal priority (see --rt-priority)", why);
    }

    static server s;
    if (!sv_server_init(&s, &cfg, err, sizeof err)) {
        log_error("%s", err);
        return 1;
    }
    char disc[48];
    if (s.discovery.open)
        snprintf(disc, sizeof disc, ", discovery on UDP port %u", s.discovery.port);
    else
        snprintf(disc, sizeof disc, ", discovery off");
    log_info("listening on UDP port %u: \"%s\", map %s (%dx%d), %d Hz ticks, %d Hz snapshots, inputs every %d "
             "tick(s), snapshot threads %d, sends on %s thread, real-time priority %d, %d players max, protocol %u%s",
             s.port, cfg.name, s.map.name, s.map.width, s.map.height, cfg.tick_rate, cfg.snapshot_rate,
             sv_config_input_every(&cfg), s.workers.threads, sv_batchio_threaded() ? "their own" : "the main",
             sv_sched_current_priority(), cfg.max_players, PROTO_VERSION, disc);
    sv_server_run(&s, &stop_requested, &stats_requested);
    log_info("%s: telling clients and shutting down",
             stop_signal == SIGINT ? "SIGINT received" : stop_signal == SIGTERM ? "SIGTERM received" : "console quit");
    sv_snapshot_log_stats(&s);
    sv_server_shutdown(&s, PROTO_REASON_SHUTDOWN);
    log_info("shutdown complete");
    return 0;
}
