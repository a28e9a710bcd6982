/* The stored ZIP writer behind the budget guard's Lambda package: CRC-32
 * vectors, the archive's structure as an unzip tool walks it (end record,
 * central directory, local headers), determinism and the size limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/zip.h"

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned rd16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static void test_crc32_vectors(void **state)
{
	(void)state;
	/* The CRC-32 check value (ISO-HDLC / zlib crc32). */
	assert_int_equal(co_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(co_crc32(0, "", 0), 0);
	assert_int_equal(co_crc32(0, "a", 1), 0xE8B7BE43u);
	/* Continuing a CRC equals computing it at once. */
	assert_int_equal(co_crc32(co_crc32(0, "12345", 5), "6789", 4),
	    0xCBF43926u);
}

static void test_archive_structure(void **state)
{
	(void)state;
	static const char a[] = "def handler(event, context):\n    return 1\n";
	static const char b[] = "";
	co_zip_entry e[] = {
	    {.name = "index.py", .data = a, .len = sizeof(a) - 1},
	    {.name = "pkg/empty.txt", .data = b, .len = 0},
	};
	co_buf z;
	co_buf_init(&z, 1 << 20);
	assert_int_equal(co_zip_stored(&z, e, 2), 0);
	const unsigned char *p = (const unsigned char *)z.data;
	/* End of central directory: the last 22 bytes (no comment). */
	assert_true(z.len > 22);
	const unsigned char *eocd = p + z.len - 22;
	assert_int_equal(rd32(eocd), 0x06054b50u);
	assert_int_equal(rd16(eocd + 8), 2);
	assert_int_equal(rd16(eocd + 10), 2);
	uint32_t cd_size = rd32(eocd + 12), cd_off = rd32(eocd + 16);
	assert_int_equal(cd_off + cd_size, z.len - 22);
	const unsigned char *c = p + cd_off;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rd32(c), 0x02014b50u);
		assert_int_equal(rd16(c + 10), 0); /* stored */
		uint32_t crc = rd32(c + 16), csize = rd32(c + 20);
		assert_int_equal(csize, rd32(c + 24));
		assert_int_equal(csize, e[i].len);
		assert_int_equal(crc, co_crc32(0, e[i].data, e[i].len));
		unsigned nlen = rd16(c + 28);
		assert_int_equal(nlen, strlen(e[i].name));
		assert_memory_equal(c + 46, e[i].name, nlen);
		/* Unix mode 0644: Lambda must be able to read the file. */
		assert_int_equal(rd32(c + 38) >> 16, 0100644);
		const unsigned char *l = p + rd32(c + 42);
		assert_int_equal(rd32(l), 0x04034b50u);
		assert_int_equal(rd32(l + 14), crc);
		assert_int_equal(rd16(l + 26), nlen);
		assert_memory_equal(l + 30, e[i].name, nlen);
		assert_memory_equal(l + 30 + nlen + rd16(l + 28), e[i].data,
		    e[i].len);
		c += 46 + nlen + rd16(c + 30) + rd16(c + 32);
	}
	/* The same input gives the same bytes (no clock in the archive), so
	 * the package hash is stable across applies. */
	co_buf again;
	co_buf_init(&again, 1 << 20);
	assert_int_equal(co_zip_stored(&again, e, 2), 0);
	assert_int_equal(again.len, z.len);
	assert_memory_equal(again.data, z.data, z.len);
	co_buf_free(&again);
	co_buf_free(&z);
}

static void test_limit(void **state)
{
	(void)state;
	char big[4096];
	memset(big, 'x', sizeof(big));
	co_zip_entry e = {.name = "big.txt", .data = big, .len = sizeof(big)};
	co_buf z;
	co_buf_init(&z, 1024);
	assert_int_equal(co_zip_stored(&z, &e, 1), -1);
	co_buf_free(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32_vectors),
	    cmocka_unit_test(test_archive_structure),
	    cmocka_unit_test(test_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
