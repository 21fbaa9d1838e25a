/* sv_stats.c - per-tick timing ring, percentiles and the once-a-second
 * performance report (see sv_stats.h). Pure: no clocks, no sockets. */
#include "sv_stats.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

_Static_assert(SV_STATS_RING >= PROTO_MAX_TICK_RATE * SV_STATS_WINDOW,
               "the tick ring must hold the whole window at the highest tick rate");

void sv_stats_init(sv_stats *st, double now, double cpu_s, const sv_stats_net *net) {
    memset(st, 0, sizeof *st);
    st->start = now;
    st->period_start = now;
    st->cpu_at_period_start = cpu_s;
    st->net_at_period_start = *net;
}

void sv_stats_add_pending(sv_stats *st, sv_phase phase, double seconds) {
    if (seconds > 0 && phase < SV_PHASE_FRAME) st->pending[phase] += seconds;
}

static float to_ms(double seconds) { return seconds > 0 ? (float)(seconds * 1000.0) : 0.0f; }

void sv_stats_record_tick(sv_stats *st, double t, double sim_s, double snap_s, double send_s) {
    sv_stats_sample *x = &st->ring[st->next];
    x->t = t;
    x->ms[SV_PHASE_RECV] = to_ms(st->pending[SV_PHASE_RECV]);
    x->ms[SV_PHASE_SIM] = to_ms(sim_s + st->pending[SV_PHASE_SIM]);
    x->ms[SV_PHASE_SNAP] = to_ms(snap_s + st->pending[SV_PHASE_SNAP]);
    x->ms[SV_PHASE_SEND] = to_ms(send_s + st->pending[SV_PHASE_SEND]);
    x->ms[SV_PHASE_FRAME] = x->ms[SV_PHASE_RECV] + x->ms[SV_PHASE_SIM] + x->ms[SV_PHASE_SNAP] + x->ms[SV_PHASE_SEND];
    memset(st->pending, 0, sizeof st->pending);
    st->next = (st->next + 1) % SV_STATS_RING;
    if (st->count < SV_STATS_RING) st->count++;
}

/* Heapsort, ascending: in place and O(n log n) with no allocation (glibc's
 * qsort mallocs a merge buffer for arrays of 1 KiB and more, i.e. from 256
 * samples: every second at 60 Hz). The samples are never NaN. */
static void sift_down(float *a, size_t root, size_t n) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && a[child + 1] > a[child]) child++;
        if (!(a[child] > a[root])) return;
        float t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_floats(float *a, size_t n) {
    for (size_t i = n / 2; i-- > 0;) sift_down(a, i, n);
    for (size_t end = n; end > 1; end--) {
        float t = a[0];
        a[0] = a[end - 1];
        a[end - 1] = t;
        sift_down(a, 0, end - 1);
    }
}

double sv_stats_nearest_rank(const float *sorted, size_t n, double p) {
    if (n == 0) return 0.0;
    /* rank = ceil(p/100 * n), 1..n; the small tolerance keeps 0.99 * 300
     * from rounding up to 298 */
    double r = ceil(p / 100.0 * (double)n - 1e-9);
    size_t rank = r < 1.0 ? 1 : r > (double)n ? n : (size_t)r;
    return sorted[rank - 1];
}

size_t sv_stats_percentiles(sv_stats *st, sv_phase phase, double now, double window, sv_stats_pct *out) {
    size_t n = 0;
    for (size_t i = 0; i < st->count; i++) {
        const sv_stats_sample *x = &st->ring[i];
        if (x->t > now - window) st->scratch[n++] = x->ms[phase];
    }
    sort_floats(st->scratch, n);
    out->p50 = sv_stats_nearest_rank(st->scratch, n, 50.0);
    out->p99 = sv_stats_nearest_rank(st->scratch, n, 99.0);
    out->max = n ? st->scratch[n - 1] : 0.0;
    return n;
}

const sv_stats_report *sv_stats_report_now(sv_stats *st, double now, double cpu_s, const sv_stats_net *net,
                                           uint32_t tick, int players, uint64_t ticks_skipped) {
    sv_stats_report *r = &st->last;
    memset(r, 0, sizeof *r);
    r->valid = true;
    r->t = now - st->start;
    r->tick = tick;
    r->players = players;
    r->ticks_skipped = ticks_skipped;
    for (int p = 0; p < SV_PHASE_COUNT; p++)
        r->samples = sv_stats_percentiles(st, (sv_phase)p, now, SV_STATS_WINDOW, &r->phase[p]);
    double span = now - st->period_start;
    if (span >= 0.001) {
        const sv_stats_net *a = &st->net_at_period_start;
        r->cpu_percent = (cpu_s - st->cpu_at_period_start) / span * 100.0;
        if (r->cpu_percent < 0) r->cpu_percent = 0;
        /* unsigned differences: right across a wrap of ENet's 32-bit counters */
        r->bytes_in_s = (double)(uint32_t)(net->bytes_in - a->bytes_in) / span;
        r->bytes_out_s = (double)(uint32_t)(net->bytes_out - a->bytes_out) / span;
        r->packets_in_s = (double)(uint32_t)(net->packets_in - a->packets_in) / span;
        r->packets_out_s = (double)(uint32_t)(net->packets_out - a->packets_out) / span;
    }
    st->period_start = now;
    st->cpu_at_period_start = cpu_s;
    st->net_at_period_start = *net;
    return r;
}

/* snprintf that tracks the position and a sticky overflow. */
typedef struct {
    char *buf;
    size_t cap, len;
    bool overflow;
} out_buf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(out_buf *o, const char *fmt, ...) {
    if (o->overflow) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len) o->overflow = true;
    else o->len += (size_t)n;
}

static int finish(out_buf *o) {
    if (o->overflow) {
        if (o->cap) o->buf[0] = '\0';
        return -1;
    }
    return (int)o->len;
}

int sv_stats_format_json(const sv_stats_report *r, char *buf, size_t cap) {
    static const char *const names[SV_PHASE_COUNT] = {"recv", "sim", "snap", "send", "frame"};
    out_buf o = {buf, cap, 0, cap == 0};
    put(&o, "{\"t\":%.3f,\"tick\":%u,\"players\":%d,\"samples\":%zu", r->t, r->tick, r->players, r->samples);
    const sv_stats_pct *f = &r->phase[SV_PHASE_FRAME];
    put(&o, ",\"frame_p50_ms\":%.4f,\"frame_p99_ms\":%.4f,\"frame_max_ms\":%.4f", f->p50, f->p99, f->max);
    for (int p = 0; p < SV_PHASE_FRAME; p++)
        put(&o, ",\"%s_p50_ms\":%.4f,\"%s_p99_ms\":%.4f,\"%s_max_ms\":%.4f", names[p], r->phase[p].p50, names[p],
            r->phase[p].p99, names[p], r->phase[p].max);
    put(&o, ",\"cpu_percent\":%.2f,\"bytes_in_s\":%.1f,\"bytes_out_s\":%.1f,\"packets_in_s\":%.1f,"
            "\"packets_out_s\":%.1f,\"ticks_skipped\":%llu}",
        r->cpu_percent, r->bytes_in_s, r->bytes_out_s, r->packets_in_s, r->packets_out_s,
        (unsigned long long)r->ticks_skipped);
    return finish(&o);
}

int sv_stats_format_status(const sv_stats_report *r, char *buf, size_t cap) {
    out_buf o = {buf, cap, 0, cap == 0};
    if (!r->valid) {
        put(&o, "tick times: none yet (figures start after the first second)\n");
        return finish(&o);
    }
    const sv_stats_pct *ph = r->phase;
    put(&o, "tick times over the last %d s (%zu ticks), ms: frame p50 %.3f  p99 %.3f  max %.3f\n",
        SV_STATS_WINDOW, r->samples, ph[SV_PHASE_FRAME].p50, ph[SV_PHASE_FRAME].p99, ph[SV_PHASE_FRAME].max);
    put(&o, "  p50/p99 ms: receive %.3f/%.3f  simulate %.3f/%.3f  snapshots %.3f/%.3f  send %.3f/%.3f\n",
        ph[SV_PHASE_RECV].p50, ph[SV_PHASE_RECV].p99, ph[SV_PHASE_SIM].p50, ph[SV_PHASE_SIM].p99,
        ph[SV_PHASE_SNAP].p50, ph[SV_PHASE_SNAP].p99, ph[SV_PHASE_SEND].p50, ph[SV_PHASE_SEND].p99);
    put(&o, "cpu %.1f%%  in %.0f B/s %.0f pkt/s  out %.0f B/s %.0f pkt/s  ticks skipped %llu\n", r->cpu_percent,
        r->bytes_in_s, r->packets_in_s, r->bytes_out_s, r->packets_out_s, (unsigned long long)r->ticks_skipped);
    return finish(&o);
}
