/* A minimal ZIP writer: stored (uncompressed) entries only, enough for a
 * Lambda deployment package that the provider generates itself. */
#ifndef CO_ZIP_H
#define CO_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct co_zip_entry {
	const char *name; /* path inside the archive, '/'-separated */
	const void *data;
	size_t len;
} co_zip_entry;

/* The CRC-32 of ZIP and zlib (polynomial 0xEDB88320), continued from crc
 * (start with 0). */
uint32_t co_crc32(uint32_t crc, const void *data, size_t len);

/* Appends to out a ZIP archive holding the entries, stored without
 * compression, with a fixed timestamp (1980-01-01) and mode 0644 so the same
 * input always gives the same bytes. 0, or -1 when an entry is too large for
 * a ZIP without ZIP64 or out's limit is reached. */
int co_zip_stored(co_buf *out, const co_zip_entry *entries, size_t n);

#endif
