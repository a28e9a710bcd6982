/* The implied-type cache of the framework: every RPC asks for the type of
 * its resource's schema, so the answer must be computed once per schema
 * table, whatever the number of resources registered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provider/framework/framework.h"

/* Startup checks every schema (filling the cache with attribute types),
 * then each RPC asks for its resource's block type. A second ask must
 * return the cached type, not build (and keep, in a process-long arena)
 * a new one: otherwise memory grows with every RPC. */
static void test_every_schema_type_is_cached(void **state)
{
	(void)state;
	assert_int_equal(co_fw_check_schemas(), 0);
	size_t n = 0;
	for (const co_resource *const *r = co_registry; *r; r++, n++) {
		const co_type *first = co_schema_type((*r)->schema);
		assert_non_null(first);
		const co_type *again = co_schema_type((*r)->schema);
		if (first != again)
			fail_msg("the type of %s is rebuilt on every call",
			    (*r)->type_name);
	}
	assert_true(n > 0);
	assert_ptr_equal(co_schema_type(&co_provider_schema),
	    co_schema_type(&co_provider_schema));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_schema_type_is_cached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
