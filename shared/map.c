/* map.c - parser for the arena map text format (format in map.h). */
#include "map.h"

#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *end;
    int number; /* 1-based number of the line last taken */
} line_cursor;

/* Takes the next line (without its \n or \r\n). False at end of text. */
static bool next_line(line_cursor *c, const char **line, size_t *len) {
    if (c->p >= c->end) return false;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *stop = nl ? nl : c->end;
    *line = c->p;
    *len = (size_t)(stop - c->p);
    if (*len && (*line)[*len - 1] == '\r') (*len)--;
    c->p = nl ? nl + 1 : c->end;
    c->number++;
    return true;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static bool fail(char *err, size_t cap, int line, const char *fmt, ...) {
    char msg[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0) snprintf(err, cap, "line %d: %s", line, msg);
    else snprintf(err, cap, "%s", msg);
    return false;
}

static bool is_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return false;
    return true;
}

static bool starts_with_word(const char *s, size_t n, const char *word) {
    size_t w = strlen(word);
    return n >= w && memcmp(s, word, w) == 0 && (n == w || s[w] == ' ');
}

/* Reads the header up to and including the `tiles` line. */
static bool parse_header(line_cursor *c, game_map *m, char *err, size_t cap) {
    const char *line;
    size_t len;
    bool have_magic = false;
    while (next_line(c, &line, &len)) {
        if (is_blank(line, len) || line[0] == '#') continue;
        if (memchr(line, '\0', len)) return fail(err, cap, c->number, "NUL byte in header");
        if (!have_magic) {
            if (len == 11 && memcmp(line, "arena-map 1", 11) == 0) { have_magic = true; continue; }
            if (starts_with_word(line, len, "arena-map"))
                return fail(err, cap, c->number, "unsupported format version (this build reads 'arena-map 1')");
            return fail(err, cap, c->number, "expected 'arena-map 1' as the first line");
        }
        if (starts_with_word(line, len, "name")) {
            size_t n = len > 5 ? len - 5 : 0;
            if (n == 0) return fail(err, cap, c->number, "empty map name");
            if (n > PROTO_MAP_NAME_MAX)
                return fail(err, cap, c->number, "map name longer than %d bytes", PROTO_MAP_NAME_MAX);
            memcpy(m->name, line + 5, n);
            m->name[n] = '\0';
            if (!text_is_clean(m->name, PROTO_MAP_NAME_MAX))
                return fail(err, cap, c->number,
                            "map name must be valid UTF-8 without control characters, tabs, or extra spaces");
            continue;
        }
        if (len == 5 && memcmp(line, "tiles", 5) == 0) {
            if (!m->name[0]) return fail(err, cap, c->number, "'name' must come before 'tiles'");
            return true;
        }
        return fail(err, cap, c->number, "unknown header line '%.*s'", (int)(len > 40 ? 40 : len), line);
    }
    if (!have_magic) return fail(err, cap, 0, "empty map: expected 'arena-map 1'");
    return fail(err, cap, 0, "missing 'tiles' line");
}

/* First pass over the grid: its width and height, checking row widths. */
static bool measure_grid(line_cursor c, int *w, int *h, char *err, size_t cap) {
    const char *line;
    size_t len;
    int rows = 0, width = -1, last_content_row = 0;
    while (next_line(&c, &line, &len)) {
        rows++;
        if (len == 0) continue; /* trailing blank lines are allowed */
        if (rows != last_content_row + 1)
            return fail(err, cap, c.number, "blank line before this row, inside the tile grid");
        last_content_row = rows;
        if (width < 0) width = (int)len;
        if ((int)len != width)
            return fail(err, cap, c.number, "row is %zu tiles wide, expected %d like the first row", len, width);
        if (width > PROTO_MAP_MAX_TILES)
            return fail(err, cap, c.number, "row is wider than %d tiles", PROTO_MAP_MAX_TILES);
        if (last_content_row > PROTO_MAP_MAX_TILES)
            return fail(err, cap, c.number, "more than %d rows", PROTO_MAP_MAX_TILES);
    }
    if (last_content_row == 0) return fail(err, cap, c.number, "the tile grid is empty");
    if (width < MAP_MIN_TILES || last_content_row < MAP_MIN_TILES)
        return fail(err, cap, c.number, "map is %dx%d, at least %dx%d needed", width, last_content_row,
                    MAP_MIN_TILES, MAP_MIN_TILES);
    *w = width;
    *h = last_content_row;
    return true;
}

bool map_parse(const char *text, size_t len, game_map *out, char *err, size_t err_cap) {
    memset(out, 0, sizeof *out);
    if (len > MAP_MAX_FILE_BYTES) return fail(err, err_cap, 0, "map larger than %d bytes", MAP_MAX_FILE_BYTES);
    line_cursor c = {text, text + len, 0};
    game_map m;
    memset(&m, 0, sizeof m);
    if (!parse_header(&c, &m, err, err_cap)) return false;
    if (!measure_grid(c, &m.width, &m.height, err, err_cap)) return false;
    m.tiles = calloc((size_t)m.width * (size_t)m.height, 1);
    if (!m.tiles) return fail(err, err_cap, 0, "out of memory");
    for (int y = 0; y < m.height; y++) {
        const char *line;
        size_t n;
        next_line(&c, &line, &n);
        for (int x = 0; x < m.width; x++) {
            uint8_t t;
            switch (line[x]) {
            case '#': t = TILE_WALL; break;
            case '.': t = TILE_FLOOR; break;
            case 'S':
                t = TILE_FLOOR;
                if (m.spawn_count == MAP_MAX_SPAWNS) {
                    free(m.tiles);
                    return fail(err, err_cap, c.number, "more than %d spawn points", MAP_MAX_SPAWNS);
                }
                m.spawns[m.spawn_count++] = (map_spawn){(float)x + 0.5f, (float)y + 0.5f};
                break;
            case 'H':
            case 'A':
                t = TILE_FLOOR;
                if (m.pickup_count == PROTO_MAX_PICKUPS) {
                    free(m.tiles);
                    return fail(err, err_cap, c.number, "more than %d pickups", PROTO_MAX_PICKUPS);
                }
                m.pickups[m.pickup_count++] =
                    (map_pickup){(float)x + 0.5f, (float)y + 0.5f, line[x] == 'H' ? PICKUP_HEALTH : PICKUP_AMMO};
                break;
            default: {
                unsigned char ch = (unsigned char)line[x];
                free(m.tiles);
                if (ch >= 0x20 && ch < 0x7f)
                    return fail(err, err_cap, c.number, "unknown tile '%c' at column %d", ch, x + 1);
                return fail(err, err_cap, c.number, "unknown tile byte 0x%02x at column %d", ch, x + 1);
            }
            }
            m.tiles[(size_t)y * (size_t)m.width + (size_t)x] = t;
        }
    }
    if (m.spawn_count == 0) {
        free(m.tiles);
        return fail(err, err_cap, 0, "no spawn point ('S') in the tile grid");
    }
    *out = m;
    return true;
}

bool map_read_text(const char *path, char **text, size_t *len, char *err, size_t err_cap) {
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_cap, "%s: %s", path, strerror(errno));
        return false;
    }
    char *buf = malloc(MAP_MAX_FILE_BYTES + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, err_cap, "%s: out of memory", path);
        return false;
    }
    size_t n = fread(buf, 1, MAP_MAX_FILE_BYTES + 1, f);
    bool read_error = ferror(f);
    fclose(f);
    if (read_error || n > MAP_MAX_FILE_BYTES) {
        free(buf);
        snprintf(err, err_cap, "%s: %s", path, read_error ? "read error" : "file larger than the map size limit");
        return false;
    }
    *text = buf;
    *len = n;
    return true;
}

bool map_load_file(const char *path, game_map *out, char *err, size_t err_cap) {
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    if (!map_read_text(path, &text, &len, err, err_cap)) return false;
    char inner[224];
    bool ok = map_parse(text, len, out, inner, sizeof inner);
    free(text);
    if (!ok) snprintf(err, err_cap, "%s: %s", path, inner);
    return ok;
}

void map_free(game_map *m) {
    free(m->tiles);
    m->tiles = NULL;
    m->width = m->height = 0;
    m->spawn_count = 0;
}
