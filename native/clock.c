/* The virtual clock and its delayed-work queue (the depot trim work of every domain and class). */
#include "clock.h"
#include <stdlib.h>

/* Model-only: the virtual clock at 0 ms with no work queued. */
void clock_init(struct clock *k)
{
	k->now = 0;
	k->heap = NULL;
	k->n = k->cap = 0;
}
/* Model-only: the work queue's memory. */
void clock_destroy(struct clock *k)
{
	free(k->heap);
	k->heap = NULL;
	k->n = k->cap = 0;
}

/* Model-only: room for `extra` more queued works; 0 or -1. */
int clock_grow(struct clock *k, uint32_t extra)
{
	uint32_t ncap;
	struct work *h;
	if (k->n + extra <= k->cap)
		return 0;
	ncap = k->cap ? k->cap * 2 : 16;
	while (ncap < k->n + extra)
		ncap *= 2;
	h = realloc(k->heap, (size_t)ncap * sizeof(*h));
	if (!h)
		return -1;
	k->heap = h;
	k->cap = ncap;
	return 0;
}

/* Model-only: work order: due time, then domain id, then class (docs/design.md). */
static int less(const struct work *a, const struct work *b)
{
	if (a->due != b->due)
		return a->due < b->due;
	if (a->dom != b->dom)
		return a->dom < b->dom;
	return a->cls < b->cls;
}

/* Model-only: binary heap sift-up. */
static void sift_up(struct clock *k, uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		struct work t;
		if (!less(&k->heap[i], &k->heap[p]))
			break;
		t = k->heap[i];
		k->heap[i] = k->heap[p];
		k->heap[p] = t;
		i = p;
	}
}

/* Model-only: binary heap sift-down. */
static void sift_down(struct clock *k, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		struct work t;
		if (l < k->n && less(&k->heap[l], &k->heap[m]))
			m = l;
		if (r < k->n && less(&k->heap[r], &k->heap[m]))
			m = r;
		if (m == i)
			break;
		t = k->heap[i];
		k->heap[i] = k->heap[m];
		k->heap[m] = t;
		i = m;
	}
}

/* schedule_delayed_work: queue a depot trim of (domain, class) due at `due`. */
void clock_schedule(struct clock *k, uint64_t due, int32_t dom, uint32_t cls)
{
	k->heap[k->n].due = due;
	k->heap[k->n].dom = dom;
	k->heap[k->n].cls = cls;
	sift_up(k, k->n++);
}

/* cancel_delayed_work_sync for every class of a domain being put. */
void clock_cancel_domain(struct clock *k, int32_t dom)
{
	uint32_t i, j = 0;
	for (i = 0; i < k->n; i++)
		if (k->heap[i].dom != dom)
			k->heap[j++] = k->heap[i];
	k->n = j;
	for (i = k->n / 2 + 1; i-- > 0;)
		if (i < k->n)
			sift_down(k, i);
}

/* Model-only: the earliest work due at or before `until`; 1 when one was popped. */
int clock_pop_due(struct clock *k, uint64_t until, struct work *out)
{
	if (!k->n || k->heap[0].due > until)
		return 0;
	*out = k->heap[0];
	k->heap[0] = k->heap[--k->n];
	if (k->n)
		sift_down(k, 0);
	return 1;
}
