/* Status codes shared by every exported entry point; src/errors.ts mirrors them. */
#ifndef IOVA_STATUS_H
#define IOVA_STATUS_H

enum iova_status {
	IOVA_OK = 0,
	IOVA_E_LAB_CONFIG = -1,
	IOVA_E_NO_LAB = -2,
	IOVA_E_NO_DOMAIN = -3,
	IOVA_E_GRANULE = -4,
	IOVA_E_START_PFN = -5,
	IOVA_E_CPU_RANGE = -6,
	IOVA_E_CPU_OFFLINE = -7,
	IOVA_E_CPU_STATE = -8,
	IOVA_E_SIZE = -9,
	IOVA_E_LIMIT = -10,
	IOVA_E_RANGE = -11,
	IOVA_E_NOT_ALLOCATED = -12,
	IOVA_E_DOUBLE_FREE = -13,
	IOVA_E_SIZE_CLASS = -14,
	IOVA_E_NOMEM = -15,
	IOVA_E_ALLOC_FAILED = -16,
	IOVA_E_INVARIANT = -17,
	IOVA_E_BAD_OP = -18,
};

#endif
