/* Argument checks, in the order docs/design.md fixes; each returns IOVA_OK or the status. */
#ifndef IOVA_VALIDATE_H
#define IOVA_VALIDATE_H
#include "lab.h"

int32_t validate_lab_config(uint32_t possible, uint32_t online, uint32_t mode, uint32_t geometry,
			    const struct iova_policy *policy);
int32_t validate_granule(uint64_t granule, uint32_t *shift);
int32_t validate_start_pfn(uint32_t shift, uint64_t start_pfn);
int32_t validate_cpu(const struct iova_lab *lab, uint64_t cpu, int need_online);
int32_t validate_size(const struct lab_domain *d, uint64_t size);
int32_t validate_limit(const struct lab_domain *d, uint64_t limit);
int32_t validate_reserve(struct lab_domain *d, uint64_t lo, uint64_t hi);
/* free_iova_fast's pfn: a node starts there, is not in a magazine, and has size's class. */
int32_t validate_free_fast(struct lab_domain *d, uint64_t pfn, uint64_t size);
/* free_iova's pfn: a node contains it and is not in a magazine; *node: that node */
int32_t validate_free(struct lab_domain *d, uint64_t pfn, uint32_t *node);
#endif
