/* Stored ZIP archives (APPNOTE.TXT 6.3: local file header 4.3.7, central
 * directory header 4.3.12, end of central directory 4.3.16). */
#include "zip.h"

#include <string.h>

uint32_t co_crc32(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static int put16(co_buf *b, unsigned v)
{
	unsigned char x[2] = {(unsigned char)(v & 0xff),
	    (unsigned char)((v >> 8) & 0xff)};
	return co_buf_append(b, x, 2);
}

static int put32(co_buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v & 0xff),
	    (unsigned char)((v >> 8) & 0xff), (unsigned char)((v >> 16) & 0xff),
	    (unsigned char)((v >> 24) & 0xff)};
	return co_buf_append(b, x, 4);
}

/* MS-DOS date of 1980-01-01 (day 1, month 1, year 0), time 00:00:00. */
#define ZIP_DOS_DATE 0x0021u
#define ZIP_DOS_TIME 0x0000u
/* "Version needed to extract" 2.0; "made by" Unix (3) so that the external
 * attributes carry a file mode (4.4.2, 4.4.15). */
#define ZIP_VERSION 20u
#define ZIP_MADE_BY ((3u << 8) | ZIP_VERSION)
#define ZIP_MODE_0644 ((uint32_t)0100644 << 16)

int co_zip_stored(co_buf *out, const co_zip_entry *entries, size_t n)
{
	int rc = -1;
	uint32_t offsets[64];
	uint32_t crcs[64];
	size_t base = out->len;
	if (n > sizeof(offsets) / sizeof(offsets[0]))
		goto done;
	for (size_t i = 0; i < n; i++) {
		size_t name_len = strlen(entries[i].name);
		/* Without ZIP64 sizes and offsets are 32-bit, names 16-bit. */
		if (name_len > 0xffff || entries[i].len > 0xfffffffeu ||
		    out->len - base > 0xfffffffeu - entries[i].len)
			goto done;
		offsets[i] = (uint32_t)(out->len - base);
		crcs[i] = co_crc32(0, entries[i].data, entries[i].len);
		if (put32(out, 0x04034b50u) < 0 || put16(out, ZIP_VERSION) < 0 ||
		    put16(out, 0) < 0 || put16(out, 0) < 0 ||
		    put16(out, ZIP_DOS_TIME) < 0 || put16(out, ZIP_DOS_DATE) < 0 ||
		    put32(out, crcs[i]) < 0 ||
		    put32(out, (uint32_t)entries[i].len) < 0 ||
		    put32(out, (uint32_t)entries[i].len) < 0 ||
		    put16(out, (unsigned)name_len) < 0 || put16(out, 0) < 0 ||
		    co_buf_append(out, entries[i].name, name_len) < 0 ||
		    co_buf_append(out, entries[i].data, entries[i].len) < 0)
			goto done;
	}
	size_t cd_start = out->len - base;
	for (size_t i = 0; i < n; i++) {
		size_t name_len = strlen(entries[i].name);
		if (put32(out, 0x02014b50u) < 0 || put16(out, ZIP_MADE_BY) < 0 ||
		    put16(out, ZIP_VERSION) < 0 || put16(out, 0) < 0 ||
		    put16(out, 0) < 0 || put16(out, ZIP_DOS_TIME) < 0 ||
		    put16(out, ZIP_DOS_DATE) < 0 || put32(out, crcs[i]) < 0 ||
		    put32(out, (uint32_t)entries[i].len) < 0 ||
		    put32(out, (uint32_t)entries[i].len) < 0 ||
		    put16(out, (unsigned)name_len) < 0 || put16(out, 0) < 0 ||
		    put16(out, 0) < 0 || put16(out, 0) < 0 || put16(out, 0) < 0 ||
		    put32(out, ZIP_MODE_0644) < 0 || put32(out, offsets[i]) < 0 ||
		    co_buf_append(out, entries[i].name, name_len) < 0)
			goto done;
	}
	size_t cd_size = out->len - base - cd_start;
	if (out->len - base > 0xfffffffeu)
		goto done;
	if (put32(out, 0x06054b50u) < 0 || put16(out, 0) < 0 ||
	    put16(out, 0) < 0 || put16(out, (unsigned)n) < 0 ||
	    put16(out, (unsigned)n) < 0 || put32(out, (uint32_t)cd_size) < 0 ||
	    put32(out, (uint32_t)cd_start) < 0 || put16(out, 0) < 0)
		goto done;
	rc = 0;
done:
	return rc;
}
