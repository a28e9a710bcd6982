/* The msgpack codec against the byte-exact vectors of the plugin protocol
 * (plugin-protocol.md §5.3-5.5) and against malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "value/value.h"

/* Parses "c7 03 0c" into bytes; returns the length. */
static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;
	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		unsigned byte;
		assert_int_equal(sscanf(hex, "%2x", &byte), 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

static char *tohex(co_arena *a, const void *data, size_t n)
{
	const uint8_t *p = data;
	char *s = co_arena_alloc(a, n * 3 + 1);
	for (size_t i = 0; i < n; i++)
		sprintf(s + i * 3, i + 1 < n ? "%02x " : "%02x", p[i]);
	return s;
}

static const char *enc_hex(co_arena *a, const co_type *t, const co_value *v)
{
	co_buf b;
	co_buf_init(&b, 0);
	assert_int_equal(co_msgpack_encode(&b, t, v), 0);
	char *hex = tohex(a, b.data, b.len);
	co_buf_free(&b);
	return hex;
}

static co_value *dec_hex(co_arena *a, const co_type *t, const char *hex)
{
	uint8_t bytes[512];
	size_t n = unhex(bytes, sizeof(bytes), hex);
	co_value *v = NULL;
	const char *err = NULL;
	int rc = co_msgpack_decode(a, t, bytes, n, &v, &err);
	if (rc != 0)
		fail_msg("decode of %s failed: %s", hex, err);
	assert_non_null(v);
	return v;
}

/* Decodes hex, expects failure, returns the message. */
static const char *dec_err(co_arena *a, const co_type *t, const char *hex)
{
	uint8_t bytes[512];
	size_t n = unhex(bytes, sizeof(bytes), hex);
	co_value *v = (co_value *)1;
	const char *err = NULL;
	assert_int_equal(co_msgpack_decode(a, t, bytes, n, &v, &err), -1);
	assert_null(v);
	assert_non_null(err);
	return err;
}

/* Decodes, re-encodes and expects the same bytes. */
static void roundtrip(co_arena *a, const co_type *t, const char *hex)
{
	co_value *v = dec_hex(a, t, hex);
	assert_string_equal(enc_hex(a, t, v), hex);
}

static int setup(void **state)
{
	*state = co_arena_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	co_arena_free(*state);
	return 0;
}

static void test_unknown_refined_vectors(void **state)
{
	co_arena *a = *state;
	co_value *u = co_value_unknown(a, &co_type_string);
	assert_string_equal(enc_hex(a, &co_type_string, u), "d4 00 00");
	u->refine.not_null = true;
	assert_string_equal(enc_hex(a, &co_type_string, u), "c7 03 0c 81 01 c2");
	u->refine.string_prefix = "ab";
	assert_string_equal(enc_hex(a, &co_type_string, u),
	    "c7 07 0c 82 01 c2 02 a2 61 62");

	co_value *n = co_value_unknown(a, &co_type_number);
	n->refine.not_null = true;
	n->refine.has_num_lower = true;
	n->refine.num_lower = 0;
	n->refine.num_lower_incl = true;
	assert_string_equal(enc_hex(a, &co_type_number, n),
	    "c7 07 0c 82 01 c2 03 92 00 c3");

	const co_type *lt = co_type_list(a, &co_type_string);
	co_value *l = co_value_unknown(a, lt);
	l->refine.not_null = true;
	l->refine.has_len_lower = true;
	l->refine.len_lower = 1;
	assert_string_equal(enc_hex(a, lt, l), "c7 05 0c 82 01 c2 05 01");

	/* A refinement that does not apply to the type is not sent; with
	 * nothing left, the plain form is used. */
	co_value *b = co_value_unknown(a, &co_type_bool);
	b->refine.string_prefix = "x";
	assert_string_equal(enc_hex(a, &co_type_bool, b), "d4 00 00");
	/* Dynamic-typed unknowns are never refined. */
	co_value *d = co_value_unknown(a, &co_type_dynamic);
	d->refine.not_null = true;
	assert_string_equal(enc_hex(a, &co_type_dynamic, d), "d4 00 00");
}

static void test_unknown_refined_decode(void **state)
{
	co_arena *a = *state;
	co_value *v = dec_hex(a, &co_type_string, "c7 07 0c 82 01 c2 02 a2 61 62");
	assert_true(v->is_unknown);
	assert_true(v->refine.not_null);
	assert_string_equal(v->refine.string_prefix, "ab");

	v = dec_hex(a, &co_type_number, "c7 07 0c 82 01 c2 03 92 00 c3");
	assert_true(v->is_unknown && v->refine.has_num_lower);
	assert_true(v->refine.num_lower_incl);
	assert_true(v->refine.num_lower == 0.0);

	const co_type *lt = co_type_list(a, &co_type_string);
	v = dec_hex(a, lt, "c7 05 0c 82 01 c2 05 01");
	assert_true(v->refine.has_len_lower && v->refine.len_lower == 1);

	roundtrip(a, &co_type_string, "c7 07 0c 82 01 c2 02 a2 61 62");
	roundtrip(a, &co_type_number, "c7 07 0c 82 01 c2 03 92 00 c3");
	roundtrip(a, lt, "c7 05 0c 82 01 c2 05 01");
	roundtrip(a, &co_type_string, "c7 03 0c 81 01 c2");
	/* Upper bounds and length upper bounds. */
	roundtrip(a, &co_type_number, "c7 13 0c 83 01 c2 03 92 00 c3 04 92 cb 40 24 80 00 00 00 00 00 c2");
	roundtrip(a, co_type_set(a, &co_type_bool), "c7 05 0c 82 05 02 06 09");

	/* Unknown refinement keys are ignored, even nested ones. */
	v = dec_hex(a, &co_type_string, "c7 09 0c 82 63 92 81 01 02 01 01 c2");
	assert_true(v->is_unknown && v->refine.not_null);
	assert_string_equal(enc_hex(a, &co_type_string, v), "c7 03 0c 81 01 c2");
}

static void test_unknown_any_ext(void **state)
{
	co_arena *a = *state;
	/* Any extension with at most one payload byte is unknown,
	 * whatever its type code, for any type. */
	const char *forms[] = { "d4 00 00", "d4 05 ff", "c7 00 07",
		"c7 01 7f 00", "c8 00 00 01", "c9 00 00 00 01 03 00" };
	const co_type *obj = co_type_object(a, 1, (const char *[]){ "a" },
	    (const co_type *[]){ &co_type_string });
	const co_type *types[] = { &co_type_string, &co_type_number,
		&co_type_bool, &co_type_dynamic, obj,
		co_type_map(a, &co_type_number) };
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		for (size_t j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
			co_value *v = dec_hex(a, types[j], forms[i]);
			assert_true(v->is_unknown);
			assert_false(v->is_null);
			assert_ptr_equal(v->type, types[j]);
			assert_string_equal(enc_hex(a, types[j], v), "d4 00 00");
		}
	}
	/* Longer payloads need type 12. */
	assert_non_null(strstr(dec_err(a, &co_type_string, "d5 05 00 00"),
	    "extension"));
	/* Refinement payloads over 1024 bytes are refused. */
	static uint8_t big[1100];
	big[0] = 0xc8;
	big[1] = 0x04;
	big[2] = 0x01; /* 1025 */
	big[3] = 0x0c;
	co_value *v;
	const char *err;
	assert_int_equal(co_msgpack_decode(a, &co_type_string, big, 4 + 1025,
	    &v, &err), -1);
	assert_non_null(strstr(err, "oversize"));
	/* A malformed refinement map. */
	dec_err(a, &co_type_string, "c7 02 0c 81 01");
	dec_err(a, &co_type_string, "c7 03 0c 81 02 c2");
	dec_err(a, &co_type_string, "c7 02 0c 90 90");
}

static void test_dynamic(void **state)
{
	co_arena *a = *state;
	const co_type *dyn = &co_type_dynamic;
	co_value *hi = co_value_string(a, "hi");
	assert_string_equal(enc_hex(a, dyn, hi),
	    "92 c4 08 22 73 74 72 69 6e 67 22 a2 68 69");
	co_value *v = dec_hex(a, dyn, "92 c4 08 22 73 74 72 69 6e 67 22 a2 68 69");
	assert_int_equal(v->type->kind, CO_T_STRING);
	assert_string_equal(co_value_str(v), "hi");
	/* The type JSON may come as str as well as bin. */
	v = dec_hex(a, dyn, "92 a8 22 73 74 72 69 6e 67 22 a2 68 69");
	assert_string_equal(co_value_str(v), "hi");

	/* Null and wholly unknown of dynamic type go without a wrapper. */
	assert_string_equal(enc_hex(a, dyn, co_value_null(a, dyn)), "c0");
	assert_string_equal(enc_hex(a, dyn, co_value_unknown(a, dyn)), "d4 00 00");
	v = dec_hex(a, dyn, "c0");
	assert_true(v->is_null);
	assert_int_equal(v->type->kind, CO_T_DYNAMIC);
	v = dec_hex(a, dyn, "d4 00 00");
	assert_true(v->is_unknown);
	assert_int_equal(v->type->kind, CO_T_DYNAMIC);

	/* An unknown of a known type keeps the wrapper. */
	roundtrip(a, dyn, "92 c4 08 22 73 74 72 69 6e 67 22 d4 00 00");
	v = dec_hex(a, dyn, "92 c4 08 22 73 74 72 69 6e 67 22 d4 00 00");
	assert_true(v->is_unknown);
	assert_int_equal(v->type->kind, CO_T_STRING);

	/* A list of numbers in a dynamic attribute of an object. */
	const co_type *obj = co_type_object(a, 1, (const char *[]){ "d" },
	    (const co_type *[]){ dyn });
	roundtrip(a, obj, "81 a1 64 92 c4 11 5b 22 6c 69 73 74 22 2c 22 6e "
	    "75 6d 62 65 72 22 5d 92 01 02");

	dec_err(a, dyn, "91 c4 08 22 73 74 72 69 6e 67 22");
	dec_err(a, dyn, "92 c4 03 22 78 22 01");
	dec_err(a, dyn, "a2 68 69");
	dec_err(a, dyn, "92 c4 08 22 73 74 72 69 6e 67 22 01");
}

static void test_object(void **state)
{
	co_arena *a = *state;
	const co_type *t = co_type_object(a, 3,
	    (const char *[]){ "b", "a", "c" },
	    (const co_type *[]){ &co_type_string, &co_type_number,
		&co_type_bool });
	assert_string_equal(t->names[0], "a");
	co_value *o = co_value_object(a, t);
	co_value_set_attr(o, "b", co_value_string(a, "x"));
	co_value_set_attr(o, "a", co_value_number(a, 1));
	/* Every key, sorted, nil for null. */
	assert_string_equal(enc_hex(a, t, o),
	    "83 a1 61 01 a1 62 a1 78 a1 63 c0");

	/* Keys in any order. */
	co_value *v = dec_hex(a, t, "83 a1 63 c3 a1 62 a1 78 a1 61 01");
	assert_true(co_value_bool_or(co_value_attr(v, "c"), false));
	assert_string_equal(co_value_str(co_value_attr(v, "b")), "x");
	int64_t i;
	assert_true(co_value_int(co_value_attr(v, "a"), &i));
	assert_int_equal(i, 1);
	assert_string_equal(enc_hex(a, t, v), "83 a1 61 01 a1 62 a1 78 a1 63 c3");

	const char *err = dec_err(a, t, "82 a1 61 01 a1 62 a1 78");
	assert_non_null(strstr(err, "missing attribute \"c\""));
	err = dec_err(a, t, "84 a1 61 01 a1 62 a1 78 a1 63 c0 a1 7a c0");
	assert_non_null(strstr(err, "unsupported attribute \"z\""));
	err = dec_err(a, t, "83 a1 61 01 a1 61 01 a1 63 c0");
	assert_non_null(strstr(err, "duplicate attribute \"a\""));
	/* A wrong type names the attribute path. */
	err = dec_err(a, t, "83 a1 61 a1 78 a1 62 a1 78 a1 63 c0");
	assert_non_null(strstr(err, "at a:"));

	/* Nested: object with a list of objects. */
	const co_type *inner = co_type_object(a, 1, (const char *[]){ "n" },
	    (const co_type *[]){ &co_type_number });
	const co_type *outer = co_type_object(a, 1, (const char *[]){ "rule" },
	    (const co_type *[]){ co_type_list(a, inner) });
	roundtrip(a, outer, "81 a4 72 75 6c 65 92 81 a1 6e 05 81 a1 6e d4 00 00");
	err = dec_err(a, outer, "81 a4 72 75 6c 65 92 81 a1 6e 05 81 a1 6e c2");
	assert_non_null(strstr(err, "at rule[1].n:"));

	/* Empty object type. */
	const co_type *empty = co_type_object(a, 0, NULL, NULL);
	roundtrip(a, empty, "80");
	dec_err(a, empty, "81 a1 61 c0");
}

struct num_case {
	double num;
	const char *hex;
};

static void test_numbers(void **state)
{
	co_arena *a = *state;
	static const struct num_case cases[] = {
		{ 0, "00" }, { 1, "01" }, { 127, "7f" }, { 128, "cc 80" },
		{ 255, "cc ff" }, { 256, "cd 01 00" }, { 65535, "cd ff ff" },
		{ 65536, "ce 00 01 00 00" }, { 70000, "ce 00 01 11 70" },
		{ 4294967296.0, "cf 00 00 00 01 00 00 00 00" },
		{ -1, "ff" }, { -32, "e0" }, { -33, "d0 df" },
		{ -128, "d0 80" }, { -129, "d1 ff 7f" },
		{ -32768, "d1 80 00" }, { -32769, "d2 ff ff 7f ff" },
		{ -2147483649.0, "d3 ff ff ff ff 7f ff ff ff" },
		{ -9223372036854775808.0, "d3 80 00 00 00 00 00 00 00" },
		{ 1.5, "cb 3f f8 00 00 00 00 00 00" },
		{ -0.25, "cb bf d0 00 00 00 00 00 00" },
		{ 9223372036854775808.0, "cb 43 e0 00 00 00 00 00 00" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		co_value *n = co_value_number(a, cases[i].num);
		assert_string_equal(enc_hex(a, &co_type_number, n), cases[i].hex);
		co_value *d = dec_hex(a, &co_type_number, cases[i].hex);
		assert_true(d->num == cases[i].num);
		assert_true(co_value_equal(n, d));
	}
	/* -0 is the integer 0. */
	assert_string_equal(enc_hex(a, &co_type_number,
	    co_value_number(a, -0.0)), "00");

	/* Non-compact integer forms decode too. */
	int64_t iv;
	assert_true(co_value_int(dec_hex(a, &co_type_number, "d0 05"), &iv));
	assert_int_equal(iv, 5);
	assert_true(co_value_int(dec_hex(a, &co_type_number,
	    "cf 00 00 00 00 00 00 00 07"), &iv));
	assert_int_equal(iv, 7);
	co_value *f = dec_hex(a, &co_type_number, "ca 3f c0 00 00");
	assert_true(f->num == 1.5);

	/* cty's decimal text: 0.1 is not a double, so it travels as text. */
	co_value *v = dec_hex(a, &co_type_number, "a3 30 2e 31");
	assert_string_equal(v->num_text, "0.1");
	assert_true(v->num == 0.1);
	assert_string_equal(enc_hex(a, &co_type_number, v), "a3 30 2e 31");
	/* 2^64 + 1 is neither an int64 nor a double: it stays text. */
	roundtrip(a, &co_type_number,
	    "b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 37");
	v = dec_hex(a, &co_type_number,
	    "b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 37");
	assert_string_equal(v->num_text, "18446744073709551617");
	assert_true(v->num == 18446744073709551616.0);
	assert_false(co_value_int(v, &iv));
	/* 2^64 itself is an exact double, which cty's marshal.go sends as
	 * float64 before it would fall back to text. */
	v = dec_hex(a, &co_type_number,
	    "b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 36");
	assert_true(v->num == 18446744073709551616.0);
	assert_string_equal(enc_hex(a, &co_type_number, v),
	    "cb 43 f0 00 00 00 00 00 00");
	/* uint64 max is not an int64 nor a double: text, as cty sends it. */
	assert_string_equal(enc_hex(a, &co_type_number, dec_hex(a,
	    &co_type_number, "cf ff ff ff ff ff ff ff ff")),
	    "b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 35");
	/* 2^53 + 1 keeps its exact value and goes back as an integer. */
	v = dec_hex(a, &co_type_number, "cf 00 20 00 00 00 00 00 01");
	assert_true(co_value_int(v, &iv));
	assert_int_equal(iv, 9007199254740993LL);
	assert_string_equal(enc_hex(a, &co_type_number, v),
	    "cf 00 20 00 00 00 00 00 01");
	/* Text that is an exact double is just that number. */
	assert_string_equal(enc_hex(a, &co_type_number,
	    dec_hex(a, &co_type_number, "a1 35")), "05");
	assert_string_equal(enc_hex(a, &co_type_number,
	    dec_hex(a, &co_type_number, "a3 31 65 33")), "cd 03 e8");
	assert_string_equal(enc_hex(a, &co_type_number,
	    dec_hex(a, &co_type_number, "a3 31 2e 35")),
	    "cb 3f f8 00 00 00 00 00 00");
	assert_true(co_value_equal(dec_hex(a, &co_type_number, "a1 35"),
	    co_value_number(a, 5)));

	dec_err(a, &co_type_number, "a3 61 62 63");
	dec_err(a, &co_type_number, "a0");
	dec_err(a, &co_type_number, "a2 31 65");
	dec_err(a, &co_type_number, "cb 7f f8 00 00 00 00 00 01"); /* NaN */
	dec_err(a, &co_type_number, "c3");
	/* Infinity is a cty number. */
	v = dec_hex(a, &co_type_number, "cb 7f f0 00 00 00 00 00 00");
	assert_true(v->num > 1e308);
	assert_string_equal(enc_hex(a, &co_type_number, v),
	    "cb 7f f0 00 00 00 00 00 00");
}

static void test_strings_bools(void **state)
{
	co_arena *a = *state;
	roundtrip(a, &co_type_string, "a0");
	roundtrip(a, &co_type_string, "a2 68 69");
	co_value *v = dec_hex(a, &co_type_string, "c4 02 68 69");
	assert_string_equal(co_value_str(v), "hi");
	v = dec_hex(a, &co_type_string, "da 00 02 68 69");
	assert_int_equal(v->str_len, 2);
	/* 32 bytes need str8, as vmihailenco writes it. */
	char s32[33];
	memset(s32, 'x', 32);
	s32[32] = '\0';
	const char *hex = enc_hex(a, &co_type_string, co_value_string(a, s32));
	assert_memory_equal(hex, "d9 20 78", 8);
	roundtrip(a, &co_type_bool, "c3");
	roundtrip(a, &co_type_bool, "c2");
	roundtrip(a, &co_type_bool, "c0");
	dec_err(a, &co_type_bool, "01");
	dec_err(a, &co_type_string, "01");
	dec_err(a, &co_type_string, "c3");
}

static void test_collections(void **state)
{
	co_arena *a = *state;
	const co_type *mt = co_type_map(a, &co_type_number);
	co_value *m = co_value_collection(a, mt);
	co_value_map_put(a, m, "zeta", co_value_number(a, 1));
	co_value_map_put(a, m, "alpha", co_value_number(a, 2));
	co_value_map_put(a, m, "mid", co_value_number(a, 3));
	co_value_map_put(a, m, "alpha", co_value_number(a, 4));
	assert_int_equal(m->count, 3);
	assert_string_equal(enc_hex(a, mt, m),
	    "83 a5 61 6c 70 68 61 04 a3 6d 69 64 03 a4 7a 65 74 61 01");
	/* Decoded keys in any order come out sorted; a later duplicate
	 * wins, as in a Go map. */
	co_value *v = dec_hex(a, mt, "83 a1 62 01 a1 61 02 a1 62 03");
	assert_int_equal(v->count, 2);
	assert_string_equal(enc_hex(a, mt, v), "82 a1 61 02 a1 62 03");
	assert_true(co_value_num(co_value_map_get(v, "b"), &(double){ 0 }));
	dec_err(a, mt, "81 01 01");
	dec_err(a, mt, "81 c4 02 61 00 01"); /* NUL in key */

	const co_type *st = co_type_set(a, &co_type_string);
	v = dec_hex(a, st, "94 a1 61 a1 62 a1 61 a1 62");
	assert_int_equal(v->count, 2);
	assert_string_equal(enc_hex(a, st, v), "92 a1 61 a1 62");
	/* Unknown elements are never merged. */
	v = dec_hex(a, st, "93 d4 00 00 d4 00 00 a1 61");
	assert_int_equal(v->count, 3);
	co_value *s = co_value_collection(a, st);
	co_value_append(a, s, co_value_string(a, "x"));
	co_value_append(a, s, co_value_string(a, "x"));
	co_value_append(a, s, co_value_string(a, "y"));
	assert_int_equal(s->count, 2);

	const co_type *lt = co_type_list(a, &co_type_string);
	v = dec_hex(a, lt, "92 a1 61 a1 61");
	assert_int_equal(v->count, 2);
	roundtrip(a, lt, "90");
	roundtrip(a, lt, "92 a1 61 c0");

	const co_type *tt = co_type_tuple(a, 2,
	    (const co_type *[]){ &co_type_string, &co_type_number });
	roundtrip(a, tt, "92 a1 61 01");
	dec_err(a, tt, "91 a1 61");
	dec_err(a, tt, "93 a1 61 01 01");
	dec_err(a, tt, "92 01 a1 61");
}

static void test_malformed(void **state)
{
	co_arena *a = *state;
	const co_type *lt = co_type_list(a, &co_type_string);
	const co_type *mt = co_type_map(a, &co_type_string);
	/* Huge declared lengths with nothing behind them. */
	dec_err(a, lt, "dd ff ff ff ff");
	dec_err(a, lt, "dc ff ff");
	dec_err(a, mt, "df ff ff ff ff");
	dec_err(a, &co_type_string, "db ff ff ff ff");
	dec_err(a, &co_type_string, "c6 7f ff ff ff 61");
	dec_err(a, &co_type_string, "c9 ff ff ff ff 0c");
	dec_err(a, &co_type_dynamic, "92 db ff ff ff ff");
	/* Trailing bytes and empty input. */
	dec_err(a, &co_type_string, "a1 61 00");
	dec_err(a, &co_type_string, "");
	/* Reserved byte c1. */
	dec_err(a, &co_type_string, "c1");

	/* Every strict prefix of a valid nested value fails cleanly. */
	const co_type *inner = co_type_object(a, 2, (const char *[]){ "k", "s" },
	    (const co_type *[]){ co_type_map(a, &co_type_number),
		co_type_set(a, &co_type_dynamic) });
	const co_type *t = co_type_object(a, 2, (const char *[]){ "l", "u" },
	    (const co_type *[]){ co_type_list(a, inner), &co_type_string });
	const char *full = "82 a1 6c 91 82 a1 6b 81 a1 78 cb 3f f8 00 00 00 00 "
	    "00 00 a1 73 91 92 c4 08 22 73 74 72 69 6e 67 22 a2 68 69 "
	    "a1 75 c7 07 0c 82 01 c2 02 a2 61 62";
	roundtrip(a, t, full);
	uint8_t bytes[256];
	size_t n = unhex(bytes, sizeof(bytes), full);
	for (size_t i = 0; i < n; i++) {
		co_value *v;
		const char *err;
		uint8_t *copy = malloc(i ? i : 1);
		memcpy(copy, bytes, i);
		assert_int_equal(co_msgpack_decode(a, t, copy, i, &v, &err), -1);
		free(copy);
	}

	/* Nesting deeper than 64 levels is refused, not recursed into. */
	const co_type *deep = &co_type_string;
	for (int i = 0; i < 70; i++)
		deep = co_type_list(a, deep);
	uint8_t nest[80];
	memset(nest, 0x91, 70);
	nest[70] = 0xa0;
	co_value *v;
	const char *err;
	assert_int_equal(co_msgpack_decode(a, deep, nest, 71, &v, &err), -1);
	assert_non_null(strstr(err, "nested"));
	/* And through dynamic wrappers. */
	co_buf b;
	co_buf_init(&b, 0);
	for (int i = 0; i < 70; i++)
		co_buf_append(&b, "\x92\xc4\x09\"dynamic\"", 12);
	co_buf_append(&b, "\xc0", 1);
	assert_int_equal(co_msgpack_decode(a, &co_type_dynamic,
	    (const uint8_t *)b.data, b.len, &v, &err), -1);
	co_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_refined_vectors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_refined_decode,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_any_ext, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dynamic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings_bools, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_collections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
