/* Fuzz target for the msgpack decoder: untrusted DynamicValue bytes from
 * the CLI. Whatever decodes must re-encode, decode again to an equal value
 * and re-encode to the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few fixed types: the shapes resource schemas produce, including the
 * ones that exercise every decoder path. */
static const char *const type_json[] = {
	"\"string\"",
	"\"number\"",
	"\"dynamic\"",
	"[\"list\",\"string\"]",
	"[\"object\",{\"id\":\"string\",\"n\":\"number\",\"on\":\"bool\","
	    "\"tags\":[\"map\",\"string\"],\"ids\":[\"set\",\"string\"],"
	    "\"d\":\"dynamic\",\"rule\":[\"list\",[\"object\",{\"days\":\"number\","
	    "\"kinds\":[\"set\",\"number\"],\"t\":[\"tuple\",[\"string\",\"bool\"]]}]]}]",
};

static void check_roundtrip(co_arena *a, const co_type *t, const co_value *v)
{
	co_buf first, second;
	co_value *again = NULL;
	const char *err = NULL;
	co_buf_init(&first, 0);
	co_buf_init(&second, 0);
	if (co_msgpack_encode(&first, t, v) < 0) {
		fprintf(stderr, "decoded value does not encode\n");
		abort();
	}
	if (co_msgpack_decode(a, t, (const uint8_t *)first.data, first.len,
	    &again, &err) < 0) {
		fprintf(stderr, "re-encoded value does not decode: %s\n", err);
		abort();
	}
	if (!co_value_equal(v, again)) {
		fprintf(stderr, "round trip changed the value\n");
		abort();
	}
	if (co_msgpack_encode(&second, t, again) < 0 ||
	    second.len != first.len ||
	    memcmp(first.data, second.data, first.len) != 0) {
		fprintf(stderr, "encoding is not stable\n");
		abort();
	}
	co_buf_free(&first);
	co_buf_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	co_arena *a = co_arena_new();
	if (!a)
		return 0;
	for (size_t i = 0; i < sizeof(type_json) / sizeof(type_json[0]); i++) {
		const char *err = NULL;
		const co_type *t = co_type_from_json(a, type_json[i],
		    strlen(type_json[i]), &err);
		if (!t)
			abort();
		co_value *v = NULL;
		if (co_msgpack_decode(a, t, data, size, &v, &err) == 0)
			check_roundtrip(a, t, v);
		else if (!err)
			abort();
	}
	co_arena_free(a);
	return 0;
}
