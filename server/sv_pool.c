/* sv_pool.c - size-class free lists for ENet's allocations (see sv_pool.h). */
#include "sv_pool.h"

#include <enet/enet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SV_POOL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SV_POOL_ASAN 1
#endif
#ifdef SV_POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Every block starts with this header (16 bytes: the user's part stays
 * 16-byte aligned, as malloc's). */
typedef struct {
    uint32_t magic;
    uint32_t cls; /* size class, or OVERSIZED */
    uint64_t pad;
} block_head;
_Static_assert(sizeof(block_head) == 16, "block header must keep 16-byte alignment");

#define MAGIC 0x504f4f4cu /* "POOL" */
#define OVERSIZED 0xffffffffu

/* User sizes of the classes: ENet's packet and command structs (48..120
 * bytes), acknowledgements, and packet data up to the 4096-byte limit
 * (snapshots are at most 1200). Multiples of 16. */
static const uint32_t class_size[] = {32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1280, 1536, 2048, 3072, 4096};
#define CLASS_COUNT (sizeof class_size / sizeof class_size[0])
_Static_assert(SV_POOL_MAX_BLOCK == 4096, "the largest class is SV_POOL_MAX_BLOCK");

typedef struct free_block {
    struct free_block *next;
} free_block;

typedef struct slab {
    struct slab *next;
    uint64_t pad;
} slab;

static free_block *free_list[CLASS_COUNT];
static slab *slabs; /* every slab, kept for the life of the process */
static size_t class_blocks[CLASS_COUNT]; /* blocks in class k's slabs */
static sv_pool_stats stats;

static uint32_t class_of(size_t size) {
    for (uint32_t k = 0; k < CLASS_COUNT; k++)
        if (size <= class_size[k]) return k;
    return OVERSIZED;
}

static void *user_part(block_head *h) { return (uint8_t *)h + sizeof *h; }

/* Takes one slab from the system and puts its blocks on class k's list. */
static bool refill(uint32_t k) {
    size_t stride = sizeof(block_head) + class_size[k];
    size_t n = (SV_POOL_SLAB_BYTES - sizeof(slab)) / stride;
    if (n < 1) n = 1;
    slab *sl = malloc(sizeof(slab) + n * stride);
    stats.system_allocs++;
    if (!sl) return false;
    stats.slabs++;
    stats.bytes_held += sizeof(slab) + n * stride;
    class_blocks[k] += n;
    sl->next = slabs;
    slabs = sl;
    uint8_t *at = (uint8_t *)(sl + 1);
    for (size_t i = 0; i < n; i++, at += stride) {
        block_head *h = (block_head *)at;
        h->magic = MAGIC;
        h->cls = k;
        free_block *b = user_part(h);
        b->next = free_list[k];
        free_list[k] = b;
        POISON(b, class_size[k]);
    }
    return true;
}

void sv_pool_reserve(size_t size, size_t blocks) {
    uint32_t k = class_of(size);
    if (k == OVERSIZED) return;
    while (class_blocks[k] < blocks && refill(k)) {
    }
}

void *sv_pool_alloc(size_t size) {
    uint32_t k = class_of(size);
    stats.allocs++;
    if (k == OVERSIZED) {
        stats.system_allocs++;
        stats.oversized++;
        block_head *h = size <= SIZE_MAX - sizeof *h ? malloc(sizeof *h + size) : NULL;
        if (!h) {
            stats.failures++;
            return NULL;
        }
        h->magic = MAGIC;
        h->cls = OVERSIZED;
        stats.in_use++;
        return user_part(h);
    }
    if (!free_list[k] && !refill(k)) {
        stats.failures++;
        return NULL;
    }
    free_block *b = free_list[k];
    UNPOISON(b, class_size[k]);
    free_list[k] = b->next;
    stats.in_use++;
    return b;
}

void sv_pool_free(void *p) {
    if (!p) return;
    block_head *h = (block_head *)((uint8_t *)p - sizeof *h);
    if (h->magic != MAGIC) { /* not ours: a bug (ENet used before the pool was installed?) */
        fprintf(stderr, "sv_pool: free of a block the pool did not allocate (%p)\n", p);
        abort();
    }
    stats.frees++;
    stats.in_use--;
    if (h->cls == OVERSIZED) {
        h->magic = 0;
        free(h);
        return;
    }
    free_block *b = p;
    b->next = free_list[h->cls];
    free_list[h->cls] = b;
    POISON(b, class_size[h->cls]);
}

void sv_pool_get_stats(sv_pool_stats *out) { *out = stats; }

int sv_pool_install_enet(void) {
    /* no_memory stays ENet's own (abort), as with enet_initialize */
    ENetCallbacks cb = {.malloc = sv_pool_alloc, .free = sv_pool_free, .no_memory = NULL};
    return enet_initialize_with_callbacks(ENET_VERSION, &cb);
}
