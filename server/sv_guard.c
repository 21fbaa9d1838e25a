/* sv_guard.c - the connection guard (see sv_guard.h): frees ENet peers held
 * by half-open connections and unacknowledged disconnects, oldest first. */
#include "sv_guard.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

sv_guard_limits sv_guard_default_limits(void) {
    return (sv_guard_limits){.max_pending = SV_GUARD_MAX_PENDING, .min_age = SV_GUARD_MIN_AGE,
                             .max_age = SV_GUARD_MAX_AGE, .reserve = SV_GUARD_RESERVE_PEERS};
}

void sv_guard_init(sv_guard *g, size_t peer_count, const sv_guard_limits *lim) {
    memset(g, 0, sizeof *g);
    g->lim = *lim;
    if (!(g->lim.min_age > 0)) g->lim.min_age = 0.001;
    if (!(g->lim.max_age > g->lim.min_age)) g->lim.max_age = g->lim.min_age + 1.0;
    if (g->lim.max_pending < 0) g->lim.max_pending = 0;
    if (g->lim.reserve < 0) g->lim.reserve = 0;
    g->peer_count = peer_count < SV_GUARD_MAX_PEERS ? peer_count : SV_GUARD_MAX_PEERS;
    g->last_log_at = -1e9;
}

void sv_guard_observe(sv_guard *g, size_t index, sv_guard_kind kind, uint32_t connect_id, bool evictable, double now) {
    if (index >= g->peer_count) return;
    sv_guard_record *r = &g->rec[index];
    if (kind == SV_GUARD_IDLE) {
        r->kind = SV_GUARD_IDLE;
        return;
    }
    if (r->kind != kind || r->connect_id != connect_id) {
        r->kind = (uint8_t)kind;
        r->connect_id = connect_id;
        r->since = now;
    }
    r->evictable = evictable;
}

/* Age bucket, youngest 0: SV_GUARD_YOUNG_BUCKETS below min_age, then
 * SV_GUARD_OLD_BUCKETS up to max_age, so "old enough" is exactly the
 * buckets from SV_GUARD_YOUNG_BUCKETS up. */
static int bucket_of(const sv_guard *g, double age) {
    int b;
    if (age < g->lim.min_age) {
        b = (int)(age / g->lim.min_age * SV_GUARD_YOUNG_BUCKETS);
        if (b >= SV_GUARD_YOUNG_BUCKETS) b = SV_GUARD_YOUNG_BUCKETS - 1;
    } else {
        b = SV_GUARD_YOUNG_BUCKETS +
            (int)((age - g->lim.min_age) / (g->lim.max_age - g->lim.min_age) * SV_GUARD_OLD_BUCKETS);
        if (b >= SV_GUARD_AGE_BUCKETS) b = SV_GUARD_AGE_BUCKETS - 1;
    }
    return b < 0 ? 0 : b;
}

size_t sv_guard_decide(sv_guard *g, double now, size_t free_peers, const uint16_t **chosen) {
    uint32_t hist[SV_GUARD_KINDS][SV_GUARD_AGE_BUCKETS];
    int pending[SV_GUARD_KINDS] = {0}, evictable[SV_GUARD_KINDS] = {0}, old_enough[SV_GUARD_KINDS] = {0};
    memset(hist, 0, sizeof hist);
    size_t n = 0;
    /* Pass 1: reset the too old; count the rest, and histogram the ages of
     * those that may go. */
    for (size_t i = 0; i < g->peer_count; i++) {
        sv_guard_record *r = &g->rec[i];
        if (r->kind == SV_GUARD_IDLE) continue;
        double age = now - r->since;
        if (r->evictable && age > g->lim.max_age) {
            g->counts.reset_too_old[r->kind]++;
            r->kind = SV_GUARD_IDLE;
            g->chosen[n++] = (uint16_t)i;
            continue;
        }
        pending[r->kind]++;
        if (!r->evictable) continue;
        int b = bucket_of(g, age);
        hist[r->kind][b]++;
        evictable[r->kind]++;
        old_enough[r->kind] += b >= SV_GUARD_YOUNG_BUCKETS;
    }
    /* How many of each kind go: those past the cap that are old enough,
     * then, while fewer than `reserve` peers would be free, more of them
     * (half-open first: a closing peer has at least been answered). */
    int go[SV_GUARD_KINDS] = {0};
    long free_after = (long)free_peers + (long)n;
    for (int k = SV_GUARD_OPENING; k < SV_GUARD_KINDS; k++) {
        int excess = pending[k] - g->lim.max_pending;
        go[k] = excess <= 0 ? 0 : excess < old_enough[k] ? excess : old_enough[k];
        g->counts.reset_over_cap[k] += (uint64_t)go[k];
        free_after += go[k];
    }
    for (int k = SV_GUARD_OPENING; k < SV_GUARD_KINDS && free_after < g->lim.reserve; k++) {
        long more = g->lim.reserve - free_after;
        if (more > evictable[k] - go[k]) more = evictable[k] - go[k];
        go[k] += (int)more;
        g->counts.reset_for_room[k] += (uint64_t)more;
        free_after += more;
    }
    /* The oldest go[k]: find the age bucket where they end; all older
     * buckets go, and the first at_cut[k] of that one (in peer order). */
    int cut[SV_GUARD_KINDS];
    uint32_t at_cut[SV_GUARD_KINDS] = {0};
    bool any = false;
    for (int k = 0; k < SV_GUARD_KINDS; k++) {
        cut[k] = SV_GUARD_AGE_BUCKETS; /* none */
        uint32_t sum = 0;
        for (int b = SV_GUARD_AGE_BUCKETS - 1; b >= 0 && go[k] > 0; b--) {
            if (sum + hist[k][b] >= (uint32_t)go[k]) {
                cut[k] = b;
                at_cut[k] = (uint32_t)go[k] - sum;
                any = true;
                break;
            }
            sum += hist[k][b];
        }
    }
    /* Pass 2: pick them. */
    for (size_t i = 0; any && i < g->peer_count; i++) {
        sv_guard_record *r = &g->rec[i];
        if (r->kind == SV_GUARD_IDLE || !r->evictable) continue;
        int k = r->kind, b = bucket_of(g, now - r->since);
        if (b > cut[k] || (b == cut[k] && at_cut[k] > 0)) {
            if (b == cut[k]) at_cut[k]--;
            pending[k]--;
            r->kind = SV_GUARD_IDLE;
            g->chosen[n++] = (uint16_t)i;
        }
    }
    for (int k = 0; k < SV_GUARD_KINDS; k++) {
        g->counts.pending[k] = pending[k];
        if (pending[k] > g->counts.peak[k]) g->counts.peak[k] = pending[k];
    }
    *chosen = g->chosen;
    return n;
}

static unsigned long long resets(const sv_guard_counts *c, int k) {
    return (unsigned long long)(c->reset_over_cap[k] + c->reset_too_old[k] + c->reset_for_room[k]);
}

bool sv_guard_report(sv_guard *g, double now, char *buf, size_t cap) {
    const sv_guard_counts *c = &g->counts, *l = &g->logged;
    const int o = SV_GUARD_OPENING, x = SV_GUARD_CLOSING;
    unsigned long long open_new = resets(c, o) - resets(l, o), close_new = resets(c, x) - resets(l, x);
    if (open_new + close_new == 0 || now - g->last_log_at < SV_GUARD_LOG_INTERVAL) return false;
    snprintf(buf, cap,
             "connection guard: reset %llu half-open connections since the last report (%llu past the cap of %d, "
             "%llu older than %.1f s, %llu to keep %d peers free) and %llu unacknowledged disconnects; "
             "now %d half-open (peak %d of %zu peers); %llu + %llu reset in all; every peer busy at %llu polls",
             open_new, (unsigned long long)(c->reset_over_cap[o] - l->reset_over_cap[o]), g->lim.max_pending,
             (unsigned long long)(c->reset_too_old[o] - l->reset_too_old[o]), g->lim.max_age,
             (unsigned long long)(c->reset_for_room[o] - l->reset_for_room[o]), g->lim.reserve, close_new,
             c->pending[o], c->peak[o], g->peer_count, resets(c, o), resets(c, x),
             (unsigned long long)c->no_free_peer);
    g->logged = *c;
    g->last_log_at = now;
    return true;
}

sv_guard_kind sv_guard_kind_of(ENetPeerState state) {
    switch (state) {
    case ENET_PEER_STATE_CONNECTING:
    case ENET_PEER_STATE_ACKNOWLEDGING_CONNECT:
    case ENET_PEER_STATE_CONNECTION_PENDING:
    case ENET_PEER_STATE_CONNECTION_SUCCEEDED: return SV_GUARD_OPENING;
    case ENET_PEER_STATE_DISCONNECT_LATER:
    case ENET_PEER_STATE_DISCONNECTING:
    case ENET_PEER_STATE_ACKNOWLEDGING_DISCONNECT:
    case ENET_PEER_STATE_ZOMBIE: return SV_GUARD_CLOSING;
    case ENET_PEER_STATE_DISCONNECTED:
    case ENET_PEER_STATE_CONNECTED: break;
    }
    return SV_GUARD_IDLE;
}

/* The server's guard. It lives here rather than in `server` so that the
 * hook is one call; the records are a fixed array, nothing is allocated. */
static sv_guard the_guard;

void sv_guard_poll(ENetHost *host, double now) {
    sv_guard *g = &the_guard;
    if (g->host != host) {
        sv_guard_limits lim = sv_guard_default_limits();
        /* A large server sees many real handshakes at once (1000 players
         * joining at 200 a second, each taking a round trip or more): one
         * pending per 8 regular peers, never fewer than the default. */
        size_t regular = host->peerCount > SV_GUARD_EXTRA_PEERS ? host->peerCount - SV_GUARD_EXTRA_PEERS : 0;
        if ((size_t)lim.max_pending < regular / 8) lim.max_pending = (int)(regular / 8);
        sv_guard_init(g, host->peerCount, &lim);
        g->host = host;
    }
    size_t free_peers = 0;
    for (size_t i = 0; i < g->peer_count; i++) {
        const ENetPeer *p = &host->peers[i];
        free_peers += p->state == ENET_PEER_STATE_DISCONNECTED;
        /* peer->data is the application's hold on a peer (sv_clients.c
         * clears it whenever it lets go): a held peer is never reset. */
        sv_guard_observe(g, i, sv_guard_kind_of(p->state), p->connectID, p->data == NULL, now);
    }
    if (free_peers == 0) g->counts.no_free_peer++;
    const uint16_t *chosen;
    size_t n = sv_guard_decide(g, now, free_peers, &chosen);
    for (size_t i = 0; i < n; i++) enet_peer_reset(&host->peers[chosen[i]]);
    char line[400];
    if (sv_guard_report(g, now, line, sizeof line)) log_warn("%s", line);
}

const sv_guard_counts *sv_guard_totals(void) { return &the_guard.counts; }
