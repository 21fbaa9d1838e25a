/* netsim_heap.h - bounded binary min-heap of delayed packets for netsim,
 * keyed on due time (ties in insertion order). The caller provides the item
 * storage, so nothing is allocated after start-up; a full heap refuses. */
#ifndef NETSIM_HEAP_H
#define NETSIM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct netsim_heap_item {
    uint64_t due_ms;
    uint64_t seq;   /* insertion order: equal due times pop first-in first-out */
    uint32_t id;    /* caller's handle, e.g. a packet pool slot */
} netsim_heap_item;

typedef struct netsim_heap {
    netsim_heap_item *items;
    size_t cap;
    size_t len;
    uint64_t next_seq;
} netsim_heap;

/* storage must hold cap items and outlive the heap. */
void netsim_heap_init(netsim_heap *h, netsim_heap_item *storage, size_t cap);
/* False (and nothing changes) when the heap is full. */
bool netsim_heap_push(netsim_heap *h, uint64_t due_ms, uint32_t id);
/* The earliest item without removing it; false when empty. */
bool netsim_heap_peek(const netsim_heap *h, netsim_heap_item *out);
/* Removes the earliest item into *out (may be NULL); false when empty. */
bool netsim_heap_pop(netsim_heap *h, netsim_heap_item *out);
size_t netsim_heap_len(const netsim_heap *h);
bool netsim_heap_full(const netsim_heap *h);

#endif
