/* Credential, region and endpoint resolution, with HOME pointed at a
 * temporary folder holding the shared files each test writes. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/aws.h"

static char home[256];

static const char *const env_vars[] = {"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_CONFIG_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
	"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_EKS"};

static void write_file(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", home, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0700);
	*slash = '/';
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		unsetenv(env_vars[i]);
	snprintf(home, sizeof(home), "/tmp/costops-aws-test-XXXXXX");
	if (!mkdtemp(home))
		return -1;
	setenv("HOME", home, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : -1;
}

/* Creates a client; returns it, or NULL with the error sentence in err. */
static co_aws_client *make(const co_aws_config *cfg, co_buf *err)
{
	co_aws_client *c = NULL;
	co_buf_init(err, 0);
	if (co_aws_client_new(&c, cfg, err))
		return NULL;
	return c;
}

static void test_arguments_win_over_environment(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_REGION", "eu-west-1", 1);
	co_aws_config cfg = {.access_key = "AKIDARG", .secret_key = "argsecret",
		.region = "us-west-2", .max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	assert_non_null(c);
	assert_string_equal(co_aws_client_credential_source(c),
	    "provider arguments");
	assert_string_equal(co_aws_client_region(c), "us-west-2");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_environment(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "tok", 1);
	setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
	write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\n"
	    "aws_secret_access_key = filesecret\n");
	co_aws_config cfg = {.max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	assert_non_null(c);
	assert_string_equal(co_aws_client_credential_source(c), "environment");
	assert_string_equal(co_aws_client_region(c), "ap-south-1");
	co_aws_client_free(c);

	/* AWS_REGION beats AWS_DEFAULT_REGION. */
	setenv("AWS_REGION", "eu-north-1", 1);
	c = make(&cfg, &err);
	assert_string_equal(co_aws_client_region(c), "eu-north-1");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_shared_files_default_profile(void **state)
{
	(void)state;
	write_file(".aws/credentials",
	    "# a comment\n"
	    "[other]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=o\n"
	    "\n[default]\n  \naws_access_key_id = AKIDDEF \n"
	    "aws_secret_access_key\t=\tdefsecret\r\n");
	write_file(".aws/config", "[other]\nregion = nope\n"
	    "[default]\nregion = sa-east-1\ns3 =\n  region = wrong\n");
	co_aws_config cfg = {.max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	if (!c)
		fail_msg("%s", co_buf_cstr(&err));
	assert_string_equal(co_aws_client_credential_source(c),
	    "shared credentials file, profile default");
	assert_string_equal(co_aws_client_region(c), "sa-east-1");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_named_profile(void **state)
{
	(void)state;
	write_file(".aws/credentials",
	    "[default]\naws_access_key_id=AKIDDEF\naws_secret_access_key=d\n"
	    "[dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key=v\n"
	    "[prod]\naws_access_key_id=AKIDPROD\naws_secret_access_key=p\n");
	write_file(".aws/config",
	    "[default]\nregion=us-east-1\n"
	    "[profile dev]\nregion=eu-central-1\n"
	    "[ profile  prod ]\nregion=ca-central-1\n"
	    "[prod]\nregion=ignored-not-a-profile-section\n");
	setenv("AWS_PROFILE", "dev", 1);
	co_aws_config cfg = {.max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	assert_non_null(c);
	assert_string_equal(co_aws_client_credential_source(c),
	    "shared credentials file, profile dev");
	assert_string_equal(co_aws_client_region(c), "eu-central-1");
	co_aws_client_free(c);

	/* The provider argument beats AWS_PROFILE, and an explicit profile
	 * beats ambient keys in the environment. */
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	cfg.profile = "prod";
	c = make(&cfg, &err);
	assert_non_null(c);
	assert_string_equal(co_aws_client_credential_source(c),
	    "shared credentials file, profile prod");
	assert_string_equal(co_aws_client_region(c), "ca-central-1");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_file_locations_from_environment(void **state)
{
	(void)state;
	write_file(".aws/credentials",
	    "[default]\naws_access_key_id=AKIDHOME\naws_secret_access_key=h\n");
	write_file("elsewhere/creds",
	    "[default]\naws_access_key_id=AKIDELSE\naws_secret_access_key=e\n");
	write_file("elsewhere/conf", "[default]\nregion=me-south-1\n");
	char p1[512], p2[512];
	snprintf(p1, sizeof(p1), "%s/elsewhere/creds", home);
	snprintf(p2, sizeof(p2), "~/elsewhere/conf");
	setenv("AWS_SHARED_CREDENTIALS_FILE", p1, 1);
	setenv("AWS_CONFIG_FILE", p2, 1);
	co_aws_config cfg = {.max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	if (!c)
		fail_msg("%s", co_buf_cstr(&err));
	assert_string_equal(co_aws_client_region(c), "me-south-1");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_keys_in_config_file(void **state)
{
	(void)state;
	write_file(".aws/config", "[profile cfgonly]\nregion = us-east-2\n"
	    "aws_access_key_id = AKIDCFG\naws_secret_access_key = c\n");
	co_aws_config cfg = {.profile = "cfgonly", .max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	if (!c)
		fail_msg("%s", co_buf_cstr(&err));
	assert_string_equal(co_aws_client_region(c), "us-east-2");
	assert_string_equal(co_aws_client_credential_source(c),
	    "shared config file, profile cfgonly");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_missing_credentials(void **state)
{
	(void)state;
	setenv("AWS_REGION", "us-east-1", 1);
	/* Half the environment pair is not enough. */
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	co_aws_config cfg = {.max_retries = -1};
	co_buf err;
	assert_null(make(&cfg, &err));
	assert_non_null(strstr(co_buf_cstr(&err), "No AWS credentials"));
	assert_non_null(strstr(co_buf_cstr(&err), "AWS_SECRET_ACCESS_KEY"));
	assert_non_null(strstr(co_buf_cstr(&err), "access_key"));
	co_buf_free(&err);

	co_aws_config half = {.access_key = "AKID", .max_retries = -1};
	assert_null(make(&half, &err));
	assert_non_null(strstr(co_buf_cstr(&err), "secret_key"));
	co_buf_free(&err);

	co_aws_config named = {.profile = "ghost", .max_retries = -1};
	assert_null(make(&named, &err));
	assert_non_null(strstr(co_buf_cstr(&err), "\"ghost\""));
	co_buf_free(&err);
}

static void test_missing_region(void **state)
{
	(void)state;
	co_aws_config cfg = {.access_key = "AKID", .secret_key = "s",
		.max_retries = -1};
	co_buf err;
	assert_null(make(&cfg, &err));
	assert_non_null(strstr(co_buf_cstr(&err), "region"));
	assert_non_null(strstr(co_buf_cstr(&err), "AWS_REGION"));
	co_buf_free(&err);
}

static char *endpoint(co_aws_client *c, const char *svc)
{
	static char out[256];
	co_buf url, err;
	co_buf_init(&url, 0);
	co_buf_init(&err, 0);
	int rc = co_aws_client_endpoint(c, svc, &url, &err);
	snprintf(out, sizeof(out), "%s", rc ? "ERROR" : co_buf_cstr(&url));
	co_buf_free(&url);
	co_buf_free(&err);
	return out;
}

static void test_endpoint_defaults(void **state)
{
	(void)state;
	co_aws_config cfg = {.access_key = "AKID", .secret_key = "s",
		.region = "eu-west-3", .max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	assert_non_null(c);
	assert_string_equal(endpoint(c, "logs"),
	    "https://logs.eu-west-3.amazonaws.com");
	assert_string_equal(endpoint(c, "ecr"),
	    "https://api.ecr.eu-west-3.amazonaws.com");
	assert_string_equal(endpoint(c, "sagemaker"),
	    "https://api.sagemaker.eu-west-3.amazonaws.com");
	assert_string_equal(endpoint(c, "budgets"),
	    "https://budgets.amazonaws.com");
	assert_string_equal(endpoint(c, "iam"), "https://iam.amazonaws.com");
	assert_string_equal(endpoint(c, "ce"),
	    "https://ce.us-east-1.amazonaws.com");
	assert_string_equal(endpoint(c, "resourcegroupstaggingapi"),
	    "https://tagging.eu-west-3.amazonaws.com");
	assert_string_equal(endpoint(c, "elbv2"),
	    "https://elasticloadbalancing.eu-west-3.amazonaws.com");
	assert_string_equal(endpoint(c, "sts"),
	    "https://sts.eu-west-3.amazonaws.com");
	assert_string_equal(endpoint(c, "dynamodb"), "ERROR");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_endpoint_precedence(void **state)
{
	(void)state;
	setenv("AWS_ENDPOINT_URL", "http://global:4566/", 1);
	setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://logs-env:1", 1);
	setenv("AWS_ENDPOINT_URL_EKS", "http://eks-env:2", 1);
	co_aws_endpoint eps[] = {
		{"eks", "http://127.0.0.1:5000/"},
		{"s3", ""}, /* unset in the block: falls through */
	};
	co_aws_config cfg = {.access_key = "AKID", .secret_key = "s",
		.region = "us-east-1", .endpoints = eps, .n_endpoints = 2,
		.max_retries = -1};
	co_buf err;
	co_aws_client *c = make(&cfg, &err);
	assert_non_null(c);
	assert_string_equal(endpoint(c, "eks"), "http://127.0.0.1:5000");
	assert_string_equal(endpoint(c, "logs"), "http://logs-env:1");
	assert_string_equal(endpoint(c, "s3"), "http://global:4566");
	assert_string_equal(endpoint(c, "sns"), "http://global:4566");
	co_aws_client_free(c);
	co_buf_free(&err);
}

static void test_endpoint_errors(void **state)
{
	(void)state;
	co_aws_endpoint bad_key[] = {{"cloudwatchlogs", "http://x:1"}};
	co_aws_config cfg = {.access_key = "AKID", .secret_key = "s",
		.region = "us-east-1", .endpoints = bad_key, .n_endpoints = 1,
		.max_retries = -1};
	co_buf err;
	assert_null(make(&cfg, &err));
	assert_non_null(strstr(co_buf_cstr(&err), "\"cloudwatchlogs\""));
	assert_non_null(strstr(co_buf_cstr(&err), "logs"));
	co_buf_free(&err);

	co_aws_endpoint bad_url[] = {{"logs", "ftp://x"}};
	cfg.endpoints = bad_url;
	assert_null(make(&cfg, &err));
	assert_non_null(strstr(co_buf_cstr(&err), "http://"));
	co_buf_free(&err);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_arguments_win_over_environment),
		T(test_environment),
		T(test_shared_files_default_profile),
		T(test_named_profile),
		T(test_file_locations_from_environment),
		T(test_keys_in_config_file),
		T(test_missing_credentials),
		T(test_missing_region),
		T(test_endpoint_defaults),
		T(test_endpoint_precedence),
		T(test_endpoint_errors),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
