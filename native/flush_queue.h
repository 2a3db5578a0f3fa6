/* Flush queues of a lazy (DMA-FQ) domain: unmapped IOVAs wait in rings until an IOTLB flush
 * covers them, then go back through free_iova_fast on the CPU that frees them. */
#ifndef IOVA_FLUSH_QUEUE_H
#define IOVA_FLUSH_QUEUE_H
#include <stdint.h>
#include "rcache.h"
#include "pfn_set.h"

#define IOVA_DEFAULT_FQ_SIZE 256 /* per-CPU rings: hold 255 */
#define IOVA_SINGLE_FQ_SIZE 32768 /* the one shared ring (from v6.7): holds 32767 */
#define IOVA_DEFAULT_FQ_TIMEOUT 10 /* ms */
#define IOVA_SINGLE_FQ_TIMEOUT 1000 /* ms */

/* counter: the domain's flush-start count when queued; freeable once counter < flush-finish count */
struct iova_fq_entry {
	uint64_t iova_pfn, pages, counter;
};

/* A ring is full when (tail + 1) & mod_mask == head. entries stays NULL until first use. */
struct iova_fq {
	struct iova_fq_entry *entries;
	uint32_t head, tail, mod_mask;
};

struct fq_stats {
	uint64_t flushes_full; /* IOTLB flushes forced by a full ring */
	uint64_t flushes_timer; /* IOTLB flushes by the timer */
	uint64_t timer_expiries;
	uint64_t queued_total; /* entries ever queued: each leaves only by queue_freed or timer_freed */
	uint64_t queue_freed; /* IOVAs freed by a queueing CPU, into its own magazines */
	uint64_t timer_freed; /* IOVAs freed by the timer */
	uint64_t *timer_freed_on; /* [possible]: ... and on which CPU */
};

/* A domain's flush queues: one ring per possible CPU, or one shared ring; the flush counters;
 * the timer (pending flag, due time in ms, the CPU it runs on). */
struct iova_fq_domain {
	struct iova_fq *rings;
	uint32_t nrings, possible, timeout_ms, hz;
	uint64_t fq_flush_start_cnt, fq_flush_finish_cnt;
	uint8_t fq_timer_on;
	uint32_t timer_cpu;
	uint64_t timer_due;
	struct pfn_set queued; /* every PFN sitting in a ring */
	struct fq_stats st;
};

/* The timer is delayed work on the lab's clock under this key. Keys of timers lie below every
 * domain id, and the clock orders works by (due, key, class): at one due time every domain's timer
 * runs before any depot trim work, timers in domain id order. */
static inline int32_t fq_timer_key(int32_t dom_id)
{
	return INT32_MIN + dom_id;
}
/* The domain whose timer a clock work is, or -1 for a depot trim work. */
static inline int32_t fq_timer_domain(int32_t key)
{
	return key < 0 ? key - INT32_MIN : -1;
}

/* The due time (ms) of a timer armed at now_ms for timeout_ms: whole jiffies at hz (the lab's clock
 * starts at jiffy 0), the jiffy tick rounded up to a whole ms. Saturates at UINT64_MAX. */
uint64_t fq_timer_due(uint64_t now_ms, uint32_t timeout_ms, uint32_t hz);

/* single: one shared ring of IOVA_SINGLE_FQ_SIZE, else one ring of IOVA_DEFAULT_FQ_SIZE per
 * possible CPU. 0 or IOVA_E_NOMEM. */
int iommu_dma_init_fq(struct iova_fq_domain *q, int single, uint32_t possible, uint32_t hz);
/* Drops the queued entries (their tree nodes go with the domain) and cancels the timer. */
void iommu_dma_free_fq(struct iova_fq_domain *q, struct clock *clk, int32_t dom_id);
uint32_t fq_ring_count(const struct iova_fq *r);
/* queue_iova on cpu (online). 0 or IOVA_E_NOMEM (then consistent: freed entries are gone). */
int queue_iova(struct rc_ctx *c, struct lab_domain *d, struct iova_fq_domain *q, uint32_t cpu, uint64_t pfn,
	       uint64_t pages);
/* fq_flush_timeout, called at its due time with its work already popped from the clock. */
int fq_flush_timeout(struct rc_ctx *c, struct lab_domain *d, struct iova_fq_domain *q);
/* CPU hotplug: a timer pending on a CPU that went offline moves to the first online CPU. */
void fq_cpu_dead(struct rc_ctx *c, struct iova_fq_domain *q, uint32_t cpu);
/* NULL when every queued entry is accounted for, else what is wrong. */
const char *fq_check(struct lab_domain *d, const struct iova_fq_domain *q);
#endif
