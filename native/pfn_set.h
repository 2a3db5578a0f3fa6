/* A set of PFNs (open addressing, linear probing): the flush queues' index of queued IOVAs, so an
 * unmap can tell a queued IOVA (a double unmap) from a mapped one in O(1). PFN 0 is never a member. */
#ifndef IOVA_PFN_SET_H
#define IOVA_PFN_SET_H
#include <stdint.h>

struct pfn_set {
	uint64_t *slot;
	uint32_t cap, count, bits;
};

void pfn_set_init(struct pfn_set *s);
void pfn_set_destroy(struct pfn_set *s);
int pfn_set_reserve(struct pfn_set *s, uint32_t extra); /* room for `extra` more members; 0 or -1 */
int pfn_set_has(const struct pfn_set *s, uint64_t pfn);
void pfn_set_add(struct pfn_set *s, uint64_t pfn); /* needs reserve; pfn not a member */
void pfn_set_del(struct pfn_set *s, uint64_t pfn); /* no-op when pfn is not a member */
#endif
