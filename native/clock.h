/* Virtual clock (ms) and the delayed-work queue: binary heap keyed (due, domain id, class). */
#ifndef IOVA_CLOCK_H
#define IOVA_CLOCK_H
#include <stdint.h>

struct work {
	uint64_t due;
	int32_t dom;
	uint32_t cls;
};
struct clock {
	uint64_t now;
	struct work *heap;
	uint32_t n, cap;
};

void clock_init(struct clock *k);
void clock_destroy(struct clock *k);
int clock_grow(struct clock *k, uint32_t extra); /* room for `extra` more works; 0 or -1 */
/* Model-only: room for `extra` more works. Inline so the per-op headroom check costs a compare, not a call. */
static inline int clock_reserve(struct clock *k, uint32_t extra)
{
	return k->n + extra <= k->cap ? 0 : clock_grow(k, extra);
}
/* Model-only: the due time `delay` ms from now; one that would pass 2^64 - 1 stays at 2^64 - 1. */
static inline uint64_t clock_due_after(const struct clock *k, uint64_t delay)
{
	return delay > UINT64_MAX - k->now ? UINT64_MAX : k->now + delay;
}
void clock_schedule(struct clock *k, uint64_t due, int32_t dom, uint32_t cls); /* needs reserve */
void clock_cancel_domain(struct clock *k, int32_t dom);
int clock_pop_due(struct clock *k, uint64_t until, struct work *out); /* 1 when popped */
#endif
