/* The value model: constructors, accessors, equality, copy, sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

struct text_case {
	const char *in;
	const char *num_text; /* NULL: exact double, no text kept */
	double num;
};

static void test_number_text(void **state)
{
	co_arena *a = *state;
	static const struct text_case cases[] = {
		{ "0", NULL, 0 }, { "-0", NULL, 0 }, { "007", NULL, 7 },
		{ "1.50", NULL, 1.5 }, { "+2", NULL, 2 }, { ".5", NULL, 0.5 },
		{ "5.", NULL, 5 }, { "1e3", NULL, 1000 }, { "25E-2", NULL, 0.25 },
		{ "0.1", "0.1", 0.1 }, { "-0.10", "-0.1", -0.1 },
		{ "1e-1", "0.1", 0.1 }, { "0.0001e2", "0.01", 0.01 },
		{ "9007199254740993", "9007199254740993", 9007199254740992.0 },
		{ "123.456e1", "1234.56", 1234.56 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		co_value *v = co_value_number_text(a, cases[i].in,
		    strlen(cases[i].in));
		if (!v)
			fail_msg("refused %s", cases[i].in);
		if (cases[i].num_text)
			assert_string_equal(v->num_text, cases[i].num_text);
		else if (v->num_text)
			fail_msg("%s kept text %s", cases[i].in, v->num_text);
		assert_true(v->num == cases[i].num);
	}
	static const char *bad[] = { "", "-", ".", "e5", "1e", "1e+", "0x10",
		"1.2.3", "1 ", " 1", "inf", "NaN", "--1", "1e99999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (co_value_number_text(a, bad[i], strlen(bad[i])))
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* The length is honoured: "12" out of "123". */
	assert_true(co_value_number_text(a, "123", 2)->num == 12);
}

static void test_accessors(void **state)
{
	co_arena *a = *state;
	int64_t i;
	double d;
	assert_true(co_value_int(co_value_number(a, -7), &i));
	assert_int_equal(i, -7);
	assert_false(co_value_int(co_value_number(a, 1.5), &i));
	assert_false(co_value_int(co_value_number(a, 9223372036854775808.0), &i));
	assert_false(co_value_int(co_value_null(a, &co_type_number), &i));
	assert_false(co_value_int(co_value_string(a, "1"), &i));
	assert_false(co_value_num(co_value_unknown(a, &co_type_number), &d));
	assert_true(co_value_num(co_value_number(a, 2.5), &d));
	assert_true(d == 2.5);
	assert_null(co_value_str(co_value_null(a, &co_type_string)));
	assert_null(co_value_str(NULL));
	assert_string_equal(co_value_str(co_value_stringn(a, "abc", 2)), "ab");
	assert_true(co_value_bool_or(NULL, true));
	assert_false(co_value_bool_or(co_value_bool(a, false), true));
	assert_false(co_value_is_set(co_value_unknown(a, &co_type_bool)));

	const co_type *t = co_type_object(a, 2, (const char *[]){ "x", "m" },
	    (const co_type *[]){ &co_type_string,
		co_type_map(a, &co_type_string) });
	co_value *o = co_value_object(a, t);
	assert_true(co_value_attr(o, "x")->is_null);
	assert_null(co_value_attr(o, "nope"));
	assert_null(co_value_attr(co_value_null(a, t), "x"));
	co_value *m = co_value_collection(a, co_type_attr(t, "m"));
	for (int k = 99; k >= 0; k--) {
		char key[8];
		snprintf(key, sizeof(key), "k%02d", k);
		co_value_map_put(a, m, key, co_value_string(a, key));
	}
	co_value_map_put(a, m, "k50", co_value_string(a, "replaced"));
	assert_int_equal(m->count, 100);
	for (size_t k = 1; k < m->count; k++)
		assert_true(strcmp(m->keys[k - 1], m->keys[k]) < 0);
	assert_string_equal(co_value_str(co_value_map_get(m, "k50")), "replaced");
	assert_null(co_value_map_get(m, "k100"));
	co_value_set_attr(o, "m", m);
	assert_ptr_equal(co_value_attr(o, "m"), m);

	assert_false(co_value_has_unknown(o));
	co_value_map_put(a, m, "u", co_value_unknown(a, &co_type_string));
	assert_true(co_value_has_unknown(o));
	assert_true(co_value_has_unknown(co_value_unknown(a, t)));
	assert_false(co_value_has_unknown(co_value_null(a, t)));
}

static co_value *strset(co_arena *a, const co_type *st, int from, int to,
    int step)
{
	co_value *s = co_value_collection(a, st);
	for (int k = from; k != to; k += step) {
		char buf[16];
		snprintf(buf, sizeof(buf), "e%d", k);
		co_value_append(a, s, co_value_string(a, buf));
	}
	return s;
}

static void test_equal(void **state)
{
	co_arena *a = *state;
	const co_type *n = &co_type_number;
	assert_true(co_value_equal(co_value_null(a, n), co_value_null(a, n)));
	assert_false(co_value_equal(co_value_null(a, n),
	    co_value_null(a, &co_type_string)));
	assert_true(co_value_equal(co_value_unknown(a, n), co_value_unknown(a, n)));
	co_value *ru = co_value_unknown(a, n);
	ru->refine.not_null = true;
	assert_true(co_value_equal(ru, co_value_unknown(a, n)));
	assert_false(co_value_equal(co_value_unknown(a, n), co_value_null(a, n)));
	assert_false(co_value_equal(co_value_unknown(a, n), co_value_number(a, 1)));
	assert_true(co_value_equal(co_value_number_text(a, "5", 1),
	    co_value_number(a, 5.0)));
	assert_true(co_value_equal(co_value_number_text(a, "0.1", 3),
	    co_value_number(a, 0.1)));
	assert_true(co_value_equal(co_value_number_text(a, "0.10", 4),
	    co_value_number_text(a, "0.1", 3)));
	assert_false(co_value_equal(co_value_number_text(a, "9007199254740993", 16),
	    co_value_number_text(a, "9007199254740995", 16)));
	assert_false(co_value_equal(co_value_string(a, "a"),
	    co_value_stringn(a, "a\0", 2)));

	/* Sets compare as sets: big enough to take the hashed path. */
	const co_type *st = co_type_set(a, &co_type_string);
	co_value *up = strset(a, st, 0, 200, 1);
	co_value *down = strset(a, st, 199, -1, -1);
	assert_int_equal(up->count, 200);
	assert_true(co_value_equal(up, down));
	co_value *other = strset(a, st, 1, 201, 1);
	assert_false(co_value_equal(up, other));
	const co_type *lt = co_type_list(a, &co_type_string);
	co_value *l1 = co_value_collection(a, lt);
	co_value *l2 = co_value_collection(a, lt);
	co_value_append(a, l1, co_value_string(a, "a"));
	co_value_append(a, l1, co_value_string(a, "b"));
	co_value_append(a, l2, co_value_string(a, "b"));
	co_value_append(a, l2, co_value_string(a, "a"));
	assert_false(co_value_equal(l1, l2));
	/* Sets of sets. */
	const co_type *sst = co_type_set(a, st);
	co_value *ss1 = co_value_collection(a, sst);
	co_value *ss2 = co_value_collection(a, sst);
	co_value_append(a, ss1, up);
	co_value_append(a, ss1, other);
	co_value_append(a, ss1, down); /* equal to up: merged */
	co_value_append(a, ss2, other);
	co_value_append(a, ss2, down);
	assert_int_equal(ss1->count, 2);
	assert_true(co_value_equal(ss1, ss2));

	/* set_from keeps the first of duplicates, in input order. */
	co_value **items = co_arena_alloc(a, 5 * sizeof(*items));
	const char *in[] = { "c", "a", "c", "b", "a" };
	for (int k = 0; k < 5; k++)
		items[k] = co_value_string(a, in[k]);
	co_value *s = co_value_set_from(a, st, items, 5);
	assert_int_equal(s->count, 3);
	assert_string_equal(s->items[0]->str, "c");
	assert_string_equal(s->items[1]->str, "a");
	assert_string_equal(s->items[2]->str, "b");
}

static void test_copy(void **state)
{
	co_arena *a = co_arena_new();
	co_arena *keep = *state;
	const char *err;
	const char *tj = "[\"object\",{\"d\":\"dynamic\",\"m\":[\"map\",\"number\"],"
	    "\"s\":[\"set\",\"string\"],\"u\":\"string\"}]";
	const co_type *t = co_type_from_json(a, tj, strlen(tj), &err);
	const char *json = "{\"d\":{\"value\":[\"x\",1],\"type\":[\"tuple\","
	    "[\"string\",\"number\"]]},\"m\":{\"a\":0.1,\"b\":2},\"s\":[\"q\"]}";
	co_value *v;
	assert_int_equal(co_json_decode(a, t, json, strlen(json), &v, &err), 0);
	co_value *u = co_value_unknown(a, &co_type_string);
	u->refine.string_prefix = co_arena_strdup(a, "pre");
	co_value_set_attr(v, "u", u);
	co_value *c = co_value_copy(keep, v);
	assert_true(co_value_equal(c, v));
	co_buf before;
	co_buf_init(&before, 0);
	assert_int_equal(co_msgpack_encode(&before, t, v), 0);
	/* The copy must not point into the freed arena (ASan checks). */
	co_arena_free(a);
	co_buf after;
	co_buf_init(&after, 0);
	assert_int_equal(co_msgpack_encode(&after, c->type, c), 0);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.data, after.data, before.len);
	assert_string_equal(co_value_attr(c, "u")->refine.string_prefix, "pre");
	co_buf_free(&before);
	co_buf_free(&after);
	assert_null(co_value_copy(keep, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_number_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accessors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
