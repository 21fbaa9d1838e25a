/* hostile.c - a hostile load generator for the flood tests. NOT part of the
 * game: it attacks a gameserver on this machine, in bounded amounts.
 *
 * Owns: four kinds of abuse, each bounded in count, rate and time, and
 * aimed only at a loopback address (127.0.0.0/8; anything else is refused):
 *
 *   --junk          random UDP datagrams of 1..1400 bytes: 45 % pure noise,
 *                   35 % with a plausible ENet header (peer id, session bits,
 *                   sent time, random commands), 15 % CONNECT-shaped with
 *                   random fields, 5 % well-formed CONNECTs (each leaves a
 *                   half-open connection on the server)
 *   --halfopen N    N well-formed ENet CONNECTs (connect data = the protocol
 *                   version) from a few UDP sockets that never answer the
 *                   server's VERIFY_CONNECT
 *   --idle N        N complete ENet connections that never send the game's
 *                   hello (the server's application handshake); serviced, so
 *                   ENet keeps them alive until the server drops them
 *   --garbage       one complete ENet connection (the proper connect data)
 *                   that sends random bytes on both channels at --rate until
 *                   the server disconnects it (or the bounds run out)
 *
 * Options: --target HOST:PORT (required), --count N, --rate PER_SECOND,
 * --seconds S (every mode stops at the first bound reached), --seed N,
 * --sources K (halfopen: sockets), --proto V (connect data for idle and
 * garbage). Prints one JSON line: what was sent, errors, bytes the server
 * sent back, and for idle and garbage how the server ended the connections
 * (reason codes as in shared/protocol.h).
 *
 * Exit status: 0 when the run went as asked, 1 on a setup error (socket,
 * connect timeout), 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <enet/enet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

#define MAX_COUNT 1000000
#define MAX_RATE 100000.0
#define MAX_SECONDS 120.0
#define MAX_HALFOPEN 4000
#define MAX_IDLE 1000
#define MAX_SOURCES 64
#define JUNK_MAX_BYTES 1400
#define GARBAGE_MAX_BYTES 1200 /* one datagram, under PROTO_MAX_PACKET_BYTES */

typedef enum { MODE_NONE, MODE_JUNK, MODE_HALFOPEN, MODE_IDLE, MODE_GARBAGE } hostile_mode;

typedef struct {
    hostile_mode mode;
    const char *target;
    long n;          /* halfopen / idle: connections */
    long count;      /* datagrams or packets; 0: mode default */
    double rate;     /* per second; 0: mode default */
    double seconds;  /* 0: mode default */
    uint64_t seed;
    int sources;
    uint32_t proto;
} options;

/* ---- small helpers --------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static uint32_t rnd_below(uint32_t n) { return n ? (uint32_t)(rnd() % n) : 0; }
static void rnd_fill(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(rnd() >> 56);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s) {
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Paces event i of a run at `rate` per second from `start`; false once the
 * time bound has passed. */
static bool pace(double start, long i, double rate, double seconds) {
    double due = start + (double)i / rate;
    double t = now_s();
    if (t - start >= seconds) return false;
    if (due > t) sleep_s(due - t);
    return now_s() - start < seconds;
}

static void put16(uint8_t **p, uint16_t v) { /* ENet's wire is big-endian */
    (*p)[0] = (uint8_t)(v >> 8);
    (*p)[1] = (uint8_t)v;
    *p += 2;
}
static void put32(uint8_t **p, uint32_t v) {
    put16(p, (uint16_t)(v >> 16));
    put16(p, (uint16_t)v);
}

/* A well-formed ENet CONNECT as enet_host_connect sends it (52 bytes). */
static size_t make_connect(uint8_t *buf, uint16_t outgoing_peer_id, uint32_t connect_id, uint32_t data) {
    uint8_t *p = buf;
    put16(&p, ENET_PROTOCOL_HEADER_FLAG_SENT_TIME | ENET_PROTOCOL_MAXIMUM_PEER_ID);
    put16(&p, (uint16_t)rnd());
    *p++ = ENET_PROTOCOL_COMMAND_CONNECT | ENET_PROTOCOL_COMMAND_FLAG_ACKNOWLEDGE;
    *p++ = 0xFF;  /* channel: none */
    put16(&p, 1); /* first reliable command */
    put16(&p, outgoing_peer_id);
    *p++ = 0xFF; /* incoming session: any */
    *p++ = 0xFF; /* outgoing session: any */
    put32(&p, 1392);  /* mtu (ENET_HOST_DEFAULT_MTU) */
    put32(&p, 65536); /* window */
    put32(&p, PROTO_CHANNEL_COUNT);
    put32(&p, 0); /* incoming bandwidth */
    put32(&p, 0); /* outgoing bandwidth */
    put32(&p, ENET_PEER_PACKET_THROTTLE_INTERVAL);
    put32(&p, ENET_PEER_PACKET_THROTTLE_ACCELERATION);
    put32(&p, ENET_PEER_PACKET_THROTTLE_DECELERATION);
    put32(&p, connect_id);
    put32(&p, data);
    return (size_t)(p - buf);
}

/* One junk datagram; *kind gets its class (0 noise, 1 header, 2 connect
 * shape, 3 real connect). */
static size_t make_junk(uint8_t *buf, int *kind) {
    uint32_t roll = rnd_below(100);
    size_t len = 1 + rnd_below(JUNK_MAX_BYTES);
    if (roll < 45) {
        *kind = 0;
        rnd_fill(buf, len);
        return len;
    }
    if (roll < 80) { /* plausible header, random commands */
        *kind = 1;
        if (len < 8) len = 8;
        rnd_fill(buf, len);
        uint8_t *p = buf;
        uint16_t flags = rnd_below(4) ? ENET_PROTOCOL_HEADER_FLAG_SENT_TIME : 0;
        if (rnd_below(20) == 0) flags |= ENET_PROTOCOL_HEADER_FLAG_COMPRESSED;
        put16(&p, (uint16_t)(flags | (rnd_below(4) << ENET_PROTOCOL_HEADER_SESSION_SHIFT) | rnd_below(64)));
        if (flags & ENET_PROTOCOL_HEADER_FLAG_SENT_TIME) p += 2;
        while ((size_t)(p - buf) + 4 <= len) {
            p[0] = (uint8_t)((1 + rnd_below(ENET_PROTOCOL_COMMAND_COUNT - 1)) | (rnd_below(2) << 7) | (rnd_below(4) == 0) << 6);
            p[1] = rnd_below(4) == 0 ? 0xFF : (uint8_t)rnd_below(3);
            size_t step = 4 + rnd_below(40);
            p += step;
        }
        return len;
    }
    uint8_t *p = buf;
    if (roll < 95) { /* CONNECT-shaped, random fields (mostly refused) */
        *kind = 2;
        if (len < 52) len = 52;
        rnd_fill(buf, len);
        put16(&p, ENET_PROTOCOL_HEADER_FLAG_SENT_TIME | ENET_PROTOCOL_MAXIMUM_PEER_ID);
        p += 2;
        *p++ = ENET_PROTOCOL_COMMAND_CONNECT | ENET_PROTOCOL_COMMAND_FLAG_ACKNOWLEDGE;
        return len;
    }
    *kind = 3;
    return make_connect(buf, (uint16_t)rnd_below(ENET_PROTOCOL_MAXIMUM_PEER_ID), (uint32_t)rnd(), PROTO_VERSION);
}

/* A UDP socket connected to the target, non-blocking. */
static int open_udp(const struct sockaddr_in *to) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads (and counts) whatever the server sent back. */
static void drain(int fd, uint64_t *bytes, uint64_t *datagrams) {
    uint8_t buf[4096];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r < 0) return; /* EAGAIN, or an ICMP error: either way nothing more now */
        *bytes += (uint64_t)r;
        (*datagrams)++;
    }
}

/* ---- modes -------------------------------------------------------------------- */

static int run_junk(const options *o, const struct sockaddr_in *to) {
    int fd = open_udp(to);
    if (fd < 0) {
        perror("hostile: socket");
        return 1;
    }
    uint64_t sent = 0, errors = 0, bytes = 0, back = 0, back_dgrams = 0, kinds[4] = {0};
    uint8_t buf[JUNK_MAX_BYTES + 64];
    double start = now_s();
    long i = 0;
    for (; i < o->count && pace(start, i, o->rate, o->seconds); i++) {
        int kind;
        size_t len = make_junk(buf, &kind);
        if (send(fd, buf, len, 0) < 0) errors++;
        else {
            sent++;
            bytes += len;
            kinds[kind]++;
        }
        if ((i & 63) == 0) drain(fd, &back, &back_dgrams);
    }
    drain(fd, &back, &back_dgrams);
    close(fd);
    printf("{\"mode\":\"junk\",\"sent\":%llu,\"errors\":%llu,\"bytes\":%llu,\"noise\":%llu,\"enet_header\":%llu,"
           "\"connect_shaped\":%llu,\"connects\":%llu,\"replies\":%llu,\"reply_bytes\":%llu,\"seconds\":%.2f}\n",
           (unsigned long long)sent, (unsigned long long)errors, (unsigned long long)bytes,
           (unsigned long long)kinds[0], (unsigned long long)kinds[1], (unsigned long long)kinds[2],
           (unsigned long long)kinds[3], (unsigned long long)back_dgrams, (unsigned long long)back, now_s() - start);
    return 0;
}

static int run_halfopen(const options *o, const struct sockaddr_in *to) {
    int fds[MAX_SOURCES];
    int nfd = o->sources;
    for (int k = 0; k < nfd; k++) {
        fds[k] = open_udp(to);
        if (fds[k] < 0) {
            perror("hostile: socket");
            for (int j = 0; j < k; j++) close(fds[j]);
            return 1;
        }
    }
    uint64_t sent = 0, errors = 0, back = 0, back_dgrams = 0;
    uint8_t buf[64];
    double start = now_s();
    long i = 0;
    for (; i < o->n && i < o->count && pace(start, i, o->rate, o->seconds); i++) {
        size_t len = make_connect(buf, (uint16_t)(i % ENET_PROTOCOL_MAXIMUM_PEER_ID), (uint32_t)rnd(), o->proto);
        if (send(fds[i % nfd], buf, len, 0) < 0) errors++;
        else sent++;
    }
    /* Stay, never answering: the server's VERIFY_CONNECTs (and resends) are
     * read and counted, nothing more. */
    while (now_s() - start < o->seconds) {
        for (int k = 0; k < nfd; k++) drain(fds[k], &back, &back_dgrams);
        sleep_s(0.05);
    }
    for (int k = 0; k < nfd; k++) {
        drain(fds[k], &back, &back_dgrams);
        close(fds[k]);
    }
    printf("{\"mode\":\"halfopen\",\"attempts\":%ld,\"sent\":%llu,\"errors\":%llu,\"sources\":%d,\"replies\":%llu,"
           "\"reply_bytes\":%llu,\"seconds\":%.2f}\n",
           i, (unsigned long long)sent, (unsigned long long)errors, nfd, (unsigned long long)back_dgrams,
           (unsigned long long)back, now_s() - start);
    return 0;
}

static void json_reasons(const uint32_t *reasons) {
    fputs("{", stdout);
    bool first = true;
    for (int r = 0; r < 256; r++) {
        if (!reasons[r]) continue;
        printf("%s\"%d\":%u", first ? "" : ",", r, reasons[r]);
        first = false;
    }
    fputs("}", stdout);
}

static int run_idle(const options *o, const ENetAddress *addr) {
    ENetHost *h = enet_host_create(NULL, (size_t)o->n, PROTO_CHANNEL_COUNT, 0, 0);
    if (!h) {
        fprintf(stderr, "hostile: cannot create an ENet host for %ld peers\n", o->n);
        return 1;
    }
    uint32_t reasons[256] = {0};
    long attempts = 0, connected = 0, disconnected = 0, refused = 0;
    double start = now_s();
    while (now_s() - start < o->seconds) {
        /* Connect at the rate, servicing in between. */
        while (attempts < o->n && attempts < o->count && now_s() >= start + (double)attempts / o->rate) {
            ENetPeer *p = enet_host_connect(h, addr, PROTO_CHANNEL_COUNT, o->proto);
            if (!p) break;
            p->data = (void *)1; /* not yet connected */
            attempts++;
        }
        ENetEvent ev;
        while (enet_host_service(h, &ev, 1) > 0) {
            if (ev.type == ENET_EVENT_TYPE_CONNECT) {
                connected++;
                ev.peer->data = (void *)2;
            } else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
                if (ev.peer->data == (void *)2) {
                    disconnected++;
                    reasons[ev.data & 0xffu]++;
                } else refused++; /* never connected (timed out or reset) */
                ev.peer->data = NULL;
            } else if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
                enet_packet_destroy(ev.packet); /* the server says nothing before a hello; ignore */
            }
        }
        if (attempts >= o->n && disconnected + refused >= attempts) break;
    }
    enet_host_destroy(h); /* the rest vanish without a word, as a crashed client would */
    printf("{\"mode\":\"idle\",\"attempts\":%ld,\"connected\":%ld,\"disconnected\":%ld,\"never_connected\":%ld,"
           "\"reasons\":",
           attempts, connected, disconnected, refused);
    json_reasons(reasons);
    printf(",\"seconds\":%.2f}\n", now_s() - start);
    return 0;
}

static int run_garbage(const options *o, const ENetAddress *addr) {
    ENetHost *h = enet_host_create(NULL, 1, PROTO_CHANNEL_COUNT, 0, 0);
    if (!h) {
        fprintf(stderr, "hostile: cannot create an ENet host\n");
        return 1;
    }
    ENetPeer *peer = enet_host_connect(h, addr, PROTO_CHANNEL_COUNT, o->proto);
    ENetEvent ev;
    bool up = false, down = false;
    uint32_t reason = 0;
    double start = now_s();
    while (peer && !up && now_s() - start < 5.0) {
        if (enet_host_service(h, &ev, 50) > 0) {
            if (ev.type == ENET_EVENT_TYPE_CONNECT) up = true;
            else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) break;
            else if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
        }
    }
    if (!up) {
        enet_host_destroy(h);
        printf("{\"mode\":\"garbage\",\"connected\":false,\"sent\":0,\"errors\":0,\"disconnected\":false,\"reason\":null}\n");
        return 1;
    }
    uint64_t sent = 0, errors = 0, bytes = 0, received = 0;
    uint8_t buf[GARBAGE_MAX_BYTES];
    double t0 = now_s(), kicked_at = 0;
    uint64_t sent_at_kick = 0;
    long i = 0;
    for (; i < o->count && !down && pace(t0, i, o->rate, o->seconds); i++) {
        size_t len = 1 + rnd_below(GARBAGE_MAX_BYTES);
        rnd_fill(buf, len);
        uint8_t channel = (uint8_t)rnd_below(PROTO_CHANNEL_COUNT);
        enet_uint32 flags = channel == PROTO_CHANNEL_RELIABLE ? ENET_PACKET_FLAG_RELIABLE
                            : rnd_below(2)                    ? ENET_PACKET_FLAG_UNSEQUENCED
                                                              : 0;
        ENetPacket *pk = enet_packet_create(buf, len, flags);
        if (!pk || enet_peer_send(peer, channel, pk) < 0) {
            if (pk) enet_packet_destroy(pk);
            errors++;
        } else {
            sent++;
            bytes += len;
        }
        while (!down && enet_host_service(h, &ev, 0) > 0) {
            if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
                down = true;
                reason = ev.data;
                kicked_at = now_s();
                sent_at_kick = sent;
            } else if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
                received++;
                enet_packet_destroy(ev.packet);
            }
        }
    }
    /* Bounds ran out first: wait a little for the verdict, then leave. */
    double until = now_s() + 2.0;
    while (!down && now_s() < until) {
        if (enet_host_service(h, &ev, 20) > 0) {
            if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
                down = true;
                reason = ev.data;
                kicked_at = now_s();
                sent_at_kick = sent;
            } else if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
                received++;
                enet_packet_destroy(ev.packet);
            }
        }
    }
    if (!down) {
        enet_peer_disconnect_now(peer, 0);
        enet_host_flush(h);
    }
    enet_host_destroy(h);
    printf("{\"mode\":\"garbage\",\"connected\":true,\"sent\":%llu,\"errors\":%llu,\"bytes\":%llu,\"received\":%llu,"
           "\"disconnected\":%s,\"reason\":",
           (unsigned long long)sent, (unsigned long long)errors, (unsigned long long)bytes,
           (unsigned long long)received, down ? "true" : "false");
    if (down) printf("%u,\"kicked_after_s\":%.3f,\"kicked_after_packets\":%llu", reason & 0xffu, kicked_at - t0,
                     (unsigned long long)sent_at_kick);
    else fputs("null", stdout);
    printf(",\"seconds\":%.2f}\n", now_s() - t0);
    return 0;
}

/* ---- command line ----------------------------------------------------------- */

static int usage(const char *why) {
    if (why) fprintf(stderr, "hostile: %s\n", why);
    fprintf(stderr,
            "usage: hostile (--junk | --halfopen N | --idle N | --garbage) --target 127.x.y.z:PORT\n"
            "               [--count N] [--rate PER_S] [--seconds S] [--seed N] [--sources K] [--proto V]\n"
            "A test tool that floods a gameserver on this machine; loopback targets only.\n");
    return 2;
}

static bool parse_num(const char *s, double lo, double hi, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

int main(int argc, char **argv) {
    options o = {.proto = PROTO_VERSION, .sources = 4};
    o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (strcmp(a, "--junk") == 0) o.mode = MODE_JUNK;
        else if (strcmp(a, "--garbage") == 0) o.mode = MODE_GARBAGE;
        else if (strcmp(a, "--halfopen") == 0 || strcmp(a, "--idle") == 0) {
            bool half = a[2] == 'h';
            if (!v || !parse_num(v, 1, half ? MAX_HALFOPEN : MAX_IDLE, &d)) return usage(half ? "--halfopen N: 1..4000" : "--idle N: 1..1000");
            o.mode = half ? MODE_HALFOPEN : MODE_IDLE;
            o.n = (long)d;
            i++;
        } else if (strcmp(a, "--target") == 0 && v) {
            o.target = v;
            i++;
        } else if (strcmp(a, "--count") == 0 && v && parse_num(v, 1, MAX_COUNT, &d)) {
            o.count = (long)d;
            i++;
        } else if (strcmp(a, "--rate") == 0 && v && parse_num(v, 0.1, MAX_RATE, &d)) {
            o.rate = d;
            i++;
        } else if (strcmp(a, "--seconds") == 0 && v && parse_num(v, 0.1, MAX_SECONDS, &d)) {
            o.seconds = d;
            i++;
        } else if (strcmp(a, "--seed") == 0 && v && parse_num(v, 0, 4294967295.0, &d)) {
            o.seed = (uint64_t)d;
            i++;
        } else if (strcmp(a, "--sources") == 0 && v && parse_num(v, 1, MAX_SOURCES, &d)) {
            o.sources = (int)d;
            i++;
        } else if (strcmp(a, "--proto") == 0 && v && parse_num(v, 0, 4294967295.0, &d)) {
            o.proto = (uint32_t)d;
            i++;
        } else if (strcmp(a, "--help") == 0) {
            usage(NULL);
            return 0;
        } else {
            fprintf(stderr, "hostile: bad or out-of-range option '%s' (count 1..%d, rate 0.1..%.0f, seconds 0.1..%.0f)\n",
                    a, MAX_COUNT, MAX_RATE, MAX_SECONDS);
            return 2;
        }
    }
    if (o.mode == MODE_NONE) return usage("choose a mode");
    if (!o.target) return usage("--target HOST:PORT is required");
    /* Defaults, per mode. */
    if (!o.count) o.count = o.mode == MODE_JUNK ? 10000 : o.mode == MODE_GARBAGE ? 2000 : MAX_COUNT;
    if (o.rate <= 0) o.rate = o.mode == MODE_JUNK ? 2000 : o.mode == MODE_GARBAGE ? 500 : 200;
    if (o.seconds <= 0) o.seconds = 10;
    rng_state = o.seed * 2654435761u + 0x9E3779B97F4A7C15ull;
    if (!rng_state) rng_state = 1;

    /* Loopback only: a dotted quad in 127.0.0.0/8 (or "localhost"). */
    char host[64];
    const char *colon = strrchr(o.target, ':');
    if (!colon || (size_t)(colon - o.target) >= sizeof host) return usage("--target must be HOST:PORT");
    memcpy(host, o.target, (size_t)(colon - o.target));
    host[colon - o.target] = '\0';
    if (strcmp(host, "localhost") == 0) snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in to = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) return usage("--target: HOST must be a dotted quad");
    if ((ntohl(to.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "hostile: refusing %s: only loopback (127.0.0.0/8) targets\n", host);
        return 2;
    }
    double port;
    if (!parse_num(colon + 1, 1, 65535, &port)) return usage("--target: PORT must be 1..65535");
    to.sin_port = htons((uint16_t)port);

    if (o.mode == MODE_JUNK) return run_junk(&o, &to);
    if (o.mode == MODE_HALFOPEN) return run_halfopen(&o, &to);
    if (enet_initialize() != 0) {
        fprintf(stderr, "hostile: ENet failed to initialise\n");
        return 1;
    }
    ENetAddress addr = {.host = to.sin_addr.s_addr, .port = (uint16_t)port};
    int rc = o.mode == MODE_IDLE ? run_idle(&o, &addr) : run_garbage(&o, &addr);
    enet_deinitialize();
    return rc;
}
