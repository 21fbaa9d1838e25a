/* enet_floor.c - what the game server's traffic costs ENet alone: the floor.
 *
 * A bare ENet server host and N ENet client hosts move the same traffic as
 * a measured game server did, with no game at all: the server sends, at the
 * same tick rate (one flush per tick), the same datagrams per second of the
 * same mean size (unreliable, sequenced, channel 1, like snapshots), and
 * the clients send the same inbound datagrams per second of the same mean
 * size (unsequenced, like inputs). The clients live in a forked child
 * process, so the CPU time measured (CLOCK_PROCESS_CPUTIME_ID of the server
 * process) is the server side's alone. bench/scale divides the game
 * server's CPU % by this one: floor_ratio.
 *
 * Rates and sizes are of datagrams with ENet's headers (UDP/IP not), as the
 * game server's --stats lines count them; ENet adds its own pings (and acks
 * of them) to those, so during a warm-up both sides measure what they put
 * on the wire and correct their send rate and payload size toward the
 * target once a second. The figures are then measured over --seconds.
 *
 *   enet_floor --clients N --tick-rate HZ --seconds S
 *              --out-pps P --out-bytes B --in-pps P --in-bytes B
 *              [--warmup S] [--connect-rate PER_S] [--client-nice N]
 *
 * --client-nice N: the clients' process lowers its scheduling priority by N
 * (nice(2)), as bench/scale runs its bot swarm, so that the floor and the
 * game server are measured beside a load generator of the same priority.
 *
 * The last line of standard output is one JSON object: clients, connected,
 * tick_rate, seconds, cpu_percent (server process, % of one core),
 * packets_out_s, bytes_out_s, packets_in_s, bytes_in_s (measured at the
 * server host), the targets, the payload sizes used, and the server's
 * per-tick work time (frame_p50_ms, frame_p99_ms, frame_max_ms: receive,
 * send and flush, as the game server's frame). Exit 0, 1 if not every
 * client connected, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <enet/enet.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 4096
#define MAX_PAYLOAD 4000
#define UNRELIABLE_OVERHEAD 10 /* ENet: 2-byte header (no sent time) + 8-byte send command */

typedef struct {
    int clients, tick_rate, client_nice;
    double seconds, warmup, connect_rate;
    double out_pps, out_bytes, in_pps, in_bytes;
} options;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(void) {
    fprintf(stderr, "usage: enet_floor --clients N --tick-rate HZ --seconds S --out-pps P --out-bytes B "
                    "--in-pps P --in-bytes B [--warmup S] [--connect-rate PER_S] [--client-nice N]\n");
}

static int parse(int argc, char **argv, options *o) {
    *o = (options){.clients = 16, .tick_rate = 60, .seconds = 10, .warmup = 3, .connect_rate = 200,
                   .out_pps = 480, .out_bytes = 200, .in_pps = 960, .in_bytes = 40};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            exit(0);
        }
        if (i + 1 >= argc) return -1;
        double v = strtod(argv[++i], NULL);
        if (!strcmp(a, "--clients")) o->clients = (int)v;
        else if (!strcmp(a, "--tick-rate")) o->tick_rate = (int)v;
        else if (!strcmp(a, "--seconds")) o->seconds = v;
        else if (!strcmp(a, "--warmup")) o->warmup = v;
        else if (!strcmp(a, "--connect-rate")) o->connect_rate = v;
        else if (!strcmp(a, "--out-pps")) o->out_pps = v;
        else if (!strcmp(a, "--out-bytes")) o->out_bytes = v;
        else if (!strcmp(a, "--in-pps")) o->in_pps = v;
        else if (!strcmp(a, "--in-bytes")) o->in_bytes = v;
        else if (!strcmp(a, "--client-nice")) o->client_nice = (int)v;
        else return -1;
    }
    if (o->clients < 1 || o->clients > MAX_CLIENTS || o->tick_rate < 1 || o->tick_rate > 1000 ||
        o->seconds <= 0 || o->warmup < 0 || o->connect_rate <= 0 || o->out_pps < 0 || o->in_pps < 0 ||
        o->out_bytes < 0 || o->in_bytes < 0 || o->client_nice < 0 || o->client_nice > 19)
        return -1;
    return 0;
}

static void configure_peer(ENetPeer *p) {
    /* as the game (shared/net.c): the throttle never drops unreliable packets */
    enet_peer_throttle_configure(p, ENET_PEER_PACKET_THROTTLE_INTERVAL, ENET_PEER_PACKET_THROTTLE_SCALE, 0);
}

static int clamp_payload(double datagram_bytes) {
    double p = floor(datagram_bytes - UNRELIABLE_OVERHEAD + 0.5);
    return p < 1 ? 1 : p > MAX_PAYLOAD ? MAX_PAYLOAD : (int)p;
}

/* A sender's self-correction: `rate` (datagrams/s it sends itself, per
 * peer) and `payload` move toward the target by what the last second
 * measured. */
typedef struct {
    double target_pps, target_bytes; /* totals over all peers */
    double rate;                     /* our packets per second per peer */
    int payload;
    uint64_t at_pk, at_by;
    double at_t;
} tuner;

static void tuner_init(tuner *t, double pps, double bytes, int peers, double now) {
    *t = (tuner){.target_pps = pps, .target_bytes = bytes, .rate = pps / peers, .payload = clamp_payload(bytes),
                 .at_t = now};
}

static void tuner_step(tuner *t, uint64_t packets, uint64_t bytes, int peers, double now) {
    double span = now - t->at_t;
    if (span < 1.0) return;
    double pps = (double)(packets - t->at_pk) / span, by = (double)(bytes - t->at_by);
    if (packets > t->at_pk && peers > 0) {
        t->rate += (t->target_pps - pps) / peers;
        if (t->rate < 0) t->rate = 0;
        double mean = by / (double)(packets - t->at_pk);
        t->payload = clamp_payload((double)t->payload + UNRELIABLE_OVERHEAD + (t->target_bytes - mean));
    }
    t->at_pk = packets;
    t->at_by = bytes;
    t->at_t = now;
}

static uint8_t payload_buf[MAX_PAYLOAD];

/* ---- the clients (child process) ---------------------------------------- */

typedef struct {
    ENetHost *host;
    ENetPeer *peer;
    bool connected;
    double acc;
    double last_service;
} fclient;

static volatile sig_atomic_t child_stop;
static void on_term(int sig) {
    (void)sig;
    child_stop = 1;
}

static void service_client(fclient *c) {
    ENetEvent ev;
    while (enet_host_service(c->host, &ev, 0) > 0) {
        if (ev.type == ENET_EVENT_TYPE_CONNECT) {
            c->connected = true;
            configure_peer(c->peer);
        } else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
            c->connected = false;
        } else if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
            enet_packet_destroy(ev.packet);
        }
    }
}

static int run_clients(const options *o, uint16_t port, double deadline) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGTERM, on_term);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int n = o->clients;
    fclient *cs = calloc((size_t)n, sizeof *cs);
    int ep = epoll_create1(0);
    if (!cs || ep < 0) return 1;
    ENetAddress addr;
    enet_address_set_host(&addr, "127.0.0.1");
    addr.port = port;
    double step = 1.0 / o->tick_rate, t0 = now_s(), next = t0;
    int started = 0, connected = 0;
    tuner tu;
    tuner_init(&tu, o->in_pps, o->in_bytes, n, t0);
    double measure_from = 0; /* tune until everyone is connected plus the warm-up */
    size_t rr = 0;
    while (!child_stop && now_s() < deadline) {
        double now = now_s();
        int due = (int)((now - t0) * o->connect_rate) + 1;
        while (started < n && started < due) {
            fclient *c = &cs[started];
            c->host = enet_host_create(NULL, 1, 2, 0, 0);
            if (!c->host) {
                fprintf(stderr, "enet_floor: client %d: no socket (open-file limit?)\n", started);
                return 1;
            }
            c->peer = enet_host_connect(c->host, &addr, 2, 0);
            struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)started};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->host->socket, &e);
            enet_host_flush(c->host); /* the connect goes out now */
            c->last_service = now;
            started++;
        }
        /* sockets with data, and a few others in turn (ENet's timers) */
        struct epoll_event evs[256];
        int k = epoll_wait(ep, evs, 256, 0);
        for (int i = 0; i < k; i++) {
            fclient *c = &cs[evs[i].data.u32];
            service_client(c);
            c->last_service = now;
        }
        for (int i = 0; i < 8 && started > 0; i++, rr++) {
            fclient *c = &cs[rr % (size_t)started];
            if (now - c->last_service > 0.05) {
                service_client(c);
                c->last_service = now;
            }
        }
        if (now >= next) {
            next += step;
            if (now - next > 0.1) next = now + step;
            connected = 0;
            uint64_t pk = 0, by = 0;
            for (int i = 0; i < started; i++) {
                fclient *c = &cs[i];
                connected += c->connected;
                pk += c->host->totalSentPackets;
                by += c->host->totalSentData;
                if (!c->connected) continue;
                c->acc += tu.rate / o->tick_rate;
                while (c->acc >= 1.0) { /* one datagram each, as the datagram rate is the target */
                    c->acc -= 1.0;
                    ENetPacket *p = enet_packet_create(payload_buf, (size_t)tu.payload, ENET_PACKET_FLAG_UNSEQUENCED);
                    if (p && enet_peer_send(c->peer, 1, p) < 0) enet_packet_destroy(p);
                    enet_host_flush(c->host);
                }
            }
            if (connected == n && measure_from == 0) measure_from = now + o->warmup;
            if (measure_from == 0 || now < measure_from) tuner_step(&tu, pk, by, connected, now);
        }
        double wait = next - now_s();
        if (wait > 0.002) wait = 0.002;
        if (wait > 0) {
            struct epoll_event e; /* sleep until a socket has data (served next turn) or the tick */
            epoll_wait(ep, &e, 1, (int)(wait * 1000.0));
        }
    }
    for (int i = 0; i < started; i++) enet_host_destroy(cs[i].host);
    free(cs);
    return 0;
}

/* ---- the server (this process) ------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    options o;
    if (parse(argc, argv, &o) != 0) {
        usage();
        return 2;
    }
    for (size_t i = 0; i < sizeof payload_buf; i++) payload_buf[i] = (uint8_t)(i * 131u + 7u);
    if (enet_initialize() != 0) return 1;
    ENetAddress addr = {.host = ENET_HOST_ANY, .port = 0};
    ENetHost *host = enet_host_create(&addr, (size_t)o.clients + 16, 2, 0, 0);
    if (!host) {
        fprintf(stderr, "enet_floor: cannot open a UDP socket\n");
        return 1;
    }
    host->maximumPacketSize = 4096;
    host->maximumWaitingData = 256 * 1024;
    ENetAddress bound;
    enet_socket_get_address(host->socket, &bound);
    double connect_time = o.clients / o.connect_rate + 10.0;
    double total = connect_time + o.warmup + o.seconds + 5.0;
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        enet_host_destroy(host); /* the child's copy of the server socket: closed */
        errno = 0;
        if (o.client_nice > 0 && nice(o.client_nice) == -1 && errno != 0) perror("enet_floor: nice");
        _exit(run_clients(&o, bound.port, now_s() + total));
    }

    ENetPeer **peers = calloc((size_t)o.clients, sizeof *peers);
    double *acc = calloc((size_t)o.clients, sizeof *acc);
    size_t ticks_cap = (size_t)((o.seconds + 1) * o.tick_rate) + 16;
    double *tick_ms = calloc(ticks_cap, sizeof *tick_ms);
    if (!peers || !acc || !tick_ms) return 1;
    int connected = 0;
    double t0 = now_s(), step = 1.0 / o.tick_rate, next = t0 + step;
    tuner tu;
    tuner_init(&tu, o.out_pps, o.out_bytes, o.clients, t0);
    double all_at = 0, measure_from = 0, measure_to = 0, cpu0 = 0, recv_pending = 0;
    uint64_t pk_out0 = 0, by_out0 = 0, pk_in0 = 0, by_in0 = 0;
    size_t nticks = 0;
    bool measuring = false, done = false;
    while (!done) {
        double now = now_s();
        if (now - t0 > total) break;
        if (now >= next) { /* a tick: send what is due to every peer, one flush */
            next += step;
            if (now - next > 5 * step) next = now + step; /* fell behind: skip, as the game does */
            double t_tick = now_s();
            for (int i = 0; i < connected; i++) acc[i] += tu.rate / o.tick_rate;
            for (bool more = true; more;) { /* a packet per peer and datagram: one flush per round */
                more = false;
                for (int i = 0; i < connected; i++) {
                    if (acc[i] < 1.0) continue;
                    acc[i] -= 1.0;
                    more = more || acc[i] >= 1.0;
                    ENetPacket *p = enet_packet_create(payload_buf, (size_t)tu.payload, 0);
                    if (p && enet_peer_send(peers[i], 1, p) < 0) enet_packet_destroy(p);
                }
                enet_host_flush(host);
            }
            double work = now_s() - t_tick + recv_pending;
            recv_pending = 0;
            if (measuring && nticks < ticks_cap) tick_ms[nticks++] = work * 1000.0;
            if (!measure_from && connected == o.clients) {
                all_at = now;
                measure_from = now + o.warmup;
            }
            if (!measuring && (!measure_from || now < measure_from))
                tuner_step(&tu, host->totalSentPackets, host->totalSentData, connected, now);
            if (measure_from && !measuring && now >= measure_from) {
                measuring = true;
                measure_to = now + o.seconds;
                cpu0 = cpu_s();
                pk_out0 = host->totalSentPackets;
                by_out0 = host->totalSentData;
                pk_in0 = host->totalReceivedPackets;
                by_in0 = host->totalReceivedData;
                measure_from = now;
            }
            if (measuring && now >= measure_to) break;
            if (!measure_from && now - t0 > connect_time) break; /* not everyone connected */
        }
        /* wait for traffic until the next tick, then read everything (timed, charged to the next tick) */
        double wait = next - now_s();
        enet_host_flush(host);
        if (wait > 0) {
            enet_uint32 cond = ENET_SOCKET_WAIT_RECEIVE | ENET_SOCKET_WAIT_INTERRUPT;
            enet_socket_wait(host->socket, &cond, (enet_uint32)(wait * 1000.0));
        }
        double t_recv = now_s();
        enet_uint32 dg = host->totalReceivedPackets;
        ENetEvent ev;
        int r = enet_host_service(host, &ev, 0);
        bool busy = r != 0 || host->totalReceivedPackets != dg;
        while (r > 0) {
            if (ev.type == ENET_EVENT_TYPE_CONNECT && connected < o.clients) {
                configure_peer(ev.peer);
                peers[connected++] = ev.peer;
            } else if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
                enet_packet_destroy(ev.packet);
            } else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
                for (int i = 0; i < connected; i++)
                    if (peers[i] == ev.peer) {
                        peers[i] = peers[--connected];
                        break;
                    }
            }
            r = enet_host_check_events(host, &ev);
        }
        if (busy) recv_pending += now_s() - t_recv;
    }
    double t1 = now_s(), cpu1 = cpu_s();
    double span = measuring ? t1 - measure_from : 0;
    kill(child, SIGTERM);
    int status = 0;
    waitpid(child, &status, 0);
    qsort(tick_ms, nticks, sizeof *tick_ms, cmp_double);
    double p50 = nticks ? tick_ms[(nticks - 1) / 2] : 0, p99 = nticks ? tick_ms[(size_t)ceil(0.99 * nticks) - 1] : 0,
           mx = nticks ? tick_ms[nticks - 1] : 0;
    double cpu = span > 0 ? (cpu1 - cpu0) / span * 100.0 : 0;
    printf("{\"clients\":%d,\"connected\":%d,\"tick_rate\":%d,\"seconds\":%.2f,\"connect_s\":%.2f,\"cpu_percent\":%.2f,"
           "\"packets_out_s\":%.1f,\"bytes_out_s\":%.1f,\"packets_in_s\":%.1f,\"bytes_in_s\":%.1f,"
           "\"target_packets_out_s\":%.1f,\"target_bytes_out_s\":%.1f,\"target_packets_in_s\":%.1f,"
           "\"target_bytes_in_s\":%.1f,\"payload_out_bytes\":%d,\"frame_p50_ms\":%.4f,\"frame_p99_ms\":%.4f,"
           "\"frame_max_ms\":%.4f,\"ticks\":%zu}\n",
           o.clients, connected, o.tick_rate, span, all_at > 0 ? all_at - t0 : -1.0, cpu,
           span > 0 ? (double)(uint32_t)(host->totalSentPackets - pk_out0) / span : 0,
           span > 0 ? (double)(uint32_t)(host->totalSentData - by_out0) / span : 0,
           span > 0 ? (double)(uint32_t)(host->totalReceivedPackets - pk_in0) / span : 0,
           span > 0 ? (double)(uint32_t)(host->totalReceivedData - by_in0) / span : 0, o.out_pps,
           o.out_pps * o.out_bytes, o.in_pps, o.in_pps * o.in_bytes, tu.payload, p50, p99, mx, nticks);
    enet_host_destroy(host);
    free(peers);
    free(acc);
    free(tick_ms);
    enet_deinitialize();
    return connected == o.clients && measuring ? 0 : 1;
}
