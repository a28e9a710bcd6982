/* UpgradeResourceState through the real dispatch: the stored JSON state is
 * read against the current schema. An attribute that a later costops no
 * longer has must be dropped, not refused, or every plan after such an
 * upgrade fails (terraform-plugin-framework passes
 * IgnoreUndefinedAttributes for the same reason; SDKv2 removes them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tfplugin6.pb-c.h"

#include "provider/framework/framework.h"
#include "provider/runtime/dispatch.h"

static Tfplugin6__UpgradeResourceState__Response *upgrade(const char *type,
    int64_t version, const char *json)
{
	Tfplugin6__UpgradeResourceState__Request req =
	    TFPLUGIN6__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__RawState raw = TFPLUGIN6__RAW_STATE__INIT;
	raw.json.data = (uint8_t *)json;
	raw.json.len = strlen(json);
	req.type_name = (char *)type;
	req.version = version;
	req.raw_state = &raw;
	size_t n = protobuf_c_message_get_packed_size(&req.base);
	uint8_t *buf = malloc(n ? n : 1);
	assert_non_null(buf);
	protobuf_c_message_pack(&req.base, buf);

	co_rpc_result res;
	memset(&res, 0, sizeof(res));
	co_buf_init(&res.body, 0);
	assert_true(co_dispatch("/tfplugin6.Provider/UpgradeResourceState",
	    buf, n, &res));
	assert_int_equal(res.status, 0);
	Tfplugin6__UpgradeResourceState__Response *out =
	    (Tfplugin6__UpgradeResourceState__Response *)
		protobuf_c_message_unpack(
		    &tfplugin6__upgrade_resource_state__response__descriptor,
		    NULL, res.body.len, (const uint8_t *)res.body.data);
	assert_non_null(out);
	co_buf_free(&res.body);
	free(buf);
	return out;
}

static void test_removed_attribute_is_dropped(void **state)
{
	(void)state;
	const co_resource *r = co_fw_find("costops_log_retention", false);
	assert_non_null(r);
	Tfplugin6__UpgradeResourceState__Response *out = upgrade(
	    "costops_log_retention", r->schema_version,
	    "{\"attribute_of_an_older_costops\":\"x\",\"id\":\"lg-1\","
	    "\"retention_in_days\":7}");
	for (size_t i = 0; i < out->n_diagnostics; i++)
		print_error("diagnostic: %s: %s\n", out->diagnostics[i]->summary,
		    out->diagnostics[i]->detail);
	assert_int_equal(out->n_diagnostics, 0);
	assert_non_null(out->upgraded_state);

	co_arena *a = co_arena_new();
	co_value *v = NULL;
	const char *err = NULL;
	assert_int_equal(co_msgpack_decode(a, co_schema_type(r->schema),
	    out->upgraded_state->msgpack.data, out->upgraded_state->msgpack.len,
	    &v, &err), 0);
	assert_string_equal(co_value_str(co_value_attr(v, "id")), "lg-1");
	int64_t days = 0;
	assert_true(co_value_int(co_value_attr(v, "retention_in_days"), &days));
	assert_int_equal(days, 7);
	co_arena_free(a);
	protobuf_c_message_free_unpacked(&out->base, NULL);
}

/* A value of the wrong type is still an error: only unknown names go. */
static void test_wrong_type_is_still_refused(void **state)
{
	(void)state;
	const co_resource *r = co_fw_find("costops_log_retention", false);
	Tfplugin6__UpgradeResourceState__Response *out = upgrade(
	    "costops_log_retention", r->schema_version,
	    "{\"id\":\"lg-1\",\"retention_in_days\":{\"a\":1}}");
	assert_int_equal(out->n_diagnostics, 1);
	assert_int_equal(out->diagnostics[0]->severity,
	    TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
	protobuf_c_message_free_unpacked(&out->base, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removed_attribute_is_dropped),
		cmocka_unit_test(test_wrong_type_is_still_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
