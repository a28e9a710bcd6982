/* cty types: constructors, comparison and type JSON (go-cty cty/json.go). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

static const co_type *parse(co_arena *a, const char *json)
{
	const char *err = NULL;
	const co_type *t = co_type_from_json(a, json, strlen(json), &err);
	if (!t)
		fail_msg("parse of %s failed: %s", json, err);
	return t;
}

static const char *print(const co_type *t)
{
	static char text[1024];
	co_buf b;
	co_buf_init(&b, 0);
	assert_int_equal(co_type_to_json(&b, t), 0);
	assert_true(b.len < sizeof(text));
	memcpy(text, co_buf_cstr(&b), b.len + 1);
	co_buf_free(&b);
	return text;
}

static void test_canonical_roundtrip(void **state)
{
	co_arena *a = *state;
	static const char *canonical[] = {
		"\"string\"", "\"number\"", "\"bool\"", "\"dynamic\"",
		"[\"list\",\"string\"]",
		"[\"set\",[\"map\",\"number\"]]",
		"[\"object\",{}]",
		"[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"bool\"]}]",
		"[\"tuple\",[]]",
		"[\"tuple\",[\"string\",[\"object\",{\"x\":\"dynamic\"}]]]",
		"[\"map\",[\"object\",{\"A\":\"number\",\"a\":\"number\","
		    "\"b_c\":[\"set\",\"string\"]}]]",
	};
	for (size_t i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
		assert_string_equal(print(parse(a, canonical[i])), canonical[i]);
}

static void test_normalizes(void **state)
{
	co_arena *a = *state;
	/* Keys come out sorted bytewise, whitespace goes. */
	assert_string_equal(print(parse(a,
	    " [ \"object\" , { \"zeta\" : \"bool\", \"Zeta\": \"string\","
	    " \"alpha\" : \"number\" } ] ")),
	    "[\"object\",{\"Zeta\":\"string\",\"alpha\":\"number\","
	    "\"zeta\":\"bool\"}]");
	/* The optional-attributes list of a type constraint is accepted and
	 * dropped. */
	assert_string_equal(print(parse(a,
	    "[\"object\",{\"b\":\"number\",\"a\":\"string\"},[\"b\"]]")),
	    "[\"object\",{\"a\":\"string\",\"b\":\"number\"}]");
	/* Attribute names are escaped. */
	const co_type *t = co_type_object(a, 1, (const char *[]){ "a\"b" },
	    (const co_type *[]){ &co_type_string });
	assert_string_equal(print(t), "[\"object\",{\"a\\\"b\":\"string\"}]");
	assert_string_equal(print(parse(a, print(t))), print(t));
}

static void test_malformed(void **state)
{
	co_arena *a = *state;
	static const char *bad[] = {
		"", "string", "\"str\"", "42", "{}", "[]", "null",
		"[\"list\"]", "[\"list\",\"string\",\"x\"]", "[\"list\",\"nope\"]",
		"[\"object\",[]]", "[\"object\",{\"a\":1}]",
		"[\"object\",{\"a\":\"string\"},\"b\"]",
		"[\"object\",{\"a\":\"string\",\"a\":\"number\"}]",
		"[\"tuple\",{}]", "[\"tuple\",[\"string\"],1]",
		"[\"capsule\",\"x\"]", "[1,\"string\"]", "[\"list\",\"string\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *err = NULL;
		const co_type *t = co_type_from_json(a, bad[i], strlen(bad[i]),
		    &err);
		if (t)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(err);
	}
	/* Deep nesting is refused (the cap is 64). */
	char deep[2048] = "";
	for (int i = 0; i < 100; i++)
		strcat(deep, "[\"list\",");
	strcat(deep, "\"string\"");
	for (int i = 0; i < 100; i++)
		strcat(deep, "]");
	const char *err = NULL;
	assert_null(co_type_from_json(a, deep, strlen(deep), &err));
	assert_non_null(strstr(err, "deep"));
	/* The buffer is not read past len. */
	assert_non_null(co_type_from_json(a, "\"bool\"XYZ", 6, &err));
}

static void test_equal_and_attrs(void **state)
{
	co_arena *a = *state;
	const co_type *l1 = co_type_list(a, &co_type_string);
	const co_type *l2 = parse(a, "[\"list\",\"string\"]");
	assert_true(co_type_equal(l1, l2));
	assert_false(co_type_equal(l1, co_type_set(a, &co_type_string)));
	assert_false(co_type_equal(l1, co_type_list(a, &co_type_number)));
	const co_type *o1 = parse(a, "[\"object\",{\"a\":\"string\",\"b\":\"number\"}]");
	const co_type *o2 = co_type_object(a, 2, (const char *[]){ "b", "a" },
	    (const co_type *[]){ &co_type_number, &co_type_string });
	assert_true(co_type_equal(o1, o2));
	const co_type *o3 = co_type_object(a, 2, (const char *[]){ "b", "c" },
	    (const co_type *[]){ &co_type_number, &co_type_string });
	assert_false(co_type_equal(o1, o3));
	assert_false(co_type_equal(o1, parse(a, "[\"tuple\",[\"string\",\"number\"]]")));
	assert_int_equal(co_type_attr_index(o2, "a"), 0);
	assert_int_equal(co_type_attr_index(o2, "b"), 1);
	assert_int_equal(co_type_attr_index(o2, "c"), -1);
	assert_int_equal(co_type_attr_index(l1, "a"), -1);
	assert_ptr_equal(co_type_attr(o2, "b"), &co_type_number);
	assert_null(co_type_attr(o2, "zz"));

	/* A copy lives in its own arena. */
	co_arena *other = co_arena_new();
	const co_type *deep = parse(a, "[\"map\",[\"object\",{\"x\":[\"tuple\",[\"bool\"]]}]]");
	const co_type *c = co_type_copy(other, deep);
	assert_true(co_type_equal(c, deep));
	assert_ptr_not_equal(c, deep);
	assert_ptr_equal(co_type_copy(other, &co_type_string), &co_type_string);
	co_arena_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_canonical_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_normalizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equal_and_attrs, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
