/* sv_pool.h - the server's allocator for ENet: size classes and free lists.
 *
 * Owns: every allocation ENet makes in the server process (packets, their
 * data, outgoing and incoming commands, acknowledgements, the host's peer
 * table), through enet_initialize_with_callbacks. Small blocks (up to
 * SV_POOL_MAX_BLOCK bytes) come from per-size-class free lists that are
 * refilled a slab (about 64 KiB) at a time; a freed block goes back on its
 * list, never to the system. So once the traffic has reached its peak, the
 * packets of every further tick reuse blocks and the system allocator is
 * not called at all. Larger requests (the peer table at start-up) go to
 * malloc and free directly. Memory held is the peak in use, kept for the
 * life of the process (slabs stay on a list, reachable).
 *
 * Counted: allocations made through the callbacks, and how many of those
 * reached the system allocator (a slab or an oversized block), so tests and
 * benchmarks can show that steady ticks do not allocate.
 *
 * Not thread-safe: one server loop per process. The callbacks are global to
 * ENet in the process (ENet has no per-host allocator): install before any
 * ENet object exists, and every ENet object of the process then uses the
 * pool. Under AddressSanitizer the blocks on the free lists are poisoned.
 */
#ifndef SV_POOL_H
#define SV_POOL_H

#include <stddef.h>
#include <stdint.h>

#define SV_POOL_MAX_BLOCK 4096  /* larger requests go straight to malloc */
#define SV_POOL_SLAB_BYTES 65536

typedef struct {
    uint64_t allocs;          /* blocks handed out through the callbacks */
    uint64_t frees;           /* blocks given back */
    uint64_t system_allocs;   /* of the allocations, those that called malloc (a slab or oversized) */
    uint64_t slabs;           /* slabs taken from the system */
    uint64_t oversized;       /* requests over SV_POOL_MAX_BLOCK (malloc and free each time) */
    uint64_t failures;        /* malloc returned NULL (ENet was told: no memory) */
    uint64_t in_use;          /* blocks out now */
    uint64_t bytes_held;      /* bytes in slabs (in use or free) */
} sv_pool_stats;

/* Installs the pool as ENet's allocator and initialises ENet
 * (enet_initialize_with_callbacks). 0 on success, as enet_initialize. */
int sv_pool_install_enet(void);

/* Makes sure at least `blocks` blocks of `size` bytes' class exist, free
 * or in use (taking slabs now): sizes the pool for the slots at start, so
 * that steady play, where a few thousand of ENet's command and packet
 * structs are out at once in bursts, never reaches the system. */
void sv_pool_reserve(size_t size, size_t blocks);

/* The allocator itself (what ENet calls); exposed for tests. A NULL from
 * sv_pool_alloc means the system is out of memory. sv_pool_free takes NULL. */
void *sv_pool_alloc(size_t size);
void sv_pool_free(void *p);

/* The counters since the process started. */
void sv_pool_get_stats(sv_pool_stats *out);

#endif
