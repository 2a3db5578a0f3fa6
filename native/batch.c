/* The batch interpreter: many operations in one call, each IOVA_OP_WORDS words (iova_abi.h). */
#include "lab.h"
#include <stddef.h>

/* Model-only: a domain word as an id; out-of-range words become the unknown id -1. */
static int32_t dom_word(uint64_t w)
{
	return w > 0x7fffffffu ? -1 : (int32_t)w;
}

/* Model-only: MAP_SG maps the pending scatter list and empties it, whatever the outcome. */
static int32_t run_map_sg(struct iova_lab *L, int32_t dev, uint64_t cpu, uint64_t res[2])
{
	static const uint64_t none[1] = { 0 };
	int32_t r = lab_dma_map_sg(L, dev, cpu, L->sg ? L->sg : none, L->nsg, res);
	L->nsg = 0;
	return r;
}

/* Model-only: runs one op through the same checked operation as its single call. */
static int32_t run_op(struct iova_lab *L, const uint64_t *o, uint64_t res[2])
{
	int32_t dom = dom_word(o[1]);
	uint64_t cpu = o[2];
	switch (o[0]) {
	case IOVA_OP_ALLOC_FAST:
		return lab_alloc_fast(L, dom, cpu, o[3], o[4], o[5], res);
	case IOVA_OP_FREE_FAST:
		return lab_free_fast(L, dom, cpu, o[3], o[4], res);
	case IOVA_OP_ALLOC:
		return lab_alloc(L, dom, o[3], o[4], o[5], res);
	case IOVA_OP_FREE:
		return lab_free(L, dom, o[3], res);
	case IOVA_OP_FIND:
		return lab_find(L, dom, o[3], res);
	case IOVA_OP_RESERVE:
		return lab_reserve(L, dom, o[3], o[4], res);
	case IOVA_OP_ADVANCE:
		return lab_advance_clock(L, o[3], res);
	case IOVA_OP_CPU_OFFLINE:
		return lab_cpu_offline(L, cpu, res);
	case IOVA_OP_CPU_ONLINE:
		return lab_cpu_online(L, cpu, res);
	case IOVA_OP_FLUSH:
		return lab_flush(L, dom, res);
	case IOVA_OP_DOMAIN_CREATE:
		return lab_domain_create(L, o[3], o[4], res);
	case IOVA_OP_DOMAIN_PUT:
		return lab_domain_put(L, dom, res);
	case IOVA_OP_INJECT_FAILURE:
		return lab_inject_failure(L, o[3], o[4], res);
	case IOVA_OP_DMA_DOMAIN_CREATE:
		return lab_dma_domain_create(L, o[3], o[4], o[5], o[2], res);
	case IOVA_OP_DEVICE_ATTACH:
		return lab_device_attach(L, dom, o[2], o[3], o[4], o[5], res);
	case IOVA_OP_MAP:
		return lab_dma_map(L, dom, cpu, o[3], o[4], o[5], res);
	case IOVA_OP_SG_SEGMENTS:
		return lab_sg_segments(L, o + 1, IOVA_OP_WORDS - 1, res);
	case IOVA_OP_MAP_SG:
		return run_map_sg(L, dom, cpu, res);
	case IOVA_OP_UNMAP:
		return lab_dma_unmap(L, dom, cpu, o[3], o[4], res);
	default:
		return IOVA_E_BAD_OP;
	}
}

/* Model-only: runs ops until one fails; its status comes back, *completed_out counts the ops that ran. */
int32_t iova_run_batch(int32_t h, const uint64_t *ops, uint32_t n_ops, uint64_t *results, uint32_t *completed_out)
{
	struct iova_lab *L = lab_of_handle(h);
	uint32_t i;
	int32_t status = IOVA_OK;
	if (completed_out)
		*completed_out = 0;
	if (!L)
		return IOVA_E_NO_LAB;
	for (i = 0; i < n_ops; i++) {
		uint64_t res[2] = { 0, 0 };
		status = run_op(L, ops + (size_t)i * IOVA_OP_WORDS, res);
		if (status < 0)
			break;
		if (results)
			results[i] = res[0];
	}
	if (completed_out)
		*completed_out = i;
	return status < 0 ? status : IOVA_OK;
}
