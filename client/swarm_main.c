/* swarm_main.c - botswarm: N headless bot clients in one process, for load.
 *
 * Owns: the command line, raising the open-file limit (one UDP socket per
 * bot), and the output: progress and a table on standard error, one JSON
 * object as the last line of standard output. Exit 0 when every bot stayed
 * connected to the end, 1 otherwise, 2 on a usage error. No SDL.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cl_swarm.h"

static void usage(FILE *out, const char *prog) {
    fprintf(out,
            "usage: %s [--connect HOST[:PORT]] [--bots N] [--duration SEC] [--name-prefix P]\n"
            "          [--seed N] [--connect-rate PER_S] [--peer-timeout MS] [--progress SEC]\n"
            "          [--verbose] [--help]\n"
            "\n"
            "Runs N headless bot clients (as gameclient --headless --bot) in one process, each with\n"
            "its own ENet host and UDP socket, and reports how many stayed connected, their\n"
            "snapshot rate and round trip, and the swarm's own CPU and memory.\n"
            "\n"
            "  --connect HOST[:PORT]  server (default 127.0.0.1:27500)\n"
            "  --bots N               bots, 1..%d (default 10)\n"
            "  --duration SEC         seconds from the first start until all leave (default 10)\n"
            "  --name-prefix P        bot names are P0001, P0002, ... (default bot; at most %d bytes)\n"
            "  --seed N               derive each bot's random seed from N (default: from its name)\n"
            "  --connect-rate PER_S   bots started per second (default 200)\n"
            "  --peer-timeout MS      a silent server is given up after MS (default 10000)\n"
            "  --progress SEC         a progress line on stderr every SEC seconds (default 1; 0: none)\n"
            "  --verbose              pass the bots' own log lines through (many)\n"
            "\n"
            "Standard error: progress lines and a final table. Standard output, last line, JSON:\n"
            "bots, connected (in the game at the end, never lost), ever_connected, failed (never\n"
            "joined), lost (lost the connection after joining), snapshot_hz / _min / _max (per bot,\n"
            "counted from 1 s after it joined), rtt_ms_median / _p99 (ENet round-trip estimates,\n"
            "sampled every second from 2 s after each bot joined), cpu_percent (the swarm's own,\n"
            "of one core), cpu_us_per_bot_s, rss_kb (peak), rss_kb_per_bot, ...\n"
            "\n"
            "Exit status: 0 every bot stayed connected to the end, 1 otherwise, 2 usage error.\n",
            prog, SWARM_MAX_BOTS, SWARM_PREFIX_MAX);
}

static bool parse_double(const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

static bool parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

/* 0 ok, 1 --help, 2 error (message printed). */
static int parse_args(swarm_config *cfg, int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return 1;
        if (strcmp(a, "--verbose") == 0) {
            cfg->verbose = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "botswarm: %s needs a value (or is unknown; see --help)\n", a);
            return 2;
        }
        const char *v = argv[++i];
        long n;
        double d;
        bool ok = true;
        if (strcmp(a, "--connect") == 0) {
            ok = *v && strlen(v) < sizeof cfg->connect;
            if (ok) snprintf(cfg->connect, sizeof cfg->connect, "%s", v);
        } else if (strcmp(a, "--bots") == 0) {
            ok = parse_long(v, 1, SWARM_MAX_BOTS, &n);
            if (ok) cfg->bots = (int)n;
        } else if (strcmp(a, "--duration") == 0) {
            ok = parse_double(v, 0.1, 86400.0, &d);
            if (ok) cfg->duration = d;
        } else if (strcmp(a, "--name-prefix") == 0) {
            ok = *v && strlen(v) <= SWARM_PREFIX_MAX;
            if (ok) snprintf(cfg->name_prefix, sizeof cfg->name_prefix, "%s", v);
        } else if (strcmp(a, "--seed") == 0) {
            ok = parse_long(v, 0, 4294967295L, &n);
            if (ok) {
                cfg->seed = (uint32_t)n;
                cfg->seed_given = true;
            }
        } else if (strcmp(a, "--connect-rate") == 0) {
            ok = parse_double(v, 0.1, 100000.0, &d);
            if (ok) cfg->connect_rate = d;
        } else if (strcmp(a, "--peer-timeout") == 0) {
            ok = parse_long(v, 2000, 120000, &n);
            if (ok) cfg->peer_timeout_ms = (int)n;
        } else if (strcmp(a, "--progress") == 0) {
            ok = parse_double(v, 0.0, 3600.0, &d);
            if (ok) cfg->progress_s = d;
        } else {
            fprintf(stderr, "botswarm: unknown option %s (see --help)\n", a);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "botswarm: bad value for %s: '%s' (see --help)\n", a, v);
            return 2;
        }
    }
    return 0;
}

/* One descriptor per bot plus a few: raise the soft limit to the hard one. */
static void raise_file_limit(int bots) {
    rlim_t want = (rlim_t)bots + 32;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, "botswarm: WARNING: cannot read the open-file limit (%s)\n", strerror(errno));
        return;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            fprintf(stderr, "botswarm: WARNING: cannot raise the open-file limit from %llu to %llu (%s)\n",
                    (unsigned long long)old, (unsigned long long)rl.rlim_max, strerror(errno));
            rl.rlim_cur = old;
        }
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
        fprintf(stderr,
                "botswarm: WARNING: the open-file limit is %llu (hard limit %llu) but %d bots need about %llu "
                "descriptors: the bots beyond it will fail with \"cannot open a UDP socket\" (raise it with "
                "ulimit -Hn as root)\n",
                (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max, bots, (unsigned long long)want);
}

int main(int argc, char **argv) {
    swarm_config cfg;
    swarm_config_default(&cfg);
    int p = parse_args(&cfg, argc, argv);
    if (p == 1) {
        usage(stdout, argv[0]);
        return 0;
    }
    if (p == 2) return 2;
    raise_file_limit(cfg.bots);
    if (cfg.progress_s > 0)
        fprintf(stderr, "botswarm: %d bots -> %s for %.1f s, %.0f starts/s\n", cfg.bots, cfg.connect, cfg.duration,
                cfg.connect_rate);
    swarm_result res;
    char err[300];
    if (!swarm_run(&cfg, &res, cfg.progress_s > 0 ? stderr : NULL, err, sizeof err)) {
        fprintf(stderr, "botswarm: %s\n", err);
        return 1;
    }
    swarm_print_table(stderr, &cfg, &res);
    swarm_print_json(stdout, &res);
    return res.connected == res.bots ? 0 : 1;
}
