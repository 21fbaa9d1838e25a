/* test_map.c - shared/map.c: the arena map parser, file loading, tile queries.
 *
 * Covers: good maps from string literals (size, name, spawn count and
 * centres, map_is_wall inside and outside the grid), \r\n line endings,
 * comments, trailing blank lines, a missing final newline; each malformed
 * map fails with the right "line N" (or the right message when no line
 * applies) and leaves the output empty; every shipped assets/maps/NAME.map
 * loads and is usable (metropolis.map: 1000 spawns, connected); missing or
 * oversized files fail naming the path;
 * map names that are not text_is_clean (spaces at the ends or doubled,
 * tabs, control characters, bad UTF-8) are refused naming their line.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "sim.h"
#include "text.h"

#ifndef GAME_ASSETS_DIR
#error "GAME_ASSETS_DIR must be defined by the build (path of assets/)"
#endif

#define GOOD_MAP                  \
    "# a comment before the magic\n" \
    "\n"                          \
    "arena-map 1\n"               \
    "# a comment in the header\n" \
    "name Test Arena\n"           \
    "tiles\n"                     \
    "######\n"                    \
    "#S..S#\n"                    \
    "#.##.#\n"                    \
    "#...S#\n"                    \
    "######\n"

/* Parses a C string; the length excludes the terminating NUL. */
static bool parse(const char *text, game_map *m, char *err, size_t cap) {
    return map_parse(text, strlen(text), m, err, cap);
}

static void check_good_map(const game_map *m) {
    assert_string_equal(m->name, "Test Arena");
    assert_int_equal(m->width, 6);
    assert_int_equal(m->height, 5);
    assert_non_null(m->tiles);
    assert_int_equal(m->spawn_count, 3);
    /* row-major order, centres of the tiles */
    assert_true(m->spawns[0].x == 1.5f && m->spawns[0].y == 1.5f);
    assert_true(m->spawns[1].x == 4.5f && m->spawns[1].y == 1.5f);
    assert_true(m->spawns[2].x == 4.5f && m->spawns[2].y == 3.5f);
    /* inside */
    assert_true(map_is_wall(m, 0, 0));
    assert_true(map_is_wall(m, 5, 4));
    assert_false(map_is_wall(m, 1, 1)); /* spawn tiles are floor */
    assert_false(map_is_wall(m, 2, 1));
    assert_true(map_is_wall(m, 2, 2));
    assert_true(map_is_wall(m, 3, 2));
    assert_false(map_is_wall(m, 1, 2));
    assert_false(map_is_wall(m, 3, 3));
    /* outside the grid is wall */
    assert_true(map_is_wall(m, -1, 1));
    assert_true(map_is_wall(m, 1, -1));
    assert_true(map_is_wall(m, 6, 1));
    assert_true(map_is_wall(m, 1, 5));
    assert_true(map_is_wall(m, -100000, -100000));
    assert_true(map_is_wall(m, 100000, 2));
}

static void test_parse_good_map(void **state) {
    (void)state;
    game_map m;
    char err[256] = "";
    bool ok = parse(GOOD_MAP, &m, err, sizeof err);
    if (!ok) fail_msg("good map refused: %s", err);
    check_good_map(&m);
    map_free(&m);
    assert_null(m.tiles);
    assert_int_equal(m.width, 0);
    assert_int_equal(m.spawn_count, 0);
}

static void test_parse_crlf(void **state) {
    (void)state;
    const char *text = "arena-map 1\r\n"
                       "name Test Arena\r\n"
                       "tiles\r\n"
                       "######\r\n"
                       "#S..S#\r\n"
                       "#.##.#\r\n"
                       "#...S#\r\n"
                       "######\r\n";
    game_map m;
    char err[256] = "";
    bool ok = parse(text, &m, err, sizeof err);
    if (!ok) fail_msg("CRLF map refused: %s", err);
    check_good_map(&m); /* no '\r' left in the name, width not 7 */
    map_free(&m);
}

static void test_parse_trailing_blank_lines_and_no_final_newline(void **state) {
    (void)state;
    const char *texts[] = {
        GOOD_MAP "\n\n\n",
        GOOD_MAP "\r\n\r\n",
        "arena-map 1\nname Test Arena\ntiles\n######\n#S..S#\n#.##.#\n#...S#\n######", /* no final \n */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        game_map m;
        char err[256] = "";
        bool ok = parse(texts[i], &m, err, sizeof err);
        if (!ok) fail_msg("variant %zu refused: %s", i, err);
        check_good_map(&m);
        map_free(&m);
    }
}

static void test_parse_name_limits(void **state) {
    (void)state;
    game_map m;
    char err[256];
    /* exactly PROTO_MAP_NAME_MAX bytes */
    const char *ok32 = "arena-map 1\nname ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\ntiles\n####\n#S.#\n#..#\n####\n";
    assert_true(parse(ok32, &m, err, sizeof err));
    assert_string_equal(m.name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345");
    assert_int_equal(strlen(m.name), PROTO_MAP_NAME_MAX);
    map_free(&m);
    /* one byte more */
    const char *long33 = "arena-map 1\nname ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\ntiles\n####\n#S.#\n#..#\n####\n";
    assert_false(parse(long33, &m, err, sizeof err));
    assert_non_null(strstr(err, "line 2"));
    /* empty name, with and without the space */
    assert_false(parse("arena-map 1\nname \ntiles\n####\n#S.#\n#..#\n####\n", &m, err, sizeof err));
    assert_non_null(strstr(err, "line 2"));
    assert_false(parse("arena-map 1\nname\ntiles\n####\n#S.#\n#..#\n####\n", &m, err, sizeof err));
    assert_non_null(strstr(err, "line 2"));
    /* the last name line wins */
    assert_true(parse("arena-map 1\nname First\nname Second\ntiles\n####\n#S.#\n#..#\n####\n", &m, err, sizeof err));
    assert_string_equal(m.name, "Second");
    map_free(&m);
}

/* Expects text to fail with every one of the given substrings in the
 * message, and the output map to be left empty. */
static void expect_fail_len(const char *what, const char *text, size_t len, const char *want1, const char *want2) {
    game_map m;
    memset(&m, 0x55, sizeof m); /* map_parse must clear it */
    char err[256] = "";
    if (map_parse(text, len, &m, err, sizeof err)) {
        map_free(&m);
        fail_msg("%s: parsed, expected an error", what);
    }
    if (want1 && !strstr(err, want1)) fail_msg("%s: error \"%s\" lacks \"%s\"", what, err, want1);
    if (want2 && !strstr(err, want2)) fail_msg("%s: error \"%s\" lacks \"%s\"", what, err, want2);
    assert_null(m.tiles);
    assert_int_equal(m.width, 0);
    assert_int_equal(m.height, 0);
    assert_int_equal(m.spawn_count, 0);
    assert_string_equal(m.name, "");
}

static void expect_fail(const char *what, const char *text, const char *want1, const char *want2) {
    expect_fail_len(what, text, strlen(text), want1, want2);
}

static void test_malformed_maps(void **state) {
    (void)state;
    expect_fail("missing magic", "name X\ntiles\n####\n#S.#\n#..#\n####\n", "line 1:", "arena-map 1");
    expect_fail("missing magic after comments", "# c\n\n# d\nname X\ntiles\n####\n#S.#\n#..#\n####\n", "line 4:",
                NULL);
    expect_fail("wrong version", "arena-map 2\nname X\ntiles\n####\n#S.#\n#..#\n####\n", "line 1:",
                "unsupported format version");
    expect_fail("wrong version after comment", "# hi\narena-map 2\nname X\ntiles\n####\n#S.#\n#..#\n####\n",
                "line 2:", "version");
    expect_fail("unknown header key", "arena-map 1\nname X\nsize 10\ntiles\n####\n#S.#\n#..#\n####\n", "line 3:",
                "size 10");
    expect_fail("missing name", "arena-map 1\ntiles\n####\n#S.#\n#..#\n####\n", "line 2:", "name");
    expect_fail("name after tiles", "arena-map 1\n\ntiles\nname X\n####\n#S.#\n#..#\n####\n", "line 3:", "name");
    expect_fail("ragged row (short)", "arena-map 1\nname X\ntiles\n#####\n#S..#\n#..#\n#####\n", "line 6:",
                "4 tiles wide, expected 5");
    expect_fail("ragged row (long)", "arena-map 1\nname X\ntiles\n####\n#S.#\n#..#\n#####\n", "line 7:",
                "5 tiles wide");
    expect_fail("unknown tile char", "arena-map 1\nname X\ntiles\n####\n#S.#\n#.x#\n####\n", "line 6:",
                "'x' at column 3");
    expect_fail("unknown tile byte", "arena-map 1\nname X\ntiles\n####\n#S.#\n\x01..#\n####\n", "line 6:",
                "0x01 at column 1");
    expect_fail("space in the grid", "arena-map 1\nname X\ntiles\n####\n#S #\n#..#\n####\n", "line 5:", "column 3");
    expect_fail("blank line inside the grid", "arena-map 1\nname X\ntiles\n####\n#S.#\n\n#..#\n####\n", "line 7:",
                "blank line");
    expect_fail("blank line right after tiles", "arena-map 1\nname X\ntiles\n\n####\n#S.#\n#..#\n####\n",
                "line 5:", "blank line");
    expect_fail("no spawn", "arena-map 1\nname X\ntiles\n####\n#..#\n#..#\n####\n", "spawn", NULL);
    expect_fail("too small (3x3)", "arena-map 1\nname X\ntiles\n###\n#S#\n###\n", "3x3", "4x4");
    expect_fail("too narrow (3x5)", "arena-map 1\nname X\ntiles\n###\n#S#\n#.#\n#.#\n###\n", "3x5", NULL);
    expect_fail("too short (5x3)", "arena-map 1\nname X\ntiles\n#####\n#S..#\n#####\n", "5x3", NULL);
    expect_fail("no tiles line", "arena-map 1\nname X\n", "missing 'tiles'", NULL);
    /* before `tiles`, lines starting with '#' are comments, so a grid without
     * its `tiles` line reads as comments */
    expect_fail("no tiles line, grid present", "arena-map 1\nname X\n####\n#S.#\n#..#\n####\n", "missing 'tiles'",
                NULL);
    expect_fail("no tiles line, floor row", "arena-map 1\nname X\n....\n", "line 3:", "unknown header");
    expect_fail("empty grid", "arena-map 1\nname X\ntiles\n", "empty", NULL);
    expect_fail("empty input", "", "empty", NULL);
    expect_fail("only comments and blanks", "# nothing\n\n   \n", "empty", NULL);
    static const char nul_header[] = "arena-map 1\nna\0me X\ntiles\n####\n#S.#\n#..#\n####\n";
    expect_fail_len("NUL in header", nul_header, sizeof nul_header - 1, "line 2:", "NUL");
    static const char nul_grid[] = "arena-map 1\nname X\ntiles\n####\n#S\0#\n#..#\n####\n";
    expect_fail_len("NUL in grid", nul_grid, sizeof nul_grid - 1, "line 5:", "0x00 at column 3");
}

static void test_size_limits(void **state) {
    (void)state;
    /* widest and tallest allowed grids parse; one more fails with the line */
    const int widths[] = {PROTO_MAP_MAX_TILES, PROTO_MAP_MAX_TILES + 1};
    for (int k = 0; k < 2; k++) {
        int w = widths[k];
        size_t cap = 64 + 4 * ((size_t)w + 1);
        char *text = malloc(cap);
        assert_non_null(text);
        size_t n = (size_t)snprintf(text, cap, "arena-map 1\nname Wide\ntiles\n");
        for (int row = 0; row < 4; row++) {
            for (int x = 0; x < w; x++) text[n++] = (row == 1 && x == 1) ? 'S' : '.';
            text[n++] = '\n';
        }
        game_map m;
        char err[256] = "";
        bool ok = map_parse(text, n, &m, err, sizeof err);
        if (k == 0) {
            if (!ok) fail_msg("512 wide refused: %s", err);
            assert_int_equal(m.width, PROTO_MAP_MAX_TILES);
            assert_false(map_is_wall(&m, PROTO_MAP_MAX_TILES - 1, 3));
            assert_true(map_is_wall(&m, PROTO_MAP_MAX_TILES, 3));
            map_free(&m);
        } else {
            assert_false(ok);
            assert_non_null(strstr(err, "line 4:"));
        }
        free(text);
    }
    const int heights[] = {PROTO_MAP_MAX_TILES, PROTO_MAP_MAX_TILES + 1};
    for (int k = 0; k < 2; k++) {
        int h = heights[k];
        size_t cap = 64 + 5 * (size_t)h;
        char *text = malloc(cap);
        assert_non_null(text);
        size_t n = (size_t)snprintf(text, cap, "arena-map 1\nname Tall\ntiles\n");
        for (int row = 0; row < h; row++) {
            memcpy(text + n, row == 0 ? "S...\n" : "....\n", 5);
            n += 5;
        }
        game_map m;
        char err[256] = "";
        bool ok = map_parse(text, n, &m, err, sizeof err);
        if (k == 0) {
            if (!ok) fail_msg("512 tall refused: %s", err);
            assert_int_equal(m.height, PROTO_MAP_MAX_TILES);
            map_free(&m);
        } else {
            assert_false(ok);
            assert_non_null(strstr(err, "line 516:")); /* 3 header lines + row 513 */
        }
        free(text);
    }
}

static void test_spawn_limit(void **state) {
    (void)state;
    /* a 33x33 grid of spawns holds 1089 > MAP_MAX_SPAWNS; 32x32 is exactly 1024 */
    const int sides[] = {32, 33};
    for (int k = 0; k < 2; k++) {
        int s = sides[k];
        char text[2048];
        size_t n = (size_t)snprintf(text, sizeof text, "arena-map 1\nname Spawns\ntiles\n");
        for (int y = 0; y < s; y++) {
            memset(text + n, 'S', (size_t)s);
            n += (size_t)s;
            text[n++] = '\n';
        }
        game_map m;
        char err[256] = "";
        bool ok = map_parse(text, n, &m, err, sizeof err);
        if (s == 32) {
            if (!ok) fail_msg("1024 spawns refused: %s", err);
            assert_int_equal(m.spawn_count, MAP_MAX_SPAWNS);
            assert_true(m.spawns[1023].x == 31.5f && m.spawns[1023].y == 31.5f);
            map_free(&m);
        } else {
            assert_false(ok);
            /* spawn 1025 is the 2nd of row 32, file line 35 */
            assert_non_null(strstr(err, "line 35:"));
            assert_non_null(strstr(err, "spawn"));
        }
    }
}

static void test_oversized_text_refused(void **state) {
    (void)state;
    size_t len = (size_t)MAP_MAX_FILE_BYTES + 1;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, '#', len);
    memcpy(text, GOOD_MAP, strlen(GOOD_MAP));
    expect_fail_len("larger than MAP_MAX_FILE_BYTES", text, len, "larger", NULL);
    free(text);
}

static void test_error_buffer_truncates_safely(void **state) {
    (void)state;
    game_map m;
    char err[12];
    memset(err, 'z', sizeof err);
    assert_false(map_parse("arena-map 9\n", 12, &m, err, 8));
    assert_true(strlen(err) <= 7);
    assert_memory_equal(err, "line 1:", 7);
    assert_int_equal(err[8], 'z'); /* nothing written past cap */
}

/* ---- files ---------------------------------------------------------------- */

static void test_shipped_maps_load(void **state) {
    (void)state;
    const char *dir_path = GAME_ASSETS_DIR "/maps";
    DIR *dir = opendir(dir_path);
    if (!dir) fail_msg("cannot open %s", dir_path);
    int loaded = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".map") != 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir_path, de->d_name);
        game_map m;
        char err[512] = "";
        if (!map_load_file(path, &m, err, sizeof err)) fail_msg("%s: %s", de->d_name, err);
        assert_true(m.width >= MAP_MIN_TILES && m.width <= PROTO_MAP_MAX_TILES);
        assert_true(m.height >= MAP_MIN_TILES && m.height <= PROTO_MAP_MAX_TILES);
        assert_true(m.spawn_count >= 1 && m.spawn_count <= MAP_MAX_SPAWNS);
        /* the name must be sendable in S_WELCOME */
        if (!text_is_clean(m.name, PROTO_MAP_NAME_MAX)) fail_msg("%s: name \"%s\" is not clean", de->d_name, m.name);
        /* every spawn is on a floor tile and a spawned player is clear of walls */
        for (int i = 0; i < m.spawn_count; i++) {
            int tx = (int)m.spawns[i].x, ty = (int)m.spawns[i].y;
            assert_false(map_is_wall(&m, tx, ty));
            player_state p;
            memset(&p, 0, sizeof p);
            sim_player_spawn(&m, &p, (uint32_t)i);
            if (sim_player_in_wall(&m, &p)) fail_msg("%s: spawn %d overlaps a wall", de->d_name, i);
        }
        /* map_read_text gives the same text the loader parsed */
        char *text = NULL;
        size_t len = 0;
        assert_true(map_read_text(path, &text, &len, err, sizeof err));
        assert_non_null(text);
        assert_true(len > 0 && len <= MAP_MAX_FILE_BYTES);
        game_map again;
        assert_true(map_parse(text, len, &again, err, sizeof err));
        assert_int_equal(again.width, m.width);
        assert_int_equal(again.height, m.height);
        assert_int_equal(again.spawn_count, m.spawn_count);
        assert_memory_equal(again.tiles, m.tiles, (size_t)m.width * (size_t)m.height);
        map_free(&again);
        free(text);
        map_free(&m);
        loaded++;
    }
    closedir(dir);
    assert_true(loaded >= 1);
}

/* The 1000-player map: room for everyone, every pickup the protocol
 * allows, small enough to send, and one connected floor (a flood fill from
 * the first spawn reaches every spawn and pickup; a player fits through
 * any one-tile gap). */
static void test_metropolis_for_1000_players(void **state) {
    (void)state;
    game_map m;
    char err[512] = "";
    if (!map_load_file(GAME_ASSETS_DIR "/maps/metropolis.map", &m, err, sizeof err)) fail_msg("%s", err);
    assert_true(m.spawn_count >= 1000);
    assert_int_equal(m.pickup_count, PROTO_MAX_PICKUPS);
    char *text = NULL;
    size_t len = 0;
    assert_true(map_read_text(GAME_ASSETS_DIR "/maps/metropolis.map", &text, &len, err, sizeof err));
    assert_true(len < PROTO_MAP_MAX_BYTES);
    free(text);
    size_t cells = (size_t)m.width * (size_t)m.height, floor = 0;
    for (size_t i = 0; i < cells; i++) floor += m.tiles[i] == TILE_FLOOR;
    /* as crowded as 32 players on Courtyard (about 16 floor tiles each), give or take half */
    assert_true(floor >= 8 * 1000 && floor <= 24 * 1000);
    uint8_t *seen = calloc(cells, 1);
    int *queue = malloc(cells * sizeof *queue);
    assert_non_null(seen);
    assert_non_null(queue);
    int head = 0, tail = 0;
    int start = (int)m.spawns[0].y * m.width + (int)m.spawns[0].x;
    seen[start] = 1;
    queue[tail++] = start;
    while (head < tail) {
        int at = queue[head++], x = at % m.width, y = at / m.width;
        const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
        for (int d = 0; d < 4; d++) {
            int nx = x + dx[d], ny = y + dy[d], n = ny * m.width + nx;
            if (map_is_wall(&m, nx, ny) || seen[n]) continue;
            seen[n] = 1;
            queue[tail++] = n;
        }
    }
    for (int i = 0; i < m.spawn_count; i++)
        if (!seen[(int)m.spawns[i].y * m.width + (int)m.spawns[i].x]) fail_msg("spawn %d is walled off", i);
    for (int i = 0; i < m.pickup_count; i++)
        if (!seen[(int)m.pickups[i].y * m.width + (int)m.pickups[i].x]) fail_msg("pickup %d is walled off", i);
    free(queue);
    free(seen);
    map_free(&m);
}

static void test_missing_file(void **state) {
    (void)state;
    const char *path = GAME_ASSETS_DIR "/maps/no-such-map-here.map";
    game_map m;
    char err[512] = "";
    assert_false(map_load_file(path, &m, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_null(m.tiles);
    assert_int_equal(m.width, 0);

    char dummy = 'd';
    char *text = &dummy; /* must be reset to NULL */
    size_t len = 99;
    err[0] = '\0';
    assert_false(map_read_text(path, &text, &len, err, sizeof err));
    assert_null(text);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err, path));
}

/* Writes `len` bytes (GOOD_MAP then '#' filler) to a new temporary file. */
static void write_temp(char *path, size_t cap, size_t len, bool pad) {
    snprintf(path, cap, "/tmp/test_map_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    size_t good = strlen(GOOD_MAP);
    assert_int_equal(fwrite(GOOD_MAP, 1, good, f), good);
    for (size_t i = good; pad && i < len; i++) fputc('#', f);
    assert_int_equal(fclose(f), 0);
}

static void test_file_errors_name_the_path(void **state) {
    (void)state;
    char path[64];
    game_map m;
    char err[512] = "";

    /* a good map from a file */
    write_temp(path, sizeof path, 0, false);
    assert_true(map_load_file(path, &m, err, sizeof err));
    check_good_map(&m);
    map_free(&m);
    unlink(path);

    /* too large: refused by map_read_text and map_load_file */
    write_temp(path, sizeof path, (size_t)MAP_MAX_FILE_BYTES + 1, true);
    char *text = NULL;
    size_t len = 0;
    assert_false(map_read_text(path, &text, &len, err, sizeof err));
    assert_null(text);
    assert_non_null(strstr(err, path));
    assert_false(map_load_file(path, &m, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_null(m.tiles);
    unlink(path);

    /* a parse error is prefixed with the path and keeps its line number */
    snprintf(path, sizeof path, "/tmp/test_map_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs("arena-map 1\nname X\ntiles\n####\n#S.#\n#.?#\n####\n", f);
    fclose(f);
    assert_false(map_load_file(path, &m, err, sizeof err));
    assert_memory_equal(err, path, strlen(path));
    assert_non_null(strstr(err, "line 6:"));
    unlink(path);
}

/* A map name travels in S_WELCOME, whose encoder and decoder require
 * text_is_clean; map_parse refuses any other name, naming its line, so a
 * server can never load a map whose name would drop every client at the
 * handshake. (Formerly a known bug: such names were accepted.) */
static void test_map_name_must_be_clean(void **state) {
    (void)state;
    const char *bad[] = {
        "name Courtyard \n",            /* trailing space              */
        "name Courtyard \r\n",          /* trailing space before CRLF  */
        "name  Lead\n",                 /* leading space               */
        "name   \n",                    /* spaces only                 */
        "name Two  Spaces\n",           /* double space                */
        "name Tab\there\n",             /* tab                         */
        "name Tab\t\n",                 /* trailing tab                */
        "name Nb\xc2\xa0sp\n",          /* NBSP counts as a space      */
        "name Bad\xff\n",               /* invalid UTF-8 byte          */
        "name Cut\xc3\n",               /* truncated UTF-8 sequence    */
        "name Over\xc0\xaflong\n",      /* overlong encoding           */
        "name Sur\xed\xa0\x80\n",       /* UTF-16 surrogate            */
        "name Esc\x1b[1m\n",            /* C0 control (ESC)            */
        "name Del\x7f\n",               /* DEL                         */
        "name C1\xc2\x85x\n",           /* C1 control U+0085           */
        "name \xe2\x80\xaeRTL\n",        /* bidi override U+202E        */
        "name A\rB\n",                  /* CR inside the line          */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256], what[64];
        /* the name on line 2, then on line 5 after comments and a blank line */
        snprintf(text, sizeof text, "arena-map 1\n%stiles\n####\n#S.#\n#..#\n####\n", bad[i]);
        snprintf(what, sizeof what, "unclean name #%zu on line 2", i);
        expect_fail(what, text, "line 2:", "map name");
        snprintf(text, sizeof text, "# c\narena-map 1\n\n# d\n%stiles\n####\n#S.#\n#..#\n####\n", bad[i]);
        snprintf(what, sizeof what, "unclean name #%zu on line 5", i);
        expect_fail(what, text, "line 5:", "map name");
        /* an unclean name is refused even if a clean one follows */
        snprintf(text, sizeof text, "arena-map 1\n%sname Fine\ntiles\n####\n#S.#\n#..#\n####\n", bad[i]);
        snprintf(what, sizeof what, "unclean name #%zu before a clean one", i);
        expect_fail(what, text, "line 2:", "map name");
    }
    /* clean names are kept byte for byte, UTF-8 included */
    const char *good[] = {"A", "Two Words Here", "Zo\xc3\xab's Arena", "\xe6\x97\xa5\xe6\x9c\xac",
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234\xc3\xa9" /* 31 + 2 bytes: too long */};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "arena-map 1\nname %s\r\ntiles\n####\n#S.#\n#..#\n####\n", good[i]);
        game_map m;
        char err[256] = "";
        bool ok = parse(text, &m, err, sizeof err);
        if (strlen(good[i]) > PROTO_MAP_NAME_MAX) {
            assert_false(ok);
            assert_non_null(strstr(err, "line 2:"));
            assert_non_null(strstr(err, "longer than 32"));
            continue;
        }
        if (!ok) fail_msg("clean name #%zu refused: %s", i, err);
        assert_string_equal(m.name, good[i]);
        assert_true(text_is_clean(m.name, PROTO_MAP_NAME_MAX));
        map_free(&m);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good_map),
        cmocka_unit_test(test_parse_crlf),
        cmocka_unit_test(test_parse_trailing_blank_lines_and_no_final_newline),
        cmocka_unit_test(test_parse_name_limits),
        cmocka_unit_test(test_malformed_maps),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_spawn_limit),
        cmocka_unit_test(test_oversized_text_refused),
        cmocka_unit_test(test_error_buffer_truncates_safely),
        cmocka_unit_test(test_shipped_maps_load),
        cmocka_unit_test(test_metropolis_for_1000_players),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_file_errors_name_the_path),
        cmocka_unit_test(test_map_name_must_be_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
