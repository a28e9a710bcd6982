/* costops_teardown's pure logic: tag matching and the protect tag, names
 * from ARNs, deletion order, list caps, the S3 DeleteObjects body (batch
 * limit, XML escaping, read back with the XML parser) and the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resources/teardown.h"

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

static void test_parse_tag(void **state)
{
	co_arena *a = *state;
	co_td_tag t;
	assert_int_equal(co_td_parse_tag(a, "costops:protect=true", &t), 0);
	assert_string_equal(t.key, "costops:protect");
	assert_string_equal(t.value, "true");
	/* Only the first '=' splits: values may hold '='. */
	assert_int_equal(co_td_parse_tag(a, "k=v=w", &t), 0);
	assert_string_equal(t.key, "k");
	assert_string_equal(t.value, "v=w");
	/* An empty value is a valid tag value. */
	assert_int_equal(co_td_parse_tag(a, "k=", &t), 0);
	assert_string_equal(t.value, "");
	assert_int_equal(co_td_parse_tag(a, "=v", &t), -1);
	assert_int_equal(co_td_parse_tag(a, "novalue", &t), -1);
	assert_int_equal(co_td_parse_tag(a, NULL, &t), -1);
}

static void test_tags_object_forms(void **state)
{
	(void)state;
	/* Tagging API / SageMaker / Scheduler: [{"Key","Value"}]. */
	json_t *in = json_loads("[{\"Key\":\"Project\",\"Value\":\"R\"},"
				"{\"Key\":\"x\"}]",
	    0, NULL);
	json_t *o = co_td_tags_object(in);
	assert_string_equal(json_string_value(json_object_get(o, "Project")),
	    "R");
	assert_string_equal(json_string_value(json_object_get(o, "x")), "");
	json_decref(o);
	json_decref(in);
	/* Logs and ECR (lower case) and EKS (an object). */
	in = json_loads("[{\"key\":\"a\",\"value\":\"b\"}]", 0, NULL);
	o = co_td_tags_object(in);
	assert_string_equal(json_string_value(json_object_get(o, "a")), "b");
	json_decref(o);
	json_decref(in);
	in = json_loads("{\"a\":\"b\",\"n\":1}", 0, NULL);
	o = co_td_tags_object(in);
	assert_int_equal(json_object_size(o), 1);
	json_decref(o);
	json_decref(in);
	o = co_td_tags_object(NULL);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
}

static void test_match_and_protect(void **state)
{
	co_arena *a = *state;
	co_td_tag filter[] = {{"Project", "RetailMLOps"}, {"env", "dev"}};
	co_td_selection sel = {.filter = filter, .n_filter = 2};
	co_td_parse_tag(a, "costops:protect=true", &sel.protect);
	json_t *both = json_pack("{s:s, s:s, s:s}", "Project", "RetailMLOps",
	    "env", "dev", "owner", "x");
	json_t *one = json_pack("{s:s}", "Project", "RetailMLOps");
	json_t *wrong = json_pack("{s:s, s:s}", "Project", "Other", "env", "dev");
	json_t *prot = json_pack("{s:s, s:s, s:s}", "Project", "RetailMLOps",
	    "env", "dev", "costops:protect", "true");
	json_t *notprot = json_pack("{s:s}", "costops:protect", "false");
	/* Every pair must match. */
	assert_true(co_td_tags_match(&sel, both));
	assert_false(co_td_tags_match(&sel, one));
	assert_false(co_td_tags_match(&sel, wrong));
	assert_true(co_td_tags_match(&sel, prot));
	assert_true(co_td_tags_protected(&sel, prot));
	assert_false(co_td_tags_protected(&sel, both));
	assert_false(co_td_tags_protected(&sel, notprot));
	assert_false(co_td_tags_protected(&sel, NULL));
	/* An empty filter selects nothing by tags. */
	co_td_selection none = {0};
	assert_false(co_td_tags_match(&none, both));
	json_decref(both);
	json_decref(one);
	json_decref(wrong);
	json_decref(prot);
	json_decref(notprot);
}

static void test_names(void **state)
{
	co_arena *a = *state;
	const char *pv[] = {"retail-forecast", ""};
	co_td_strs prefixes = {pv, 2};
	assert_true(co_td_has_prefix(&prefixes, "retail-forecast-endpoint"));
	/* An empty prefix never matches everything. */
	assert_false(co_td_has_prefix(&prefixes, "other"));
	const char *nv[] = {"retail-forecast"};
	co_td_strs names = {nv, 1};
	assert_true(co_td_contains(&names, "retail-forecast"));
	assert_false(co_td_contains(&names, "retail-forecast-2"));

	assert_string_equal(co_td_arn_bucket(a, "arn:aws:s3:::retail-data"),
	    "retail-data");
	assert_null(co_td_arn_bucket(a, "arn:aws:s3:::retail-data/key"));
	assert_null(co_td_arn_bucket(a, "arn:aws:sns:us-east-1:1:t"));
	assert_null(co_td_arn_bucket(a, "arn:aws:s3:::"));
	assert_string_equal(co_td_arn_log_group(a,
				"arn:aws:logs:us-east-1:1:log-group:/aws/a/b:*"),
	    "/aws/a/b");
	assert_string_equal(co_td_arn_log_group(a,
				"arn:aws:logs:us-east-1:1:log-group:/aws/a/b"),
	    "/aws/a/b");
	assert_null(co_td_arn_log_group(a, "arn:aws:logs:us-east-1:1:other"));
	assert_null(co_td_arn_log_group(a, NULL));
}

static void test_deletion_order(void **state)
{
	co_arena *a = *state;
	/* Pairs (before, after) the AWS APIs impose. */
	static const char *const before_after[][2] = {
	    {"sagemaker_endpoint", "sagemaker_endpoint_config"},
	    {"sagemaker_endpoint_config", "sagemaker_model"},
	    {"scheduler_schedule", "scheduler_schedule_group"},
	    {"elbv2_load_balancer", "elbv2_target_group"},
	    {"eks_nodegroup", "eks_cluster"},
	    {"ecr_images", "ecr_repository"},
	    {"s3_objects", "s3_bucket"},
	};
	for (size_t i = 0; i < sizeof(before_after) / sizeof(before_after[0]);
	     i++)
		assert_true(co_td_kind_rank(before_after[i][0]) <
			    co_td_kind_rank(before_after[i][1]));
	assert_int_equal(co_td_kind_rank("bogus"), co_td_n_kinds);
	for (size_t i = 0; i < co_td_n_kinds; i++)
		assert_non_null(co_td_kinds[i].del);

	co_td_list l = {0};
	co_td_list_add(a, &l, "bogus", "z", NULL, NULL);
	co_td_list_add(a, &l, "s3_bucket", "b", "arn:aws:s3:::b", NULL);
	co_td_list_add(a, &l, "eks_cluster", "c", "", NULL);
	co_td_list_add(a, &l, "s3_objects", "b", "arn:aws:s3:::b", NULL);
	co_td_list_add(a, &l, "eks_nodegroup", "c/n2", "", NULL);
	co_td_list_add(a, &l, "eks_nodegroup", "c/n1", "", NULL);
	co_td_list_add(a, &l, "sagemaker_endpoint", "e", "", NULL);
	co_td_list_sort(&l);
	const char *want[][2] = {{"sagemaker_endpoint", "e"},
	    {"eks_nodegroup", "c/n1"}, {"eks_nodegroup", "c/n2"},
	    {"eks_cluster", "c"}, {"s3_objects", "b"}, {"s3_bucket", "b"},
	    {"bogus", "z"}};
	assert_int_equal(l.n, 7);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(l.items[i].type, want[i][0]);
		assert_string_equal(l.items[i].name, want[i][1]);
	}
	assert_int_equal(co_td_list_find(&l, "s3_bucket", "b"), 5);
	assert_int_equal(co_td_list_find(&l, "s3_bucket", "c"), -1);
	/* A NULL arn is stored as "", never NULL (state must be known). */
	assert_string_equal(l.items[6].arn, "");
}

static void test_list_cap(void **state)
{
	co_arena *a = *state;
	co_td_list l = {0};
	for (int i = 0; i < CO_TD_MAX_ITEMS; i++)
		assert_int_equal(co_td_list_add(a, &l, "t", "n", "", NULL), 0);
	assert_int_equal(co_td_list_add(a, &l, "t", "n", "", NULL), -1);
	assert_int_equal(l.n, CO_TD_MAX_ITEMS);
}

static void test_s3_delete_body(void **state)
{
	(void)state;
	co_td_version v[] = {{"raw/a.csv", NULL},
	    {"tmp/x & <y>\"'.txt", "3HL4kqtJvjVBH40Nrjfkd"},
	    {"silver/p", "null"}};
	co_buf b;
	co_buf_init(&b, 1 << 20);
	assert_int_equal(co_td_s3_delete_body(&b, v, 3), 0);
	/* Read back with the same parser the client uses: escaping holds. */
	co_xml *x = co_xml_parse(b.data, b.len);
	assert_non_null(x);
	assert_string_equal(co_xml_text(x, "Delete/Quiet"), "true");
	const co_xml *del = co_xml_find(x, "Delete");
	size_t n = 0;
	for (const co_xml *o = del->child; o; o = o->next) {
		if (strcmp(o->name, "Object") != 0)
			continue;
		assert_string_equal(co_xml_text(o, "Key"), v[n].key);
		if (v[n].version_id)
			assert_string_equal(co_xml_text(o, "VersionId"),
			    v[n].version_id);
		else
			assert_null(co_xml_find(o, "VersionId"));
		n++;
	}
	assert_int_equal(n, 3);
	co_xml_free(x);
	co_buf_free(&b);

	/* 1,000 keys is the most one DeleteObjects takes. */
	co_td_version *many = calloc(CO_TD_S3_BATCH + 1, sizeof(*many));
	for (size_t i = 0; i <= CO_TD_S3_BATCH; i++)
		many[i].key = "k";
	co_buf_init(&b, 1 << 20);
	assert_int_equal(co_td_s3_delete_body(&b, many, CO_TD_S3_BATCH), 0);
	co_buf_reset(&b);
	assert_int_equal(co_td_s3_delete_body(&b, many, CO_TD_S3_BATCH + 1),
	    -1);
	co_buf_free(&b);
	/* A buffer cap is honoured, not overrun. */
	co_buf_init(&b, 256);
	assert_int_equal(co_td_s3_delete_body(&b, many, 100), -1);
	co_buf_free(&b);
	free(many);
}

static void test_report(void **state)
{
	co_arena *a = *state;
	co_td_outcome o;
	memset(&o, 0, sizeof(o));
	o.id = "Project=RetailMLOps";
	o.result = "failed";
	co_td_list_add(a, &o.deleted, "s3_bucket", "b1", "arn:aws:s3:::b1", NULL);
	co_td_list_add(a, &o.failed, "sagemaker_model", "m", "",
	    "ValidationException: no");
	co_td_list_add(a, &o.remaining, "sagemaker_model", "m", "",
	    "ValidationException: no");
	co_td_list_add(a, &o.protect, "s3_bucket", "keep", "", NULL);
	json_t *r = co_td_report_json(&o);
	assert_string_equal(json_string_value(json_object_get(r, "result")),
	    "failed");
	assert_int_equal(json_array_size(json_object_get(r, "deleted")), 1);
	json_t *f = json_array_get(json_object_get(r, "failed"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "error")),
	    "ValidationException: no");
	assert_int_equal(json_array_size(json_object_get(r, "protected")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "skipped")), 0);
	json_decref(r);

	const char *s = co_td_summary(a, &o, 4096);
	assert_non_null(strstr(s, "1 deleted, 1 failed, 1 remaining, 1 "
				  "protected"));
	assert_non_null(strstr(s, "Failed: sagemaker_model m"));
	/* The cap holds; the counts come first and survive it. */
	for (int i = 0; i < 200; i++)
		co_td_list_add(a, &o.failed, "sagemaker_model", "a-long-name",
		    "", "ValidationException: something long went wrong");
	s = co_td_summary(a, &o, 1024);
	assert_true(strlen(s) < 1024);
	assert_non_null(strstr(s, "201 failed"));
}

/* ---- waiting: poll until gone, bounded by the deadline ---------------------- */

static int polls;

static int gone_at_once(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	(void)run;
	(void)it;
	(void)err;
	polls++;
	return 1;
}

static int never_gone(co_td_run *run, const co_td_item *it, co_aws_error *err)
{
	(void)run;
	(void)it;
	(void)err;
	polls++;
	return 0;
}

static int probe_fails(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	(void)run;
	(void)it;
	polls++;
	snprintf(err->code, sizeof(err->code), "AccessDeniedException");
	return -1;
}

static void test_wait_gone(void **state)
{
	(void)state;
	co_aws_client *aws = NULL;
	co_buf berr;
	co_buf_init(&berr, 4096);
	co_aws_config cfg = {.region = "us-east-1", .access_key = "AKID",
	    .secret_key = "secret", .max_retries = 0};
	assert_int_equal(co_aws_client_new(&aws, &cfg, &berr), 0);
	co_buf_free(&berr);
	co_td_run run = {.aws = aws};
	co_td_item it = {.type = "eks_nodegroup", .name = "c/n"};
	co_aws_error err = {0};

	polls = 0;
	run.deadline_ms = co_td_now_ms() + 60000;
	assert_int_equal(co_td_wait_gone(&run, &it, gone_at_once, &err), 0);
	assert_int_equal(polls, 1);

	polls = 0;
	assert_int_equal(co_td_wait_gone(&run, &it, probe_fails, &err), -1);
	assert_string_equal(err.code, "AccessDeniedException");
	assert_int_equal(polls, 1);

	/* The next sleep would pass the deadline: a Timeout naming it,
	 * without sleeping. */
	polls = 0;
	run.deadline_ms = co_td_now_ms() + 100;
	long t0 = co_td_now_ms();
	assert_int_equal(co_td_wait_gone(&run, &it, never_gone, &err), -1);
	assert_string_equal(err.code, "Timeout");
	assert_non_null(strstr(err.message, "EKS node group c/n"));
	assert_true(co_td_now_ms() - t0 < 1000);

	/* Cancelled (StopProvider) while waiting. */
	polls = 0;
	run.deadline_ms = co_td_now_ms() + 600000;
	co_aws_client_cancel(aws);
	assert_int_equal(co_td_wait_gone(&run, &it, never_gone, &err), -1);
	assert_string_equal(err.code, "RequestCanceled");
	assert_int_equal(polls, 1);
	co_aws_client_free(aws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_tag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tags_object_forms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_match_and_protect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deletion_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s3_delete_body, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test(test_wait_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
