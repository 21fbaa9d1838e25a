/* sv_sched.h - the server's scheduling class (--rt-priority).
 *
 * Owns: asking the kernel to run the server's threads under the real-time
 * FIFO policy (SCHED_FIFO) at a given priority, so that the tick is not
 * held up by ordinary processes that share the machine (on the two-core
 * test machine, the bot swarm: see README, "Scaling"). Called on the main
 * thread before any other thread starts; the threads the server starts
 * later (snapshot helpers, the sender thread) inherit it (glibc's default,
 * PTHREAD_INHERIT_SCHED).
 *
 * Needs root or CAP_SYS_NICE (or an RLIMIT_RTPRIO allowance); without it
 * the server runs at normal priority and says so. The kernel keeps 5 % of
 * each second for ordinary processes (sched_rt_runtime_us), and the server
 * blocks in poll and condition waits between ticks, so it never holds a
 * core it does not use.
 */
#ifndef SV_SCHED_H
#define SV_SCHED_H

#include <stdbool.h>
#include <stddef.h>

#define SV_RT_PRIORITY_MAX 99

/* Switches the calling thread to SCHED_FIFO at `priority` (1..99). False,
 * with the reason in `why`, when the kernel refuses. */
bool sv_sched_realtime(int priority, char *why, size_t why_cap);

/* The calling thread's SCHED_FIFO priority, or 0 when it runs under
 * another policy. */
int sv_sched_current_priority(void);

#endif
