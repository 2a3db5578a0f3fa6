// struct iova as /proc/slabinfo shows it: the iommu_iova cache is cache-line aligned, 64 bytes.
export const IOVA_NODE_BYTES = 64;
