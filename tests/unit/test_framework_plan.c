/* Plan rules of the framework that Terraform enforces across plan and
 * apply (plugin-protocol.md 4.5), on a small test resource. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provider/framework/framework.h"

/* `zone` is chosen by AWS unless configured and cannot change in place,
 * like an availability zone. */
static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "id"},
	{.name = "size", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .description = "size"},
	{.name = "zone", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED | CO_FORCE_NEW,
	    .description = "zone"},
	{0},
};
static const co_block_schema schema = {.attrs = attrs, .description = "t"};

static int noop(co_ctx *c, const co_value *v, co_value **o)
{
	(void)c;
	(void)v;
	*o = NULL;
	return 0;
}

static const co_resource test_resource = {
	.type_name = "costops_test_plan",
	.schema = &schema,
	.create = noop,
	.read = noop,
	.del = noop,
};

/* An update of `size` with `zone` left to AWS: the zone cannot change in
 * place, so the plan keeps it (it is not "known after apply"), and above
 * all the update must not turn into a replacement: Terraform replaces
 * when a requires-replace path is unknown. */
static void test_update_keeps_unconfigured_force_new(void **state)
{
	(void)state;
	co_arena *a = co_arena_new();
	co_diags d;
	co_diags_init(&d, a);
	co_ctx ctx = {.arena = a, .diags = &d};

	co_value *cfg = co_schema_empty(a, &schema);
	co_value_set_attr(cfg, "size", co_value_number(a, 2));
	co_value *prior = co_schema_empty(a, &schema);
	co_value_set_attr(prior, "id", co_value_string(a, "r-1"));
	co_value_set_attr(prior, "size", co_value_number(a, 1));
	co_value_set_attr(prior, "zone", co_value_string(a, "eu-west-1b"));
	/* ProposedNew: config values, prior ones for computed nulls. */
	co_value *proposed = co_value_copy(a, cfg);
	co_value_set_attr(proposed, "id", co_value_string(a, "r-1"));
	co_value_set_attr(proposed, "zone", co_value_string(a, "eu-west-1b"));

	co_plan p;
	co_fw_plan(&ctx, &test_resource, prior, proposed, cfg, &p);
	assert_false(co_diags_has_error(&d));
	assert_int_equal(p.n_replace, 0);
	const co_value *zone = co_value_attr(p.planned, "zone");
	assert_false(zone->is_unknown);
	assert_string_equal(co_value_str(zone), "eu-west-1b");

	/* Configuring another zone still replaces. */
	co_value_set_attr(cfg, "zone", co_value_string(a, "eu-west-1c"));
	co_value_set_attr(proposed, "zone", co_value_string(a, "eu-west-1c"));
	co_fw_plan(&ctx, &test_resource, prior, proposed, cfg, &p);
	assert_int_equal(p.n_replace, 1);
	co_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_keeps_unconfigured_force_new),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
