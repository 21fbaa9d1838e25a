/* netsim_heap.c - bounded min-heap on (due time, insertion order) for
 * netsim's delayed packets. See netsim_heap.h. */
#include "netsim_heap.h"

static bool before(const netsim_heap_item *a, const netsim_heap_item *b)
{
    return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->seq < b->seq);
}

static void swap_items(netsim_heap_item *a, netsim_heap_item *b)
{
    netsim_heap_item t = *a;
    *a = *b;
    *b = t;
}

void netsim_heap_init(netsim_heap *h, netsim_heap_item *storage, size_t cap)
{
    h->items = storage;
    h->cap = storage ? cap : 0;
    h->len = 0;
    h->next_seq = 0;
}

bool netsim_heap_push(netsim_heap *h, uint64_t due_ms, uint32_t id)
{
    if (h->len >= h->cap) {
        return false;
    }
    size_t i = h->len++;
    h->items[i].due_ms = due_ms;
    h->items[i].seq = h->next_seq++;
    h->items[i].id = id;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&h->items[i], &h->items[parent])) {
            break;
        }
        swap_items(&h->items[i], &h->items[parent]);
        i = parent;
    }
    return true;
}

bool netsim_heap_peek(const netsim_heap *h, netsim_heap_item *out)
{
    if (h->len == 0) {
        return false;
    }
    *out = h->items[0];
    return true;
}

bool netsim_heap_pop(netsim_heap *h, netsim_heap_item *out)
{
    if (h->len == 0) {
        return false;
    }
    if (out) {
        *out = h->items[0];
    }
    h->items[0] = h->items[--h->len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->len && before(&h->items[l], &h->items[m])) {
            m = l;
        }
        if (r < h->len && before(&h->items[r], &h->items[m])) {
            m = r;
        }
        if (m == i) {
            break;
        }
        swap_items(&h->items[i], &h->items[m]);
        i = m;
    }
    return true;
}

size_t netsim_heap_len(const netsim_heap *h)
{
    return h->len;
}

bool netsim_heap_full(const netsim_heap *h)
{
    return h->len >= h->cap;
}
