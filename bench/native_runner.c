/* Native benchmark runner: replays one encoded op file through iova_run_batch.
 * File: 6 uint64 header words (magic 0x494f5641, possible, online, magazine_mode, geometry, n_ops)
 * followed by n_ops * 6 op words. Usage: native_runner OPFILE OUTFILE MIN_NS MAX_NS
 * Each repetition replays the file on a fresh lab and prints "rep <cpu_ns> <wall_ns>" (batch only:
 * process CPU time and monotonic wall time). Repetition 0 is the cold one; after it, repetitions go
 * on until at least 3 steady ones took MIN_NS of CPU in all, or the steady ones took MAX_NS.
 * Writes the first rep's results (n_ops words) + snapshot (count word + words) to OUTFILE. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#include "iova_abi.h"

static uint64_t now_ns(clockid_t clock) {
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc != 5) { fprintf(stderr, "usage: %s OPFILE OUTFILE MIN_NS MAX_NS\n", argv[0]); return 2; }
	uint64_t min_ns = strtoull(argv[3], NULL, 10), max_ns = strtoull(argv[4], NULL, 10);
	FILE *f = fopen(argv[1], "rb");
	if (!f) { perror("open op file"); return 2; }
	uint64_t hdr[6];
	if (fread(hdr, 8, 6, f) != 6 || hdr[0] != 0x494f5641ull) { fprintf(stderr, "bad header\n"); return 2; }
	uint64_t n = hdr[5];
	uint64_t *ops = malloc(n * IOVA_OP_WORDS * 8), *res = malloc((n ? n : 1) * 8);
	if (!ops || !res || fread(ops, 8, n * IOVA_OP_WORDS, f) != n * IOVA_OP_WORDS) { fprintf(stderr, "short op file\n"); return 2; }
	fclose(f);
	uint64_t steady_cpu = 0, reps = 0;
	for (;;) {
		int32_t lab = iova_lab_create((uint32_t)hdr[1], (uint32_t)hdr[2], (uint32_t)hdr[3], (uint32_t)hdr[4]);
		if (lab < 0) { fprintf(stderr, "lab create failed %d\n", lab); return 1; }
		uint64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
		uint32_t done = 0;
		int32_t status = iova_run_batch(lab, ops, (uint32_t)n, res, &done);
		uint64_t wall = now_ns(CLOCK_MONOTONIC) - w0, cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
		printf("rep %llu %llu\n", (unsigned long long)cpu, (unsigned long long)wall);
		if (reps > 0) steady_cpu += cpu;
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
		if ((reps >= 4 && steady_cpu >= min_ns) || (reps >= 2 && steady_cpu >= max_ns)) break;
	}
	return 0;
}
