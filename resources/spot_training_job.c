/* costops_spot_training_job: a SageMaker training job on managed Spot
 * capacity, with the guards that keep Spot from failing silently (a wait
 * limit that leaves room for interruptions, a checkpoint location so an
 * interruption resumes instead of restarting) and the savings AWS reports. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "provider/framework/resource.h"
#include "provider/framework/wait.h"
#include "provider/util/log.h"
#include "resources/estimate.h"
#include "resources/spot.h"

/* StoppingCondition.MaxRuntimeInSeconds: at most 28 days. */
#define TJ_MAX_RUNTIME 2419200
/* CreateTrainingJob.HyperParameters: up to 100 pairs, keys of 256 and
 * values of 2500 characters. */
#define TJ_MAX_HYPERPARAMETERS 100
/* TrainingJobName: 1-63 characters; a generated name is the prefix plus
 * 14 digits of UTC time and 5 characters of suffix. */
#define TJ_NAME_MAX 63
#define TJ_PREFIX_MAX (TJ_NAME_MAX - 19)
#define TJ_POLL_MS 30000L
#define TJ_STOP_TIMEOUT_MS (30L * 60 * 1000)

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "The training job name; also the import id."},
	{.name = "name", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED | CO_FORCE_NEW | CO_STABLE,
	    .description = "Training job name (1-63 letters, digits and "
			   "`-`). SageMaker never reuses a name, even after "
			   "the job ended; leave it unset (or set "
			   "`name_prefix`) so a replacement gets a new one."},
	{.name = "name_prefix", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_FORCE_NEW,
	    .description = "Prefix of a generated name (up to 44 "
			   "characters). Default `costops-train-` when "
			   "neither `name` nor `name_prefix` is set."},
	{.name = "image", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "Training image URI (ECR), "
			   "`AlgorithmSpecification.TrainingImage`."},
	{.name = "role_arn", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "IAM role SageMaker assumes to run the job."},
	{.name = "input_s3_uri", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "S3 prefix of the training data "
			   "(`s3://BUCKET/train`), the `train` channel."},
	{.name = "output_s3_uri", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "S3 prefix for the model artifacts "
			   "(`s3://BUCKET/output`)."},
	{.name = "instance_type", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "ML instance type (`ml.m5.large`)."},
	{.name = "instance_count", .type = "\"number\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED | CO_FORCE_NEW,
	    .default_json = "1", .has_min = true, .min = 1,
	    .description = "Number of instances. Default 1."},
	{.name = "volume_size_gb", .type = "\"number\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED | CO_FORCE_NEW,
	    .default_json = "30", .has_min = true, .min = 1, .has_max = true,
	    .max = 16384,
	    .description = "Size of each instance's ML storage volume in GB "
			   "(1-16384). Default 30."},
	{.name = "max_runtime_seconds", .type = "\"number\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW, .has_min = true, .min = 1,
	    .has_max = true, .max = TJ_MAX_RUNTIME,
	    .description = "Longest the job may train "
			   "(`StoppingCondition.MaxRuntimeInSeconds`, at most "
			   "28 days)."},
	{.name = "max_wait_seconds", .type = "\"number\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW, .has_min = true, .min = 1,
	    .description = "Longest the job may take including time spent "
			   "waiting for Spot capacity "
			   "(`MaxWaitTimeInSeconds`); at least "
			   "`max_runtime_seconds`. The margin is the time "
			   "allowed for interruptions."},
	{.name = "checkpoint_s3_uri", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_FORCE_NEW,
	    .description = "S3 prefix where the algorithm saves checkpoints "
			   "(`CheckpointConfig.S3Uri`); after a Spot "
			   "interruption the job resumes from the last one. "
			   "Without it an interruption restarts training."},
	{.name = "hyperparameters", .type = "[\"map\",\"string\"]",
	    .flags = CO_OPTIONAL | CO_FORCE_NEW,
	    .description = "Hyperparameters passed to the algorithm (up to "
			   "100)."},
	{.name = "tags", .type = "[\"map\",\"string\"]", .flags = CO_OPTIONAL,
	    .description = "Tags on the job, merged over the provider's "
			   "`default_tags`. The only argument changed in "
			   "place (AddTags/DeleteTags)."},
	{.name = "tags_all", .type = "[\"map\",\"string\"]",
	    .flags = CO_COMPUTED,
	    .description = "All tags on the job, `default_tags` included."},
	{.name = "wait_for_completion", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "false",
	    .description = "Wait until the job ends (`timeouts.create`, "
			   "default `max_wait_seconds` plus 10 minutes); a "
			   "failed job is then an apply error. Default false: "
			   "apply returns once the job is created and later "
			   "refreshes report its status."},
	{.name = "arn", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "ARN of the training job."},
	{.name = "status", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "`InProgress`, `Completed`, `Failed`, `Stopping` "
			   "or `Stopped`, as of the last refresh."},
	{.name = "failure_reason", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "Why the job failed, when it did."},
	{.name = "training_seconds", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "`TrainingTimeInSeconds`: time spent training; "
			   "null until the job has ended."},
	{.name = "billable_seconds", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "`BillableTimeInSeconds`: time billed per "
			   "instance; null until the job has ended."},
	{.name = "spot_savings_percent", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "Managed Spot savings as AWS defines them: "
			   "`(1 - billable_seconds / training_seconds) * 100`, "
			   "rounded to two decimals; null until known."},
	CO_ESTIMATE_ATTRS(
	    "What one run of the job costs on managed Spot: "
	    "`instance_count` x `instance_type` for `max_runtime_seconds` "
	    "(an upper bound: the job may finish sooner) at the catalog's "
	    "SageMaker training price less its Spot discount; once the job "
	    "has ended, less the discount AWS reported (1 - billable / "
	    "training seconds). Per job, not per month: multiply by the "
	    "runs a month. See docs/costs.md.",
	    "What managed Spot saves on one run against on-demand training.",
	    "One line: instance type and count, hours per job, price and "
	    "its date, and which Spot discount was used."),
	{0},
};

static const co_block_type_schema blocks[] = {
	CO_TIMEOUTS_BLOCK_TYPE,
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.blocks = blocks,
	.description = "A SageMaker training job on managed Spot capacity. "
		       "Any change but tags replaces it (a training job "
		       "cannot be changed); destroy stops it when it is still "
		       "running. Reports training and billable time and the "
		       "Spot savings.",
};

/* ---- helpers ------------------------------------------------------------ */

double co_spot_savings_percent(double training_seconds,
    double billable_seconds)
{
	if (!(training_seconds > 0) || billable_seconds < 0)
		return 0;
	/* DescribeTrainingJob, BillableTimeInSeconds: "You can calculate
	 * the savings from using managed spot training using the formula
	 * (1 - BillableTimeInSeconds / TrainingTimeInSeconds) * 100." */
	double pct = (1.0 - billable_seconds / training_seconds) * 100.0;
	return round(pct * 100.0) / 100.0;
}

/* TrainingJobName: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; a prefix may end in
 * '-' since a suffix follows. */
static bool job_name_ok(const char *s, bool prefix)
{
	size_t n = strlen(s);
	if (n == 0 || n > (prefix ? TJ_PREFIX_MAX : TJ_NAME_MAX))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (!alnum && (c != '-' || i == 0))
			return false;
	}
	return prefix || s[n - 1] != '-';
}

static bool s3_uri_ok(const char *s)
{
	return strncmp(s, "s3://", 5) == 0 && s[5] && s[5] != '/';
}

static int64_t int_attr(const co_value *obj, const char *name, int64_t dflt)
{
	int64_t v;
	return co_value_int(co_value_attr(obj, name), &v) ? v : dflt;
}

static const char *generated_name(co_ctx *ctx, const char *prefix)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Milliseconds and a few bits of the address keep two jobs made in
	 * the same second apart. */
	unsigned suffix = (unsigned)(ts.tv_nsec / 1000000) ^
			  (unsigned)(((uintptr_t)ctx >> 4) & 0xfff);
	return co_arena_sprintf(ctx->arena, "%s%s-%04x", prefix, stamp,
	    suffix & 0xffff);
}

static bool not_found(const co_aws_error *err)
{
	/* AWS answers ResourceNotFound; some SageMaker versions (and moto)
	 * answer ValidationException "Could not find training job". */
	return co_aws_error_is(err, "ResourceNotFound|ResourceNotFoundException") ||
	       (co_aws_error_is(err, "ValidationException|ValidationError") &&
		   (strstr(err->message, "not find") ||
		       strstr(err->message, "not found")));
}

/* DescribeTrainingJob: 0 with *job (new reference) or NULL when gone. */
static int tj_describe(co_ctx *ctx, const char *name, json_t **job)
{
	json_t *req = json_pack("{s:s}", "TrainingJobName", name);
	co_aws_error err = {0};
	*job = NULL;
	int rc = co_aws_json_call(ctx->provider->aws, "sagemaker",
	    "SageMaker.DescribeTrainingJob", req, job, &err);
	json_decref(req);
	if (rc < 0) {
		*job = NULL;
		if (not_found(&err))
			return 0;
		co_diag_aws(ctx, NULL,
		    co_arena_sprintf(ctx->arena,
			"Reading SageMaker training job %s failed", name),
		    &err);
		return -1;
	}
	return 0;
}

/* ListTags (all pages) as a map(string); NULL after a diagnostic. */
static co_value *tj_tags(co_ctx *ctx, const char *arn)
{
	co_value *m = co_value_collection(ctx->arena,
	    co_type_map(ctx->arena, &co_type_string));
	char *token = NULL;
	int pages = 0;
	do {
		json_t *req = json_pack("{s:s, s:i}", "ResourceArn", arn,
		    "MaxResults", 100);
		if (token) {
			json_object_set_new(req, "NextToken", json_string(token));
			free(token);
			token = NULL;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		int rc = co_aws_json_call(ctx->provider->aws, "sagemaker",
		    "SageMaker.ListTags", req, &resp, &err);
		json_decref(req);
		if (rc < 0) {
			co_diag_aws(ctx, NULL,
			    "Listing the training job's tags failed", &err);
			return NULL;
		}
		size_t i;
		json_t *t;
		json_array_foreach(json_object_get(resp, "Tags"), i, t)
		{
			const char *k = json_string_value(json_object_get(t, "Key"));
			const char *v =
			    json_string_value(json_object_get(t, "Value"));
			if (k)
				co_value_map_put(ctx->arena, m, k,
				    co_value_string(ctx->arena, v ? v : ""));
		}
		const char *next =
		    json_string_value(json_object_get(resp, "NextToken"));
		if (next && *next && ++pages < 100)
			token = strdup(next);
		json_decref(resp);
	} while (token);
	return m;
}

static bool is_default_tag(const co_ctx *ctx, const char *key,
    const char *value)
{
	for (size_t i = 0; ctx->provider && i < ctx->provider->n_default_tags;
	     i++)
		if (strcmp(ctx->provider->default_tags[i].key, key) == 0)
			return strcmp(ctx->provider->default_tags[i].value,
				   value) == 0;
	return false;
}

static co_value *num_or_null(co_ctx *ctx, json_t *v)
{
	if (json_is_number(v))
		return co_value_number(ctx->arena, json_number_value(v));
	return co_value_null(ctx->arena, &co_type_number);
}

/* The per-job estimate of v (planned or state). Left as it is when an
 * input is unknown. */
static void tj_estimate(co_ctx *ctx, co_value *v)
{
	const co_value *type_v = co_value_attr(v, "instance_type");
	const co_value *count_v = co_value_attr(v, "instance_count");
	const co_value *rt_v = co_value_attr(v, "max_runtime_seconds");
	if (!type_v || type_v->is_unknown || !count_v || count_v->is_unknown ||
	    !rt_v || rt_v->is_unknown)
		return;
	const char *type = co_value_str(type_v);
	double count = 1, runtime = 0, training = 0, billable = 0;
	co_value_num(count_v, &count);
	if (!type || !co_value_num(rt_v, &runtime)) {
		co_estimate_set_none(ctx, v, "no instance type or runtime");
		return;
	}
	bool ran = co_value_num(co_value_attr(v, "training_seconds"),
		       &training) &&
		   co_value_num(co_value_attr(v, "billable_seconds"),
		       &billable) &&
		   training > 0;
	double hours = runtime / 3600.0;
	co_cost_compute in = {.service = "sagemaker-training",
	    .region = co_estimate_region(ctx),
	    .instance_type = type,
	    .count = count,
	    .hours_before = hours,
	    .hours_after = hours,
	    .spot_after = true};
	co_cost_line l;
	if (co_cost_compute_line(&l, &in) < 0) {
		co_estimate_set_none(ctx, v, l.basis);
		return;
	}
	const char *how = "catalog Spot discount";
	if (ran) {
		/* What AWS billed: billable of training seconds per
		 * instance (DescribeTrainingJob). */
		double ratio = billable / training;
		if (ratio > 1)
			ratio = 1;
		l.after_usd = l.before_usd * ratio;
		how = co_arena_sprintf(ctx->arena,
		    "realised Spot discount %.1f %% (1 - %g billable / %g "
		    "training seconds)",
		    (1 - ratio) * 100.0, billable, training);
	}
	co_estimate_set(ctx, v, l.after_usd, l.before_usd - l.after_usd,
	    co_arena_sprintf(ctx->arena,
		"per job, not per month: %s; %s; hours = max_runtime_seconds "
		"/ 3600 (an upper bound)",
		l.basis, how));
}

/* The state from DescribeTrainingJob (and the tags when all is given). */
static co_value *tj_state(co_ctx *ctx, const co_value *base, json_t *job,
    const co_value *all)
{
	co_arena *a = ctx->arena;
	co_value *s = co_value_copy(a, base);
	const char *name = json_string_value(json_object_get(job, "TrainingJobName"));
	const char *arn = json_string_value(json_object_get(job, "TrainingJobArn"));
	const char *status =
	    json_string_value(json_object_get(job, "TrainingJobStatus"));
	const char *reason = json_string_value(json_object_get(job, "FailureReason"));
	if (name) {
		co_value_set_attr(s, "name", co_value_string(a, name));
		co_value_set_attr(s, "id", co_value_string(a, name));
	}
	co_value_set_attr(s, "arn", co_value_string(a, arn ? arn : ""));
	co_value_set_attr(s, "status", co_value_string(a, status ? status : ""));
	co_value_set_attr(s, "failure_reason",
	    reason ? co_value_string(a, reason) : co_value_null(a, &co_type_string));
	json_t *tt = json_object_get(job, "TrainingTimeInSeconds");
	json_t *bt = json_object_get(job, "BillableTimeInSeconds");
	co_value_set_attr(s, "training_seconds", num_or_null(ctx, tt));
	co_value_set_attr(s, "billable_seconds", num_or_null(ctx, bt));
	if (json_is_number(tt) && json_is_number(bt) &&
	    json_number_value(tt) > 0)
		co_value_set_attr(s, "spot_savings_percent",
		    co_value_number(a,
			co_spot_savings_percent(json_number_value(tt),
			    json_number_value(bt))));
	else
		co_value_set_attr(s, "spot_savings_percent",
		    co_value_null(a, &co_type_number));
	if (!co_value_is_set(co_value_attr(s, "wait_for_completion")))
		co_value_set_attr(s, "wait_for_completion", co_value_bool(a, false));

	/* What the job was made with, for import and to show drift should
	 * the job ever be replaced behind Terraform's back. */
	json_t *spec = json_object_get(job, "AlgorithmSpecification");
	json_t *rc = json_object_get(job, "ResourceConfig");
	json_t *sc = json_object_get(job, "StoppingCondition");
	const char *image = json_string_value(json_object_get(spec, "TrainingImage"));
	const char *role = json_string_value(json_object_get(job, "RoleArn"));
	const char *out = json_string_value(json_object_get(
	    json_object_get(job, "OutputDataConfig"), "S3OutputPath"));
	const char *itype = json_string_value(json_object_get(rc, "InstanceType"));
	const char *ckpt = json_string_value(json_object_get(
	    json_object_get(job, "CheckpointConfig"), "S3Uri"));
	if (image)
		co_value_set_attr(s, "image", co_value_string(a, image));
	if (role)
		co_value_set_attr(s, "role_arn", co_value_string(a, role));
	if (out)
		co_value_set_attr(s, "output_s3_uri", co_value_string(a, out));
	if (itype)
		co_value_set_attr(s, "instance_type", co_value_string(a, itype));
	if (ckpt)
		co_value_set_attr(s, "checkpoint_s3_uri", co_value_string(a, ckpt));
	size_t i;
	json_t *ch;
	json_array_foreach(json_object_get(job, "InputDataConfig"), i, ch)
	{
		const char *uri = json_string_value(json_object_get(
		    json_object_get(json_object_get(ch, "DataSource"),
			"S3DataSource"),
		    "S3Uri"));
		if (uri) {
			co_value_set_attr(s, "input_s3_uri", co_value_string(a, uri));
			break;
		}
	}
	json_t *v;
	if (json_is_integer(v = json_object_get(rc, "InstanceCount")))
		co_value_set_attr(s, "instance_count",
		    co_value_number(a, (double)json_integer_value(v)));
	if (json_is_integer(v = json_object_get(rc, "VolumeSizeInGB")))
		co_value_set_attr(s, "volume_size_gb",
		    co_value_number(a, (double)json_integer_value(v)));
	if (json_is_integer(v = json_object_get(sc, "MaxRuntimeInSeconds")))
		co_value_set_attr(s, "max_runtime_seconds",
		    co_value_number(a, (double)json_integer_value(v)));
	if (json_is_integer(v = json_object_get(sc, "MaxWaitTimeInSeconds")))
		co_value_set_attr(s, "max_wait_seconds",
		    co_value_number(a, (double)json_integer_value(v)));
	json_t *hp = json_object_get(job, "HyperParameters");
	if (json_object_size(hp)) {
		co_value *m = co_value_collection(a, co_type_map(a, &co_type_string));
		const char *k;
		json_object_foreach(hp, k, v)
		    if (json_is_string(v)) co_value_map_put(a, m, k,
			co_value_string(a, json_string_value(v)));
		co_value_set_attr(s, "hyperparameters", m);
	}
	tj_estimate(ctx, s);

	if (all) {
		const co_value *cfg = co_value_attr(base, "tags");
		co_value *own = co_value_collection(a, co_type_map(a, &co_type_string));
		for (size_t j = 0; j < all->count; j++)
			if (co_value_map_get(cfg, all->keys[j]) ||
			    !is_default_tag(ctx, all->keys[j],
				co_value_str(all->items[j])))
				co_value_map_put(a, own, all->keys[j],
				    all->items[j]);
		co_value_set_attr(s, "tags_all", (co_value *)all);
		co_value_set_attr(s, "tags",
		    own->count || co_value_is_set(cfg)
			? own
			: co_value_null(a, co_type_map(a, &co_type_string)));
	}
	return s;
}

struct tj_wait {
	const char *name;
	const char *target; /* "Completed" or "Stopped" */
	json_t *last;       /* owned */
};

static int tj_poll(co_ctx *ctx, co_wait_state *state, const char **status,
    void *payload)
{
	struct tj_wait *w = payload;
	json_t *job = NULL;
	if (tj_describe(ctx, w->name, &job) < 0)
		return -1;
	json_decref(w->last);
	w->last = job;
	if (!job) {
		*state = CO_WAIT_GONE;
		*status = "gone";
		return 0;
	}
	const char *s = json_string_value(json_object_get(job, "TrainingJobStatus"));
	const char *sec =
	    json_string_value(json_object_get(job, "SecondaryStatus"));
	*status = co_arena_sprintf(ctx->arena, "%s%s%s%s", s ? s : "unknown",
	    sec ? " (" : "", sec ? sec : "", sec ? ")" : "");
	if (!s || strcmp(s, "InProgress") == 0 || strcmp(s, "Stopping") == 0) {
		*state = CO_WAIT_PENDING;
	} else if (strcmp(s, w->target) == 0) {
		*state = CO_WAIT_DONE;
	} else if (strcmp(w->target, "Stopped") == 0) {
		*state = CO_WAIT_DONE; /* ended on its own meanwhile */
	} else {
		const char *reason =
		    json_string_value(json_object_get(job, "FailureReason"));
		co_diag_error(ctx->diags, NULL, "Training job did not complete",
		    "Training job %s ended %s: %s. On Spot, \"Training job "
		    "exceeded MaxWaitTimeInSeconds\" means capacity was short: "
		    "raise max_wait_seconds or add checkpoints.",
		    w->name, s, reason ? reason : "no reason given");
		*state = CO_WAIT_FAILED;
	}
	return 0;
}

static int tj_wait_for(co_ctx *ctx, struct tj_wait *w, const char *op,
    long dflt_ms)
{
	co_waiter waiter = {
	    .what = co_arena_sprintf(ctx->arena, "training job %s to be %s",
		w->name, w->target),
	    .timeout_attr = co_arena_sprintf(ctx->arena, "timeouts.%s", op),
	    .timeout_ms = co_ctx_timeout_ms(ctx, op, dflt_ms),
	    .interval_ms = TJ_POLL_MS,
	    .log_every = 4,
	    .poll = tj_poll,
	    .payload = w,
	};
	return co_wait(ctx, &waiter, NULL, NULL);
}

/* ---- the resource -------------------------------------------------------- */

static void tj_validate(co_ctx *ctx, const co_value *config)
{
	const co_value *name = co_value_attr(config, "name");
	const co_value *prefix = co_value_attr(config, "name_prefix");
	if (co_value_is_set(name) && co_value_is_set(prefix)) {
		co_path p = co_path_attr("name_prefix");
		co_diag_error(ctx->diags, &p, "Conflicting arguments",
		    "Set name or name_prefix, not both.");
	}
	if (co_value_is_set(name) && !job_name_ok(name->str, false)) {
		co_path p = co_path_attr("name");
		co_diag_error(ctx->diags, &p, "Invalid training job name",
		    "\"%s\" is not a training job name: 1-63 letters, digits "
		    "and '-', starting and ending with a letter or digit.",
		    name->str);
	}
	if (co_value_is_set(prefix) && !job_name_ok(prefix->str, true)) {
		co_path p = co_path_attr("name_prefix");
		co_diag_error(ctx->diags, &p, "Invalid name prefix",
		    "\"%s\" must be 1-%d letters, digits and '-', starting "
		    "with a letter or digit (a 19-character suffix is added).",
		    prefix->str, TJ_PREFIX_MAX);
	}
	const char *const uris[] = {"input_s3_uri", "output_s3_uri",
	    "checkpoint_s3_uri"};
	for (size_t i = 0; i < 3; i++) {
		const char *u = co_value_str(co_value_attr(config, uris[i]));
		if (u && !s3_uri_ok(u)) {
			co_path p = co_path_attr(uris[i]);
			co_diag_error(ctx->diags, &p, "Not an S3 URI",
			    "\"%s\" is not an S3 location; write "
			    "s3://<bucket>/<prefix>.",
			    u);
		}
	}
	const char *role = co_value_str(co_value_attr(config, "role_arn"));
	if (role && (strncmp(role, "arn:", 4) != 0 || !strstr(role, ":role/"))) {
		co_path p = co_path_attr("role_arn");
		co_diag_error(ctx->diags, &p, "Not an IAM role ARN",
		    "\"%s\" is not an IAM role ARN "
		    "(arn:aws:iam::<account>:role/<name>).",
		    role);
	}
	const char *itype = co_value_str(co_value_attr(config, "instance_type"));
	if (itype && strncmp(itype, "ml.", 3) != 0) {
		co_path p = co_path_attr("instance_type");
		co_diag_error(ctx->diags, &p, "Not a SageMaker instance type",
		    "SageMaker instance types start with \"ml.\" (e.g. "
		    "\"ml.m5.large\"); got \"%s\".",
		    itype);
	}
	const char *image = co_value_str(co_value_attr(config, "image"));
	if (image && !*image) {
		co_path p = co_path_attr("image");
		co_diag_error(ctx->diags, &p, "Empty image",
		    "Set the training image URI, e.g. "
		    "<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>.");
	}

	const char *const whole[] = {"instance_count", "volume_size_gb",
	    "max_runtime_seconds", "max_wait_seconds"};
	double d;
	for (size_t i = 0; i < 4; i++)
		if (co_value_num(co_value_attr(config, whole[i]), &d) &&
		    d != floor(d)) {
			co_path p = co_path_attr(whole[i]);
			co_diag_error(ctx->diags, &p, "Not a whole number",
			    "%s must be a whole number; got %g.", whole[i], d);
		}

	/* StoppingCondition: with managed Spot, MaxWaitTimeInSeconds must
	 * be at least MaxRuntimeInSeconds (CreateTrainingJob rejects it
	 * otherwise). */
	double rt, wt;
	if (co_value_num(co_value_attr(config, "max_runtime_seconds"), &rt) &&
	    co_value_num(co_value_attr(config, "max_wait_seconds"), &wt) &&
	    wt < rt) {
		co_path p = co_path_attr("max_wait_seconds");
		co_diag_error(ctx->diags, &p,
		    "max_wait_seconds below max_runtime_seconds",
		    "max_wait_seconds (%g) must be at least "
		    "max_runtime_seconds (%g): it counts the training time "
		    "plus the time spent waiting for Spot capacity. The seed "
		    "uses 3600 and 3900 (five minutes of margin).",
		    wt, rt);
	}

	const co_value *ckpt = co_value_attr(config, "checkpoint_s3_uri");
	if (ckpt && ckpt->is_null) {
		co_path p = co_path_attr("checkpoint_s3_uri");
		co_diag_warn(ctx->diags, &p, "No checkpoint location",
		    "Without checkpoint_s3_uri, a Spot interruption restarts "
		    "the training job from the beginning: the work done so "
		    "far is lost, its billable time grows by the time "
		    "already spent, and the job fails if it cannot finish "
		    "within max_wait_seconds. Set checkpoint_s3_uri (e.g. "
		    "s3://BUCKET/checkpoints) and let the training script "
		    "save to /opt/ml/checkpoints.");
	}

	const co_value *hp = co_value_attr(config, "hyperparameters");
	if (co_value_is_set(hp)) {
		co_path hpp = co_path_attr("hyperparameters");
		if (hp->count > TJ_MAX_HYPERPARAMETERS)
			co_diag_error(ctx->diags, &hpp,
			    "Too many hyperparameters",
			    "SageMaker takes at most %d; got %zu.",
			    TJ_MAX_HYPERPARAMETERS, hp->count);
		for (size_t i = 0; i < hp->count; i++) {
			const co_value *v = hp->items[i];
			if (strlen(hp->keys[i]) > 256 ||
			    (co_value_is_set(v) && v->str_len > 2500)) {
				co_path p = co_path_push_key(hpp, hp->keys[i]);
				co_diag_error(ctx->diags, &p,
				    "Hyperparameter too long",
				    "Keys have at most 256 and values at "
				    "most 2500 characters.");
			}
		}
	}
}

static void tj_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying)
		return;
	co_value *planned = plan->planned;
	const co_value *tags = co_value_attr(planned, "tags");
	if (!tags || !co_value_has_unknown(tags))
		co_value_set_attr(planned, "tags_all", co_merged_tags(ctx, tags));
	const co_value *cfg_name = co_value_attr(plan->config, "name");
	/* A replacement needs a new name: SageMaker keeps every name. */
	if (plan->n_replace && (!cfg_name || cfg_name->is_null)) {
		co_value_set_attr(planned, "name",
		    co_value_unknown(ctx->arena, &co_type_string));
		co_value_set_attr(planned, "id",
		    co_value_unknown(ctx->arena, &co_type_string));
		co_value_set_attr(planned, "arn",
		    co_value_unknown(ctx->arena, &co_type_string));
	}
	if (plan->creating && co_value_is_set(cfg_name)) {
		co_value_set_attr(planned, "id", (co_value *)cfg_name);
	}
	/* Only tags and wait_for_completion change in place, neither of
	 * which moves the estimate: keep the refreshed one (which may hold
	 * the realised discount). */
	if (!plan->creating && !plan->n_replace)
		co_estimate_copy(planned, plan->prior);
	else if (co_estimate_wanted(plan))
		tj_estimate(ctx, planned);
}

static json_t *tj_create_body(co_ctx *ctx, const co_value *p, const char *name)
{
	json_t *body = json_object();
	json_object_set_new(body, "TrainingJobName", json_string(name));
	json_object_set_new(body, "AlgorithmSpecification",
	    json_pack("{s:s, s:s}", "TrainingImage",
		co_value_str(co_value_attr(p, "image")), "TrainingInputMode",
		"File"));
	json_object_set_new(body, "RoleArn",
	    json_string(co_value_str(co_value_attr(p, "role_arn"))));
	json_object_set_new(body, "InputDataConfig",
	    json_pack("[{s:s, s:{s:{s:s, s:s, s:s}}}]", "ChannelName", "train",
		"DataSource", "S3DataSource", "S3DataType", "S3Prefix", "S3Uri",
		co_value_str(co_value_attr(p, "input_s3_uri")),
		"S3DataDistributionType", "FullyReplicated"));
	json_object_set_new(body, "OutputDataConfig",
	    json_pack("{s:s}", "S3OutputPath",
		co_value_str(co_value_attr(p, "output_s3_uri"))));
	json_object_set_new(body, "ResourceConfig",
	    json_pack("{s:s, s:I, s:I}", "InstanceType",
		co_value_str(co_value_attr(p, "instance_type")), "InstanceCount",
		(json_int_t)int_attr(p, "instance_count", 1), "VolumeSizeInGB",
		(json_int_t)int_attr(p, "volume_size_gb", 30)));
	json_object_set_new(body, "StoppingCondition",
	    json_pack("{s:I, s:I}", "MaxRuntimeInSeconds",
		(json_int_t)int_attr(p, "max_runtime_seconds", 3600),
		"MaxWaitTimeInSeconds",
		(json_int_t)int_attr(p, "max_wait_seconds", 3600)));
	json_object_set_new(body, "EnableManagedSpotTraining", json_true());
	const char *ckpt = co_value_str(co_value_attr(p, "checkpoint_s3_uri"));
	if (ckpt)
		json_object_set_new(body, "CheckpointConfig",
		    json_pack("{s:s}", "S3Uri", ckpt));
	const co_value *hp = co_value_attr(p, "hyperparameters");
	if (co_value_is_set(hp) && hp->count) {
		json_t *o = json_object();
		for (size_t i = 0; i < hp->count; i++)
			if (co_value_str(hp->items[i]))
				json_object_set_new(o, hp->keys[i],
				    json_string(hp->items[i]->str));
		json_object_set_new(body, "HyperParameters", o);
	}
	co_value *all = co_merged_tags(ctx, co_value_attr(p, "tags"));
	if (all->count) {
		json_t *arr = json_array();
		for (size_t i = 0; i < all->count; i++)
			json_array_append_new(arr,
			    json_pack("{s:s, s:s}", "Key", all->keys[i], "Value",
				co_value_str(all->items[i])));
		json_object_set_new(body, "Tags", arr);
	}
	return body;
}

static int tj_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	int rc = -1;
	const char *name = co_value_str(co_value_attr(planned, "name"));
	if (!name) {
		const char *prefix =
		    co_value_str(co_value_attr(planned, "name_prefix"));
		name = generated_name(ctx, prefix ? prefix : "costops-train-");
	}
	json_t *body = tj_create_body(ctx, planned, name), *resp = NULL;
	co_aws_error err = {0};
	struct tj_wait w = {.name = name, .target = "Completed"};
	if (co_aws_json_call(ctx->provider->aws, "sagemaker",
		"SageMaker.CreateTrainingJob", body, &resp, &err) < 0) {
		co_diag_aws(ctx, NULL,
		    co_arena_sprintf(ctx->arena,
			"Creating SageMaker training job %s failed", name),
		    &err);
		goto done;
	}
	co_info("spot_training_job: created %s (%s, managed Spot)", name,
	    co_value_str(co_value_attr(planned, "instance_type")));
	/* The job exists from here: every path returns a state. */
	if (co_value_bool_or(co_value_attr(planned, "wait_for_completion"),
		false)) {
		long dflt = (int_attr(planned, "max_wait_seconds", 3600) + 600) *
			    1000L;
		rc = tj_wait_for(ctx, &w, "create", dflt);
	} else {
		rc = tj_describe(ctx, name, &w.last);
	}
	const char *arn = json_string_value(json_object_get(resp, "TrainingJobArn"));
	co_value *tags = co_merged_tags(ctx, co_value_attr(planned, "tags"));
	if (w.last) {
		*state = tj_state(ctx, planned, w.last, tags);
	} else {
		/* Not readable right after creation: record what is known
		 * so the job is not orphaned. */
		co_value *s = co_value_copy(ctx->arena, planned);
		co_value_set_attr(s, "name", co_value_string(ctx->arena, name));
		co_value_set_attr(s, "id", co_value_string(ctx->arena, name));
		co_value_set_attr(s, "arn",
		    co_value_string(ctx->arena, arn ? arn : ""));
		co_value_set_attr(s, "status", co_value_string(ctx->arena, ""));
		co_value_set_attr(s, "tags_all", tags);
		if (!co_estimate_known(s))
			tj_estimate(ctx, s);
		*state = s;
		if (rc == 0) {
			co_diag_error(ctx->diags, NULL,
			    "Training job not found after creation",
			    "SageMaker accepted %s but DescribeTrainingJob "
			    "does not find it; run apply again.",
			    name);
			rc = -1;
		}
	}
done:
	json_decref(w.last);
	json_decref(body);
	json_decref(resp);
	return rc;
}

static int tj_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	const char *name = co_value_str(co_value_attr(state, "name"));
	if (!name)
		name = co_value_str(co_value_attr(state, "id"));
	if (!name) {
		co_diag_error(ctx->diags, NULL, "Invalid state",
		    "The state has no training job name; remove it from the "
		    "state and import the job again.");
		return -1;
	}
	json_t *job = NULL;
	if (tj_describe(ctx, name, &job) < 0)
		return -1;
	if (!job) {
		co_info("spot_training_job: %s no longer exists", name);
		*out = NULL;
		return 0;
	}
	int rc = -1;
	const char *arn = json_string_value(json_object_get(job, "TrainingJobArn"));
	co_value *tags = arn ? tj_tags(ctx, arn) : NULL;
	if (arn && !tags)
		goto done;
	*out = tj_state(ctx, state, job, tags);
	rc = 0;
done:
	json_decref(job);
	return rc;
}

/* Tags are the one thing a training job lets change (AddTags and
 * DeleteTags); wait_for_completion only affects the provider. */
static int tj_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	int rc = -1;
	const char *arn = co_value_str(co_value_attr(prior, "arn"));
	const char *name = co_value_str(co_value_attr(prior, "name"));
	const co_value *want = co_value_attr(planned, "tags_all");
	const co_value *have = co_value_attr(prior, "tags_all");
	co_aws_error err = {0};
	json_t *resp = NULL, *job = NULL;
	json_t *add = json_array(), *del = json_array();
	for (size_t i = 0; co_value_is_set(want) && i < want->count; i++) {
		const co_value *old = co_value_map_get(have, want->keys[i]);
		if (!old || !co_value_equal(old, want->items[i]))
			json_array_append_new(add,
			    json_pack("{s:s, s:s}", "Key", want->keys[i],
				"Value", co_value_str(want->items[i])));
	}
	for (size_t i = 0; co_value_is_set(have) && i < have->count; i++)
		if (!co_value_map_get(want, have->keys[i]))
			json_array_append_new(del, json_string(have->keys[i]));
	co_path tp = co_path_attr("tags");
	if (arn && json_array_size(del)) {
		json_t *req = json_pack("{s:s, s:O}", "ResourceArn", arn,
		    "TagKeys", del);
		int r = co_aws_json_call(ctx->provider->aws, "sagemaker",
		    "SageMaker.DeleteTags", req, &resp, &err);
		json_decref(req);
		json_decref(resp);
		resp = NULL;
		if (r < 0) {
			co_diag_aws(ctx, &tp, "Removing tags failed", &err);
			goto done;
		}
	}
	if (arn && json_array_size(add)) {
		json_t *req = json_pack("{s:s, s:O}", "ResourceArn", arn, "Tags",
		    add);
		int r = co_aws_json_call(ctx->provider->aws, "sagemaker",
		    "SageMaker.AddTags", req, &resp, &err);
		json_decref(req);
		if (r < 0) {
			co_diag_aws(ctx, &tp, "Adding tags failed", &err);
			goto done;
		}
	}
	rc = 0;
done:
	if (name && tj_describe(ctx, name, &job) == 0 && job) {
		co_value *tags = arn ? tj_tags(ctx, arn) : NULL;
		*state = tj_state(ctx, rc == 0 ? planned : prior, job, tags);
	}
	json_decref(job);
	json_decref(resp);
	json_decref(add);
	json_decref(del);
	return rc;
}

/* A training job cannot be deleted; SageMaker keeps its record. Destroy
 * stops one that still runs (StopTrainingJob) so it stops billing, and
 * waits for Stopped. */
static int tj_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	int rc = -1;
	const char *name = co_value_str(co_value_attr(state, "name"));
	json_t *job = NULL, *req = NULL, *resp = NULL;
	struct tj_wait w = {.name = name, .target = "Stopped"};
	co_aws_error err = {0};
	if (!name || tj_describe(ctx, name, &job) < 0)
		goto done;
	const char *status =
	    json_string_value(json_object_get(job, "TrainingJobStatus"));
	if (!job || !status ||
	    (strcmp(status, "InProgress") != 0 && strcmp(status, "Stopping") != 0)) {
		co_info("spot_training_job: %s is %s; nothing to stop", name,
		    status ? status : "gone");
		rc = 0;
		goto done;
	}
	if (strcmp(status, "InProgress") == 0) {
		req = json_pack("{s:s}", "TrainingJobName", name);
		if (co_aws_json_call(ctx->provider->aws, "sagemaker",
			"SageMaker.StopTrainingJob", req, &resp, &err) < 0 &&
		    !not_found(&err)) {
			/* It may have ended between the two calls. */
			if (!co_aws_error_is(&err, "ValidationException")) {
				co_diag_aws(ctx, NULL,
				    co_arena_sprintf(ctx->arena,
					"Stopping training job %s failed",
					name),
				    &err);
				goto done;
			}
		}
		co_info("spot_training_job: stopping %s", name);
	}
	rc = tj_wait_for(ctx, &w, "delete", TJ_STOP_TIMEOUT_MS);
done:
	if (rc < 0)
		*remaining = (co_value *)state;
	json_decref(w.last);
	json_decref(job);
	json_decref(req);
	json_decref(resp);
	return rc;
}

static int tj_import(co_ctx *ctx, const char *id, co_value **state)
{
	if (!job_name_ok(id, false)) {
		co_diag_error(ctx->diags, NULL, "Invalid import id",
		    "Expected a training job name (1-63 letters, digits and "
		    "'-'); got \"%s\".",
		    id);
		return -1;
	}
	co_value *s = co_schema_empty(ctx->arena, &schema);
	co_value_set_attr(s, "name", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "id", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "wait_for_completion",
	    co_value_bool(ctx->arena, false));
	*state = s;
	return 0;
}

const co_resource co_spot_training_job_resource = {
	.type_name = "costops_spot_training_job",
	.schema = &schema,
	.validate = tj_validate,
	.plan = tj_plan,
	.create = tj_create,
	.read = tj_read,
	.update = tj_update,
	.del = tj_delete,
	.import = tj_import,
};
