/* libFuzzer harness for the iova-lab C model: decodes the input into a bounded op stream over the
 * exported iova_* API and checks iova_check_invariants after every op. Build: make -C native fuzz-build */
#include "../iova_model.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPS 256
#define MAX_DOMS 8
#define MAX_LIVE 512

struct rd { const uint8_t *p; size_t n, i; };
static uint8_t u8(struct rd *r) { return r->i < r->n ? r->p[r->i++] : 0; }
static uint32_t u16(struct rd *r) { uint32_t a = u8(r); return a | ((uint32_t)u8(r) << 8); }
static uint64_t u64(struct rd *r) { uint64_t v = 0; for (int k = 0; k < 8; k++) v |= (uint64_t)u8(r) << (8 * k); return v; }

struct live { int32_t dom; uint64_t pfn, size; };
static struct live lv[MAX_LIVE];
static uint32_t nlive;
static int32_t doms[MAX_DOMS];
static uint64_t dom_start[MAX_DOMS];
static uint32_t ndoms;

static void fail(int32_t lab, const char *what, int32_t r, uint32_t op)
{
	fprintf(stderr, "FUZZ FAILURE at op %u: %s (status %d): %s\n", op, what, (int)r,
		lab > 0 ? iova_invariant_message(lab) : "");
	__builtin_trap();
}

static void check_status(int32_t lab, int32_t r, uint32_t op)
{
	/* domain_create returns an id >= 0; every other op returns IOVA_OK or a known error. */
	if (r > 0x7fffff00 || r < IOVA_E_BAD_OP) fail(lab, "status outside the iova_status enum", r, op);
}

static void track(int32_t dom, uint64_t pfn, uint64_t size)
{
	if (!pfn) return;
	if (nlive < MAX_LIVE) lv[nlive++] = (struct live){dom, pfn, size};
	else lv[pfn % MAX_LIVE] = (struct live){dom, pfn, size};
}

static void untrack(uint32_t k) { lv[k] = lv[--nlive]; }

static int32_t pick_dom(struct rd *r)
{
	uint8_t b = u8(r);
	if (b == 0xff) return (int32_t)(u8(r)) - 2; /* occasionally an invalid/stale id */
	return ndoms ? doms[b % ndoms] : (int32_t)(b & 7);
}

static uint64_t pick_size(struct rd *r)
{
	uint8_t b = u8(r);
	switch (b >> 6) {
	case 0: return 1 + (b & 7);
	case 1: return 1ull << (b & 7);
	case 2: return (1ull << (b & 15)) + (u8(r) & 3) - 1;
	default: return (b & 1) ? u64(r) : 1ull << (u8(r) & 63);
	}
}

static uint64_t pick_limit(struct rd *r, int32_t dom)
{
	uint64_t base = (dom >= 0 && dom < MAX_DOMS) ? dom_start[dom] : 1;
	uint8_t b = u8(r);
	switch (b & 7) {
	case 0: return base + u16(r);
	case 1: return 0xfffffull;
	case 2: return 0xffffffffull;
	case 3: return (~0ull) >> (u8(r) & 15);
	case 4: return (~0ull) - 1;
	case 5: return u64(r);
	default: return base + (1ull << (b >> 3));
	}
}

static uint64_t pick_pfn(struct rd *r, int32_t *dom)
{
	uint8_t b = u8(r);
	if (nlive && b < 0xe0) {
		struct live *l = &lv[(b | (uint32_t)u8(r) << 8) % nlive];
		*dom = l->dom;
		return l->pfn + ((b & 0x10) ? (u8(r) & 3) : 0);
	}
	return u64(r);
}

static int32_t do_op(int32_t lab, struct rd *r, uint32_t possible, int in_batch)
{
	uint8_t op = u8(r) % (in_batch ? 14 : 15);
	int32_t dom, ret = 0;
	uint64_t pfn, size;
	uint32_t cpu;
	switch (op) {
	case 0: { /* domain create */
		uint32_t granule = 1u << (u8(r) % 14); /* 4096*2 → E_GRANULE sometimes */
		uint64_t start = 1 + (u8(r) & 15);
		ret = iova_domain_create(lab, granule, start);
		if (ret >= 0) {
			if (ret < MAX_DOMS) dom_start[ret] = start;
			if (ndoms < MAX_DOMS) doms[ndoms++] = ret;
		}
		break;
	}
	case 1: { /* domain put */
		dom = pick_dom(r);
		ret = iova_domain_put(lab, dom);
		if (ret == IOVA_OK) {
			for (uint32_t k = 0; k < ndoms; k++) if (doms[k] == dom) { doms[k] = doms[--ndoms]; break; }
			for (uint32_t k = 0; k < nlive;) if (lv[k].dom == dom) untrack(k); else k++;
		}
		break;
	}
	case 2: case 3: { /* alloc_fast (weighted) */
		dom = pick_dom(r);
		cpu = u8(r) % (possible + 1);
		size = pick_size(r);
		uint64_t limit = pick_limit(r, dom);
		ret = iova_alloc_fast(lab, dom, cpu, size, limit, u8(r) & 1);
		if (ret == IOVA_OK) track(dom, iova_result(lab), size);
		break;
	}
	case 4: case 5: { /* free_fast of a tracked pfn */
		dom = pick_dom(r);
		pfn = pick_pfn(r, &dom);
		cpu = u8(r) % (possible + 1);
		uint8_t b = u8(r);
		size = 0;
		for (uint32_t k = 0; k < nlive; k++)
			if (lv[k].dom == dom && lv[k].pfn == pfn) { size = lv[k].size; break; }
		if (!size || (b & 0xc0) == 0xc0) size = pick_size(r);
		ret = iova_free_fast(lab, dom, cpu, pfn, size);
		if (ret == IOVA_OK)
			for (uint32_t k = 0; k < nlive; k++) if (lv[k].dom == dom && lv[k].pfn == pfn) { untrack(k); break; }
		break;
	}
	case 6: { /* alloc */
		dom = pick_dom(r);
		size = pick_size(r);
		uint64_t limit = pick_limit(r, dom);
		ret = iova_alloc(lab, dom, size, limit, u8(r) & 1);
		if (ret == IOVA_OK) track(dom, iova_result(lab), size);
		break;
	}
	case 7: { /* free (any pfn inside a range) */
		dom = pick_dom(r);
		pfn = pick_pfn(r, &dom);
		ret = iova_free(lab, dom, pfn);
		if (ret == IOVA_OK) /* drop whatever tracked entry covered it */
			for (uint32_t k = 0; k < nlive; k++)
				if (lv[k].dom == dom && pfn >= lv[k].pfn && pfn - lv[k].pfn < lv[k].size) { untrack(k); break; }
		break;
	}
	case 8: dom = pick_dom(r); pfn = pick_pfn(r, &dom); ret = iova_find(lab, dom, pfn); break;
	case 9: { /* reserve */
		dom = pick_dom(r);
		uint64_t lo = (u8(r) & 0x80) ? u64(r) : u16(r), hi = lo + ((u8(r) & 0x80) ? u64(r) : u16(r));
		ret = iova_reserve(lab, dom, lo, hi);
		break;
	}
	case 10: { /* advance clock */
		uint8_t b = u8(r);
		ret = iova_advance_clock(lab, b == 0xff ? u64(r) : (uint64_t)b * 5);
		break;
	}
	case 11: ret = iova_cpu_offline(lab, u8(r) % (possible + 1)); break;
	case 12: ret = iova_cpu_online(lab, u8(r) % (possible + 1)); break;
	case 13: ret = (u8(r) & 1) ? iova_flush(lab, pick_dom(r)) : iova_inject_failure(lab, u8(r) % 3, u8(r) & 15); break;
	case 14: { /* batch of a few ops via iova_run_batch */
		uint64_t ops[8 * IOVA_OP_WORDS], res[8];
		uint32_t n = 1 + u8(r) % 8;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t *o = ops + i * IOVA_OP_WORDS;
			o[0] = u8(r) % 15; /* 0 and 14 are bad ops */
			o[1] = (uint64_t)pick_dom(r);
			o[2] = u8(r) % (possible + 1);
			switch (o[0]) {
			case OP_DOMAIN_CREATE: o[3] = 1u << (u8(r) % 14); o[4] = 1 + (u8(r) & 15); break;
			case OP_FREE_FAST: case OP_FREE: case OP_FIND: {
				int32_t d2 = (int32_t)o[1];
				o[3] = pick_pfn(r, &d2); o[1] = (uint64_t)d2; o[4] = pick_size(r); break;
			}
			case OP_ADVANCE: o[3] = u8(r) * 7; break;
			case OP_INJECT_FAILURE: o[3] = u8(r) % 3; o[4] = u8(r) & 15; break;
			case OP_RESERVE: o[3] = u16(r); o[4] = o[3] + u16(r); break;
			default: o[3] = pick_size(r); o[4] = pick_limit(r, (int32_t)o[1]); o[5] = u8(r) & 1; break;
			}
		}
		ret = iova_run_batch(lab, ops, n, res);
		if (ret < 0 || (uint32_t)ret > n) fail(lab, "iova_run_batch count out of range", ret, 0);
		/* Batch effects on domains/pfns are not mirrored; resync domain list conservatively. */
		for (uint32_t i = 0; i < (uint32_t)ret; i++) {
			uint64_t *o = ops + i * IOVA_OP_WORDS;
			if (o[0] == OP_DOMAIN_CREATE && ndoms < MAX_DOMS && res[i] < 0x7fffffff) {
				if (res[i] < MAX_DOMS) dom_start[res[i]] = o[4];
				doms[ndoms++] = (int32_t)res[i];
			} else if ((o[0] == OP_ALLOC_FAST || o[0] == OP_ALLOC) && res[i]) {
				track((int32_t)o[1], res[i], o[3]);
			}
		}
		ret = iova_last_status(lab);
		break;
	}
	}
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = {data, size, 0};
	uint8_t b0, b1;
	uint32_t possible, online;
	int32_t lab, ret;
	if (size < 2) return 0;
	b0 = u8(&r); b1 = u8(&r);
	possible = 1 + (b0 & 7);
	online = 1 + ((b0 >> 3) & 7) % possible;
	lab = iova_lab_create(possible, online, b1 & 1, (b1 >> 1) & 1);
	if (lab <= 0) fail(0, "iova_lab_create rejected a valid config", lab, 0);
	nlive = 0; ndoms = 0;
	memset(dom_start, 0, sizeof(dom_start));
	if (b1 & 4) { /* start with one domain most of the time */
		ret = iova_domain_create(lab, 1u << ((b1 >> 3) & 7), 1);
		if (ret < 0) fail(lab, "initial domain_create", ret, 0);
		doms[ndoms++] = ret; dom_start[ret] = 1;
	}
	for (uint32_t op = 0; op < MAX_OPS && r.i < r.n; op++) {
		ret = do_op(lab, &r, possible, 0);
		check_status(lab, ret, op);
		if ((ret = iova_check_invariants(lab)) != IOVA_OK) fail(lab, "iova_check_invariants", ret, op);
	}
	if ((ret = iova_lab_destroy(lab)) != IOVA_OK) fail(lab, "iova_lab_destroy", ret, 0);
	return 0;
}
