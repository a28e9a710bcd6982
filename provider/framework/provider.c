/* The provider block: AWS credentials, region, endpoints, default tags. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "framework.h"
#include "../util/log.h"

#define ENDPOINT(key, what)                                                 \
	{.name = key, .type = "\"string\"", .flags = CO_OPTIONAL,           \
	    .description = "Endpoint URL for " what " (e.g. "               \
			   "`http://127.0.0.1:5000` for an emulator)."}

/* Keys as terraform-provider-aws names them. */
static const co_attr_schema endpoint_attrs[] = {
	ENDPOINT("autoscaling", "Auto Scaling"),
	ENDPOINT("budgets", "AWS Budgets"),
	ENDPOINT("ce", "Cost Explorer"),
	ENDPOINT("ec2", "EC2"),
	ENDPOINT("ecr", "ECR"),
	ENDPOINT("eks", "EKS"),
	ENDPOINT("elbv2", "Elastic Load Balancing v2"),
	ENDPOINT("events", "EventBridge"),
	ENDPOINT("iam", "IAM"),
	ENDPOINT("lambda", "Lambda"),
	ENDPOINT("logs", "CloudWatch Logs"),
	ENDPOINT("pricing", "the Price List API"),
	ENDPOINT("resourcegroupstaggingapi", "the Resource Groups Tagging API"),
	ENDPOINT("s3", "S3"),
	ENDPOINT("sagemaker", "SageMaker"),
	ENDPOINT("scheduler", "EventBridge Scheduler"),
	ENDPOINT("sns", "SNS"),
	ENDPOINT("sts", "STS"),
	{0},
};

static const co_block_schema endpoints_block = {
	.attrs = endpoint_attrs,
	.description = "Per-service endpoint overrides. Each also reads "
		       "`AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`, "
		       "as the AWS SDKs do.",
};

static const co_attr_schema provider_attrs[] = {
	{.name = "region", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "AWS region. Default: `AWS_REGION`, "
			   "`AWS_DEFAULT_REGION`, then the profile's region."},
	{.name = "profile", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "Profile in the shared config and credentials "
			   "files. Default: `AWS_PROFILE`, then `default`."},
	{.name = "access_key", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_SENSITIVE,
	    .description = "AWS access key id. Default: "
			   "`AWS_ACCESS_KEY_ID`, then the shared files."},
	{.name = "secret_key", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_SENSITIVE,
	    .description = "AWS secret access key. Default: "
			   "`AWS_SECRET_ACCESS_KEY`, then the shared files."},
	{.name = "token", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_SENSITIVE,
	    .description = "AWS session token. Default: `AWS_SESSION_TOKEN`, "
			   "then the shared files."},
	{.name = "max_retries", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .description = "How many times a retryable AWS error (throttling, "
			   "5xx, connection reset) is retried, with "
			   "exponential backoff and jitter. Default 25.",
	    .has_min = true, .min = 0, .has_max = true, .max = 100},
	{.name = "default_tags", .type = "[\"map\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Tags applied to everything costops creates. "
			   "`costops_budget_guard` checks its cost filter "
			   "against these."},
	{.name = "s3_use_path_style", .type = "\"bool\"", .flags = CO_OPTIONAL,
	    .description = "Address S3 buckets path-style "
			   "(`http://host/bucket`) instead of virtual-hosted. "
			   "Emulators need it."},
	{.name = "skip_credentials_validation", .type = "\"bool\"",
	    .flags = CO_OPTIONAL,
	    .description = "Skip the STS GetCallerIdentity check at "
			   "configuration."},
	{0},
};

static const co_block_type_schema provider_blocks[] = {
	{.name = "endpoints", .nesting = CO_NEST_LIST, .block = &endpoints_block,
	    .max_items = 1},
	{0},
};

const co_block_schema co_provider_schema = {
	.attrs = provider_attrs,
	.blocks = provider_blocks,
	.description = "costops makes the cost controls of an MLOps stack on "
		       "AWS declarative: off-hours schedules, budgets that "
		       "act, teardown, Spot, lifecycle and retention.",
};

static co_provider the_provider;

/* StopProvider can arrive while ConfigureProvider is still verifying the
 * credentials, before p->aws is set: against an endpoint that does not
 * answer, that check retries for many minutes. The client being
 * configured is therefore published here, and a stop that came first is
 * remembered, so that Stop cancels whichever client exists. */
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static co_aws_client *configuring;
static bool stop_requested;

co_provider *co_fw_provider(void)
{
	return &the_provider;
}

void co_fw_provider_stop(void)
{
	pthread_mutex_lock(&stop_lock);
	stop_requested = true;
	co_aws_client *c = the_provider.aws ? the_provider.aws : configuring;
	if (c)
		co_aws_client_cancel(c);
	pthread_mutex_unlock(&stop_lock);
}

/* Makes aws the client Stop cancels (NULL: none while configuring). */
static void set_configuring(co_aws_client *aws)
{
	pthread_mutex_lock(&stop_lock);
	configuring = aws;
	if (aws && stop_requested)
		co_aws_client_cancel(aws);
	pthread_mutex_unlock(&stop_lock);
}

void co_fw_provider_shutdown(void)
{
	co_provider *p = &the_provider;
	pthread_mutex_lock(&stop_lock);
	stop_requested = false;
	configuring = NULL;
	pthread_mutex_unlock(&stop_lock);
	co_aws_client_free(p->aws);
	for (size_t i = 0; i < p->n_default_tags; i++) {
		free(p->default_tags[i].key);
		free(p->default_tags[i].value);
	}
	free(p->default_tags);
	memset(p, 0, sizeof(*p));
}

static const co_value *endpoints_obj(const co_value *config)
{
	const co_value *l = co_value_attr(config, "endpoints");
	if (co_value_is_set(l) && l->count > 0)
		return l->items[0];
	return NULL;
}

void co_fw_validate_provider(co_ctx *ctx, const co_value *config)
{
	co_path root = {0};
	(void)root;
	const co_value *mr = co_value_attr(config, "max_retries");
	double n;
	if (co_value_num(mr, &n) && (n < 0 || n > 100 || n != (long)n)) {
		co_path p = co_path_attr("max_retries");
		co_diag_error(ctx->diags, &p, "Invalid max_retries",
		    "max_retries must be a whole number from 0 to 100; got %g.",
		    n);
	}
	const co_value *ep = endpoints_obj(config);
	for (const co_attr_schema *a = endpoint_attrs; ep && a->name; a++) {
		const char *url = co_value_str(co_value_attr(ep, a->name));
		if (url && strncmp(url, "http://", 7) != 0 &&
		    strncmp(url, "https://", 8) != 0) {
			co_path p = co_path_push_attr(
			    co_path_push_index(co_path_attr("endpoints"), 0),
			    a->name);
			co_diag_error(ctx->diags, &p, "Invalid endpoint URL",
			    "\"%s\" is not an http:// or https:// URL.", url);
		}
	}
}

static bool any_unknown(const co_value *config)
{
	return co_value_has_unknown(config);
}

void co_fw_configure(co_ctx *ctx, const co_value *config,
    const char *cli_version)
{
	co_provider *p = ctx->provider;
	if (p->configured)
		return; /* one configuration per process */
	if (any_unknown(config)) {
		co_warn("provider configuration is not known yet; resources "
			"will report it");
		return;
	}
	co_fw_validate_provider(ctx, config);
	if (co_diags_has_error(ctx->diags))
		return;

	co_aws_endpoint eps[32];
	size_t n_eps = 0;
	const co_value *ep = endpoints_obj(config);
	for (const co_attr_schema *a = endpoint_attrs; ep && a->name; a++) {
		const char *url = co_value_str(co_value_attr(ep, a->name));
		if (url && n_eps < sizeof(eps) / sizeof(eps[0]))
			eps[n_eps++] = (co_aws_endpoint){a->name, url};
	}
	int64_t retries = -1;
	co_value_int(co_value_attr(config, "max_retries"), &retries);
	co_aws_config cfg = {
	    .region = co_value_str(co_value_attr(config, "region")),
	    .profile = co_value_str(co_value_attr(config, "profile")),
	    .access_key = co_value_str(co_value_attr(config, "access_key")),
	    .secret_key = co_value_str(co_value_attr(config, "secret_key")),
	    .token = co_value_str(co_value_attr(config, "token")),
	    .endpoints = eps,
	    .n_endpoints = n_eps,
	    .max_retries = (int)retries,
	    .s3_use_path_style = co_value_bool_or(
		co_value_attr(config, "s3_use_path_style"), false),
	};
	co_buf err;
	co_buf_init(&err, 4096);
	co_aws_client *aws = NULL;
	if (co_aws_client_new(&aws, &cfg, &err) < 0) {
		co_diag_error(ctx->diags, NULL, "AWS configuration incomplete",
		    "%s", co_buf_cstr(&err));
		co_buf_free(&err);
		return;
	}
	co_buf_free(&err);
	set_configuring(aws);

	if (!co_value_bool_or(co_value_attr(config,
				  "skip_credentials_validation"),
		false)) {
		static const char *const params[] = {"Action",
		    "GetCallerIdentity", "Version", "2011-06-15", NULL};
		co_xml *x = NULL;
		co_aws_error e = {0};
		if (co_aws_query_call(aws, "sts", params, &x, &e) < 0) {
			const char *hint =
			    co_aws_error_is(&e, "RequestCanceled")
				? "Terraform asked the provider to stop."
			    : e.http_status == 0
				? "AWS could not be reached. Check the network, "
				  "the region and any endpoint overrides "
				  "(endpoints block, AWS_ENDPOINT_URL)."
				: "Check the access key, secret key, session "
				  "token or profile.";
			co_diag_error(ctx->diags, NULL,
			    "AWS credentials could not be verified",
			    "STS GetCallerIdentity failed with %s: %s (HTTP "
			    "%ld). %s Credentials came from %s.",
			    e.code, e.message, e.http_status, hint,
			    co_aws_client_credential_source(aws));
			set_configuring(NULL);
			co_aws_client_free(aws);
			return;
		}
		const char *acct =
		    co_xml_text(x,
		    "GetCallerIdentityResponse/GetCallerIdentityResult/Account");
		const char *arn = co_xml_text(x,
		    "GetCallerIdentityResponse/GetCallerIdentityResult/Arn");
		snprintf(p->account_id, sizeof(p->account_id), "%s",
		    acct ? acct : "");
		snprintf(p->caller_arn, sizeof(p->caller_arn), "%s",
		    arn ? arn : "");
		co_xml_free(x);
	}
	const char *part = "aws";
	const char *region = co_aws_client_region(aws);
	if (region && strncmp(region, "cn-", 3) == 0)
		part = "aws-cn";
	else if (region && strncmp(region, "us-gov-", 7) == 0)
		part = "aws-us-gov";
	snprintf(p->partition, sizeof(p->partition), "%s", part);

	const co_value *tags = co_value_attr(config, "default_tags");
	if (co_value_is_set(tags) && tags->count) {
		p->default_tags = calloc(tags->count, sizeof(co_tag));
		for (size_t i = 0; p->default_tags && i < tags->count; i++) {
			const char *v = co_value_str(tags->items[i]);
			p->default_tags[p->n_default_tags].key =
			    strdup(tags->keys[i]);
			p->default_tags[p->n_default_tags].value =
			    strdup(v ? v : "");
			p->n_default_tags++;
		}
	}
	pthread_mutex_lock(&stop_lock);
	p->aws = aws;
	configuring = NULL;
	pthread_mutex_unlock(&stop_lock);
	p->configured = true;
	co_info("configured: region %s, account %s, credentials from %s, "
		"CLI %s",
	    region ? region : "?", p->account_id[0] ? p->account_id : "?",
	    co_aws_client_credential_source(aws),
	    cli_version ? cli_version : "?");
}
