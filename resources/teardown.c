/* costops_teardown: a complete, previewable, resumable teardown of what a
 * project left behind. Create and read take the inventory (everything the
 * tag filter and the name rules select, minus what carries the protect
 * tag); destroy deletes exactly the inventory in state, in dependency
 * order, keeps what it could not delete in state so a second destroy
 * continues, verifies by listing again, and reports (JSON file, SNS).
 *
 * Discovery and deletion per service live in teardown_<service>.c; the
 * pure helpers in teardown_inventory.c. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

#define DEFAULT_PROTECT "costops:protect=true"
#define DEFAULT_DELETE_TIMEOUT_MS (60L * 60 * 1000)
/* Lines of inventory a plan-time warning shows before "and N more". */
#define PREVIEW_LINES 60

/* ---- kinds, in deletion order --------------------------------------------- */

const co_td_kind co_td_kinds[] = {
	{"sagemaker_endpoint", "sagemaker", "SageMaker endpoint",
	    co_td_sagemaker_delete_endpoint},
	{"sagemaker_endpoint_config", "sagemaker", "SageMaker endpoint config",
	    co_td_sagemaker_delete_endpoint_config},
	{"sagemaker_model", "sagemaker", "SageMaker model",
	    co_td_sagemaker_delete_model},
	{"scheduler_schedule", "scheduler", "schedule",
	    co_td_scheduler_delete_schedule},
	{"scheduler_schedule_group", "scheduler", "schedule group",
	    co_td_scheduler_delete_group},
	{"elbv2_load_balancer", "elbv2", "load balancer",
	    co_td_elbv2_delete_load_balancer},
	{"elbv2_target_group", "elbv2", "target group",
	    co_td_elbv2_delete_target_group},
	{"eks_nodegroup", "eks", "EKS node group", co_td_eks_delete_nodegroup},
	{"eks_cluster", "eks", "EKS cluster", co_td_eks_delete_cluster},
	{"ecr_images", "ecr", "images of ECR repository",
	    co_td_ecr_delete_images},
	{"ecr_repository", "ecr", "ECR repository", co_td_ecr_delete_repository},
	{"s3_objects", "s3", "objects of bucket", co_td_s3_delete_objects},
	{"s3_bucket", "s3", "S3 bucket", co_td_s3_delete_bucket},
	{"logs_log_group", "logs", "log group", co_td_logs_delete_group},
};
const size_t co_td_n_kinds = sizeof(co_td_kinds) / sizeof(co_td_kinds[0]);

size_t co_td_kind_rank(const char *type)
{
	for (size_t i = 0; i < co_td_n_kinds; i++)
		if (type && strcmp(co_td_kinds[i].type, type) == 0)
			return i;
	return co_td_n_kinds;
}

const co_td_kind *co_td_kind_of(const char *type)
{
	static const co_td_kind unknown = {"unknown", "unknown", "item", NULL};
	size_t r = co_td_kind_rank(type);
	return r < co_td_n_kinds ? &co_td_kinds[r] : &unknown;
}

/* ---- schema ---------------------------------------------------------------------- */

static const char *const confirm_values[] = {"", "destroy", NULL};

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "The tag filter as `Key=Value[,Key=Value...]` "
			   "(`name-rules` without one); also the import id."},
	{.name = "tag_filter", .type = "[\"map\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Tags that select the project's resources: every "
			   "pair must match. Found through the Resource Groups "
			   "Tagging API (S3 buckets, log groups, SageMaker "
			   "endpoints and models) and service listings for "
			   "what it misses (EKS clusters and node groups, ECR "
			   "repositories, SageMaker endpoint configs, "
			   "EventBridge Scheduler groups, load balancers and "
			   "target groups). Load balancers and target groups "
			   "the Kubernetes load balancer controller created "
			   "for a selected cluster (`elbv2.k8s.aws/cluster` or "
			   "`kubernetes.io/cluster/<name>`) are selected too."},
	{.name = "sagemaker_endpoint_prefixes", .type = "[\"list\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "SageMaker endpoints, endpoint configs and models "
			   "whose names start with one of these are selected "
			   "whatever their tags (the seed's workflow deletes "
			   "every endpoint named `retail-forecast*`)."},
	{.name = "ecr_repositories", .type = "[\"list\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "ECR repositories whose images are deleted. The "
			   "repositories themselves stay unless they also "
			   "match `tag_filter`."},
	{.name = "log_group_prefixes", .type = "[\"list\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Log groups whose names start with one of these "
			   "are deleted, including those AWS services create "
			   "on their own (`/aws/sagemaker/TrainingJobs`)."},
	{.name = "buckets", .type = "[\"list\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "S3 buckets to empty: every object, version and "
			   "delete marker. Buckets matching `tag_filter` are "
			   "emptied and deleted anyway."},
	{.name = "delete_buckets", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "false",
	    .description = "Also delete the buckets listed in `buckets` once "
			   "empty."},
	{.name = "confirm", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "Must be `\"destroy\"` for destroy to delete "
			   "anything (the seed's workflow asks the same). "
			   "Terraform sends no configuration on destroy, so "
			   "the value in state counts: set it, `apply` (which "
			   "changes nothing in AWS), then `destroy`. Otherwise "
			   "`plan -destroy` and `destroy` fail and nothing is "
			   "deleted.",
	    .one_of = confirm_values},
	{.name = "protect_tag", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED,
	    .default_json = "\"" DEFAULT_PROTECT "\"",
	    .description = "`key=value`: a resource carrying this tag is "
			   "never deleted, whatever else matches; it shows "
			   "as protected in the plan and the report. An EKS "
			   "cluster with a protected node group is kept too."},
	{.name = "notify_sns_topic_arn", .type = "\"string\"",
	    .flags = CO_OPTIONAL,
	    .description = "SNS topic that receives a summary when a "
			   "teardown ends, whether it succeeded or failed."},
	{.name = "report_path", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "File to write a JSON report to when a teardown "
			   "ends: what was deleted, failed, remains, was "
			   "protected or skipped, and what appeared since the "
			   "plan."},
	{.name = "inventory",
	    .type = "[\"list\",[\"object\",{\"arn\":\"string\",\"name\":"
		    "\"string\",\"type\":\"string\"}]]",
	    .flags = CO_COMPUTED,
	    .description = "What destroy will delete, in deletion order: "
			   "`type` (e.g. `eks_nodegroup`, `s3_objects`), "
			   "`name` and `arn`. Taken at create and refreshed by "
			   "every refresh; destroy deletes exactly this list "
			   "(a saved destroy plan deletes what it showed) and "
			   "only reports anything new. After a failed "
			   "destroy it holds what is left."},
	{.name = "inventory_count", .type = "\"number\"", .flags = CO_COMPUTED,
	    .description = "How many items `inventory` holds."},
	{0},
};

static const co_block_type_schema blocks[] = {
	CO_TIMEOUTS_BLOCK_TYPE,
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.blocks = blocks,
	.description = "Tears down everything a project left behind, scoped by "
		       "tags and name rules: shown in the plan before anything "
		       "is deleted, deleted in dependency order, resumable "
		       "after a failure, verified, and reported. Declare it "
		       "with `depends_on` the rest of the stack so `destroy` "
		       "runs it first.",
};

/* ---- selection and inventory values ------------------------------------------- */

static void strs_from(co_arena *a, const co_value *list, co_td_strs *out)
{
	out->n = 0;
	out->v = NULL;
	if (!co_value_is_set(list) || !list->count)
		return;
	out->v = co_arena_alloc(a, list->count * sizeof(*out->v));
	for (size_t i = 0; i < list->count; i++) {
		const char *s = co_value_str(list->items[i]);
		if (s && *s)
			out->v[out->n++] = s;
	}
}

static void selection_from(co_ctx *ctx, const co_value *v, co_td_selection *sel)
{
	memset(sel, 0, sizeof(*sel));
	const co_value *f = co_value_attr(v, "tag_filter");
	if (co_value_is_set(f) && f->count) {
		sel->filter = co_arena_alloc(ctx->arena,
		    f->count * sizeof(*sel->filter));
		for (size_t i = 0; i < f->count; i++) {
			const char *val = co_value_str(f->items[i]);
			sel->filter[sel->n_filter].key = f->keys[i];
			sel->filter[sel->n_filter++].value = val ? val : "";
		}
	}
	strs_from(ctx->arena, co_value_attr(v, "sagemaker_endpoint_prefixes"),
	    &sel->endpoint_prefixes);
	strs_from(ctx->arena, co_value_attr(v, "ecr_repositories"),
	    &sel->ecr_repositories);
	strs_from(ctx->arena, co_value_attr(v, "log_group_prefixes"),
	    &sel->log_group_prefixes);
	strs_from(ctx->arena, co_value_attr(v, "buckets"), &sel->buckets);
	sel->delete_buckets =
	    co_value_bool_or(co_value_attr(v, "delete_buckets"), false);
	const char *p = co_value_str(co_value_attr(v, "protect_tag"));
	if (co_td_parse_tag(ctx->arena, p ? p : DEFAULT_PROTECT,
		&sel->protect) < 0)
		co_td_parse_tag(ctx->arena, DEFAULT_PROTECT, &sel->protect);
}

static const char *make_id(co_ctx *ctx, const co_value *v)
{
	const co_value *f = co_value_attr(v, "tag_filter");
	if (!co_value_is_set(f) || !f->count)
		return "name-rules";
	co_buf b;
	co_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < f->count; i++)
		co_buf_printf(&b, "%s%s=%s", i ? "," : "", f->keys[i],
		    co_value_str(f->items[i]) ? co_value_str(f->items[i]) : "");
	const char *id = co_arena_strdup(ctx->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	return id;
}

static const co_type *inventory_type(void)
{
	return co_type_attr(co_schema_type(&schema), "inventory");
}

static co_value *inventory_value(co_ctx *ctx, const co_td_list *l)
{
	const co_type *lt = inventory_type();
	co_value *list = co_value_collection(ctx->arena, lt);
	for (size_t i = 0; i < l->n; i++) {
		co_value *o = co_value_object(ctx->arena, lt->elem);
		co_value_set_attr(o, "type",
		    co_value_string(ctx->arena, l->items[i].type));
		co_value_set_attr(o, "name",
		    co_value_string(ctx->arena, l->items[i].name));
		co_value_set_attr(o, "arn",
		    co_value_string(ctx->arena, l->items[i].arn));
		co_value_append(ctx->arena, list, o);
	}
	return list;
}

static void inventory_list(co_ctx *ctx, const co_value *v, co_td_list *out)
{
	memset(out, 0, sizeof(*out));
	const co_value *inv = co_value_attr(v, "inventory");
	for (size_t i = 0; co_value_is_set(inv) && i < inv->count; i++) {
		const co_value *o = inv->items[i];
		const char *type = co_value_str(co_value_attr(o, "type"));
		const char *name = co_value_str(co_value_attr(o, "name"));
		if (type && name)
			co_td_list_add(ctx->arena, out, type, name,
			    co_value_str(co_value_attr(o, "arn")), NULL);
	}
}

static void set_inventory(co_ctx *ctx, co_value *v, const co_td_list *l)
{
	co_value_set_attr(v, "inventory", inventory_value(ctx, l));
	co_value_set_attr(v, "inventory_count",
	    co_value_number(ctx->arena, (double)l->n));
}

/* ---- discovery ------------------------------------------------------------------- */

static void run_init(co_td_run *run, co_ctx *ctx, const co_td_selection *sel)
{
	memset(run, 0, sizeof(*run));
	run->ctx = ctx;
	run->aws = ctx->provider->aws;
	run->sel = sel;
}

/* Finds everything the selection matches, into run->found (sorted),
 * run->protect and run->skipped. */
static int discover(co_td_run *run)
{
	int (*const steps[])(co_td_run *) = {
	    co_td_sagemaker_discover,
	    co_td_scheduler_discover,
	    co_td_eks_discover,
	    co_td_elbv2_discover, /* after EKS: needs the clusters */
	    co_td_ecr_discover,
	    co_td_s3_discover,
	    co_td_logs_discover,
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i](run) < 0)
			return -1;
	co_td_list_sort(&run->found);
	co_td_list_sort(&run->protect);
	co_info("teardown: %zu item(s) selected, %zu protected, %zu skipped",
	    run->found.n, run->protect.n, run->skipped.n);
	return 0;
}

/* Appends "- what name" lines to b, at most max of them. */
static void list_lines(co_buf *b, const co_td_list *l, size_t max)
{
	for (size_t i = 0; i < l->n && i < max; i++)
		co_buf_printf(b, "\n  - %s %s%s%s",
		    co_td_kind_of(l->items[i].type)->what, l->items[i].name,
		    l->items[i].note ? ": " : "",
		    l->items[i].note ? l->items[i].note : "");
	if (l->n > max)
		co_buf_printf(b, "\n  ... and %zu more", l->n - max);
}

/* ---- validate ----------------------------------------------------------------------- */

/* Bucket names: 3-63 of a-z, 0-9, '.', '-', starting and ending with a
 * letter or digit (S3 bucket naming rules). */
static bool valid_bucket(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && c != '.' && c != '-')
			return false;
		if ((i == 0 || i == n - 1) && !alnum)
			return false;
	}
	return true;
}

/* Repository names: 2-256 of a-z, 0-9, '.', '_', '-', '/' (ECR
 * CreateRepository, repositoryName). */
static bool valid_repo(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 256)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			strchr("._-/", *p)))
			return false;
	return true;
}

static void check_list(co_ctx *ctx, const co_value *config, const char *attr,
    bool (*valid)(const char *), const char *rule)
{
	const co_value *l = co_value_attr(config, attr);
	for (size_t i = 0; co_value_is_set(l) && i < l->count; i++) {
		const char *s = co_value_str(l->items[i]);
		if (!s)
			continue;
		co_path p = co_path_push_index(co_path_attr(attr), (int64_t)i);
		if (!*s)
			co_diag_error(ctx->diags, &p, "Empty name or prefix",
			    "An empty entry in %s would match everything of "
			    "its kind in the account and region. Remove it or "
			    "name the project's common prefix.",
			    attr);
		else if (valid && !valid(s))
			co_diag_error(ctx->diags, &p, "Invalid name",
			    "\"%s\" is not a valid name here: %s.", s, rule);
	}
}

static void td_validate(co_ctx *ctx, const co_value *config)
{
	const co_value *f = co_value_attr(config, "tag_filter");
	co_path fp = co_path_attr("tag_filter");
	for (size_t i = 0; co_value_is_set(f) && i < f->count; i++)
		if (!f->keys[i][0]) {
			co_path kp = co_path_push_key(fp, f->keys[i]);
			co_diag_error(ctx->diags, &kp, "Empty tag key",
			    "Tag keys are 1-128 characters; remove the empty "
			    "key.");
		}
	/* GetResources takes at most 50 tag filters (API reference). */
	if (co_value_is_set(f) && f->count > 50)
		co_diag_error(ctx->diags, &fp, "Too many tag filter pairs",
		    "The Tagging API takes at most 50 tag filters; %zu are "
		    "given.",
		    f->count);
	/* Unknown values may still select something: only when every
	 * selector is known and empty is there nothing to do. */
	bool any = (!co_value_is_set(f) && f && f->is_unknown) ||
		   (co_value_is_set(f) && f->count > 0);
	const char *lists[] = {"sagemaker_endpoint_prefixes",
	    "ecr_repositories", "log_group_prefixes", "buckets"};
	for (size_t i = 0; i < 4; i++) {
		const co_value *l = co_value_attr(config, lists[i]);
		if ((l && l->is_unknown) ||
		    (co_value_is_set(l) && l->count > 0))
			any = true;
	}
	if (!any)
		co_diag_error(ctx->diags, &fp, "Nothing selected",
		    "Set tag_filter (e.g. { Project = \"RetailMLOps\" }) or at "
		    "least one name rule (sagemaker_endpoint_prefixes, "
		    "ecr_repositories, log_group_prefixes, buckets); without "
		    "them the teardown selects nothing.");
	check_list(ctx, config, "sagemaker_endpoint_prefixes", NULL, NULL);
	check_list(ctx, config, "log_group_prefixes", NULL, NULL);
	check_list(ctx, config, "buckets", valid_bucket,
	    "bucket names are 3-63 characters of a-z, 0-9, '.' and '-', "
	    "starting and ending with a letter or digit");
	check_list(ctx, config, "ecr_repositories", valid_repo,
	    "repository names are 2-256 characters of a-z, 0-9, '.', '_', "
	    "'-' and '/'");

	const char *protect = co_value_str(co_value_attr(config, "protect_tag"));
	co_td_tag t;
	if (protect && co_td_parse_tag(ctx->arena, protect, &t) < 0) {
		co_path p = co_path_attr("protect_tag");
		co_diag_error(ctx->diags, &p, "Invalid protect tag",
		    "Expected \"key=value\", e.g. \"%s\"; got \"%s\".",
		    DEFAULT_PROTECT, protect);
	}
	const char *topic =
	    co_value_str(co_value_attr(config, "notify_sns_topic_arn"));
	if (topic && (strncmp(topic, "arn:", 4) != 0 ||
			 !strstr(topic, ":sns:"))) {
		co_path p = co_path_attr("notify_sns_topic_arn");
		co_diag_error(ctx->diags, &p, "Not an SNS topic ARN",
		    "Expected arn:<partition>:sns:<region>:<account>:<topic>, "
		    "e.g. aws_sns_topic.x.arn; got \"%s\".",
		    topic);
	}
	const char *report = co_value_str(co_value_attr(config, "report_path"));
	if (report && !*report) {
		co_path p = co_path_attr("report_path");
		co_diag_error(ctx->diags, &p, "Empty report path",
		    "Give a file name, e.g. \"teardown-report.json\", or "
		    "leave report_path unset.");
	}
}

/* ---- plan ------------------------------------------------------------------------- */

static bool is_confirmed(const co_value *v)
{
	const char *c = co_value_str(co_value_attr(v, "confirm"));
	return c && strcmp(c, "destroy") == 0;
}

static void refuse(co_ctx *ctx, const co_value *state)
{
	co_path p = co_path_attr("confirm");
	co_diag_error(ctx->diags, &p, "Teardown not confirmed",
	    "costops_teardown %s would delete %lld item(s), but confirm is "
	    "not \"destroy\" in its state, so nothing is deleted. Set "
	    "confirm = \"destroy\", run apply (it changes nothing in AWS; "
	    "Terraform sends no configuration on destroy, so the state's "
	    "value is the one that counts), then destroy again.",
	    co_value_str(co_value_attr(state, "id"))
		? co_value_str(co_value_attr(state, "id"))
		: "",
	    co_value_is_set(co_value_attr(state, "inventory"))
		? (long long)co_value_attr(state, "inventory")->count
		: 0LL);
}

/* The destroy plan: refuse without confirm, else list what will go. */
static void plan_destroy(co_ctx *ctx, const co_value *prior)
{
	if (!prior)
		return;
	if (!is_confirmed(prior)) {
		refuse(ctx, prior);
		return;
	}
	if (!ctx->provider->configured)
		return;
	co_td_selection sel;
	selection_from(ctx, prior, &sel);
	co_td_run run;
	run_init(&run, ctx, &sel);
	if (discover(&run) < 0)
		return;
	co_td_list planned, going = {0}, fresh = {0};
	inventory_list(ctx, prior, &planned);
	for (size_t i = 0; i < planned.n; i++) {
		const co_td_item *it = &planned.items[i];
		if (co_td_list_find(&run.found, it->type, it->name) >= 0)
			co_td_list_add(ctx->arena, &going, it->type, it->name,
			    it->arn, NULL);
	}
	for (size_t i = 0; i < run.found.n; i++) {
		const co_td_item *it = &run.found.items[i];
		if (co_td_list_find(&planned, it->type, it->name) < 0)
			co_td_list_add(ctx->arena, &fresh, it->type, it->name,
			    it->arn, NULL);
	}
	co_buf b;
	co_buf_init(&b, 1 << 20);
	co_buf_printf(&b, "costops_teardown %s will delete, in this order:",
	    make_id(ctx, prior));
	list_lines(&b, &going, PREVIEW_LINES);
	if (fresh.n) {
		co_buf_printf(&b, "\nFound but not in the inventory (refresh "
				  "or apply to include them; they are "
				  "reported, not deleted):");
		list_lines(&b, &fresh, PREVIEW_LINES);
	}
	if (run.protect.n) {
		co_buf_printf(&b, "\nKept by the protect tag %s=%s:",
		    sel.protect.key, sel.protect.value);
		list_lines(&b, &run.protect, PREVIEW_LINES);
	}
	if (run.skipped.n) {
		co_buf_printf(&b, "\nSkipped:");
		list_lines(&b, &run.skipped, PREVIEW_LINES);
	}
	co_diag_warn(ctx->diags, NULL,
	    co_arena_sprintf(ctx->arena, "Teardown will delete %zu item(s)",
		going.n),
	    "%s", co_buf_cstr(&b));
	co_buf_free(&b);
}

static bool same_selection(const co_value *a, const co_value *b)
{
	static const char *const sel_attrs[] = {"tag_filter",
	    "sagemaker_endpoint_prefixes", "ecr_repositories",
	    "log_group_prefixes", "buckets", "delete_buckets", "protect_tag"};
	for (size_t i = 0; i < sizeof(sel_attrs) / sizeof(sel_attrs[0]); i++)
		if (!co_value_equal(co_value_attr(a, sel_attrs[i]),
			co_value_attr(b, sel_attrs[i])))
			return false;
	return true;
}

static void td_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying) {
		plan_destroy(ctx, plan->prior);
		return;
	}
	co_value *planned = plan->planned;
	const co_value *f = co_value_attr(planned, "tag_filter");
	if (!f || !f->is_unknown)
		co_value_set_attr(planned, "id",
		    co_value_string(ctx->arena, make_id(ctx, planned)));
	/* The same selection keeps the inventory the last refresh took, so
	 * the plan shows it and an apply (e.g. arming confirm) keeps it.
	 * On create, or when the selection changes, the inventory is taken
	 * at apply: the rest of the stack is usually created or changed in
	 * the same apply (depends_on), and a known value that changed
	 * between plan and apply would fail with "Provider produced
	 * inconsistent final plan". */
	if (!plan->creating && same_selection(plan->prior, planned)) {
		co_value_set_attr(planned, "inventory",
		    co_value_attr(plan->prior, "inventory"));
		co_value_set_attr(planned, "inventory_count",
		    co_value_attr(plan->prior, "inventory_count"));
	}
}

/* ---- create / read / update -------------------------------------------------------------- */

static int take_inventory(co_ctx *ctx, const co_value *base, co_value **state)
{
	co_td_selection sel;
	selection_from(ctx, base, &sel);
	co_td_run run;
	run_init(&run, ctx, &sel);
	if (discover(&run) < 0)
		return -1;
	co_value *s = co_value_copy(ctx->arena, base);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, make_id(ctx, s)));
	if (!co_value_is_set(co_value_attr(s, "delete_buckets")))
		co_value_set_attr(s, "delete_buckets",
		    co_value_bool(ctx->arena, false));
	if (!co_value_is_set(co_value_attr(s, "protect_tag")))
		co_value_set_attr(s, "protect_tag",
		    co_value_string(ctx->arena, DEFAULT_PROTECT));
	set_inventory(ctx, s, &run.found);
	*state = s;
	return 0;
}

static int td_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	return take_inventory(ctx, planned, state);
}

static int td_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	(void)prior;
	const co_value *inv = co_value_attr(planned, "inventory");
	if (inv && !co_value_has_unknown(inv)) {
		*state = co_value_copy(ctx->arena, planned);
		return 0;
	}
	return take_inventory(ctx, planned, state);
}

static int td_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	return take_inventory(ctx, state, out);
}

static int td_import(co_ctx *ctx, const char *id, co_value **state)
{
	co_value *s = co_schema_empty(ctx->arena, &schema);
	if (strcmp(id, "name-rules") != 0) {
		co_value *f = co_value_collection(ctx->arena,
		    co_type_map(ctx->arena, &co_type_string));
		char *list = co_arena_strdup(ctx->arena, id);
		for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			co_td_tag tag;
			if (co_td_parse_tag(ctx->arena, t, &tag) < 0) {
				co_diag_error(ctx->diags, NULL,
				    "Invalid import id",
				    "Expected the tag filter as "
				    "\"Key=Value[,Key=Value...]\", e.g. "
				    "\"Project=RetailMLOps\"; got \"%s\".",
				    id);
				return -1;
			}
			co_value_map_put(ctx->arena, f, tag.key,
			    co_value_string(ctx->arena, tag.value));
		}
		co_value_set_attr(s, "tag_filter", f);
	}
	co_value_set_attr(s, "delete_buckets", co_value_bool(ctx->arena, false));
	co_value_set_attr(s, "protect_tag",
	    co_value_string(ctx->arena, DEFAULT_PROTECT));
	co_td_list none = {0};
	set_inventory(ctx, s, &none);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, id));
	*state = s;
	return 0;
}

/* ---- destroy: the teardown ---------------------------------------------------------------- */

static void write_report(co_ctx *ctx, const char *path, const co_td_outcome *o)
{
	json_t *r = co_td_report_json(o);
	if (json_dump_file(r, path, JSON_INDENT(2) | JSON_SORT_KEYS) < 0) {
		co_path p = co_path_attr("report_path");
		co_diag_warn(ctx->diags, &p, "Teardown report not written",
		    "Could not write %s: %s. The teardown itself is not "
		    "affected.",
		    path, strerror(errno));
	} else {
		co_info("teardown: report written to %s", path);
	}
	json_decref(r);
}

static void notify(co_ctx *ctx, const char *topic, const co_td_outcome *o)
{
	/* Subject: at most 100 printable ASCII characters, no line breaks
	 * (SNS Publish API reference). */
	char subject[101];
	snprintf(subject, sizeof(subject), "costops teardown %.60s: %s",
	    o->id ? o->id : "", o->result);
	for (char *p = subject; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	/* Messages may be up to 256 KB; the summary stays well below. */
	const char *message = co_td_summary(ctx->arena, o, 64 * 1024);
	const char *const params[] = {"Action", "Publish", "Version",
	    "2010-03-31", "TopicArn", topic, "Subject", subject, "Message",
	    message, NULL};
	co_xml *x = NULL;
	co_aws_error err = {0};
	if (co_aws_query_call(ctx->provider->aws, "sns", params, &x, &err) < 0) {
		co_path p = co_path_attr("notify_sns_topic_arn");
		co_diag_warn(ctx->diags, &p, "Teardown summary not published",
		    "SNS Publish to %s failed with %s: %s. The teardown "
		    "itself %s.",
		    topic, err.code, err.message, o->result);
	}
	co_xml_free(x);
}

static void finish(co_ctx *ctx, const co_value *state, co_td_outcome *o)
{
	const char *report = co_value_str(co_value_attr(state, "report_path"));
	const char *topic =
	    co_value_str(co_value_attr(state, "notify_sns_topic_arn"));
	if (report)
		write_report(ctx, report, o);
	if (topic)
		notify(ctx, topic, o);
	co_info("teardown %s: %s, %zu deleted, %zu failed, %zu remaining",
	    o->id, o->result, o->deleted.n, o->failed.n, o->remaining.n);
}

/* Deletes to_delete in order; fills o. A failure skips the later kinds of
 * the same service (a bucket after its objects, a cluster after its node
 * groups), other services go on. */
static void delete_all(co_td_run *run, const co_td_list *to_delete,
    co_td_outcome *o)
{
	co_ctx *ctx = run->ctx;
	const char *failed_services[16];
	size_t n_failed_services = 0;
	for (size_t i = 0; i < to_delete->n; i++) {
		const co_td_item *it = &to_delete->items[i];
		const co_td_kind *k = co_td_kind_of(it->type);
		const char *blocked = NULL;
		for (size_t j = 0; j < n_failed_services; j++)
			if (strcmp(failed_services[j], k->service) == 0)
				blocked = k->service;
		if (co_aws_client_cancelled(run->aws)) {
			co_td_list_add(ctx->arena, &o->remaining, it->type,
			    it->name, it->arn, "stopped before it was reached");
			continue;
		}
		if (blocked || !k->del) {
			co_td_list_add(ctx->arena, &o->remaining, it->type,
			    it->name, it->arn,
			    blocked ? "not attempted: an earlier deletion in "
				      "the same service failed"
				    : "unknown type");
			continue;
		}
		co_aws_error err = {0};
		co_debug("teardown: deleting %s %s", k->what, it->name);
		if (k->del(run, it, &err) == 0) {
			co_td_list_add(ctx->arena, &o->deleted, it->type,
			    it->name, it->arn, NULL);
			continue;
		}
		const char *why = co_arena_sprintf(ctx->arena, "%s: %s",
		    err.code[0] ? err.code : "Error", err.message);
		co_td_list_add(ctx->arena, &o->failed, it->type, it->name,
		    it->arn, why);
		co_td_list_add(ctx->arena, &o->remaining, it->type, it->name,
		    it->arn, why);
		co_diag_aws(ctx, NULL,
		    co_arena_sprintf(ctx->arena, "Teardown could not delete %s %s",
			k->what, it->name),
		    &err);
		if (n_failed_services <
		    sizeof(failed_services) / sizeof(failed_services[0]))
			failed_services[n_failed_services++] = k->service;
	}
}

/* Lists again: what was deleted and still shows is an error. */
static int verify(co_td_run *run, co_td_outcome *o)
{
	co_ctx *ctx = run->ctx;
	co_td_run check;
	run_init(&check, ctx, run->sel);
	if (discover(&check) < 0)
		return -1;
	for (size_t i = 0; i < o->deleted.n; i++) {
		const co_td_item *it = &o->deleted.items[i];
		if (co_td_list_find(&check.found, it->type, it->name) < 0 &&
		    co_td_list_find(&check.protect, it->type, it->name) < 0)
			continue;
		co_td_list_add(ctx->arena, &o->left, it->type, it->name,
		    it->arn, NULL);
		co_td_list_add(ctx->arena, &o->remaining, it->type, it->name,
		    it->arn, "still exists after the teardown");
	}
	if (o->left.n) {
		co_buf b;
		co_buf_init(&b, 1 << 20);
		list_lines(&b, &o->left, PREVIEW_LINES);
		co_diag_error(ctx->diags, NULL, "Teardown left resources behind",
		    "These were deleted without error but are listed again "
		    "(recreated, or still being deleted):%s\nThey stay in "
		    "the state; run destroy again.",
		    co_buf_cstr(&b));
		co_buf_free(&b);
	}
	return 0;
}

static int td_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	co_td_outcome o;
	memset(&o, 0, sizeof(o));
	o.id = make_id(ctx, state);
	if (!is_confirmed(state)) {
		refuse(ctx, state);
		o.result = "refused";
		finish(ctx, state, &o);
		return -1;
	}
	co_td_selection sel;
	selection_from(ctx, state, &sel);
	co_td_run run;
	run_init(&run, ctx, &sel);
	run.deadline_ms = co_td_now_ms() +
			  co_ctx_timeout_ms(ctx, "delete",
			      DEFAULT_DELETE_TIMEOUT_MS);

	/* What the plan listed and still matches now: a resource that got
	 * the protect tag since, or no longer matches, is not deleted. */
	if (discover(&run) < 0) {
		o.result = "failed";
		finish(ctx, state, &o);
		return -1;
	}
	co_td_list planned, to_delete = {0};
	inventory_list(ctx, state, &planned);
	for (size_t i = 0; i < planned.n; i++) {
		const co_td_item *it = &planned.items[i];
		if (co_td_list_find(&run.found, it->type, it->name) >= 0)
			co_td_list_add(ctx->arena, &to_delete, it->type,
			    it->name, it->arn, NULL);
		else if (co_td_list_find(&run.protect, it->type, it->name) < 0)
			co_td_list_add(ctx->arena, &o.skipped, it->type,
			    it->name, it->arn,
			    "no longer found (already deleted) or no longer "
			    "matching");
	}
	for (size_t i = 0; i < run.found.n; i++) {
		const co_td_item *it = &run.found.items[i];
		if (co_td_list_find(&planned, it->type, it->name) < 0)
			co_td_list_add(ctx->arena, &o.fresh, it->type, it->name,
			    it->arn, NULL);
	}
	for (size_t i = 0; i < run.skipped.n; i++)
		co_td_list_add(ctx->arena, &o.skipped, run.skipped.items[i].type,
		    run.skipped.items[i].name, run.skipped.items[i].arn,
		    run.skipped.items[i].note);
	o.protect = run.protect;
	co_td_list_sort(&to_delete);
	co_info("teardown %s: deleting %zu item(s)", o.id, to_delete.n);

	delete_all(&run, &to_delete, &o);
	if (!co_aws_client_cancelled(run.aws) && verify(&run, &o) < 0)
		o.result = "failed";
	if (o.fresh.n) {
		co_buf b;
		co_buf_init(&b, 1 << 20);
		list_lines(&b, &o.fresh, PREVIEW_LINES);
		co_diag_warn(ctx->diags, NULL,
		    "New resources found, not deleted",
		    "These match the selection but were not in the inventory "
		    "the plan showed, so they were left alone:%s\nApply and "
		    "destroy a costops_teardown again to remove them.",
		    co_buf_cstr(&b));
		co_buf_free(&b);
	}
	bool failed = co_diags_has_error(ctx->diags) || o.remaining.n;
	o.result = failed ? "failed" : "succeeded";
	finish(ctx, state, &o);
	if (!failed)
		return 0;
	if (o.remaining.n)
		co_diag_error(ctx->diags, NULL, "Teardown incomplete",
		    "%zu of %zu item(s) remain and stay in the state (see the "
		    "errors above). Fix the cause and run destroy again: it "
		    "continues with what is left.",
		    o.remaining.n, to_delete.n);
	/* Resumable: the state keeps exactly what is left. */
	co_td_list left = o.remaining;
	co_td_list_sort(&left);
	co_value *s = co_value_copy(ctx->arena, state);
	set_inventory(ctx, s, &left);
	*remaining = s;
	return -1;
}

const co_resource co_teardown_resource = {
	.type_name = "costops_teardown",
	.schema = &schema,
	.validate = td_validate,
	.plan = td_plan,
	.create = td_create,
	.read = td_read,
	.update = td_update,
	.del = td_delete,
	.import = td_import,
};
