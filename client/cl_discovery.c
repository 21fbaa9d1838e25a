/* cl_discovery.c - LAN server discovery, client side (see cl_discovery.h). */
#include "cl_discovery.h"

#include <math.h>
#include <string.h>

#include "cl_config.h"
#include "clock.h"
#include "log.h"

/* Seed for the nonces: the kernel's randomness, mixed with the clock. */
static uint64_t nonce_seed(void) {
    uint64_t v = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&v, sizeof v, 1, f) != 1) v = 0;
        fclose(f);
    }
    return v ^ (uint64_t)(clock_now() * 1e9) ^ (uint64_t)(uintptr_t)&v;
}

/* splitmix64 */
static uint32_t next_nonce(cl_discovery *d) {
    uint64_t z = (d->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

bool cl_discovery_open(cl_discovery *d, const char *broadcast, uint16_t port, char *err, size_t err_cap) {
    memset(d, 0, sizeof *d);
    d->socket = ENET_SOCKET_NULL;
    if (port == 0) {
        snprintf(err, err_cap, "discovery port must be 1-65535");
        return false;
    }
    if (enet_address_set_host(&d->target, broadcast) != 0) {
        snprintf(err, err_cap, "cannot resolve broadcast address '%s'", broadcast);
        return false;
    }
    d->target.port = port;
    ENetSocket s = enet_socket_create(ENET_SOCKET_TYPE_DATAGRAM);
    if (s == ENET_SOCKET_NULL) {
        snprintf(err, err_cap, "cannot create a UDP socket for discovery");
        return false;
    }
    ENetAddress any = {.host = ENET_HOST_ANY, .port = 0};
    if (enet_socket_set_option(s, ENET_SOCKOPT_BROADCAST, 1) < 0 ||
        enet_socket_set_option(s, ENET_SOCKOPT_NONBLOCK, 1) < 0 || enet_socket_bind(s, &any) < 0) {
        enet_socket_destroy(s);
        snprintf(err, err_cap, "cannot set up a broadcast UDP socket for discovery");
        return false;
    }
    d->socket = s;
    d->open = true;
    d->rng = nonce_seed();
    return true;
}

bool cl_discovery_send(cl_discovery *d, double now) {
    if (!d->open) return false;
    cl_discovery_query *q = &d->pending[d->pending_next];
    d->pending_next = (d->pending_next + 1) % CL_DISCOVERY_PENDING;
    q->nonce = next_nonce(d);
    q->sent_at = now;
    q->used = true;
    uint8_t buf[DISCOVERY_QUERY_BYTES];
    size_t len = discovery_encode_query(buf, q->nonce);
    ENetBuffer b = {.data = buf, .dataLength = len};
    if (enet_socket_send(d->socket, &d->target, &b, 1) != (int)len) {
        d->send_errors++;
        return false;
    }
    d->sent++;
    return true;
}

static const cl_discovery_query *find_query(const cl_discovery *d, uint32_t nonce) {
    for (int i = 0; i < CL_DISCOVERY_PENDING; i++)
        if (d->pending[i].used && d->pending[i].nonce == nonce) return &d->pending[i];
    return NULL;
}

static void on_reply(cl_discovery *d, const ENetAddress *from, const discovery_reply *r, double now) {
    const cl_discovery_query *q = find_query(d, r->nonce);
    if (!q) {
        d->unmatched++;
        return;
    }
    d->replies++;
    double ping = (now - q->sent_at) * 1000.0;
    if (ping < 0) ping = 0;
    cl_discovery_server *e = NULL;
    for (int i = 0; i < d->count; i++)
        if (d->servers[i].address.host == from->host && d->servers[i].address.port == r->game_port) {
            e = &d->servers[i];
            break;
        }
    if (!e) {
        if (d->count >= CL_DISCOVERY_MAX_SERVERS) {
            d->list_full++;
            return;
        }
        e = &d->servers[d->count++];
        e->address.host = from->host;
        e->address.port = r->game_port;
        e->ping_ms = ping;
    } else if (ping < e->ping_ms) {
        e->ping_ms = ping;
    }
    memcpy(e->name, r->name, sizeof e->name);
    memcpy(e->map, r->map, sizeof e->map);
    e->players = r->players;
    e->max_players = r->max_players;
    e->last_seen = now;
}

int cl_discovery_poll(cl_discovery *d, double now) {
    if (!d->open) return 0;
    uint8_t in[DISCOVERY_QUERY_BYTES + 32];
    int handled = 0;
    while (handled < CL_DISCOVERY_MAX_PER_POLL) {
        ENetAddress from;
        ENetBuffer b = {.data = in, .dataLength = sizeof in};
        int got = enet_socket_receive(d->socket, &from, &b, 1);
        if (got == 0) break; /* nothing waiting (or an empty datagram) */
        handled++;
        discovery_reply r;
        if (got < 0 || !discovery_decode_reply(in, (size_t)got, &r)) {
            d->bad++;
            continue;
        }
        on_reply(d, &from, &r, now);
    }
    return handled;
}

void cl_discovery_wait(cl_discovery *d, uint32_t timeout_ms) {
    if (!d->open) return;
    enet_uint32 cond = ENET_SOCKET_WAIT_RECEIVE;
    (void)enet_socket_wait(d->socket, &cond, timeout_ms);
}

void cl_discovery_clear(cl_discovery *d) { d->count = 0; }

void cl_discovery_close(cl_discovery *d) {
    if (d->open) enet_socket_destroy(d->socket);
    d->open = false;
    d->socket = ENET_SOCKET_NULL;
}

/* A JSON string; names are clean text (no control characters), so only the
 * quote and the backslash need escaping. */
static void json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int cl_discovery_list_run(const char *broadcast, uint16_t port, double seconds, FILE *out) {
    if (enet_initialize() != 0) {
        log_error("ENet failed to initialise");
        fprintf(out, "{\"servers\":0}\n");
        return CL_EXIT_ERROR;
    }
    static cl_discovery d;
    char err[300];
    if (!cl_discovery_open(&d, broadcast, port, err, sizeof err)) {
        log_error("%s", err);
        fprintf(out, "{\"servers\":0}\n");
        enet_deinitialize();
        return CL_EXIT_ERROR;
    }
    double start = clock_now(), next_send = start;
    for (;;) {
        double now = clock_now();
        if (now - start >= seconds) break;
        if (now >= next_send) {
            if (!cl_discovery_send(&d, now) && d.send_errors == 1)
                log_warn("could not send a discovery query to %s port %u", broadcast, port);
            next_send = now + CL_DISCOVERY_RESEND_SECONDS;
        }
        cl_discovery_poll(&d, clock_now());
        double until = fmin(next_send, start + seconds) - clock_now();
        if (until > 0) cl_discovery_wait(&d, (uint32_t)ceil(fmin(until, 0.1) * 1000.0));
    }
    cl_discovery_poll(&d, clock_now());
    for (int i = 0; i < cl_discovery_count(&d); i++) {
        const cl_discovery_server *e = cl_discovery_get(&d, i);
        char addr[32];
        net_format_address(&e->address, addr, sizeof addr);
        fprintf(out, "{\"address\":\"%s\",\"name\":", addr);
        json_string(out, e->name);
        fprintf(out, ",\"map\":");
        json_string(out, e->map);
        fprintf(out, ",\"players\":%u,\"max_players\":%u,\"ping_ms\":%.1f}\n", e->players, e->max_players,
                e->ping_ms);
    }
    fprintf(out, "{\"servers\":%d}\n", cl_discovery_count(&d));
    fflush(out);
    if (d.bad || d.unmatched || d.list_full)
        log_info("discovery: %llu replies, %llu bad datagrams, %llu unmatched, %llu left out (list full)",
                 (unsigned long long)d.replies, (unsigned long long)d.bad, (unsigned long long)d.unmatched,
                 (unsigned long long)d.list_full);
    cl_discovery_close(&d);
    enet_deinitialize();
    return CL_EXIT_OK;
}
