/* The services this provider calls, and where each one's requests go.
 * Keys are terraform-provider-aws `endpoints` block names; sdk_id is the
 * AWS SDK service id used by AWS_ENDPOINT_URL_<ID>
 * (https://docs.aws.amazon.com/sdkref/latest/guide/ss-endpoints-table.html);
 * signing names and hosts come from the botocore service models. */
#include "aws_private.h"

#include <stdlib.h>
#include <string.h>

#include "../util/log.h"

static const co_aws_service services[] = {
	{"autoscaling", "autoscaling", "AUTO_SCALING",
	    "autoscaling.{region}.amazonaws.com", NULL},
	{"budgets", "budgets", "BUDGETS", "budgets.amazonaws.com", "us-east-1"},
	{"ce", "ce", "COST_EXPLORER", "ce.us-east-1.amazonaws.com", "us-east-1"},
	{"ec2", "ec2", "EC2", "ec2.{region}.amazonaws.com", NULL},
	{"ecr", "ecr", "ECR", "api.ecr.{region}.amazonaws.com", NULL},
	{"eks", "eks", "EKS", "eks.{region}.amazonaws.com", NULL},
	{"elbv2", "elasticloadbalancing", "ELASTIC_LOAD_BALANCING_V2",
	    "elasticloadbalancing.{region}.amazonaws.com", NULL},
	{"events", "events", "EVENTBRIDGE", "events.{region}.amazonaws.com",
	    NULL},
	{"iam", "iam", "IAM", "iam.amazonaws.com", "us-east-1"},
	{"lambda", "lambda", "LAMBDA", "lambda.{region}.amazonaws.com", NULL},
	{"logs", "logs", "CLOUDWATCH_LOGS", "logs.{region}.amazonaws.com", NULL},
	/* The Price List API only answers in us-east-1, eu-central-1 and
	 * ap-south-1; us-east-1 serves every region's prices. */
	{"pricing", "pricing", "PRICING", "api.pricing.us-east-1.amazonaws.com",
	    "us-east-1"},
	{"resourcegroupstaggingapi", "tagging", "RESOURCE_GROUPS_TAGGING_API",
	    "tagging.{region}.amazonaws.com", NULL},
	{"s3", "s3", "S3", "s3.{region}.amazonaws.com", NULL},
	{"sagemaker", "sagemaker", "SAGEMAKER",
	    "api.sagemaker.{region}.amazonaws.com", NULL},
	{"scheduler", "scheduler", "SCHEDULER",
	    "scheduler.{region}.amazonaws.com", NULL},
	{"sns", "sns", "SNS", "sns.{region}.amazonaws.com", NULL},
	{"sts", "sts", "STS", "sts.{region}.amazonaws.com", NULL},
};

#define N_SERVICES (sizeof(services) / sizeof(services[0]))
#define URL_MAX 2048

size_t co_aws_service_count(void)
{
	return N_SERVICES;
}

const co_aws_service *co_aws_service_at(size_t i)
{
	return i < N_SERVICES ? &services[i] : NULL;
}

const co_aws_service *co_aws_service_find(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < N_SERVICES; i++)
		if (strcmp(services[i].key, key) == 0)
			return &services[i];
	return NULL;
}

/* Copies url without trailing slashes; "host:port" without a scheme gets
 * https://, as the SDKs accept bare hosts. -1 when it cannot be a URL. */
static int clean_url(char **out, const char *url, const char *what,
    co_buf *err)
{
	co_buf b;
	co_buf_init(&b, URL_MAX);
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	const char *scheme_end = strstr(url, "://");
	if (scheme_end && strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) {
		co_buf_printf(err, "The endpoint URL %s (%s) must start with "
		    "http:// or https://.", url, what);
		co_buf_free(&b);
		return -1;
	}
	if (!scheme_end)
		co_buf_puts(&b, "https://");
	if (n == 0 || co_buf_append(&b, url, n) ||
	    strlen(co_buf_cstr(&b)) <= strlen("https://")) {
		co_buf_printf(err, "The endpoint URL \"%s\" (%s) is not a URL.",
		    url, what);
		co_buf_free(&b);
		return -1;
	}
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] <= ' ') {
			co_buf_printf(err, "The endpoint URL \"%s\" (%s) "
			    "contains whitespace.", url, what);
			co_buf_free(&b);
			return -1;
		}
	*out = b.data;
	return 0;
}

static char *expand_host(const char *tmpl, const char *region)
{
	co_buf b;
	co_buf_init(&b, URL_MAX);
	co_buf_puts(&b, "https://");
	const char *p = strstr(tmpl, "{region}");
	if (p) {
		co_buf_append(&b, tmpl, (size_t)(p - tmpl));
		co_buf_puts(&b, region);
		co_buf_puts(&b, p + strlen("{region}"));
	} else {
		co_buf_puts(&b, tmpl);
	}
	return b.data;
}

int co_aws_endpoints_resolve(char **urls, const co_aws_config *cfg,
    const char *region, co_buf *err)
{
	memset(urls, 0, N_SERVICES * sizeof(*urls));
	for (size_t i = 0; i < cfg->n_endpoints; i++) {
		const co_aws_endpoint *e = &cfg->endpoints[i];
		if (!e->url || !*e->url)
			continue;
		if (!co_aws_service_find(e->service)) {
			co_buf_printf(err, "Unknown service \"%s\" in the "
			    "endpoints block. Known services:",
			    e->service ? e->service : "");
			for (size_t k = 0; k < N_SERVICES; k++)
				co_buf_printf(err, "%s %s", k ? "," : "",
				    services[k].key);
			co_buf_putc(err, '.');
			goto fail;
		}
	}
	const char *global = getenv("AWS_ENDPOINT_URL");
	for (size_t i = 0; i < N_SERVICES; i++) {
		const co_aws_service *s = &services[i];
		const char *url = NULL, *origin = NULL;
		/* A later entry for the same key wins, like a later
		 * assignment in HCL would. */
		for (size_t k = 0; k < cfg->n_endpoints; k++)
			if (cfg->endpoints[k].url && *cfg->endpoints[k].url &&
			    strcmp(cfg->endpoints[k].service, s->key) == 0) {
				url = cfg->endpoints[k].url;
				origin = "endpoints block";
			}
		char var[96];
		snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", s->sdk_id);
		if (!url && getenv(var) && *getenv(var)) {
			url = getenv(var);
			origin = var;
		}
		if (!url && global && *global) {
			url = global;
			origin = "AWS_ENDPOINT_URL";
		}
		if (url) {
			if (clean_url(&urls[i], url, origin, err))
				goto fail;
			co_debug("endpoint for %s: %s (from %s)", s->key, urls[i],
			    origin);
		} else {
			urls[i] = expand_host(s->host, region);
		}
		if (!urls[i]) {
			co_buf_puts(err, "Out of memory resolving endpoints.");
			goto fail;
		}
	}
	return 0;
fail:
	for (size_t i = 0; i < N_SERVICES; i++) {
		free(urls[i]);
		urls[i] = NULL;
	}
	return -1;
}

int co_aws_client_endpoint(const co_aws_client *c, const char *service,
    co_buf *url, co_buf *err)
{
	for (size_t i = 0; i < N_SERVICES; i++)
		if (strcmp(services[i].key, service ? service : "") == 0)
			return co_buf_puts(url, c->urls[i]);
	co_buf_printf(err, "Unknown AWS service \"%s\".",
	    service ? service : "");
	return -1;
}

int co_aws_client_target(const co_aws_client *c, const char *service,
    co_aws_target *t, co_aws_error *err)
{
	for (size_t i = 0; i < N_SERVICES; i++)
		if (strcmp(services[i].key, service ? service : "") == 0) {
			t->svc = &services[i];
			t->url = c->urls[i];
			t->signing_region = services[i].signing_region ?
			    services[i].signing_region : c->id.region;
			return 0;
		}
	co_aws_error_set(err, "UnknownService",
	    "the provider has no endpoint for AWS service \"%s\"",
	    service ? service : "");
	return -1;
}
