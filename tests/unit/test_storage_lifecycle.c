/* Table-driven tests of the S3 lifecycle and Intelligent-Tiering checks
 * (resources/s3_lifecycle_rules.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "resources/s3_lifecycle_rules.h"

#define N(x) {.set = true, .v = (x)}
#define U {.unknown = true}
#define T(c) .transition[CO_S3_##c]
#define NC(c) .nc_transition[CO_S3_##c]

typedef struct collected {
	co_s3_finding f[32];
	size_t n;
} collected;

static void collect(const co_s3_finding *f, void *payload)
{
	collected *c = payload;
	if (c->n < sizeof(c->f) / sizeof(c->f[0]))
		c->f[c->n++] = *f;
}

typedef struct rule_case {
	const char *name;
	co_s3_rule rule;
	const char *code;  /* expected finding; NULL: none at all */
	const char *attr;  /* its attribute (NULL: the rule itself) */
	bool warning;
} rule_case;

/* The seed's five rules (§3.1) pass with only small-object warnings. */
static const rule_case rule_cases[] = {
    {"seed raw/ to Intelligent-Tiering",
	{.id = "raw", T(INTELLIGENT_TIERING) = N(30)}, "small_objects",
	"intelligent_tiering_after_days", true},
    {"seed artifacts/ Glacier IR 90 then Deep Archive 180",
	{.id = "a", T(GLACIER_IR) = N(90), T(DEEP_ARCHIVE) = N(180)},
	"small_objects", "glacier_ir_after_days", true},
    {"seed tmp/ expires after 7 days", {.id = "tmp", .n_tags = 1,
	.expire = N(7)}, NULL, NULL, false},
    {"big objects only: no warning",
	{.size_gt = N(131072), T(STANDARD_IA) = N(30), T(GLACIER) = N(60),
	    .expire = N(400)},
	NULL, NULL, false},
    {"archive only transition warns about overhead",
	{T(DEEP_ARCHIVE) = N(10)}, "small_objects", "deep_archive_after_days",
	true},
    {"transitions out of order", {T(GLACIER_IR) = N(200),
	T(STANDARD_IA) = N(300)}, "order", "glacier_ir_after_days", false},
    {"same day twice", {.size_gt = N(1e6), T(INTELLIGENT_TIERING) = N(30),
	T(GLACIER) = N(30)}, "order", "glacier_after_days", false},
    {"deep archive too soon after glacier",
	{.size_gt = N(1e6), T(GLACIER) = N(90), T(DEEP_ARCHIVE) = N(120)},
	"min_duration", "deep_archive_after_days", false},
    {"deep archive too soon after glacier ir",
	{.size_gt = N(1e6), T(GLACIER_IR) = N(30), T(DEEP_ARCHIVE) = N(119)},
	"min_duration", "deep_archive_after_days", false},
    {"glacier 30 days after standard-ia is fine",
	{.size_gt = N(1e6), T(STANDARD_IA) = N(30), T(GLACIER) = N(60)}, NULL,
	NULL, false},
    {"glacier under 30 days after standard-ia",
	{.size_gt = N(1e6), T(STANDARD_IA) = N(30), T(GLACIER) = N(45 - 16)},
	"order", "glacier_after_days", false},
    {"glacier 15 days after standard-ia",
	{.size_gt = N(1e6), T(STANDARD_IA) = N(40), T(GLACIER) = N(55)},
	"ia_gap", "glacier_after_days", false},
    {"one zone-ia to glacier ir is not a supported step",
	{.size_gt = N(1e6), T(ONEZONE_IA) = N(30), T(GLACIER_IR) = N(90)},
	"unsupported_transition", "glacier_ir_after_days", false},
    {"standard-ia before 30 days", {.size_gt = N(1e6),
	T(STANDARD_IA) = N(10)}, "range", "standard_ia_after_days", false},
    {"noncurrent one zone-ia before 30 days", {.size_gt = N(1e6),
	NC(ONEZONE_IA) = N(7)}, "range", "noncurrent_onezone_ia_after_days",
	false},
    {"expiration before the last transition",
	{.size_gt = N(1e6), T(GLACIER_IR) = N(90), .expire = N(60)},
	"expire_before_transition", "expire_after_days", false},
    {"expiration on the transition day",
	{.size_gt = N(1e6), T(INTELLIGENT_TIERING) = N(30), .expire = N(30)},
	"expire_before_transition", "expire_after_days", false},
    {"expiration inside deep archive's 180 days",
	{.size_gt = N(1e6), T(DEEP_ARCHIVE) = N(10), .expire = N(100)},
	"early_delete", "expire_after_days", true},
    {"noncurrent expiration before noncurrent transition",
	{.size_gt = N(1e6), NC(GLACIER) = N(60), .nc_expire = N(30)},
	"expire_before_transition", "noncurrent_expire_after_days", false},
    {"negative expiration", {.expire = N(-5)}, "negative",
	"expire_after_days", false},
    {"zero expiration", {.expire = N(0)}, "range", "expire_after_days",
	false},
    {"negative transition", {T(GLACIER) = N(-1)}, "negative",
	"glacier_after_days", false},
    {"fractional days", {.expire = N(1.5)}, "not_integer",
	"expire_after_days", false},
    {"negative multipart days", {.abort_mpu = N(-2)}, "negative",
	"abort_incomplete_multipart_upload_days", false},
    {"rule with no action", {.id = "x"}, "no_action", NULL, false},
    {"unknown action is not 'no action'", {.expire = U}, NULL, NULL, false},
    {"size range empty", {.size_gt = N(5000), .size_lt = N(100),
	.expire = N(3)}, "size_range", "object_size_greater_than", false},
    {"size range equal", {.size_gt = N(100), .size_lt = N(100),
	.expire = N(3)}, "size_range", "object_size_greater_than", false},
    {"abort multipart with tags", {.n_tags = 2, .abort_mpu = N(7)},
	"abort_with_tags", "abort_incomplete_multipart_upload_days", false},
    {"newer versions without noncurrent expiration",
	{.nc_newer_versions = N(3), .expire = N(5)}, "newer_without_expire",
	"noncurrent_newer_versions", false},
    {"more than 100 newer versions",
	{.nc_newer_versions = N(101), .nc_expire = N(5)}, "range",
	"noncurrent_newer_versions", false},
    {"id longer than 255 characters",
	{.id = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	       "xxxxx",
	    .expire = N(1)},
	"id_length", "id", false},
};

static void test_rule_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]);
	     i++) {
		const rule_case *c = &rule_cases[i];
		collected got = {0};
		int rc = co_s3_lifecycle_check(&c->rule, 1, NULL, 0, collect,
		    &got);
		if (!c->code) {
			if (got.n != 0)
				fail_msg("%s: unexpected %s on %s", c->name,
				    got.f[0].code,
				    got.f[0].attr ? got.f[0].attr : "-");
			assert_int_equal(rc, 0);
			continue;
		}
		bool found = false;
		for (size_t k = 0; k < got.n; k++) {
			const co_s3_finding *f = &got.f[k];
			if (strcmp(f->code, c->code) != 0)
				continue;
			found = true;
			if ((c->attr == NULL) != (f->attr == NULL) ||
			    (c->attr && strcmp(c->attr, f->attr) != 0))
				fail_msg("%s: %s on %s, expected on %s",
				    c->name, f->code, f->attr ? f->attr : "-",
				    c->attr ? c->attr : "-");
			if (f->warning != c->warning)
				fail_msg("%s: wrong severity", c->name);
			assert_string_equal(f->block, "rule");
			assert_int_equal(f->index, 0);
			assert_true(strlen(f->detail) > 20);
		}
		if (!found)
			fail_msg("%s: no %s finding (%zu others, first %s)",
			    c->name, c->code, got.n, got.n ? got.f[0].code : "-");
		assert_int_equal(rc, c->warning ? 0 : -1);
	}
}

static void test_duplicate_ids_and_counts(void **state)
{
	(void)state;
	co_s3_rule rules[3] = {{.id = "a", .expire = N(1)},
	    {.id = "b", .expire = N(1)}, {.id = "a", .expire = N(2)}};
	collected got = {0};
	assert_int_equal(co_s3_lifecycle_check(rules, 3, NULL, 0, collect, &got),
	    -1);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.f[0].code, "duplicate_id");
	assert_int_equal(got.f[0].index, 2);
	assert_string_equal(got.f[0].attr, "id");

	memset(&got, 0, sizeof(got));
	assert_int_equal(co_s3_lifecycle_check(NULL, 0, NULL, 0, collect, &got),
	    -1);
	assert_string_equal(got.f[0].code, "nothing");

	static co_s3_rule many[CO_S3_MAX_RULES + 1];
	for (size_t i = 0; i < CO_S3_MAX_RULES + 1; i++)
		many[i] = (co_s3_rule){.expire = N(1)};
	memset(&got, 0, sizeof(got));
	assert_int_equal(co_s3_lifecycle_check(many, CO_S3_MAX_RULES + 1, NULL,
			     0, collect, &got),
	    -1);
	assert_string_equal(got.f[0].code, "too_many_rules");
	memset(&got, 0, sizeof(got));
	assert_int_equal(co_s3_lifecycle_check(many, CO_S3_MAX_RULES, NULL, 0,
			     collect, &got),
	    0);
	assert_int_equal(got.n, 0);
}

typedef struct tier_case {
	const char *name;
	co_s3_tiering t[2];
	size_t n;
	const char *code;
	const char *attr;
} tier_case;

static const tier_case tier_cases[] = {
    {"seed RetailDataTiering", {{.name = "RetailDataTiering",
	.archive = N(90), .deep_archive = N(180)}}, 1, NULL, NULL},
    {"archive only, 730 days", {{.name = "a", .archive = N(730)}}, 1, NULL,
	NULL},
    {"archive 30 days", {{.name = "a", .archive = N(30)}}, 1, "range",
	"archive_access_after_days"},
    {"archive 731 days", {{.name = "a", .archive = N(731)}}, 1, "range",
	"archive_access_after_days"},
    {"deep archive 179 days", {{.name = "a", .deep_archive = N(179)}}, 1,
	"range", "deep_archive_access_after_days"},
    {"no tier", {{.name = "a"}}, 1, "no_tier", NULL},
    {"deep archive before archive", {{.name = "a", .archive = N(200),
	.deep_archive = N(190)}}, 1, "tier_order",
	"deep_archive_access_after_days"},
    {"duplicate names", {{.name = "a", .archive = N(90)},
	{.name = "a", .archive = N(100)}}, 2, "duplicate_name", "name"},
    {"empty name", {{.name = "", .archive = N(90)}}, 1, "empty_name",
	"name"},
};

static void test_tiering_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tier_cases) / sizeof(tier_cases[0]);
	     i++) {
		const tier_case *c = &tier_cases[i];
		collected got = {0};
		int rc = co_s3_lifecycle_check(NULL, 0, c->t, c->n, collect,
		    &got);
		if (!c->code) {
			if (got.n)
				fail_msg("%s: unexpected %s", c->name,
				    got.f[0].code);
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -1);
		if (got.n != 1 || strcmp(got.f[0].code, c->code) != 0)
			fail_msg("%s: got %zu findings, first %s", c->name,
			    got.n, got.n ? got.f[0].code : "-");
		assert_string_equal(got.f[0].block, "intelligent_tiering");
		if ((c->attr == NULL) != (got.f[0].attr == NULL) ||
		    (c->attr && strcmp(c->attr, got.f[0].attr) != 0))
			fail_msg("%s: wrong attribute", c->name);
	}
}

static void test_class_names(void **state)
{
	(void)state;
	for (int c = 0; c < CO_S3_NCLASSES; c++)
		assert_int_equal(
		    co_s3_class_from_name(co_s3_class_name((co_s3_class)c)), c);
	assert_int_equal(co_s3_class_from_name("STANDARD"), -1);
	assert_int_equal(co_s3_class_from_name(NULL), -1);
	assert_string_equal(co_s3_class_stem(CO_S3_GLACIER_IR), "glacier_ir");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_table),
	    cmocka_unit_test(test_duplicate_ids_and_counts),
	    cmocka_unit_test(test_tiering_table),
	    cmocka_unit_test(test_class_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
