/* The resource layer's common plan and validation logic, on a test resource
 * (no gRPC, no AWS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provider/framework/framework.h"

static const char *const colours[] = {"red", "green", NULL};

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "id"},
	{.name = "name", .type = "\"string\"", .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "name"},
	{.name = "size", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .description = "size", .has_min = true, .min = 1, .has_max = true,
	    .max = 10},
	{.name = "colour", .type = "\"string\"", .flags = CO_OPTIONAL | CO_COMPUTED,
	    .description = "colour", .default_json = "\"red\"", .one_of = colours},
	{.name = "status", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "status"},
	{0},
};

static const co_attr_schema item_attrs[] = {
	{.name = "n", .type = "\"number\"", .flags = CO_REQUIRED,
	    .description = "n", .has_max = true, .max = 5},
	{0},
};
static const co_block_schema item_block = {.attrs = item_attrs};
static const co_block_type_schema blocks[] = {
	{.name = "item", .nesting = CO_NEST_LIST, .block = &item_block},
	{0},
};
static const co_block_schema schema = {
	.attrs = attrs, .blocks = blocks, .description = "test"};

static int noop_create(co_ctx *c, const co_value *p, co_value **s)
{
	(void)c;
	(void)p;
	(void)s;
	return 0;
}
static int noop_read(co_ctx *c, const co_value *s, co_value **o)
{
	(void)c;
	*o = (co_value *)s;
	return 0;
}
static int noop_del(co_ctx *c, const co_value *s, co_value **r)
{
	(void)c;
	(void)s;
	(void)r;
	return 0;
}

static const co_resource test_resource = {
	.type_name = "costops_test",
	.schema = &schema,
	.create = noop_create,
	.read = noop_read,
	.del = noop_del,
};

struct fixture {
	co_arena *arena;
	co_diags diags;
	co_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->arena = co_arena_new();
	co_diags_init(&f->diags, f->arena);
	f->ctx.arena = f->arena;
	f->ctx.diags = &f->diags;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	co_arena_free(f->arena);
	free(f);
	return 0;
}

static co_value *config(struct fixture *f, const char *name, double size)
{
	co_value *v = co_schema_empty(f->arena, &schema);
	co_value_set_attr(v, "name", co_value_string(f->arena, name));
	if (size > 0)
		co_value_set_attr(v, "size", co_value_number(f->arena, size));
	return v;
}

static void test_create_defaults_and_unknowns(void **state)
{
	struct fixture *f = *state;
	co_value *cfg = config(f, "a", 3);
	co_plan p;
	co_fw_plan(&f->ctx, &test_resource, NULL, cfg, cfg, &p);
	assert_true(p.creating);
	assert_string_equal(co_value_str(co_value_attr(p.planned, "colour")),
	    "red");
	assert_true(co_value_attr(p.planned, "id")->is_unknown);
	assert_true(co_value_attr(p.planned, "status")->is_unknown);
	assert_int_equal(p.n_replace, 0);
	assert_false(co_diags_has_error(&f->diags));
}

static co_value *prior_of(struct fixture *f, co_value *cfg)
{
	co_value *prior = co_value_copy(f->arena, cfg);
	co_value_set_attr(prior, "id", co_value_string(f->arena, "id-1"));
	co_value_set_attr(prior, "status", co_value_string(f->arena, "ok"));
	co_value_set_attr(prior, "colour", co_value_string(f->arena, "red"));
	return prior;
}

static void test_no_change_keeps_computed(void **state)
{
	struct fixture *f = *state;
	co_value *cfg = config(f, "a", 3);
	co_value *prior = prior_of(f, cfg);
	/* What Terraform proposes: config values, prior computed ones. */
	co_value *proposed = co_value_copy(f->arena, prior);
	co_plan p;
	co_fw_plan(&f->ctx, &test_resource, prior, proposed, cfg, &p);
	assert_true(co_value_equal(p.planned, prior));
	assert_int_equal(p.n_replace, 0);
}

static void test_update_marks_computed_unknown_but_stable(void **state)
{
	struct fixture *f = *state;
	co_value *cfg = config(f, "a", 4);
	co_value *prior = prior_of(f, config(f, "a", 3));
	co_value *proposed = co_value_copy(f->arena, prior);
	co_value_set_attr(proposed, "size", co_value_number(f->arena, 4));
	co_plan p;
	co_fw_plan(&f->ctx, &test_resource, prior, proposed, cfg, &p);
	assert_string_equal(co_value_str(co_value_attr(p.planned, "id")), "id-1");
	assert_true(co_value_attr(p.planned, "status")->is_unknown);
	assert_int_equal(p.n_replace, 0);
}

static void test_force_new_requires_replace(void **state)
{
	struct fixture *f = *state;
	co_value *cfg = config(f, "b", 3);
	co_value *prior = prior_of(f, config(f, "a", 3));
	co_value *proposed = co_value_copy(f->arena, prior);
	co_value_set_attr(proposed, "name", co_value_string(f->arena, "b"));
	co_plan p;
	co_fw_plan(&f->ctx, &test_resource, prior, proposed, cfg, &p);
	assert_int_equal(p.n_replace, 1);
	assert_int_equal(p.replace[0].n, 1);
	assert_string_equal(p.replace[0].steps[0].name, "name");
}

static void test_validators_name_the_path(void **state)
{
	struct fixture *f = *state;
	co_value *cfg = config(f, "a", 11);
	co_value_set_attr(cfg, "colour", co_value_string(f->arena, "blue"));
	co_value *items = co_value_collection(f->arena,
	    co_type_attr(co_schema_type(&schema), "item"));
	for (int i = 0; i < 3; i++) {
		co_value *it = co_schema_empty(f->arena, &item_block);
		co_value_set_attr(it, "n", co_value_number(f->arena, i * 4));
		co_value_append(f->arena, items, it);
	}
	co_value_set_attr(cfg, "item", items);
	co_fw_validate(&f->ctx, &test_resource, cfg);
	assert_int_equal(f->diags.errors, 3);
	const co_diag *d = f->diags.head;
	assert_string_equal(co_path_string(f->arena, &d->path), "size");
	assert_non_null(strstr(d->detail, "between 1 and 10"));
	d = d->next;
	assert_string_equal(co_path_string(f->arena, &d->path), "colour");
	assert_non_null(strstr(d->detail, "\"red\", \"green\""));
	d = d->next;
	assert_string_equal(co_path_string(f->arena, &d->path), "item[2].n");
}

static void test_unknown_config_is_not_validated(void **state)
{
	struct fixture *f = *state;
	co_value *cfg = config(f, "a", 0);
	co_value_set_attr(cfg, "size",
	    co_value_unknown(f->arena, &co_type_number));
	co_fw_validate(&f->ctx, &test_resource, cfg);
	assert_int_equal(f->diags.errors, 0);
}

static void test_durations(void **state)
{
	(void)state;
	assert_int_equal(co_parse_duration_ms("90s"), 90000);
	assert_int_equal(co_parse_duration_ms("1h30m"), 5400000);
	assert_int_equal(co_parse_duration_ms("250ms"), 250);
	assert_int_equal(co_parse_duration_ms("soon"), -1);
	assert_int_equal(co_parse_duration_ms("10"), -1);
	assert_int_equal(co_parse_duration_ms("200h"), -1);
}

static void test_registry_schemas_are_valid(void **state)
{
	(void)state;
	assert_int_equal(co_fw_check_schemas(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_defaults_and_unknowns,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_change_keeps_computed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_update_marks_computed_unknown_but_stable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_force_new_requires_replace,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_validators_name_the_path,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unknown_config_is_not_validated, setup, teardown),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_registry_schemas_are_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
