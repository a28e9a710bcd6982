/* Runs a libFuzzer target over files, so corpora run as ordinary tests
 * without clang (libgit2's fuzzers/standalone_driver.c). Each argument is a
 * file or a directory whose regular files are all run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fuzz inputs are small; anything bigger is not a corpus file. */
#define FUZZ_MAX_INPUT ((size_t)64 << 20)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	int rc = -1;
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		goto done;
	}
	if (fseek(f, 0, SEEK_END) != 0)
		goto done;
	long len = ftell(f);
	if (len < 0 || (size_t)len > FUZZ_MAX_INPUT || fseek(f, 0, SEEK_SET) != 0)
		goto done;
	/* An exact-size copy, so ASan sees any read past the input. */
	data = malloc(len ? (size_t)len : 1);
	if (!data || fread(data, 1, (size_t)len, f) != (size_t)len)
		goto done;
	LLVMFuzzerTestOneInput(data, (size_t)len);
	rc = 0;
done:
	free(data);
	if (f)
		fclose(f);
	return rc;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "cannot stat %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = strlen(path) + strlen(e->d_name) + 2;
		char *child = malloc(n);
		if (!child) {
			rc = -1;
			break;
		}
		snprintf(child, n, "%s/%s", path, e->d_name);
		if (stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
			(*count)++;
			if (run_file(child) < 0)
				rc = -1;
		}
		free(child);
	}
	closedir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (run_path(argv[i], &count) < 0)
			rc = 1;
	}
	fprintf(stderr, "ran %u inputs\n", count);
	return rc;
}
