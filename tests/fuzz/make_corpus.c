/* make_corpus.c - writes the seed corpus of the fuzz harnesses: small valid
 * inputs made with the project's own encoders, plus the shipped maps.
 *
 *   clang -std=c11 -Ishared -Itests/fuzz tests/fuzz/make_corpus.c shared/msg.c \
 *     shared/wire.c shared/text.c shared/protocol.c shared/snapshot.c shared/bits.c \
 *     shared/sim.c shared/map.c shared/discovery.c -lm -o /tmp/make_corpus
 *   /tmp/make_corpus tests/fuzz/corpus assets/maps/courtyard.map assets/maps/crossroads.map
 *
 * Files already there are overwritten. Aborts on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "msg.h"
#include "snap_fixture.h"
#include "snapshot.h"

static const char *root;

static void put(const char *dir, const char *name, const void *data, size_t len) {
    char path[1024];
    if (len == 0) {
        fprintf(stderr, "make_corpus: empty seed %s/%s (encoder refused it)\n", dir, name);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void msg_seeds(void) {
    uint8_t b[PROTO_MAX_PACKET_BYTES];
    msg_name nm = {.name = "Alice"};
    msg_hello hello = {.name = "Alice", .resume_id = PROTO_NO_RESUME};
    put("fuzz_msg", "hello", b, msg_encode_hello(b, sizeof b, &hello));
    hello.resume_id = 3;
    for (int i = 0; i < PROTO_TOKEN_BYTES; i++) hello.token[i] = (uint8_t)(17 * i + 1);
    put("fuzz_msg", "hello_resume", b, msg_encode_hello(b, sizeof b, &hello));
    put("fuzz_msg", "rename", b, msg_encode_rename(b, sizeof b, &nm));

    msg_input in = {.ack_snapshot_tick = 500, .count = 4};
    for (int i = 0; i < 4; i++)
        in.cmds[i] = (input_cmd){.tick = 700u - (uint32_t)i, .buttons = (uint8_t)(BTN_UP | (i ? 0 : BTN_FIRE)),
                                 .aim = (uint16_t)(1000 * i), .view_tick = 600u - (uint32_t)i};
    put("fuzz_msg", "input", b, msg_encode_input(b, sizeof b, &in));

    msg_welcome w = {.client_id = 2, .max_players = 16, .tick_rate = 60, .snapshot_rate = 20, .input_every = 1, .server_tick = 1234,
                     .map_bytes = 900, .map_crc32 = 0xdeadbeef, .map_name = "Courtyard", .server_name = "LAN party",
                     .resumed = 1, .map_follows = 1, .token = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
    put("fuzz_msg", "welcome", b, msg_encode_welcome(b, sizeof b, &w));

    static const uint8_t chunk_bytes[] = "arena-map 1\nname X\ntiles\n";
    msg_map_chunk ch = {.offset = 0, .length = sizeof chunk_bytes - 1, .bytes = chunk_bytes};
    put("fuzz_msg", "map_chunk", b, msg_encode_map_chunk(b, sizeof b, &ch));

    msg_player_name pn = {.player_id = 5, .name = "Bob"};
    put("fuzz_msg", "join", b, msg_encode_join(b, sizeof b, &pn));
    put("fuzz_msg", "player_rename", b, msg_encode_player_rename(b, sizeof b, &pn));

    msg_leave lv = {.player_id = 5, .reason = PROTO_REASON_CLIENT_QUIT};
    put("fuzz_msg", "leave", b, msg_encode_leave(b, sizeof b, &lv));

    msg_kill k = {.killer = 1, .victim = 5, .weapon = WEAPON_ROCKET};
    put("fuzz_msg", "kill", b, msg_encode_kill(b, sizeof b, &k));

    msg_score sc = {.player = 1, .frags = -2, .deaths = 3, .ping_ms = 42};
    put("fuzz_msg", "score", b, msg_encode_score(b, sizeof b, &sc));

    msg_roster ro = {.count = 2};
    ro.e[0].player_id = 0;
    snprintf(ro.e[0].name, sizeof ro.e[0].name, "Ann");
    ro.e[0].frags = 3;
    ro.e[1].player_id = 9;
    snprintf(ro.e[1].name, sizeof ro.e[1].name, "Bob");
    ro.e[1].deaths = 2;
    ro.e[1].ping_ms = 12;
    put("fuzz_msg", "roster", b, msg_encode_roster(b, sizeof b, &ro));

    msg_match mt = {.phase = MATCH_INTERMISSION, .phase_end_tick = 9000, .frag_limit = 20, .time_limit_s = 600,
                    .next_map = "Crossroads"};
    put("fuzz_msg", "match", b, msg_encode_match(b, sizeof b, &mt));

    msg_chat cc = {.from = 0, .text = "hello there \xc3\xa9"};
    put("fuzz_msg", "client_chat", b, msg_encode_client_chat(b, sizeof b, &cc));
    msg_chat sc2 = {.from = PROTO_CHAT_FROM_SERVER, .text = "Server restarting"};
    put("fuzz_msg", "server_chat", b, msg_encode_server_chat(b, sizeof b, &sc2));
}

static void snapshot_seeds(void) {
    static snap_frame base, want, view;
    uint8_t full[PROTO_SNAPSHOT_MAX_BYTES], delta[PROTO_SNAPSHOT_MAX_BYTES];
    uint8_t seed[1 + 2 * PROTO_SNAPSHOT_MAX_BYTES];
    size_t nf = fixture_baseline(&base, full, sizeof full);

    /* a delta against the fixture: one moved, one removed, one new */
    want = base;
    want.tick = FIXTURE_TICK + 4;
    want.last_cmd_tick = base.last_cmd_tick + 4;
    want.ents[0].x += 4096;
    want.ents[0].aim += 300;
    want.ents[1].health = 30;
    want.ents[2] = (snap_entity){.id = 9, .x = 40 * 4096, .y = 40 * 4096, .vx = 512, .flags = 1, .health = 100};
    uint16_t prio[PROTO_VIEW_MAX_ENTITIES];
    for (uint16_t i = 0; i < want.count; i++) prio[i] = i;
    size_t nd = snap_encode(delta, sizeof delta, &want, prio, &base, FIXTURE_TICK_RATE, 3, &view, NULL);
    if (nd == 0 || nf > 255) {
        fprintf(stderr, "make_corpus: snapshot encode failed\n");
        exit(1);
    }

    seed[0] = 0; /* no baseline part: the fixed baseline */
    memcpy(seed + 1, full, nf);
    put("fuzz_snapshot", "full", seed, 1 + nf);
    memcpy(seed + 1, delta, nd);
    put("fuzz_snapshot", "delta_on_fixture", seed, 1 + nd);
    seed[0] = (uint8_t)nf; /* baseline part = the full snapshot, then the delta */
    memcpy(seed + 1, full, nf);
    memcpy(seed + 1 + nf, delta, nd);
    put("fuzz_snapshot", "full_then_delta", seed, 1 + nf + nd);

    /* an empty full frame */
    static snap_frame empty;
    empty.tick = 77;
    size_t ne = snap_encode(full, sizeof full, &empty, prio, NULL, FIXTURE_TICK_RATE, 0, &view, NULL);
    seed[0] = 0;
    memcpy(seed + 1, full, ne);
    put("fuzz_snapshot", "empty_full", seed, 1 + ne);
}

static void discovery_seeds(void) {
    uint8_t b[DISCOVERY_QUERY_BYTES];
    put("fuzz_discovery", "query", b, discovery_encode_query(b, 0x12345678u));
    discovery_reply r = {.nonce = 0x12345678u, .game_port = 27500, .players = 3, .max_players = 16,
                         .name = "LAN party", .map = "Courtyard"};
    put("fuzz_discovery", "reply", b, discovery_encode_reply(b, sizeof b, &r));
    discovery_reply r2 = {.nonce = 1, .game_port = 1, .players = 0, .max_players = 1,
                          .name = "\xc3\xa9t\xc3\xa9 server with a long name!!", .map = "A map name of thirty-two bytes!!"};
    put("fuzz_discovery", "reply_long", b, discovery_encode_reply(b, sizeof b, &r2));
}

static void map_seeds(int nmaps, char **maps) {
    static const char tiny[] = "# tiny\narena-map 1\nname Tiny\ntiles\n####\n#SH#\n#A.#\n####\n";
    static const char crlf[] = "arena-map 1\r\nname CRLF\r\ntiles\r\n#####\r\n#S.S#\r\n#...#\r\n#####\r\n";
    put("fuzz_map", "tiny.map", tiny, sizeof tiny - 1);
    put("fuzz_map", "crlf.map", crlf, sizeof crlf - 1);
    for (int i = 0; i < nmaps; i++) {
        static char text[PROTO_MAP_MAX_BYTES];
        FILE *f = fopen(maps[i], "rb");
        if (!f) {
            perror(maps[i]);
            exit(1);
        }
        size_t n = fread(text, 1, sizeof text, f);
        fclose(f);
        const char *slash = strrchr(maps[i], '/');
        put("fuzz_map", slash ? slash + 1 : maps[i], text, n);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: make_corpus OUT_DIR [MAP_FILE...]\n");
        return 2;
    }
    root = argv[1];
    msg_seeds();
    snapshot_seeds();
    discovery_seeds();
    map_seeds(argc - 2, argv + 2);
    return 0;
}
