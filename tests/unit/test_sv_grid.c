/* test_sv_grid.c - the spatial grid answers exactly what a brute-force scan
 * over every entity answers: radius queries, the k nearest (ties to the
 * lower id), the nearest distance with and without an early stop; on
 * random sets of every size up to the limit, on small and the largest
 * maps, with entities on cell edges, stacked on one point, outside the map,
 * and on an empty grid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sv_grid.h"

static sv_grid grid;

typedef struct {
    float x, y;
    uint16_t id;
} ent;

static ent ents[SV_GRID_MAX_ITEMS];
static int n_ents;
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static float rnd_float(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() % 1000001u) / 1000000.0f; }

/* A position on the map, or near and on cell edges, or off the map. */
static float rnd_coord(int size) {
    switch (rnd() % 8) {
    case 0: return (float)(rnd() % (unsigned)(size / 8 + 2)) * 8.0f;      /* on a cell edge */
    case 1: return rnd_float(-6.0f, 0.0f);                                /* off the map, low side */
    case 2: return rnd_float((float)size, (float)size + 9.0f);            /* off the map, high side */
    case 3: return (float)(rnd() % (unsigned)(size + 1)) + 0.5f;          /* a tile centre */
    default: return rnd_float(0.0f, (float)size);
    }
}

static void fill(int w, int h, int n, uint16_t id_stride) {
    sv_grid_begin(&grid, w, h);
    n_ents = 0;
    for (int i = 0; i < n; i++) {
        ent e = {rnd_coord(w), rnd_coord(h), (uint16_t)((i * id_stride) % SV_GRID_MAX_ITEMS)};
        if (i > 0 && rnd() % 10 == 0) { /* same place as another */
            e.x = ents[rnd() % (unsigned)i].x;
            e.y = ents[rnd() % (unsigned)i].y;
        }
        ents[n_ents++] = e;
        assert_true(sv_grid_add(&grid, e.id, e.x, e.y));
    }
    sv_grid_build(&grid);
}

static float dist2(const ent *e, float x, float y) {
    float dx = e->x - x, dy = e->y - y;
    return dx * dx + dy * dy;
}

static int cmp_u16(const void *a, const void *b) { return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b; }

static int cmp_hit(const void *a, const void *b) {
    const sv_grid_hit *x = a, *y = b;
    if (x->d2 < y->d2) return -1;
    if (x->d2 > y->d2) return 1;
    return (int)x->id - (int)y->id;
}

static void check_radius(float x, float y, float r) {
    static uint16_t got[SV_GRID_MAX_ITEMS], want[SV_GRID_MAX_ITEMS];
    int n = sv_grid_query_radius(&grid, x, y, r, got, SV_GRID_MAX_ITEMS);
    int m = 0;
    for (int i = 0; i < n_ents; i++)
        if (dist2(&ents[i], x, y) <= r * r) want[m++] = ents[i].id;
    if (n != m) fail_msg("radius %.3f at (%.3f, %.3f): grid %d, brute force %d", r, x, y, n, m);
    qsort(got, (size_t)n, sizeof got[0], cmp_u16);
    qsort(want, (size_t)m, sizeof want[0], cmp_u16);
    assert_memory_equal(got, want, (size_t)n * sizeof got[0]);
}

static void check_nearest(float x, float y, int k, int skip, float max_r) {
    static sv_grid_hit got[SV_GRID_MAX_ITEMS], want[SV_GRID_MAX_ITEMS];
    int n = sv_grid_nearest(&grid, x, y, k, skip, max_r, got);
    int m = 0;
    for (int i = 0; i < n_ents; i++)
        if ((int)ents[i].id != skip && dist2(&ents[i], x, y) <= max_r * max_r)
            want[m++] = (sv_grid_hit){dist2(&ents[i], x, y), ents[i].id};
    qsort(want, (size_t)m, sizeof want[0], cmp_hit);
    if (m > k) m = k;
    if (n != m) fail_msg("nearest %d at (%.3f, %.3f): grid %d, brute force %d", k, x, y, n, m);
    qsort(got, (size_t)n, sizeof got[0], cmp_hit);
    for (int i = 0; i < n; i++)
        if (got[i].id != want[i].id || got[i].d2 != want[i].d2)
            fail_msg("nearest %d at (%.3f, %.3f): #%d is id %u (d2 %g), brute force id %u (d2 %g)", k, x, y, i,
                     got[i].id, (double)got[i].d2, want[i].id, (double)want[i].d2);
}

static void check_nearest_d2(float x, float y) {
    float best = INFINITY;
    for (int i = 0; i < n_ents; i++) best = fminf(best, dist2(&ents[i], x, y));
    assert_true(sv_grid_nearest_d2(&grid, x, y, -1.0f) == best);
    /* with an early stop: a value no greater than `enough` when the true
     * minimum is that small, else the exact minimum */
    float enough = rnd_float(0.0f, 400.0f);
    float got = sv_grid_nearest_d2(&grid, x, y, enough);
    if (best <= enough) assert_true(got <= enough && got >= best);
    else assert_true(got == best);
}

static void random_queries(int w, int h, int queries) {
    for (int q = 0; q < queries; q++) {
        float x = rnd_coord(w), y = rnd_coord(h);
        if (n_ents && rnd() % 4 == 0) { /* right on an entity */
            x = ents[rnd() % (unsigned)n_ents].x;
            y = ents[rnd() % (unsigned)n_ents].y;
        }
        float r = rnd() % 5 == 0 ? 8.0f * (float)(rnd() % 4) : rnd_float(0.0f, 30.0f);
        check_radius(x, y, r);
        int k = (int)(rnd() % 140u) + 1;
        int skip = n_ents && rnd() % 2 ? ents[rnd() % (unsigned)n_ents].id : -1;
        /* no limit, or a view radius that cuts some off (also exactly
         * on cell edges) */
        float max_r = rnd() % 2 ? INFINITY : rnd() % 4 == 0 ? 8.0f * (float)(rnd() % 6) : rnd_float(0.0f, 60.0f);
        check_nearest(x, y, k, skip, max_r);
        check_nearest_d2(x, y);
    }
}

static void test_random_sets_match_brute_force(void **state) {
    (void)state;
    static const int sizes[][2] = {{4, 4}, {32, 19}, {37, 23}, {192, 120}, {512, 512}, {9, 300}};
    static const int counts[] = {1, 2, 7, 50, 300, 1000, SV_GRID_MAX_ITEMS};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            fill(sizes[s][0], sizes[s][1], counts[c], 1);
            random_queries(sizes[s][0], sizes[s][1], counts[c] >= 1000 ? 40 : 120);
        }
}

static void test_empty_grid(void **state) {
    (void)state;
    uint16_t ids[4];
    sv_grid_hit hits[4];
    static sv_grid zeroed; /* never begun: valid, empty */
    assert_int_equal(sv_grid_query_radius(&zeroed, 1.0f, 1.0f, 100.0f, ids, 4), 0);
    assert_int_equal(sv_grid_nearest(&zeroed, 1.0f, 1.0f, 4, -1, INFINITY, hits), 0);
    assert_true(isinf(sv_grid_nearest_d2(&zeroed, 1.0f, 1.0f, -1.0f)));
    assert_false(sv_grid_add(&zeroed, 1, 1.0f, 1.0f));
    fill(100, 80, 0, 1);
    assert_int_equal(sv_grid_query_radius(&grid, 50.0f, 40.0f, 1000.0f, ids, 4), 0);
    assert_int_equal(sv_grid_nearest(&grid, 50.0f, 40.0f, 4, -1, INFINITY, hits), 0);
    assert_true(isinf(sv_grid_nearest_d2(&grid, 50.0f, 40.0f, -1.0f)));
    /* one entity, skipped: nothing */
    sv_grid_begin(&grid, 100, 80);
    assert_true(sv_grid_add(&grid, 7, 3.0f, 3.0f));
    sv_grid_build(&grid);
    assert_int_equal(sv_grid_nearest(&grid, 90.0f, 70.0f, 4, 7, INFINITY, hits), 0);
    assert_int_equal(sv_grid_nearest(&grid, 90.0f, 70.0f, 4, -1, INFINITY, hits), 1);
    assert_int_equal(hits[0].id, 7);
    /* added but not built: queries see nothing */
    sv_grid_begin(&grid, 100, 80);
    assert_true(sv_grid_add(&grid, 7, 3.0f, 3.0f));
    assert_int_equal(sv_grid_query_radius(&grid, 3.0f, 3.0f, 1.0f, ids, 4), 0);
}

/* Entities exactly on cell borders and corners, queried from the other
 * side of the border, and radius queries that reach them exactly. */
static void test_cell_edges(void **state) {
    (void)state;
    sv_grid_begin(&grid, 64, 64);
    n_ents = 0;
    uint16_t id = 0;
    for (int gy = 0; gy <= 8; gy++)
        for (int gx = 0; gx <= 8; gx++) {
            ent e = {(float)gx * 8.0f, (float)gy * 8.0f, id++};
            ents[n_ents++] = e;
            assert_true(sv_grid_add(&grid, e.id, e.x, e.y));
        }
    sv_grid_build(&grid);
    uint16_t got[SV_GRID_MAX_ITEMS];
    /* just left of the border at x = 16: the entity on it is 0.001 away */
    int n = sv_grid_query_radius(&grid, 15.999f, 16.0f, 0.0011f, got, SV_GRID_MAX_ITEMS);
    assert_int_equal(n, 1);
    assert_int_equal(got[0], 2 * 9 + 2);
    /* a radius of exactly one cell from a corner: itself and its 4 neighbours */
    n = sv_grid_query_radius(&grid, 24.0f, 24.0f, 8.0f, got, SV_GRID_MAX_ITEMS);
    assert_int_equal(n, 5);
    /* a cap stops the query */
    assert_int_equal(sv_grid_query_radius(&grid, 24.0f, 24.0f, 8.0f, got, 2), 2);
    for (int q = 0; q < 400; q++) {
        float x = (float)(rnd() % 17) * 4.0f, y = (float)(rnd() % 17) * 4.0f;
        check_radius(x, y, (float)(rnd() % 5) * 4.0f);
        check_nearest(x, y, (int)(rnd() % 20u) + 1, -1, INFINITY);
        check_nearest_d2(x, y);
    }
}

/* Many entities on one point: ties all the way, the lowest ids win. */
static void test_stacked_ties_go_to_lower_ids(void **state) {
    (void)state;
    sv_grid_begin(&grid, 50, 50);
    n_ents = 0;
    for (int i = 0; i < 300; i++) {
        ent e = {20.5f, 20.5f, (uint16_t)(1000 - i * 3)};
        ents[n_ents++] = e;
        assert_true(sv_grid_add(&grid, e.id, e.x, e.y));
    }
    sv_grid_build(&grid);
    sv_grid_hit hits[300];
    int n = sv_grid_nearest(&grid, 30.0f, 30.0f, 10, -1, INFINITY, hits);
    assert_int_equal(n, 10);
    qsort(hits, 10, sizeof hits[0], cmp_hit);
    for (int i = 0; i < 10; i++) assert_int_equal(hits[i].id, 1000 - 299 * 3 + i * 3);
    check_nearest(20.5f, 20.5f, 127, 1000, INFINITY);
}

static void test_capacity(void **state) {
    (void)state;
    sv_grid_begin(&grid, 512, 512);
    for (int i = 0; i < SV_GRID_MAX_ITEMS; i++) assert_true(sv_grid_add(&grid, (uint16_t)i, 256.0f, 256.0f));
    assert_false(sv_grid_add(&grid, 0, 1.0f, 1.0f));
    sv_grid_build(&grid);
    uint16_t got[SV_GRID_MAX_ITEMS];
    assert_int_equal(sv_grid_query_radius(&grid, 256.0f, 256.0f, 0.0f, got, SV_GRID_MAX_ITEMS), SV_GRID_MAX_ITEMS);
    /* a map larger than the limit is clamped to it */
    sv_grid_begin(&grid, 100000, -5);
    assert_int_equal(grid.cols, SV_GRID_MAX_SIDE);
    assert_int_equal(grid.rows, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sets_match_brute_force),
        cmocka_unit_test(test_empty_grid),
        cmocka_unit_test(test_cell_edges),
        cmocka_unit_test(test_stacked_ties_go_to_lower_ids),
        cmocka_unit_test(test_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
