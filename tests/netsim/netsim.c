/* netsim.c - the netsim program: a UDP relay on 127.0.0.1 that sits between
 * game clients and a loopback game server and simulates a bad network
 * (latency, jitter, loss, duplication, reordering, blackouts), each
 * direction configured on its own and seeded for repeatability. This file
 * owns the command line, sockets, the poll() event loop, the preallocated
 * packet pool and the statistics; the decisions are in netsim_core.c and
 * the delay queue in netsim_heap.c. Run `netsim --help` for the options. */
#define _POSIX_C_SOURCE 200809L

#include "netsim_core.h"
#include "netsim_heap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 256
#define MAX_DATAGRAM 2048
#define QUEUE_CAP 8192
#define POLL_CAP_MS 200     /* wake at least this often (signals, duration) */
#define DRAIN_PER_WAKE 512  /* datagrams read from one socket per wake-up */
#define MAX_SECONDS 10000000.0

enum { DIR_UP = 0, DIR_DOWN = 1, DIR_COUNT = 2 };
enum { SCOPE_BOTH = 0, SCOPE_UP = 1, SCOPE_DOWN = 2, SCOPE_COUNT = 3 };
enum { P_LATENCY, P_JITTER, P_LOSS, P_DUP, P_REORDER, P_COUNT };

static const char *const PARAM_NAMES[P_COUNT] = {"latency", "jitter", "loss", "dup", "reorder"};
static const char *const DIR_NAMES[DIR_COUNT] = {"up", "down"};

typedef struct dir_stats {
    uint64_t received, forwarded, lost, duplicated, reordered;
    uint64_t blackout_dropped, overflow_dropped, oversize_dropped, send_errors;
} dir_stats;

typedef struct client {
    struct sockaddr_in addr;  /* the game client's address, as seen on the listen socket */
    int fd;                   /* upstream socket, connected to the server */
} client;

typedef struct packet_slot {
    uint32_t len;
    uint16_t client;
    uint8_t dir;
    unsigned char data[MAX_DATAGRAM];
} packet_slot;

typedef struct options {
    struct sockaddr_in server;
    char server_text[300];
    unsigned listen_port;
    uint64_t seed;
    uint64_t duration_ms;     /* 0: until SIGINT/SIGTERM */
    netsim_dir_config dir[DIR_COUNT];
    netsim_blackouts blackouts;
    bool stats_json;
} options;

typedef struct relay {
    const options *opt;
    int listen_fd;
    client clients[MAX_CLIENTS];
    int nclients;
    uint64_t refused_datagrams;
    bool refused_logged;
    packet_slot *pool;
    uint32_t *free_slots;
    uint32_t nfree;
    netsim_heap heap;
    netsim_heap_item *heap_storage;
    netsim_rng rng[DIR_COUNT];
    dir_stats stats[DIR_COUNT];
    uint64_t start_mono_ms;
    bool send_error_logged;
} relay;

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- command line ------------------------------------------------------ */

static void print_usage(FILE *f)
{
    fputs(
        "usage: netsim --server HOST:PORT [options]\n"
        "\n"
        "A UDP relay on 127.0.0.1 that forwards game clients' datagrams to a game\n"
        "server on loopback and the replies back, simulating a bad network. Each\n"
        "client address gets its own upstream socket, so the server sees one peer\n"
        "per client. Point the game client at the printed port instead of the server.\n"
        "\n"
        "  --server HOST:PORT   the game server; HOST must resolve to 127.0.0.0/8 (required)\n"
        "  --listen PORT        UDP port to listen on, on 127.0.0.1 (default 0: the OS picks)\n"
        "  --seed N             RNG seed, 0..2^64-1 (default 1); same seed, same decisions\n"
        "  --duration SECONDS   stop after this long (default: run until SIGINT/SIGTERM)\n"
        "\n"
        "Faults, both directions (MS: 0..600000 milliseconds, PCT: 0..100, decimals ok):\n"
        "  --latency MS         one-way delay added to every datagram (default 0)\n"
        "  --jitter MS          uniform extra delay in [-MS, +MS], total clamped at 0\n"
        "  --loss PCT           drop a datagram with this probability\n"
        "  --dup PCT            send a second copy, with its own independent delay\n"
        "  --reorder PCT        per copy: add latency/2 + 10 ms so it lands after later ones\n"
        "Per direction; these override the both-directions value whatever their order:\n"
        "  --up-latency MS   --up-jitter MS   --up-loss PCT   --up-dup PCT   --up-reorder PCT\n"
        "                       client -> server only\n"
        "  --down-latency MS --down-jitter MS --down-loss PCT --down-dup PCT --down-reorder PCT\n"
        "                       server -> client only\n"
        "  --blackout START:DURATION\n"
        "                       drop every datagram received (both ways) from START to\n"
        "                       START+DURATION seconds after start-up (decimals ok, e.g.\n"
        "                       0.5:1); repeatable up to 16 times\n"
        "\n"
        "Output:\n"
        "  --stats-json         print the JSON summary at exit (the default)\n"
        "  --no-stats-json      do not print it\n"
        "  --help               this text\n"
        "Options also take the form --name=VALUE.\n"
        "\n"
        "The first line on stderr is exactly `netsim listening on UDP port N`; more log\n"
        "lines follow on stderr. At exit (SIGINT, SIGTERM or --duration) the last line\n"
        "on stdout is one JSON object:\n"
        "  {\"up\":{\"received\":R,\"forwarded\":F,\"lost\":L,\"duplicated\":D,\"reordered\":O,\n"
        "   \"blackout_dropped\":B,\"overflow_dropped\":Q,\"oversize_dropped\":Z,\"send_errors\":E},\n"
        "   \"down\":{...same...},\"clients\":N,\"refused_datagrams\":X}\n"
        "received counts datagrams in; forwarded counts copies sent (duplicates count\n"
        "twice); duplicated and reordered count decisions. Datagrams over 2048 bytes\n"
        "are dropped (oversize_dropped). At most 8192 copies wait in the delay queue;\n"
        "more are dropped (overflow_dropped). At most 256 clients; datagrams from\n"
        "further addresses are dropped (refused_datagrams); client entries last until\n"
        "exit. Copies still queued at exit are discarded.\n"
        "\n"
        "Exit status: 0 after a clean stop, 1 on a run-time error (socket), 2 on a\n"
        "usage error (including a non-loopback --server).\n",
        f);
}

static void usage_error(const char *what, const char *arg)
{
    if (arg) {
        fprintf(stderr, "netsim: %s: '%s'\n", what, arg);
    } else {
        fprintf(stderr, "netsim: %s\n", what);
    }
    fputs("Try 'netsim --help'.\n", stderr);
    exit(2);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static bool parse_double(const char *s, double min, double max, double *out)
{
    if (!s || *s == '\0') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !(v >= min && v <= max)) {
        return false;
    }
    *out = v;
    return true;
}

static uint64_t seconds_to_ms(double s)
{
    return (uint64_t)(s * 1000.0 + 0.5);
}

/* Fills opt->server from "HOST:PORT"; HOST must resolve to 127.0.0.0/8. */
static void parse_server(const char *arg, options *opt)
{
    char host[256];
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof host) {
        usage_error("--server wants HOST:PORT", arg);
    }
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    uint64_t port = 0;
    if (!parse_u64(colon + 1, 65535, &port) || port == 0) {
        usage_error("--server port must be 1..65535", arg);
    }
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        fprintf(stderr, "netsim: cannot resolve server host '%s' (IPv4): %s\n", host,
                rc != 0 ? gai_strerror(rc) : "no address");
        fputs("Try 'netsim --help'.\n", stderr);
        exit(2);
    }
    struct sockaddr_in sa;
    memcpy(&sa, res->ai_addr, sizeof sa);
    freeaddrinfo(res);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, text, sizeof text);
    if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr,
                "netsim: refusing to relay to %s (%s): only loopback targets (127.0.0.0/8) "
                "are allowed\n",
                host, text);
        fputs("Try 'netsim --help'.\n", stderr);
        exit(2);
    }
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    opt->server = sa;
    snprintf(opt->server_text, sizeof opt->server_text, "%s:%u", text, (unsigned)port);
}

static void parse_blackout(const char *arg, options *opt)
{
    char buf[128];
    if (strlen(arg) >= sizeof buf) {
        usage_error("--blackout wants START:DURATION in seconds", arg);
    }
    strcpy(buf, arg);
    char *colon = strchr(buf, ':');
    if (!colon) {
        usage_error("--blackout wants START:DURATION in seconds", arg);
    }
    *colon = '\0';
    double start = 0, dur = 0;
    if (!parse_double(buf, 0.0, MAX_SECONDS, &start) ||
        !parse_double(colon + 1, 0.0, MAX_SECONDS, &dur) || seconds_to_ms(dur) == 0) {
        usage_error("--blackout wants START:DURATION, seconds, START >= 0, DURATION >= 0.001", arg);
    }
    if (opt->blackouts.count >= NETSIM_MAX_BLACKOUTS) {
        usage_error("too many --blackout windows (at most 16)", arg);
    }
    netsim_blackouts_add(&opt->blackouts, seconds_to_ms(start), seconds_to_ms(dur));
}

/* Recognizes --[up-|down-]{latency,jitter,loss,dup,reorder}; false otherwise. */
static bool fault_option(const char *name, int *scope, int *param)
{
    *scope = SCOPE_BOTH;
    if (strncmp(name, "up-", 3) == 0) {
        *scope = SCOPE_UP;
        name += 3;
    } else if (strncmp(name, "down-", 5) == 0) {
        *scope = SCOPE_DOWN;
        name += 5;
    }
    for (int p = 0; p < P_COUNT; p++) {
        if (strcmp(name, PARAM_NAMES[p]) == 0) {
            *param = p;
            return true;
        }
    }
    return false;
}

static void parse_args(int argc, char **argv, options *opt)
{
    double val[SCOPE_COUNT][P_COUNT];
    bool set[SCOPE_COUNT][P_COUNT];
    memset(val, 0, sizeof val);
    memset(set, 0, sizeof set);
    memset(opt, 0, sizeof *opt);
    opt->seed = 1;
    opt->stats_json = true;
    bool have_server = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            usage_error("unexpected argument", a);
        }
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (nlen >= sizeof name) {
            usage_error("unknown option", a);
        }
        memcpy(name, a + 2, nlen);
        name[nlen] = '\0';
        if (eq) {
            value = eq + 1;
        }

        if (strcmp(name, "help") == 0) {
            print_usage(stdout);
            exit(0);
        }
        if (strcmp(name, "stats-json") == 0 || strcmp(name, "no-stats-json") == 0) {
            if (value) {
                usage_error("option takes no value", a);
            }
            opt->stats_json = name[0] == 's';
            continue;
        }
        int scope = 0, param = 0;
        bool is_fault = fault_option(name, &scope, &param);
        if (!is_fault && strcmp(name, "server") != 0 && strcmp(name, "listen") != 0 &&
            strcmp(name, "seed") != 0 && strcmp(name, "duration") != 0 &&
            strcmp(name, "blackout") != 0) {
            usage_error("unknown option", a);
        }
        if (!value) {
            if (i + 1 >= argc) {
                usage_error("option needs a value", a);
            }
            value = argv[++i];
        }

        if (is_fault) {
            double v = 0;
            if (param == P_LATENCY || param == P_JITTER) {
                uint64_t ms = 0;
                if (!parse_u64(value, NETSIM_MAX_DELAY_MS, &ms)) {
                    fprintf(stderr, "netsim: --%s wants whole milliseconds 0..%u, got '%s'\n",
                            name, NETSIM_MAX_DELAY_MS, value);
                    fputs("Try 'netsim --help'.\n", stderr);
                    exit(2);
                }
                v = (double)ms;
            } else if (!parse_double(value, 0.0, 100.0, &v)) {
                fprintf(stderr, "netsim: --%s wants a percentage 0..100, got '%s'\n", name, value);
                fputs("Try 'netsim --help'.\n", stderr);
                exit(2);
            }
            val[scope][param] = v;
            set[scope][param] = true;
        } else if (strcmp(name, "server") == 0) {
            parse_server(value, opt);
            have_server = true;
        } else if (strcmp(name, "listen") == 0) {
            uint64_t port = 0;
            if (!parse_u64(value, 65535, &port)) {
                usage_error("--listen wants a port 0..65535", value);
            }
            opt->listen_port = (unsigned)port;
        } else if (strcmp(name, "seed") == 0) {
            if (!parse_u64(value, UINT64_MAX, &opt->seed)) {
                usage_error("--seed wants an unsigned integer", value);
            }
        } else if (strcmp(name, "duration") == 0) {
            double s = 0;
            if (!parse_double(value, 0.0, MAX_SECONDS, &s) || seconds_to_ms(s) == 0) {
                usage_error("--duration wants seconds > 0", value);
            }
            opt->duration_ms = seconds_to_ms(s);
        } else { /* blackout */
            parse_blackout(value, opt);
        }
    }
    if (!have_server) {
        usage_error("--server HOST:PORT is required", NULL);
    }
    for (int d = 0; d < DIR_COUNT; d++) {
        double v[P_COUNT];
        for (int p = 0; p < P_COUNT; p++) {
            int s = d == DIR_UP ? SCOPE_UP : SCOPE_DOWN;
            v[p] = set[s][p] ? val[s][p] : set[SCOPE_BOTH][p] ? val[SCOPE_BOTH][p] : 0.0;
        }
        opt->dir[d].latency_ms = (uint32_t)v[P_LATENCY];
        opt->dir[d].jitter_ms = (uint32_t)v[P_JITTER];
        opt->dir[d].loss_pct = v[P_LOSS];
        opt->dir[d].dup_pct = v[P_DUP];
        opt->dir[d].reorder_pct = v[P_REORDER];
        if (!netsim_dir_config_valid(&opt->dir[d])) {
            usage_error("invalid fault configuration", DIR_NAMES[d]);
        }
    }
}

/* ---- sockets -------------------------------------------------------------- */

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A nonblocking UDP socket bound to 127.0.0.1:port, or -1. */
static int loopback_socket(unsigned port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    int buf = 1 << 21; /* best effort: room for bursts */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || set_nonblocking(fd) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static unsigned socket_port(int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        return 0;
    }
    return ntohs(sa.sin_port);
}

static bool same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
    return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* Index of the client with this source address, creating it (with its own
 * upstream socket connected to the server) if new; -1 if the table is full
 * or the socket cannot be made. */
static int client_for(relay *r, const struct sockaddr_in *from)
{
    for (int i = 0; i < r->nclients; i++) {
        if (same_addr(&r->clients[i].addr, from)) {
            return i;
        }
    }
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from->sin_addr, text, sizeof text);
    if (r->nclients >= MAX_CLIENTS) {
        if (!r->refused_logged) {
            fprintf(stderr, "netsim: client table full (%d); dropping datagrams from %s:%u and "
                            "other new addresses\n",
                    MAX_CLIENTS, text, (unsigned)ntohs(from->sin_port));
            r->refused_logged = true;
        }
        return -1;
    }
    int fd = loopback_socket(0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&r->opt->server, sizeof r->opt->server) != 0) {
        fprintf(stderr, "netsim: cannot open an upstream socket for %s:%u: %s\n", text,
                (unsigned)ntohs(from->sin_port), strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    int idx = r->nclients++;
    r->clients[idx].addr = *from;
    r->clients[idx].fd = fd;
    fprintf(stderr, "netsim: client %d is %s:%u (upstream port %u)\n", idx, text,
            (unsigned)ntohs(from->sin_port), socket_port(fd));
    return idx;
}

/* ---- relaying ------------------------------------------------------------- */

static uint64_t now_rel(const relay *r)
{
    return mono_ms() - r->start_mono_ms;
}

/* Decides one received datagram's fate and queues its copies. */
static void handle_packet(relay *r, int dir, int cl, const unsigned char *data, size_t len)
{
    dir_stats *st = &r->stats[dir];
    netsim_decision d;
    netsim_decide(&r->opt->dir[dir], &r->opt->blackouts, &r->rng[dir], now_rel(r), &d);
    if (d.verdict == NETSIM_BLACKOUT) {
        st->blackout_dropped++;
        return;
    }
    if (d.verdict == NETSIM_LOST) {
        st->lost++;
        return;
    }
    if (d.duplicated) {
        st->duplicated++;
    }
    for (int c = 0; c < d.copies; c++) {
        if (d.reordered[c]) {
            st->reordered++;
        }
        if (r->nfree == 0 || netsim_heap_full(&r->heap)) {
            st->overflow_dropped++;
            continue;
        }
        uint32_t slot = r->free_slots[--r->nfree];
        packet_slot *p = &r->pool[slot];
        p->len = (uint32_t)len;
        p->client = (uint16_t)cl;
        p->dir = (uint8_t)dir;
        memcpy(p->data, data, len);
        netsim_heap_push(&r->heap, d.due_ms[c], slot);
    }
}

/* Sends every queued copy whose due time has come. */
static void flush_due(relay *r)
{
    uint64_t now = now_rel(r);
    netsim_heap_item it;
    while (netsim_heap_peek(&r->heap, &it) && it.due_ms <= now) {
        netsim_heap_pop(&r->heap, NULL);
        packet_slot *p = &r->pool[it.id];
        client *c = &r->clients[p->client];
        ssize_t n;
        if (p->dir == DIR_UP) {
            n = send(c->fd, p->data, p->len, 0);
        } else {
            n = sendto(r->listen_fd, p->data, p->len, 0, (const struct sockaddr *)&c->addr,
                       sizeof c->addr);
        }
        if (n == (ssize_t)p->len) {
            r->stats[p->dir].forwarded++;
        } else {
            r->stats[p->dir].send_errors++;
            if (!r->send_error_logged) {
                fprintf(stderr, "netsim: send %s failed: %s (counted in send_errors)\n",
                        DIR_NAMES[p->dir], n < 0 ? strerror(errno) : "short write");
                r->send_error_logged = true;
            }
        }
        r->free_slots[r->nfree++] = it.id;
    }
}

/* Reads what is waiting on the listen socket (client -> server). */
static void drain_listen(relay *r)
{
    unsigned char buf[MAX_DATAGRAM + 1];
    for (int k = 0; k < DRAIN_PER_WAKE; k++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(r->listen_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return; /* EAGAIN or a transient error */
        }
        if (flen < (socklen_t)sizeof from || from.sin_family != AF_INET) {
            continue;
        }
        if (n > MAX_DATAGRAM) {
            r->stats[DIR_UP].received++;
            r->stats[DIR_UP].oversize_dropped++;
            continue;
        }
        int cl = client_for(r, &from);
        if (cl < 0) {
            r->refused_datagrams++;
            continue;
        }
        r->stats[DIR_UP].received++;
        handle_packet(r, DIR_UP, cl, buf, (size_t)n);
    }
}

/* Reads what the server sent to client cl's upstream socket. */
static void drain_upstream(relay *r, int cl)
{
    unsigned char buf[MAX_DATAGRAM + 1];
    for (int k = 0; k < DRAIN_PER_WAKE; k++) {
        ssize_t n = recv(r->clients[cl].fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == ECONNREFUSED) {
                continue; /* ECONNREFUSED: an ICMP error from an earlier send */
            }
            return;
        }
        r->stats[DIR_DOWN].received++;
        if (n > MAX_DATAGRAM) {
            r->stats[DIR_DOWN].oversize_dropped++;
            continue;
        }
        handle_packet(r, DIR_DOWN, cl, buf, (size_t)n);
    }
}

static void print_stats_dir(const dir_stats *s)
{
    printf("{\"received\":%" PRIu64 ",\"forwarded\":%" PRIu64 ",\"lost\":%" PRIu64
           ",\"duplicated\":%" PRIu64 ",\"reordered\":%" PRIu64 ",\"blackout_dropped\":%" PRIu64
           ",\"overflow_dropped\":%" PRIu64 ",\"oversize_dropped\":%" PRIu64
           ",\"send_errors\":%" PRIu64 "}",
           s->received, s->forwarded, s->lost, s->duplicated, s->reordered, s->blackout_dropped,
           s->overflow_dropped, s->oversize_dropped, s->send_errors);
}

static void print_stats(const relay *r)
{
    fputs("{\"up\":", stdout);
    print_stats_dir(&r->stats[DIR_UP]);
    fputs(",\"down\":", stdout);
    print_stats_dir(&r->stats[DIR_DOWN]);
    printf(",\"clients\":%d,\"refused_datagrams\":%" PRIu64 "}\n", r->nclients,
           r->refused_datagrams);
    fflush(stdout);
}

static void log_config(const relay *r)
{
    const options *o = r->opt;
    fprintf(stderr, "netsim: relaying to %s, seed %" PRIu64 ", started at CLOCK_MONOTONIC %" PRIu64
                    " ms\n",
            o->server_text, o->seed, r->start_mono_ms);
    if (o->duration_ms) {
        fprintf(stderr, "netsim: stopping after %" PRIu64 " ms\n", o->duration_ms);
    } else {
        fputs("netsim: running until SIGINT or SIGTERM\n", stderr);
    }
    for (int d = 0; d < DIR_COUNT; d++) {
        const netsim_dir_config *c = &o->dir[d];
        fprintf(stderr,
                "netsim: %-4s latency %u ms, jitter %u ms, loss %g%%, dup %g%%, reorder %g%%\n",
                DIR_NAMES[d], (unsigned)c->latency_ms, (unsigned)c->jitter_ms, c->loss_pct,
                c->dup_pct, c->reorder_pct);
    }
    for (int i = 0; i < o->blackouts.count; i++) {
        fprintf(stderr, "netsim: blackout %d from %" PRIu64 " ms to %" PRIu64 " ms\n", i + 1,
                o->blackouts.windows[i].start_ms,
                o->blackouts.windows[i].start_ms + o->blackouts.windows[i].duration_ms);
    }
}

static int run(relay *r)
{
    struct pollfd fds[1 + MAX_CLIENTS];
    while (!g_stop) {
        uint64_t now = now_rel(r);
        if (r->opt->duration_ms && now >= r->opt->duration_ms) {
            break;
        }
        uint64_t timeout = POLL_CAP_MS;
        netsim_heap_item it;
        if (netsim_heap_peek(&r->heap, &it)) {
            uint64_t wait = it.due_ms > now ? it.due_ms - now : 0;
            if (wait < timeout) {
                timeout = wait;
            }
        }
        if (r->opt->duration_ms && r->opt->duration_ms - now < timeout) {
            timeout = r->opt->duration_ms - now;
        }
        int nfds = 1 + r->nclients;
        fds[0].fd = r->listen_fd;
        fds[0].events = POLLIN;
        fds[0].revents = 0;
        for (int i = 0; i < r->nclients; i++) {
            fds[1 + i].fd = r->clients[i].fd;
            fds[1 + i].events = POLLIN;
            fds[1 + i].revents = 0;
        }
        int n = poll(fds, (nfds_t)nfds, (int)timeout);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "netsim: poll: %s\n", strerror(errno));
            return 1;
        }
        if (n > 0) {
            if (fds[0].revents & (POLLIN | POLLERR)) {
                drain_listen(r);
            }
            for (int i = 0; i < nfds - 1; i++) {
                if (fds[1 + i].revents & (POLLIN | POLLERR)) {
                    drain_upstream(r, i);
                }
            }
        }
        flush_due(r);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static options opt;
    static relay r;
    parse_args(argc, argv, &opt);

    r.opt = &opt;
    r.pool = calloc(QUEUE_CAP, sizeof *r.pool);
    r.free_slots = calloc(QUEUE_CAP, sizeof *r.free_slots);
    r.heap_storage = calloc(QUEUE_CAP, sizeof *r.heap_storage);
    if (!r.pool || !r.free_slots || !r.heap_storage) {
        fputs("netsim: out of memory\n", stderr);
        return 1;
    }
    for (uint32_t i = 0; i < QUEUE_CAP; i++) {
        r.free_slots[i] = QUEUE_CAP - 1 - i;
    }
    r.nfree = QUEUE_CAP;
    netsim_heap_init(&r.heap, r.heap_storage, QUEUE_CAP);
    netsim_rng_seed(&r.rng[DIR_UP], opt.seed);
    netsim_rng_seed(&r.rng[DIR_DOWN], opt.seed ^ UINT64_C(0xD1B54A32D192ED03));

    r.listen_fd = loopback_socket(opt.listen_port);
    if (r.listen_fd < 0) {
        fprintf(stderr, "netsim: cannot listen on 127.0.0.1 UDP port %u: %s\n", opt.listen_port,
                strerror(errno));
        return 1;
    }
    r.start_mono_ms = mono_ms();
    fprintf(stderr, "netsim listening on UDP port %u\n", socket_port(r.listen_fd));
    fflush(stderr);
    log_config(&r);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = run(&r);
    fprintf(stderr, "netsim: stopping (%s), %zu copies still queued are discarded\n",
            g_stop ? "signal" : rc ? "error" : "duration reached", netsim_heap_len(&r.heap));
    if (opt.stats_json) {
        print_stats(&r);
    }
    for (int i = 0; i < r.nclients; i++) {
        close(r.clients[i].fd);
    }
    close(r.listen_fd);
    free(r.pool);
    free(r.free_slots);
    free(r.heap_storage);
    return rc;
}
