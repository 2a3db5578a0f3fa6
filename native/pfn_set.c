/* The flush queues' set of queued PFNs (model-only: the kernel has no such index). */
#include "pfn_set.h"
#include <stdlib.h>

/* Model-only: an empty set. */
void pfn_set_init(struct pfn_set *s)
{
	s->slot = NULL;
	s->cap = s->count = s->bits = 0;
}
/* Model-only: frees the table. */
void pfn_set_destroy(struct pfn_set *s)
{
	free(s->slot);
	pfn_set_init(s);
}

/* Fibonacci hashing: the top `bits` bits of pfn times 2^64 / golden ratio. */
static uint32_t home(const struct pfn_set *s, uint64_t pfn)
{
	return (uint32_t)((pfn * 0x9e3779b97f4a7c15ull) >> (64 - s->bits));
}

/* Model-only: linear probing from the home slot to the first empty one. */
static void insert(struct pfn_set *s, uint64_t pfn)
{
	uint32_t i = home(s, pfn);
	while (s->slot[i])
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = pfn;
	s->count++;
}

/* Keeps the table at most half full, so probes stay short. */
int pfn_set_reserve(struct pfn_set *s, uint32_t extra)
{
	struct pfn_set n;
	uint32_t i;
	if ((uint64_t)(s->count + extra) * 2 <= s->cap)
		return 0;
	n.bits = s->bits ? s->bits : 4;
	while ((uint64_t)(s->count + extra) * 2 > (1ull << n.bits))
		n.bits++;
	n.cap = 1u << n.bits;
	n.count = 0;
	n.slot = calloc(n.cap, sizeof(uint64_t));
	if (!n.slot)
		return -1;
	for (i = 0; i < s->cap; i++)
		if (s->slot[i])
			insert(&n, s->slot[i]);
	free(s->slot);
	*s = n;
	return 0;
}

/* Model-only: the slot holding pfn, or UINT32_MAX. */
static uint32_t find(const struct pfn_set *s, uint64_t pfn)
{
	uint32_t i;
	if (!s->cap)
		return UINT32_MAX;
	for (i = home(s, pfn); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == pfn)
			return i;
	return UINT32_MAX;
}

/* Model-only: pfn is queued. */
int pfn_set_has(const struct pfn_set *s, uint64_t pfn)
{
	return find(s, pfn) != UINT32_MAX;
}

/* Model-only: adds pfn (room reserved, not yet a member). */
void pfn_set_add(struct pfn_set *s, uint64_t pfn)
{
	insert(s, pfn);
}

/* Backward-shift deletion: later members of the probe run move up so no lookup stops early. */
void pfn_set_del(struct pfn_set *s, uint64_t pfn)
{
	uint32_t i = find(s, pfn), j, mask = s->cap - 1;
	if (i == UINT32_MAX)
		return;
	for (j = (i + 1) & mask; s->slot[j]; j = (j + 1) & mask) {
		uint32_t h = home(s, s->slot[j]);
		/* slot j may fill the hole at i unless its home lies cyclically in (i, j] */
		int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
		if (!stays) {
			s->slot[i] = s->slot[j];
			i = j;
		}
	}
	s->slot[i] = 0;
	s->count--;
}
