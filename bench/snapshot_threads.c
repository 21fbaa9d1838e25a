/* snapshot_threads.c - what sharing snapshot encoding among threads buys,
 * without the network or the bots in the way.
 *
 * An in-memory server (no ENet host: the snapshots are built, encoded and
 * counted, not sent) with N players walking about metropolis at random,
 * driven tick by tick at 60 Hz ticks and 30 Hz snapshots (each tick
 * encodes the snapshots of half the players, as the real server does),
 * every snapshot acknowledged two snapshots later (a round trip). The same
 * run, from the same seed, is repeated for each thread count; per run it
 * reports the snapshot phase's wall time per tick (p50, p99, max) and the
 * process CPU time per tick, and a checksum of every byte encoded, which
 * must be the same for every thread count.
 *
 * Usage: snapshot_threads [--players 1000] [--ticks 1200] [--threads "1 2"]
 *                         [--map PATH]
 * The last line is JSON: players, ticks, and per thread count its figures,
 * speedup (p50 wall time with 1 thread / with this many), identical, and
 * checksum (FNV-1a of every snapshot byte, in hex: a change to the encoder
 * that should not change its output must leave it as it was).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "clock.h"
#include "sim.h"
#include "sv_server.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

typedef struct {
    int threads;
    double p50, p99, max, cpu_per_tick;
    uint64_t checksum;
    int helpers; /* threads actually running */
} run_result;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static bool run(const char *map_path, int players, int ticks, int threads, run_result *out) {
    static server s;
    memset(&s, 0, sizeof s);
    sv_config_default(&s.cfg);
    s.cfg.max_players = players;
    char err[256];
    if (!map_load_file(map_path, &s.map, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return false;
    }
    s.clients = calloc((size_t)players + SV_MAX_HANDSHAKES, sizeof *s.clients);
    double *wall = calloc((size_t)ticks, sizeof *wall);
    if (!s.clients || !wall || !sv_snapshot_alloc(&s, threads)) return false;
    rng_state = 42;
    for (int i = 0; i < players; i++) {
        sv_client *c = &s.clients[i];
        c->state = SLOT_PLAYING;
        sim_player_spawn(&s.map, &c->ps, rnd());
    }
    const int every = s.cfg.tick_rate / s.cfg.snapshot_rate;
    const float dt = 1.0f / (float)s.cfg.tick_rate;
    uint64_t sum = 1469598103934665603ull;
    double cpu0 = 0;
    int warm = ticks / 4, timed = 0;
    for (int t = 0; t < warm + ticks; t++) {
        s.tick++;
        sv_workers_prepare(&s.workers); /* as the server does at a tick's start */
        for (int i = 0; i < players; i++) { /* walk about: a new direction now and then */
            sv_client *c = &s.clients[i];
            if (rnd() % 30 == 0) c->cmd.buttons = (uint8_t)(rnd() & (BTN_UP | BTN_DOWN | BTN_LEFT | BTN_RIGHT));
            c->cmd.aim = (uint16_t)(c->cmd.aim + (rnd() % 512));
            c->cmd.tick = s.tick;
            c->last_cmd_tick = s.tick;
            sim_player_step(&s.map, &c->ps, &c->cmd, dt);
        }
        int phase = (every - (int)(s.tick % (uint32_t)every)) % every;
        if (t == warm) cpu0 = clock_cpu_seconds();
        double t0 = clock_now();
        sv_snapshot_send(&s, every, phase);
        double t1 = clock_now();
        if (t >= warm) wall[timed++] = (t1 - t0) * 1000.0;
        for (int i = phase; i < players; i += every) {
            sv_client *c = &s.clients[i];
            const sv_snap_out *o = &s.snap_out[i];
            if (o->len > 0) sum = fnv(sum, s.snap_bytes + (size_t)i * PROTO_SNAPSHOT_MAX_BYTES, (size_t)o->len);
            /* acknowledged two snapshots later */
            if (s.tick > (uint32_t)(2 * every)) c->ack_snapshot_tick = s.tick - (uint32_t)(2 * every);
        }
    }
    out->cpu_per_tick = (clock_cpu_seconds() - cpu0) * 1000.0 / ticks;
    qsort(wall, (size_t)timed, sizeof *wall, cmp_double);
    out->threads = threads;
    out->helpers = s.workers.threads;
    out->p50 = wall[timed / 2];
    out->p99 = wall[(int)(0.99 * (timed - 1))];
    out->max = wall[timed - 1];
    out->checksum = sum;
    sv_snapshot_free(&s);
    free(s.clients);
    free(wall);
    map_free(&s.map);
    return true;
}

int main(int argc, char **argv) {
    int players = 1000, ticks = 1200;
    const char *thread_list = "1 2";
    char map_path[1024] = "";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--players") == 0) players = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--ticks") == 0) ticks = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0) thread_list = argv[i + 1];
        else if (strcmp(argv[i], "--map") == 0) snprintf(map_path, sizeof map_path, "%s", argv[i + 1]);
        else {
            fprintf(stderr, "usage: %s [--players N] [--ticks N] [--threads \"1 2\"] [--map PATH]\n", argv[0]);
            return 2;
        }
    }
    if (players < 1 || players > PROTO_MAX_PLAYERS || ticks < 10) {
        fprintf(stderr, "--players 1..%d, --ticks 10 or more\n", PROTO_MAX_PLAYERS);
        return 2;
    }
    if (!map_path[0] && !assets_find("maps/metropolis.map", map_path, sizeof map_path)) {
        fprintf(stderr, "cannot find assets/maps/metropolis.map (give --map PATH)\n");
        return 1;
    }
    run_result res[SV_WORKERS_MAX];
    int nres = 0;
    for (const char *p = thread_list; *p && nres < SV_WORKERS_MAX;) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p) break;
        p = end;
        if (n < 1 || n > SV_WORKERS_MAX) continue;
        if (!run(map_path, players, ticks, (int)n, &res[nres])) return 1;
        nres++;
    }
    printf("%d players, %d ticks at 60 Hz (snapshots for half of them each tick)\n", players, ticks);
    printf("threads  wall p50 ms  p99 ms  max ms  cpu ms/tick  speedup  identical\n");
    for (int k = 0; k < nres; k++)
        printf("%7d  %11.3f  %6.3f  %6.3f  %11.3f  %7.2f  %s\n", res[k].helpers, res[k].p50, res[k].p99, res[k].max,
               res[k].cpu_per_tick, res[0].p50 / res[k].p50, res[k].checksum == res[0].checksum ? "yes" : "NO");
    printf("{\"players\":%d,\"ticks\":%d,\"runs\":[", players, ticks);
    for (int k = 0; k < nres; k++)
        printf("%s{\"threads\":%d,\"wall_p50_ms\":%.4f,\"wall_p99_ms\":%.4f,\"wall_max_ms\":%.4f,"
               "\"cpu_ms_per_tick\":%.4f,\"speedup\":%.3f,\"identical\":%s,\"checksum\":\"%016llx\"}",
               k ? "," : "", res[k].helpers, res[k].p50, res[k].p99, res[k].max, res[k].cpu_per_tick,
               res[0].p50 / res[k].p50, res[k].checksum == res[0].checksum ? "true" : "false",
               (unsigned long long)res[k].checksum);
    printf("]}\n");
    for (int k = 1; k < nres; k++)
        if (res[k].checksum != res[0].checksum) return 1;
    return 0;
}
