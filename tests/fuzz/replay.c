/* SPDX-License-Identifier: MIT */
/*
 * Plain replay driver for the fuzz targets, so the regression inputs run under
 * gcc + ASan + UBSan without libFuzzer (tests/hardening/run.sh):
 *   replay FILE…   runs LLVMFuzzerTestOneInput() once per file.
 * A crash, a sanitizer report or a leak (at exit) fails the run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		size_t cap = 4096, n = 0, got;
		uint8_t *buf = malloc(cap);
		while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
			n += got;
			if (n == cap) {
				uint8_t *b = realloc(buf, cap *= 2);
				if (!b)
					free(buf);
				buf = b;
			}
		}
		fclose(f);
		if (!buf)
			return 2;
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	printf("replayed %d input(s)\n", argc - 1);
	return 0;
}
