/* data "costops_cost_estimate": what a stack costs a month before and after
 * its cost controls, line by line, from the built-in dated price catalog
 * (provider/cost/prices.csv) and, when online, live Spot prices. It needs no
 * AWS access unless Spot prices are looked up live. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "provider/cost/cost.h"
#include "provider/framework/resource.h"
#include "provider/util/log.h"

#define LINES_TYPE                                                        \
	"[\"list\",[\"object\",{\"item\":\"string\",\"before_usd\":"      \
	"\"number\",\"after_usd\":\"number\",\"savings_usd\":\"number\"," \
	"\"savings_percent\":\"number\",\"basis\":\"string\"}]]"

#define NAME_ATTR(what)                                                   \
	{.name = "name", .type = "\"string\"", .flags = CO_REQUIRED,       \
	    .description = "The line's label in the table (" what ")."}

#define HOURS_AFTER_ATTR(what)                                             \
	{.name = "hours_per_month_after", .type = "\"number\"",            \
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,               \
	    .description = "Hours a month " what " runs with the controls " \
			   "(a schedule's running hours, DST-aware if it "  \
			   "has a time zone). Default: `hours_per_month`, "  \
			   "i.e. no schedule."}

#define PRICE_OVERRIDE_ATTR                                                \
	{.name = "price_override_usd_per_hour", .type = "\"number\"",      \
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,               \
	    .description = "On-demand price per hour to use instead of the " \
			   "catalog's (a negotiated rate, or a document's "  \
			   "own assumption such as the seed's 0.04)."}

static const co_attr_schema node_group_attrs[] = {
	NAME_ATTR("e.g. `EKS NodeGroup`"),
	{.name = "instance_type", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "EC2 instance type priced (the first of a node "
			   "group's `instance_types`), e.g. `t3.medium`."},
	{.name = "nodes", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .has_min = true, .min = 0,
	    .description = "Nodes running (desired size). Default 1."},
	HOURS_AFTER_ATTR("each node"),
	{.name = "spot", .type = "\"bool\"", .flags = CO_OPTIONAL,
	    .description = "Whether the nodes run on Spot with the controls "
			   "(`capacity_type = \"SPOT\"`). Before, they are "
			   "on-demand. Default false."},
	{.name = "spot_discount_percent", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0, .has_max = true,
	    .max = 100,
	    .description = "Spot discount off on-demand to assume instead of "
			   "a live price or the catalog's fallback (70 for "
			   "t3/t3a/t2, 60 otherwise)."},
	PRICE_OVERRIDE_ATTR,
	{0},
};

static const co_attr_schema cluster_attrs[] = {
	NAME_ATTR("e.g. `EKS control plane`"),
	{.name = "extended_support", .type = "\"bool\"", .flags = CO_OPTIONAL,
	    .description = "Whether the cluster's Kubernetes version is in "
			   "extended support (0.60 instead of 0.10 USD/h). "
			   "Default false."},
	HOURS_AFTER_ATTR("the cluster exists (a control plane cannot be "
			 "stopped, only deleted)"),
	{0},
};

static const co_attr_schema lb_attrs[] = {
	NAME_ATTR("e.g. `LoadBalancer`"),
	{.name = "count", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .has_min = true, .min = 0,
	    .description = "Application Load Balancers. Default 1."},
	{.name = "lcu_per_hour", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .has_min = true, .min = 0,
	    .description = "Average LCUs each uses per hour (1 LCU = 25 new "
			   "connections/s, 3,000 active connections/min, "
			   "1 GB/h processed or 1,000 rule evaluations/s, "
			   "whichever is highest). Default 0."},
	HOURS_AFTER_ATTR("each load balancer exists (an ALB cannot be "
			 "stopped: it is deleted and recreated)"),
	PRICE_OVERRIDE_ATTR,
	{0},
};

static const char *const storage_classes[] = {"standard", "standard-ia",
    "intelligent-tiering-frequent", "intelligent-tiering-infrequent",
    "intelligent-tiering-archive-instant", "intelligent-tiering-archive",
    "intelligent-tiering-deep-archive", "glacier-ir", "glacier",
    "deep-archive", "expired", NULL};

static const co_attr_schema s3_attrs[] = {
	NAME_ATTR("e.g. `S3 Storage` or a prefix"),
	{.name = "gb", .type = "\"number\"", .flags = CO_REQUIRED,
	    .has_min = true, .min = 0,
	    .description = "GB stored, all in S3 Standard before the "
			   "controls."},
	{.name = "after_shares", .type = "[\"map\",\"number\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Where the data sits with the controls, as a "
			   "share (0-1) per storage class: `standard-ia`, "
			   "`intelligent-tiering-frequent`, "
			   "`intelligent-tiering-infrequent`, "
			   "`intelligent-tiering-archive-instant`, "
			   "`intelligent-tiering-archive`, "
			   "`intelligent-tiering-deep-archive`, `glacier-ir`, "
			   "`glacier`, `deep-archive`, or `expired` (deleted "
			   "by a rule). The rest stays in Standard."},
	{.name = "objects_monitored", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,
	    .description = "Objects of 128 KB or more under "
			   "Intelligent-Tiering, for its monitoring fee (per "
			   "1,000 a month). Default 0 (not counted)."},
	{.name = "transitions_per_month", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,
	    .description = "Objects a month lifecycle rules move, for the "
			   "transition request fee (per 1,000). Default 0."},
	{0},
};

static const co_attr_schema logs_attrs[] = {
	NAME_ATTR("e.g. `CloudWatch Logs`"),
	{.name = "ingested_gb_per_month", .type = "\"number\"",
	    .flags = CO_REQUIRED, .has_min = true, .min = 0,
	    .description = "GB of log events ingested a month before the "
			   "controls."},
	{.name = "ingested_gb_per_month_after", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,
	    .description = "GB ingested a month with the controls. A "
			   "retention does not change ingestion; lower log "
			   "levels or filters do. Default: the same."},
	{.name = "retention_days_before", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,
	    .description = "Retention before (0: never expire). Default 0."},
	{.name = "retention_days_after", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,
	    .description = "Retention with the controls (e.g. 7 or 30). "
			   "Default 0 (never expire)."},
	{.name = "history_days", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .has_min = true, .min = 0,
	    .description = "How far back the logs go, which bounds what a "
			   "never-expiring group stores. Default 365. 0 "
			   "leaves storage out (as the seed's table does)."},
	{.name = "ingestion_price_override_usd_per_gb", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0,
	    .description = "Ingestion price per GB instead of the catalog's."},
	{0},
};

static const co_attr_schema images_attrs[] = {
	NAME_ATTR("e.g. `ECR Storage`"),
	{.name = "gb", .type = "\"number\"", .flags = CO_REQUIRED,
	    .has_min = true, .min = 0,
	    .description = "GB of images stored before the controls (every "
			   "version kept)."},
	{.name = "retained_share_after", .type = "\"number\"",
	    .flags = CO_REQUIRED, .has_min = true, .min = 0, .has_max = true,
	    .max = 1,
	    .description = "Share (0-1) of those bytes a lifecycle policy "
			   "keeps."},
	{0},
};

static const co_attr_schema training_attrs[] = {
	NAME_ATTR("e.g. `SageMaker Training`"),
	{.name = "instance_type", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Training instance type, e.g. `ml.m5.large`."},
	{.name = "instance_count", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .has_min = true, .min = 0,
	    .description = "Instances per job. Default 1."},
	{.name = "jobs_per_month", .type = "\"number\"", .flags = CO_REQUIRED,
	    .has_min = true, .min = 0, .description = "Training jobs a month."},
	{.name = "hours_per_job", .type = "\"number\"", .flags = CO_REQUIRED,
	    .has_min = true, .min = 0,
	    .description = "Billable hours per job (e.g. `MaxRuntimeInSeconds` "
			   "/ 3600 as an upper bound)."},
	{.name = "spot", .type = "\"bool\"", .flags = CO_OPTIONAL,
	    .description = "Managed Spot training with the controls. Default "
			   "false."},
	{.name = "spot_discount_percent", .type = "\"number\"",
	    .flags = CO_OPTIONAL, .has_min = true, .min = 0, .has_max = true,
	    .max = 100,
	    .description = "Managed Spot saving to assume (1 - billable / "
			   "training seconds). Default: the catalog's 60."},
	PRICE_OVERRIDE_ATTR,
	{0},
};

static const co_attr_schema endpoint_attrs[] = {
	NAME_ATTR("e.g. `SageMaker endpoint`"),
	{.name = "instance_type", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Hosting instance type, e.g. `ml.m5.large`."},
	{.name = "instance_count", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .has_min = true, .min = 0,
	    .description = "Instances behind the endpoint. Default 1."},
	HOURS_AFTER_ATTR("the endpoint exists (it cannot be stopped: a "
			 "schedule deletes and recreates it)"),
	PRICE_OVERRIDE_ATTR,
	{0},
};

static const co_block_schema node_group_block = {.attrs = node_group_attrs,
    .description = "An EKS managed node group (or any EC2 fleet)."};
static const co_block_schema cluster_block = {.attrs = cluster_attrs,
    .description = "An EKS control plane."};
static const co_block_schema lb_block = {.attrs = lb_attrs,
    .description = "Application Load Balancers."};
static const co_block_schema s3_block = {.attrs = s3_attrs,
    .description = "S3 data under lifecycle rules or Intelligent-Tiering."};
static const co_block_schema logs_block = {.attrs = logs_attrs,
    .description = "CloudWatch Logs ingestion and storage."};
static const co_block_schema images_block = {.attrs = images_attrs,
    .description = "ECR image storage under a lifecycle policy."};
static const co_block_schema training_block = {.attrs = training_attrs,
    .description = "SageMaker training jobs."};
static const co_block_schema endpoint_block = {.attrs = endpoint_attrs,
    .description = "A SageMaker real-time endpoint."};

static const co_block_type_schema blocks[] = {
	{.name = "node_group", .nesting = CO_NEST_LIST,
	    .block = &node_group_block},
	{.name = "eks_cluster", .nesting = CO_NEST_LIST, .block = &cluster_block},
	{.name = "load_balancer", .nesting = CO_NEST_LIST, .block = &lb_block},
	{.name = "s3", .nesting = CO_NEST_LIST, .block = &s3_block},
	{.name = "logs", .nesting = CO_NEST_LIST, .block = &logs_block},
	{.name = "images", .nesting = CO_NEST_LIST, .block = &images_block},
	{.name = "training", .nesting = CO_NEST_LIST, .block = &training_block},
	{.name = "endpoint", .nesting = CO_NEST_LIST, .block = &endpoint_block},
	{0},
};

static const char *const spot_modes[] = {"auto", "catalog", "live", NULL};

static const co_attr_schema attrs[] = {
	{.name = "region", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "Region whose prices apply. Default: the "
			   "provider's region, else `us-east-1`. A region "
			   "not in the catalog uses us-east-1's figures and "
			   "each line says so."},
	{.name = "hours_per_month", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .has_min = true, .min = 1, .has_max = true, .max = 744,
	    .description = "Hours in the month everything runs before the "
			   "controls. Default 730 (AWS's 8760 / 12); the seed "
			   "uses 720 (30 days)."},
	{.name = "spot_prices", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .one_of = spot_modes,
	    .description = "Where Spot prices come from when no "
			   "`spot_discount_percent` is given: `auto` (default: "
			   "EC2 DescribeSpotPriceHistory when the provider's "
			   "credentials were verified, else the catalog), "
			   "`live` (always ask EC2; warn when falling back) "
			   "or `catalog` (never call AWS). A live price "
			   "below 1 % of on-demand or above it is not "
			   "believed and the catalog's discount is used; "
			   "each line's basis says which."},
	{.name = "lines", .type = LINES_TYPE, .flags = CO_COMPUTED,
	    .description = "One object per line: `item`, `before_usd`, "
			   "`after_usd`, `savings_usd`, `savings_percent` "
			   "and a one-line `basis` naming every price and "
			   "where it came from."},
	{.name = "before_monthly_usd", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "Total a month before the controls."},
	{.name = "after_monthly_usd", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "Total a month with the controls (what a "
			   "`costops_budget_guard` limit can be derived "
			   "from)."},
	{.name = "savings_monthly_usd", .type = "\"number\"",
	    .flags = CO_COMPUTED, .description = "Before minus after."},
	{.name = "savings_percent", .type = "\"number\"", .flags = CO_COMPUTED,
	    .description = "Savings as a percentage of before, to one "
			   "decimal."},
	{.name = "spot_price_source", .type = "\"string\"",
	    .flags = CO_COMPUTED,
	    .description = "`live`, `catalog`, `given` or `mixed`: where "
			   "the Spot prices came from (`none` without Spot)."},
	{.name = "table_text", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The before/after table as text, for an "
			   "`output`."},
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.blocks = blocks,
	.description = "Estimates what a stack costs a month before and after "
		       "its cost controls (Spot, schedules, lifecycle, "
		       "retention), line by line, from a dated price catalog "
		       "compiled into the provider. Unlike a 730-hour "
		       "estimate it counts schedules, retention and "
		       "lifecycle. Works offline.",
};

/* ---- helpers ----------------------------------------------------------------- */

static double num_or(const co_value *obj, const char *name, double dflt)
{
	double v;
	return co_value_num(co_value_attr(obj, name), &v) ? v : dflt;
}

static const co_value *blocks_of(const co_value *config, const char *name)
{
	const co_value *l = co_value_attr(config, name);
	return co_value_is_set(l) ? l : NULL;
}

/* A given discount in percent (< 0: none given) as the fraction
 * co_cost_compute takes, where 0 means "use the catalog": a given 0 % is
 * passed as a vanishing fraction so it still counts as given. */
static double given_discount(double percent)
{
	if (percent < 0)
		return 0;
	return percent > 0 ? percent / 100.0 : 1e-12;
}

/* Per read: what was learnt about Spot prices. */
typedef struct spot_state {
	const char *mode;
	bool can_call;   /* AWS may be asked */
	bool used_live, used_catalog, used_given;
} spot_state;

typedef struct estimate {
	co_ctx *ctx;
	const char *region;
	double hours;
	spot_state spot;
	co_value *lines;
	double before, after;
} estimate;

static void add_line(estimate *e, const char *item, const co_cost_line *l,
    const char *extra_basis)
{
	static const char *const names[] = {"item", "before_usd", "after_usd",
	    "savings_usd", "savings_percent", "basis"};
	co_arena *a = e->ctx->arena;
	const co_type *num = &co_type_number, *str = &co_type_string;
	const co_type *const types[] = {str, num, num, num, num, str};
	const co_type *t = co_type_object(a, 6, names, types);
	co_value *o = co_value_object(a, t);
	double before = co_cost_round(l->before_usd);
	double after = co_cost_round(l->after_usd);
	co_value_set_attr(o, "item", co_value_string(a, item));
	co_value_set_attr(o, "before_usd", co_value_number(a, before));
	co_value_set_attr(o, "after_usd", co_value_number(a, after));
	co_value_set_attr(o, "savings_usd",
	    co_value_number(a, co_cost_round(before - after)));
	co_value_set_attr(o, "savings_percent",
	    co_value_number(a, co_cost_savings_percent(before, after)));
	co_value_set_attr(o, "basis",
	    co_value_string(a, extra_basis && *extra_basis
				   ? co_arena_sprintf(a, "%s; %s", l->basis,
					 extra_basis)
				   : l->basis));
	co_value_append(a, e->lines, o);
	e->before += before;
	e->after += after;
}

static void line_error(estimate *e, const char *block, size_t i,
    const co_cost_line *l)
{
	co_path p = co_path_push_index(co_path_attr(block), (int64_t)i);
	co_diag_error(e->ctx->diags, &p, "Cannot price this line",
	    "%s.", l->basis);
}

/* The Spot price per hour for an EC2 instance type, when live prices may
 * be used and are believable; 0 otherwise, with why in note. */
static double live_spot(estimate *e, const char *instance_type,
    double on_demand, char *note, size_t cap, const co_path *path)
{
	note[0] = '\0';
	if (!e->spot.can_call)
		return 0;
	double price = 0;
	co_aws_error err;
	if (co_cost_spot_price_or_fallback(e->ctx->provider->aws, instance_type,
		on_demand, &price, note, cap, &err) == 1)
		return price;
	if (strcmp(e->spot.mode, "live") != 0)
		return 0;
	if (err.code[0])
		co_diag_warn(e->ctx->diags, path, "Live Spot price unavailable",
		    "EC2 DescribeSpotPriceHistory for %s failed with %s: %s. "
		    "The catalog's Spot discount was used.",
		    instance_type, err.code, err.message);
	else
		co_diag_warn(e->ctx->diags, path, "Live Spot price not believed",
		    "%s: EC2's price for %s is below 1 %% of its on-demand "
		    "%g USD/h or above it; the catalog's Spot discount was "
		    "used instead.",
		    note, instance_type, on_demand);
	return 0;
}

static void do_node_groups(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		const char *type = co_value_str(co_value_attr(b, "instance_type"));
		bool spot = co_value_bool_or(co_value_attr(b, "spot"), false);
		double discount = num_or(b, "spot_discount_percent", -1);
		double override = num_or(b, "price_override_usd_per_hour", 0);
		co_cost_compute c = {
		    .service = "ec2",
		    .region = e->region,
		    .instance_type = type,
		    .count = num_or(b, "nodes", 1),
		    .hours_before = e->hours,
		    .hours_after = num_or(b, "hours_per_month_after", e->hours),
		    .spot_after = spot,
		    .price_override = override,
		    .spot_discount_override = given_discount(discount),
		};
		char note[300] = "";
		if (spot && discount >= 0) {
			e->spot.used_given = true;
		} else if (spot) {
			const co_price *od = co_cost_price_or_fallback("ec2",
			    e->region, type, NULL);
			double on_demand = override > 0 ? override
					   : od		? od->usd
							: 0;
			co_path p = co_path_push_index(
			    co_path_attr("node_group"), (int64_t)i);
			c.spot_price_live = live_spot(e, type, on_demand, note,
			    sizeof(note), &p);
			if (c.spot_price_live > 0)
				e->spot.used_live = true;
			else
				e->spot.used_catalog = true;
		}
		co_cost_line line;
		if (co_cost_compute_line(&line, &c) < 0) {
			line_error(e, "node_group", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, note);
	}
}

static void do_clusters(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		bool ext =
		    co_value_bool_or(co_value_attr(b, "extended_support"), false);
		co_cost_compute c = {
		    .service = "eks",
		    .region = e->region,
		    .instance_type = ext ? "cluster-extended-support" : "cluster",
		    .count = 1,
		    .hours_before = e->hours,
		    .hours_after = num_or(b, "hours_per_month_after", e->hours),
		};
		co_cost_line line;
		if (co_cost_compute_line(&line, &c) < 0) {
			line_error(e, "eks_cluster", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, NULL);
	}
}

static void do_load_balancers(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		co_cost_line line;
		if (co_cost_load_balancer_line(&line, e->region,
			num_or(b, "count", 1), num_or(b, "lcu_per_hour", 0),
			e->hours, num_or(b, "hours_per_month_after", e->hours),
			num_or(b, "price_override_usd_per_hour", 0)) < 0) {
			line_error(e, "load_balancer", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, NULL);
	}
}

static void do_s3(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		const co_value *m = co_value_attr(b, "after_shares");
		size_t n = co_value_is_set(m) ? m->count : 0;
		co_cost_share *shares = n ? co_arena_alloc(e->ctx->arena,
						n * sizeof(*shares))
					  : NULL;
		for (size_t k = 0; k < n; k++) {
			shares[k].storage_class = m->keys[k];
			shares[k].share = 0;
			co_value_num(m->items[k], &shares[k].share);
		}
		co_cost_line line;
		if (co_cost_storage_lifecycle(&line, e->region,
			num_or(b, "gb", 0), shares, n,
			num_or(b, "objects_monitored", 0),
			num_or(b, "transitions_per_month", 0)) < 0) {
			line_error(e, "s3", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, NULL);
	}
}

static void do_logs(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		double before = num_or(b, "ingested_gb_per_month", 0);
		co_cost_line line;
		if (co_cost_logs_line(&line, e->region, before,
			num_or(b, "ingested_gb_per_month_after", before),
			(int)num_or(b, "retention_days_before", 0),
			(int)num_or(b, "retention_days_after", 0),
			num_or(b, "history_days", 365),
			num_or(b, "ingestion_price_override_usd_per_gb", 0)) < 0) {
			line_error(e, "logs", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, NULL);
	}
}

static void do_images(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		double gb = num_or(b, "gb", 0);
		double kept = num_or(b, "retained_share_after", 1);
		co_cost_line line;
		if (co_cost_image_expiry(&line, e->region,
			gb * CO_COST_BYTES_PER_GB,
			gb * (1.0 - kept) * CO_COST_BYTES_PER_GB) < 0) {
			line_error(e, "images", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, NULL);
	}
}

static void do_training(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		double hours = num_or(b, "jobs_per_month", 0) *
			       num_or(b, "hours_per_job", 0);
		double discount = num_or(b, "spot_discount_percent", -1);
		bool spot = co_value_bool_or(co_value_attr(b, "spot"), false);
		co_cost_compute c = {
		    .service = "sagemaker-training",
		    .region = e->region,
		    .instance_type =
			co_value_str(co_value_attr(b, "instance_type")),
		    .count = num_or(b, "instance_count", 1),
		    .hours_before = hours,
		    .hours_after = hours,
		    .spot_after = spot,
		    .price_override = num_or(b, "price_override_usd_per_hour", 0),
		    .spot_discount_override = given_discount(discount),
		};
		if (spot)
			*(discount >= 0 ? &e->spot.used_given
					: &e->spot.used_catalog) = true;
		co_cost_line line;
		if (co_cost_compute_line(&line, &c) < 0) {
			line_error(e, "training", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, NULL);
	}
}

static void do_endpoints(estimate *e, const co_value *l)
{
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *b = l->items[i];
		co_cost_compute c = {
		    .service = "sagemaker-hosting",
		    .region = e->region,
		    .instance_type =
			co_value_str(co_value_attr(b, "instance_type")),
		    .count = num_or(b, "instance_count", 1),
		    .hours_before = e->hours,
		    .hours_after = num_or(b, "hours_per_month_after", e->hours),
		    .price_override = num_or(b, "price_override_usd_per_hour", 0),
		};
		co_cost_line line;
		if (co_cost_compute_line(&line, &c) < 0) {
			line_error(e, "endpoint", i, &line);
			continue;
		}
		add_line(e, co_value_str(co_value_attr(b, "name")), &line, NULL);
	}
}

/* Cents, rounding half up (0.625 shows as 0.63, as the seed prints it;
 * printf alone would round the exact binary tie to even). */
static double cents(double usd)
{
	return floor(usd * 100.0 + 0.5 + 1e-9) / 100.0;
}

static const char *render_table(estimate *e)
{
	co_buf b;
	co_buf_init(&b, 1 << 20);
	size_t width = 5;
	for (size_t i = 0; i < e->lines->count; i++) {
		size_t n = strlen(co_value_str(
		    co_value_attr(e->lines->items[i], "item")));
		if (n > width)
			width = n > 60 ? 60 : n;
	}
	co_buf_printf(&b, "%-*s %12s %12s %8s\n", (int)width, "Item",
	    "Before USD", "After USD", "Saved");
	for (size_t i = 0; i < e->lines->count; i++) {
		const co_value *o = e->lines->items[i];
		double before = 0, after = 0;
		co_value_num(co_value_attr(o, "before_usd"), &before);
		co_value_num(co_value_attr(o, "after_usd"), &after);
		co_buf_printf(&b, "%-*.*s %12.2f %12.2f %7.0f%%\n", (int)width,
		    (int)width, co_value_str(co_value_attr(o, "item")),
		    cents(before), cents(after),
		    round(co_cost_savings_percent(before, after)));
	}
	co_buf_printf(&b, "%-*s %12.2f %12.2f %7.0f%%\n", (int)width, "Total",
	    cents(e->before), cents(e->after),
	    round(co_cost_savings_percent(e->before, e->after)));
	const char *s = co_arena_strdup(e->ctx->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	return s;
}

/* ---- the data source ------------------------------------------------------- */

static bool known_class(const char *c)
{
	for (size_t i = 0; storage_classes[i]; i++)
		if (strcmp(storage_classes[i], c) == 0)
			return true;
	return false;
}

static void ce_validate(co_ctx *ctx, const co_value *config)
{
	const co_value *l = blocks_of(config, "s3");
	for (size_t i = 0; l && i < l->count; i++) {
		const co_value *m = co_value_attr(l->items[i], "after_shares");
		if (!co_value_is_set(m))
			continue;
		double total = 0;
		bool all_known = true;
		co_path base = co_path_push_attr(
		    co_path_push_index(co_path_attr("s3"), (int64_t)i),
		    "after_shares");
		for (size_t k = 0; k < m->count; k++) {
			co_path p = co_path_push_key(base, m->keys[k]);
			double v;
			if (!known_class(m->keys[k]))
				co_diag_error(ctx->diags, &p,
				    "Unknown storage class",
				    "\"%s\" is not a storage class the catalog "
				    "prices. Use standard-ia, "
				    "intelligent-tiering-frequent, "
				    "intelligent-tiering-infrequent, "
				    "intelligent-tiering-archive-instant, "
				    "intelligent-tiering-archive, "
				    "intelligent-tiering-deep-archive, "
				    "glacier-ir, glacier, deep-archive or "
				    "expired.",
				    m->keys[k]);
			if (!co_value_num(m->items[k], &v)) {
				all_known = false;
				continue;
			}
			if (v < 0 || v > 1)
				co_diag_error(ctx->diags, &p, "Share out of range",
				    "A share is a fraction from 0 to 1 of the "
				    "line's GB; got %g.",
				    v);
			total += v;
		}
		if (all_known && total > 1.0 + 1e-9)
			co_diag_error(ctx->diags, &base, "Shares above 1",
			    "The shares add up to %g; together they can be at "
			    "most 1 (the rest stays in Standard).",
			    total);
	}
	static const char *const names[] = {"node_group", "eks_cluster",
	    "load_balancer", "s3", "logs", "images", "training", "endpoint"};
	bool any = false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const co_value *b = co_value_attr(config, names[i]);
		if (!co_value_is_set(b) || b->count > 0)
			any = true;
	}
	if (!any)
		co_diag_warn(ctx->diags, NULL, "Nothing to estimate",
		    "costops_cost_estimate has no node_group, eks_cluster, "
		    "load_balancer, s3, logs, images, training or endpoint "
		    "block, so every total is 0.");
}

static int ce_read(co_ctx *ctx, const co_value *config, co_value **state)
{
	co_provider *prov = ctx->provider;
	bool configured = prov && prov->configured && prov->aws;
	const char *region = co_value_str(co_value_attr(config, "region"));
	const char *provider_region =
	    configured ? co_aws_client_region(prov->aws) : NULL;
	if (!region)
		region = provider_region ? provider_region
					 : CO_COST_FALLBACK_REGION;
	const char *mode = co_value_str(co_value_attr(config, "spot_prices"));
	if (!mode)
		mode = "auto";
	estimate e = {
	    .ctx = ctx,
	    .region = region,
	    .hours = num_or(config, "hours_per_month", CO_COST_HOURS_PER_MONTH),
	    .spot = {.mode = mode},
	};
	/* Live prices come from the provider's region only; "auto" asks AWS
	 * only when the credentials were verified (STS answered), so an
	 * offline configuration with skip_credentials_validation never
	 * waits on the network. */
	bool same_region =
	    provider_region && strcmp(provider_region, region) == 0;
	if (strcmp(mode, "live") == 0)
		e.spot.can_call = configured && same_region;
	else if (strcmp(mode, "auto") == 0)
		e.spot.can_call =
		    configured && same_region && prov->account_id[0];
	if (strcmp(mode, "live") == 0 && !e.spot.can_call)
		co_diag_warn(ctx->diags, NULL, "Live Spot prices unavailable",
		    "spot_prices = \"live\" needs a configured provider in "
		    "region %s (the provider's region is %s); the catalog's "
		    "Spot discounts are used.",
		    region, provider_region ? provider_region : "unknown");

	e.lines = co_value_collection(ctx->arena,
	    co_type_attr(co_schema_type(&schema), "lines"));
	do_node_groups(&e, blocks_of(config, "node_group"));
	do_clusters(&e, blocks_of(config, "eks_cluster"));
	do_load_balancers(&e, blocks_of(config, "load_balancer"));
	do_s3(&e, blocks_of(config, "s3"));
	do_logs(&e, blocks_of(config, "logs"));
	do_images(&e, blocks_of(config, "images"));
	do_training(&e, blocks_of(config, "training"));
	do_endpoints(&e, blocks_of(config, "endpoint"));
	if (co_diags_has_error(ctx->diags))
		return -1;

	co_arena *a = ctx->arena;
	co_value *s = co_value_copy(a, config);
	double before = co_cost_round(e.before), after = co_cost_round(e.after);
	int sources = e.spot.used_live + e.spot.used_catalog + e.spot.used_given;
	const char *source = sources == 0 ? "none"
			     : sources > 1 ? "mixed"
			     : e.spot.used_live ? "live"
			     : e.spot.used_catalog ? "catalog"
						   : "given";
	co_value_set_attr(s, "lines", e.lines);
	co_value_set_attr(s, "before_monthly_usd", co_value_number(a, before));
	co_value_set_attr(s, "after_monthly_usd", co_value_number(a, after));
	co_value_set_attr(s, "savings_monthly_usd",
	    co_value_number(a, co_cost_round(before - after)));
	co_value_set_attr(s, "savings_percent",
	    co_value_number(a, co_cost_savings_percent(before, after)));
	co_value_set_attr(s, "spot_price_source", co_value_string(a, source));
	co_value_set_attr(s, "table_text", co_value_string(a, render_table(&e)));
	*state = s;
	co_info("cost_estimate: %zu line(s), %.2f -> %.2f USD a month in %s "
		"(spot prices: %s)",
	    e.lines->count, before, after, region, source);
	return 0;
}

const co_resource co_cost_estimate_data_source = {
	.type_name = "costops_cost_estimate",
	.schema = &schema,
	.is_data_source = true,
	.validate = ce_validate,
	.read_data = ce_read,
};
