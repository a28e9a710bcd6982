/* The price catalog and the savings arithmetic, with figures checked by
 * hand (each test shows its sum). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "provider/cost/cost.h"

#define GIB 1073741824.0
#define NEAR(a, b) assert_true(fabs_((a) - (b)) < 1e-9)

static double fabs_(double x)
{
	return x < 0 ? -x : x;
}

/* ---- the catalog -------------------------------------------------------- */

static void test_catalog_parses(void **state)
{
	(void)state;
	size_t n = 0;
	const co_price *rows = co_cost_catalog(&n);
	if (!rows)
		fail_msg("catalog: %s", co_cost_catalog_error());
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++) {
		assert_true(strlen(rows[i].source) > 3);
		assert_int_equal(strlen(rows[i].date_read), 10);
	}
}

/* Everything the resources and the estimate look up exists in both
 * regions the catalog covers. */
static void test_catalog_covers_what_resources_need(void **state)
{
	(void)state;
	static const char *const regions[] = {"us-east-1", "ap-southeast-1"};
	static const char *const need[][2] = {
	    {"ec2", "t3.medium"}, {"ec2", "t3.large"}, {"ec2", "t3a.medium"},
	    {"ec2", "t3a.large"}, {"ec2", "t2.medium"}, {"ec2", "t2.large"},
	    {"ec2", "m5.large"}, {"ec2", "m5.xlarge"}, {"ec2", "c5.large"},
	    {"ec2", "g4dn.xlarge"}, {"eks", "cluster"}, {"elb", "alb"},
	    {"elb", "alb-lcu"}, {"s3", "standard"}, {"s3", "standard-ia"},
	    {"s3", "intelligent-tiering-frequent"},
	    {"s3", "intelligent-tiering-infrequent"},
	    {"s3", "intelligent-tiering-archive-instant"},
	    {"s3", "intelligent-tiering-archive"},
	    {"s3", "intelligent-tiering-deep-archive"}, {"s3", "glacier-ir"},
	    {"s3", "glacier"}, {"s3", "deep-archive"},
	    {"s3", "intelligent-tiering-monitoring"},
	    {"s3", "transition-standard-ia"},
	    {"s3", "transition-intelligent-tiering"},
	    {"s3", "transition-glacier-ir"}, {"s3", "transition-glacier"},
	    {"s3", "transition-deep-archive"}, {"logs", "ingestion-standard"},
	    {"logs", "storage"}, {"ecr", "storage"},
	    {"sagemaker-training", "ml.m5.large"},
	    {"sagemaker-hosting", "ml.m5.large"},
	    {"ec2-spot", "default"}, {"sagemaker-spot", "default"},
	};
	for (size_t r = 0; r < 2; r++)
		for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (!co_cost_price(need[i][0], regions[r], need[i][1]))
				fail_msg("no %s %s in %s", need[i][0],
				    need[i][1], regions[r]);
}

static void test_catalog_survey_figures(void **state)
{
	(void)state;
	/* cost-tools-survey.md section 4, us-east-1. */
	NEAR(co_cost_price("ec2", "us-east-1", "t3.medium")->usd, 0.0416);
	NEAR(co_cost_price("eks", "us-east-1", "cluster")->usd, 0.10);
	NEAR(co_cost_price("elb", "us-east-1", "alb")->usd, 0.0225);
	NEAR(co_cost_price("s3", "us-east-1", "standard")->usd, 0.023);
	NEAR(co_cost_price("s3", "us-east-1", "deep-archive")->usd, 0.00099);
	NEAR(co_cost_price("logs", "us-east-1", "ingestion-standard")->usd,
	    0.50);
	NEAR(co_cost_price("logs", "us-east-1", "storage")->usd, 0.03);
	NEAR(co_cost_price("ecr", "us-east-1", "storage")->usd, 0.10);
	NEAR(co_cost_price("sagemaker-training", "us-east-1", "ml.m5.large")
		 ->usd,
	    0.115);
	assert_null(co_cost_price("ec2", "us-east-1", "x9.huge"));
}

static void test_region_fallback(void **state)
{
	(void)state;
	bool fb = false;
	const co_price *p =
	    co_cost_price_or_fallback("ec2", "eu-central-1", "t3.medium", &fb);
	assert_non_null(p);
	assert_true(fb);
	assert_string_equal(p->region, "us-east-1");
	p = co_cost_price_or_fallback("ec2", "ap-southeast-1", "t3.medium", &fb);
	assert_false(fb);
	NEAR(p->usd, 0.0528);
}

static void test_spot_discount_families(void **state)
{
	(void)state;
	/* t3a has its own row (70 %); m5 falls to the default (60 %);
	 * SageMaker's "ml.m5.large" reads family m5 of sagemaker-spot, which
	 * has only a default. */
	NEAR(co_cost_spot_discount("ec2-spot", "t3a.medium")->usd, 0.70);
	NEAR(co_cost_spot_discount("ec2-spot", "m5.large")->usd, 0.60);
	NEAR(co_cost_spot_discount("ec2-spot", "")->usd, 0.60);
	NEAR(co_cost_spot_discount("sagemaker-spot", "ml.m5.large")->usd, 0.60);
}

static void test_spot_plausible(void **state)
{
	(void)state;
	/* The emulator's constant stub against t3.medium's 0.0416: 0.00001
	 * is 0.024 % of on-demand, far under 1 %. */
	assert_false(co_cost_spot_price_plausible(0.00001, 0.0416));
	assert_true(co_cost_spot_price_plausible(0.0125, 0.0416));
	assert_true(co_cost_spot_price_plausible(0.000416, 0.0416));
	assert_false(co_cost_spot_price_plausible(0.05, 0.0416));
	assert_false(co_cost_spot_price_plausible(0, 0.0416));
}

/* ---- the CSV parser ------------------------------------------------------- */

static const char header[] = "service,region,item,unit,usd,source,date_read\n";

static int parse(const char *body, co_price **rows, size_t *n, char *err)
{
	char text[1024];
	snprintf(text, sizeof(text), "%s%s", header, body);
	return co_cost_csv_parse(text, strlen(text), rows, n, err, 200);
}

static void test_csv_quoting_and_comments(void **state)
{
	(void)state;
	co_price *rows = NULL;
	size_t n = 0;
	char err[200] = "";
	assert_int_equal(parse("# a comment\n\n"
			       "ec2,us-east-1,t3.medium,hour,0.0416,"
			       "\"page, \"\"quoted\"\"\",2026-11-27\r\n"
			       "ecr,*,storage,gb-month,0.1,x,2026-01-02",
			     &rows, &n, err),
	    0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].source, "page, \"quoted\"");
	NEAR(rows[0].usd, 0.0416);
	assert_string_equal(rows[1].date_read, "2026-01-02");
	co_cost_rows_free(rows, n);
}

static void test_csv_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "ec2,us-east-1,t3.medium,hour,0.0416,src\n",           /* 6 fields */
	    "ec2,us-east-1,t3.medium,hour,0.0416,src,d,extra\n",   /* 8 */
	    "ec2,us-east-1,t3.medium,hour,cheap,src,2026-11-27\n", /* usd */
	    "ec2,us-east-1,t3.medium,hour,-1,src,2026-11-27\n",
	    "ec2,us-east-1,t3.medium,hour,0.04,src,27/11/2026\n",  /* date */
	    "ec2-spot,*,t3,fraction,1.5,src,2026-11-27\n",          /* > 1 */
	    "ec2,us-east-1,,hour,0.04,src,2026-11-27\n",            /* empty */
	    "ec2,us-east-1,t3.medium,hour,0.04,\"src,2026-11-27\n", /* quote */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		co_price *rows = NULL;
		size_t n = 0;
		char err[200] = "";
		if (parse(bad[i], &rows, &n, err) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(err, "line 2"));
	}
	co_price *rows = NULL;
	size_t n = 0;
	char err[200] = "";
	assert_int_equal(co_cost_csv_parse("", 0, &rows, &n, err, sizeof(err)),
	    -1);
}

/* ---- the arithmetic ------------------------------------------------------- */

static void test_round_and_percent(void **state)
{
	(void)state;
	assert_true(co_cost_round(0.04 * 720) == 28.8);
	/* The seed's total: (52.39 - 9.38) / 52.39 = 0.82096 -> 82.1 %. */
	NEAR(co_cost_savings_percent(52.39, 9.38), 82.1);
	NEAR(co_cost_savings_percent(0, 1), 0);
}

/* The seed's node group: 1 node at 0.04 USD/h x 720 h = 28.80 before;
 * after, Spot 70 % off (0.012 USD/h) x 200 h = 2.40. */
static void test_compute_seed_node_group(void **state)
{
	(void)state;
	co_cost_line l;
	co_cost_compute c = {.service = "ec2", .region = "us-east-1",
	    .instance_type = "t3.medium", .count = 1, .hours_before = 720,
	    .hours_after = 200, .spot_after = true, .price_override = 0.04,
	    .spot_discount_override = 0.70};
	assert_int_equal(co_cost_compute_line(&l, &c), 0);
	NEAR(co_cost_round(l.before_usd), 28.80);
	NEAR(co_cost_round(l.after_usd), 2.40);
	assert_non_null(strstr(l.basis, "70 % off, given"));
}

/* The survey's worked anchor: 3 x t3.medium x 0.0416 x 730 = 91.104;
 * a Mon-Fri 07-19 schedule runs 260.7 h, i.e. 469.3 h off:
 * 3 x 0.0416 x 260.7 = 32.53536. */
static void test_schedule_savings(void **state)
{
	(void)state;
	co_cost_line l;
	assert_int_equal(co_cost_schedule_savings(&l, "ec2", "us-east-1",
			     "t3.medium", 3, 0, 469.3, 0),
	    0);
	NEAR(co_cost_round(l.before_usd), 91.104);
	NEAR(co_cost_round(l.after_usd), 32.5354);
	assert_non_null(strstr(l.basis, "catalog us-east-1, read 2026-11-27"));
	/* More hours off than the month has: nothing runs. */
	assert_int_equal(co_cost_schedule_savings(&l, "ec2", "us-east-1",
			     "t3.medium", 3, 720, 800, 0.04),
	    0);
	NEAR(l.after_usd, 0);
	/* An endpoint: ml.m5.large hosting 0.115 x 730 = 83.95; 12 h a day
	 * off for 30 days = 360 h off: 0.115 x 370 = 42.55. */
	assert_int_equal(co_cost_schedule_savings(&l, "sagemaker-hosting",
			     "us-east-1", "ml.m5.large", 1, 0, 360, 0),
	    0);
	NEAR(co_cost_round(l.before_usd), 83.95);
	NEAR(co_cost_round(l.after_usd), 42.55);
	/* No price, no override: an error naming what to give. */
	assert_int_equal(co_cost_schedule_savings(&l, "ec2", "us-east-1",
			     "x9.huge", 1, 0, 100, 0),
	    -1);
	assert_non_null(strstr(l.basis, "price_override_usd_per_hour"));
}

/* 2 x t3.medium 24x7: 2 x 0.0416 x 730 = 60.736 on-demand; Spot from the
 * catalog at 70 % off is 0.01248/h: 2 x 0.01248 x 730 = 18.2208; with a
 * live 0.0125/h: 2 x 0.0125 x 730 = 18.25. */
static void test_spot_savings(void **state)
{
	(void)state;
	co_cost_line l;
	assert_int_equal(
	    co_cost_spot_savings(&l, "us-east-1", "t3.medium", 2, 0, 0), 0);
	NEAR(co_cost_round(l.before_usd), 60.736);
	NEAR(co_cost_round(l.after_usd), 18.2208);
	assert_non_null(strstr(l.basis, "catalog fallback"));
	assert_int_equal(
	    co_cost_spot_savings(&l, "us-east-1", "t3.medium", 2, 0, 0.0125),
	    0);
	NEAR(co_cost_round(l.after_usd), 18.25);
	assert_non_null(strstr(l.basis, "live Spot price 0.0125"));
	/* Singapore: 2 x 0.0528 x 730 = 77.088. */
	assert_int_equal(
	    co_cost_spot_savings(&l, "ap-southeast-1", "t3.medium", 2, 0, 0),
	    0);
	NEAR(co_cost_round(l.before_usd), 77.088);
	/* A region not in the catalog: us-east-1's figure, and it says so. */
	assert_int_equal(
	    co_cost_spot_savings(&l, "eu-central-1", "t3.medium", 2, 0, 0), 0);
	NEAR(co_cost_round(l.before_usd), 60.736);
	assert_non_null(strstr(l.basis, "eu-central-1 is not in the catalog"));
}

/* 10 GB kept forever in groups 100 days old; 30-day retention keeps
 * 10 x 30/100 = 3 GB. Before 10 x 0.03 = 0.30, after 3 x 0.03 = 0.09. */
static void test_log_retention(void **state)
{
	(void)state;
	co_cost_line l;
	assert_int_equal(co_cost_log_retention(&l, "us-east-1", 10 * GIB, 100,
			     0, 0, 30),
	    0);
	NEAR(co_cost_round(l.before_usd), 0.30);
	NEAR(co_cost_round(l.after_usd), 0.09);
	/* After the change AWS has deleted the old data: 3 GB held at 30
	 * days; before (never) is extrapolated back: 3 x 100/30 = 10 GB.
	 * The same figures as before the change. */
	assert_int_equal(co_cost_log_retention(&l, "us-east-1", 3 * GIB, 100,
			     30, 0, 30),
	    0);
	NEAR(co_cost_round(l.before_usd), 0.30);
	NEAR(co_cost_round(l.after_usd), 0.09);
	/* Groups younger than the retention: nothing is old enough to go. */
	assert_int_equal(co_cost_log_retention(&l, "us-east-1", 1 * GIB, 5, 0,
			     0, 30),
	    0);
	NEAR(l.before_usd, l.after_usd);
	NEAR(co_cost_round(l.after_usd), 0.03);
	/* Younger than a day: taken as they are. */
	assert_int_equal(co_cost_log_retention(&l, "us-east-1", 1 * GIB, 0.001,
			     0, 0, 1),
	    0);
	NEAR(l.before_usd, l.after_usd);
	/* Longer retention costs more: 0.7 GB at 7 days in 100-day-old
	 * groups; 30 days keeps 0.7 x 30/7 = 3 GB: 0.021 -> 0.09. */
	assert_int_equal(co_cost_log_retention(&l, "us-east-1", 0.7 * GIB, 100,
			     7, 7, 30),
	    0);
	NEAR(co_cost_round(l.before_usd), 0.021);
	NEAR(co_cost_round(l.after_usd), 0.09);
	assert_true(co_cost_savings(&l) < 0);
	assert_non_null(strstr(l.basis, "ingestion not counted"));
}

/* 5 GB of images, 3 GB expired: 0.50 -> 0.20 (the seed's ECR line). */
static void test_image_expiry(void **state)
{
	(void)state;
	co_cost_line l;
	assert_int_equal(
	    co_cost_image_expiry(&l, "us-east-1", 5 * GIB, 3 * GIB), 0);
	NEAR(co_cost_round(l.before_usd), 0.50);
	NEAR(co_cost_round(l.after_usd), 0.20);
	assert_int_equal(
	    co_cost_image_expiry(&l, "us-east-1", 5 * GIB, 9 * GIB), 0);
	NEAR(l.after_usd, 0);
}

static void test_storage_lifecycle(void **state)
{
	(void)state;
	co_cost_line l;
	/* The seed's S3 line: 50 GB Standard 50 x 0.023 = 1.15; all of it
	 * in IT Infrequent: 50 x 0.0125 = 0.625. */
	co_cost_share it = {"intelligent-tiering-infrequent", 1.0};
	assert_int_equal(
	    co_cost_storage_lifecycle(&l, "us-east-1", 50, &it, 1, 0, 0), 0);
	NEAR(co_cost_round(l.before_usd), 1.15);
	NEAR(co_cost_round(l.after_usd), 0.625);
	/* + monitoring of 100,000 objects: 100 x 0.0025 = 0.25; + 10,000
	 * transitions into IT: 10 x 0.01 = 0.10. 0.625 + 0.25 + 0.10. */
	assert_int_equal(co_cost_storage_lifecycle(&l, "us-east-1", 50, &it, 1,
			     100000, 10000),
	    0);
	NEAR(co_cost_round(l.after_usd), 0.975);
	/* 100 GB: half to Glacier IR (50 x 0.004 = 0.2), a fifth to Deep
	 * Archive (20 x 0.00099 = 0.0198), a tenth expired (0), the rest
	 * Standard (20 x 0.023 = 0.46): 0.6798 storage. 7,000 transitions
	 * split by share over 0.8: Glacier IR 4,375 x 0.02/1000 = 0.0875,
	 * Deep Archive 1,750 x 0.05/1000 = 0.0875, expiry free: 0.175.
	 * After 0.8548; before 100 x 0.023 = 2.30. */
	co_cost_share mix[] = {{"glacier-ir", 0.5}, {"deep-archive", 0.2},
	    {"expired", 0.1}};
	assert_int_equal(co_cost_storage_lifecycle(&l, "us-east-1", 100, mix, 3,
			     0, 7000),
	    0);
	NEAR(co_cost_round(l.before_usd), 2.30);
	NEAR(co_cost_round(l.after_usd), 0.8548);
	co_cost_share over[] = {{"glacier-ir", 0.7}, {"deep-archive", 0.4}};
	assert_int_equal(co_cost_storage_lifecycle(&l, "us-east-1", 1, over, 2,
			     0, 0),
	    -1);
	co_cost_share unknown = {"tape", 0.5};
	assert_int_equal(co_cost_storage_lifecycle(&l, "us-east-1", 1, &unknown,
			     1, 0, 0),
	    -1);
	assert_non_null(strstr(l.basis, "tape"));
}

/* The seed's load balancer: 0.027 USD/h x 720 h = 19.44; x 200 h = 5.40.
 * With the catalog (0.0225) and 2 LCU (2 x 0.008 = 0.016): 0.0385 x 730
 * = 28.105. */
static void test_load_balancer(void **state)
{
	(void)state;
	co_cost_line l;
	assert_int_equal(co_cost_load_balancer_line(&l, "us-east-1", 1, 0, 720,
			     200, 0.027),
	    0);
	NEAR(co_cost_round(l.before_usd), 19.44);
	NEAR(co_cost_round(l.after_usd), 5.40);
	assert_int_equal(co_cost_load_balancer_line(&l, "us-east-1", 1, 2, 730,
			     730, 0),
	    0);
	NEAR(co_cost_round(l.before_usd), 28.105);
}

/* The seed's logs: 5 GB a month x 0.50 = 2.50; 1.5 GB x 0.50 = 0.75, no
 * storage counted (history 0). With a year of history kept forever:
 * 5 / 30.4167 x 365 = 60 GB x 0.03 = 1.80 more; a 30-day retention keeps
 * 5 / 30.4167 x 30 = 4.9315 GB x 0.03 = 0.14795. */
static void test_logs_line(void **state)
{
	(void)state;
	co_cost_line l;
	assert_int_equal(co_cost_logs_line(&l, "us-east-1", 5, 1.5, 0, 30, 0, 0),
	    0);
	NEAR(co_cost_round(l.before_usd), 2.50);
	NEAR(co_cost_round(l.after_usd), 0.75);
	assert_int_equal(co_cost_logs_line(&l, "us-east-1", 5, 5, 0, 30, 365, 0),
	    0);
	NEAR(co_cost_round(l.before_usd), 4.30);
	NEAR(co_cost_round(l.after_usd), co_cost_round(2.50 + 0.147945));
}

static void test_limit_below_estimate(void **state)
{
	(void)state;
	char msg[400];
	/* The seed's 5 USD budget against its own 9.38 estimate;
	 * 9.38 x 1.2 = 11.256 -> "11.26". */
	assert_true(co_cost_limit_below_estimate(5, 9.38, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "11.26"));
	assert_false(co_cost_limit_below_estimate(11.26, 9.38, msg,
	    sizeof(msg)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_parses),
	    cmocka_unit_test(test_catalog_covers_what_resources_need),
	    cmocka_unit_test(test_catalog_survey_figures),
	    cmocka_unit_test(test_region_fallback),
	    cmocka_unit_test(test_spot_discount_families),
	    cmocka_unit_test(test_spot_plausible),
	    cmocka_unit_test(test_csv_quoting_and_comments),
	    cmocka_unit_test(test_csv_rejects),
	    cmocka_unit_test(test_round_and_percent),
	    cmocka_unit_test(test_compute_seed_node_group),
	    cmocka_unit_test(test_schedule_savings),
	    cmocka_unit_test(test_spot_savings),
	    cmocka_unit_test(test_log_retention),
	    cmocka_unit_test(test_image_expiry),
	    cmocka_unit_test(test_storage_lifecycle),
	    cmocka_unit_test(test_load_balancer),
	    cmocka_unit_test(test_logs_line),
	    cmocka_unit_test(test_limit_below_estimate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
