/* The cty JSON codec: DynamicValue.json and UpgradeResourceState's
 * RawState.json (plugin-protocol.md §4.3, §5.6). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "value/value.h"

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

static const co_type *ty(co_arena *a, const char *json)
{
	const char *err;
	const co_type *t = co_type_from_json(a, json, strlen(json), &err);
	assert_non_null(t);
	return t;
}

static const char *enc(co_arena *a, const co_type *t, const co_value *v)
{
	co_buf b;
	co_buf_init(&b, 0);
	assert_int_equal(co_json_encode(&b, t, v), 0);
	char *s = co_arena_strdup(a, co_buf_cstr(&b));
	co_buf_free(&b);
	return s;
}

static co_value *dec(co_arena *a, const co_type *t, const char *json)
{
	co_value *v = NULL;
	const char *err = NULL;
	if (co_json_decode(a, t, json, strlen(json), &v, &err) != 0)
		fail_msg("decode of %s failed: %s", json, err);
	return v;
}

static const char *dec_err(co_arena *a, const co_type *t, const char *json)
{
	co_value *v = (co_value *)1;
	const char *err = NULL;
	if (co_json_decode(a, t, json, strlen(json), &v, &err) != -1)
		fail_msg("accepted %s", json);
	assert_null(v);
	assert_non_null(err);
	return err;
}

static const char *msgpack_hex(co_arena *a, const co_type *t,
    const co_value *v)
{
	co_buf b;
	co_buf_init(&b, 0);
	assert_int_equal(co_msgpack_encode(&b, t, v), 0);
	char *s = co_arena_alloc(a, b.len * 3 + 1);
	for (size_t i = 0; i < b.len; i++)
		sprintf(s + i * 3, i + 1 < b.len ? "%02x " : "%02x",
		    (unsigned char)b.data[i]);
	co_buf_free(&b);
	return s;
}

struct fmt_case {
	double num;
	const char *text;
};

static void test_number_format(void **state)
{
	co_arena *a = *state;
	static const struct fmt_case cases[] = {
		{ 0, "0" }, { -0.0, "0" }, { 1, "1" }, { -42, "-42" },
		{ 1.5, "1.5" }, { 0.1, "0.1" }, { 1.0 / 3, "0.3333333333333333" },
		{ 1e21, "1000000000000000000000" }, { 1e-7, "0.0000001" },
		{ 123456.789, "123456.789" },
		{ 9007199254740992.0, "9007199254740992" },
		/* Shortest digits, then zeros: Go's Text('f', -1) does the same. */
		{ 9223372036854775808.0, "9223372036854776000" },
		{ 1.7976931348623157e308, "17976931348623157" },
		{ 5e-324, "0." },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[400];
		assert_int_equal(co_number_format(buf, sizeof(buf),
		    cases[i].num), 0);
		assert_null(strchr(buf, 'e'));
		/* Huge and tiny ones: check the prefix only. */
		assert_memory_equal(buf, cases[i].text, strlen(cases[i].text));
		if (fabs(cases[i].num) < 1e300 && fabs(cases[i].num) > 1e-300)
			assert_string_equal(buf, cases[i].text);
		assert_true(strtod(buf, NULL) == cases[i].num);
		assert_string_equal(enc(a, &co_type_number,
		    co_value_number(a, cases[i].num)), buf);
	}
	char buf[400];
	assert_int_equal(co_number_format(buf, sizeof(buf), INFINITY), -1);
	assert_int_equal(co_number_format(buf, sizeof(buf), NAN), -1);
	assert_int_equal(co_number_format(buf, 4, 123456.0), -1);
	co_buf b;
	co_buf_init(&b, 0);
	assert_int_equal(co_json_encode(&b, &co_type_number,
	    co_value_number(a, INFINITY)), -1);
	co_buf_free(&b);
}

static void test_encode(void **state)
{
	co_arena *a = *state;
	const co_type *t = ty(a, "[\"object\",{\"s\":\"string\",\"n\":\"number\","
	    "\"b\":\"bool\",\"l\":[\"list\",\"string\"],\"m\":[\"map\",\"number\"],"
	    "\"t\":[\"tuple\",[\"bool\",\"string\"]],\"d\":\"dynamic\","
	    "\"z\":[\"set\",\"number\"]}]");
	co_value *o = co_value_object(a, t);
	co_value_set_attr(o, "s", co_value_string(a, "q\"\\\n\xc3\xa9"));
	co_value_set_attr(o, "n", co_value_number_text(a, "0.1", 3));
	co_value_set_attr(o, "b", co_value_bool(a, true));
	co_value *l = co_value_collection(a, co_type_attr(t, "l"));
	co_value_append(a, l, co_value_string(a, "x"));
	co_value_append(a, l, co_value_null(a, &co_type_string));
	co_value_set_attr(o, "l", l);
	co_value *m = co_value_collection(a, co_type_attr(t, "m"));
	co_value_map_put(a, m, "y", co_value_number(a, 2));
	co_value_map_put(a, m, "x", co_value_number(a, -1.25));
	co_value_set_attr(o, "m", m);
	co_value *tu = co_value_collection(a, co_type_attr(t, "t"));
	co_value_append(a, tu, co_value_bool(a, false));
	co_value_append(a, tu, co_value_string(a, ""));
	co_value_set_attr(o, "t", tu);
	co_value_set_attr(o, "d", co_value_string(a, "hi"));
	const char *want = "{\"b\":true,\"d\":{\"value\":\"hi\",\"type\":\"string\"},"
	    "\"l\":[\"x\",null],\"m\":{\"x\":-1.25,\"y\":2},"
	    "\"n\":0.1,\"s\":\"q\\\"\\\\\\n\xc3\xa9\",\"t\":[false,\"\"],\"z\":null}";
	assert_string_equal(enc(a, t, o), want);
	/* And back: the decoded value is equal and prints the same. */
	co_value *back = dec(a, t, want);
	assert_true(co_value_equal(back, o));
	assert_string_equal(enc(a, t, back), want);

	assert_string_equal(enc(a, &co_type_dynamic,
	    co_value_null(a, &co_type_dynamic)), "null");
	co_buf b;
	co_buf_init(&b, 0);
	assert_int_equal(co_json_encode(&b, &co_type_string,
	    co_value_unknown(a, &co_type_string)), -1);
	co_buf_reset(&b);
	assert_int_equal(co_json_encode(&b, t, co_value_unknown(a, t)), -1);
	co_buf_reset(&b);
	/* Invalid UTF-8 cannot be written as JSON. */
	assert_int_equal(co_json_encode(&b, &co_type_string,
	    co_value_string(a, "\xff")), -1);
	co_buf_free(&b);
	/* num_text goes out verbatim. */
	assert_string_equal(enc(a, &co_type_number, co_value_number_text(a,
	    "123456789012345678901234567890", 30)),
	    "123456789012345678901234567890");
}

static void test_decode_state(void **state)
{
	co_arena *a = *state;
	const co_type *t = ty(a, "[\"object\",{\"id\":\"string\",\"size\":\"number\","
	    "\"tags\":[\"map\",\"string\"],\"rule\":[\"list\",[\"object\","
	    "{\"days\":\"number\",\"on\":\"bool\"}]]}]");
	/* Attributes may be left out, at any level: they become null. */
	co_value *v = dec(a, t, "{\"id\":\"x\",\"rule\":[{\"days\":30}]}");
	assert_string_equal(co_value_str(co_value_attr(v, "id")), "x");
	assert_true(co_value_attr(v, "size")->is_null);
	assert_true(co_value_attr(v, "tags")->is_null);
	co_value *rule = co_value_attr(v, "rule");
	assert_int_equal(rule->count, 1);
	assert_true(co_value_attr(rule->items[0], "on")->is_null);
	/* The UpgradeResourceState path: JSON in, msgpack out with every
	 * attribute, sorted. */
	assert_string_equal(msgpack_hex(a, t, v),
	    "84 a2 69 64 a1 78 a4 72 75 6c 65 91 82 a4 64 61 79 73 1e a2 6f 6e "
	    "c0 a4 73 69 7a 65 c0 a4 74 61 67 73 c0");

	const char *err = dec_err(a, t, "{\"id\":\"x\",\"gone\":1}");
	assert_non_null(strstr(err, "unsupported attribute \"gone\""));
	err = dec_err(a, t, "{\"rule\":[{\"days\":1},{\"days\":\"x\"}]}");
	assert_non_null(strstr(err, "at rule[1].days"));
	err = dec_err(a, t, "{\"rule\":[{\"dayz\":1}]}");
	assert_non_null(strstr(err, "dayz"));
	dec_err(a, t, "{\"id\":\"x\"");
	dec_err(a, t, "[]");
	dec_err(a, t, "");
	dec_err(a, t, "{\"id\":[\"x\"]}");
	dec_err(a, t, "{\"tags\":{\"a\":1.5e999}}");
	v = dec(a, t, "null");
	assert_true(v->is_null);
}

static void test_decode_numbers(void **state)
{
	co_arena *a = *state;
	const co_type *n = &co_type_number;
	co_value *v = dec(a, n, "0.1");
	assert_string_equal(v->num_text, "0.1");
	assert_true(v->num == 0.1);
	v = dec(a, n, "1.5");
	assert_null(v->num_text);
	assert_true(v->num == 1.5);
	v = dec(a, n, "9007199254740993");
	assert_string_equal(v->num_text, "9007199254740993");
	int64_t i;
	assert_true(co_value_int(v, &i));
	assert_int_equal(i, 9007199254740993LL);
	v = dec(a, n, "-9223372036854775808");
	assert_true(co_value_int(v, &i));
	assert_true(i == INT64_MIN);
	/* Beyond long long: still a number, rounded to the nearest double. */
	v = dec(a, n, "18446744073709551616");
	assert_true(v->num == 18446744073709551616.0);
	v = dec(a, n, "1e3");
	assert_null(v->num_text);
	assert_string_equal(enc(a, n, v), "1000");
	v = dec(a, n, "\"0.25\"");
	assert_true(v->num == 0.25);
	dec_err(a, n, "\"abc\"");
	dec_err(a, n, "true");
	dec_err(a, n, "[1]");

	/* cty converts primitives given for a string or bool. */
	assert_string_equal(co_value_str(dec(a, &co_type_string, "12")), "12");
	assert_string_equal(co_value_str(dec(a, &co_type_string, "true")), "true");
	assert_true(co_value_bool_or(dec(a, &co_type_bool, "\"true\""), false));
	dec_err(a, &co_type_bool, "\"yes\"");
	dec_err(a, &co_type_bool, "1");
	dec_err(a, &co_type_string, "{}");
	/* A string with a NUL is kept whole. */
	v = dec(a, &co_type_string, "\"a\\u0000b\"");
	assert_int_equal(v->str_len, 3);
}

static void test_decode_collections(void **state)
{
	co_arena *a = *state;
	const co_type *st = ty(a, "[\"set\",\"string\"]");
	co_value *v = dec(a, st, "[\"b\",\"a\",\"b\"]");
	assert_int_equal(v->count, 2);
	const co_type *mt = ty(a, "[\"map\",\"bool\"]");
	v = dec(a, mt, "{\"z\":true,\"a\":false}");
	assert_string_equal(v->keys[0], "a");
	assert_string_equal(enc(a, mt, v), "{\"a\":false,\"z\":true}");
	dec_err(a, mt, "{\"a\\u0000b\":true}");
	const co_type *tt = ty(a, "[\"tuple\",[\"string\",\"number\"]]");
	assert_string_equal(enc(a, tt, dec(a, tt, "[\"a\",1]")), "[\"a\",1]");
	dec_err(a, tt, "[\"a\"]");
	dec_err(a, tt, "[\"a\",1,2]");
	dec_err(a, ty(a, "[\"list\",\"string\"]"), "{}");

	const co_type *d = &co_type_dynamic;
	v = dec(a, d, "{\"type\":[\"list\",\"string\"],\"value\":[\"x\"]}");
	assert_int_equal(v->type->kind, CO_T_LIST);
	assert_string_equal(enc(a, d, v),
	    "{\"value\":[\"x\"],\"type\":[\"list\",\"string\"]}");
	assert_string_equal(msgpack_hex(a, d, v),
	    "92 c4 11 5b 22 6c 69 73 74 22 2c 22 73 74 72 69 6e 67 22 5d 91 a1 78");
	assert_true(dec(a, d, "null")->is_null);
	dec_err(a, d, "{\"value\":1}");
	dec_err(a, d, "{\"value\":1,\"type\":\"number\",\"x\":1}");
	dec_err(a, d, "{\"value\":1,\"type\":\"numbr\"}");
	dec_err(a, d, "\"x\"");

	/* Deep nesting is refused. */
	const co_type *deep = &co_type_string;
	for (int k = 0; k < 70; k++)
		deep = co_type_list(a, deep);
	char json[200] = "";
	for (int k = 0; k < 70; k++)
		strcat(json, "[");
	for (int k = 0; k < 70; k++)
		strcat(json, "]");
	assert_non_null(strstr(dec_err(a, deep, json), "nested"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_number_format, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_encode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_decode_numbers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_decode_collections, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
