/* costops_schedule: off-hours stop and start of EKS node groups and
 * SageMaker endpoints, run inside AWS by EventBridge Scheduler universal
 * targets (no Lambda). One schedule group per resource; in it one stop and
 * one start schedule per target, start schedules split around holidays.
 *
 * Contract with other resources (costops_budget_guard's on_breach): every
 * schedule in the group whose name starts with "stop" is a complete stop
 * request for one target (Target.Arn, Target.Input, Target.RoleArn), safe to
 * replay at any time. See docs/resources/schedule.md. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "provider/framework/resource.h"
#include "provider/util/cron.h"
#include "provider/util/log.h"
#include "provider/util/offhours.h"
#include "provider/util/tz.h"
#include "resources/estimate.h"

#define MAX_TARGETS 50
#define MAX_HOLIDAYS 100
/* Scheduler's retry policy for every target: a stop or start that cannot
 * run within an hour is stale (the next one is due hours later). */
#define RETRY_ATTEMPTS 3
#define RETRY_MAX_AGE 3600

static const char *const override_values[] = {"scheduled", "stopped",
    "running", NULL};

static const co_attr_schema ng_attrs[] = {
	{.name = "cluster_name", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "EKS cluster of the node group."},
	{.name = "name", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Managed node group name."},
	{.name = "min_size", .type = "\"number\"", .flags = CO_REQUIRED,
	    .description = "Minimum size while running, restored at each "
			   "start (the stop sets it to 0). At most "
			   "`desired_size`."},
	{.name = "desired_size", .type = "\"number\"", .flags = CO_REQUIRED,
	    .description = "Desired size while running, restored at each "
			   "start (the stop sets it to 0). At least 1 and at "
			   "most the node group's `maxSize`, which the schedule "
			   "never changes."},
	{0},
};

static const co_block_schema ng_block = {
	.attrs = ng_attrs,
	.description = "An EKS managed node group: stopped by scaling min and "
		       "desired to 0, started by restoring these sizes.",
};

static const co_attr_schema ep_attrs[] = {
	{.name = "name", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "SageMaker endpoint name."},
	{.name = "endpoint_config_name", .type = "\"string\"",
	    .flags = CO_REQUIRED,
	    .description = "Endpoint configuration the endpoint is created "
			   "from at each start. It must exist (it is kept "
			   "while the endpoint is deleted at night)."},
	{0},
};

static const co_block_schema ep_block = {
	.attrs = ep_attrs,
	.description = "A SageMaker real-time endpoint: an endpoint cannot be "
		       "stopped, so the stop deletes it and the start creates "
		       "it again from its endpoint configuration.",
};

static const co_block_type_schema blocks[] = {
	{.name = "node_group", .nesting = CO_NEST_LIST, .block = &ng_block},
	{.name = "sagemaker_endpoint", .nesting = CO_NEST_LIST,
	    .block = &ep_block},
	{0},
};

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "The schedule group name (= `name`); also the "
			   "import id."},
	{.name = "name", .type = "\"string\"", .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "Name of the EventBridge Scheduler schedule group "
			   "the resource owns (1-64 of `A-Za-z0-9-_.`)."},
	{.name = "timezone", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "\"UTC\"",
	    .description = "IANA time zone the times are in, e.g. "
			   "`Europe/Berlin`; daylight saving is followed."},
	{.name = "stop_cron", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "When to stop, as an EventBridge cron expression, "
			   "e.g. `cron(0 19 * * ? *)`. Or use `stop_at`."},
	{.name = "start_cron", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "When to start, as an EventBridge cron expression, "
			   "e.g. `cron(0 7 ? * MON-FRI *)`. Or use `start_at`."},
	{.name = "stop_at", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "When to stop, as `HH:MM` on `days`. Or use "
			   "`stop_cron`."},
	{.name = "start_at", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "When to start, as `HH:MM` on `days`. Or use "
			   "`start_cron`."},
	{.name = "days", .type = "[\"list\",\"string\"]", .flags = CO_OPTIONAL,
	    .description = "Days for `stop_at`/`start_at`: `SUN`..`SAT` or "
			   "ranges such as `MON-FRI`. Default: every day."},
	{.name = "holidays", .type = "[\"list\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Dates (`YYYY-MM-DD`, in `timezone`) on which the "
			   "targets stay stopped all day: no start fires on "
			   "them, and if the targets would be running at the "
			   "holiday's midnight a one-time stop fires then."},
	{.name = "override", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "\"scheduled\"",
	    .one_of = override_values,
	    .description = "`scheduled` (default): the schedules run. "
			   "`stopped` or `running`: the apply stops or starts "
			   "the targets at once and disables the schedules "
			   "until this is set back to `scheduled`."},
	{.name = "role_arn", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "IAM role Scheduler assumes to call EKS and "
			   "SageMaker. Default: the resource creates "
			   "`costops-sched-<name>` with a least-privilege "
			   "inline policy for exactly these targets."},
	{.name = "next_stop", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "Next stop (RFC 3339 with the zone's offset); null "
			   "while `override` is set."},
	{.name = "next_start", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "Next start that is not on a holiday (RFC 3339 with "
			   "the zone's offset); null while `override` is set."},
	{.name = "running_hours_per_week", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "Hours the targets run in the 7 local days from "
			   "now, holidays aside (168 or 0 under an override)."},
	{.name = "stop_expression", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The stop schedule expression sent to Scheduler."},
	{.name = "start_expression", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The start schedule expression sent to Scheduler."},
	{.name = "schedule_arns", .type = "[\"map\",\"string\"]",
	    .flags = CO_COMPUTED,
	    .description = "Every schedule of the group by name (`stop-ng-0`, "
			   "`start-ep-0-20261225`, ...) and its ARN."},
	{.name = "group_arn", .type = "\"string\"",
	    .flags = CO_COMPUTED | CO_STABLE,
	    .description = "ARN of the schedule group."},
	{.name = "role_arn_effective", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The role the schedules use: `role_arn`, or the "
			   "one the resource created."},
	{.name = "drift", .type = "[\"list\",\"string\"]", .flags = CO_COMPUTED,
	    .description = "Out-of-band changes found by the last refresh "
			   "(a schedule edited or deleted, an unknown schedule "
			   "in the group, the role deleted); the next apply "
			   "puts them back and empties this list."},
	CO_ESTIMATE_ATTRS(
	    "What the targets cost a month under the schedule: each node "
	    "group's running size (`desired_size`) of its instance type "
	    "(DescribeNodegroup; Spot price when the group is on Spot) and "
	    "each endpoint's instances (DescribeEndpointConfig, first "
	    "production variant) for the hours the schedule leaves on. "
	    "Those hours come from the schedule's own calendar over the next "
	    "30 local days (time zone, DST and holidays counted), scaled to "
	    "a 730-hour month. Unknown in a plan whose targets do not exist "
	    "yet (created in the same apply). See docs/costs.md.",
	    "What the hours off save a month: the same targets running all "
	    "730 hours minus `estimated_monthly_usd`.",
	    "One line: the running share of the month, and per target the "
	    "instance type, count and price source."),
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.blocks = blocks,
	.description = "Off-hours stop and start of EKS node groups and "
		       "SageMaker endpoints, run inside AWS by EventBridge "
		       "Scheduler (universal targets, no Lambda), with a time "
		       "zone, holidays and a manual override.",
};

/* ---- configuration --------------------------------------------------------------- */

typedef struct ng_target {
	const char *cluster, *name;
	int64_t min, desired;
} ng_target;

typedef struct ep_target {
	const char *name, *config;
} ep_target;

typedef struct sched_cfg {
	const char *name, *tz_name, *override, *role_arn;
	const char *stop_expr, *start_expr;
	bool stop_is_at, start_is_at;
	int64_t holidays[MAX_HOLIDAYS];
	size_t n_holidays;
	ng_target ng[MAX_TARGETS];
	size_t n_ng;
	ep_target ep[MAX_TARGETS];
	size_t n_ep;
	co_tz *tz;
	co_offhours oh;
} sched_cfg;

static void cfg_free(sched_cfg *c)
{
	if (c)
		co_tz_free(c->tz);
}

/* COSTOPS_NOW (RFC 3339) fixes the clock: a test hook, documented in
 * docs/resources/schedule.md. */
static int64_t now_utc(void)
{
	const char *s = getenv("COSTOPS_NOW");
	int64_t t;
	if (s && *s && co_parse_rfc3339(s, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

static bool valid_group_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("-_.", *p)))
			return false;
	return true;
}

/* SageMaker endpoint and endpoint-config names: 1-63 of
 * ^[a-zA-Z0-9](-*[a-zA-Z0-9])* (CreateEndpoint). */
static bool valid_sm_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

/* "HH:MM" into hours and minutes. */
static int parse_hhmm(const char *s, int *h, int *m)
{
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	*h = (s[0] - '0') * 10 + (s[1] - '0');
	*m = (s[3] - '0') * 10 + (s[4] - '0');
	return *h < 24 ? 0 : -1;
}

typedef enum { CFG_OK = 0, CFG_INVALID = -1, CFG_UNKNOWN = 1 } cfg_rc;

/* One of stop/start: from `<which>_cron` or `<which>_at` + days. */
static cfg_rc load_time(co_ctx *ctx, const co_value *v, const char *which,
    const char **expr, bool *is_at, bool report)
{
	char cron_attr[16], at_attr[16];
	snprintf(cron_attr, sizeof(cron_attr), "%s_cron", which);
	snprintf(at_attr, sizeof(at_attr), "%s_at", which);
	const co_value *cv = co_value_attr(v, cron_attr);
	const co_value *av = co_value_attr(v, at_attr);
	const co_value *days = co_value_attr(v, "days");
	co_path cp = co_path_attr(cron_attr), ap = co_path_attr(at_attr);
	if ((cv && cv->is_unknown) || (av && av->is_unknown))
		return CFG_UNKNOWN;
	bool has_cron = co_value_is_set(cv), has_at = co_value_is_set(av);
	if (has_cron && has_at) {
		if (report)
			co_diag_error(ctx->diags, &ap, "Two stop times"
			    ,"Set either %s or %s, not both: %s = \"%s\" "
			     "already says when to %s.",
			    cron_attr, at_attr, cron_attr, cv->str, which);
		return CFG_INVALID;
	}
	if (!has_cron && !has_at) {
		if (report)
			co_diag_error(ctx->diags, NULL, "Missing time",
			    "Say when to %s: %s = \"19:00\" (with days), or "
			    "%s = \"cron(0 19 * * ? *)\".",
			    which, at_attr, cron_attr);
		return CFG_INVALID;
	}
	*is_at = has_at;
	if (has_cron) {
		co_cron c;
		char err[256];
		if (co_cron_parse(&c, cv->str, err, sizeof(err)) < 0) {
			if (report)
				co_diag_error(ctx->diags, &cp,
				    "Malformed cron expression", "%s.", err);
			return CFG_INVALID;
		}
		*expr = cv->str;
		return CFG_OK;
	}
	int h, m;
	if (parse_hhmm(av->str, &h, &m) < 0) {
		if (report)
			co_diag_error(ctx->diags, &ap, "Malformed time",
			    "\"%s\" is not a time of day; write HH:MM on a "
			    "24-hour clock, e.g. \"19:00\".",
			    av->str);
		return CFG_INVALID;
	}
	if (days && days->is_unknown)
		return CFG_UNKNOWN;
	co_buf b;
	co_buf_init(&b, 4096);
	co_buf_printf(&b, "cron(%d %d ? * ", m, h);
	cfg_rc rc = CFG_OK;
	if (!co_value_is_set(days) || days->count == 0) {
		co_buf_puts(&b, "*");
	} else {
		for (size_t i = 0; i < days->count; i++) {
			const char *d = co_value_str(days->items[i]);
			if (!d) {
				rc = CFG_UNKNOWN;
				continue;
			}
			char probe[96], err[256];
			co_cron c;
			snprintf(probe, sizeof(probe), "cron(0 0 ? * %s *)", d);
			if (strlen(d) > 16 || strchr(d, ',') || strchr(d, ' ') ||
			    co_cron_parse(&c, probe, err, sizeof(err)) < 0) {
				if (report) {
					co_path p = co_path_push_index(
					    co_path_attr("days"), (int64_t)i);
					co_diag_error(ctx->diags, &p,
					    "Invalid day",
					    "\"%s\" is not a day: use SUN, MON, "
					    "TUE, WED, THU, FRI, SAT or a range "
					    "such as MON-FRI.",
					    d);
				}
				rc = CFG_INVALID;
				continue;
			}
			co_buf_printf(&b, "%s", i ? "," : "");
			for (const char *p = d; *p; p++)
				co_buf_putc(&b,
				    (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p));
		}
	}
	co_buf_puts(&b, " *)");
	*expr = co_arena_strdup(ctx->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Reads and checks the whole configuration. report: add diagnostics with
 * attribute paths (validate, apply); otherwise silent. */
static cfg_rc cfg_load(co_ctx *ctx, const co_value *v, sched_cfg *c,
    bool report)
{
	memset(c, 0, sizeof(*c));
	cfg_rc rc = CFG_OK;
#define MERGE(r)                                                        \
	do {                                                            \
		cfg_rc r_ = (r);                                        \
		if (r_ == CFG_INVALID || (r_ == CFG_UNKNOWN && rc == CFG_OK)) \
			rc = r_;                                        \
	} while (0)

	const co_value *nv = co_value_attr(v, "name");
	if (nv && nv->is_unknown) {
		MERGE(CFG_UNKNOWN);
	} else if (co_value_is_set(nv)) {
		c->name = nv->str;
		if (!valid_group_name(c->name)) {
			if (report) {
				co_path p = co_path_attr("name");
				co_diag_error(ctx->diags, &p,
				    "Invalid schedule group name",
				    "\"%s\" cannot name a schedule group: use "
				    "1-64 characters of A-Z, a-z, 0-9, '-', '_' "
				    "and '.'.",
				    c->name);
			}
			MERGE(CFG_INVALID);
		}
	}

	const co_value *tzv = co_value_attr(v, "timezone");
	if (tzv && tzv->is_unknown) {
		MERGE(CFG_UNKNOWN);
	} else {
		c->tz_name = co_value_is_set(tzv) ? tzv->str : "UTC";
		char err[256];
		if (co_tz_load(&c->tz, c->tz_name, err, sizeof(err)) < 0) {
			if (report) {
				co_path p = co_path_attr("timezone");
				co_diag_error(ctx->diags, &p,
				    "Unknown time zone",
				    "%s. Use an IANA zone name such as "
				    "\"UTC\", \"Europe/Berlin\" or "
				    "\"America/New_York\".",
				    err);
			}
			MERGE(CFG_INVALID);
		}
	}

	MERGE(load_time(ctx, v, "stop", &c->stop_expr, &c->stop_is_at, report));
	MERGE(load_time(ctx, v, "start", &c->start_expr, &c->start_is_at,
	    report));
	const co_value *days = co_value_attr(v, "days");
	if (co_value_is_set(days) && days->count &&
	    !co_value_is_set(co_value_attr(v, "stop_at")) &&
	    !co_value_is_set(co_value_attr(v, "start_at")) &&
	    !co_value_attr(v, "stop_at")->is_unknown &&
	    !co_value_attr(v, "start_at")->is_unknown) {
		if (report) {
			co_path p = co_path_attr("days");
			co_diag_error(ctx->diags, &p, "days without stop_at",
			    "days applies to stop_at and start_at only; with "
			    "cron expressions put the days in their "
			    "day-of-week field.");
		}
		MERGE(CFG_INVALID);
	}

	const co_value *hv = co_value_attr(v, "holidays");
	if (hv && hv->is_unknown) {
		MERGE(CFG_UNKNOWN);
	} else if (co_value_is_set(hv)) {
		co_path hp = co_path_attr("holidays");
		if (hv->count > MAX_HOLIDAYS) {
			if (report)
				co_diag_error(ctx->diags, &hp, "Too many holidays",
				    "At most %d holidays; drop the past ones.",
				    MAX_HOLIDAYS);
			MERGE(CFG_INVALID);
		}
		for (size_t i = 0; i < hv->count && i < MAX_HOLIDAYS; i++) {
			const char *s = co_value_str(hv->items[i]);
			co_path p = co_path_push_index(hp, (int64_t)i);
			int64_t day;
			if (!s) {
				MERGE(CFG_UNKNOWN);
				continue;
			}
			if (co_parse_date(s, &day) < 0) {
				if (report)
					co_diag_error(ctx->diags, &p,
					    "Invalid holiday date",
					    "\"%s\" is not a date; write "
					    "YYYY-MM-DD, e.g. \"2026-12-25\".",
					    s);
				MERGE(CFG_INVALID);
				continue;
			}
			bool dup = false;
			for (size_t k = 0; k < c->n_holidays; k++)
				dup |= c->holidays[k] == day;
			if (dup) {
				if (report)
					co_diag_error(ctx->diags, &p,
					    "Holiday listed twice",
					    "%s is already in holidays; list "
					    "each date once.",
					    s);
				MERGE(CFG_INVALID);
				continue;
			}
			c->holidays[c->n_holidays++] = day;
		}
		qsort(c->holidays, c->n_holidays, sizeof(c->holidays[0]),
		    cmp_i64);
	}

	const co_value *ov = co_value_attr(v, "override");
	if (ov && ov->is_unknown)
		MERGE(CFG_UNKNOWN);
	else
		c->override = co_value_is_set(ov) ? ov->str : "scheduled";

	const co_value *rv = co_value_attr(v, "role_arn");
	if (rv && rv->is_unknown) {
		MERGE(CFG_UNKNOWN);
	} else if (co_value_is_set(rv)) {
		c->role_arn = rv->str;
		if (strncmp(c->role_arn, "arn:", 4) != 0 ||
		    !strstr(c->role_arn, ":iam::") ||
		    !strstr(c->role_arn, ":role/")) {
			if (report) {
				co_path p = co_path_attr("role_arn");
				co_diag_error(ctx->diags, &p, "Not a role ARN",
				    "\"%s\" is not an IAM role ARN "
				    "(arn:aws:iam::<account>:role/<name>); "
				    "or leave role_arn out and the resource "
				    "creates one.",
				    c->role_arn);
			}
			MERGE(CFG_INVALID);
		}
	}

	const co_value *ngs = co_value_attr(v, "node_group");
	const co_value *eps = co_value_attr(v, "sagemaker_endpoint");
	if ((ngs && ngs->is_unknown) || (eps && eps->is_unknown)) {
		MERGE(CFG_UNKNOWN);
		goto done;
	}
	for (size_t i = 0; co_value_is_set(ngs) && i < ngs->count; i++) {
		const co_value *o = ngs->items[i];
		co_path base = co_path_push_index(co_path_attr("node_group"),
		    (int64_t)i);
		if (i >= MAX_TARGETS) {
			if (report)
				co_diag_error(ctx->diags, &base,
				    "Too many node groups",
				    "At most %d node groups per schedule; "
				    "split them over two resources.",
				    MAX_TARGETS);
			MERGE(CFG_INVALID);
			break;
		}
		ng_target *t = &c->ng[c->n_ng];
		t->cluster = co_value_str(co_value_attr(o, "cluster_name"));
		t->name = co_value_str(co_value_attr(o, "name"));
		bool hm = co_value_int(co_value_attr(o, "min_size"), &t->min);
		bool hd = co_value_int(co_value_attr(o, "desired_size"),
		    &t->desired);
		if (!t->cluster || !t->name || !hm || !hd)
			MERGE(CFG_UNKNOWN);
		if (t->cluster && !*t->cluster) {
			co_path p = co_path_push_attr(base, "cluster_name");
			if (report)
				co_diag_error(ctx->diags, &p, "Empty cluster name",
				    "Name the EKS cluster of the node group.");
			MERGE(CFG_INVALID);
		}
		if (t->name && !*t->name) {
			co_path p = co_path_push_attr(base, "name");
			if (report)
				co_diag_error(ctx->diags, &p,
				    "Empty node group name",
				    "Name the managed node group.");
			MERGE(CFG_INVALID);
		}
		/* EKS: minSize >= 0, desiredSize >= minSize; a running node
		 * group with desired 0 would be "started" to nothing. */
		if (hm && t->min < 0) {
			co_path p = co_path_push_attr(base, "min_size");
			if (report)
				co_diag_error(ctx->diags, &p, "Negative size",
				    "min_size must be 0 or more; got %lld.",
				    (long long)t->min);
			MERGE(CFG_INVALID);
		}
		if (hd && t->desired < 1) {
			co_path p = co_path_push_attr(base, "desired_size");
			if (report)
				co_diag_error(ctx->diags, &p,
				    "Running size below 1",
				    "desired_size is the size while running "
				    "and must be at least 1 (the stop sets it "
				    "to 0); got %lld.",
				    (long long)t->desired);
			MERGE(CFG_INVALID);
		}
		if (hm && hd && t->min > t->desired) {
			co_path p = co_path_push_attr(base, "min_size");
			if (report)
				co_diag_error(ctx->diags, &p,
				    "min_size above desired_size",
				    "EKS rejects a scaling config whose "
				    "minSize (%lld) exceeds desiredSize "
				    "(%lld); lower min_size or raise "
				    "desired_size.",
				    (long long)t->min, (long long)t->desired);
			MERGE(CFG_INVALID);
		}
		for (size_t k = 0; k < c->n_ng && t->cluster && t->name; k++)
			if (c->ng[k].cluster && c->ng[k].name &&
			    strcmp(c->ng[k].cluster, t->cluster) == 0 &&
			    strcmp(c->ng[k].name, t->name) == 0) {
				if (report)
					co_diag_error(ctx->diags, &base,
					    "Node group listed twice",
					    "%s/%s is already node_group[%zu].",
					    t->cluster, t->name, k);
				MERGE(CFG_INVALID);
			}
		c->n_ng++;
	}
	for (size_t i = 0; co_value_is_set(eps) && i < eps->count; i++) {
		const co_value *o = eps->items[i];
		co_path base = co_path_push_index(
		    co_path_attr("sagemaker_endpoint"), (int64_t)i);
		if (i >= MAX_TARGETS) {
			if (report)
				co_diag_error(ctx->diags, &base,
				    "Too many endpoints",
				    "At most %d endpoints per schedule; split "
				    "them over two resources.",
				    MAX_TARGETS);
			MERGE(CFG_INVALID);
			break;
		}
		ep_target *t = &c->ep[c->n_ep];
		const co_value *nm = co_value_attr(o, "name");
		const co_value *cf = co_value_attr(o, "endpoint_config_name");
		t->name = co_value_str(nm);
		t->config = co_value_str(cf);
		if ((nm && nm->is_unknown) || (cf && cf->is_unknown))
			MERGE(CFG_UNKNOWN);
		if (t->name && !valid_sm_name(t->name)) {
			co_path p = co_path_push_attr(base, "name");
			if (report)
				co_diag_error(ctx->diags, &p,
				    "Invalid endpoint name",
				    "\"%s\" is not a SageMaker endpoint name: "
				    "1-63 letters, digits and inner hyphens.",
				    t->name);
			MERGE(CFG_INVALID);
		}
		if (!(cf && cf->is_unknown) && (!t->config || !*t->config)) {
			co_path p = co_path_push_attr(base,
			    "endpoint_config_name");
			if (report)
				co_diag_error(ctx->diags, &p,
				    "Endpoint without a config",
				    "An endpoint cannot be stopped: the stop "
				    "deletes it and the start creates it again "
				    "from its endpoint configuration. Name that "
				    "configuration here.");
			MERGE(CFG_INVALID);
		} else if (t->config && !valid_sm_name(t->config)) {
			co_path p = co_path_push_attr(base,
			    "endpoint_config_name");
			if (report)
				co_diag_error(ctx->diags, &p,
				    "Invalid endpoint configuration name",
				    "\"%s\" is not a SageMaker endpoint "
				    "configuration name: 1-63 letters, digits "
				    "and inner hyphens.",
				    t->config);
			MERGE(CFG_INVALID);
		}
		for (size_t k = 0; k < c->n_ep && t->name; k++)
			if (c->ep[k].name && strcmp(c->ep[k].name, t->name) == 0) {
				if (report)
					co_diag_error(ctx->diags, &base,
					    "Endpoint listed twice",
					    "%s is already "
					    "sagemaker_endpoint[%zu].",
					    t->name, k);
				MERGE(CFG_INVALID);
			}
		c->n_ep++;
	}
	if (rc != CFG_UNKNOWN && c->n_ng + c->n_ep == 0) {
		if (report)
			co_diag_error(ctx->diags, NULL, "Nothing to schedule",
			    "Add at least one node_group or sagemaker_endpoint "
			    "block.");
		MERGE(CFG_INVALID);
	}
done:
	if (c->tz && c->stop_expr && c->start_expr) {
		c->oh.tz = c->tz;
		c->oh.holidays = c->holidays;
		c->oh.n_holidays = c->n_holidays;
		if (co_cron_parse(&c->oh.stop, c->stop_expr, NULL, 0) < 0 ||
		    co_cron_parse(&c->oh.start, c->start_expr, NULL, 0) < 0)
			MERGE(CFG_INVALID);
	}
	if (rc == CFG_OK || (c->tz && c->stop_expr && c->start_expr &&
				rc == CFG_UNKNOWN)) {
		/* Stop and start firing in the same minute would race in
		 * Scheduler: either could win. */
		int64_t now = now_utc(), at;
		if (c->tz && c->stop_expr && c->start_expr &&
		    strcmp(c->stop_expr, c->start_expr) == 0) {
			if (report) {
				co_path p = co_path_attr(
				    c->start_is_at ? "start_at" : "start_cron");
				co_diag_error(ctx->diags, &p,
				    "Stop equals start",
				    "The stop and the start are both %s; "
				    "choose different times.",
				    c->start_expr);
			}
			MERGE(CFG_INVALID);
		} else if (c->tz && c->stop_expr && c->start_expr &&
			   co_offhours_conflict(&c->oh, now, 366 * 86400LL,
			       &at) == 1) {
			if (report) {
				char when[64];
				co_format_rfc3339(when, sizeof(when), at,
				    co_tz_offset(c->tz, at));
				co_path p = co_path_attr(
				    c->start_is_at ? "start_at" : "start_cron");
				co_diag_error(ctx->diags, &p,
				    "Stop and start at the same time",
				    "%s and %s both fire at %s; Scheduler "
				    "would run them in no set order. Choose "
				    "times that never coincide.",
				    c->stop_expr, c->start_expr, when);
			}
			MERGE(CFG_INVALID);
		}
	}
#undef MERGE
	return rc;
}

/* ---- what the schedules look like ------------------------------------------------ */

typedef struct sched_def {
	const char *name;
	const char *expr;
	const char *target_arn;
	const char *input; /* compact JSON with sorted keys */
	int64_t start_date, end_date; /* 0: none */
	bool one_time;
	const char *what; /* "stop node_group[0]" for descriptions */
} sched_def;

typedef struct sched_set {
	sched_def *defs;
	size_t n;
} sched_set;

static const char *dump(co_ctx *ctx, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	const char *out = co_arena_strdup(ctx->arena, s ? s : "{}");
	free(s);
	json_decref(j);
	return out;
}

static const char *universal_arn(co_ctx *ctx, const char *svc,
    const char *action)
{
	const char *part = ctx->provider && ctx->provider->partition[0]
			       ? ctx->provider->partition
			       : "aws";
	return co_arena_sprintf(ctx->arena, "arn:%s:scheduler:::aws-sdk:%s:%s",
	    part, svc, action);
}

static const char *ng_input(co_ctx *ctx, const ng_target *t, bool start)
{
	/* maxSize is left out: every member of NodegroupScalingConfig is
	 * optional, and EKS keeps the node group's own maximum (which must
	 * stay >= 1, so the stop cannot set it to 0). */
	return dump(ctx, json_pack("{s:s, s:s, s:{s:I, s:I}}", "clusterName",
			     t->cluster, "nodegroupName", t->name,
			     "scalingConfig", "minSize",
			     (json_int_t)(start ? t->min : 0), "desiredSize",
			     (json_int_t)(start ? t->desired : 0)));
}

static const char *ep_input(co_ctx *ctx, const ep_target *t, bool start)
{
	if (!start)
		return dump(ctx, json_pack("{s:s}", "EndpointName", t->name));
	json_t *j = json_pack("{s:s, s:s}", "EndpointName", t->name,
	    "EndpointConfigName", t->config);
	/* The recreated endpoint carries the provider's default tags. */
	if (ctx->provider && ctx->provider->n_default_tags) {
		json_t *tags = json_array();
		for (size_t i = 0; i < ctx->provider->n_default_tags; i++)
			json_array_append_new(tags,
			    json_pack("{s:s, s:s}", "Key",
				ctx->provider->default_tags[i].key, "Value",
				ctx->provider->default_tags[i].value));
		json_object_set_new(j, "Tags", tags);
	}
	return dump(ctx, j);
}

static const char *day_stamp(co_ctx *ctx, int64_t day, bool dashes)
{
	int64_t y;
	unsigned m, d;
	co_civil_from_days(day, &y, &m, &d);
	return co_arena_sprintf(ctx->arena,
	    dashes ? "%04lld-%02u-%02u" : "%04lld%02u%02u", (long long)y, m, d);
}

/* The schedules a configuration needs at instant now. Holiday design:
 * each start schedule is split into segments with EndDate at a holiday
 * window's first midnight and StartDate at the midnight after it, named
 * start-<target>-<YYYYMMDD of the window's first day> (the last one plain
 * start-<target>); windows already over are dropped, so names stay stable
 * as time passes. A one-time at() stop at the window's first midnight is
 * added only when the targets would be running then. */
static void build_defs(co_ctx *ctx, const sched_cfg *c, int64_t now,
    sched_set *out)
{
	co_holiday_window w[MAX_HOLIDAYS];
	size_t nw = co_offhours_windows(&c->oh, now, w, MAX_HOLIDAYS);
	bool restop[MAX_HOLIDAYS];
	for (size_t i = 0; i < nw; i++)
		restop[i] = w[i].start > now &&
			    co_offhours_running_at(&c->oh, w[i].start - 1);
	size_t ntargets = c->n_ng + c->n_ep;
	size_t cap = ntargets * (2 + 2 * nw + 1);
	out->defs = co_arena_alloc(ctx->arena, (cap + 1) * sizeof(sched_def));
	memset(out->defs, 0, (cap + 1) * sizeof(sched_def));
	out->n = 0;
	for (size_t k = 0; k < ntargets; k++) {
		bool is_ng = k < c->n_ng;
		size_t idx = is_ng ? k : k - c->n_ng;
		const char *key = co_arena_sprintf(ctx->arena, "%s-%zu",
		    is_ng ? "ng" : "ep", idx);
		const char *label = co_arena_sprintf(ctx->arena, "%s[%zu]",
		    is_ng ? "node_group" : "sagemaker_endpoint", idx);
		const char *stop_arn = is_ng
		    ? universal_arn(ctx, "eks", "updateNodegroupConfig")
		    : universal_arn(ctx, "sagemaker", "deleteEndpoint");
		const char *start_arn = is_ng
		    ? universal_arn(ctx, "eks", "updateNodegroupConfig")
		    : universal_arn(ctx, "sagemaker", "createEndpoint");
		const char *stop_in = is_ng ? ng_input(ctx, &c->ng[idx], false)
					    : ep_input(ctx, &c->ep[idx], false);
		const char *start_in = is_ng ? ng_input(ctx, &c->ng[idx], true)
					     : ep_input(ctx, &c->ep[idx], true);
		const char *stop_what =
		    co_arena_sprintf(ctx->arena, "stop %s", label);
		const char *start_what =
		    co_arena_sprintf(ctx->arena, "start %s", label);

		out->defs[out->n++] = (sched_def){
		    .name = co_arena_sprintf(ctx->arena, "stop-%s", key),
		    .expr = c->stop_expr, .target_arn = stop_arn,
		    .input = stop_in, .what = stop_what};
		for (size_t i = 0; i < nw; i++) {
			if (!restop[i])
				continue;
			out->defs[out->n++] = (sched_def){
			    .name = co_arena_sprintf(ctx->arena, "stop-%s-%s",
				key, day_stamp(ctx, w[i].first_day, false)),
			    .expr = co_arena_sprintf(ctx->arena,
				"at(%sT00:00:00)",
				day_stamp(ctx, w[i].first_day, true)),
			    .target_arn = stop_arn, .input = stop_in,
			    .one_time = true, .what = stop_what};
		}
		for (size_t i = 0; i <= nw; i++) {
			sched_def d = {.expr = c->start_expr,
			    .target_arn = start_arn, .input = start_in,
			    .what = start_what};
			if (i > 0)
				d.start_date = w[i - 1].end;
			if (i < nw) {
				if (w[i].start <= now)
					continue; /* already over */
				d.end_date = w[i].start;
				d.name = co_arena_sprintf(ctx->arena,
				    "start-%s-%s", key,
				    day_stamp(ctx, w[i].first_day, false));
			} else {
				d.name = co_arena_sprintf(ctx->arena,
				    "start-%s", key);
			}
			if (d.start_date && d.start_date <= now)
				d.start_date = 0; /* began: AWS refuses a past
						     StartDate */
			out->defs[out->n++] = d;
		}
	}
}

static const sched_def *find_def(const sched_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->defs[i].name, name) == 0)
			return &s->defs[i];
	return NULL;
}

static json_t *def_body(const sched_cfg *c, const sched_def *d,
    const char *role_arn, bool with_group)
{
	json_t *b = json_pack("{s:s, s:s, s:{s:s}, s:s, s:s, s:{s:s, s:s, s:s, "
			      "s:{s:i, s:i}}}",
	    "ScheduleExpression", d->expr, "ScheduleExpressionTimezone",
	    c->tz_name, "FlexibleTimeWindow", "Mode", "OFF", "State",
	    strcmp(c->override, "scheduled") == 0 ? "ENABLED" : "DISABLED",
	    "Description", d->what, "Target", "Arn", d->target_arn, "RoleArn",
	    role_arn, "Input", d->input, "RetryPolicy", "MaximumRetryAttempts",
	    RETRY_ATTEMPTS, "MaximumEventAgeInSeconds", RETRY_MAX_AGE);
	if (with_group)
		json_object_set_new(b, "GroupName", json_string(c->name));
	if (d->start_date)
		json_object_set_new(b, "StartDate",
		    json_integer((json_int_t)d->start_date));
	if (d->end_date)
		json_object_set_new(b, "EndDate",
		    json_integer((json_int_t)d->end_date));
	/* Segments and one-time stops clean up after themselves. */
	if (d->end_date || d->one_time)
		json_object_set_new(b, "ActionAfterCompletion",
		    json_string("DELETE"));
	return b;
}

static int64_t json_time(const json_t *j)
{
	if (json_is_number(j))
		return (int64_t)json_number_value(j);
	int64_t t;
	if (json_is_string(j) && co_parse_rfc3339(json_string_value(j), &t) == 0)
		return t;
	return 0;
}

/* A schedule that has run its course: past its EndDate, or a one-time
 * schedule whose time has gone. Scheduler deletes these itself. */
static bool expired(const co_tz *tz, const json_t *s, int64_t now)
{
	int64_t end = json_time(json_object_get(s, "EndDate"));
	if (end && end <= now)
		return true;
	const char *e = json_string_value(json_object_get(s, "ScheduleExpression"));
	if (e && strncmp(e, "at(", 3) == 0 && strlen(e) >= 23) {
		int64_t day;
		char date[11];
		memcpy(date, e + 3, 10);
		date[10] = 0;
		if (co_parse_date(date, &day) == 0 &&
		    co_offhours_midnight(tz, day) <= now)
			return true;
	}
	return false;
}

/* What differs between a wanted schedule and the one in AWS; NULL when
 * nothing does. */
static const char *def_diff(const sched_cfg *c, const sched_def *d,
    const char *role_arn, const json_t *s, int64_t now)
{
	const json_t *t = json_object_get(s, "Target");
	const char *st = json_string_value(json_object_get(s, "State"));
	const char *want_state =
	    strcmp(c->override, "scheduled") == 0 ? "ENABLED" : "DISABLED";
	const char *tzs = json_string_value(
	    json_object_get(s, "ScheduleExpressionTimezone"));
	const char *expr =
	    json_string_value(json_object_get(s, "ScheduleExpression"));
	if (!expr || strcmp(expr, d->expr) != 0)
		return "expression changed";
	if (strcmp(tzs ? tzs : "UTC", c->tz_name) != 0)
		return "time zone changed";
	if (!st || strcmp(st, want_state) != 0)
		return st && strcmp(st, "DISABLED") == 0 ? "disabled"
							 : "enabled";
	const char *arn = json_string_value(json_object_get(t, "Arn"));
	const char *role = json_string_value(json_object_get(t, "RoleArn"));
	if (!arn || strcmp(arn, d->target_arn) != 0)
		return "target changed";
	if (!role || strcmp(role, role_arn) != 0)
		return "role changed";
	const char *in = json_string_value(json_object_get(t, "Input"));
	json_t *have = in ? json_loads(in, 0, NULL) : NULL;
	json_t *want = json_loads(d->input, 0, NULL);
	bool same = have && want && json_equal(have, want);
	json_decref(have);
	json_decref(want);
	if (!same)
		return "input changed";
	const json_t *rp = json_object_get(t, "RetryPolicy");
	if (json_integer_value(json_object_get(rp, "MaximumRetryAttempts")) !=
		RETRY_ATTEMPTS ||
	    json_integer_value(json_object_get(rp,
		"MaximumEventAgeInSeconds")) != RETRY_MAX_AGE)
		return "retry policy changed";
	const char *mode = json_string_value(
	    json_object_get(json_object_get(s, "FlexibleTimeWindow"), "Mode"));
	if (!mode || strcmp(mode, "OFF") != 0)
		return "flexible time window changed";
	int64_t sd = json_time(json_object_get(s, "StartDate"));
	int64_t ed = json_time(json_object_get(s, "EndDate"));
	/* A StartDate already passed has no effect any more. */
	if (d->start_date ? sd != d->start_date : (sd && sd > now))
		return "start date changed";
	if (ed != d->end_date)
		return "end date changed";
	return NULL;
}

/* ---- AWS calls --------------------------------------------------------------------- */

static const char *seg(co_ctx *ctx, const char *s)
{
	co_buf b;
	co_buf_init(&b, 4096);
	co_aws_uri_encode(&b, s, false);
	const char *out = co_arena_strdup(ctx->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	return out;
}

static int sched_call(co_ctx *ctx, const char *method, const char *path,
    const char *query, json_t *body, json_t **resp, co_aws_error *err)
{
	return co_aws_rest_json_call(ctx->provider->aws, "scheduler", method,
	    path, query, body, resp, err);
}

/* Every schedule of the group, in full (GetSchedule each: ListSchedules
 * gives only the target ARN). Returns an object name -> schedule. */
static int list_group(co_ctx *ctx, const char *group, json_t **out)
{
	json_t *all = json_object();
	char *token = NULL;
	int rc = -1, pages = 0;
	do {
		co_buf q;
		co_buf_init(&q, 8192);
		co_buf_puts(&q, "MaxResults=100&ScheduleGroup=");
		co_aws_uri_encode(&q, group, false);
		if (token) {
			co_buf_puts(&q, "&NextToken=");
			co_aws_uri_encode(&q, token, false);
			free(token);
			token = NULL;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		int r = sched_call(ctx, "GET", "/schedules", co_buf_cstr(&q), NULL,
		    &resp, &err);
		co_buf_free(&q);
		if (r < 0) {
			co_diag_aws(ctx, NULL, "Listing the group's schedules failed",
			    &err);
			goto done;
		}
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(resp, "Schedules"), i, s)
		{
			const char *name =
			    json_string_value(json_object_get(s, "Name"));
			if (name)
				json_object_set_new(all, name, json_null());
		}
		const char *next =
		    json_string_value(json_object_get(resp, "NextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
	} while (token && ++pages < 100);
	free(token);
	const char *name;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(all, tmp, name, v)
	{
		json_t *resp = NULL;
		co_aws_error err = {0};
		const char *path =
		    co_arena_sprintf(ctx->arena, "/schedules/%s", seg(ctx, name));
		const char *query = co_arena_sprintf(ctx->arena, "groupName=%s",
		    seg(ctx, group));
		if (sched_call(ctx, "GET", path, query, NULL, &resp, &err) < 0) {
			if (co_aws_error_is(&err, "ResourceNotFoundException")) {
				json_object_del(all, name); /* deleted meanwhile */
				continue;
			}
			co_diag_aws(ctx, NULL, "Reading a schedule failed", &err);
			goto done;
		}
		json_object_set_new(all, name, resp);
	}
	rc = 0;
done:
	if (rc < 0)
		json_decref(all);
	else
		*out = all;
	return rc;
}

static int get_group_arn(co_ctx *ctx, const char *group, const char **arn,
    bool *missing)
{
	json_t *resp = NULL;
	co_aws_error err = {0};
	*missing = false;
	const char *path =
	    co_arena_sprintf(ctx->arena, "/schedule-groups/%s", seg(ctx, group));
	if (sched_call(ctx, "GET", path, NULL, NULL, &resp, &err) < 0) {
		if (co_aws_error_is(&err, "ResourceNotFoundException")) {
			*missing = true;
			return 0;
		}
		co_diag_aws(ctx, NULL, "Reading the schedule group failed", &err);
		return -1;
	}
	const char *a = json_string_value(json_object_get(resp, "Arn"));
	*arn = co_arena_strdup(ctx->arena, a ? a : "");
	json_decref(resp);
	return 0;
}

static int create_group(co_ctx *ctx, const char *group, const char **arn)
{
	json_t *tags = json_array();
	for (size_t i = 0; ctx->provider && i < ctx->provider->n_default_tags;
	     i++)
		json_array_append_new(tags, json_pack("{s:s, s:s}", "Key",
						ctx->provider->default_tags[i].key,
						"Value",
						ctx->provider->default_tags[i].value));
	json_t *body = json_pack("{s:o}", "Tags", tags);
	json_t *resp = NULL;
	co_aws_error err = {0};
	const char *path =
	    co_arena_sprintf(ctx->arena, "/schedule-groups/%s", seg(ctx, group));
	int rc = sched_call(ctx, "POST", path, NULL, body, &resp, &err);
	json_decref(body);
	if (rc < 0) {
		co_path p = co_path_attr("name");
		co_diag_aws(ctx, &p, "Creating the schedule group failed", &err);
		return -1;
	}
	const char *a =
	    json_string_value(json_object_get(resp, "ScheduleGroupArn"));
	*arn = co_arena_strdup(ctx->arena, a ? a : "");
	json_decref(resp);
	co_info("schedule: created schedule group %s", group);
	return 0;
}

static int put_schedule(co_ctx *ctx, const sched_cfg *c, const sched_def *d,
    const char *role_arn, bool exists, const char **arn)
{
	json_t *body = def_body(c, d, role_arn, true);
	json_t *resp = NULL;
	co_aws_error err = {0};
	const char *path =
	    co_arena_sprintf(ctx->arena, "/schedules/%s", seg(ctx, d->name));
	int rc = sched_call(ctx, exists ? "PUT" : "POST", path, NULL, body,
	    &resp, &err);
	json_decref(body);
	if (rc < 0) {
		char *what = co_arena_sprintf(ctx->arena,
		    "%s schedule %s (%s) failed",
		    exists ? "Updating" : "Creating", d->name, d->what);
		co_diag_aws(ctx, NULL, what, &err);
		return -1;
	}
	const char *a = json_string_value(json_object_get(resp, "ScheduleArn"));
	*arn = co_arena_strdup(ctx->arena, a ? a : "");
	json_decref(resp);
	co_debug("schedule: %s %s", exists ? "updated" : "created", d->name);
	return 0;
}

static int delete_schedule(co_ctx *ctx, const char *group, const char *name)
{
	co_aws_error err = {0};
	json_t *resp = NULL;
	const char *path =
	    co_arena_sprintf(ctx->arena, "/schedules/%s", seg(ctx, name));
	const char *query =
	    co_arena_sprintf(ctx->arena, "groupName=%s", seg(ctx, group));
	int rc = sched_call(ctx, "DELETE", path, query, NULL, &resp, &err);
	json_decref(resp);
	if (rc < 0 && !co_aws_error_is(&err, "ResourceNotFoundException")) {
		char *what = co_arena_sprintf(ctx->arena,
		    "Deleting schedule %s failed", name);
		co_diag_aws(ctx, NULL, what, &err);
		return -1;
	}
	return 0;
}

/* ---- the scheduler's role ----------------------------------------------------------- */

static const char *role_name_for(co_ctx *ctx, const char *group)
{
	/* IAM role names are at most 64 characters. */
	if (strlen(group) <= 50)
		return co_arena_sprintf(ctx->arena, "costops-sched-%s", group);
	uint32_t h = 2166136261u; /* FNV-1a keeps long names apart */
	for (const char *p = group; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return co_arena_sprintf(ctx->arena, "costops-sched-%.40s-%08x", group,
	    h);
}

static const char *lower(co_ctx *ctx, const char *s)
{
	char *o = co_arena_strdup(ctx->arena, s);
	for (char *p = o; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return o;
}

/* Least privilege for exactly these targets. Node group ARNs end in an id
 * EKS assigns (nodegroup/<cluster>/<name>/<uuid>), hence the last '*'.
 * SageMaker ARNs carry the names in lower case. */
static const char *role_policy(co_ctx *ctx, const sched_cfg *c)
{
	const co_provider *p = ctx->provider;
	const char *region = co_aws_client_region(p->aws);
	json_t *stmts = json_array();
	if (c->n_ng) {
		json_t *res = json_array();
		for (size_t i = 0; i < c->n_ng; i++)
			json_array_append_new(res,
			    json_string(co_arena_sprintf(ctx->arena,
				"arn:%s:eks:%s:%s:nodegroup/%s/%s/*",
				p->partition, region, p->account_id,
				c->ng[i].cluster, c->ng[i].name)));
		json_array_append_new(stmts,
		    json_pack("{s:s, s:s, s:[s], s:o}", "Sid", "NodeGroups",
			"Effect", "Allow", "Action", "eks:UpdateNodegroupConfig",
			"Resource", res));
	}
	if (c->n_ep) {
		json_t *eps = json_array(), *both = json_array();
		for (size_t i = 0; i < c->n_ep; i++) {
			const char *ea = co_arena_sprintf(ctx->arena,
			    "arn:%s:sagemaker:%s:%s:endpoint/%s", p->partition,
			    region, p->account_id, lower(ctx, c->ep[i].name));
			json_array_append_new(eps, json_string(ea));
			json_array_append_new(both, json_string(ea));
			json_array_append_new(both,
			    json_string(co_arena_sprintf(ctx->arena,
				"arn:%s:sagemaker:%s:%s:endpoint-config/%s",
				p->partition, region, p->account_id,
				lower(ctx, c->ep[i].config))));
		}
		json_array_append_new(stmts,
		    json_pack("{s:s, s:s, s:[s], s:o}", "Sid", "DeleteEndpoints",
			"Effect", "Allow", "Action", "sagemaker:DeleteEndpoint",
			"Resource", eps));
		json_t *create = json_pack("{s:s, s:s, s:[s], s:o}", "Sid",
		    "CreateEndpoints", "Effect", "Allow", "Action",
		    "sagemaker:CreateEndpoint", "Resource", both);
		/* CreateEndpoint with Tags also needs AddTags. */
		if (p->n_default_tags)
			json_array_append_new(json_object_get(create, "Action"),
			    json_string("sagemaker:AddTags"));
		json_array_append_new(stmts, create);
	}
	return dump(ctx,
	    json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", stmts));
}

static int iam_call(co_ctx *ctx, const char *const *params, const char *what,
    const char *ok_codes, co_xml **doc)
{
	co_aws_error err = {0};
	co_xml *x = NULL;
	int rc = co_aws_query_call(ctx->provider->aws, "iam", params, &x, &err);
	if (rc < 0) {
		if (ok_codes && co_aws_error_is(&err, ok_codes))
			return 1;
		co_diag_aws(ctx, NULL, what, &err);
		return -1;
	}
	if (doc)
		*doc = x;
	else
		co_xml_free(x);
	return 0;
}

/* Creates (or adopts, when a previous run left it) the role and puts its
 * policy. */
static int ensure_role(co_ctx *ctx, const sched_cfg *c, const char **arn)
{
	const char *name = role_name_for(ctx, c->name);
	const char *trust = dump(ctx,
	    json_pack("{s:s, s:[{s:s, s:{s:s}, s:s, s:{s:{s:s}}}]}", "Version",
		"2012-10-17", "Statement", "Effect", "Allow", "Principal",
		"Service", "scheduler.amazonaws.com", "Action",
		"sts:AssumeRole", "Condition", "StringEquals",
		"aws:SourceAccount", ctx->provider->account_id));
	const char *desc = co_arena_sprintf(ctx->arena,
	    "EventBridge Scheduler role of costops_schedule %s", c->name);
	const char *params[64] = {"Action", "CreateRole", "Version",
	    "2010-05-08", "RoleName", name, "AssumeRolePolicyDocument", trust,
	    "Description", desc};
	size_t n = 10;
	for (size_t i = 0; i < ctx->provider->n_default_tags && n < 60; i++) {
		params[n++] = co_arena_sprintf(ctx->arena, "Tags.member.%zu.Key",
		    i + 1);
		params[n++] = ctx->provider->default_tags[i].key;
		params[n++] = co_arena_sprintf(ctx->arena,
		    "Tags.member.%zu.Value", i + 1);
		params[n++] = ctx->provider->default_tags[i].value;
	}
	params[n] = NULL;
	co_xml *doc = NULL;
	int r = iam_call(ctx, params, "Creating the scheduler role failed",
	    "EntityAlreadyExists", &doc);
	if (r < 0)
		return -1;
	if (r == 1) {
		const char *get[] = {"Action", "GetRole", "Version", "2010-05-08",
		    "RoleName", name, NULL};
		if (iam_call(ctx, get, "Reading the scheduler role failed", NULL,
			&doc) < 0)
			return -1;
		const char *a = co_xml_text(doc, "GetRoleResponse/GetRoleResult/Role/Arn");
		*arn = co_arena_strdup(ctx->arena, a ? a : "");
	} else {
		const char *a = co_xml_text(doc,
		    "CreateRoleResponse/CreateRoleResult/Role/Arn");
		*arn = co_arena_strdup(ctx->arena, a ? a : "");
		co_info("schedule: created IAM role %s", name);
	}
	co_xml_free(doc);
	const char *put[] = {"Action", "PutRolePolicy", "Version", "2010-05-08",
	    "RoleName", name, "PolicyName", "costops-schedule",
	    "PolicyDocument", role_policy(ctx, c), NULL};
	return iam_call(ctx, put, "Putting the scheduler role's policy failed",
		   NULL, NULL) < 0
		   ? -1
		   : 0;
}

static int delete_role(co_ctx *ctx, const char *group)
{
	const char *name = role_name_for(ctx, group);
	const char *dp[] = {"Action", "DeleteRolePolicy", "Version",
	    "2010-05-08", "RoleName", name, "PolicyName", "costops-schedule",
	    NULL};
	if (iam_call(ctx, dp, "Deleting the scheduler role's policy failed",
		"NoSuchEntity", NULL) < 0)
		return -1;
	const char *dr[] = {"Action", "DeleteRole", "Version", "2010-05-08",
	    "RoleName", name, NULL};
	if (iam_call(ctx, dr, "Deleting the scheduler role failed",
		"NoSuchEntity", NULL) < 0)
		return -1;
	co_info("schedule: deleted IAM role %s", name);
	return 0;
}

/* ---- targets: checks before anything changes, and the override --------------------- */

typedef struct ng_state {
	int64_t min, desired, max;
} ng_state;

static const char *ng_path(co_ctx *ctx, const ng_target *t)
{
	return co_arena_sprintf(ctx->arena, "/clusters/%s/node-groups/%s",
	    seg(ctx, t->cluster), seg(ctx, t->name));
}

/* Node groups must exist with room for the running size; endpoint
 * configurations must exist. Nothing in AWS changes before this passes. */
static int precheck(co_ctx *ctx, const sched_cfg *c, ng_state *ngs)
{
	int rc = 0;
	for (size_t i = 0; i < c->n_ng; i++) {
		const ng_target *t = &c->ng[i];
		co_path base = co_path_push_index(co_path_attr("node_group"),
		    (int64_t)i);
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (co_aws_rest_json_call(ctx->provider->aws, "eks", "GET",
			ng_path(ctx, t), NULL, NULL, &resp, &err) < 0) {
			if (co_aws_error_is(&err, "ResourceNotFoundException"))
				co_diag_error(ctx->diags, &base,
				    "Node group not found",
				    "EKS has no node group %s in cluster %s "
				    "(region %s). Check the names, or create "
				    "the node group first (depends_on).",
				    t->name, t->cluster,
				    co_aws_client_region(ctx->provider->aws));
			else
				co_diag_aws(ctx, &base,
				    "Reading the node group failed", &err);
			rc = -1;
			continue;
		}
		json_t *sc = json_object_get(json_object_get(resp, "nodegroup"),
		    "scalingConfig");
		ngs[i].min = json_integer_value(json_object_get(sc, "minSize"));
		ngs[i].desired =
		    json_integer_value(json_object_get(sc, "desiredSize"));
		ngs[i].max = json_integer_value(json_object_get(sc, "maxSize"));
		json_decref(resp);
		if (ngs[i].max > 0 && t->desired > ngs[i].max) {
			co_path p = co_path_push_attr(base, "desired_size");
			co_diag_error(ctx->diags, &p,
			    "desired_size above the node group's maximum",
			    "EKS rejects desiredSize %lld for %s/%s, whose "
			    "maxSize is %lld; lower desired_size or raise the "
			    "node group's maximum.",
			    (long long)t->desired, t->cluster, t->name,
			    (long long)ngs[i].max);
			rc = -1;
		}
	}
	for (size_t i = 0; i < c->n_ep; i++) {
		json_t *req = json_pack("{s:s}", "EndpointConfigName",
		    c->ep[i].config);
		json_t *resp = NULL;
		co_aws_error err = {0};
		int r = co_aws_json_call(ctx->provider->aws, "sagemaker",
		    "SageMaker.DescribeEndpointConfig", req, &resp, &err);
		json_decref(req);
		json_decref(resp);
		if (r < 0) {
			co_path p = co_path_push_attr(
			    co_path_push_index(co_path_attr("sagemaker_endpoint"),
				(int64_t)i),
			    "endpoint_config_name");
			if (co_aws_error_is(&err, "ValidationException"))
				co_diag_error(ctx->diags, &p,
				    "Endpoint configuration not found",
				    "SageMaker has no endpoint configuration "
				    "%s, so the start could not create "
				    "endpoint %s again. Name an existing one "
				    "(AWS said: %s).",
				    c->ep[i].config, c->ep[i].name, err.message);
			else
				co_diag_aws(ctx, &p,
				    "Reading the endpoint configuration failed",
				    &err);
			rc = -1;
		}
	}
	return rc;
}

/* Applies override = stopped or running at once, with the same requests
 * the schedules send; skips what is already so. */
static int apply_override(co_ctx *ctx, const sched_cfg *c, const ng_state *ngs)
{
	bool start = strcmp(c->override, "running") == 0;
	int rc = 0;
	for (size_t i = 0; i < c->n_ng; i++) {
		const ng_target *t = &c->ng[i];
		int64_t m = start ? t->min : 0, d = start ? t->desired : 0;
		if (ngs[i].min == m && ngs[i].desired == d)
			continue;
		json_t *body = json_pack("{s:{s:I, s:I}}", "scalingConfig",
		    "minSize", (json_int_t)m, "desiredSize", (json_int_t)d);
		json_t *resp = NULL;
		co_aws_error err = {0};
		const char *path = co_arena_sprintf(ctx->arena, "%s/update-config",
		    ng_path(ctx, t));
		int r = co_aws_rest_json_call(ctx->provider->aws, "eks", "POST",
		    path, NULL, body, &resp, &err);
		json_decref(body);
		json_decref(resp);
		if (r < 0) {
			co_path p = co_path_push_index(co_path_attr("node_group"),
			    (int64_t)i);
			co_diag_aws(ctx, &p, start ? "Starting the node group failed"
						   : "Stopping the node group failed",
			    &err);
			rc = -1;
			continue;
		}
		co_info("schedule: override %s: %s/%s min %lld desired %lld",
		    c->override, t->cluster, t->name, (long long)m, (long long)d);
	}
	for (size_t i = 0; i < c->n_ep; i++) {
		const ep_target *t = &c->ep[i];
		co_path p = co_path_push_index(co_path_attr("sagemaker_endpoint"),
		    (int64_t)i);
		json_t *req = json_pack("{s:s}", "EndpointName", t->name);
		json_t *resp = NULL;
		co_aws_error err = {0};
		int r = co_aws_json_call(ctx->provider->aws, "sagemaker",
		    "SageMaker.DescribeEndpoint", req, &resp, &err);
		json_decref(req);
		json_decref(resp);
		bool exists = r == 0;
		if (r < 0 && !co_aws_error_is(&err, "ValidationException")) {
			co_diag_aws(ctx, &p, "Reading the endpoint failed", &err);
			rc = -1;
			continue;
		}
		if (exists == start)
			continue;
		json_t *in = json_loads(ep_input(ctx, t, start), 0, NULL);
		resp = NULL;
		memset(&err, 0, sizeof(err));
		r = co_aws_json_call(ctx->provider->aws, "sagemaker",
		    start ? "SageMaker.CreateEndpoint" : "SageMaker.DeleteEndpoint",
		    in, &resp, &err);
		json_decref(in);
		json_decref(resp);
		if (r < 0) {
			co_diag_aws(ctx, &p, start ? "Creating the endpoint failed"
						   : "Deleting the endpoint failed",
			    &err);
			rc = -1;
			continue;
		}
		co_info("schedule: override %s: endpoint %s %s", c->override,
		    t->name, start ? "created" : "deleted");
	}
	return rc;
}

/* ---- computed values ---------------------------------------------------------------- */

static co_value *str_list(co_ctx *ctx)
{
	return co_value_collection(ctx->arena,
	    co_type_list(ctx->arena, &co_type_string));
}

static co_value *str_map(co_ctx *ctx)
{
	return co_value_collection(ctx->arena,
	    co_type_map(ctx->arena, &co_type_string));
}

/* next_stop, next_start, running_hours_per_week and the expressions, from
 * the clock. */
static void set_times(co_ctx *ctx, co_value *v, const sched_cfg *c,
    int64_t now)
{
	co_arena *a = ctx->arena;
	co_value_set_attr(v, "stop_expression", co_value_string(a, c->stop_expr));
	co_value_set_attr(v, "start_expression",
	    co_value_string(a, c->start_expr));
	if (strcmp(c->override, "scheduled") != 0) {
		co_value_set_attr(v, "next_stop", co_value_null(a, &co_type_string));
		co_value_set_attr(v, "next_start",
		    co_value_null(a, &co_type_string));
		co_value_set_attr(v, "running_hours_per_week",
		    co_value_number(a,
			strcmp(c->override, "running") == 0 ? 168 : 0));
		return;
	}
	int64_t t;
	char buf[64];
	co_value *ns = co_value_null(a, &co_type_string);
	if (co_offhours_next_stop(&c->oh, now, &t) == 0 &&
	    co_format_rfc3339(buf, sizeof(buf), t, co_tz_offset(c->tz, t)) == 0)
		ns = co_value_string(a, buf);
	co_value_set_attr(v, "next_stop", ns);
	co_value *nst = co_value_null(a, &co_type_string);
	if (co_offhours_next_start(&c->oh, now, &t) == 0 &&
	    co_format_rfc3339(buf, sizeof(buf), t, co_tz_offset(c->tz, t)) == 0)
		nst = co_value_string(a, buf);
	co_value_set_attr(v, "next_start", nst);
	/* The regular week: holidays are what the dates say, not a rate. */
	co_offhours plain = c->oh;
	plain.n_holidays = 0;
	/* Seven local days, so a week with a DST change still counts whole
	 * days (it has 167 or 169 hours). */
	int64_t end = now + 7 * 86400;
	if (co_tz_local_to_utc(c->tz, now + co_tz_offset(c->tz, now) + 7 * 86400,
		&end) < 0)
		end = now + 7 * 86400;
	int64_t secs = co_offhours_running_seconds(&plain, now, end);
	co_value_set_attr(v, "running_hours_per_week",
	    co_value_number(a, (double)((secs + 30) / 60) / 60.0));
}

/* Copies the clock-derived values from the plan, so the state equals it. */
static void copy_times(co_value *dst, const co_value *planned)
{
	static const char *const names[] = {"next_stop", "next_start",
	    "running_hours_per_week", "stop_expression", "start_expression"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		co_value *v = co_value_attr(planned, names[i]);
		if (v && !v->is_unknown)
			co_value_set_attr(dst, names[i], v);
	}
}

/* ---- the estimate -------------------------------------------------------------------- */

/* The share of the next 30 local days the targets run, on the schedule's
 * own calendar (DST and holidays counted), or as the override says. */
static double running_share(const sched_cfg *c, int64_t now)
{
	if (strcmp(c->override, "running") == 0)
		return 1.0;
	if (strcmp(c->override, "stopped") == 0)
		return 0.0;
	int64_t end = now + 30 * 86400;
	if (co_tz_local_to_utc(c->tz, now + co_tz_offset(c->tz, now) + 30 * 86400,
		&end) < 0 || end <= now)
		end = now + 30 * 86400;
	double secs = (double)co_offhours_running_seconds(&c->oh, now, end);
	return secs / (double)(end - now);
}

/* Works out the estimate into v. 0 when set; 1 when a target could not
 * be read (a node group made in the same apply, no access): the caller
 * leaves it unknown in a plan or records none. */
static int sc_estimate(co_ctx *ctx, const sched_cfg *c, int64_t now,
    co_value *v)
{
	if (!ctx->provider || !ctx->provider->configured || !ctx->provider->aws)
		return 1;
	const char *region = co_estimate_region(ctx);
	double share = running_share(c, now);
	double hours = CO_COST_HOURS_PER_MONTH;
	double on = hours * share, off = hours - on;
	double before = 0, after = 0;
	co_buf b;
	co_buf_init(&b, 8192);
	co_buf_printf(&b, "running %.1f %% of the next 30 local days (%s "
			  "calendar): %.1f of %g h a month",
	    share * 100.0, c->tz_name ? c->tz_name : "UTC", on, hours);
	int rc = 1;
	for (size_t i = 0; i < c->n_ng; i++) {
		const ng_target *t = &c->ng[i];
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (co_aws_rest_json_call(ctx->provider->aws, "eks", "GET",
			ng_path(ctx, t), NULL, NULL, &resp, &err) < 0)
			goto done; /* not there yet, or unreadable */
		json_t *ng = json_object_get(resp, "nodegroup");
		const char *type = json_string_value(
		    json_array_get(json_object_get(ng, "instanceTypes"), 0));
		const char *cap =
		    json_string_value(json_object_get(ng, "capacityType"));
		bool spot = cap && strcmp(cap, "SPOT") == 0;
		co_cost_line l;
		int lr = -1;
		char note[256] = "";
		if (type && spot) {
			const co_price *od =
			    co_cost_price_or_fallback("ec2", region, type, NULL);
			double live = 0;
			if (od) {
				co_aws_error e2;
				co_cost_spot_price_or_fallback(
				    co_estimate_spot_client(ctx), type, od->usd,
				    &live, note, sizeof(note), &e2);
			}
			co_cost_compute in = {.service = "ec2",
			    .region = region,
			    .instance_type = type,
			    .count = (double)t->desired,
			    .hours_before = hours,
			    .hours_after = on,
			    .spot_before = true,
			    .spot_after = true,
			    .spot_price_live = live};
			lr = co_cost_compute_line(&l, &in);
		} else if (type) {
			lr = co_cost_schedule_savings(&l, "ec2", region, type,
			    (double)t->desired, hours, off, 0);
		}
		if (lr == 0) {
			before += l.before_usd;
			after += l.after_usd;
			co_buf_printf(&b, "; node group %s/%s: %lld x %s %s, "
					  "%.2f -> %.2f USD%s%s",
			    t->cluster, t->name, (long long)t->desired, type,
			    spot ? "Spot" : "on-demand", l.before_usd,
			    l.after_usd, note[0] ? ", " : "", note);
		} else {
			co_buf_printf(&b, "; node group %s/%s: %s", t->cluster,
			    t->name,
			    type ? "no catalog price for its instance type"
				 : "no instance type reported");
		}
		json_decref(resp);
	}
	for (size_t i = 0; i < c->n_ep; i++) {
		json_t *req = json_pack("{s:s}", "EndpointConfigName",
		    c->ep[i].config);
		json_t *resp = NULL;
		co_aws_error err = {0};
		int r = co_aws_json_call(ctx->provider->aws, "sagemaker",
		    "SageMaker.DescribeEndpointConfig", req, &resp, &err);
		json_decref(req);
		if (r < 0)
			goto done;
		json_t *pv = json_array_get(
		    json_object_get(resp, "ProductionVariants"), 0);
		const char *type =
		    json_string_value(json_object_get(pv, "InstanceType"));
		json_t *cnt = json_object_get(pv, "InitialInstanceCount");
		double n = json_is_number(cnt) ? json_number_value(cnt) : 1;
		co_cost_line l;
		if (type && co_cost_schedule_savings(&l, "sagemaker-hosting",
				region, type, n, hours, off, 0) == 0) {
			before += l.before_usd;
			after += l.after_usd;
			co_buf_printf(&b, "; endpoint %s: %g x %s, %.2f -> "
					  "%.2f USD",
			    c->ep[i].name, n, type, l.before_usd, l.after_usd);
		} else {
			co_buf_printf(&b, "; endpoint %s: %s", c->ep[i].name,
			    type ? "no catalog price for its instance type"
				 : "serverless or no instance type, not "
				   "counted");
		}
		json_decref(resp);
	}
	bool fb = false;
	const co_price *any =
	    co_cost_price_or_fallback("ec2", region, "t3.medium", &fb);
	co_buf_printf(&b, "; catalog %s%s prices read %s", any ? any->region : "?",
	    fb ? " figures" : "", any ? any->date_read : "?");
	co_estimate_set(ctx, v, after, before - after, co_buf_cstr(&b));
	rc = 0;
done:
	co_buf_free(&b);
	return rc;
}

/* ---- the resource -------------------------------------------------------------------- */

static void sc_validate(co_ctx *ctx, const co_value *config)
{
	sched_cfg c;
	cfg_load(ctx, config, &c, true);
	cfg_free(&c);
}

static void sc_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying)
		return;
	co_value *planned = plan->planned;
	sched_cfg c;
	cfg_rc r = cfg_load(ctx, planned, &c, false);
	const co_value *prior_drift = co_value_attr(plan->prior, "drift");
	bool drifted = co_value_is_set(prior_drift) && prior_drift->count > 0;
	bool changed = plan->creating ||
		       co_value_attr(planned, "next_stop")->is_unknown ||
		       co_value_attr(planned, "drift")->is_unknown;
	if (drifted && !changed) {
		/* Out-of-band changes: the apply puts the schedules back. */
		co_plan_set_unknown_computed(ctx, plan);
		changed = true;
	}
	if (changed) {
		co_value_set_attr(planned, "id",
		    co_value_attr(planned, "name"));
		co_value_set_attr(planned, "drift", str_list(ctx));
		if (r == CFG_OK) {
			int64_t now = now_utc();
			set_times(ctx, planned, &c, now);
			/* Targets made in the same apply cannot be read yet:
			 * the estimate stays unknown and the apply works it
			 * out. */
			if (sc_estimate(ctx, &c, now, planned) != 0)
				co_estimate_set_unknown(ctx, planned);
		}
		/* The role: the configured one, or the one created earlier. */
		const co_value *ra = co_value_attr(planned, "role_arn");
		if (co_value_is_set(ra))
			co_value_set_attr(planned, "role_arn_effective",
			    (co_value *)ra);
		else if (plan->prior && ra && !ra->is_unknown &&
			 !co_value_is_set(co_value_attr(plan->prior, "role_arn")) &&
			 co_value_is_set(co_value_attr(plan->prior,
			     "role_arn_effective")))
			co_value_set_attr(planned, "role_arn_effective",
			    co_value_attr(plan->prior, "role_arn_effective"));
	}
	cfg_free(&c);
}

/* Creates or updates everything the configuration asks for. prior is NULL
 * on create. */
static int sc_apply(co_ctx *ctx, const co_value *prior, const co_value *planned,
    co_value **state)
{
	int rc = -1;
	sched_cfg c;
	json_t *existing = NULL;
	ng_state ngs[MAX_TARGETS];
	memset(ngs, 0, sizeof(ngs));
	int64_t now = now_utc();
	const char *group_arn = NULL, *role_arn = NULL;
	co_value *arns = str_map(ctx);
	bool group_exists = false;
	if (cfg_load(ctx, planned, &c, true) != CFG_OK)
		goto done;
	if (precheck(ctx, &c, ngs) < 0)
		goto done;

	bool missing = true;
	if (prior && get_group_arn(ctx, c.name, &group_arn, &missing) < 0)
		goto done;
	if (missing) {
		if (create_group(ctx, c.name, &group_arn) < 0)
			goto done;
	}
	group_exists = true;

	if (c.role_arn) {
		role_arn = c.role_arn;
	} else if (ensure_role(ctx, &c, &role_arn) < 0) {
		goto done;
	}

	if (list_group(ctx, c.name, &existing) < 0)
		goto done;
	sched_set want;
	build_defs(ctx, &c, now, &want);
	for (size_t i = 0; i < want.n; i++) {
		const sched_def *d = &want.defs[i];
		const json_t *have = json_object_get(existing, d->name);
		const char *arn = NULL;
		if (have && !def_diff(&c, d, role_arn, have, now)) {
			arn = json_string_value(json_object_get(have, "Arn"));
			co_value_map_put(ctx->arena, arns, d->name,
			    co_value_string(ctx->arena, arn ? arn : ""));
			continue;
		}
		if (put_schedule(ctx, &c, d, role_arn, have != NULL, &arn) < 0)
			goto done;
		co_value_map_put(ctx->arena, arns, d->name,
		    co_value_string(ctx->arena, arn));
	}
	/* The group is the resource's own: anything else in it goes. */
	const char *name;
	json_t *v;
	json_object_foreach(existing, name, v)
	{
		if (!find_def(&want, name) &&
		    delete_schedule(ctx, c.name, name) < 0)
			goto done;
	}

	/* A role costops made earlier, now replaced by role_arn. */
	if (prior && c.role_arn &&
	    !co_value_is_set(co_value_attr(prior, "role_arn")) &&
	    delete_role(ctx, c.name) < 0)
		goto done;

	if (strcmp(c.override, "scheduled") != 0 &&
	    apply_override(ctx, &c, ngs) < 0)
		goto done;
	co_info("schedule: group %s has %zu schedule(s) for %zu target(s)",
	    c.name, want.n, c.n_ng + c.n_ep);
	rc = 0;
done:
	if (group_exists) {
		/* Even after a partial failure the state names the group, so
		 * a destroy can clean up. */
		co_value *s = co_value_copy(ctx->arena, planned);
		co_value_set_attr(s, "id", co_value_string(ctx->arena, c.name));
		co_value_set_attr(s, "group_arn",
		    co_value_string(ctx->arena, group_arn ? group_arn : ""));
		co_value_set_attr(s, "role_arn_effective",
		    co_value_string(ctx->arena, role_arn ? role_arn : ""));
		co_value_set_attr(s, "schedule_arns", arns);
		co_value_set_attr(s, "drift", str_list(ctx));
		if (rc < 0) {
			/* Refreshed later; mark what is unfinished. */
			co_value *d = str_list(ctx);
			co_value_append(ctx->arena, d,
			    co_value_string(ctx->arena,
				"apply failed part way; the next apply "
				"finishes it"));
			co_value_set_attr(s, "drift", d);
		}
		set_times(ctx, s, &c, now);
		copy_times(s, planned);
		/* A planned estimate is kept (the layer copies it); an
		 * unknown one is worked out now. */
		if (!co_estimate_known(planned) &&
		    sc_estimate(ctx, &c, now, s) != 0)
			co_estimate_set_none(ctx, s,
			    "a target could not be read; the next refresh "
			    "works the estimate out");
		*state = s;
	} else if (prior) {
		*state = NULL;
	}
	json_decref(existing);
	cfg_free(&c);
	return rc;
}

static int sc_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	return sc_apply(ctx, NULL, planned, state);
}

static int sc_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	return sc_apply(ctx, prior, planned, state);
}

static int sc_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	int rc = -1;
	sched_cfg c;
	json_t *existing = NULL;
	int64_t now = now_utc();
	const char *group = co_value_str(co_value_attr(state, "name"));
	const char *group_arn = NULL;
	bool missing = false;
	memset(&c, 0, sizeof(c));
	if (!group)
		group = co_value_str(co_value_attr(state, "id"));
	if (!group || get_group_arn(ctx, group, &group_arn, &missing) < 0)
		goto done;
	if (missing) {
		co_info("schedule: group %s is gone", group);
		*out = NULL;
		rc = 0;
		goto done;
	}
	if (cfg_load(ctx, state, &c, true) != CFG_OK)
		goto done;
	if (list_group(ctx, group, &existing) < 0)
		goto done;
	const char *role = co_value_str(co_value_attr(state, "role_arn_effective"));
	if (!role)
		role = "";
	co_value *drift = str_list(ctx);
	co_value *arns = str_map(ctx);
	sched_set want;
	build_defs(ctx, &c, now, &want);
	for (size_t i = 0; i < want.n; i++) {
		const sched_def *d = &want.defs[i];
		const json_t *have = json_object_get(existing, d->name);
		const char *why = have ? def_diff(&c, d, role, have, now)
				       : "deleted";
		if (why)
			co_value_append(ctx->arena, drift,
			    co_value_string(ctx->arena,
				co_arena_sprintf(ctx->arena, "schedule %s: %s",
				    d->name, why)));
		if (have) {
			const char *arn =
			    json_string_value(json_object_get(have, "Arn"));
			co_value_map_put(ctx->arena, arns, d->name,
			    co_value_string(ctx->arena, arn ? arn : ""));
		}
	}
	const char *name;
	json_t *v;
	json_object_foreach(existing, name, v)
	{
		if (find_def(&want, name) || expired(c.tz, v, now))
			continue;
		co_value_append(ctx->arena, drift,
		    co_value_string(ctx->arena,
			co_arena_sprintf(ctx->arena,
			    "schedule %s: not made by costops (the next "
			    "apply deletes it)",
			    name)));
	}
	if (!co_value_is_set(co_value_attr(state, "role_arn"))) {
		const char *rn = role_name_for(ctx, group);
		const char *get[] = {"Action", "GetRole", "Version", "2010-05-08",
		    "RoleName", rn, NULL};
		int r = iam_call(ctx, get, "Reading the scheduler role failed",
		    "NoSuchEntity", NULL);
		if (r < 0)
			goto done;
		if (r == 1)
			co_value_append(ctx->arena, drift,
			    co_value_string(ctx->arena,
				co_arena_sprintf(ctx->arena,
				    "role %s: deleted", rn)));
	}
	co_value *s = co_value_copy(ctx->arena, state);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, group));
	co_value_set_attr(s, "group_arn", co_value_string(ctx->arena, group_arn));
	co_value_set_attr(s, "schedule_arns", arns);
	co_value_set_attr(s, "drift", drift);
	set_times(ctx, s, &c, now);
	if (sc_estimate(ctx, &c, now, s) != 0 && !co_estimate_known(s))
		co_estimate_set_none(ctx, s, "a target could not be read");
	*out = s;
	if (drift->count)
		co_info("schedule: %zu out-of-band change(s) in group %s",
		    drift->count, group);
	rc = 0;
done:
	json_decref(existing);
	cfg_free(&c);
	return rc;
}

static int sc_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	const char *group = co_value_str(co_value_attr(state, "name"));
	json_t *existing = NULL;
	int rc = -1;
	if (!group)
		return 0;
	bool missing = false;
	const char *arn = NULL;
	if (get_group_arn(ctx, group, &arn, &missing) < 0)
		goto done;
	if (!missing) {
		if (list_group(ctx, group, &existing) < 0)
			goto done;
		const char *name;
		json_t *v;
		json_object_foreach(existing, name, v)
		{
			if (delete_schedule(ctx, group, name) < 0)
				goto done;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		const char *path = co_arena_sprintf(ctx->arena,
		    "/schedule-groups/%s", seg(ctx, group));
		if (sched_call(ctx, "DELETE", path, NULL, NULL, &resp, &err) < 0 &&
		    !co_aws_error_is(&err, "ResourceNotFoundException")) {
			co_diag_aws(ctx, NULL, "Deleting the schedule group failed",
			    &err);
			goto done;
		}
		json_decref(resp);
		co_info("schedule: deleted schedule group %s", group);
	}
	if (!co_value_is_set(co_value_attr(state, "role_arn")) &&
	    delete_role(ctx, group) < 0)
		goto done;
	rc = 0;
done:
	json_decref(existing);
	if (rc < 0)
		*remaining = (co_value *)state;
	return rc;
}

/* Rebuilds the configuration from the group: targets from the start
 * schedules' inputs, times and zone from their expressions, holidays from
 * the segments' dates, the role from the targets. */
static int sc_import(co_ctx *ctx, const char *id, co_value **state)
{
	int rc = -1;
	json_t *existing = NULL;
	bool missing = false;
	const char *group_arn = NULL;
	if (!valid_group_name(id)) {
		co_diag_error(ctx->diags, NULL, "Invalid import id",
		    "Expected the schedule group name (1-64 of A-Za-z0-9-_.); "
		    "got \"%s\".",
		    id);
		return -1;
	}
	if (get_group_arn(ctx, id, &group_arn, &missing) < 0)
		goto done;
	if (missing) {
		co_diag_error(ctx->diags, NULL, "Schedule group not found",
		    "There is no EventBridge Scheduler schedule group \"%s\" "
		    "in %s.",
		    id, co_aws_client_region(ctx->provider->aws));
		goto done;
	}
	if (list_group(ctx, id, &existing) < 0)
		goto done;
	co_value *s = co_schema_empty(ctx->arena, &schema);
	co_arena *a = ctx->arena;
	co_value *ngl = co_value_attr(s, "node_group");
	co_value *epl = co_value_attr(s, "sagemaker_endpoint");
	const co_type *ngt = co_schema_type(&ng_block);
	const co_type *ept = co_schema_type(&ep_block);
	const char *tzname = "UTC", *stop_expr = NULL, *start_expr = NULL;
	const char *role = NULL;
	bool disabled = false;
	co_value *holidays = str_list(ctx);
	/* Targets in index order: start-ng-0, start-ng-1, ... */
	for (int kind = 0; kind < 2; kind++) {
		for (size_t i = 0; i < MAX_TARGETS; i++) {
			const char *nm = co_arena_sprintf(a, "start-%s-%zu",
			    kind ? "ep" : "ng", i);
			const json_t *sch = json_object_get(existing, nm);
			if (!sch)
				break;
			const json_t *t = json_object_get(sch, "Target");
			json_t *in = json_loads(json_string_value(json_object_get(t,
							"Input"))
						    ? json_string_value(
							  json_object_get(t, "Input"))
						    : "{}",
			    0, NULL);
			if (kind == 0) {
				co_value *o = co_value_object(a, ngt);
				json_t *sc = json_object_get(in, "scalingConfig");
				const char *cl = json_string_value(
				    json_object_get(in, "clusterName"));
				const char *ng = json_string_value(
				    json_object_get(in, "nodegroupName"));
				co_value_set_attr(o, "cluster_name",
				    co_value_string(a, cl ? cl : ""));
				co_value_set_attr(o, "name",
				    co_value_string(a, ng ? ng : ""));
				co_value_set_attr(o, "min_size",
				    co_value_number(a,
					(double)json_integer_value(
					    json_object_get(sc, "minSize"))));
				co_value_set_attr(o, "desired_size",
				    co_value_number(a,
					(double)json_integer_value(
					    json_object_get(sc, "desiredSize"))));
				co_value_append(a, ngl, o);
			} else {
				co_value *o = co_value_object(a, ept);
				const char *en = json_string_value(
				    json_object_get(in, "EndpointName"));
				const char *ec = json_string_value(
				    json_object_get(in, "EndpointConfigName"));
				co_value_set_attr(o, "name",
				    co_value_string(a, en ? en : ""));
				co_value_set_attr(o, "endpoint_config_name",
				    co_value_string(a, ec ? ec : ""));
				co_value_append(a, epl, o);
			}
			json_decref(in);
			const char *z = json_string_value(
			    json_object_get(sch, "ScheduleExpressionTimezone"));
			if (z)
				tzname = z;
			start_expr = json_string_value(
			    json_object_get(sch, "ScheduleExpression"));
			role = json_string_value(json_object_get(t, "RoleArn"));
			const char *st =
			    json_string_value(json_object_get(sch, "State"));
			disabled |= st && strcmp(st, "DISABLED") == 0;
			const json_t *stop = json_object_get(existing,
			    co_arena_sprintf(a, "stop-%s-%zu", kind ? "ep" : "ng",
				i));
			const char *se = json_string_value(
			    json_object_get(stop, "ScheduleExpression"));
			if (se)
				stop_expr = se;
		}
	}
	/* Holidays: the days between a segment's EndDate and the next
	 * segment's StartDate of the first target. */
	co_tz *tz = NULL;
	if (co_tz_load(&tz, tzname, NULL, 0) == 0) {
		const char *prefix = ngl->count ? "start-ng-0-" : "start-ep-0-";
		const char *nm;
		json_t *v;
		json_object_foreach(existing, nm, v)
		{
			if (strncmp(nm, prefix, strlen(prefix)) != 0 ||
			    strlen(nm) != strlen(prefix) + 8)
				continue;
			int64_t first;
			const char *d = nm + strlen(prefix);
			char date[11];
			snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", d, d + 4,
			    d + 6);
			if (co_parse_date(date, &first) < 0)
				continue;
			/* The window runs to the StartDate of the segment
			 * that follows it. */
			int64_t next_start = 0;
			const char *nm2;
			json_t *v2;
			int64_t end = json_time(json_object_get(v, "EndDate"));
			json_object_foreach(existing, nm2, v2)
			{
				int64_t sd =
				    json_time(json_object_get(v2, "StartDate"));
				if (strncmp(nm2, "start-", 6) == 0 && sd > end &&
				    (!next_start || sd < next_start))
					next_start = sd;
			}
			int64_t last = first;
			if (next_start) {
				int64_t l = next_start + co_tz_offset(tz, next_start);
				last = l / 86400 - 1;
			}
			for (int64_t day = first; day <= last && day < first + 60;
			     day++)
				co_value_append(a, holidays,
				    co_value_string(a, day_stamp(ctx, day, true)));
		}
		co_tz_free(tz);
	}
	if (!start_expr || !stop_expr) {
		co_diag_error(ctx->diags, NULL, "Not a costops schedule group",
		    "Group \"%s\" holds no start-ng-<n>/start-ep-<n> and "
		    "stop-... schedules as costops_schedule makes them.",
		    id);
		goto done;
	}
	co_value_set_attr(s, "id", co_value_string(a, id));
	co_value_set_attr(s, "name", co_value_string(a, id));
	co_value_set_attr(s, "timezone", co_value_string(a, tzname));
	co_value_set_attr(s, "stop_cron", co_value_string(a, stop_expr));
	co_value_set_attr(s, "start_cron", co_value_string(a, start_expr));
	if (holidays->count)
		co_value_set_attr(s, "holidays", holidays);
	/* Disabled schedules mean an override; which one is told by the
	 * first target as it is now. */
	const char *ov = "scheduled";
	if (disabled) {
		ov = "stopped";
		if (ngl->count) {
			ng_target t = {
			    .cluster = co_value_str(co_value_attr(ngl->items[0],
				"cluster_name")),
			    .name = co_value_str(co_value_attr(ngl->items[0],
				"name"))};
			json_t *resp = NULL;
			co_aws_error err = {0};
			if (co_aws_rest_json_call(ctx->provider->aws, "eks", "GET",
				ng_path(ctx, &t), NULL, NULL, &resp, &err) == 0 &&
			    json_integer_value(json_object_get(
				json_object_get(json_object_get(resp, "nodegroup"),
				    "scalingConfig"),
				"desiredSize")) > 0)
				ov = "running";
			json_decref(resp);
		} else if (epl->count) {
			json_t *req = json_pack("{s:s}", "EndpointName",
			    co_value_str(co_value_attr(epl->items[0], "name")));
			json_t *resp = NULL;
			co_aws_error err = {0};
			if (co_aws_json_call(ctx->provider->aws, "sagemaker",
				"SageMaker.DescribeEndpoint", req, &resp, &err) == 0)
				ov = "running";
			json_decref(req);
			json_decref(resp);
		}
	}
	co_value_set_attr(s, "override", co_value_string(a, ov));
	if (role && strstr(role, co_arena_sprintf(a, ":role/%s",
				     role_name_for(ctx, id))) == NULL)
		co_value_set_attr(s, "role_arn", co_value_string(a, role));
	co_value_set_attr(s, "role_arn_effective",
	    co_value_string(a, role ? role : ""));
	co_value_set_attr(s, "group_arn", co_value_string(a, group_arn));
	co_value_set_attr(s, "schedule_arns", str_map(ctx));
	co_value_set_attr(s, "drift", str_list(ctx));
	*state = s;
	rc = 0;
done:
	json_decref(existing);
	return rc;
}

const co_resource co_schedule_resource = {
	.type_name = "costops_schedule",
	.schema = &schema,
	.validate = sc_validate,
	.plan = sc_plan,
	.create = sc_create,
	.read = sc_read,
	.update = sc_update,
	.del = sc_delete,
	.import = sc_import,
};
