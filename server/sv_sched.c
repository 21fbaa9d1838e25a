/* sv_sched.c - real-time scheduling for the server's threads (sv_sched.h). */
#define _GNU_SOURCE
#include "sv_sched.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>

bool sv_sched_realtime(int priority, char *why, size_t why_cap) {
    int lo = sched_get_priority_min(SCHED_FIFO), hi = sched_get_priority_max(SCHED_FIFO);
    if (priority < lo || priority > hi) {
        snprintf(why, why_cap, "priority %d is outside SCHED_FIFO's %d..%d", priority, lo, hi);
        return false;
    }
    struct sched_param sp = {.sched_priority = priority};
    int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    if (rc != 0) {
        snprintf(why, why_cap, "%s%s", strerror(rc),
                 rc == EPERM ? " (real-time scheduling needs root or CAP_SYS_NICE)" : "");
        return false;
    }
    return true;
}

int sv_sched_current_priority(void) {
    int policy;
    struct sched_param sp;
    if (pthread_getschedparam(pthread_self(), &policy, &sp) != 0 || policy != SCHED_FIFO) return 0;
    return sp.sched_priority;
}
