/* libFuzzer harness for the iova-lab C model: decodes the input into a bounded op stream over the
 * exported iova_* API and checks iova_check_invariants after every op. Build: make -C native fuzz-build
 *
 * Input format (v2; the seed corpus in fuzz/corpus/ is written for it):
 *   byte 0  [tier:2][online:3][cpus:3]  possible CPUs: tier 0-1 → 1..4, tier 2 → 1..8, tier 3 → one
 *           more byte e: 9 + e (e < 0xf0) or 4096 >> (e & 7); online = 1 + online % possible
 *           (tier 3: possible − online % possible)
 *   byte 1  [policy:2][granule:3][initial domain:1][geometry:1][magazine mode:1]
 *           policy 0: the v6.8 default (NULL); else 6 policy bytes follow (see read_policy)
 *   then op records (an opcode byte and its operands) until the input or the op budget ends.
 *
 * Cost: iova_check_invariants walks every live domain's tree and all 12 × possible CPU magazines,
 * so a call costs O(live domains × possible CPUs + nodes + cached PFNs). The harness bounds it: live
 * domains are capped (a create at the cap puts the oldest domain instead) and labs with many CPUs
 * get fewer domains and ops. Small-magazine policies reach depot pushes, trims and overflows in a
 * few hundred ops, which the 127-PFN default magazines cannot. */
#include "../iova_abi.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPS 256 /* harness ops per input (a batch op runs up to 8 model ops) */
#define MAX_DOMS 4 /* live domains per lab, fewer on big labs */
#define MAX_LIVE 512 /* tracked allocations handed back by alloc/alloc_fast */

struct rd {
	const uint8_t *p;
	size_t n, i;
};
static uint8_t u8(struct rd *r)
{
	return r->i < r->n ? r->p[r->i++] : 0;
}
static uint32_t u16(struct rd *r)
{
	uint32_t a = u8(r);
	return a | ((uint32_t)u8(r) << 8);
}
static uint64_t u64(struct rd *r)
{
	uint64_t v = 0;
	for (int k = 0; k < 8; k++)
		v |= (uint64_t)u8(r) << (8 * k);
	return v;
}

struct live {
	int32_t dom;
	uint64_t pfn, size;
};
struct tdom {
	int32_t id;
	uint64_t start;
};

/* Per-input state: every live domain of the lab is in doms[] (creates are capped so none escapes). */
static struct live lv[MAX_LIVE];
static uint32_t nlive;
static struct tdom doms[MAX_DOMS];
static uint32_t ndoms, dom_cap, possible;
static uint64_t now_ms; /* the lab's virtual clock, mirrored: advances must stop at 2^64 - 1 */

static void fail(int32_t lab, const char *what, int32_t r, uint32_t op)
{
	fprintf(stderr, "FUZZ FAILURE at op %u: %s (status %d): %s\n", op, what, (int)r,
		lab > 0 ? iova_invariant_message(lab) : "");
	__builtin_trap();
}

static void check_status(int32_t lab, int32_t r, uint32_t op)
{
	/* domain_create returns an id >= 0; every other op returns IOVA_OK or a known error. */
	if (r > 0x7fffff00 || r < IOVA_STATUS_MIN)
		fail(lab, "status outside the iova_status enum", r, op);
}

static void track(int32_t dom, uint64_t pfn, uint64_t size)
{
	if (!pfn)
		return;
	if (nlive < MAX_LIVE)
		lv[nlive++] = (struct live){ dom, pfn, size };
	else
		lv[pfn % MAX_LIVE] = (struct live){ dom, pfn, size };
}

static void untrack(uint32_t k)
{
	lv[k] = lv[--nlive];
}

static void untrack_exact(int32_t dom, uint64_t pfn)
{
	for (uint32_t k = 0; k < nlive; k++)
		if (lv[k].dom == dom && lv[k].pfn == pfn) {
			untrack(k);
			return;
		}
}

static void untrack_containing(int32_t dom, uint64_t pfn)
{
	for (uint32_t k = 0; k < nlive; k++)
		if (lv[k].dom == dom && pfn >= lv[k].pfn && pfn - lv[k].pfn < lv[k].size) {
			untrack(k);
			return;
		}
}

static void add_dom(int32_t id, uint64_t start)
{
	if (ndoms >= MAX_DOMS)
		fail(0, "harness: domain table overflow", id, 0);
	doms[ndoms++] = (struct tdom){ id, start };
}

static void forget_dom(int32_t id)
{
	for (uint32_t k = 0; k < ndoms; k++)
		if (doms[k].id == id) {
			doms[k] = doms[--ndoms];
			break;
		}
	for (uint32_t k = 0; k < nlive;)
		if (lv[k].dom == id)
			untrack(k);
		else
			k++;
}

static int32_t pick_dom(struct rd *r)
{
	uint8_t b = u8(r);
	if (b == 0xff)
		return (int32_t)(u8(r)) - 2; /* occasionally an invalid/stale id */
	return ndoms ? doms[b % ndoms].id : (int32_t)(b & 7);
}

static uint64_t pick_size(struct rd *r)
{
	uint8_t b = u8(r);
	switch (b >> 6) {
	case 0:
		return 1 + (b & 7);
	case 1:
		return 1ull << (b & 7);
	case 2:
		return (1ull << (b & 15)) + (u8(r) & 3) - 1;
	default:
		return (b & 1) ? u64(r) : 1ull << (u8(r) & 63);
	}
}

static uint64_t pick_limit(struct rd *r, int32_t dom)
{
	uint64_t base = 1;
	uint8_t b = u8(r);
	for (uint32_t k = 0; k < ndoms; k++)
		if (doms[k].id == dom)
			base = doms[k].start;
	switch (b & 7) {
	case 0:
		return base + u16(r);
	case 1:
		return 0xfffffull;
	case 2:
		return 0xffffffffull;
	case 3:
		return (~0ull) >> (u8(r) & 15);
	case 4:
		return (~0ull) - 1;
	case 5:
		return u64(r);
	default:
		return base + (1ull << (b >> 3));
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

static int32_t do_op(int32_t lab, struct rd *r)
{
	uint8_t op = u8(r) % 15;
	int32_t dom, ret = 0;
	uint64_t pfn, size;
	uint32_t cpu;
	switch (op) {
	case 0: { /* domain create; at the cap, put one instead */
		uint8_t g = u8(r);
		uint32_t granule = 1u << (g % 14); /* 4096*2 → E_GRANULE sometimes */
		uint64_t start = 1 + (u8(r) & 15);
		if (ndoms >= dom_cap) {
			dom = doms[g % ndoms].id;
			ret = iova_domain_put(lab, dom);
			if (ret == IOVA_OK)
				forget_dom(dom);
			break;
		}
		ret = iova_domain_create(lab, granule, start);
		if (ret >= 0)
			add_dom(ret, start);
		break;
	}
	case 1: { /* domain put */
		dom = pick_dom(r);
		ret = iova_domain_put(lab, dom);
		if (ret == IOVA_OK)
			forget_dom(dom);
		break;
	}
	case 2:
	case 3: { /* alloc_fast (weighted) */
		dom = pick_dom(r);
		cpu = u8(r) % (possible + 1);
		size = pick_size(r);
		uint64_t limit = pick_limit(r, dom);
		ret = iova_alloc_fast(lab, dom, cpu, size, limit, u8(r) & 1, &pfn);
		if (ret == IOVA_OK)
			track(dom, pfn, size);
		break;
	}
	case 4:
	case 5: { /* free_fast of a tracked pfn */
		dom = pick_dom(r);
		pfn = pick_pfn(r, &dom);
		cpu = u8(r) % (possible + 1);
		uint8_t b = u8(r);
		size = 0;
		for (uint32_t k = 0; k < nlive; k++)
			if (lv[k].dom == dom && lv[k].pfn == pfn) {
				size = lv[k].size;
				break;
			}
		if (!size || (b & 0xc0) == 0xc0)
			size = pick_size(r);
		ret = iova_free_fast(lab, dom, cpu, pfn, size);
		if (ret == IOVA_OK)
			untrack_exact(dom, pfn);
		break;
	}
	case 6: { /* alloc */
		dom = pick_dom(r);
		size = pick_size(r);
		uint64_t limit = pick_limit(r, dom);
		ret = iova_alloc(lab, dom, size, limit, u8(r) & 1, &pfn);
		if (ret == IOVA_OK)
			track(dom, pfn, size);
		break;
	}
	case 7: { /* free (any pfn inside a range) */
		dom = pick_dom(r);
		pfn = pick_pfn(r, &dom);
		ret = iova_free(lab, dom, pfn);
		if (ret == IOVA_OK)
			untrack_containing(dom, pfn);
		break;
	}
	case 8: { /* find: a found node contains pfn */
		uint64_t range[2];
		dom = pick_dom(r);
		pfn = pick_pfn(r, &dom);
		ret = iova_find(lab, dom, pfn, range);
		if (ret == IOVA_OK && range[0] && (range[0] > pfn || pfn > range[1]))
			fail(lab, "iova_find returned a node not containing the pfn", ret, 0);
		break;
	}
	case 9: { /* reserve */
		dom = pick_dom(r);
		uint64_t lo = (u8(r) & 0x80) ? u64(r) : u16(r), hi = lo + ((u8(r) & 0x80) ? u64(r) : u16(r));
		ret = iova_reserve(lab, dom, lo, hi, &pfn);
		break;
	}
	case 10: { /* advance clock: short, any 64-bit value, to near 2^64 - 1, or just past it */
		uint8_t b = u8(r);
		uint64_t ms = b == 0xff ? u64(r) :
			      b == 0xfe ? ~0ull - now_ms - (u8(r) & 0x7f) :
			      b == 0xfd ? ~0ull - now_ms + 1 + (u8(r) & 0x7f) :
					  (uint64_t)b * 5;
		ret = iova_advance_clock(lab, ms);
		if ((ret == IOVA_E_CLOCK_OVERFLOW) != (ms > ~0ull - now_ms))
			fail(lab, "iova_advance_clock: overflow not refused, or refused wrongly", ret, 0);
		if (ret == IOVA_OK)
			now_ms += ms;
		break;
	}
	case 11:
		ret = iova_cpu_offline(lab, u8(r) % (possible + 1));
		break;
	case 12:
		ret = iova_cpu_online(lab, u8(r) % (possible + 1));
		break;
	case 13:
		ret = (u8(r) & 1) ? iova_flush(lab, pick_dom(r)) : iova_inject_failure(lab, u8(r) % 3, u8(r) & 15);
		break;
	case 14: { /* batch of a few ops via iova_run_batch; its effects are mirrored afterwards */
		uint64_t ops[8 * IOVA_OP_WORDS], res[8];
		uint32_t n = 1 + u8(r) % 8, creates = 0, ran = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t *o = ops + i * IOVA_OP_WORDS;
			o[0] = u8(r) % 15; /* 0 and 14 are bad ops */
			o[1] = (uint64_t)pick_dom(r);
			o[2] = u8(r) % (possible + 1);
			o[3] = o[4] = o[5] = 0;
			if (o[0] == IOVA_OP_DOMAIN_CREATE && ndoms + creates >= dom_cap)
				o[0] = IOVA_OP_DOMAIN_PUT;
			switch (o[0]) {
			case IOVA_OP_DOMAIN_CREATE:
				o[3] = 1u << (u8(r) % 14);
				o[4] = 1 + (u8(r) & 15);
				creates++;
				break;
			case IOVA_OP_FREE_FAST:
			case IOVA_OP_FREE:
			case IOVA_OP_FIND: {
				int32_t d2 = (int32_t)o[1];
				o[3] = pick_pfn(r, &d2);
				o[1] = (uint64_t)d2;
				o[4] = pick_size(r);
				break;
			}
			case IOVA_OP_ADVANCE:
				o[3] = u8(r) * 7;
				break;
			case IOVA_OP_INJECT_FAILURE:
				o[3] = u8(r) % 3;
				o[4] = u8(r) & 15;
				break;
			case IOVA_OP_RESERVE:
				o[3] = u16(r);
				o[4] = o[3] + u16(r);
				break;
			case IOVA_OP_DOMAIN_PUT:
				break;
			default:
				o[3] = pick_size(r);
				o[4] = pick_limit(r, (int32_t)o[1]);
				o[5] = u8(r) & 1;
				break;
			}
		}
		ret = iova_run_batch(lab, ops, n, res, &ran);
		if (ran > n || (ret == IOVA_OK) != (ran == n))
			fail(lab, "iova_run_batch count and status disagree", ret, 0);
		for (uint32_t i = 0; i < ran; i++) { /* ops [0, ran) succeeded */
			uint64_t *o = ops + i * IOVA_OP_WORDS;
			int32_t d = (int32_t)o[1];
			switch (o[0]) {
			case IOVA_OP_DOMAIN_CREATE:
				add_dom((int32_t)res[i], o[4]);
				break;
			case IOVA_OP_DOMAIN_PUT:
				forget_dom(d);
				break;
			case IOVA_OP_ALLOC_FAST:
			case IOVA_OP_ALLOC:
				track(d, res[i], o[3]);
				break;
			case IOVA_OP_FREE_FAST:
				untrack_exact(d, o[3]);
				break;
			case IOVA_OP_FREE:
				untrack_containing(d, o[3]);
				break;
			case IOVA_OP_ADVANCE:
				now_ms += o[3];
				break;
			default:
				break;
			}
		}
		break;
	}
	}
	return ret;
}

/* 7 policy bytes → a policy, valid for most inputs (small magazines reach the depot quickly);
 * the seventh picks the release facets (walk, max32_alloc_size, retry, pop, flush, rounding);
 * the invalid ones (a field one past its range) must be rejected with E_LAB_CONFIG.
 * Returns whether it is valid by the documented rules (src/policy.ts validatePolicy). */
static int read_policy(struct rd *r, struct iova_policy *p)
{
	uint8_t m = u8(r), d = u8(r), t = u8(r), h = u8(r), g = u8(r), a = u8(r), f = u8(r);
	static const uint32_t arrays[16] = { 0,	   720, 720, 720, 8,   6 * 280, 8192, 1024,
					     4096, 64,	100, 0,	  720, 2000,	8193, 1 };
	p->mag_size = (m & 0x80) ? 1 + (((uint32_t)(m & 0x7f) << 3 | (d >> 5)) % 1024) : 1 + (m & 15);
	p->depot_cap = d == 0xff ? (1u << 20) + 1 : (d & 7) == 7 ? 1u << 20 : d & 7;
	p->trim_delay_ms = t == 0xff ? (1u << 30) + 1 : (uint32_t)t * 5;
	p->trim_threshold = h >= 0xf0 ? IOVA_TRIM_ONLINE : h & 7;
	p->lazy = g == 0xff ? 2 : g & 1;
	p->dynamic_initial = g == 0xfe ? p->mag_size + 1 : (g & 2) ? 1 + ((g >> 2) & 7) % p->mag_size : 0;
	p->array_bytes = arrays[a & 15];
	p->tree_walk = f == 0xfe ? IOVA_WALK_V4_7 + 1 : f & 1;
	p->max32_alloc_size = (f >> 1) & 1;
	p->retry = f == 0xfd ? IOVA_RETRY_FIXED + 1 : ((f >> 2) & 3) % 3;
	p->magazine_pop = (f >> 4) & 1;
	p->flush_rcache_arg = (f >> 5) & 1;
	p->flush_depot_on_failure = (f >> 6) & 1;
	p->round_in_fast_alloc = f == 0xff ? 2 : f >> 7;
	return p->mag_size >= 1 && p->mag_size <= 1023 && p->depot_cap <= 1u << 20 && p->trim_delay_ms <= 1u << 30 &&
	       p->lazy <= 1 && p->dynamic_initial <= p->mag_size && p->array_bytes <= 8192 &&
	       p->tree_walk <= IOVA_WALK_V4_7 && p->retry <= IOVA_RETRY_FIXED && p->round_in_fast_alloc <= 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size, 0 };
	struct iova_policy pol;
	uint8_t b0, b1, tier;
	uint32_t online, op_cap;
	int32_t lab, ret;
	int with_policy, valid = 1;
	if (size < 2)
		return 0;
	b0 = u8(&r);
	b1 = u8(&r);
	tier = b0 >> 6;
	if (tier < 2)
		possible = 1 + (b0 & 3);
	else if (tier == 2)
		possible = 1 + (b0 & 7);
	else {
		uint8_t e = u8(&r);
		possible = e < 0xf0 ? 9u + e : 4096u >> (e & 7);
	}
	online = tier == 3 ? possible - ((b0 >> 3) & 7) % possible : 1 + ((b0 >> 3) & 7) % possible;
	/* the checker's cost grows with live domains × possible CPUs: keep it bounded */
	dom_cap = possible >= 32 ? 1 : 32 / possible > MAX_DOMS ? MAX_DOMS : 32 / possible;
	op_cap = possible <= 16 ? MAX_OPS : 2048 / possible > 2 ? 2048 / possible : 2;
	with_policy = (b1 >> 6) != 0;
	if (with_policy)
		valid = read_policy(&r, &pol);
	lab = iova_lab_create_with_policy(possible, online, b1 & 1, (b1 >> 1) & 1, with_policy ? &pol : NULL);
	if (!valid) {
		if (lab != IOVA_E_LAB_CONFIG)
			fail(0, "iova_lab_create accepted an invalid policy", lab, 0);
		return 0;
	}
	if (lab <= 0)
		fail(0, "iova_lab_create rejected a valid config", lab, 0);
	nlive = 0;
	ndoms = 0;
	now_ms = 0;
	if (b1 & 4) { /* start with one domain most of the time */
		ret = iova_domain_create(lab, 1u << ((b1 >> 3) & 7), 1);
		if (ret < 0)
			fail(lab, "initial domain_create", ret, 0);
		add_dom(ret, 1);
	}
	if ((ret = iova_check_invariants(lab)) != IOVA_OK)
		fail(lab, "iova_check_invariants", ret, 0);
	for (uint32_t op = 0; op < op_cap && r.i < r.n; op++) {
		ret = do_op(lab, &r);
		check_status(lab, ret, op);
		if ((ret = iova_check_invariants(lab)) != IOVA_OK)
			fail(lab, "iova_check_invariants", ret, op);
	}
	/* destroy puts every domain; libFuzzer's LeakSanitizer pass then sees anything left behind */
	if ((ret = iova_lab_destroy(lab)) != IOVA_OK)
		fail(lab, "iova_lab_destroy", ret, 0);
	if (iova_check_invariants(lab) != IOVA_E_NO_LAB)
		fail(0, "destroyed lab handle still answers", lab, 0);
	return 0;
}
