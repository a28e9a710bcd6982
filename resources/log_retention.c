/* costops_log_retention: CloudWatch Logs retention for every log group under
 * some prefixes, including the groups AWS services create on their own
 * (/aws/sagemaker/TrainingJobs), which terraform-provider-aws can only manage
 * by importing each one. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "provider/cost/cost.h"
#include "provider/framework/resource.h"
#include "provider/util/log.h"

/* The only values PutRetentionPolicy accepts (CloudWatch Logs API
 * reference, PutRetentionPolicy, retentionInDays). */
static const int allowed_days[] = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
    365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "`<retention_in_days>:<prefix>[,<prefix>...]`; also "
			   "the import id."},
	{.name = "log_group_prefixes", .type = "[\"list\",\"string\"]",
	    .flags = CO_REQUIRED,
	    .description = "Log group name prefixes; every group whose name "
			   "starts with one of them gets the retention, "
			   "including groups created later by AWS services "
			   "(picked up at the next plan)."},
	{.name = "retention_in_days", .type = "\"number\"", .flags = CO_REQUIRED,
	    .description = "Days to keep log events. Only the values "
			   "CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, "
			   "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
			   "2557, 2922, 3288, 3653."},
	{.name = "exclude", .type = "[\"list\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Group names, or prefixes ending in `*`, to leave "
			   "alone."},
	{.name = "restore_on_destroy", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "false",
	    .description = "On destroy, put back each group's retention as it "
			   "was before costops changed it (kept in private "
			   "state) instead of removing the retention policy."},
	{.name = "log_groups", .type = "[\"map\",\"number\"]",
	    .flags = CO_COMPUTED,
	    .description = "Each matching group and the retention it has (0: "
			   "never expire). A value that differs from "
			   "`retention_in_days` is drift and shows in the "
			   "plan."},
	{.name = "matched_count", .type = "\"number\"", .flags = CO_COMPUTED,
	    .description = "How many log groups match."},
	{.name = "estimated_monthly_usd", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "CloudWatch Logs storage a month of the matching "
			   "groups under `retention_in_days`, from their "
			   "stored bytes (DescribeLogGroups `storedBytes`) at "
			   "the catalog's storage price, assuming even "
			   "ingestion since each group was created. Ingestion "
			   "is not counted: retention does not change it. "
			   "See docs/costs.md."},
	{.name = "estimated_monthly_savings_usd", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "Storage a month no longer kept: what each group's "
			   "retention before costops changed it would keep "
			   "minus what `retention_in_days` keeps. Negative "
			   "when the retention is longer than before."},
	{.name = "estimate_basis", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "One line saying how the two estimates were "
			   "worked out (bytes, groups, price and its date)."},
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.description = "Sets CloudWatch Logs retention on every log group "
		       "under some prefixes, reports drift (a group with "
		       "other retention, a new matching group) in the plan, "
		       "and removes or restores the retention on destroy.",
};

/* ---- helpers ---------------------------------------------------------------- */

static bool days_allowed(double d)
{
	for (size_t i = 0; i < sizeof(allowed_days) / sizeof(allowed_days[0]);
	     i++)
		if (d == allowed_days[i])
			return true;
	return false;
}

static int nearest_allowed(double d)
{
	int best = allowed_days[0];
	for (size_t i = 0; i < sizeof(allowed_days) / sizeof(allowed_days[0]);
	     i++)
		if (allowed_days[i] <= d)
			best = allowed_days[i];
	return best;
}

/* Log group names: 1-512 of [.-_/#A-Za-z0-9] (CreateLogGroup). */
static bool valid_group_chars(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("._-/#", *p)))
			return false;
	return true;
}

static bool excluded(const co_value *exclude, const char *name)
{
	if (!co_value_is_set(exclude))
		return false;
	for (size_t i = 0; i < exclude->count; i++) {
		const char *e = co_value_str(exclude->items[i]);
		if (!e)
			continue;
		size_t n = strlen(e);
		if (n && e[n - 1] == '*') {
			if (strncmp(name, e, n - 1) == 0)
				return true;
		} else if (strcmp(name, e) == 0) {
			return true;
		}
	}
	return false;
}

typedef int (*group_fn)(co_ctx *ctx, const char *name, int retention,
    void *payload);

/* The storage estimate, summed over the groups a listing visits. */
typedef struct lr_estimate {
	int target;        /* retention_in_days being applied */
	json_t *previous;  /* borrowed: each group's retention before costops */
	const char *region;
	double now_ms;
	double before, after, stored_bytes;
	size_t groups, changed;
} lr_estimate;

static void estimate_init(lr_estimate *e, co_ctx *ctx, int target,
    json_t *previous)
{
	*e = (lr_estimate){.target = target, .previous = previous,
	    .region = co_aws_client_region(ctx->provider->aws),
	    .now_ms = (double)time(NULL) * 1000.0};
}

static void estimate_add(lr_estimate *e, const char *name, int retention_now,
    double stored_bytes, double creation_ms)
{
	json_t *prev = json_object_get(e->previous, name);
	int before = json_is_integer(prev) ? (int)json_integer_value(prev)
					   : retention_now;
	double age_days =
	    creation_ms > 0 ? (e->now_ms - creation_ms) / 86400000.0 : 0;
	co_cost_line l;
	if (co_cost_log_retention(&l, e->region, stored_bytes, age_days,
		retention_now, before, e->target) == 0) {
		e->before += l.before_usd;
		e->after += l.after_usd;
	}
	e->stored_bytes += stored_bytes > 0 ? stored_bytes : 0;
	e->groups++;
	if (before != e->target)
		e->changed++;
}

/* To the millionth of a dollar: log groups are often small, and a figure
 * rounded to cents would read 0 for all of them. */
static double micro(double usd)
{
	return round(usd * 1e6) / 1e6;
}

static void estimate_set(co_ctx *ctx, co_value *v, const lr_estimate *e)
{
	double after = micro(e->after);
	double savings = micro(e->before - e->after);
	bool fb = false;
	const co_price *p =
	    co_cost_price_or_fallback("logs", e->region, "storage", &fb);
	const char *basis = co_arena_sprintf(ctx->arena,
	    "%zu group(s) holding %.6g GB (DescribeLogGroups storedBytes), %zu "
	    "of them moved to %d days from their earlier retention; what each "
	    "retention keeps at %g USD/GB-month storage (catalog %s%s, read "
	    "%s), assuming even ingestion since each group was created; "
	    "ingestion not counted",
	    e->groups, e->stored_bytes / CO_COST_BYTES_PER_GB, e->changed,
	    e->target, p ? p->usd : 0, p ? p->region : "?",
	    fb ? " figure" : "", p ? p->date_read : "?");
	co_value_set_attr(v, "estimated_monthly_usd",
	    co_value_number(ctx->arena, after));
	co_value_set_attr(v, "estimated_monthly_savings_usd",
	    co_value_number(ctx->arena, savings));
	co_value_set_attr(v, "estimate_basis", co_value_string(ctx->arena,
	    basis));
}

/* Calls fn for every group under the prefixes (all pages), skipping
 * excluded ones and groups reached through two overlapping prefixes. */
static int for_each_group(co_ctx *ctx, const co_value *prefixes,
    const co_value *exclude, co_value *seen, lr_estimate *est, group_fn fn,
    void *payload)
{
	co_aws_client *aws = ctx->provider->aws;
	for (size_t i = 0; co_value_is_set(prefixes) && i < prefixes->count;
	     i++) {
		const char *prefix = co_value_str(prefixes->items[i]);
		if (!prefix)
			continue;
		char *token = NULL;
		int pages = 0;
		do {
			json_t *req = json_pack("{s:s, s:i}",
			    "logGroupNamePrefix", prefix, "limit", 50);
			if (token) {
				json_object_set_new(req, "nextToken",
				    json_string(token));
				free(token);
				token = NULL;
			}
			json_t *resp = NULL;
			co_aws_error err = {0};
			int rc = co_aws_json_call(aws, "logs",
			    "Logs_20140328.DescribeLogGroups", req, &resp, &err);
			json_decref(req);
			if (rc < 0) {
				co_path p = co_path_push_index(
				    co_path_attr("log_group_prefixes"),
				    (int64_t)i);
				co_diag_aws(ctx, &p,
				    "Listing CloudWatch log groups failed", &err);
				return -1;
			}
			json_t *groups = json_object_get(resp, "logGroups");
			size_t k;
			json_t *g;
			json_array_foreach(groups, k, g)
			{
				const char *name = json_string_value(
				    json_object_get(g, "logGroupName"));
				if (!name || excluded(exclude, name) ||
				    co_value_map_get(seen, name))
					continue;
				json_t *r = json_object_get(g, "retentionInDays");
				int days = json_is_integer(r)
					       ? (int)json_integer_value(r)
					       : 0;
				co_value_map_put(ctx->arena, seen, name,
				    co_value_number(ctx->arena, days));
				if (est)
					estimate_add(est, name, days,
					    json_number_value(json_object_get(
						g, "storedBytes")),
					    json_number_value(json_object_get(
						g, "creationTime")));
				if (fn && fn(ctx, name, days, payload) < 0) {
					json_decref(resp);
					return -1;
				}
			}
			const char *next = json_string_value(
			    json_object_get(resp, "nextToken"));
			if (next && *next)
				token = strdup(next);
			json_decref(resp);
			if (++pages % 20 == 0)
				co_info("log_retention: %d pages of groups "
					"under %s so far",
				    pages, prefix);
		} while (token);
	}
	return 0;
}

static co_value *new_groups_map(co_ctx *ctx)
{
	return co_value_collection(ctx->arena,
	    co_type_map(ctx->arena, &co_type_number));
}

static int put_retention(co_ctx *ctx, const char *name, int days)
{
	json_t *req;
	const char *target;
	if (days > 0) {
		req = json_pack("{s:s, s:i}", "logGroupName", name,
		    "retentionInDays", days);
		target = "Logs_20140328.PutRetentionPolicy";
	} else {
		req = json_pack("{s:s}", "logGroupName", name);
		target = "Logs_20140328.DeleteRetentionPolicy";
	}
	json_t *resp = NULL;
	co_aws_error err = {0};
	int rc = co_aws_json_call(ctx->provider->aws, "logs", target, req,
	    &resp, &err);
	json_decref(req);
	json_decref(resp);
	if (rc < 0) {
		if (co_aws_error_is(&err, "ResourceNotFoundException"))
			return 0; /* deleted meanwhile: nothing to set */
		char *what = co_arena_sprintf(ctx->arena,
		    "Setting retention on log group %s failed", name);
		co_diag_aws(ctx, NULL, what, &err);
		return -1;
	}
	co_debug("log_retention: %s -> %d days", name, days);
	return 0;
}

/* Private state: {"previous": {"group": days}} — each group's retention
 * before costops first changed it. */
static json_t *load_private(const co_ctx *ctx)
{
	json_t *root = co_ctx_private_json(ctx);
	if (!json_is_object(json_object_get(root, "previous")))
		json_object_set_new(root, "previous", json_object());
	return root;
}

struct apply_state {
	int days;
	json_t *previous;
	co_value *applied;
};

static int apply_one(co_ctx *ctx, const char *name, int current, void *payload)
{
	struct apply_state *st = payload;
	if (!json_object_get(st->previous, name))
		json_object_set_new(st->previous, name, json_integer(current));
	if (current != st->days && put_retention(ctx, name, st->days) < 0)
		return -1;
	co_value_map_put(ctx->arena, st->applied, name,
	    co_value_number(ctx->arena, st->days));
	return 0;
}

static const char *make_id(co_ctx *ctx, const co_value *v)
{
	co_buf b;
	co_buf_init(&b, 1 << 16);
	int64_t days = 0;
	co_value_int(co_value_attr(v, "retention_in_days"), &days);
	co_buf_printf(&b, "%lld:", (long long)days);
	const co_value *p = co_value_attr(v, "log_group_prefixes");
	for (size_t i = 0; co_value_is_set(p) && i < p->count; i++)
		co_buf_printf(&b, "%s%s", i ? "," : "",
		    co_value_str(p->items[i]));
	const char *id = co_arena_strdup(ctx->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	return id;
}

/* Gives back a group costops no longer manages: its earlier retention
 * when restore is asked for, else no retention policy. */
static int release_group(co_ctx *ctx, const char *name, bool restore,
    json_t *previous)
{
	int days = 0;
	json_t *prev = json_object_get(previous, name);
	if (restore && json_is_integer(prev))
		days = (int)json_integer_value(prev);
	if (put_retention(ctx, name, days) < 0)
		return -1;
	json_object_del(previous, name);
	return 0;
}

/* ---- the resource ---------------------------------------------------------------- */

static void lr_validate(co_ctx *ctx, const co_value *config)
{
	const co_value *prefixes = co_value_attr(config, "log_group_prefixes");
	co_path pp = co_path_attr("log_group_prefixes");
	if (co_value_is_set(prefixes)) {
		if (prefixes->count == 0)
			co_diag_error(ctx->diags, &pp, "No log group prefixes",
			    "log_group_prefixes is empty, so nothing would be "
			    "managed. List at least one prefix, e.g. "
			    "\"/aws/sagemaker/TrainingJobs\".");
		for (size_t i = 0; i < prefixes->count; i++) {
			const co_value *v = prefixes->items[i];
			if (!co_value_is_set(v))
				continue;
			co_path ip = co_path_push_index(pp, (int64_t)i);
			if (v->str_len == 0)
				co_diag_error(ctx->diags, &ip, "Empty prefix",
				    "An empty prefix would match every log "
				    "group in the account and region. Name "
				    "the groups' common prefix instead.");
			else if (v->str_len > 512 || !valid_group_chars(v->str))
				co_diag_error(ctx->diags, &ip,
				    "Invalid log group prefix",
				    "\"%s\" cannot start a log group name: "
				    "names are 1-512 characters of a-z, A-Z, "
				    "0-9, '.', '-', '_', '/' and '#'.",
				    v->str);
		}
	}
	double days;
	if (co_value_num(co_value_attr(config, "retention_in_days"), &days) &&
	    !days_allowed(days)) {
		co_path p = co_path_attr("retention_in_days");
		co_diag_error(ctx->diags, &p, "Retention not accepted by CloudWatch",
		    "CloudWatch Logs accepts only 1, 3, 5, 7, 14, 30, 60, 90, "
		    "120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
		    "2922, 3288 or 3653 days; %g is not one of them (the "
		    "nearest shorter one is %d).",
		    days, nearest_allowed(days));
	}
}

/* The estimate at plan time, so the plan shows what the change saves:
 * the groups are listed now (the refresh has just done the same), each
 * group's earlier retention comes from private state or, for groups not
 * yet touched, from the listing. Left unknown when the provider or the
 * configuration is not known yet. */
static void plan_estimate(co_ctx *ctx, co_value *planned)
{
	int64_t days = 0;
	const co_value *prefixes = co_value_attr(planned, "log_group_prefixes");
	const co_value *exclude = co_value_attr(planned, "exclude");
	if (!ctx->provider->configured ||
	    !co_value_int(co_value_attr(planned, "retention_in_days"), &days) ||
	    !co_value_is_set(prefixes) || co_value_has_unknown(prefixes) ||
	    co_value_has_unknown(exclude))
		return;
	json_t *priv = load_private(ctx);
	lr_estimate est;
	estimate_init(&est, ctx, (int)days, json_object_get(priv, "previous"));
	co_value *seen = new_groups_map(ctx);
	if (for_each_group(ctx, prefixes, exclude, seen, &est, NULL, NULL) == 0)
		estimate_set(ctx, planned, &est);
	json_decref(priv);
}

static void lr_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying)
		return;
	if (plan->creating) {
		plan_estimate(ctx, plan->planned);
		return;
	}
	co_value *planned = plan->planned;
	const co_value *prior = plan->prior;
	bool same_scope =
	    co_value_equal(co_value_attr(prior, "log_group_prefixes"),
		co_value_attr(planned, "log_group_prefixes")) &&
	    co_value_equal(co_value_attr(prior, "exclude"),
		co_value_attr(planned, "exclude"));
	const co_value *days = co_value_attr(planned, "retention_in_days");
	const co_value *groups = co_value_attr(prior, "log_groups");
	if (!same_scope || !co_value_is_set(days) || !co_value_is_set(groups)) {
		co_plan_set_unknown_computed(ctx, plan);
		plan_estimate(ctx, planned);
		return;
	}
	/* A new retention changes the estimate; otherwise the refreshed one
	 * stands (re-listing would show every byte ingested since as a
	 * change). */
	if (!co_value_equal(days, co_value_attr(prior, "retention_in_days"))) {
		plan_estimate(ctx, planned);
	} else {
		static const char *const kept[] = {"estimated_monthly_usd",
		    "estimated_monthly_savings_usd", "estimate_basis"};
		for (size_t i = 0; i < 3; i++)
			if (co_value_is_set(co_value_attr(prior, kept[i])))
				co_value_set_attr(planned, kept[i],
				    co_value_attr(prior, kept[i]));
	}
	/* Same groups: the plan shows exactly which ones change. A group
	 * with other retention (drift) or a new one found by the refresh
	 * both appear here. */
	co_value *want = new_groups_map(ctx);
	for (size_t i = 0; i < groups->count; i++)
		co_value_map_put(ctx->arena, want, groups->keys[i],
		    (co_value *)days);
	co_value_set_attr(planned, "log_groups", want);
	co_value_set_attr(planned, "matched_count",
	    co_value_number(ctx->arena, (double)groups->count));
	co_value_set_attr(planned, "id",
	    co_value_string(ctx->arena, make_id(ctx, planned)));
}

static int lr_apply(co_ctx *ctx, const co_value *prior, const co_value *planned,
    co_value **state)
{
	int rc = -1;
	json_t *priv = load_private(ctx);
	int64_t days = 0;
	co_value_int(co_value_attr(planned, "retention_in_days"), &days);
	struct apply_state st = {
	    .days = (int)days,
	    .previous = json_object_get(priv, "previous"),
	    .applied = new_groups_map(ctx),
	};
	co_value *seen = new_groups_map(ctx);
	lr_estimate est;
	estimate_init(&est, ctx, (int)days, st.previous);
	rc = for_each_group(ctx, co_value_attr(planned, "log_group_prefixes"),
	    co_value_attr(planned, "exclude"), seen, &est, apply_one, &st);

	/* Groups that left the scope in this update are released. */
	const co_value *before = co_value_attr(prior, "log_groups");
	bool restore =
	    co_value_bool_or(co_value_attr(planned, "restore_on_destroy"), false);
	for (size_t i = 0; rc == 0 && co_value_is_set(before) &&
			   i < before->count;
	     i++)
		if (!co_value_map_get(st.applied, before->keys[i]) &&
		    release_group(ctx, before->keys[i], restore, st.previous) < 0)
			rc = -1;

	/* Even after a partial failure the state records what was changed,
	 * and private state keeps what to restore. */
	co_ctx_set_private_json(ctx, priv);
	json_decref(priv);
	co_value *s = co_value_copy(ctx->arena, planned);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, make_id(ctx, planned)));
	co_value_set_attr(s, "log_groups", st.applied);
	co_value_set_attr(s, "matched_count",
	    co_value_number(ctx->arena, (double)st.applied->count));
	/* The state must hold what the plan promised: a planned estimate is
	 * kept; an unknown one is worked out from this listing. */
	if (!co_value_is_set(co_value_attr(planned, "estimated_monthly_usd")))
		estimate_set(ctx, s, &est);
	*state = s;
	if (rc == 0)
		co_info("log_retention: %zu group(s) at %lld days",
		    st.applied->count, (long long)days);
	return rc;
}

static int lr_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	return lr_apply(ctx, NULL, planned, state);
}

static int lr_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	return lr_apply(ctx, prior, planned, state);
}

static int lr_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	co_value *seen = new_groups_map(ctx);
	int64_t days = 0;
	co_value_int(co_value_attr(state, "retention_in_days"), &days);
	json_t *priv = load_private(ctx);
	lr_estimate est;
	estimate_init(&est, ctx, (int)days, json_object_get(priv, "previous"));
	int rc = for_each_group(ctx, co_value_attr(state, "log_group_prefixes"),
	    co_value_attr(state, "exclude"), seen, &est, NULL, NULL);
	json_decref(priv);
	if (rc < 0)
		return -1;
	co_value *s = co_value_copy(ctx->arena, state);
	estimate_set(ctx, s, &est);
	co_value_set_attr(s, "log_groups", seen);
	co_value_set_attr(s, "matched_count",
	    co_value_number(ctx->arena, (double)seen->count));
	if (!co_value_is_set(co_value_attr(s, "restore_on_destroy")))
		co_value_set_attr(s, "restore_on_destroy",
		    co_value_bool(ctx->arena, false));
	co_value_set_attr(s, "id", co_value_string(ctx->arena, make_id(ctx, s)));
	*out = s;
	return 0;
}

static int lr_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	json_t *priv = load_private(ctx);
	json_t *previous = json_object_get(priv, "previous");
	bool restore =
	    co_value_bool_or(co_value_attr(state, "restore_on_destroy"), false);
	const co_value *groups = co_value_attr(state, "log_groups");
	co_value *left = new_groups_map(ctx);
	int rc = 0;
	for (size_t i = 0; co_value_is_set(groups) && i < groups->count; i++) {
		if (rc == 0 &&
		    release_group(ctx, groups->keys[i], restore, previous) == 0)
			continue;
		rc = -1;
		co_value_map_put(ctx->arena, left, groups->keys[i],
		    groups->items[i]);
	}
	if (rc < 0) {
		/* Resumable: the state keeps the groups not yet released. */
		co_value *s = co_value_copy(ctx->arena, state);
		co_value_set_attr(s, "log_groups", left);
		co_value_set_attr(s, "matched_count",
		    co_value_number(ctx->arena, (double)left->count));
		*remaining = s;
		co_ctx_set_private_json(ctx, priv);
	}
	json_decref(priv);
	return rc;
}

static int lr_import(co_ctx *ctx, const char *id, co_value **state)
{
	char *end = NULL;
	long days = strtol(id, &end, 10);
	if (end == id || *end != ':' || !end[1] || !days_allowed((double)days)) {
		co_diag_error(ctx->diags, NULL, "Invalid import id",
		    "Expected \"<retention_in_days>:<prefix>[,<prefix>...]\", "
		    "e.g. \"7:/aws/eks/retail-forecast-cluster,/aws/sagemaker/"
		    "TrainingJobs\", with an allowed retention; got \"%s\".",
		    id);
		return -1;
	}
	co_value *s = co_schema_empty(ctx->arena, &schema);
	co_value *prefixes = co_value_collection(ctx->arena,
	    co_type_list(ctx->arena, &co_type_string));
	char *list = co_arena_strdup(ctx->arena, end + 1);
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		co_value_append(ctx->arena, prefixes,
		    co_value_string(ctx->arena, t));
	co_value_set_attr(s, "log_group_prefixes", prefixes);
	co_value_set_attr(s, "retention_in_days",
	    co_value_number(ctx->arena, (double)days));
	co_value_set_attr(s, "restore_on_destroy",
	    co_value_bool(ctx->arena, false));
	co_value_set_attr(s, "id", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "log_groups", new_groups_map(ctx));
	co_value_set_attr(s, "matched_count", co_value_number(ctx->arena, 0));
	*state = s;
	return 0;
}

const co_resource co_log_retention_resource = {
	.type_name = "costops_log_retention",
	.schema = &schema,
	.validate = lr_validate,
	.plan = lr_plan,
	.create = lr_create,
	.read = lr_read,
	.update = lr_update,
	.del = lr_delete,
	.import = lr_import,
};
