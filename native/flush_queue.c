/* Flush queues (DMA-FQ): queue_iova, the ring frees, the timer and the checker's view of them. */
#include "flush_queue.h"
#include <stdlib.h>
#include <string.h>

/* msecs_to_jiffies rounds up; the timer fires at the tick that reaches the due jiffy. Written as
 * quotient and remainder so no product can overflow 64 bits for hz <= 1000. */
uint64_t fq_timer_due(uint64_t now_ms, uint32_t timeout_ms, uint32_t hz)
{
	uint64_t now_j = now_ms / 1000 * hz + now_ms % 1000 * hz / 1000;
	uint64_t wait_j = ((uint64_t)timeout_ms * hz + 999) / 1000, due_j = now_j + wait_j;
	uint64_t whole = due_j / hz, part = (due_j % hz * 1000 + hz - 1) / hz;
	if (due_j < now_j || whole > (UINT64_MAX - part) / 1000)
		return UINT64_MAX;
	return whole * 1000 + part;
}

/* iommu_dma_init_fq: the rings (entries allocated on first use), the timer idle. */
int iommu_dma_init_fq(struct iova_fq_domain *q, int single, uint32_t possible, uint32_t hz)
{
	uint32_t i, size = single ? IOVA_SINGLE_FQ_SIZE : IOVA_DEFAULT_FQ_SIZE;
	memset(q, 0, sizeof(*q));
	q->nrings = single ? 1 : possible;
	q->possible = possible;
	q->hz = hz;
	q->timeout_ms = single ? IOVA_SINGLE_FQ_TIMEOUT : IOVA_DEFAULT_FQ_TIMEOUT;
	q->rings = calloc(q->nrings, sizeof(*q->rings));
	q->st.timer_freed_on = calloc(possible, sizeof(uint64_t));
	pfn_set_init(&q->queued);
	if (!q->rings || !q->st.timer_freed_on) {
		free(q->rings);
		free(q->st.timer_freed_on);
		return IOVA_E_NOMEM;
	}
	for (i = 0; i < q->nrings; i++)
		q->rings[i].mod_mask = size - 1;
	return 0;
}

/* iommu_dma_free_fq: cancels the timer and drops every ring. */
void iommu_dma_free_fq(struct iova_fq_domain *q, struct clock *clk, int32_t dom_id)
{
	uint32_t i;
	if (!q->rings)
		return;
	if (q->fq_timer_on)
		clock_cancel_domain(clk, fq_timer_key(dom_id));
	for (i = 0; i < q->nrings; i++)
		free(q->rings[i].entries);
	free(q->rings);
	free(q->st.timer_freed_on);
	pfn_set_destroy(&q->queued);
	memset(q, 0, sizeof(*q));
}

/* fq_ring_count-like: entries between head and tail. */
uint32_t fq_ring_count(const struct iova_fq *r)
{
	return (r->tail - r->head) & r->mod_mask;
}
/* fq_full: (tail + 1) mod size == head. */
static int fq_full(const struct iova_fq *r)
{
	return ((r->tail + 1) & r->mod_mask) == r->head;
}

/* fq_flush_iotlb: the invalidation completes at once, so start and finish move together. */
static void fq_flush_iotlb(struct iova_fq_domain *q)
{
	q->fq_flush_start_cnt++;
	q->fq_flush_finish_cnt++;
}

/* fq_ring_free: from the head, every entry a completed flush covers, by free_iova_fast on cpu. */
static int fq_ring_free(struct rc_ctx *c, struct lab_domain *d, struct iova_fq_domain *q, struct iova_fq *r,
			uint32_t cpu, uint64_t *freed)
{
	while (r->head != r->tail) {
		struct iova_fq_entry *e = &r->entries[r->head];
		if (e->counter >= q->fq_flush_finish_cnt)
			break;
		if (lab_domain_reserve_headroom(c, d))
			return IOVA_E_NOMEM;
		free_iova_fast(c, d, cpu, e->iova_pfn, e->pages);
		pfn_set_del(&q->queued, e->iova_pfn);
		r->head = (r->head + 1) & r->mod_mask;
		(*freed)++;
	}
	return 0;
}

/* mod_timer in queue_iova: expires fq_timeout after now, on the queueing CPU. */
static void fq_arm_timer(struct rc_ctx *c, struct lab_domain *d, struct iova_fq_domain *q, uint32_t cpu)
{
	q->fq_timer_on = 1;
	q->timer_cpu = cpu;
	q->timer_due = fq_timer_due(c->clk->now, q->timeout_ms, q->hz);
	clock_schedule(c->clk, q->timer_due, fq_timer_key(d->id), 0);
}

/* queue_iova: free what a finished flush covers, flush when still full, append, arm the timer. */
int queue_iova(struct rc_ctx *c, struct lab_domain *d, struct iova_fq_domain *q, uint32_t cpu, uint64_t pfn,
	       uint64_t pages)
{
	struct iova_fq *r = &q->rings[q->nrings == 1 ? 0 : cpu];
	struct iova_fq_entry *e;
	int err;
	/* Everything this call may need, before anything changes. */
	if (!r->entries && !(r->entries = malloc((size_t)(r->mod_mask + 1) * sizeof(*r->entries))))
		return IOVA_E_NOMEM;
	if (pfn_set_reserve(&q->queued, 1) || clock_reserve(c->clk, 1))
		return IOVA_E_NOMEM;
	/* Entries another CPU's flush already covered make room first. */
	if ((err = fq_ring_free(c, d, q, r, cpu, &q->st.queue_freed)))
		return err;
	if (fq_full(r)) {
		fq_flush_iotlb(q);
		q->st.flushes_full++;
		if ((err = fq_ring_free(c, d, q, r, cpu, &q->st.queue_freed)))
			return err;
	}
	e = &r->entries[r->tail];
	r->tail = (r->tail + 1) & r->mod_mask;
	e->iova_pfn = pfn;
	e->pages = pages;
	e->counter = q->fq_flush_start_cnt;
	pfn_set_add(&q->queued, pfn);
	q->st.queued_total++;
	if (!q->fq_timer_on)
		fq_arm_timer(c, d, q, cpu);
	return 0;
}

/* fq_flush_timeout: flush the IOTLB, then free every ring on the timer's CPU. */
int fq_flush_timeout(struct rc_ctx *c, struct lab_domain *d, struct iova_fq_domain *q)
{
	uint32_t i, cpu = q->timer_cpu;
	q->fq_timer_on = 0;
	q->st.timer_expiries++;
	fq_flush_iotlb(q);
	q->st.flushes_timer++;
	/* Every possible CPU's ring, offline ones too, all freed on the timer's CPU. */
	for (i = 0; i < q->nrings; i++) {
		uint64_t n = 0;
		int err = fq_ring_free(c, d, q, &q->rings[i], cpu, &n);
		q->st.timer_freed += n;
		q->st.timer_freed_on[cpu] += n;
		/* the popped work left a clock slot: re-arm so what is still queued keeps a timer */
		if (err) {
			fq_arm_timer(c, d, q, cpu);
			return err;
		}
	}
	return 0;
}

/* timers_dead_cpu for the flush-queue timer: a pending timer moves to the first online CPU. */
void fq_cpu_dead(struct rc_ctx *c, struct iova_fq_domain *q, uint32_t cpu)
{
	uint32_t i;
	if (!q->rings || !q->fq_timer_on || q->timer_cpu != cpu)
		return;
	for (i = 0; i < c->possible; i++)
		if (c->online[i]) {
			q->timer_cpu = i;
			return;
		}
}

/* Model-only: every queued IOVA is in the tree, in no magazine, indexed once, and accounted for. */
const char *fq_check(struct lab_domain *d, const struct iova_fq_domain *q)
{
	uint64_t total = 0;
	uint32_t i, j;
	if (!q->rings)
		return NULL;
	if (q->fq_flush_finish_cnt != q->fq_flush_start_cnt)
		return "flush started but not finished";
	for (i = 0; i < q->nrings; i++) {
		const struct iova_fq *r = &q->rings[i];
		uint64_t last = 0;
		for (j = r->head; j != r->tail; j = (j + 1) & r->mod_mask) {
			const struct iova_fq_entry *e = &r->entries[j];
			uint32_t x = find_iova_exact(&d->iovad, e->iova_pfn);
			if (x == NODE_NONE)
				return "queued IOVA is not in the tree";
			if (d->iovad.n[x].in_magazine)
				return "IOVA is queued and cached at once";
			if (!pfn_set_has(&q->queued, e->iova_pfn))
				return "queued IOVA missing from the queued index";
			if (e->counter < last || e->counter > q->fq_flush_start_cnt)
				return "flush counters out of order";
			last = e->counter;
			total++;
		}
	}
	if (total != q->queued.count)
		return "queued index holds IOVAs no ring holds";
	if (q->st.queued_total != total + q->st.queue_freed + q->st.timer_freed)
		return "a queued IOVA was lost";
	if (total && !q->fq_timer_on)
		return "IOVAs queued without a pending timer";
	return NULL;
}
