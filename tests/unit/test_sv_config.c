/* test_sv_config.c - the server's thread and cadence rules (sv_config.c):
 * what --threads, --send-thread, --rt-priority and --input-every choose
 * when left automatic, for servers that are busy (max players x snapshot
 * rate at least SV_BUSY_SNAPSHOTS_PER_S) and not, on one, two, four and
 * sixteen processors (two: a second encoding thread only under real-time
 * scheduling); an explicit value wins; bad values are usage errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sv_config.h"
#include "sv_workers.h"

static sv_args_result parse(sv_config *c, int argc, char **argv) {
    char err[256];
    sv_config_default(c);
    return sv_config_parse(c, argc, argv, err, sizeof err);
}

static void test_automatic_rules(void **state) {
    (void)state;
    sv_config c;
    sv_config_default(&c);
    /* not busy: 64 slots at 30 Hz, 136 at 30, 63 at 64, 1000 at 4 Hz:
     * everything on the main thread, normal scheduling */
    const int quiet[][2] = {{64, 30}, {136, 30}, {63, 64}, {1000, 4}, {1, 128}};
    for (size_t q = 0; q < sizeof quiet / sizeof quiet[0]; q++) {
        c.max_players = quiet[q][0];
        c.snapshot_rate = quiet[q][1];
        assert_false(sv_config_busy(&c));
        assert_int_equal(sv_config_rt_priority(&c), 0);
        for (int cpus = 1; cpus <= 16; cpus *= 2) {
            assert_int_equal(sv_config_threads(&c, cpus), 1);
            assert_false(sv_config_send_thread(&c, cpus));
        }
    }
    /* busy: 64 slots at 64 Hz and at 128, 137 at 30, 1000 at 30 */
    const int busy[][2] = {{64, 64}, {64, 128}, {137, 30}, {1000, 30}};
    for (size_t b = 0; b < sizeof busy / sizeof busy[0]; b++) {
        c.max_players = busy[b][0];
        c.snapshot_rate = busy[b][1];
        c.rt_priority = -1;
        assert_true(sv_config_busy(&c));
        assert_int_equal(sv_config_rt_priority(&c), SV_RT_AUTO_PRIORITY);
        assert_true(sv_config_send_thread(&c, 2));
        c.rt_priority = SV_RT_AUTO_PRIORITY;
        assert_int_equal(sv_config_threads(&c, 2), 2);
    }
    c.rt_priority = -1;
    c.max_players = 1000; /* large */
    c.snapshot_rate = 30;
    assert_int_equal(sv_config_rt_priority(&c), SV_RT_AUTO_PRIORITY); /* asked for */
    c.rt_priority = 0;                                                  /* refused */
    assert_int_equal(sv_config_threads(&c, 1), 1);
    assert_false(sv_config_send_thread(&c, 1));
    assert_int_equal(sv_config_threads(&c, 2), 1); /* main + sender take both */
    c.rt_priority = SV_RT_AUTO_PRIORITY;            /* granted: a helper cannot be preempted mid-share */
    assert_int_equal(sv_config_threads(&c, 1), 1);
    assert_int_equal(sv_config_threads(&c, 2), 2);
    assert_int_equal(sv_config_threads(&c, 4), 3);
    c.rt_priority = 0;
    assert_true(sv_config_send_thread(&c, 2));
    assert_int_equal(sv_config_threads(&c, 4), 3);
    assert_int_equal(sv_config_threads(&c, 16), SV_THREADS_AUTO_MAX);
    assert_true(sv_config_send_thread(&c, 16));
    assert_int_equal(sv_config_input_every(&c), 2);
}

static void test_explicit_values_win(void **state) {
    (void)state;
    sv_config c;
    char *argv[] = {"gameserver", "--max-players", "1000", "--threads", "3", "--send-thread", "0"};
    assert_int_equal(parse(&c, 7, argv), SV_ARGS_OK);
    assert_int_equal(sv_config_threads(&c, 2), 3);
    assert_int_equal(sv_config_threads(&c, 64), 3);
    assert_false(sv_config_send_thread(&c, 8));
    char *argv2[] = {"gameserver", "--max-players", "8", "--threads", "8", "--send-thread", "1"};
    assert_int_equal(parse(&c, 7, argv2), SV_ARGS_OK);
    assert_int_equal(sv_config_threads(&c, 1), SV_WORKERS_MAX);
    assert_true(sv_config_send_thread(&c, 1));
    char *argv3[] = {"gameserver", "--max-players", "1000", "--rt-priority", "0"};
    assert_int_equal(parse(&c, 5, argv3), SV_ARGS_OK);
    assert_int_equal(sv_config_rt_priority(&c), 0);
    assert_int_equal(sv_config_threads(&c, 2), 1);
    char *argv4[] = {"gameserver", "--max-players", "8", "--rt-priority", "99"};
    assert_int_equal(parse(&c, 5, argv4), SV_ARGS_OK);
    assert_int_equal(sv_config_rt_priority(&c), 99);
}

static void test_bad_values(void **state) {
    (void)state;
    sv_config c;
    const char *bad[][2] = {{"--threads", "0"}, {"--threads", "9"}, {"--threads", "x"}, {"--send-thread", "2"},
                            {"--send-thread", "-1"}, {"--send-thread", "yes"},
                            {"--rt-priority", "-1"}, {"--rt-priority", "100"}, {"--rt-priority", "high"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {"gameserver", (char *)bad[i][0], (char *)bad[i][1]};
        assert_int_equal(parse(&c, 3, argv), SV_ARGS_ERROR);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_automatic_rules),
        cmocka_unit_test(test_explicit_values_win),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
