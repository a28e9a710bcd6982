/* costops_budget_guard: an AWS Budgets cost budget that watches the spend
 * costops actually tags, and that acts when it is crossed.
 *
 * The seed's budget filtered on Project=RetailForecastMLOps while every
 * resource carried Project=RetailMLOps, so it watched nothing; here a cost
 * filter tag that the provider's default_tags do not put on resources is an
 * error at plan time.
 *
 * on_breach: Budgets actions (CreateBudgetAction) can only apply IAM or SCP
 * policies or run the SSM documents STOP_EC2_INSTANCES / STOP_RDS_INSTANCES;
 * none of them can scale an EKS managed node group to zero or delete a
 * SageMaker endpoint. So the guard owns an SNS topic that the budget's
 * breach notification publishes to, and a small Lambda function subscribed
 * to it that makes the stop calls of the costops_schedule stop schedules
 * (read from EventBridge Scheduler at run time: the same target action with
 * the same input). Everything runs inside AWS; nothing of ours runs
 * elsewhere. The function's role allows exactly those calls. */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "provider/cost/cost.h"
#include "provider/framework/resource.h"
#include "provider/util/log.h"
#include "provider/util/zip.h"

/* ---- limits from the AWS Budgets API reference ---------------------------------- */

/* API_budgets_Notification: "A budget can have up to ten notifications",
 * "one SNS subscriber and up to 10 email subscribers". */
#define MAX_NOTIFICATIONS 10
#define MAX_EMAILS 10
#define MAX_SUBSCRIBERS 11
/* Notification.Threshold: "The maximum limit for your threshold is
 * 1,000,000% above the budgeted amount." */
#define MAX_THRESHOLD_PERCENT 1000000.0
/* Budget.BudgetName: 1-100 characters, no ':' or '\'. */
#define MAX_BUDGET_NAME 100
/* The prefix costops_schedule gives the schedules that stop its targets. */
#define STOP_PREFIX "stop"
#define GUARD_PREFIX "costops-guard-"
#define GUARD_POLICY_NAME "costops-budget-guard"
#define GUARD_STATEMENT_ID "costops-budget-guard-sns"
#define LAMBDA_API "/2015-03-31/functions"

static const char *const time_units[] = {"MONTHLY", "QUARTERLY", "ANNUALLY",
    "DAILY", NULL};
static const char *const notify_types[] = {"ACTUAL", "FORECASTED", NULL};

/* ---- schema --------------------------------------------------------------------- */

static const co_attr_schema notify_attrs[] = {
	{.name = "threshold_percent", .type = "\"number\"",
	    .flags = CO_REQUIRED,
	    .description = "Alert when spend is greater than this percentage "
			   "of `limit_usd` (more than 0, at most 1000000)."},
	{.name = "type", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "\"ACTUAL\"",
	    .one_of = notify_types,
	    .description = "`ACTUAL` (spend so far) or `FORECASTED` (spend "
			   "forecast for the period). `DAILY` budgets allow "
			   "only `ACTUAL`."},
	{.name = "emails", .type = "[\"list\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Up to 10 email addresses to notify."},
	{.name = "sns_topic_arn", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "One SNS topic to notify (Budgets allows one per "
			   "notification). Its policy must let "
			   "`budgets.amazonaws.com` publish."},
	{0},
};

static const co_block_schema notify_block = {
	.attrs = notify_attrs,
	.description = "An alert: a threshold and who is told. At least one "
		       "email or the SNS topic.",
};

static const co_attr_schema breach_attrs[] = {
	{.name = "threshold_percent", .type = "\"number\"",
	    .flags = CO_REQUIRED,
	    .description = "When actual spend is greater than this percentage "
			   "of `limit_usd`, the targets of the `stop` "
			   "schedules are stopped."},
	{.name = "stop", .type = "[\"list\",\"string\"]", .flags = CO_REQUIRED,
	    .description = "`costops_schedule` ids (EventBridge Scheduler "
			   "schedule group names) whose stop schedules (names "
			   "starting with `stop`) are run on a breach."},
	{0},
};

static const co_block_schema breach_block = {
	.attrs = breach_attrs,
	.description = "Stop what the listed schedules stop when spend crosses "
		       "a threshold, from inside AWS: the budget notifies an "
		       "SNS topic that invokes a Lambda function making the "
		       "schedules' stop calls.",
};

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "The budget name; also the import id."},
	{.name = "name", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "Budget name: 1-100 characters, no `:` or `\\`. "
			   "Budgets cannot rename, so a change replaces it."},
	{.name = "limit_usd", .type = "\"number\"", .flags = CO_REQUIRED,
	    .description = "Budgeted cost per period, in USD (more than 0)."},
	{.name = "estimate_usd", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .description = "What the plan expects the watched resources to "
			   "cost a month, e.g. "
			   "`data.costops_cost_estimate.x.after_monthly_usd`. "
			   "When `limit_usd` is below it the plan warns: the "
			   "budget would alert every month on spend that is "
			   "expected. Changes nothing in AWS. A common choice "
			   "is `limit_usd = estimate_usd * 1.2`."},
	{.name = "time_unit", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "\"MONTHLY\"",
	    .one_of = time_units,
	    .description = "`MONTHLY` (default), `QUARTERLY`, `ANNUALLY` or "
			   "`DAILY`."},
	{.name = "cost_filter_tags", .type = "[\"map\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Only count the cost of resources with these tags "
			   "(a Budgets `TagKeyValue` filter `user:Key$Value`; "
			   "several tags match any of them). Each must be a "
			   "tag the provider's `default_tags` put on "
			   "resources, unless `allow_foreign_tags` is set."},
	{.name = "allow_foreign_tags", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "false",
	    .description = "Allow `cost_filter_tags` that the provider's "
			   "`default_tags` do not set (tags applied by other "
			   "tools)."},
	{.name = "arn", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The budget's ARN."},
	{.name = "breach_topic_arn", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The SNS topic the breach notification publishes "
			   "to (empty without `on_breach`)."},
	{.name = "breach_function_name", .type = "\"string\"",
	    .flags = CO_COMPUTED,
	    .description = "The Lambda function that makes the stop calls "
			   "(empty without `on_breach`)."},
	{.name = "breach_role_arn", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The function's IAM role (empty without "
			   "`on_breach`)."},
	{.name = "breach_actions", .type = "[\"list\",\"string\"]",
	    .flags = CO_COMPUTED,
	    .description = "The API actions the stop schedules call, which "
			   "the role allows (e.g. "
			   "`eks:UpdateNodegroupConfig`)."},
	{0},
};

static const co_block_type_schema blocks[] = {
	{.name = "notify", .nesting = CO_NEST_LIST, .block = &notify_block,
	    .max_items = MAX_NOTIFICATIONS},
	{.name = "on_breach", .nesting = CO_NEST_LIST, .block = &breach_block,
	    .max_items = 1},
	CO_TIMEOUTS_BLOCK_TYPE,
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.blocks = blocks,
	.description = "An AWS Budgets cost budget filtered on the tags costops "
		       "puts on resources, with email/SNS alerts and, with "
		       "`on_breach`, an in-AWS action that stops the targets "
		       "of `costops_schedule` stop schedules when spend "
		       "crosses a threshold.",
};

/* ---- small helpers ---------------------------------------------------------------- */

static const co_value *breach_of(const co_value *v)
{
	const co_value *l = co_value_attr(v, "on_breach");
	if (co_value_is_set(l) && l->count > 0 && co_value_is_set(l->items[0]))
		return l->items[0];
	return NULL;
}

static const char *num_text(co_ctx *ctx, double d)
{
	char buf[400];
	if (co_number_format(buf, sizeof(buf), d) < 0)
		return "0";
	return co_arena_strdup(ctx->arena, buf);
}

static const char *region_of(const co_ctx *ctx)
{
	const char *r = co_aws_client_region(ctx->provider->aws);
	return r ? r : "us-east-1";
}

/* Email addresses as Budgets checks them: something@domain.tld. */
static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	const char *dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return false;
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',' || *p == ';')
			return false;
	return true;
}

/* arn:<partition>:sns:<region>:<12-digit account>:<topic> (topic names are
 * 1-256 of A-Za-z0-9_- , plus ".fifo"). */
static bool sns_arn_ok(const char *s)
{
	char part[32], region[32], account[16], topic[300];
	if (sscanf(s, "arn:%31[^:]:sns:%31[^:]:%15[^:]:%299s", part, region,
		account, topic) != 4)
		return false;
	if (strlen(account) != 12)
		return false;
	for (const char *p = account; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	size_t n = strlen(topic);
	if (n == 0 || n > 256)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)topic[i]) && topic[i] != '_' &&
		    topic[i] != '-' && !(topic[i] == '.' && n > 5 &&
					   strcmp(topic + n - 5, ".fifo") == 0))
			return false;
	return true;
}

/* Schedule group names: 1-64 of [0-9a-zA-Z-_.] (CreateScheduleGroup). */
static bool group_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return false;
	return true;
}

/* Tag keys: letters, digits, spaces and + - = . _ : / @ (Tagging best
 * practices); '$' would also break the user:Key$Value filter form. */
static bool tag_key_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || strncmp(s, "aws:", 4) == 0)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(" +-=._:/@", *p))
			return false;
	return true;
}

/* The guard's function, role and topic share one name derived from the
 * budget name: Lambda and IAM allow 64 characters of [A-Za-z0-9_-]
 * (IAM a few more); longer names are cut and made unique with a CRC. */
static const char *guard_name(co_ctx *ctx, const char *budget)
{
	char clean[MAX_BUDGET_NAME + 1];
	size_t n = 0;
	for (const char *p = budget; *p && n < MAX_BUDGET_NAME; p++)
		clean[n++] = (isalnum((unsigned char)*p) || *p == '_' ||
				 *p == '-')
				 ? *p
				 : '-';
	clean[n] = 0;
	if (strlen(GUARD_PREFIX) + n <= 64)
		return co_arena_sprintf(ctx->arena, GUARD_PREFIX "%s", clean);
	return co_arena_sprintf(ctx->arena, GUARD_PREFIX "%.41s-%08x", clean,
	    (unsigned)co_crc32(0, budget, strlen(budget)));
}

static const char *topic_arn_for(co_ctx *ctx, const char *name)
{
	return co_arena_sprintf(ctx->arena, "arn:%s:sns:%s:%s:%s",
	    ctx->provider->partition, region_of(ctx), ctx->provider->account_id,
	    name);
}

static const char *role_arn_for(co_ctx *ctx, const char *name)
{
	return co_arena_sprintf(ctx->arena, "arn:%s:iam::%s:role/%s",
	    ctx->provider->partition, ctx->provider->account_id, name);
}

static const char *budget_arn_for(co_ctx *ctx, const char *name)
{
	return co_arena_sprintf(ctx->arena, "arn:%s:budgets::%s:budget/%s",
	    ctx->provider->partition, ctx->provider->account_id, name);
}

static co_value *string_list(co_ctx *ctx)
{
	return co_value_collection(ctx->arena,
	    co_type_list(ctx->arena, &co_type_string));
}

static co_value *empty_string(co_ctx *ctx)
{
	return co_value_string(ctx->arena, "");
}

/* ---- validate ---------------------------------------------------------------------- */

static void validate_notify(co_ctx *ctx, const co_value *config,
    const char *time_unit)
{
	const co_value *list = co_value_attr(config, "notify");
	if (!co_value_is_set(list))
		return;
	for (size_t i = 0; i < list->count; i++) {
		const co_value *n = list->items[i];
		if (!co_value_is_set(n))
			continue;
		co_path np = co_path_push_index(co_path_attr("notify"),
		    (int64_t)i);
		double thr;
		const co_value *tv = co_value_attr(n, "threshold_percent");
		if (co_value_num(tv, &thr) &&
		    (thr <= 0 || thr > MAX_THRESHOLD_PERCENT)) {
			co_path p = co_path_push_attr(np, "threshold_percent");
			co_diag_error(ctx->diags, &p, "Threshold out of range",
			    "Budgets takes a threshold above 0 and at most "
			    "1000000 %% of the limit; got %g.",
			    thr);
		}
		const char *type = co_value_str(co_value_attr(n, "type"));
		if (time_unit && strcmp(time_unit, "DAILY") == 0 && type &&
		    strcmp(type, "FORECASTED") == 0) {
			co_path p = co_path_push_attr(np, "type");
			co_diag_error(ctx->diags, &p,
			    "FORECASTED alert on a DAILY budget",
			    "AWS Budgets forecasts only monthly, quarterly and "
			    "annual budgets, so a DAILY budget can only alert "
			    "on ACTUAL spend. Use type = \"ACTUAL\" or another "
			    "time_unit.");
		}
		/* Two notifications with the same type and threshold are one
		 * notification to Budgets (DuplicateRecordException). */
		for (size_t j = 0; j < i && co_value_num(tv, &thr); j++) {
			const co_value *o = list->items[j];
			double othr;
			const char *otype =
			    co_value_str(co_value_attr(o, "type"));
			if (co_value_num(co_value_attr(o, "threshold_percent"),
				&othr) &&
			    othr == thr && type && otype &&
			    strcmp(type, otype) == 0) {
				co_path p =
				    co_path_push_attr(np, "threshold_percent");
				co_diag_error(ctx->diags, &p,
				    "Duplicate notification",
				    "notify[%zu] already alerts at %g %% %s; "
				    "Budgets keeps one notification per type "
				    "and threshold. Put all subscribers in one "
				    "notify block.",
				    j, thr, type);
			}
		}
		const co_value *emails = co_value_attr(n, "emails");
		const co_value *sns = co_value_attr(n, "sns_topic_arn");
		bool emails_known = !emails || !emails->is_unknown;
		bool sns_known = !sns || !sns->is_unknown;
		size_t n_emails = co_value_is_set(emails) ? emails->count : 0;
		if (emails_known && sns_known && n_emails == 0 &&
		    !co_value_is_set(sns))
			co_diag_error(ctx->diags, &np, "Nobody to notify",
			    "Each notification needs at least one subscriber: "
			    "set emails, sns_topic_arn or both.");
		if (n_emails > MAX_EMAILS) {
			co_path p = co_path_push_attr(np, "emails");
			co_diag_error(ctx->diags, &p, "Too many email subscribers",
			    "A Budgets notification takes up to 10 email "
			    "addresses (and one SNS topic); got %zu. To reach "
			    "more people, subscribe them to the SNS topic.",
			    n_emails);
		}
		for (size_t k = 0; k < n_emails; k++) {
			const char *e = co_value_str(emails->items[k]);
			co_path p = co_path_push_index(
			    co_path_push_attr(np, "emails"), (int64_t)k);
			if (e && !email_ok(e))
				co_diag_error(ctx->diags, &p,
				    "Invalid email address",
				    "\"%s\" is not an email address "
				    "(name@example.com).",
				    e);
			for (size_t m = 0; e && m < k; m++) {
				const char *o = co_value_str(emails->items[m]);
				if (o && strcmp(o, e) == 0)
					co_diag_error(ctx->diags, &p,
					    "Duplicate email address",
					    "\"%s\" is listed twice; Budgets "
					    "refuses duplicate subscribers.",
					    e);
			}
		}
		const char *arn = co_value_str(sns);
		if (arn && !sns_arn_ok(arn)) {
			co_path p = co_path_push_attr(np, "sns_topic_arn");
			co_diag_error(ctx->diags, &p, "Invalid SNS topic ARN",
			    "\"%s\" is not an SNS topic ARN "
			    "(arn:aws:sns:<region>:<12-digit account>:<topic>).",
			    arn);
		}
	}
}

static void bg_validate(co_ctx *ctx, const co_value *config)
{
	const char *name = co_value_str(co_value_attr(config, "name"));
	if (name) {
		co_path p = co_path_attr("name");
		size_t n = strlen(name);
		if (n == 0 || n > MAX_BUDGET_NAME || strpbrk(name, ":\\") ||
		    strstr(name, "/action/"))
			co_diag_error(ctx->diags, &p, "Invalid budget name",
			    "Budget names are 1-100 characters without ':', "
			    "'\\' or \"/action/\"; got \"%s\".",
			    name);
	}
	double limit;
	if (co_value_num(co_value_attr(config, "limit_usd"), &limit) &&
	    !(limit > 0)) {
		co_path p = co_path_attr("limit_usd");
		co_diag_error(ctx->diags, &p, "Invalid budget limit",
		    "limit_usd must be more than 0 USD; got %g.", limit);
	}
	const co_value *tags = co_value_attr(config, "cost_filter_tags");
	for (size_t i = 0; co_value_is_set(tags) && i < tags->count; i++) {
		if (tag_key_ok(tags->keys[i]))
			continue;
		co_path p = co_path_push_key(co_path_attr("cost_filter_tags"),
		    tags->keys[i]);
		co_diag_error(ctx->diags, &p, "Invalid tag key",
		    "\"%s\" cannot be a cost allocation tag key: use 1-128 "
		    "letters, digits, spaces and + - = . _ : / @, not "
		    "starting with \"aws:\".",
		    tags->keys[i]);
	}
	const co_value *tu = co_value_attr(config, "time_unit");
	const char *time_unit =
	    tu && tu->is_null ? "MONTHLY" : co_value_str(tu);
	validate_notify(ctx, config, time_unit);

	const co_value *nl = co_value_attr(config, "notify");
	const co_value *b = breach_of(config);
	if (b && co_value_is_set(nl) && nl->count >= MAX_NOTIFICATIONS) {
		co_path p = co_path_attr("on_breach");
		co_diag_error(ctx->diags, &p, "Too many notifications",
		    "on_breach uses one of the budget's 10 notifications, so "
		    "at most 9 notify blocks can go with it; there are %zu.",
		    nl->count);
	}
	if (!b)
		return;
	co_path bp = co_path_push_index(co_path_attr("on_breach"), 0);
	double thr;
	if (co_value_num(co_value_attr(b, "threshold_percent"), &thr) &&
	    (thr <= 0 || thr > MAX_THRESHOLD_PERCENT)) {
		co_path p = co_path_push_attr(bp, "threshold_percent");
		co_diag_error(ctx->diags, &p, "Threshold out of range",
		    "Budgets takes a threshold above 0 and at most 1000000 %% "
		    "of the limit; got %g.",
		    thr);
	}
	const co_value *stop = co_value_attr(b, "stop");
	if (co_value_is_set(stop) && stop->count == 0) {
		co_path p = co_path_push_attr(bp, "stop");
		co_diag_error(ctx->diags, &p, "Nothing to stop",
		    "List at least one costops_schedule id, e.g. "
		    "[costops_schedule.offhours.id].");
	}
	for (size_t i = 0; co_value_is_set(stop) && i < stop->count; i++) {
		const char *g = co_value_str(stop->items[i]);
		if (!g || group_name_ok(g))
			continue;
		co_path p = co_path_push_index(co_path_push_attr(bp, "stop"),
		    (int64_t)i);
		co_diag_error(ctx->diags, &p, "Not a costops_schedule id",
		    "\"%s\" cannot be a costops_schedule id (an EventBridge "
		    "Scheduler group name: 1-64 of letters, digits, '-', '_' "
		    "and '.'). Use costops_schedule.<name>.id.",
		    g);
	}
}

/* ---- plan ---------------------------------------------------------------------------- */

/* The seed's budget filtered on Project=RetailForecastMLOps while costops
 * tagged everything Project=RetailMLOps: a budget that watches nothing. A
 * filter tag must be one the provider puts on resources. */
static void check_foreign_tags(co_ctx *ctx, const co_value *planned)
{
	const co_value *tags = co_value_attr(planned, "cost_filter_tags");
	if (!co_value_is_set(tags) ||
	    co_value_bool_or(co_value_attr(planned, "allow_foreign_tags"), false))
		return;
	const co_provider *pv = ctx->provider;
	for (size_t i = 0; i < tags->count; i++) {
		const char *want = co_value_str(tags->items[i]);
		if (!want)
			continue;
		const char *have = NULL;
		for (size_t k = 0; k < pv->n_default_tags; k++)
			if (strcmp(pv->default_tags[k].key, tags->keys[i]) == 0)
				have = pv->default_tags[k].value;
		if (have && strcmp(have, want) == 0)
			continue;
		co_path p = co_path_push_key(co_path_attr("cost_filter_tags"),
		    tags->keys[i]);
		if (have)
			co_diag_error(ctx->diags, &p,
			    "Budget would watch spend costops does not tag",
			    "cost_filter_tags has %s = \"%s\", but costops tags "
			    "resources %s = \"%s\" (provider default_tags), so "
			    "the budget would count none of their cost. Use "
			    "\"%s\", or set allow_foreign_tags = true if other "
			    "tools apply \"%s\".",
			    tags->keys[i], want, tags->keys[i], have, have, want);
		else
			co_diag_error(ctx->diags, &p,
			    "Budget would watch spend costops does not tag",
			    "cost_filter_tags has %s = \"%s\", but the provider's "
			    "default_tags set no tag %s, so costops resources "
			    "do not carry it. Add it to default_tags, or set "
			    "allow_foreign_tags = true if other tools apply it.",
			    tags->keys[i], want, tags->keys[i]);
	}
}

static void bg_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying)
		return;
	co_value *planned = plan->planned;
	const co_value *prior = plan->prior;
	const co_value *tags = co_value_attr(planned, "cost_filter_tags");
	bool tags_changed = plan->creating ||
			    !co_value_equal(tags,
				co_value_attr(prior, "cost_filter_tags"));
	if (tags_changed && co_value_is_set(tags) && tags->count > 0) {
		co_path p = co_path_attr("cost_filter_tags");
		co_diag_warn(ctx->diags, &p,
		    "Activate the cost allocation tags",
		    "Budgets filters on a user tag only after it is activated "
		    "as a cost allocation tag (Billing console, Cost allocation "
		    "tags; or Cost Explorer UpdateCostAllocationTagsStatus). "
		    "Activation takes up to 24 hours and costs are tagged only "
		    "from then on; until then this budget shows 0 USD.");
	}
	double limit, estimate;
	if (co_value_num(co_value_attr(planned, "limit_usd"), &limit) &&
	    co_value_num(co_value_attr(planned, "estimate_usd"), &estimate)) {
		char msg[256];
		if (co_cost_limit_below_estimate(limit, estimate, msg,
			sizeof(msg))) {
			co_path p = co_path_attr("limit_usd");
			co_diag_warn(ctx->diags, &p,
			    "Budget limit below the estimate", "%s", msg);
		}
	}
	if (!ctx->provider || !ctx->provider->configured)
		return;
	check_foreign_tags(ctx, planned);

	/* Names are known at plan time; only the actions depend on what the
	 * schedules hold when applied. */
	const char *name = co_value_str(co_value_attr(planned, "name"));
	if (!name || !ctx->provider->account_id[0])
		return;
	co_value_set_attr(planned, "id", co_value_string(ctx->arena, name));
	co_value_set_attr(planned, "arn",
	    co_value_string(ctx->arena, budget_arn_for(ctx, name)));
	const co_value *b = breach_of(planned);
	const co_value *lb = co_value_attr(planned, "on_breach");
	if (lb && lb->is_unknown)
		return;
	if (!b) {
		co_value_set_attr(planned, "breach_topic_arn", empty_string(ctx));
		co_value_set_attr(planned, "breach_function_name",
		    empty_string(ctx));
		co_value_set_attr(planned, "breach_role_arn", empty_string(ctx));
		co_value_set_attr(planned, "breach_actions", string_list(ctx));
		return;
	}
	const char *g = guard_name(ctx, name);
	co_value_set_attr(planned, "breach_topic_arn",
	    co_value_string(ctx->arena, topic_arn_for(ctx, g)));
	co_value_set_attr(planned, "breach_function_name",
	    co_value_string(ctx->arena, g));
	co_value_set_attr(planned, "breach_role_arn",
	    co_value_string(ctx->arena, role_arn_for(ctx, g)));
	const co_value *pb = breach_of(prior);
	const co_value *pa = co_value_attr(prior, "breach_actions");
	if (pb && co_value_is_set(pa) &&
	    co_value_equal(co_value_attr(pb, "stop"), co_value_attr(b, "stop")))
		co_value_set_attr(planned, "breach_actions", (co_value *)pa);
	else
		co_value_set_attr(planned, "breach_actions",
		    co_value_unknown(ctx->arena,
			co_type_list(ctx->arena, &co_type_string)));
}

/* ---- Budgets calls ------------------------------------------------------------------ */

static int budgets_call(co_ctx *ctx, const char *op, json_t *req,
    json_t **resp, co_aws_error *err)
{
	char target[96];
	snprintf(target, sizeof(target), "AWSBudgetServiceGateway.%s", op);
	json_t *r = NULL;
	int rc = co_aws_json_call(ctx->provider->aws, "budgets", target, req,
	    &r, err);
	if (resp)
		*resp = r;
	else
		json_decref(r);
	return rc;
}

/* The Budget object of CreateBudget/UpdateBudget: a COST budget with the
 * TagKeyValue filter in its "user:Key$Value" form. */
static json_t *budget_json(co_ctx *ctx, const co_value *v)
{
	double limit = 0;
	co_value_num(co_value_attr(v, "limit_usd"), &limit);
	const char *tu = co_value_str(co_value_attr(v, "time_unit"));
	json_t *b = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "BudgetName",
	    co_value_str(co_value_attr(v, "name")), "BudgetLimit", "Amount",
	    num_text(ctx, limit), "Unit", "USD", "TimeUnit",
	    tu ? tu : "MONTHLY", "BudgetType", "COST");
	const co_value *tags = co_value_attr(v, "cost_filter_tags");
	if (co_value_is_set(tags) && tags->count > 0) {
		json_t *vals = json_array();
		for (size_t i = 0; i < tags->count; i++) {
			const char *val = co_value_str(tags->items[i]);
			json_array_append_new(vals,
			    json_string(co_arena_sprintf(ctx->arena,
				"user:%s$%s", tags->keys[i], val ? val : "")));
		}
		json_object_set_new(b, "CostFilters",
		    json_pack("{s:o}", "TagKeyValue", vals));
	}
	return b;
}

/* One notification and its subscribers, as Budgets identifies it: type,
 * comparison, threshold and threshold type. */
typedef struct nspec {
	const char *type;
	const char *op;
	double threshold;
	const char *ttype;
	const char *kind[MAX_SUBSCRIBERS + 5]; /* "EMAIL" | "SNS" */
	const char *addr[MAX_SUBSCRIBERS + 5];
	size_t n_subs;
	bool matched;
	bool is_breach;
} nspec;

static bool nspec_same(const nspec *a, const nspec *b)
{
	return strcmp(a->type, b->type) == 0 && strcmp(a->op, b->op) == 0 &&
	       strcmp(a->ttype, b->ttype) == 0 &&
	       fabs(a->threshold - b->threshold) <=
		   1e-9 * fmax(1.0, fabs(a->threshold));
}

static json_t *nspec_json(const nspec *n)
{
	return json_pack("{s:s, s:s, s:f, s:s}", "NotificationType", n->type,
	    "ComparisonOperator", n->op, "Threshold", n->threshold,
	    "ThresholdType", n->ttype);
}

static json_t *subscriber_json(const char *kind, const char *addr)
{
	return json_pack("{s:s, s:s}", "SubscriptionType", kind, "Address",
	    addr);
}

static json_t *subscribers_json(const nspec *n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n->n_subs; i++)
		json_array_append_new(a,
		    subscriber_json(n->kind[i], n->addr[i]));
	return a;
}

static void nspec_add_sub(nspec *n, const char *kind, const char *addr)
{
	if (n->n_subs < sizeof(n->addr) / sizeof(n->addr[0])) {
		n->kind[n->n_subs] = kind;
		n->addr[n->n_subs++] = addr;
	}
}

static bool nspec_has_sub(const nspec *n, const char *kind, const char *addr)
{
	for (size_t i = 0; i < n->n_subs; i++)
		if (strcmp(n->kind[i], kind) == 0 &&
		    strcmp(n->addr[i], addr) == 0)
			return true;
	return false;
}

static void nspec_from_notify(nspec *n, const co_value *item)
{
	memset(n, 0, sizeof(*n));
	const char *type = co_value_str(co_value_attr(item, "type"));
	n->type = type ? type : "ACTUAL";
	n->op = "GREATER_THAN";
	n->ttype = "PERCENTAGE";
	co_value_num(co_value_attr(item, "threshold_percent"), &n->threshold);
	const co_value *emails = co_value_attr(item, "emails");
	for (size_t i = 0; co_value_is_set(emails) && i < emails->count; i++)
		if (co_value_str(emails->items[i]))
			nspec_add_sub(n, "EMAIL", emails->items[i]->str);
	const char *sns = co_value_str(co_value_attr(item, "sns_topic_arn"));
	if (sns)
		nspec_add_sub(n, "SNS", sns);
}

/* The breach notification is expressed as an absolute amount (limit x
 * percent / 100), so it never coincides with a percentage notify block
 * at the same threshold: a notification takes only one SNS topic, and
 * notify blocks may have their own. */
static bool nspec_breach(nspec *n, const co_value *v)
{
	const co_value *b = breach_of(v);
	const char *topic = co_value_str(co_value_attr(v, "breach_topic_arn"));
	double limit, pct;
	if (!b || !topic || !*topic ||
	    !co_value_num(co_value_attr(v, "limit_usd"), &limit) ||
	    !co_value_num(co_value_attr(b, "threshold_percent"), &pct))
		return false;
	memset(n, 0, sizeof(*n));
	n->type = "ACTUAL";
	n->op = "GREATER_THAN";
	n->ttype = "ABSOLUTE_VALUE";
	/* Cents: Budgets shows amounts to two decimals. */
	n->threshold = round(limit * pct) / 100.0;
	n->is_breach = true;
	nspec_add_sub(n, "SNS", topic);
	return true;
}

/* What the budget should have, per the plan: notify blocks in order,
 * then the breach notification. */
static size_t desired_notifications(const co_value *v, nspec *out, size_t cap)
{
	size_t n = 0;
	const co_value *l = co_value_attr(v, "notify");
	for (size_t i = 0; co_value_is_set(l) && i < l->count && n < cap; i++)
		nspec_from_notify(&out[n++], l->items[i]);
	if (n < cap && nspec_breach(&out[n], v))
		n++;
	return n;
}

static const char *jstr(co_ctx *ctx, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? co_arena_strdup(ctx->arena, s) : NULL;
}

/* Reads the budget's notifications and their subscribers. */
static int actual_notifications(co_ctx *ctx, const char *name, nspec *out,
    size_t cap, size_t *count)
{
	*count = 0;
	char *token = NULL;
	int rc = -1;
	do {
		json_t *req = json_pack("{s:s, s:s, s:i}", "AccountId",
		    ctx->provider->account_id, "BudgetName", name, "MaxResults",
		    100);
		if (token)
			json_object_set_new(req, "NextToken", json_string(token));
		free(token);
		token = NULL;
		json_t *resp = NULL;
		co_aws_error err = {0};
		int r = budgets_call(ctx, "DescribeNotificationsForBudget", req,
		    &resp, &err);
		json_decref(req);
		if (r < 0) {
			co_diag_aws(ctx, NULL,
			    "Reading the budget's notifications failed", &err);
			goto done;
		}
		size_t i;
		json_t *jn;
		json_array_foreach(json_object_get(resp, "Notifications"), i, jn)
		{
			if (*count >= cap)
				break;
			nspec *n = &out[(*count)++];
			memset(n, 0, sizeof(*n));
			n->type = jstr(ctx, jn, "NotificationType");
			n->op = jstr(ctx, jn, "ComparisonOperator");
			n->ttype = jstr(ctx, jn, "ThresholdType");
			if (!n->type)
				n->type = "ACTUAL";
			if (!n->op)
				n->op = "GREATER_THAN";
			if (!n->ttype)
				n->ttype = "PERCENTAGE";
			n->threshold =
			    json_number_value(json_object_get(jn, "Threshold"));
		}
		const char *next =
		    json_string_value(json_object_get(resp, "NextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
	} while (token);

	for (size_t k = 0; k < *count; k++) {
		nspec *n = &out[k];
		char *stok = NULL;
		do {
			json_t *req = json_pack("{s:s, s:s, s:o, s:i}",
			    "AccountId", ctx->provider->account_id,
			    "BudgetName", name, "Notification", nspec_json(n),
			    "MaxResults", 100);
			if (stok)
				json_object_set_new(req, "NextToken",
				    json_string(stok));
			free(stok);
			stok = NULL;
			json_t *resp = NULL;
			co_aws_error err = {0};
			int r = budgets_call(ctx,
			    "DescribeSubscribersForNotification", req, &resp,
			    &err);
			json_decref(req);
			if (r < 0) {
				co_diag_aws(ctx, NULL,
				    "Reading a notification's subscribers failed",
				    &err);
				goto done;
			}
			size_t i;
			json_t *js;
			json_array_foreach(json_object_get(resp, "Subscribers"),
			    i, js)
			{
				const char *kind =
				    jstr(ctx, js, "SubscriptionType");
				const char *addr = jstr(ctx, js, "Address");
				if (kind && addr)
					nspec_add_sub(n, kind, addr);
			}
			const char *next = json_string_value(
			    json_object_get(resp, "NextToken"));
			if (next && *next)
				stok = strdup(next);
			json_decref(resp);
		} while (stok);
	}
	rc = 0;
done:
	free(token);
	return rc;
}

static int notification_op(co_ctx *ctx, const char *op, const char *name,
    const nspec *n, const nspec *new_n, const char *kind, const char *addr)
{
	json_t *req = json_pack("{s:s, s:s}", "AccountId",
	    ctx->provider->account_id, "BudgetName", name);
	if (strcmp(op, "UpdateNotification") == 0) {
		json_object_set_new(req, "OldNotification", nspec_json(n));
		json_object_set_new(req, "NewNotification", nspec_json(new_n));
	} else {
		json_object_set_new(req, "Notification", nspec_json(n));
	}
	if (strcmp(op, "CreateNotification") == 0)
		json_object_set_new(req, "Subscribers", subscribers_json(n));
	if (kind)
		json_object_set_new(req, "Subscriber",
		    subscriber_json(kind, addr));
	co_aws_error err = {0};
	int rc = budgets_call(ctx, op, req, NULL, &err);
	json_decref(req);
	if (rc < 0) {
		const char *what = co_arena_sprintf(ctx->arena,
		    "Budgets %s (%s %s %s %s) failed", op, n->type, n->op,
		    num_text(ctx, n->threshold), n->ttype);
		co_diag_aws(ctx, NULL, what, &err);
	}
	co_debug("budget_guard: %s %s %s %g %s%s%s", op, name, n->type,
	    n->threshold, n->ttype, kind ? " " : "", kind ? kind : "");
	return rc;
}

/* Brings one existing notification's subscribers to the wanted ones,
 * never leaving it without a subscriber and never above the limit of 1 SNS
 * + 10 emails: removals first except the last one, then additions. */
static int sync_subscribers(co_ctx *ctx, const char *name, const nspec *key,
    const nspec *have, const nspec *want)
{
	const char *last_kind = NULL, *last_addr = NULL;
	size_t kept = 0;
	for (size_t i = 0; i < have->n_subs; i++)
		if (nspec_has_sub(want, have->kind[i], have->addr[i]))
			kept++;
	for (size_t i = 0; i < have->n_subs; i++) {
		if (nspec_has_sub(want, have->kind[i], have->addr[i]))
			continue;
		if (kept == 0 && !last_kind) {
			last_kind = have->kind[i];
			last_addr = have->addr[i];
			continue;
		}
		if (notification_op(ctx, "DeleteSubscriber", name, key, NULL,
			have->kind[i], have->addr[i]) < 0)
			return -1;
	}
	for (size_t i = 0; i < want->n_subs; i++)
		if (!nspec_has_sub(have, want->kind[i], want->addr[i]) &&
		    notification_op(ctx, "CreateSubscriber", name, key, NULL,
			want->kind[i], want->addr[i]) < 0)
			return -1;
	if (last_kind && notification_op(ctx, "DeleteSubscriber", name, key,
			     NULL, last_kind, last_addr) < 0)
		return -1;
	return 0;
}

/* Makes the budget's notifications what `planned` asks for, in place:
 * unchanged ones are left alone, a notify block whose threshold or type
 * changed is updated (UpdateNotification) rather than recreated, and
 * subscribers are added and removed one by one. `prior` (may be NULL)
 * tells which notification each block was before. */
static int reconcile_notifications(co_ctx *ctx, const co_value *prior,
    const co_value *planned)
{
	const char *name = co_value_str(co_value_attr(planned, "name"));
	nspec want[MAX_NOTIFICATIONS + 2], was[MAX_NOTIFICATIONS + 2];
	nspec have[MAX_NOTIFICATIONS + 6];
	size_t n_want = desired_notifications(planned, want, MAX_NOTIFICATIONS + 2);
	size_t n_was = prior ? desired_notifications(prior, was,
				   MAX_NOTIFICATIONS + 2)
			     : 0;
	size_t n_have = 0;
	int match[MAX_NOTIFICATIONS + 2];
	if (actual_notifications(ctx, name, have, MAX_NOTIFICATIONS + 6,
		&n_have) < 0)
		return -1;
	/* 1. Same notification already there. */
	for (size_t i = 0; i < n_want; i++) {
		match[i] = -1;
		for (size_t k = 0; k < n_have; k++)
			if (!have[k].matched && nspec_same(&want[i], &have[k])) {
				have[k].matched = true;
				match[i] = (int)k;
				break;
			}
	}
	/* 2. What this block was before, still there: update it. */
	bool update[MAX_NOTIFICATIONS + 2] = {0};
	for (size_t i = 0; i < n_want; i++) {
		if (match[i] >= 0)
			continue;
		const nspec *old = NULL;
		for (size_t j = 0; j < n_was; j++) {
			/* The breach notification pairs with its
			 * predecessor, a notify block with the one at the same
			 * index. */
			if (want[i].is_breach ? was[j].is_breach
					      : (!was[j].is_breach && j == i))
				old = &was[j];
		}
		for (size_t k = 0; old && k < n_have; k++)
			if (!have[k].matched && nspec_same(old, &have[k])) {
				have[k].matched = true;
				match[i] = (int)k;
				update[i] = true;
				break;
			}
	}
	/* 3. Remove what is no longer wanted first, to stay within the
	 * 10-notification limit. */
	for (size_t k = 0; k < n_have; k++)
		if (!have[k].matched &&
		    notification_op(ctx, "DeleteNotification", name, &have[k],
			NULL, NULL, NULL) < 0)
			return -1;
	for (size_t i = 0; i < n_want; i++) {
		if (match[i] < 0) {
			if (notification_op(ctx, "CreateNotification", name,
				&want[i], NULL, NULL, NULL) < 0)
				return -1;
			continue;
		}
		const nspec *h = &have[match[i]];
		if (update[i] && notification_op(ctx, "UpdateNotification",
				     name, h, &want[i], NULL, NULL) < 0)
			return -1;
		if (sync_subscribers(ctx, name, &want[i], h, &want[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- the breach function ----------------------------------------------------------- */

/* The Lambda handler (Python, standard library and boto3 only, as the
 * Lambda runtime provides them). */
static const char handler_py[] =
	"\"\"\"costops_budget_guard breach handler, generated by the costops provider.\n"
	"\n"
	"SNS invokes this function when the AWS Budgets notification of the guarded\n"
	"budget crosses its breach threshold. It makes the stop calls of the\n"
	"EventBridge Scheduler schedules whose names start with \"stop\" in the\n"
	"schedule groups named in COSTOPS_STOP_GROUPS, exactly as Scheduler makes\n"
	"them: the same universal-target action with the same input. They are read\n"
	"at run time, so a schedule changed after the guard was applied is honoured.\n"
	"\"\"\"\n"
	"import json\n"
	"import os\n"
	"\n"
	"import boto3\n"
	"\n"
	"STOP_PREFIX = \"stop\"\n"
	"\n"
	"# Scheduler names SDK services as the AWS SDKs for Java/JS do; boto3 names\n"
	"# a few differently.\n"
	"BOTO3_NAMES = {\"elasticloadbalancingv2\": \"elbv2\", \"sfn\": \"stepfunctions\",\n"
	"               \"applicationautoscaling\": \"application-autoscaling\"}\n"
	"\n"
	"\n"
	"def _groups():\n"
	"    return [g for g in os.environ.get(\"COSTOPS_STOP_GROUPS\", \"\").split(\",\") if g]\n"
	"\n"
	"\n"
	"def _stop_schedules(scheduler, group):\n"
	"    kwargs = {\"GroupName\": group, \"NamePrefix\": STOP_PREFIX}\n"
	"    while True:\n"
	"        page = scheduler.list_schedules(**kwargs)\n"
	"        for s in page.get(\"Schedules\", []):\n"
	"            yield scheduler.get_schedule(Name=s[\"Name\"], GroupName=group)\n"
	"        if not page.get(\"NextToken\"):\n"
	"            return\n"
	"        kwargs[\"NextToken\"] = page[\"NextToken\"]\n"
	"\n"
	"\n"
	"def _call(target):\n"
	"    arn = target[\"Arn\"]\n"
	"    payload = target.get(\"Input\") or \"{}\"\n"
	"    parts = arn.split(\":\")\n"
	"    # Universal target: arn:aws:scheduler:::aws-sdk:<service>:<apiAction>.\n"
	"    if len(parts) == 8 and parts[2] == \"scheduler\" and parts[5] == \"aws-sdk\":\n"
	"        client = boto3.client(BOTO3_NAMES.get(parts[6], parts[6]))\n"
	"        methods = {v.lower(): k for k, v in client.meta.method_to_api_mapping.items()}\n"
	"        method = methods.get(parts[7].lower())\n"
	"        if method is None:\n"
	"            raise ValueError(\"unknown action in target \" + arn)\n"
	"        return getattr(client, method)(**json.loads(payload))\n"
	"    # A Lambda function target gets the schedule's input as its event.\n"
	"    if len(parts) >= 7 and parts[2] == \"lambda\":\n"
	"        return boto3.client(\"lambda\").invoke(\n"
	"            FunctionName=arn, InvocationType=\"Event\", Payload=payload.encode())\n"
	"    raise ValueError(\"unsupported target \" + arn)\n"
	"\n"
	"\n"
	"def _already_stopped(err):\n"
	"    \"\"\"A target that is already gone needs no stopping (a deleted endpoint,\n"
	"    a node group removed by teardown).\"\"\"\n"
	"    error = getattr(err, \"response\", {}).get(\"Error\", {})\n"
	"    code, message = error.get(\"Code\", \"\"), error.get(\"Message\", \"\")\n"
	"    if code in (\"ResourceNotFoundException\", \"ResourceNotFound\", \"NotFoundException\"):\n"
	"        return True\n"
	"    return code == \"ValidationException\" and \"Could not find\" in message\n"
	"\n"
	"\n"
	"def handler(event, context):\n"
	"    for record in event.get(\"Records\", []):\n"
	"        sns = record.get(\"Sns\", {})\n"
	"        print(json.dumps({\"costops\": \"budget breach\", \"topic\": sns.get(\"TopicArn\"),\n"
	"                          \"subject\": sns.get(\"Subject\")}))\n"
	"    scheduler = boto3.client(\"scheduler\")\n"
	"    stopped, failed = [], []\n"
	"    for group in _groups():\n"
	"        for schedule in _stop_schedules(scheduler, group):\n"
	"            where = group + \"/\" + schedule[\"Name\"]\n"
	"            try:\n"
	"                _call(schedule[\"Target\"])\n"
	"                stopped.append(where)\n"
	"            except Exception as err:  # noqa: BLE001 - report every target\n"
	"                if _already_stopped(err):\n"
	"                    stopped.append(where + \" (already stopped)\")\n"
	"                else:\n"
	"                    failed.append(where + \": \" + str(err))\n"
	"    print(json.dumps({\"costops\": \"stop calls\", \"stopped\": stopped, \"failed\": failed}))\n"
	"    if failed or not stopped:\n"
	"        # Failing makes SNS retry the invocation and shows in the\n"
	"        # function's Errors metric.\n"
	"        raise RuntimeError(\"costops budget guard: \" +\n"
	"                           (\"; \".join(failed) if failed else\n"
	"                            \"no stop schedules found in \" + \",\".join(_groups())))\n"
	"    return {\"stopped\": stopped}\n";

/* The deployment package: index.py alone, stored (a Lambda zip needs no
 * compression), base64-encoded for CreateFunction's Code.ZipFile. */
static char *package_base64(co_ctx *ctx)
{
	co_buf zip;
	co_buf_init(&zip, 1 << 20);
	co_zip_entry e = {.name = "index.py", .data = handler_py,
	    .len = sizeof(handler_py) - 1};
	char *out = NULL;
	if (co_zip_stored(&zip, &e, 1) == 0) {
		out = co_arena_alloc(ctx->arena, 4 * (zip.len / 3 + 1) + 1);
		EVP_EncodeBlock((unsigned char *)out,
		    (const unsigned char *)zip.data, (int)zip.len);
	}
	co_buf_free(&zip);
	return out;
}

/* ---- the stop schedules ------------------------------------------------------------- */

/* IAM names a few services differently from the SDK names that Scheduler's
 * universal targets use (arn:aws:scheduler:::aws-sdk:<service>:<action>). */
static const char *iam_prefix(const char *svc)
{
	static const char *const map[][2] = {
	    {"sfn", "states"},
	    {"elasticloadbalancingv2", "elasticloadbalancing"},
	    {"applicationautoscaling", "application-autoscaling"},
	    {"cloudwatchlogs", "logs"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], svc) == 0)
			return map[i][1];
	return svc;
}

/* The IAM action a schedule target performs, or NULL when the function
 * could not replay it. */
static const char *target_action(co_ctx *ctx, const char *arn)
{
	char part[32], svc[64], action[128];
	if (sscanf(arn, "arn:%31[^:]:scheduler:::aws-sdk:%63[^:]:%127s", part,
		svc, action) == 3 &&
	    action[0]) {
		action[0] = (char)toupper((unsigned char)action[0]);
		return co_arena_sprintf(ctx->arena, "%s:%s", iam_prefix(svc),
		    action);
	}
	if (sscanf(arn, "arn:%31[^:]:lambda:", part) == 1 &&
	    strstr(arn, ":function:"))
		return "lambda:InvokeFunction";
	return NULL;
}

static void add_unique_sorted(co_ctx *ctx, co_value *list, const char *s)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i]->str, s) == 0)
			return;
	co_value_append(ctx->arena, list, co_value_string(ctx->arena, s));
	/* Insertion sort keeps the list stable across plans. */
	for (size_t i = list->count - 1; i > 0 &&
	     strcmp(list->items[i - 1]->str, list->items[i]->str) > 0;
	     i--) {
		co_value *t = list->items[i];
		list->items[i] = list->items[i - 1];
		list->items[i - 1] = t;
	}
}

/* Lists the stop schedules of every group in on_breach.stop and returns
 * the actions they call. A group without stop schedules is an error: the
 * guard would stop nothing. */
static int discover_actions(co_ctx *ctx, const co_value *breach,
    co_value **actions)
{
	co_value *out = string_list(ctx);
	const co_value *stop = co_value_attr(breach, "stop");
	for (size_t i = 0; co_value_is_set(stop) && i < stop->count; i++) {
		const char *g = co_value_str(stop->items[i]);
		co_path sp = co_path_push_index(
		    co_path_push_attr(
			co_path_push_index(co_path_attr("on_breach"), 0),
			"stop"),
		    (int64_t)i);
		if (!g)
			continue;
		size_t found = 0;
		char *token = NULL;
		do {
			co_buf q;
			co_buf_init(&q, 8192);
			co_buf_puts(&q, "NamePrefix=" STOP_PREFIX);
			if (token) {
				co_buf_puts(&q, "&NextToken=");
				co_aws_uri_encode(&q, token, false);
				free(token);
				token = NULL;
			}
			co_buf_puts(&q, "&ScheduleGroup=");
			co_aws_uri_encode(&q, g, false);
			json_t *resp = NULL;
			co_aws_error err = {0};
			int rc = co_aws_rest_json_call(ctx->provider->aws,
			    "scheduler", "GET", "/schedules", co_buf_cstr(&q),
			    NULL, &resp, &err);
			co_buf_free(&q);
			if (rc < 0) {
				co_diag_aws(ctx, &sp,
				    co_arena_sprintf(ctx->arena,
					"Listing the schedules of group %s "
					"failed",
					g),
				    &err);
				return -1;
			}
			size_t k;
			json_t *s;
			json_array_foreach(json_object_get(resp, "Schedules"), k,
			    s)
			{
				const char *sname = json_string_value(
				    json_object_get(s, "Name"));
				if (!sname)
					continue;
				co_buf path;
				co_buf_init(&path, 4096);
				co_buf_puts(&path, "/schedules/");
				co_aws_uri_encode(&path, sname, false);
				co_buf gq;
				co_buf_init(&gq, 4096);
				co_buf_puts(&gq, "groupName=");
				co_aws_uri_encode(&gq, g, false);
				json_t *sch = NULL;
				rc = co_aws_rest_json_call(ctx->provider->aws,
				    "scheduler", "GET", co_buf_cstr(&path),
				    co_buf_cstr(&gq), NULL, &sch, &err);
				co_buf_free(&path);
				co_buf_free(&gq);
				if (rc < 0) {
					co_diag_aws(ctx, &sp,
					    co_arena_sprintf(ctx->arena,
						"Reading schedule %s/%s failed",
						g, sname),
					    &err);
					json_decref(resp);
					return -1;
				}
				const char *tarn = json_string_value(
				    json_object_get(json_object_get(sch,
							"Target"),
					"Arn"));
				const char *action =
				    tarn ? target_action(ctx, tarn) : NULL;
				if (!action) {
					co_diag_error(ctx->diags, &sp,
					    "Stop schedule the guard cannot "
					    "replay",
					    "Schedule %s/%s targets \"%s\"; the "
					    "breach function replays AWS SDK "
					    "universal targets "
					    "(arn:aws:scheduler:::aws-sdk:...) "
					    "and Lambda functions only.",
					    g, sname, tarn ? tarn : "(none)");
					json_decref(sch);
					json_decref(resp);
					return -1;
				}
				add_unique_sorted(ctx, out, action);
				found++;
				json_decref(sch);
			}
			const char *next = json_string_value(
			    json_object_get(resp, "NextToken"));
			if (next && *next)
				token = strdup(next);
			json_decref(resp);
		} while (token);
		if (found == 0) {
			co_diag_error(ctx->diags, &sp, "No stop schedules",
			    "Schedule group \"%s\" has no schedule whose name "
			    "starts with \"" STOP_PREFIX "\", so a breach "
			    "would stop nothing. List costops_schedule ids "
			    "(costops_schedule.<name>.id) that stop something.",
			    g);
			return -1;
		}
	}
	*actions = out;
	return 0;
}

/* ---- IAM, SNS and Lambda pieces --------------------------------------------------- */

typedef struct guard {
	const char *name;
	const char *role_arn;      /* set once the role exists */
	const char *topic_arn;     /* set once the topic exists */
	const char *function_name; /* set once the function exists */
	co_value *actions;
} guard;

/* Query parameters with the provider's default_tags appended as
 * <prefix>.member.N.Key/Value (IAM and SNS tagging). */
static const char **query_params(co_ctx *ctx, const char *const *fixed,
    bool with_tags)
{
	size_t nf = 0;
	while (fixed[nf])
		nf++;
	size_t nt = with_tags ? ctx->provider->n_default_tags : 0;
	const char **p = co_arena_alloc(ctx->arena,
	    (nf + 4 * nt + 1) * sizeof(*p));
	size_t k = 0;
	for (size_t i = 0; i < nf; i++)
		p[k++] = fixed[i];
	for (size_t i = 0; i < nt; i++) {
		p[k++] = co_arena_sprintf(ctx->arena, "Tags.member.%zu.Key",
		    i + 1);
		p[k++] = ctx->provider->default_tags[i].key;
		p[k++] = co_arena_sprintf(ctx->arena, "Tags.member.%zu.Value",
		    i + 1);
		p[k++] = ctx->provider->default_tags[i].value;
	}
	p[k] = NULL;
	return p;
}

static int query(co_ctx *ctx, const char *service, const char *const *params,
    co_xml **doc, const char *ignore, const char *what)
{
	co_xml *x = NULL;
	co_aws_error err = {0};
	int rc = co_aws_query_call(ctx->provider->aws, service, params, &x,
	    &err);
	if (rc < 0 && ignore && co_aws_error_is(&err, ignore))
		rc = 0;
	else if (rc < 0)
		co_diag_aws(ctx, NULL, what, &err);
	if (doc)
		*doc = x;
	else
		co_xml_free(x);
	return rc;
}

static char *role_policy(co_ctx *ctx, const guard *g, const co_value *breach)
{
	const char *part = ctx->provider->partition;
	const char *acct = ctx->provider->account_id;
	const char *region = region_of(ctx);
	json_t *get = json_array();
	const co_value *stop = co_value_attr(breach, "stop");
	for (size_t i = 0; co_value_is_set(stop) && i < stop->count; i++)
		if (co_value_str(stop->items[i]))
			json_array_append_new(get,
			    json_string(co_arena_sprintf(ctx->arena,
				"arn:%s:scheduler:%s:%s:schedule/%s/"
				STOP_PREFIX "*",
				part, region, acct, stop->items[i]->str)));
	json_t *actions = json_array();
	for (size_t i = 0; i < g->actions->count; i++)
		json_array_append_new(actions,
		    json_string(g->actions->items[i]->str));
	const char *lg = co_arena_sprintf(ctx->arena,
	    "arn:%s:logs:%s:%s:log-group:/aws/lambda/%s", part, region, acct,
	    g->name);
	json_t *doc = json_pack(
	    "{s:s, s:[{s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:s},"
	    " {s:s, s:s, s:o, s:s}, {s:s, s:s, s:[s,s,s], s:[s,s]}]}",
	    "Version", "2012-10-17", "Statement",
	    "Sid", "ReadStopSchedules", "Effect", "Allow", "Action",
	    "scheduler:GetSchedule", "Resource", get,
	    "Sid", "ListSchedules", "Effect", "Allow", "Action",
	    "scheduler:ListSchedules", "Resource", "*",
	    "Sid", "StopCalls", "Effect", "Allow", "Action", actions,
	    "Resource", "*",
	    "Sid", "OwnLogs", "Effect", "Allow", "Action",
	    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
	    "Resource", lg, co_arena_sprintf(ctx->arena, "%s:*", lg));
	char *s = json_dumps(doc, JSON_COMPACT);
	char *out = co_arena_strdup(ctx->arena, s ? s : "{}");
	free(s);
	json_decref(doc);
	return out;
}

static int ensure_role(co_ctx *ctx, guard *g, const co_value *breach)
{
	static const char trust[] =
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
	    "\"Action\":\"sts:AssumeRole\"}]}";
	const char *const create[] = {"Action", "CreateRole", "Version",
	    "2010-05-08", "RoleName", g->name, "AssumeRolePolicyDocument",
	    trust, "Description",
	    "costops_budget_guard: stops costops_schedule targets on a "
	    "budget breach",
	    NULL};
	if (query(ctx, "iam", query_params(ctx, create, true), NULL,
		"EntityAlreadyExists", "Creating the guard's IAM role failed") < 0)
		return -1;
	g->role_arn = role_arn_for(ctx, g->name);
	const char *const put[] = {"Action", "PutRolePolicy", "Version",
	    "2010-05-08", "RoleName", g->name, "PolicyName", GUARD_POLICY_NAME,
	    "PolicyDocument", role_policy(ctx, g, breach), NULL};
	return query(ctx, "iam", put, NULL, NULL,
	    "Setting the guard role's policy failed");
}

static int ensure_topic(co_ctx *ctx, guard *g)
{
	const char *const create[] = {"Action", "CreateTopic", "Version",
	    "2010-03-31", "Name", g->name, NULL};
	co_xml *x = NULL;
	if (query(ctx, "sns", query_params(ctx, create, true), &x, NULL,
		"Creating the guard's SNS topic failed") < 0)
		return -1;
	const char *arn = co_xml_text(x,
	    "CreateTopicResponse/CreateTopicResult/TopicArn");
	g->topic_arn = co_arena_strdup(ctx->arena,
	    arn ? arn : topic_arn_for(ctx, g->name));
	co_xml_free(x);
	/* Budgets publishes as budgets.amazonaws.com; the account keeps the
	 * default owner rights (SNS "Access policy" defaults). */
	const char *acct = ctx->provider->account_id;
	json_t *doc = json_pack(
	    "{s:s, s:[{s:s, s:s, s:{s:s}, s:s, s:s, s:{s:{s:s}, s:{s:s}}},"
	    " {s:s, s:s, s:{s:s}, s:[s,s,s,s,s,s,s,s], s:s}]}",
	    "Version", "2012-10-17", "Statement",
	    "Sid", "BudgetsPublish", "Effect", "Allow", "Principal", "Service",
	    "budgets.amazonaws.com", "Action", "SNS:Publish", "Resource",
	    g->topic_arn, "Condition", "StringEquals", "aws:SourceAccount",
	    acct, "ArnLike", "aws:SourceArn",
	    co_arena_sprintf(ctx->arena, "arn:%s:budgets::%s:*",
		ctx->provider->partition, acct),
	    "Sid", "OwnerAccess", "Effect", "Allow", "Principal", "AWS",
	    co_arena_sprintf(ctx->arena, "arn:%s:iam::%s:root",
		ctx->provider->partition, acct),
	    "Action", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
	    "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
	    "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
	    "Resource", g->topic_arn);
	char *policy = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	const char *const set[] = {"Action", "SetTopicAttributes", "Version",
	    "2010-03-31", "TopicArn", g->topic_arn, "AttributeName", "Policy",
	    "AttributeValue", policy ? policy : "{}", NULL};
	int rc = query(ctx, "sns", set, NULL, NULL,
	    "Letting Budgets publish to the guard's topic failed");
	free(policy);
	return rc;
}

static json_t *function_env(const co_value *planned, const co_value *breach)
{
	co_buf groups;
	co_buf_init(&groups, 1 << 16);
	const co_value *stop = co_value_attr(breach, "stop");
	for (size_t i = 0; co_value_is_set(stop) && i < stop->count; i++)
		if (co_value_str(stop->items[i]))
			co_buf_printf(&groups, "%s%s", groups.len ? "," : "",
			    stop->items[i]->str);
	json_t *env = json_pack("{s:{s:s, s:s}}", "Variables",
	    "COSTOPS_STOP_GROUPS", co_buf_cstr(&groups), "COSTOPS_BUDGET_NAME",
	    co_value_str(co_value_attr(planned, "name")));
	co_buf_free(&groups);
	return env;
}

/* A Lambda call retried while IAM has not yet propagated a new role to
 * Lambda ("cannot be assumed by Lambda") or while an earlier update of the
 * function is in progress (ResourceConflictException), up to the
 * operation's timeout. */
static int lambda_call(co_ctx *ctx, const char *method, const char *path,
    json_t *body, json_t **resp, co_aws_error *err, bool retry_conflict)
{
	long waited = 0, limit = co_ctx_timeout_ms(ctx, "create", 300000);
	for (int attempt = 1;; attempt++) {
		int rc = co_aws_rest_json_call(ctx->provider->aws, "lambda",
		    method, path, NULL, body, resp, err);
		if (rc == 0)
			return 0;
		bool role_lag =
		    co_aws_error_is(err, "InvalidParameterValueException") &&
		    strstr(err->message, "role");
		bool busy = retry_conflict &&
			    co_aws_error_is(err, "ResourceConflictException");
		if ((!role_lag && !busy) || waited >= limit)
			return -1;
		if (attempt % 3 == 0)
			co_info("budget_guard: waiting for %s (%s), %lds so far",
			    path, role_lag ? "IAM role propagation" : "update",
			    waited / 1000);
		if (co_aws_sleep(ctx->provider->aws, 5000) < 0)
			return -1;
		waited += 5000;
	}
}

static int ensure_function(co_ctx *ctx, guard *g, const co_value *planned,
    const co_value *breach, const char **function_arn)
{
	int rc = -1;
	const char *zip = package_base64(ctx);
	json_t *tags = json_object();
	for (size_t i = 0; i < ctx->provider->n_default_tags; i++)
		json_object_set_new(tags, ctx->provider->default_tags[i].key,
		    json_string(ctx->provider->default_tags[i].value));
	json_t *create = json_pack(
	    "{s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:i, s:i, s:o, s:o}",
	    "FunctionName", g->name, "Runtime", "python3.12", "Role",
	    g->role_arn, "Handler", "index.handler", "Code", "ZipFile",
	    zip ? zip : "", "Description",
	    "costops_budget_guard: stops costops_schedule targets on a budget "
	    "breach",
	    "Timeout", 120, "MemorySize", 128, "Environment",
	    function_env(planned, breach), "Tags", tags);
	json_t *resp = NULL;
	co_aws_error err = {0};
	const char *fpath =
	    co_arena_sprintf(ctx->arena, LAMBDA_API "/%s", g->name);
	if (lambda_call(ctx, "POST", LAMBDA_API, create, &resp, &err, false) ==
	    0) {
		g->function_name = g->name;
	} else if (co_aws_error_is(&err, "ResourceConflictException")) {
		/* It exists (an earlier partial apply, or an update): bring
		 * code and configuration to what this version generates. */
		g->function_name = g->name;
		json_t *code = json_pack("{s:s}", "ZipFile", zip ? zip : "");
		json_t *cfg = json_pack("{s:s, s:s, s:s, s:o}", "Role",
		    g->role_arn, "Runtime", "python3.12", "Handler",
		    "index.handler", "Environment",
		    function_env(planned, breach));
		json_t *r1 = NULL;
		int a = lambda_call(ctx, "PUT",
		    co_arena_sprintf(ctx->arena, "%s/code", fpath), code, &r1,
		    &err, true);
		json_decref(r1);
		r1 = NULL;
		if (a == 0)
			a = lambda_call(ctx, "PUT",
			    co_arena_sprintf(ctx->arena, "%s/configuration",
				fpath),
			    cfg, &resp, &err, true);
		json_decref(code);
		json_decref(cfg);
		if (a < 0) {
			co_diag_aws(ctx, NULL,
			    "Updating the guard's Lambda function failed", &err);
			goto done;
		}
	} else {
		co_diag_aws(ctx, NULL, "Creating the guard's Lambda function failed",
		    &err);
		goto done;
	}
	const char *arn = json_string_value(json_object_get(resp, "FunctionArn"));
	*function_arn = arn ? co_arena_strdup(ctx->arena, arn)
			    : co_arena_sprintf(ctx->arena,
				  "arn:%s:lambda:%s:%s:function:%s",
				  ctx->provider->partition, region_of(ctx),
				  ctx->provider->account_id, g->name);
	/* SNS may invoke it for this topic only (Lambda AddPermission). */
	json_t *perm = json_pack("{s:s, s:s, s:s, s:s, s:s}", "StatementId",
	    GUARD_STATEMENT_ID, "Action", "lambda:InvokeFunction", "Principal",
	    "sns.amazonaws.com", "SourceArn", g->topic_arn, "SourceAccount",
	    ctx->provider->account_id);
	json_t *presp = NULL;
	int p = lambda_call(ctx, "POST",
	    co_arena_sprintf(ctx->arena, "%s/policy", fpath), perm, &presp, &err,
	    false);
	json_decref(perm);
	json_decref(presp);
	if (p < 0 && !co_aws_error_is(&err, "ResourceConflictException")) {
		co_diag_aws(ctx, NULL,
		    "Letting SNS invoke the guard's function failed", &err);
		goto done;
	}
	rc = 0;
done:
	json_decref(create);
	json_decref(resp);
	return rc;
}

static int subscribe_function(co_ctx *ctx, const guard *g,
    const char *function_arn)
{
	/* Subscribe is idempotent: the same topic, protocol and endpoint
	 * give back the existing subscription. */
	const char *const sub[] = {"Action", "Subscribe", "Version",
	    "2010-03-31", "TopicArn", g->topic_arn, "Protocol", "lambda",
	    "Endpoint", function_arn, "ReturnSubscriptionArn", "true", NULL};
	return query(ctx, "sns", sub, NULL, NULL,
	    "Subscribing the guard's function to its topic failed");
}

/* Creates or repairs the whole breach path; g records each piece as it
 * comes to exist, so a failure leaves a state that still knows them. */
static int ensure_guard(co_ctx *ctx, const co_value *planned, guard *g)
{
	const co_value *breach = breach_of(planned);
	const char *fn_arn = NULL;
	g->name = guard_name(ctx, co_value_str(co_value_attr(planned, "name")));
	if (discover_actions(ctx, breach, &g->actions) < 0)
		return -1;
	if (ensure_role(ctx, g, breach) < 0 || ensure_topic(ctx, g) < 0 ||
	    ensure_function(ctx, g, planned, breach, &fn_arn) < 0 ||
	    subscribe_function(ctx, g, fn_arn) < 0)
		return -1;
	co_info("budget_guard: breach path ready (topic %s, function %s, "
		"%zu action(s))",
	    g->topic_arn, g->function_name, g->actions->count);
	return 0;
}

/* Removes the breach path; names that are empty were never created. */
static int delete_guard(co_ctx *ctx, const char *name, const char *topic_arn)
{
	if (!name || !*name)
		return 0;
	json_t *resp = NULL;
	co_aws_error err = {0};
	if (co_aws_rest_json_call(ctx->provider->aws, "lambda", "DELETE",
		co_arena_sprintf(ctx->arena, LAMBDA_API "/%s", name), NULL, NULL,
		&resp, &err) < 0 &&
	    !co_aws_error_is(&err, "ResourceNotFoundException")) {
		co_diag_aws(ctx, NULL, "Deleting the guard's function failed",
		    &err);
		return -1;
	}
	json_decref(resp);
	if (topic_arn && *topic_arn) {
		const char *const del[] = {"Action", "DeleteTopic", "Version",
		    "2010-03-31", "TopicArn", topic_arn, NULL};
		if (query(ctx, "sns", del, NULL, "NotFound",
			"Deleting the guard's topic failed") < 0)
			return -1;
	}
	const char *const delp[] = {"Action", "DeleteRolePolicy", "Version",
	    "2010-05-08", "RoleName", name, "PolicyName", GUARD_POLICY_NAME,
	    NULL};
	const char *const delr[] = {"Action", "DeleteRole", "Version",
	    "2010-05-08", "RoleName", name, NULL};
	if (query(ctx, "iam", delp, NULL, "NoSuchEntity",
		"Deleting the guard role's policy failed") < 0 ||
	    query(ctx, "iam", delr, NULL, "NoSuchEntity",
		"Deleting the guard's role failed") < 0)
		return -1;
	return 0;
}

static const char *nonempty(const co_value *v)
{
	const char *s = co_value_str(v);
	return s && *s ? s : NULL;
}

static void set_guard_state(co_ctx *ctx, co_value *s, const guard *g)
{
	co_value_set_attr(s, "breach_topic_arn",
	    co_value_string(ctx->arena, g->topic_arn ? g->topic_arn : ""));
	co_value_set_attr(s, "breach_function_name",
	    co_value_string(ctx->arena,
		g->function_name ? g->function_name : ""));
	co_value_set_attr(s, "breach_role_arn",
	    co_value_string(ctx->arena, g->role_arn ? g->role_arn : ""));
	co_value_set_attr(s, "breach_actions",
	    g->actions ? g->actions : string_list(ctx));
}

/* ---- the resource -------------------------------------------------------------------- */

static int need_account(co_ctx *ctx)
{
	if (ctx->provider->account_id[0])
		return 0;
	co_diag_error(ctx->diags, NULL, "Account id unknown",
	    "Budgets calls need the AWS account id, which the provider reads "
	    "with STS GetCallerIdentity; remove skip_credentials_validation "
	    "from the provider block.");
	return -1;
}

static int bg_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	if (need_account(ctx) < 0)
		return -1;
	const char *name = co_value_str(co_value_attr(planned, "name"));
	nspec want[MAX_NOTIFICATIONS + 2];
	size_t n_want = desired_notifications(planned, want, MAX_NOTIFICATIONS);
	json_t *with = json_array();
	for (size_t i = 0; i < n_want; i++)
		if (!want[i].is_breach) /* added once its topic exists */
			json_array_append_new(with,
			    json_pack("{s:o, s:o}", "Notification",
				nspec_json(&want[i]), "Subscribers",
				subscribers_json(&want[i])));
	json_t *req = json_pack("{s:s, s:o, s:o}", "AccountId",
	    ctx->provider->account_id, "Budget", budget_json(ctx, planned),
	    "NotificationsWithSubscribers", with);
	co_aws_error err = {0};
	int rc = budgets_call(ctx, "CreateBudget", req, NULL, &err);
	json_decref(req);
	if (rc < 0) {
		co_path p = co_path_attr("name");
		co_diag_aws(ctx, &p, "Creating the budget failed", &err);
		return -1;
	}
	co_value *s = co_value_copy(ctx->arena, planned);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, name));
	co_value_set_attr(s, "arn",
	    co_value_string(ctx->arena, budget_arn_for(ctx, name)));
	guard g = {0};
	set_guard_state(ctx, s, &g);
	*state = s;
	if (!breach_of(planned))
		return 0;
	rc = ensure_guard(ctx, planned, &g);
	set_guard_state(ctx, s, &g);
	if (rc < 0)
		return -1;
	nspec b;
	if (nspec_breach(&b, s) &&
	    notification_op(ctx, "CreateNotification", name, &b, NULL, NULL,
		NULL) < 0)
		return -1;
	return 0;
}

static bool budget_changed(const co_value *prior, const co_value *planned)
{
	static const char *const keys[] = {"limit_usd", "time_unit",
	    "cost_filter_tags"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!co_value_equal(co_value_attr(prior, keys[i]),
			co_value_attr(planned, keys[i])))
			return true;
	return false;
}

static int bg_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	if (need_account(ctx) < 0)
		return -1;
	const char *name = co_value_str(co_value_attr(planned, "name"));
	co_value *s = co_value_copy(ctx->arena, planned);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, name));
	co_value_set_attr(s, "arn",
	    co_value_string(ctx->arena, budget_arn_for(ctx, name)));
	static const char *const kept[] = {"breach_topic_arn",
	    "breach_function_name", "breach_role_arn", "breach_actions"};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		co_value *v = co_value_attr(prior, kept[i]);
		co_value_set_attr(s, kept[i],
		    co_value_is_set(v) ? v
				       : (i == 3 ? string_list(ctx)
						 : empty_string(ctx)));
	}
	*state = s;
	if (budget_changed(prior, planned)) {
		json_t *req = json_pack("{s:s, s:o}", "AccountId",
		    ctx->provider->account_id, "NewBudget",
		    budget_json(ctx, planned));
		co_aws_error err = {0};
		int rc = budgets_call(ctx, "UpdateBudget", req, NULL, &err);
		json_decref(req);
		if (rc < 0) {
			co_diag_aws(ctx, NULL, "Updating the budget failed", &err);
			*state = NULL;
			return -1;
		}
	}
	const co_value *b = breach_of(planned), *pb = breach_of(prior);
	const char *pfn =
	    co_value_str(co_value_attr(prior, "breach_function_name"));
	if (b && (!pb || !pfn || !*pfn ||
		     !co_value_equal(co_value_attr(b, "stop"),
			 co_value_attr(pb, "stop")))) {
		/* Start from what exists: a repair that fails before it
		 * reaches the topic (or the function) must not drop them from
		 * the state, or destroy would leave them behind. */
		guard g = {0};
		g.role_arn = nonempty(co_value_attr(prior, "breach_role_arn"));
		g.topic_arn = nonempty(co_value_attr(prior, "breach_topic_arn"));
		g.function_name = pfn && *pfn ? pfn : NULL;
		int rc = ensure_guard(ctx, planned, &g);
		set_guard_state(ctx, s, &g);
		if (rc < 0)
			return -1;
	}
	if (reconcile_notifications(ctx, prior, s) < 0)
		return -1;
	if (!b && pb) {
		const char *g = guard_name(ctx, name);
		if (delete_guard(ctx, g,
			co_value_str(co_value_attr(prior, "breach_topic_arn"))) <
		    0)
			return -1;
		guard none = {0};
		set_guard_state(ctx, s, &none);
	}
	return 0;
}

/* Builds the notify list as AWS has it, in the order of the state's
 * blocks (so an unchanged budget reads back identical) with anything
 * unexpected appended, which the plan then shows as drift. */
static co_value *notify_from_aws(co_ctx *ctx, const co_value *state,
    nspec *have, size_t n_have)
{
	const co_type *obj = co_schema_type(&notify_block);
	co_value *list = co_value_collection(ctx->arena,
	    co_type_list(ctx->arena, obj));
	const co_value *prior = co_value_attr(state, "notify");
	size_t n_prior = co_value_is_set(prior) ? prior->count : 0;
	for (size_t pass = 0; pass <= n_prior; pass++) {
		for (size_t k = 0; k < n_have; k++) {
			nspec *h = &have[k];
			if (h->matched)
				continue;
			/* Extras (and everything on import) go by threshold,
			 * then type: the order a configuration usually has. */
			for (size_t m = 0; pass == n_prior && m < n_have; m++)
				if (!have[m].matched &&
				    (have[m].threshold < h->threshold ||
					(have[m].threshold == h->threshold &&
					    strcmp(have[m].type, h->type) < 0)))
					h = &have[m];
			if (h != &have[k])
				k--; /* have[k] is still to place */
			const co_value *pi = NULL;
			if (pass < n_prior) {
				nspec want;
				nspec_from_notify(&want, prior->items[pass]);
				if (!nspec_same(&want, h))
					continue;
				pi = prior->items[pass];
			}
			h->matched = true;
			co_value *item = co_value_object(ctx->arena, obj);
			co_value_set_attr(item, "threshold_percent",
			    co_value_number(ctx->arena, h->threshold));
			co_value_set_attr(item, "type",
			    co_value_string(ctx->arena, h->type));
			co_value *emails = string_list(ctx);
			const co_value *pe = co_value_attr(pi, "emails");
			/* Emails in the state's order first. */
			for (size_t e = 0; co_value_is_set(pe) && e < pe->count;
			     e++)
				if (co_value_str(pe->items[e]) &&
				    nspec_has_sub(h, "EMAIL", pe->items[e]->str))
					co_value_append(ctx->arena, emails,
					    pe->items[e]);
			for (size_t sidx = 0; sidx < h->n_subs; sidx++) {
				if (strcmp(h->kind[sidx], "SNS") == 0) {
					co_value_set_attr(item, "sns_topic_arn",
					    co_value_string(ctx->arena,
						h->addr[sidx]));
					continue;
				}
				bool seen = false;
				for (size_t e = 0; e < emails->count; e++)
					if (strcmp(emails->items[e]->str,
						h->addr[sidx]) == 0)
						seen = true;
				if (!seen)
					co_value_append(ctx->arena, emails,
					    co_value_string(ctx->arena,
						h->addr[sidx]));
			}
			if (emails->count || co_value_is_set(pe))
				co_value_set_attr(item, "emails", emails);
			co_value_append(ctx->arena, list, item);
			if (pass < n_prior)
				break;
		}
	}
	return list;
}

static int bg_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	if (need_account(ctx) < 0)
		return -1;
	const char *name = co_value_str(co_value_attr(state, "name"));
	if (!name)
		name = co_value_str(co_value_attr(state, "id"));
	json_t *req = json_pack("{s:s, s:s}", "AccountId",
	    ctx->provider->account_id, "BudgetName", name ? name : "");
	json_t *resp = NULL;
	co_aws_error err = {0};
	int rc = budgets_call(ctx, "DescribeBudget", req, &resp, &err);
	json_decref(req);
	if (rc < 0) {
		if (co_aws_error_is(&err, "NotFoundException")) {
			co_info("budget_guard: budget %s is gone", name);
			*out = NULL;
			return 0;
		}
		co_diag_aws(ctx, NULL, "Reading the budget failed", &err);
		return -1;
	}
	co_value *s = co_value_copy(ctx->arena, state);
	json_t *bj = json_object_get(resp, "Budget");
	co_value_set_attr(s, "name", co_value_string(ctx->arena, name));
	co_value_set_attr(s, "id", co_value_string(ctx->arena, name));
	co_value_set_attr(s, "arn",
	    co_value_string(ctx->arena, budget_arn_for(ctx, name)));
	const char *amount = json_string_value(
	    json_object_get(json_object_get(bj, "BudgetLimit"), "Amount"));
	co_value *limit =
	    amount ? co_value_number_text(ctx->arena, amount, strlen(amount))
		   : NULL;
	double state_limit = 0;
	bool have_state_limit =
	    co_value_num(co_value_attr(state, "limit_usd"), &state_limit);
	if (limit)
		co_value_set_attr(s, "limit_usd", limit);
	const char *tu = json_string_value(json_object_get(bj, "TimeUnit"));
	if (tu)
		co_value_set_attr(s, "time_unit", co_value_string(ctx->arena, tu));
	if (!co_value_is_set(co_value_attr(s, "allow_foreign_tags")))
		co_value_set_attr(s, "allow_foreign_tags",
		    co_value_bool(ctx->arena, false));

	co_value *tags = co_value_collection(ctx->arena,
	    co_type_map(ctx->arena, &co_type_string));
	size_t i;
	json_t *tv;
	json_array_foreach(json_object_get(json_object_get(bj, "CostFilters"),
			       "TagKeyValue"),
	    i, tv)
	{
		const char *f = json_string_value(tv);
		if (!f)
			continue;
		if (strncmp(f, "user:", 5) == 0)
			f += 5;
		const char *dollar = strchr(f, '$');
		char *key = co_arena_strndup(ctx->arena, f,
		    dollar ? (size_t)(dollar - f) : strlen(f));
		co_value_map_put(ctx->arena, tags, key,
		    co_value_string(ctx->arena, dollar ? dollar + 1 : ""));
	}
	const co_value *st = co_value_attr(state, "cost_filter_tags");
	if (tags->count || co_value_is_set(st))
		co_value_set_attr(s, "cost_filter_tags", tags);
	else
		co_value_set_attr(s, "cost_filter_tags",
		    co_value_null(ctx->arena,
			co_type_map(ctx->arena, &co_type_string)));
	json_decref(resp);

	nspec have[MAX_NOTIFICATIONS + 6];
	size_t n_have = 0;
	if (actual_notifications(ctx, name, have, MAX_NOTIFICATIONS + 6,
		&n_have) < 0)
		return -1;

	/* The breach notification: absolute, to the guard's topic. */
	const co_value *sb = breach_of(state);
	const char *topic = co_value_str(co_value_attr(state, "breach_topic_arn"));
	if (sb && (!topic || !*topic))
		topic = topic_arn_for(ctx, guard_name(ctx, name));
	const nspec *found = NULL;
	for (size_t k = 0; sb && k < n_have; k++)
		if (strcmp(have[k].ttype, "ABSOLUTE_VALUE") == 0 &&
		    nspec_has_sub(&have[k], "SNS", topic)) {
			have[k].matched = true;
			found = &have[k];
		}
	co_value_set_attr(s, "notify", notify_from_aws(ctx, state, have, n_have));

	if (sb) {
		co_value *nb = co_value_copy(ctx->arena, sb);
		double pct = 0, lim = have_state_limit ? state_limit : 0;
		if (!have_state_limit)
			co_value_num(limit, &lim);
		bool known = co_value_num(co_value_attr(sb, "threshold_percent"),
		    &pct);
		if (!found)
			/* Removed out of band: the plan shows it coming back. */
			co_value_set_attr(nb, "threshold_percent",
			    co_value_null(ctx->arena, &co_type_number));
		else if (!known || fabs(round(lim * pct) / 100.0 -
					 found->threshold) > 0.005)
			co_value_set_attr(nb, "threshold_percent",
			    co_value_number(ctx->arena,
				lim > 0 ? round(found->threshold * 100.0 /
						lim * 1e6) /
					      1e6
					: 0));
		/* A deleted function breaks the path: show `stop` as empty
		 * so the plan puts it back. */
		json_t *fr = NULL;
		co_aws_error ferr = {0};
		if (co_aws_rest_json_call(ctx->provider->aws, "lambda", "GET",
			co_arena_sprintf(ctx->arena, LAMBDA_API "/%s",
			    guard_name(ctx, name)),
			NULL, NULL, &fr, &ferr) < 0) {
			if (!co_aws_error_is(&ferr, "ResourceNotFoundException")) {
				co_diag_aws(ctx, NULL,
				    "Reading the guard's function failed", &ferr);
				return -1;
			}
			co_value_set_attr(nb, "stop", string_list(ctx));
			co_value_set_attr(s, "breach_function_name",
			    empty_string(ctx));
		}
		json_decref(fr);
		co_value *l = co_value_collection(ctx->arena,
		    co_value_attr(s, "on_breach")->type);
		co_value_append(ctx->arena, l, nb);
		co_value_set_attr(s, "on_breach", l);
	}
	*out = s;
	return 0;
}

static int bg_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	if (need_account(ctx) < 0)
		return -1;
	const char *name = co_value_str(co_value_attr(state, "name"));
	const char *fn =
	    co_value_str(co_value_attr(state, "breach_function_name"));
	/* The breach path first: while it is incomplete the budget stays, so
	 * the state (and a retried destroy) still finds everything. */
	if ((breach_of(state) || (fn && *fn)) &&
	    delete_guard(ctx, guard_name(ctx, name),
		co_value_str(co_value_attr(state, "breach_topic_arn"))) < 0) {
		*remaining = (co_value *)state;
		return -1;
	}
	json_t *req = json_pack("{s:s, s:s}", "AccountId",
	    ctx->provider->account_id, "BudgetName", name);
	co_aws_error err = {0};
	int rc = budgets_call(ctx, "DeleteBudget", req, NULL, &err);
	json_decref(req);
	if (rc < 0 && !co_aws_error_is(&err, "NotFoundException")) {
		co_diag_aws(ctx, NULL, "Deleting the budget failed", &err);
		return -1;
	}
	co_info("budget_guard: deleted budget %s", name);
	return 0;
}

static int bg_import(co_ctx *ctx, const char *id, co_value **state)
{
	if (need_account(ctx) < 0)
		return -1;
	size_t n = strlen(id);
	if (n == 0 || n > MAX_BUDGET_NAME || strpbrk(id, ":\\")) {
		co_diag_error(ctx->diags, NULL, "Invalid import id",
		    "Import a budget by its name (1-100 characters without ':' "
		    "or '\\'), e.g. retail-forecast-dev-monthly-budget; got "
		    "\"%s\".",
		    id);
		return -1;
	}
	co_value *s = co_schema_empty(ctx->arena, &schema);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "name", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "allow_foreign_tags",
	    co_value_bool(ctx->arena, false));
	guard none = {0};
	set_guard_state(ctx, s, &none);
	/* A guard function left by costops names its schedule groups. */
	const char *g = guard_name(ctx, id);
	json_t *fr = NULL;
	co_aws_error err = {0};
	if (co_aws_rest_json_call(ctx->provider->aws, "lambda", "GET",
		co_arena_sprintf(ctx->arena, LAMBDA_API "/%s", g), NULL, NULL,
		&fr, &err) == 0) {
		const char *groups = json_string_value(json_object_get(
		    json_object_get(json_object_get(json_object_get(fr,
							"Configuration"),
					"Environment"),
			"Variables"),
		    "COSTOPS_STOP_GROUPS"));
		const co_type *bt = co_schema_type(&breach_block);
		co_value *b = co_value_object(ctx->arena, bt);
		co_value *stop = string_list(ctx);
		char *list = co_arena_strdup(ctx->arena, groups ? groups : "");
		for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
		     t = strtok_r(NULL, ",", &save))
			co_value_append(ctx->arena, stop,
			    co_value_string(ctx->arena, t));
		co_value_set_attr(b, "stop", stop);
		co_value *l = co_value_collection(ctx->arena,
		    co_value_attr(s, "on_breach")->type);
		co_value_append(ctx->arena, l, b);
		co_value_set_attr(s, "on_breach", l);
		guard gd = {.name = g, .function_name = g,
		    .role_arn = role_arn_for(ctx, g),
		    .topic_arn = topic_arn_for(ctx, g)};
		if (discover_actions(ctx, b, &gd.actions) < 0)
			gd.actions = NULL; /* the plan recomputes them */
		set_guard_state(ctx, s, &gd);
	}
	json_decref(fr);
	co_value *out = NULL;
	if (bg_read(ctx, s, &out) < 0)
		return -1;
	if (!out) {
		co_diag_error(ctx->diags, NULL, "Budget not found",
		    "No budget named \"%s\" in account %s.", id,
		    ctx->provider->account_id);
		return -1;
	}
	*state = out;
	return 0;
}

const co_resource co_budget_guard_resource = {
	.type_name = "costops_budget_guard",
	.schema = &schema,
	.validate = bg_validate,
	.plan = bg_plan,
	.create = bg_create,
	.read = bg_read,
	.update = bg_update,
	.del = bg_delete,
	.import = bg_import,
};
