/* The ECR lifecycle policy evaluator, renderer, parser and normalizer
 * (resources/ecr_policy_eval.c), table-driven on the examples of the ECR
 * user guide ("Examples of lifecycle policies") with the image sets and
 * outcomes stated there, plus hand-written sets for the examples that give
 * only a policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "resources/ecr_policy_eval.h"

#define NOW 1700000000.0
#define DAY 86400.0

/* An image in a case: name doubles as the digest; tags comma-separated
 * ("" = untagged); age in days before NOW. */
typedef struct img_spec {
	const char *name;
	const char *tags;
	double age_days;
} img_spec;

typedef struct eval_case {
	const char *title;
	const char *policy;
	img_spec images[16];
	const char *expect; /* names expired, comma-separated, in input order */
} eval_case;

#define RULE(prio, sel)                                                      \
	"{\"rulePriority\":" #prio ",\"description\":\"Rule " #prio "\","    \
	"\"selection\":" sel ",\"action\":{\"type\":\"expire\"}}"

static const eval_case cases[] = {
    /* "Filtering on image age": expire untagged images older than 14
     * days. The guide gives no images; these straddle the limit. */
    {"image age (untagged)",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"untagged\",\"countType\":"
			       "\"sinceImagePushed\",\"countUnit\":\"days\","
			       "\"countNumber\":14}") "]}",
	{{"u-20d", "", 20}, {"u-15d", "", 15}, {"u-14d", "", 14},
	    {"u-3d", "", 3}, {"prod-30d", "prod-1", 30}},
	"u-20d,u-15d"},
    /* The current guide's variant: tagPatternList prod*. */
    {"image age (tagPatternList prod*)",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPatternList\":"
			       "[\"prod*\"],\"countType\":\"sinceImagePushed\","
			       "\"countUnit\":\"days\",\"countNumber\":14}") "]}",
	{{"prod-20d", "prod-1", 20}, {"prod-3d", "prod-2", 3},
	    {"dev-30d", "dev-1", 30}, {"preprod-30d", "preprod-1", 30},
	    {"u-30d", "", 30}},
	"prod-20d"},
    /* "Filtering on image count": keep one untagged image. */
    {"image count",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"untagged\",\"countType\":"
			       "\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	{{"u-5d", "", 5}, {"u-4d", "", 4}, {"u-3d", "", 3},
	    {"t-10d", "latest", 10}},
	"u-5d,u-4d"},
    /* "Filtering on multiple rules", example A: B matches rule 1 (prod)
     * and is kept by it, so rule 2 (beta) cannot expire it. */
    {"multiple rules A",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":"
			       "[\"prod\"],\"countType\":\"imageCountMoreThan\","
			       "\"countNumber\":1}") "," RULE(2,
	    "{\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"beta\"],"
	    "\"countType\":\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	{{"A", "beta-1,prod-1", 10}, {"B", "beta-2,prod-2", 9},
	    {"C", "beta-3", 8}},
	"A"},
    /* Example B: same images, priorities swapped. */
    {"multiple rules B",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":"
			       "[\"beta\"],\"countType\":\"imageCountMoreThan\","
			       "\"countNumber\":1}") "," RULE(2,
	    "{\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"prod\"],"
	    "\"countType\":\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	{{"A", "beta-1,prod-1", 10}, {"B", "beta-2,prod-2", 9},
	    {"C", "beta-3", 8}},
	"A,B"},
    /* "Filtering on multiple tags in a single rule", example A: images
     * must match all listed prefixes. */
    {"multiple tags A",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":"
			       "[\"alpha\",\"beta\"],\"countType\":"
			       "\"sinceImagePushed\",\"countNumber\":5,"
			       "\"countUnit\":\"days\"}") "]}",
	{{"A", "alpha-1", 12}, {"B", "beta-1", 11}, {"C", "alpha-2,beta-2", 10},
	    {"D", "alpha-3", 4}, {"E", "beta-3", 3},
	    {"F", "alpha-4,beta-4", 2}},
	"C"},
    /* Example B: tags are not exclusive (gamma does not matter). */
    {"multiple tags B",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":"
			       "[\"alpha\",\"beta\"],\"countType\":"
			       "\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	{{"A", "alpha-1,beta-1,gamma-1", 10}, {"B", "alpha-2,beta-2", 9},
	    {"C", "alpha-3,beta-3,gamma-2", 8}},
	"A,B"},
    /* "Filtering on all images", example A. */
    {"all images A",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"any\",\"countType\":"
			       "\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	{{"A", "alpha-1", 4}, {"B", "beta-1", 3}, {"C", "", 2},
	    {"D", "alpha-2", 1}},
	"A,B,C"},
    /* Example B: the `any` rule counts A, B, C and E (identified by
     * earlier rules) but can expire only D. D and E are both "1 day ago"
     * in the guide, E listed (pushed) after D: E is a minute newer here. */
    {"all images B",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":"
			       "[\"alpha\"],\"countType\":\"imageCountMoreThan\","
			       "\"countNumber\":1}") "," RULE(2,
	    "{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\","
	    "\"countUnit\":\"days\",\"countNumber\":1}") "," RULE(3,
	    "{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\","
	    "\"countNumber\":1}") "]}",
	{{"A", "alpha-1,beta-1", 4}, {"B", "", 3}, {"C", "alpha-2", 2},
	    {"D", "git hash", 1}, {"E", "", 1 - 60 / DAY}},
	"A,B,D"},
    /* Rules are applied by priority, not by their order in the list. */
    {"priority order, not list order",
	"{\"rules\":[" RULE(2, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":"
			       "[\"prod\"],\"countType\":\"imageCountMoreThan\","
			       "\"countNumber\":1}") "," RULE(1,
	    "{\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"beta\"],"
	    "\"countType\":\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	{{"A", "beta-1,prod-1", 10}, {"B", "beta-2,prod-2", 9},
	    {"C", "beta-3", 8}},
	"A,B"},
    /* The seed's policy as costops renders it (untagged 3; stage, prod,
     * dev 3 each; 10 overall) on 2 other-tagged, 6 untagged and 5 prod
     * images pushed in that order. Rule 1 expires u1-u3, the prod rule
     * p1-p2; the `any` rule keeps p5..p1 and u6..u2 (10) and may expire
     * only v1 and v2 of the rest (u1 is rule 1's). */
    {"seed policy",
	"{\"rules\":[" RULE(1, "{\"tagStatus\":\"untagged\",\"countType\":"
			       "\"imageCountMoreThan\",\"countNumber\":3}") ","
	RULE(2, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"stage\"],"
		"\"countType\":\"imageCountMoreThan\",\"countNumber\":3}") ","
	RULE(3, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"prod\"],"
		"\"countType\":\"imageCountMoreThan\",\"countNumber\":3}") ","
	RULE(4, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"dev\"],"
		"\"countType\":\"imageCountMoreThan\",\"countNumber\":3}") ","
	RULE(5, "{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\","
		"\"countNumber\":10}") "]}",
	{{"v1", "v1", 13}, {"v2", "v2", 12}, {"u1", "", 11}, {"u2", "", 10},
	    {"u3", "", 9}, {"u4", "", 8}, {"u5", "", 7}, {"u6", "", 6},
	    {"p1", "prod-1", 5}, {"p2", "prod-2", 4}, {"p3", "prod-3", 3},
	    {"p4", "prod-4", 2}, {"p5", "prod-5,latest", 1}},
	"v1,v2,u1,u2,u3,p1,p2"},
};

/* Splits "a,b" into arena-less static storage owned by the caller. */
static size_t split(char *s, const char **out, size_t cap)
{
	size_t n = 0;
	if (!*s)
		return 0;
	for (char *save = NULL, *t = strtok_r(s, ",", &save); t && n < cap;
	     t = strtok_r(NULL, ",", &save))
		out[n++] = t;
	return n;
}

static void run_case(const eval_case *c)
{
	co_ecr_image imgs[16];
	char tagbuf[16][64];
	const char *tags[16][8];
	size_t n = 0;
	for (; n < 16 && c->images[n].name; n++) {
		snprintf(tagbuf[n], sizeof(tagbuf[n]), "%s", c->images[n].tags);
		imgs[n] = (co_ecr_image){
		    .digest = c->images[n].name,
		    .tags = tags[n],
		    .n_tags = split(tagbuf[n], tags[n], 8),
		    .pushed_at = NOW - c->images[n].age_days * DAY,
		};
	}
	bool expired[16];
	char err[256] = "";
	int rc = co_ecr_policy_eval(c->policy, imgs, n, NOW, expired, err,
	    sizeof(err));
	if (rc != 0)
		fail_msg("%s: %s", c->title, err);
	char got[256] = "";
	for (size_t i = 0; i < n; i++)
		if (expired[i]) {
			strncat(got, got[0] ? "," : "", sizeof(got) - strlen(got) - 1);
			strncat(got, imgs[i].digest, sizeof(got) - strlen(got) - 1);
		}
	if (strcmp(got, c->expect) != 0)
		fail_msg("%s: expired \"%s\", expected \"%s\"", c->title, got,
		    c->expect);
}

static void test_user_guide_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* Ties in push time are broken by digest, whatever the listing order. */
static void test_ties_are_deterministic(void **state)
{
	(void)state;
	const char *policy =
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"any\",\"countType\":"
				   "\"imageCountMoreThan\",\"countNumber\":1}") "]}";
	co_ecr_image fwd[2] = {{.digest = "sha256:a", .pushed_at = NOW},
	    {.digest = "sha256:b", .pushed_at = NOW}};
	co_ecr_image rev[2] = {fwd[1], fwd[0]};
	bool e1[2], e2[2];
	assert_int_equal(co_ecr_policy_eval(policy, fwd, 2, NOW, e1, NULL, 0), 0);
	assert_int_equal(co_ecr_policy_eval(policy, rev, 2, NOW, e2, NULL, 0), 0);
	assert_true(e1[0] != e1[1]);
	assert_true(e1[0] == e2[1] && e1[1] == e2[0]);
}

static void test_bad_policies(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "{}",
	    "{\"rules\":[]}",
	    /* tagged needs a prefix or pattern list */
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"countType\":"
				   "\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	    /* duplicate priorities */
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"untagged\",\"countType\":"
				   "\"imageCountMoreThan\",\"countNumber\":1}") ","
	    RULE(1, "{\"tagStatus\":\"any\",\"countType\":"
		    "\"imageCountMoreThan\",\"countNumber\":1}") "]}",
	    /* countNumber 0 is not accepted */
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"untagged\",\"countType\":"
				   "\"imageCountMoreThan\",\"countNumber\":0}") "]}",
	    /* not modelled */
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"any\",\"countType\":"
				   "\"sinceImagePulled\",\"countUnit\":\"days\","
				   "\"countNumber\":3}") "]}",
	};
	co_ecr_image img = {.digest = "d", .pushed_at = NOW};
	bool expired = true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		assert_int_equal(co_ecr_policy_eval(bad[i], &img, 1, NOW,
				     &expired, err, sizeof(err)),
		    -1);
		assert_true(err[0] != '\0');
		assert_false(expired);
	}
}

static json_t *rule_at(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "rules"), i);
}

static void test_render_seed(void **state)
{
	(void)state;
	const co_ecr_prefix_keep pk[] = {
	    {"prod", 3}, {"stage", 3}, {"dev", 3}};
	co_ecr_retention r = {.keep_untagged = 3, .prefixes = pk,
	    .n_prefixes = 3, .keep_total = 10};
	char *text = co_ecr_policy_render(&r);
	assert_non_null(text);
	json_t *root = json_loads(text, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(root, "rules")), 5);
	static const char *const status[] = {"untagged", "tagged", "tagged",
	    "tagged", "any"};
	static const char *const prefix[] = {NULL, "stage", "prod", "dev",
	    NULL};
	static const int count[] = {3, 3, 3, 3, 10};
	for (size_t i = 0; i < 5; i++) {
		json_t *ru = rule_at(root, i);
		json_t *sel = json_object_get(ru, "selection");
		assert_int_equal(json_integer_value(json_object_get(ru,
				     "rulePriority")),
		    (json_int_t)i + 1);
		assert_string_equal(json_string_value(json_object_get(sel,
					"tagStatus")),
		    status[i]);
		assert_string_equal(json_string_value(json_object_get(sel,
					"countType")),
		    "imageCountMoreThan");
		assert_int_equal(json_integer_value(json_object_get(sel,
				     "countNumber")),
		    count[i]);
		json_t *pl = json_object_get(sel, "tagPrefixList");
		if (prefix[i]) {
			assert_int_equal(json_array_size(pl), 1);
			assert_string_equal(
			    json_string_value(json_array_get(pl, 0)), prefix[i]);
		} else {
			assert_null(pl);
		}
		assert_string_equal(json_string_value(json_object_get(
					json_object_get(ru, "action"), "type")),
		    "expire");
	}
	json_decref(root);

	/* And it evaluates: the rendered policy is a valid input. */
	co_ecr_image img = {.digest = "x", .pushed_at = NOW};
	bool e;
	assert_int_equal(co_ecr_policy_eval(text, &img, 1, NOW, &e, NULL, 0), 0);
	free(text);
}

static void test_render_order_and_age(void **state)
{
	(void)state;
	/* A longer prefix's rule runs before a rule for its prefix. */
	const co_ecr_prefix_keep pk[] = {{"prod", 5}, {"prod-eu", 2}};
	co_ecr_retention r = {.expire_untagged_after_days = 14, .prefixes = pk,
	    .n_prefixes = 2};
	char *text = co_ecr_policy_render(&r);
	assert_non_null(text);
	json_t *root = json_loads(text, 0, NULL);
	json_t *sel0 = json_object_get(rule_at(root, 0), "selection");
	assert_string_equal(json_string_value(json_object_get(sel0,
				"countType")),
	    "sinceImagePushed");
	assert_string_equal(json_string_value(json_object_get(sel0,
				"countUnit")),
	    "days");
	assert_int_equal(json_integer_value(json_object_get(sel0,
			     "countNumber")),
	    14);
	const char *first = json_string_value(json_array_get(json_object_get(
	    json_object_get(rule_at(root, 1), "selection"), "tagPrefixList"), 0));
	assert_string_equal(first, "prod-eu");
	json_decref(root);
	free(text);

	co_ecr_retention none = {0};
	assert_null(co_ecr_policy_render(&none));
}

static void test_parse_round_trip(void **state)
{
	co_arena *a = *state;
	const co_ecr_prefix_keep pk[] = {{"prod", 3}, {"dev", 2}};
	co_ecr_retention r = {.keep_untagged = 4, .prefixes = pk,
	    .n_prefixes = 2, .keep_total = 12};
	char *text = co_ecr_policy_render(&r);
	co_ecr_retention back;
	assert_int_equal(co_ecr_policy_parse(a, text, &back), 0);
	assert_int_equal(back.keep_untagged, 4);
	assert_int_equal(back.expire_untagged_after_days, 0);
	assert_int_equal(back.keep_total, 12);
	assert_int_equal(back.n_prefixes, 2);
	assert_string_equal(back.prefixes[0].prefix, "prod");
	assert_int_equal(back.prefixes[0].keep, 3);
	assert_string_equal(back.prefixes[1].prefix, "dev");
	assert_int_equal(back.prefixes[1].keep, 2);
	free(text);

	/* Shapes the settings cannot say are refused. */
	static const char *const foreign[] = {
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPatternList\":"
				   "[\"prod*\"],\"countType\":\"imageCountMoreThan\","
				   "\"countNumber\":1}") "]}",
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"tagged\",\"tagPrefixList\":"
				   "[\"a\",\"b\"],\"countType\":\"imageCountMoreThan\","
				   "\"countNumber\":1}") "]}",
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"any\",\"countType\":"
				   "\"sinceImagePushed\",\"countUnit\":\"days\","
				   "\"countNumber\":1}") "]}",
	    "not json",
	};
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		assert_int_equal(co_ecr_policy_parse(a, foreign[i], &back), -1);
}

static void test_normalize(void **state)
{
	(void)state;
	const char *x =
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"untagged\",\"countType\":"
				   "\"imageCountMoreThan\",\"countNumber\":3}") ","
	    RULE(2, "{\"tagStatus\":\"any\",\"countType\":"
		    "\"imageCountMoreThan\",\"countNumber\":10}") "]}";
	/* Same rules, other order, key order and whitespace. */
	const char *y =
	    "{ \"rules\": [ {\"action\": {\"type\": \"expire\"}, \"selection\": "
	    "{\"countNumber\": 10, \"countType\": \"imageCountMoreThan\", "
	    "\"tagStatus\": \"any\"}, \"description\": \"Rule 2\", "
	    "\"rulePriority\": 2},\n {\"rulePriority\": 1, \"description\": "
	    "\"Rule 1\", \"selection\": {\"tagStatus\": \"untagged\", "
	    "\"countType\": \"imageCountMoreThan\", \"countNumber\": 3}, "
	    "\"action\": {\"type\": \"expire\"}} ] }";
	const char *z =
	    "{\"rules\":[" RULE(1, "{\"tagStatus\":\"untagged\",\"countType\":"
				   "\"imageCountMoreThan\",\"countNumber\":5}") ","
	    RULE(2, "{\"tagStatus\":\"any\",\"countType\":"
		    "\"imageCountMoreThan\",\"countNumber\":10}") "]}";
	assert_true(co_ecr_policy_same(x, y));
	assert_false(co_ecr_policy_same(x, z));
	assert_false(co_ecr_policy_same(x, "not json"));
	assert_null(co_ecr_policy_normalize("[1]"));
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_guide_examples),
		cmocka_unit_test(test_ties_are_deterministic),
		cmocka_unit_test(test_bad_policies),
		cmocka_unit_test(test_render_seed),
		cmocka_unit_test(test_render_order_and_age),
		cmocka_unit_test_setup_teardown(test_parse_round_trip, setup,
		    teardown),
		cmocka_unit_test(test_normalize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
