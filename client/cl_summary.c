/* cl_summary.c - JSON exit summary of a client run (see cl_summary.h). */
#include "cl_summary.h"

/* Writes s as a JSON string literal. */
static void json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

void cl_summary_print(FILE *out, const cl_conn *c, int connected_to_end) {
    /* The name the server gave us, when it told us; else the one we asked for. */
    const char *name = c->cfg.name;
    if (c->joined_at > 0 && c->players[c->welcome.client_id].present) name = c->players[c->welcome.client_id].name;
    fputs("{\"name\":", out);
    json_string(out, name);
    fprintf(out, ",\"connected\":%s,\"client_id\":", connected_to_end ? "true" : "false");
    if (c->joined_at > 0) fprintf(out, "%u", c->welcome.client_id);
    else fputs("null", out);
    const cl_netstats *n = &c->net;
    fprintf(out,
            ",\"snapshots\":%llu,\"players_seen\":%d,\"rtt_ms\":%u,\"jitter_ms\":%.1f,\"loss_down_pct\":%u,"
            "\"loss_up_pct\":%u,\"kbytes_down_s\":%.3f,\"kbytes_up_s\":%.3f,\"interp_delay_ms\":%.1f,"
            "\"corrections\":%llu,\"snapshots_no_baseline\":%llu,\"bad_packets\":%llu,"
            "\"max_extrapolation_ms\":%.1f,\"max_freeze_ms\":%.1f,\"frags\":%d,\"deaths\":%d,"
            "\"predicting\":%s,\"interruptions\":%u,\"resumes\":%u,\"disconnect_reason\":",
            (unsigned long long)c->snapshots, c->players_seen, c->rtt_ms, n->jitter_ms, n->loss_down_pct,
            n->loss_up_pct, n->avg_kbytes_down_s, n->avg_kbytes_up_s, n->interp_delay_ms,
            (unsigned long long)c->predict.corrections, (unsigned long long)c->no_baseline,
            (unsigned long long)c->bad_packets, n->max_extrapolation_ms, n->max_freeze_ms,
            c->joined_at > 0 ? c->players[c->welcome.client_id].frags : 0,
            c->joined_at > 0 ? c->players[c->welcome.client_id].deaths : 0, c->predict.have_state ? "true" : "false", c->interruptions,
            c->resumes);
    const char *reason = cl_conn_disconnect_reason(c);
    if (reason) json_string(out, reason);
    else fputs("null", out);
    fputs("}\n", out);
    fflush(out);
}
