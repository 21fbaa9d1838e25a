/* test_sv_sched.c - sv_sched.c: switching a thread to SCHED_FIFO.
 *
 * Out-of-range priorities are refused with a reason and leave the thread
 * as it was. A valid one either takes effect (root or CAP_SYS_NICE: the
 * thread then reports it, and a thread it starts inherits it) or, where
 * the kernel refuses, says why and leaves the thread as it was; both are
 * checked against what pthread_getschedparam reports. The thread is put
 * back to normal scheduling at the end. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "sv_sched.h"

static void *report_priority(void *arg) {
    *(int *)arg = sv_sched_current_priority();
    return NULL;
}

static void back_to_normal(void) {
    struct sched_param sp = {.sched_priority = 0};
    assert_int_equal(pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp), 0);
    assert_int_equal(sv_sched_current_priority(), 0);
}

static void test_out_of_range_refused(void **state) {
    (void)state;
    char why[160] = "";
    assert_int_equal(sv_sched_current_priority(), 0);
    assert_false(sv_sched_realtime(0, why, sizeof why));
    assert_non_null(strstr(why, "outside"));
    why[0] = 0;
    assert_false(sv_sched_realtime(SV_RT_PRIORITY_MAX + 1, why, sizeof why));
    assert_non_null(strstr(why, "outside"));
    assert_int_equal(sv_sched_current_priority(), 0);
}

static void test_granted_or_explained(void **state) {
    (void)state;
    char why[160] = "";
    if (sv_sched_realtime(7, why, sizeof why)) {
        assert_int_equal(sv_sched_current_priority(), 7);
        int child = -1;
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, report_priority, &child), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(child, 7); /* the server's helpers and sender thread get it this way */
        back_to_normal();
        printf("SCHED_FIFO 7 granted and inherited\n");
    } else {
        assert_true(strlen(why) > 0);
        assert_int_equal(sv_sched_current_priority(), 0);
        printf("SCHED_FIFO refused here: %s\n", why);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_of_range_refused),
        cmocka_unit_test(test_granted_or_explained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
