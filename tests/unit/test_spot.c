/* Unit tests for the Spot resources' pure logic: the waiter, the guards of
 * costops_spot_node_group / costops_spot_training_job /
 * costops_spot_interruption_manifests (through the framework's validate,
 * with attribute paths), YAML quoting, the Cluster Autoscaler release map
 * and the savings formula. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provider/framework/framework.h"
#include "provider/framework/wait.h"
#include "resources/spot.h"

extern const co_resource co_spot_node_group_resource;
extern const co_resource co_spot_training_job_resource;
extern const co_resource co_spot_interruption_manifests_data;

/* ---- fixtures ------------------------------------------------------------ */

typedef struct {
	co_arena *arena;
	co_diags diags;
	co_ctx ctx;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	f->arena = co_arena_new();
	co_diags_init(&f->diags, f->arena);
	f->ctx.arena = f->arena;
	f->ctx.diags = &f->diags;
	unsetenv("COSTOPS_POLL_INTERVAL_MS");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	co_arena_free(f->arena);
	free(f);
	return 0;
}

static const co_diag *find_diag(const fixture *f, co_diag_severity sev,
    const char *summary, const char *path)
{
	for (const co_diag *d = f->diags.head; d; d = d->next) {
		if (d->severity != sev || strcmp(d->summary, summary) != 0)
			continue;
		if (!path)
			return d;
		if (d->has_path &&
		    strcmp(co_path_string(f->arena, &d->path), path) == 0)
			return d;
	}
	return NULL;
}

static size_t count_diags(const fixture *f, co_diag_severity sev)
{
	size_t n = 0;
	for (const co_diag *d = f->diags.head; d; d = d->next)
		n += d->severity == sev;
	return n;
}

static void validate_json(fixture *f, const co_resource *r, const char *json)
{
	const char *err = NULL;
	co_value *v = NULL;
	assert_int_equal(co_json_decode(f->arena, co_schema_type(r->schema),
			     json, strlen(json), &v, &err),
	    0);
	co_fw_validate(&f->ctx, r, v);
}

/* ---- the waiter ------------------------------------------------------------ */

typedef struct {
	int pending_polls;     /* PENDING answers before the final one */
	co_wait_state final;
	int polls;
	long clock;            /* fake monotonic time */
	int fail_sleep_after;  /* cancel on this sleep (0: never) */
	int sleeps;
	bool poll_error;
} fake;

static int fake_poll(co_ctx *ctx, co_wait_state *state, const char **status,
    void *payload)
{
	fake *fk = payload;
	fk->polls++;
	fk->clock += 5; /* a poll takes time too */
	if (fk->poll_error) {
		co_diag_error(ctx->diags, NULL, "AWS said no", "x");
		return -1;
	}
	if (fk->pending_polls-- > 0) {
		*state = CO_WAIT_PENDING;
		*status = "CREATING";
	} else {
		*state = fk->final;
		*status = fk->final == CO_WAIT_DONE ? "ACTIVE" : "CREATE_FAILED";
	}
	return 0;
}

static int fake_sleep(long ms, void *payload)
{
	fake *fk = payload;
	fk->sleeps++;
	if (fk->fail_sleep_after && fk->sleeps >= fk->fail_sleep_after)
		return -1;
	fk->clock += ms;
	return 0;
}

static long fake_now(void *payload)
{
	return ((fake *)payload)->clock;
}

static co_waiter make_waiter(fake *fk, long timeout_ms)
{
	co_waiter w = {
	    .what = "node group x to become ACTIVE",
	    .timeout_attr = "timeouts.create",
	    .timeout_ms = timeout_ms,
	    .interval_ms = 1000,
	    .log_every = 2,
	    .poll = fake_poll,
	    .payload = fk,
	    .sleep_ms = fake_sleep,
	    .now_ms = fake_now,
	    .clock_payload = fk,
	};
	return w;
}

static void test_wait_until_done(void **state)
{
	fixture *f = *state;
	fake fk = {.pending_polls = 3, .final = CO_WAIT_DONE};
	co_waiter w = make_waiter(&fk, 60000);
	int polls = 0;
	const char *last = NULL;
	assert_int_equal(co_wait(&f->ctx, &w, &polls, &last), 0);
	assert_int_equal(polls, 4);
	assert_int_equal(fk.sleeps, 3);
	assert_string_equal(last, "ACTIVE");
	assert_int_equal(f->diags.errors, 0);
}

static void test_wait_timeout(void **state)
{
	fixture *f = *state;
	fake fk = {.pending_polls = 1000, .final = CO_WAIT_DONE};
	co_waiter w = make_waiter(&fk, 3500);
	int polls = 0;
	assert_int_equal(co_wait(&f->ctx, &w, &polls, NULL), -1);
	/* Polls at 0, ~1 s, ~2 s, ~3 s and at the deadline (the last sleep
	 * is cut to what is left): never past the timeout. */
	assert_int_equal(polls, 5);
	assert_true(fk.clock <= 3500 + 5);
	const co_diag *d = find_diag(f, CO_DIAG_ERROR, "Timed out", NULL);
	assert_non_null(d);
	assert_non_null(strstr(d->detail, "timeouts.create"));
	assert_non_null(strstr(d->detail, "CREATING"));
}

static void test_wait_failed_state(void **state)
{
	fixture *f = *state;
	fake fk = {.pending_polls = 1, .final = CO_WAIT_FAILED};
	co_waiter w = make_waiter(&fk, 60000);
	assert_int_equal(co_wait(&f->ctx, &w, NULL, NULL), -1);
	const co_diag *d = find_diag(f, CO_DIAG_ERROR, "Operation failed", NULL);
	assert_non_null(d);
	assert_non_null(strstr(d->detail, "CREATE_FAILED"));
}

static void test_wait_gone(void **state)
{
	fixture *f = *state;
	fake fk = {.pending_polls = 2, .final = CO_WAIT_GONE};
	co_waiter w = make_waiter(&fk, 60000);
	w.gone_is_done = true; /* a delete wait */
	assert_int_equal(co_wait(&f->ctx, &w, NULL, NULL), 0);
	assert_int_equal(f->diags.errors, 0);

	fake fk2 = {.pending_polls = 0, .final = CO_WAIT_GONE};
	co_waiter w2 = make_waiter(&fk2, 60000);
	assert_int_equal(co_wait(&f->ctx, &w2, NULL, NULL), -1);
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Object disappeared", NULL));
}

static void test_wait_cancel_and_poll_error(void **state)
{
	fixture *f = *state;
	fake fk = {.pending_polls = 10, .final = CO_WAIT_DONE,
	    .fail_sleep_after = 2};
	co_waiter w = make_waiter(&fk, 60000);
	assert_int_equal(co_wait(&f->ctx, &w, NULL, NULL), -1);
	assert_int_equal(fk.polls, 2);
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Cancelled", NULL));

	fake fk2 = {.poll_error = true};
	co_waiter w2 = make_waiter(&fk2, 60000);
	assert_int_equal(co_wait(&f->ctx, &w2, NULL, NULL), -1);
	assert_int_equal(fk2.polls, 1);
}

static void test_wait_interval_override(void **state)
{
	(void)state;
	assert_int_equal(co_wait_interval_ms(15000), 15000);
	setenv("COSTOPS_POLL_INTERVAL_MS", "20", 1);
	assert_int_equal(co_wait_interval_ms(15000), 20);
	setenv("COSTOPS_POLL_INTERVAL_MS", "soon", 1);
	assert_int_equal(co_wait_interval_ms(15000), 15000);
	unsetenv("COSTOPS_POLL_INTERVAL_MS");
	assert_int_equal(co_wait_interval_ms(0), 10000);
}

/* ---- node group guards -------------------------------------------------------- */

#define NG_BASE                                                              \
	"\"cluster_name\":\"retail-forecast-cluster\","                     \
	"\"name\":\"retail-forecast-nodes\","                               \
	"\"node_role_arn\":\"arn:aws:iam::123456789012:role/nodes\","       \
	"\"subnet_ids\":[\"subnet-a\"],"

static void test_ng_seed_config_is_clean(void **state)
{
	fixture *f = *state;
	validate_json(f, &co_spot_node_group_resource,
	    "{" NG_BASE "\"instance_types\":[\"t3.medium\",\"t3a.medium\","
	    "\"t2.medium\"],\"min_size\":2,\"max_size\":5,\"desired_size\":2,"
	    "\"labels\":{\"app\":\"retail-api\"}}");
	assert_int_equal(f->diags.errors, 0);
	assert_int_equal(count_diags(f, CO_DIAG_WARNING), 0);
}

static void test_ng_scaling_guards(void **state)
{
	fixture *f = *state;
	validate_json(f, &co_spot_node_group_resource,
	    "{" NG_BASE "\"instance_types\":[\"t3.medium\",\"t3a.medium\","
	    "\"t2.medium\"],\"min_size\":3,\"max_size\":2,\"desired_size\":1}");
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "min_size above max_size",
	    "min_size"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR,
	    "desired_size below min_size", "desired_size"));

	fixture *g = f;
	co_diags_init(&g->diags, g->arena);
	validate_json(g, &co_spot_node_group_resource,
	    "{" NG_BASE "\"instance_types\":[\"t3.medium\",\"t3a.medium\","
	    "\"t2.medium\"],\"min_size\":0,\"max_size\":0,\"desired_size\":0}");
	/* EKS rejects maxSize < 1. */
	assert_non_null(find_diag(g, CO_DIAG_ERROR, "Value out of range",
	    "max_size"));

	co_diags_init(&g->diags, g->arena);
	validate_json(g, &co_spot_node_group_resource,
	    "{" NG_BASE "\"instance_types\":[\"t3.medium\",\"t3a.medium\","
	    "\"t2.medium\"],\"min_size\":1,\"max_size\":3,\"desired_size\":4}");
	assert_non_null(find_diag(g, CO_DIAG_ERROR,
	    "desired_size above max_size", "desired_size"));

	co_diags_init(&g->diags, g->arena);
	validate_json(g, &co_spot_node_group_resource,
	    "{" NG_BASE "\"instance_types\":[\"t3.medium\",\"t3a.medium\","
	    "\"t2.medium\"],\"min_size\":1,\"max_size\":3,\"desired_size\":1.5}");
	assert_non_null(find_diag(g, CO_DIAG_ERROR, "Not a whole number",
	    "desired_size"));
}

static void test_ng_diversification_and_names(void **state)
{
	fixture *f = *state;
	validate_json(f, &co_spot_node_group_resource,
	    "{\"cluster_name\":\"-bad\",\"name\":\"x y\","
	    "\"node_role_arn\":\"nodes\",\"subnet_ids\":[],"
	    "\"instance_types\":[\"t3.medium\",\"t3.medium\"],"
	    "\"min_size\":1,\"max_size\":2,\"desired_size\":1,"
	    "\"capacity_type\":\"ON_DEMAND\","
	    "\"labels\":{\"app\":\"-x-\"},"
	    "\"taint\":[{\"key\":\"\",\"effect\":\"NEVER\"}]}");
	assert_non_null(find_diag(f, CO_DIAG_WARNING,
	    "Few instance types for Spot", "instance_types"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Duplicate instance type",
	    "instance_types[1]"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid value",
	    "capacity_type"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid cluster name",
	    "cluster_name"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid node group name",
	    "name"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Not an IAM role ARN",
	    "node_role_arn"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "No subnets", "subnet_ids"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid label value",
	    "labels[\"app\"]"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid taint key",
	    "taint[0].key"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid value",
	    "taint[0].effect"));
}

static void test_ng_unknowns_are_skipped(void **state)
{
	fixture *f = *state;
	/* Values known only after apply must not trip the guards. */
	const co_type *t = co_schema_type(co_spot_node_group_resource.schema);
	co_value *v = co_value_object(f->arena, t);
	co_value_set_attr(v, "min_size", co_value_number(f->arena, 3));
	co_value_set_attr(v, "max_size",
	    co_value_unknown(f->arena, &co_type_number));
	co_value_set_attr(v, "desired_size", co_value_number(f->arena, 9));
	co_value_set_attr(v, "instance_types",
	    co_value_unknown(f->arena, co_type_list(f->arena, &co_type_string)));
	co_fw_validate(&f->ctx, &co_spot_node_group_resource, v);
	assert_int_equal(f->diags.errors, 0);
	assert_int_equal(count_diags(f, CO_DIAG_WARNING), 0);
}

/* ---- training job guards --------------------------------------------------------- */

#define TJ_BASE                                                              \
	"\"image\":\"123456789012.dkr.ecr.us-east-1.amazonaws.com/f:1\","   \
	"\"role_arn\":\"arn:aws:iam::123456789012:role/sm\","               \
	"\"input_s3_uri\":\"s3://b/train\","                                \
	"\"output_s3_uri\":\"s3://b/output\","                              \
	"\"instance_type\":\"ml.m5.large\","

static void test_tj_guards(void **state)
{
	fixture *f = *state;
	validate_json(f, &co_spot_training_job_resource,
	    "{" TJ_BASE "\"max_runtime_seconds\":3600,"
	    "\"max_wait_seconds\":3000}");
	assert_non_null(find_diag(f, CO_DIAG_ERROR,
	    "max_wait_seconds below max_runtime_seconds", "max_wait_seconds"));
	const co_diag *w = find_diag(f, CO_DIAG_WARNING,
	    "No checkpoint location", "checkpoint_s3_uri");
	assert_non_null(w);
	assert_non_null(strstr(w->detail, "from the beginning"));
	assert_non_null(strstr(w->detail, "billable time grows"));

	co_diags_init(&f->diags, f->arena);
	validate_json(f, &co_spot_training_job_resource,
	    "{" TJ_BASE "\"max_runtime_seconds\":3600,"
	    "\"max_wait_seconds\":3900,"
	    "\"checkpoint_s3_uri\":\"s3://b/checkpoints\"}");
	assert_int_equal(f->diags.errors, 0);
	assert_int_equal(count_diags(f, CO_DIAG_WARNING), 0);

	co_diags_init(&f->diags, f->arena);
	validate_json(f, &co_spot_training_job_resource,
	    "{\"name\":\"job-\",\"name_prefix\":\"x\","
	    "\"image\":\"i\",\"role_arn\":\"r\",\"input_s3_uri\":\"b/train\","
	    "\"output_s3_uri\":\"s3:///x\",\"instance_type\":\"m5.large\","
	    "\"max_runtime_seconds\":3000000,\"max_wait_seconds\":3000000,"
	    "\"checkpoint_s3_uri\":\"s3://b/c\"}");
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Conflicting arguments",
	    "name_prefix"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid training job name",
	    "name"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Not an S3 URI",
	    "input_s3_uri"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Not an S3 URI",
	    "output_s3_uri"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR,
	    "Not a SageMaker instance type", "instance_type"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Not an IAM role ARN",
	    "role_arn"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Value out of range",
	    "max_runtime_seconds"));
}

static void test_savings_formula(void **state)
{
	(void)state;
	/* The API reference's own example: billable 100 of 500 s is 80 %. */
	assert_true(co_spot_savings_percent(500, 100) == 80.0);
	assert_true(co_spot_savings_percent(3000, 1000) == 66.67);
	assert_true(co_spot_savings_percent(100, 100) == 0.0);
	assert_true(co_spot_savings_percent(0, 0) == 0.0);
	assert_true(co_spot_savings_percent(-1, 5) == 0.0);
}

/* ---- manifests ------------------------------------------------------------------ */

static void test_dns1123_and_label_values(void **state)
{
	(void)state;
	assert_true(co_spot_dns1123_label("retail-forecast"));
	assert_true(co_spot_dns1123_label("a"));
	assert_false(co_spot_dns1123_label(""));
	assert_false(co_spot_dns1123_label("-a"));
	assert_false(co_spot_dns1123_label("a-"));
	assert_false(co_spot_dns1123_label("Retail"));
	assert_false(co_spot_dns1123_label("a_b"));
	assert_false(co_spot_dns1123_label("a.b"));
	char long_name[70];
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_false(co_spot_dns1123_label(long_name));
	long_name[63] = '\0';
	assert_true(co_spot_dns1123_label(long_name));

	assert_true(co_spot_label_value("retail-api"));
	assert_true(co_spot_label_value("Retail_API.v1"));
	assert_true(co_spot_label_value(""));
	assert_false(co_spot_label_value("-x"));
	assert_false(co_spot_label_value("a b"));
}

static void test_yaml_quote(void **state)
{
	(void)state;
	co_buf b;
	co_buf_init(&b, 1024);
	assert_int_equal(co_spot_yaml_quote(&b, "plain"), 0);
	assert_string_equal(co_buf_cstr(&b), "\"plain\"");
	co_buf_reset(&b);
	/* Everything YAML would read as syntax or a type is neutralised:
	 * quotes, backslashes, newlines (no injected keys), controls. */
	assert_int_equal(co_spot_yaml_quote(&b, "a\"b\\c\nkind: Secret\x01"), 0);
	assert_string_equal(co_buf_cstr(&b),
	    "\"a\\\"b\\\\c\\nkind: Secret\\x01\"");
	co_buf_reset(&b);
	assert_int_equal(co_spot_yaml_quote(&b, "yes"), 0);
	assert_string_equal(co_buf_cstr(&b), "\"yes\"");
	co_buf_free(&b);

	co_buf small;
	co_buf_init(&small, 4);
	assert_int_equal(co_spot_yaml_quote(&small, "far too long"), -1);
	co_buf_free(&small);
}

static void test_ca_versions(void **state)
{
	(void)state;
	assert_string_equal(co_spot_ca_version("1.29"), "1.29.5");
	assert_string_equal(co_spot_ca_version("1.29.3"), "1.29.5");
	assert_string_equal(co_spot_ca_version("v1.30"), "1.30.3");
	assert_string_equal(co_spot_ca_version("1.31"), "1.31.1");
	/* The minor always matches the cluster's. */
	static const char *const minors[] = {"1.23", "1.24", "1.25", "1.26",
	    "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34"};
	for (size_t i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		const char *v = co_spot_ca_version(minors[i]);
		assert_non_null(v);
		assert_int_equal(strncmp(v, minors[i], strlen(minors[i])), 0);
		assert_int_equal(v[strlen(minors[i])], '.');
	}
	assert_null(co_spot_ca_version("1.2"));
	assert_null(co_spot_ca_version("1.290"));
	assert_null(co_spot_ca_version("1.99"));
	assert_null(co_spot_ca_version("129"));
	assert_null(co_spot_ca_version(NULL));
}

static void test_manifest_guards(void **state)
{
	fixture *f = *state;
	validate_json(f, &co_spot_interruption_manifests_data,
	    "{\"cluster_name\":\"retail-forecast-cluster\","
	    "\"namespace\":\"retail-forecast\","
	    "\"app_label\":\"retail-forecast-api\",\"min_available\":\"1\","
	    "\"kubernetes_version\":\"1.29\"}");
	assert_int_equal(f->diags.errors, 0);

	co_diags_init(&f->diags, f->arena);
	validate_json(f, &co_spot_interruption_manifests_data,
	    "{\"cluster_name\":\"retail forecast\","
	    "\"namespace\":\"Retail\",\"app_label\":\"api_v1\","
	    "\"min_available\":\"150%\",\"kubernetes_version\":\"latest\","
	    "\"autoscaler_role_arn\":\"role\"}");
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid namespace",
	    "namespace"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid app label",
	    "app_label"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid min_available",
	    "min_available"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR,
	    "Invalid Kubernetes version", "kubernetes_version"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Invalid cluster name",
	    "cluster_name"));
	assert_non_null(find_diag(f, CO_DIAG_ERROR, "Not an IAM role ARN",
	    "autoscaler_role_arn"));

	co_diags_init(&f->diags, f->arena);
	validate_json(f, &co_spot_interruption_manifests_data,
	    "{\"cluster_name\":\"c\",\"namespace\":\"n\",\"app_label\":\"a\","
	    "\"min_available\":\"50%\",\"kubernetes_version\":\"1.29\","
	    "\"cluster_autoscaler_version\":\"1.30.3\"}");
	assert_non_null(find_diag(f, CO_DIAG_ERROR,
	    "Autoscaler does not match the cluster",
	    "cluster_autoscaler_version"));
	assert_null(find_diag(f, CO_DIAG_ERROR, "Invalid min_available", NULL));
}

static void test_schemas_check(void **state)
{
	(void)state;
	assert_int_equal(co_fw_check_schemas(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_wait_until_done, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wait_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wait_failed_state, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_wait_gone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wait_cancel_and_poll_error,
		setup, teardown),
	    cmocka_unit_test(test_wait_interval_override),
	    cmocka_unit_test_setup_teardown(test_ng_seed_config_is_clean, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_ng_scaling_guards, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_ng_diversification_and_names,
		setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ng_unknowns_are_skipped, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_tj_guards, setup, teardown),
	    cmocka_unit_test(test_savings_formula),
	    cmocka_unit_test(test_dns1123_and_label_values),
	    cmocka_unit_test(test_yaml_quote),
	    cmocka_unit_test(test_ca_versions),
	    cmocka_unit_test_setup_teardown(test_manifest_guards, setup,
		teardown),
	    cmocka_unit_test(test_schemas_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
