/* Native benchmark runner: replays one encoded op file through iova_run_batch.
 * File: 6 uint64 header words (magic 0x494f5641, possible, online, magazine_mode, geometry, n_ops)
 * followed by n_ops * 6 op words. Usage: native_runner OPFILE OUTFILE
 * Prints "reps <R> ops <N> ns <T>" (batch time only, summed over reps, each on a fresh lab) and
 * writes the first rep's results (n_ops words) + snapshot (count word + words) to OUTFILE. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#include "iova_abi.h"

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc != 3) { fprintf(stderr, "usage: %s OPFILE OUTFILE\n", argv[0]); return 2; }
	FILE *f = fopen(argv[1], "rb");
	if (!f) { perror("open op file"); return 2; }
	uint64_t hdr[6];
	if (fread(hdr, 8, 6, f) != 6 || hdr[0] != 0x494f5641ull) { fprintf(stderr, "bad header\n"); return 2; }
	uint64_t n = hdr[5];
	uint64_t *ops = malloc(n * IOVA_OP_WORDS * 8), *res = malloc((n ? n : 1) * 8);
	if (!ops || !res || fread(ops, 8, n * IOVA_OP_WORDS, f) != n * IOVA_OP_WORDS) { fprintf(stderr, "short op file\n"); return 2; }
	fclose(f);
	uint64_t total = 0, reps = 0;
	do {
		int32_t lab = iova_lab_create((uint32_t)hdr[1], (uint32_t)hdr[2], (uint32_t)hdr[3], (uint32_t)hdr[4]);
		if (lab < 0) { fprintf(stderr, "lab create failed %d\n", lab); return 1; }
		uint64_t t0 = now_ns();
		uint32_t done = 0;
		int32_t status = iova_run_batch(lab, ops, (uint32_t)n, res, &done);
		total += now_ns() - t0;
		if (status) { fprintf(stderr, "batch stopped at op %u status %d\n", done, status); return 1; }
		if (reps == 0) {
			FILE *o = fopen(argv[2], "wb");
			if (!o) { perror("open out"); return 2; }
			fwrite(res, 8, n, o);
			uint64_t w = iova_snapshot_words(lab);
			uint64_t *snap = malloc(w * 8);
			iova_snapshot(lab, snap, (uint32_t)w);
			fwrite(&w, 8, 1, o);
			fwrite(snap, 8, w, o);
			fclose(o);
			free(snap);
		}
		iova_lab_destroy(lab);
		reps++;
	} while (total < 300000000ull);
	printf("reps %llu ops %llu ns %llu\n", (unsigned long long)reps, (unsigned long long)n, (unsigned long long)total);
	return 0;
}
