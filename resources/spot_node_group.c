/* costops_spot_node_group: an EKS managed node group on Spot capacity, with
 * the guards that keep Spot from failing silently: scaling that EKS
 * accepts, instance-type diversification (the pool count is what keeps Spot
 * capacity available), drift to ON_DEMAND shown in the plan, and a desired
 * size that autoscalers and off-hours schedules may move freely. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/framework/resource.h"
#include "provider/framework/wait.h"
#include "provider/util/log.h"
#include "resources/estimate.h"
#include "resources/spot.h"

#define NG_DEFAULT_TIMEOUT_MS (20L * 60 * 1000)
/* EKS console and SDK waiters poll node groups every 30 s; 15 s gives
 * finer progress without a noticeable API cost. */
#define NG_POLL_MS 15000L
/* CreateNodegroup: taints, "Maximum number of 50 taints per node group". */
#define NG_MAX_TAINTS 50
/* DescribeInstanceTypes takes up to 100 InstanceType.N values. */
#define NG_MAX_TYPES_CHECKED 100

static const char *const capacity_types[] = {"SPOT", NULL};
static const char *const taint_effects[] = {"NO_SCHEDULE", "NO_EXECUTE",
    "PREFER_NO_SCHEDULE", NULL};

static const co_attr_schema taint_attrs[] = {
	{.name = "key", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Taint key (1-63 characters)."},
	{.name = "value", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "Taint value (up to 63 characters)."},
	{.name = "effect", .type = "\"string\"", .flags = CO_REQUIRED,
	    .one_of = taint_effects,
	    .description = "`NO_SCHEDULE`, `NO_EXECUTE` or "
			   "`PREFER_NO_SCHEDULE`."},
	{0},
};

static const co_block_schema taint_block = {
	.attrs = taint_attrs,
	.description = "A Kubernetes taint applied to every node of the group.",
};

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "`<cluster_name>:<name>`; also the import id."},
	{.name = "cluster_name", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "Name of the EKS cluster the node group joins."},
	{.name = "name", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "Node group name (1-63 letters, digits, `-` and "
			   "`_`, starting with a letter or digit)."},
	{.name = "node_role_arn", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "ARN of the IAM role the nodes run with. Changing "
			   "it replaces the node group."},
	{.name = "subnet_ids", .type = "[\"set\",\"string\"]",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "Subnets the nodes are launched in. Subnets in "
			   "several Availability Zones widen the Spot pools "
			   "EKS can draw from. Changing them replaces the "
			   "node group."},
	{.name = "instance_types", .type = "[\"list\",\"string\"]",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "EC2 instance types, in order of preference. List "
			   "at least three with the same vCPU and memory "
			   "(e.g. `t3.medium`, `t3a.medium`, `t2.medium`): "
			   "each type is a separate Spot pool, and Cluster "
			   "Autoscaler assumes one size per node group. A "
			   "change made outside Terraform shows in the plan "
			   "and replaces the node group."},
	{.name = "capacity_type", .type = "\"string\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED | CO_FORCE_NEW,
	    .default_json = "\"SPOT\"", .one_of = capacity_types,
	    .description = "Always `SPOT`. When the node group in AWS is "
			   "found on another capacity type (e.g. recreated "
			   "as `ON_DEMAND` by hand), the plan shows it and "
			   "replaces the node group."},
	{.name = "min_size", .type = "\"number\"", .flags = CO_REQUIRED,
	    .has_min = true, .min = 0,
	    .description = "Minimum number of nodes (0 or more)."},
	{.name = "max_size", .type = "\"number\"", .flags = CO_REQUIRED,
	    .has_min = true, .min = 1,
	    .description = "Maximum number of nodes. EKS rejects a maximum "
			   "below 1; to stop every node set `min_size` and "
			   "`desired_size` to 0."},
	{.name = "desired_size", .type = "\"number\"", .flags = CO_REQUIRED,
	    .has_min = true, .min = 0,
	    .description = "Nodes to start with, between `min_size` and "
			   "`max_size`. Unless `track_desired_size` is true, "
			   "costops sets it at creation (and when you change "
			   "it here) but does not report it as drift when "
			   "Cluster Autoscaler or an off-hours schedule "
			   "moves it."},
	{.name = "track_desired_size", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "false",
	    .description = "When true, a desired size changed outside "
			   "Terraform is drift and the next apply sets it "
			   "back. Default false: autoscalers own it."},
	{.name = "labels", .type = "[\"map\",\"string\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Kubernetes labels on every node (e.g. `app = "
			   "\"retail-api\"`). Updated in place."},
	{.name = "tags", .type = "[\"map\",\"string\"]", .flags = CO_OPTIONAL,
	    .description = "Tags on the node group, merged over the "
			   "provider's `default_tags`. Updated in place."},
	{.name = "tags_all", .type = "[\"map\",\"string\"]",
	    .flags = CO_COMPUTED,
	    .description = "All tags on the node group, `default_tags` "
			   "included."},
	{.name = "arn", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "ARN of the node group."},
	{.name = "status", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "Node group status as EKS reports it "
			   "(`ACTIVE` after a successful apply)."},
	{.name = "autoscaling_group_names", .type = "[\"list\",\"string\"]",
	    .flags = CO_COMPUTED,
	    .description = "The Auto Scaling groups EKS created for the "
			   "node group."},
	CO_ESTIMATE_ATTRS(
	    "What the group costs a month on Spot: `desired_size` nodes of "
	    "the first of `instance_types` for 730 hours at the live Spot "
	    "price (EC2 DescribeSpotPriceHistory, mean over the zones, when "
	    "the provider's credentials were verified and the price is "
	    "plausible) or the catalog's Spot discount. Hours an off-hours "
	    "schedule stops the group are counted by `costops_schedule`. See "
	    "docs/costs.md.",
	    "What Spot saves a month against the same nodes on-demand "
	    "(catalog list price).",
	    "One line saying how the estimate was worked out: instance "
	    "type, nodes, hours, prices with their source and date, and "
	    "whether the Spot price was live or the catalog's."),
	{0},
};

static const co_block_type_schema blocks[] = {
	{.name = "taint", .nesting = CO_NEST_LIST, .block = &taint_block,
	    .max_items = NG_MAX_TAINTS},
	CO_TIMEOUTS_BLOCK_TYPE,
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.blocks = blocks,
	.description = "An EKS managed node group on Spot capacity. Checks "
		       "scaling and instance-type diversification at plan "
		       "time, waits for the group to become ACTIVE, shows a "
		       "switch to on-demand or other instance types as drift, "
		       "and leaves the desired size to autoscalers.",
};

/* ---- helpers ---------------------------------------------------------- */

static const co_type *str_list_type(co_ctx *ctx)
{
	return co_type_list(ctx->arena, &co_type_string);
}

static const co_type *str_map_type(co_ctx *ctx)
{
	return co_type_map(ctx->arena, &co_type_string);
}

/* EKS names: "^[0-9A-Za-z][A-Za-z0-9\-_]*", 1-63 for node groups and
 * 1-100 for clusters (CreateNodegroup, CreateCluster). */
static bool eks_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '-' && c != '_')))
			return false;
	}
	return true;
}

static const char *ng_path(co_ctx *ctx, const char *cluster, const char *name,
    const char *suffix)
{
	co_buf b;
	co_buf_init(&b, 4096);
	co_buf_puts(&b, "/clusters/");
	co_aws_uri_encode(&b, cluster, false);
	co_buf_puts(&b, "/node-groups");
	if (name) {
		co_buf_putc(&b, '/');
		co_aws_uri_encode(&b, name, false);
	}
	if (suffix)
		co_buf_puts(&b, suffix);
	const char *p = co_arena_strdup(ctx->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	return p;
}

static json_t *strings_json(const co_value *list)
{
	json_t *a = json_array();
	for (size_t i = 0; co_value_is_set(list) && i < list->count; i++) {
		const char *s = co_value_str(list->items[i]);
		if (s)
			json_array_append_new(a, json_string(s));
	}
	return a;
}

static json_t *map_json(const co_value *map)
{
	json_t *o = json_object();
	for (size_t i = 0; co_value_is_set(map) && i < map->count; i++) {
		const char *s = co_value_str(map->items[i]);
		if (s)
			json_object_set_new(o, map->keys[i], json_string(s));
	}
	return o;
}

static json_t *taint_json(const co_value *t)
{
	json_t *o = json_object();
	const char *key = co_value_str(co_value_attr(t, "key"));
	const char *value = co_value_str(co_value_attr(t, "value"));
	const char *effect = co_value_str(co_value_attr(t, "effect"));
	json_object_set_new(o, "key", json_string(key ? key : ""));
	if (value)
		json_object_set_new(o, "value", json_string(value));
	json_object_set_new(o, "effect", json_string(effect ? effect : ""));
	return o;
}

static int64_t int_attr(const co_value *obj, const char *name, int64_t dflt)
{
	int64_t v;
	return co_value_int(co_value_attr(obj, name), &v) ? v : dflt;
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

/* The Spot estimate of v (planned or state): desired_size nodes of the
 * first instance type all month, Spot against on-demand. Left as it is
 * when an input is unknown (the apply works it out). */
static void ng_estimate(co_ctx *ctx, co_value *v)
{
	const co_value *types = co_value_attr(v, "instance_types");
	const co_value *desired = co_value_attr(v, "desired_size");
	if (!types || co_value_has_unknown(types) || !desired ||
	    desired->is_unknown)
		return;
	double nodes = 0;
	const char *type = co_value_is_set(types) && types->count
			       ? co_value_str(types->items[0])
			       : NULL;
	if (!type || !co_value_num(desired, &nodes)) {
		co_estimate_set_none(ctx, v, "no instance type or desired size");
		return;
	}
	const char *region = co_estimate_region(ctx);
	const co_price *od = co_cost_price_or_fallback("ec2", region, type, NULL);
	char note[256] = "";
	double live = 0;
	if (od) {
		co_aws_error err;
		co_cost_spot_price_or_fallback(co_estimate_spot_client(ctx),
		    type, od->usd, &live, note, sizeof(note), &err);
	}
	co_cost_line l;
	if (co_cost_spot_savings(&l, region, type, nodes, 0, live) < 0) {
		co_estimate_set_none(ctx, v, l.basis);
		return;
	}
	co_estimate_set(ctx, v, l.after_usd, l.before_usd - l.after_usd,
	    co_arena_sprintf(ctx->arena,
		"%s; %s; %g node(s) of %s (the first of instance_types) all "
		"month, off-hours counted by costops_schedule",
		l.basis, note[0] ? note : "catalog Spot discount", nodes,
		type));
}

/* Fills the state from a DescribeNodegroup `nodegroup` object. base holds
 * what AWS does not say (timeouts, track_desired_size) and, unless
 * desired size is tracked, the desired size to keep. */
static co_value *ng_state(co_ctx *ctx, const co_value *base, json_t *ng)
{
	co_arena *a = ctx->arena;
	co_value *s = co_value_copy(a, base);
	const char *cluster = json_string_value(json_object_get(ng, "clusterName"));
	const char *name = json_string_value(json_object_get(ng, "nodegroupName"));
	if (cluster)
		co_value_set_attr(s, "cluster_name", co_value_string(a, cluster));
	if (name)
		co_value_set_attr(s, "name", co_value_string(a, name));
	co_value_set_attr(s, "id",
	    co_value_string(a,
		co_arena_sprintf(a, "%s:%s",
		    co_value_str(co_value_attr(s, "cluster_name")),
		    co_value_str(co_value_attr(s, "name")))));

	const char *role = json_string_value(json_object_get(ng, "nodeRole"));
	if (role)
		co_value_set_attr(s, "node_role_arn", co_value_string(a, role));
	const char *cap = json_string_value(json_object_get(ng, "capacityType"));
	/* EKS reports no capacityType for groups made before Spot support;
	 * those are on-demand. */
	co_value_set_attr(s, "capacity_type",
	    co_value_string(a, cap ? cap : "ON_DEMAND"));

	size_t i;
	json_t *it;
	co_value *subnets =
	    co_value_collection(a, co_type_set(a, &co_type_string));
	json_array_foreach(json_object_get(ng, "subnets"), i, it)
	    if (json_is_string(it)) co_value_append(a, subnets,
		co_value_string(a, json_string_value(it)));
	co_value_set_attr(s, "subnet_ids", subnets);

	co_value *types = co_value_collection(a, str_list_type(ctx));
	json_array_foreach(json_object_get(ng, "instanceTypes"), i, it)
	    if (json_is_string(it)) co_value_append(a, types,
		co_value_string(a, json_string_value(it)));
	co_value_set_attr(s, "instance_types", types);

	json_t *sc = json_object_get(ng, "scalingConfig");
	json_t *mn = json_object_get(sc, "minSize");
	json_t *mx = json_object_get(sc, "maxSize");
	json_t *ds = json_object_get(sc, "desiredSize");
	if (json_is_integer(mn))
		co_value_set_attr(s, "min_size",
		    co_value_number(a, (double)json_integer_value(mn)));
	if (json_is_integer(mx))
		co_value_set_attr(s, "max_size",
		    co_value_number(a, (double)json_integer_value(mx)));
	bool track = co_value_bool_or(co_value_attr(s, "track_desired_size"),
	    false);
	if (json_is_integer(ds) &&
	    (track || !co_value_is_set(co_value_attr(s, "desired_size"))))
		co_value_set_attr(s, "desired_size",
		    co_value_number(a, (double)json_integer_value(ds)));
	if (!co_value_is_set(co_value_attr(s, "track_desired_size")))
		co_value_set_attr(s, "track_desired_size",
		    co_value_bool(a, false));

	/* Labels and tags: an empty map in AWS stays null when the
	 * configuration has none, so no diff appears. */
	const char *k;
	json_t *v;
	co_value *labels = co_value_collection(a, str_map_type(ctx));
	json_object_foreach(json_object_get(ng, "labels"), k, v)
	    if (json_is_string(v)) co_value_map_put(a, labels, k,
		co_value_string(a, json_string_value(v)));
	if (labels->count || co_value_is_set(co_value_attr(base, "labels")))
		co_value_set_attr(s, "labels", labels);
	else
		co_value_set_attr(s, "labels", co_value_null(a, str_map_type(ctx)));

	const co_value *cfg_tags = co_value_attr(base, "tags");
	co_value *all = co_value_collection(a, str_map_type(ctx));
	co_value *own = co_value_collection(a, str_map_type(ctx));
	json_object_foreach(json_object_get(ng, "tags"), k, v)
	{
		if (!json_is_string(v))
			continue;
		const char *sv = json_string_value(v);
		co_value_map_put(a, all, k, co_value_string(a, sv));
		/* As terraform-provider-aws does: a tag equal to a default
		 * tag belongs to `tags` only when configured there. */
		if (co_value_map_get(cfg_tags, k) || !is_default_tag(ctx, k, sv))
			co_value_map_put(a, own, k, co_value_string(a, sv));
	}
	co_value_set_attr(s, "tags_all", all);
	if (own->count || co_value_is_set(cfg_tags))
		co_value_set_attr(s, "tags", own);
	else
		co_value_set_attr(s, "tags", co_value_null(a, str_map_type(ctx)));

	const co_type *taint_list = co_type_attr(co_schema_type(&schema), "taint");
	co_value *taints = co_value_collection(a, taint_list);
	json_array_foreach(json_object_get(ng, "taints"), i, it)
	{
		co_value *t = co_value_object(a, taint_list->elem);
		const char *tk = json_string_value(json_object_get(it, "key"));
		const char *tv = json_string_value(json_object_get(it, "value"));
		const char *te = json_string_value(json_object_get(it, "effect"));
		co_value_set_attr(t, "key", co_value_string(a, tk ? tk : ""));
		co_value_set_attr(t, "value",
		    tv ? co_value_string(a, tv)
		       : co_value_null(a, &co_type_string));
		co_value_set_attr(t, "effect", co_value_string(a, te ? te : ""));
		co_value_append(a, taints, t);
	}
	co_value_set_attr(s, "taint", taints);

	const char *arn = json_string_value(json_object_get(ng, "nodegroupArn"));
	co_value_set_attr(s, "arn", co_value_string(a, arn ? arn : ""));
	const char *status = json_string_value(json_object_get(ng, "status"));
	co_value_set_attr(s, "status", co_value_string(a, status ? status : ""));
	co_value *asgs = co_value_collection(a, str_list_type(ctx));
	json_array_foreach(
	    json_object_get(json_object_get(ng, "resources"), "autoScalingGroups"),
	    i, it)
	{
		const char *n = json_string_value(json_object_get(it, "name"));
		if (n)
			co_value_append(a, asgs, co_value_string(a, n));
	}
	co_value_set_attr(s, "autoscaling_group_names", asgs);
	/* Refreshed with the state; a create or update keeps the plan's
	 * figures (the layer copies known planned values). */
	ng_estimate(ctx, s);
	return s;
}

/* DescribeNodegroup. Returns 0 with *ng (a new reference) or *ng NULL when
 * the group does not exist; -1 after a diagnostic. */
static int ng_describe(co_ctx *ctx, const char *cluster, const char *name,
    json_t **ng)
{
	json_t *resp = NULL;
	co_aws_error err = {0};
	*ng = NULL;
	if (co_aws_rest_json_call(ctx->provider->aws, "eks", "GET",
		ng_path(ctx, cluster, name, NULL), NULL, NULL, &resp, &err) < 0) {
		if (co_aws_error_is(&err, "ResourceNotFoundException"))
			return 0;
		co_diag_aws(ctx, NULL,
		    co_arena_sprintf(ctx->arena,
			"Reading EKS node group %s in cluster %s failed", name,
			cluster),
		    &err);
		return -1;
	}
	json_t *g = json_object_get(resp, "nodegroup");
	if (json_is_object(g))
		*ng = json_incref(g);
	json_decref(resp);
	return 0;
}

/* Health issues of a failed group, for the error message. */
static const char *ng_health(co_ctx *ctx, json_t *ng)
{
	co_buf b;
	co_buf_init(&b, 8192);
	size_t i;
	json_t *it;
	json_array_foreach(
	    json_object_get(json_object_get(ng, "health"), "issues"), i, it)
	{
		const char *code = json_string_value(json_object_get(it, "code"));
		const char *msg = json_string_value(json_object_get(it, "message"));
		co_buf_printf(&b, "%s%s: %s", i ? "; " : "", code ? code : "?",
		    msg ? msg : "");
	}
	const char *s = co_arena_strdup(ctx->arena,
	    b.len ? co_buf_cstr(&b) : "no health issues reported");
	co_buf_free(&b);
	return s;
}

struct ng_wait {
	const char *cluster, *name;
	bool deleting;
	json_t *last; /* the last DescribeNodegroup answer (owned) */
};

static int ng_poll(co_ctx *ctx, co_wait_state *state, const char **status,
    void *payload)
{
	struct ng_wait *w = payload;
	json_t *ng = NULL;
	if (ng_describe(ctx, w->cluster, w->name, &ng) < 0)
		return -1;
	json_decref(w->last);
	w->last = ng;
	if (!ng) {
		*state = CO_WAIT_GONE;
		*status = "deleted";
		return 0;
	}
	const char *s = json_string_value(json_object_get(ng, "status"));
	*status = s ? co_arena_strdup(ctx->arena, s) : "unknown";
	/* Status values: CREATING, ACTIVE, UPDATING, DELETING,
	 * CREATE_FAILED, DELETE_FAILED, DEGRADED (DescribeNodegroup). */
	if (!s) {
		*state = CO_WAIT_PENDING;
	} else if (w->deleting) {
		if (strcmp(s, "DELETE_FAILED") == 0) {
			co_diag_error(ctx->diags, NULL,
			    "EKS could not delete the node group",
			    "Node group %s in cluster %s: %s.", w->name,
			    w->cluster, ng_health(ctx, ng));
			*state = CO_WAIT_FAILED;
		} else {
			*state = CO_WAIT_PENDING;
		}
	} else if (strcmp(s, "ACTIVE") == 0) {
		*state = CO_WAIT_DONE;
	} else if (strcmp(s, "CREATE_FAILED") == 0 ||
		   strcmp(s, "DEGRADED") == 0 || strcmp(s, "DELETING") == 0 ||
		   strcmp(s, "DELETE_FAILED") == 0) {
		co_diag_error(ctx->diags, NULL, "Node group did not become ACTIVE",
		    "Node group %s in cluster %s is %s: %s. Spot capacity "
		    "shortages show here as AsgInstanceLaunchFailures; more "
		    "instance types or subnets in other zones help.",
		    w->name, w->cluster, s, ng_health(ctx, ng));
		*state = CO_WAIT_FAILED;
	} else {
		*state = CO_WAIT_PENDING;
	}
	return 0;
}

static int ng_wait_for(co_ctx *ctx, struct ng_wait *w, const char *op,
    const char *target)
{
	co_waiter waiter = {
	    .what = co_arena_sprintf(ctx->arena,
		"node group %s in cluster %s to %s", w->name, w->cluster,
		target),
	    .timeout_attr = co_arena_sprintf(ctx->arena, "timeouts.%s", op),
	    .timeout_ms = co_ctx_timeout_ms(ctx, op, NG_DEFAULT_TIMEOUT_MS),
	    .interval_ms = NG_POLL_MS,
	    .log_every = 4,
	    .gone_is_done = w->deleting,
	    .poll = ng_poll,
	    .payload = w,
	};
	return co_wait(ctx, &waiter, NULL, NULL);
}

/* Warns when the listed types differ in vCPU or memory, and rejects names
 * EC2 does not know. Only a warning otherwise: the node group works, but
 * Cluster Autoscaler sizes a node group from one instance type. */
static void ng_check_instance_types(co_ctx *ctx, const co_value *types)
{
	co_path tp = co_path_attr("instance_types");
	size_t n = types->count < NG_MAX_TYPES_CHECKED ? types->count
						       : NG_MAX_TYPES_CHECKED;
	if (n < 2)
		return;
	const char **params =
	    co_arena_alloc(ctx->arena, (2 * n + 5) * sizeof(*params));
	size_t k = 0;
	params[k++] = "Action";
	params[k++] = "DescribeInstanceTypes";
	params[k++] = "Version";
	params[k++] = "2016-11-15";
	for (size_t i = 0; i < n; i++) {
		const char *t = co_value_str(types->items[i]);
		if (!t)
			return;
		params[k++] = co_arena_sprintf(ctx->arena, "InstanceType.%zu",
		    i + 1);
		params[k++] = t;
	}
	params[k] = NULL;
	co_xml *doc = NULL;
	co_aws_error err = {0};
	if (co_aws_query_call(ctx->provider->aws, "ec2", params, &doc, &err) <
	    0) {
		if (co_aws_error_is(&err, "InvalidInstanceType"))
			co_diag_error(ctx->diags, &tp, "Unknown instance type",
			    "EC2 does not offer every listed type in this "
			    "region (%s). Fix the name or pick types "
			    "available here.",
			    err.message);
		else
			co_diag_warn(ctx->diags, &tp,
			    "Instance types not checked",
			    "Could not read the instance types' sizes with "
			    "EC2 DescribeInstanceTypes (%s: %s), so whether "
			    "they have the same vCPU and memory was not "
			    "checked.",
			    err.code, err.message);
		return;
	}
	const co_xml *set = co_xml_find(doc, "DescribeInstanceTypesResponse/instanceTypeSet");
	co_buf sizes;
	co_buf_init(&sizes, 16384);
	long first_cpu = -1, first_mem = -1;
	bool differ = false;
	for (const co_xml *item = set ? set->child : NULL; item;
	     item = item->next) {
		const char *name = co_xml_text(item, "instanceType");
		const char *cpu = co_xml_text(item, "vCpuInfo/defaultVCpus");
		const char *mem = co_xml_text(item, "memoryInfo/sizeInMiB");
		if (!name || !cpu || !mem)
			continue;
		long c = strtol(cpu, NULL, 10), m = strtol(mem, NULL, 10);
		if (first_cpu < 0) {
			first_cpu = c;
			first_mem = m;
		} else if (c != first_cpu || m != first_mem) {
			differ = true;
		}
		co_buf_printf(&sizes, "%s%s %ld vCPU/%ld MiB",
		    sizes.len ? ", " : "", name, c, m);
	}
	if (differ)
		co_diag_warn(ctx->diags, &tp,
		    "Instance types differ in size",
		    "The listed types do not all have the same vCPU and "
		    "memory (%s). Cluster Autoscaler assumes every node of a "
		    "group has the size of one type, so its scale-up "
		    "decisions will be wrong; pick types of one size (e.g. "
		    "t3.medium, t3a.medium, t2.medium) or split them into "
		    "node groups per size.",
		    co_buf_cstr(&sizes));
	co_buf_free(&sizes);
	co_xml_free(doc);
}

/* ---- the resource ------------------------------------------------------ */

static void ng_validate(co_ctx *ctx, const co_value *config)
{
	const char *cluster = co_value_str(co_value_attr(config, "cluster_name"));
	if (cluster && !eks_name_ok(cluster, 100)) {
		co_path p = co_path_attr("cluster_name");
		co_diag_error(ctx->diags, &p, "Invalid cluster name",
		    "\"%s\" is not an EKS cluster name: 1-100 letters, "
		    "digits, '-' and '_', starting with a letter or digit.",
		    cluster);
	}
	const char *name = co_value_str(co_value_attr(config, "name"));
	if (name && !eks_name_ok(name, 63)) {
		co_path p = co_path_attr("name");
		co_diag_error(ctx->diags, &p, "Invalid node group name",
		    "\"%s\" is not an EKS node group name: 1-63 letters, "
		    "digits, '-' and '_', starting with a letter or digit.",
		    name);
	}
	const char *role = co_value_str(co_value_attr(config, "node_role_arn"));
	if (role && (strncmp(role, "arn:", 4) != 0 || !strstr(role, ":role/"))) {
		co_path p = co_path_attr("node_role_arn");
		co_diag_error(ctx->diags, &p, "Not an IAM role ARN",
		    "\"%s\" is not an IAM role ARN (arn:aws:iam::<account>:"
		    "role/<name>). Pass the role's arn attribute.",
		    role);
	}
	const co_value *subnets = co_value_attr(config, "subnet_ids");
	if (co_value_is_set(subnets) && subnets->count == 0) {
		co_path p = co_path_attr("subnet_ids");
		co_diag_error(ctx->diags, &p, "No subnets",
		    "EKS needs at least one subnet; list subnets in several "
		    "Availability Zones to widen the Spot pools.");
	}
	const co_value *types = co_value_attr(config, "instance_types");
	if (co_value_is_set(types)) {
		co_path p = co_path_attr("instance_types");
		if (types->count == 0)
			co_diag_error(ctx->diags, &p, "No instance types",
			    "List the EC2 instance types the node group may "
			    "use, at least three of one size, e.g. "
			    "[\"t3.medium\", \"t3a.medium\", \"t2.medium\"].");
		else if (types->count < 3)
			co_diag_warn(ctx->diags, &p,
			    "Few instance types for Spot",
			    "Only %zu instance type%s listed. Each type is a "
			    "separate Spot capacity pool; with fewer than "
			    "three, an interruption wave in one pool can "
			    "leave the node group without capacity. Add "
			    "types of the same size (e.g. t3.medium, "
			    "t3a.medium, t2.medium).",
			    types->count, types->count == 1 ? " is" : "s are");
		for (size_t i = 0; i < types->count; i++)
			for (size_t j = 0; j < i; j++)
				if (co_value_is_set(types->items[i]) &&
				    co_value_equal(types->items[i],
					types->items[j])) {
					co_path ip = co_path_push_index(p,
					    (int64_t)i);
					co_diag_error(ctx->diags, &ip,
					    "Duplicate instance type",
					    "\"%s\" is listed twice; EKS "
					    "rejects duplicates.",
					    types->items[i]->str);
				}
	}

	/* CreateNodegroup's scalingConfig: minSize >= 0, maxSize >= 1,
	 * minSize <= desiredSize <= maxSize (EKS answers
	 * InvalidParameterException otherwise). The ranges are checked by
	 * the schema; the order here. */
	int64_t mn, mx, ds;
	bool has_mn = co_value_int(co_value_attr(config, "min_size"), &mn);
	bool has_mx = co_value_int(co_value_attr(config, "max_size"), &mx);
	bool has_ds = co_value_int(co_value_attr(config, "desired_size"), &ds);
	double d;
	const char *const sizes[] = {"min_size", "max_size", "desired_size"};
	for (size_t i = 0; i < 3; i++)
		if (co_value_num(co_value_attr(config, sizes[i]), &d) &&
		    d != (double)(int64_t)d) {
			co_path p = co_path_attr(sizes[i]);
			co_diag_error(ctx->diags, &p, "Not a whole number",
			    "%s must be a whole number of nodes; got %g.",
			    sizes[i], d);
		}
	if (has_mn && has_mx && mn > mx) {
		co_path p = co_path_attr("min_size");
		co_diag_error(ctx->diags, &p, "min_size above max_size",
		    "min_size (%lld) must not exceed max_size (%lld).",
		    (long long)mn, (long long)mx);
	}
	if (has_ds && has_mn && ds < mn) {
		co_path p = co_path_attr("desired_size");
		co_diag_error(ctx->diags, &p, "desired_size below min_size",
		    "desired_size (%lld) must be at least min_size (%lld); "
		    "EKS rejects it otherwise.",
		    (long long)ds, (long long)mn);
	}
	if (has_ds && has_mx && ds > mx) {
		co_path p = co_path_attr("desired_size");
		co_diag_error(ctx->diags, &p, "desired_size above max_size",
		    "desired_size (%lld) must not exceed max_size (%lld); "
		    "EKS rejects it otherwise.",
		    (long long)ds, (long long)mx);
	}

	const co_value *labels = co_value_attr(config, "labels");
	for (size_t i = 0; co_value_is_set(labels) && i < labels->count; i++) {
		const char *v = co_value_str(labels->items[i]);
		if (v && !co_spot_label_value(v)) {
			co_path p = co_path_push_key(co_path_attr("labels"),
			    labels->keys[i]);
			co_diag_error(ctx->diags, &p, "Invalid label value",
			    "\"%s\" is not a Kubernetes label value: up to 63 "
			    "letters, digits, '-', '_' and '.', starting and "
			    "ending with a letter or digit.",
			    v);
		}
	}

	const co_value *taints = co_value_attr(config, "taint");
	for (size_t i = 0; co_value_is_set(taints) && i < taints->count; i++) {
		co_path base =
		    co_path_push_index(co_path_attr("taint"), (int64_t)i);
		const co_value *k = co_value_attr(taints->items[i], "key");
		const co_value *v = co_value_attr(taints->items[i], "value");
		if (co_value_is_set(k) && (k->str_len == 0 || k->str_len > 63)) {
			co_path p = co_path_push_attr(base, "key");
			co_diag_error(ctx->diags, &p, "Invalid taint key",
			    "A taint key has 1-63 characters (CreateNodegroup); "
			    "got %zu.",
			    k->str_len);
		}
		if (co_value_is_set(v) && v->str_len > 63) {
			co_path p = co_path_push_attr(base, "value");
			co_diag_error(ctx->diags, &p, "Invalid taint value",
			    "A taint value has at most 63 characters; got %zu.",
			    v->str_len);
		}
	}
}

static void ng_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying)
		return;
	co_value *planned = plan->planned;
	const co_value *tags = co_value_attr(planned, "tags");
	if (!tags || !co_value_has_unknown(tags))
		co_value_set_attr(planned, "tags_all", co_merged_tags(ctx, tags));
	const char *cluster = co_value_str(co_value_attr(planned, "cluster_name"));
	const char *name = co_value_str(co_value_attr(planned, "name"));
	if (cluster && name)
		co_value_set_attr(planned, "id",
		    co_value_string(ctx->arena,
			co_arena_sprintf(ctx->arena, "%s:%s", cluster, name)));

	/* The sizes of the instance types are read from EC2 only when they
	 * are new or changed, not on every plan. */
	const co_value *types = co_value_attr(planned, "instance_types");
	bool types_changed =
	    plan->creating ||
	    !co_value_equal(co_value_attr(plan->prior, "instance_types"), types);
	if (types_changed && co_value_is_set(types) &&
	    !co_value_has_unknown(types) && ctx->provider &&
	    ctx->provider->configured)
		ng_check_instance_types(ctx, types);
	if (co_estimate_wanted(plan))
		ng_estimate(ctx, planned);
}

static json_t *ng_create_body(co_ctx *ctx, const co_value *planned)
{
	json_t *body = json_object();
	json_object_set_new(body, "nodegroupName",
	    json_string(co_value_str(co_value_attr(planned, "name"))));
	json_object_set_new(body, "nodeRole",
	    json_string(co_value_str(co_value_attr(planned, "node_role_arn"))));
	json_object_set_new(body, "subnets",
	    strings_json(co_value_attr(planned, "subnet_ids")));
	json_object_set_new(body, "instanceTypes",
	    strings_json(co_value_attr(planned, "instance_types")));
	json_object_set_new(body, "capacityType", json_string("SPOT"));
	json_object_set_new(body, "scalingConfig",
	    json_pack("{s:I, s:I, s:I}", "minSize",
		(json_int_t)int_attr(planned, "min_size", 0), "maxSize",
		(json_int_t)int_attr(planned, "max_size", 1), "desiredSize",
		(json_int_t)int_attr(planned, "desired_size", 0)));
	const co_value *labels = co_value_attr(planned, "labels");
	if (co_value_is_set(labels) && labels->count)
		json_object_set_new(body, "labels", map_json(labels));
	const co_value *taints = co_value_attr(planned, "taint");
	if (co_value_is_set(taints) && taints->count) {
		json_t *arr = json_array();
		for (size_t i = 0; i < taints->count; i++)
			json_array_append_new(arr, taint_json(taints->items[i]));
		json_object_set_new(body, "taints", arr);
	}
	co_value *all = co_merged_tags(ctx, co_value_attr(planned, "tags"));
	if (all->count)
		json_object_set_new(body, "tags", map_json(all));
	return body;
}

static int ng_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	int rc = -1;
	const char *cluster = co_value_str(co_value_attr(planned, "cluster_name"));
	const char *name = co_value_str(co_value_attr(planned, "name"));
	json_t *body = ng_create_body(ctx, planned), *resp = NULL;
	co_aws_error err = {0};
	struct ng_wait w = {.cluster = cluster, .name = name};
	if (co_aws_rest_json_call(ctx->provider->aws, "eks", "POST",
		ng_path(ctx, cluster, NULL, NULL), NULL, body, &resp, &err) < 0) {
		if (co_aws_error_is(&err, "ResourceInUseException"))
			co_diag_error(ctx->diags, NULL,
			    "Node group already exists",
			    "Cluster %s already has a node group named %s. "
			    "Import it (terraform import <address> %s:%s) or "
			    "pick another name. (AWS: %s)",
			    cluster, name, cluster, name, err.message);
		else
			co_diag_aws(ctx, NULL,
			    co_arena_sprintf(ctx->arena,
				"Creating EKS node group %s in cluster %s "
				"failed",
				name, cluster),
			    &err);
		goto done;
	}
	co_info("spot_node_group: created %s in %s; waiting for ACTIVE", name,
	    cluster);
	/* From here the group exists: every path returns a state, so a
	 * failed wait leaves a tainted resource rather than an orphan. */
	json_t *created = json_object_get(resp, "nodegroup");
	rc = ng_wait_for(ctx, &w, "create", "become ACTIVE");
	json_t *last = w.last ? w.last : created;
	if (last)
		*state = ng_state(ctx, planned, last);
done:
	json_decref(w.last);
	json_decref(body);
	json_decref(resp);
	return rc;
}

static int ng_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	const char *cluster = co_value_str(co_value_attr(state, "cluster_name"));
	const char *name = co_value_str(co_value_attr(state, "name"));
	json_t *ng = NULL;
	if (!cluster || !name) {
		co_diag_error(ctx->diags, NULL, "Invalid state",
		    "The state has no cluster_name or name; remove the "
		    "resource from the state and import it again.");
		return -1;
	}
	if (ng_describe(ctx, cluster, name, &ng) < 0)
		return -1;
	if (!ng) {
		co_info("spot_node_group: %s in %s no longer exists", name,
		    cluster);
		*out = NULL;
		return 0;
	}
	*out = ng_state(ctx, state, ng);
	json_decref(ng);
	return 0;
}

static bool taint_same(const co_value *x, const co_value *y)
{
	return co_value_equal(co_value_attr(x, "key"), co_value_attr(y, "key")) &&
	       co_value_equal(co_value_attr(x, "effect"),
		   co_value_attr(y, "effect"));
}

/* UpdateNodegroupConfig sections for labels and taints: what to add or
 * change and what to remove. NULL when nothing changes. */
static json_t *labels_update(const co_value *before, const co_value *after)
{
	json_t *add = json_object(), *rm = json_array();
	for (size_t i = 0; co_value_is_set(after) && i < after->count; i++) {
		const co_value *old = co_value_map_get(before, after->keys[i]);
		if (!old || !co_value_equal(old, after->items[i]))
			json_object_set_new(add, after->keys[i],
			    json_string(co_value_str(after->items[i])));
	}
	for (size_t i = 0; co_value_is_set(before) && i < before->count; i++)
		if (!co_value_map_get(after, before->keys[i]))
			json_array_append_new(rm, json_string(before->keys[i]));
	if (!json_object_size(add) && !json_array_size(rm)) {
		json_decref(add);
		json_decref(rm);
		return NULL;
	}
	json_t *o = json_object();
	if (json_object_size(add))
		json_object_set_new(o, "addOrUpdateLabels", add);
	else
		json_decref(add);
	if (json_array_size(rm))
		json_object_set_new(o, "removeLabels", rm);
	else
		json_decref(rm);
	return o;
}

static json_t *taints_update(const co_value *before, const co_value *after)
{
	json_t *add = json_array(), *rm = json_array();
	for (size_t i = 0; co_value_is_set(after) && i < after->count; i++) {
		bool same = false;
		for (size_t j = 0; co_value_is_set(before) && j < before->count;
		     j++)
			if (co_value_equal(before->items[j], after->items[i]))
				same = true;
		if (!same)
			json_array_append_new(add, taint_json(after->items[i]));
	}
	for (size_t j = 0; co_value_is_set(before) && j < before->count; j++) {
		bool kept = false;
		for (size_t i = 0; co_value_is_set(after) && i < after->count; i++)
			if (taint_same(before->items[j], after->items[i]))
				kept = true;
		if (!kept)
			json_array_append_new(rm, taint_json(before->items[j]));
	}
	if (!json_array_size(add) && !json_array_size(rm)) {
		json_decref(add);
		json_decref(rm);
		return NULL;
	}
	json_t *o = json_object();
	if (json_array_size(add))
		json_object_set_new(o, "addOrUpdateTaints", add);
	else
		json_decref(add);
	if (json_array_size(rm))
		json_object_set_new(o, "removeTaints", rm);
	else
		json_decref(rm);
	return o;
}

static const char *tags_path(co_ctx *ctx, const char *arn)
{
	co_buf b;
	co_buf_init(&b, 4096);
	co_buf_puts(&b, "/tags/");
	co_aws_uri_encode(&b, arn, false);
	const char *p = co_arena_strdup(ctx->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	return p;
}

/* TagResource / UntagResource on the node group ARN for the difference
 * between the tags it has and the merged tags wanted. */
static int ng_update_tags(co_ctx *ctx, const char *arn, const co_value *have,
    const co_value *want)
{
	co_aws_error err = {0};
	json_t *resp = NULL;
	json_t *add = json_object();
	co_buf q;
	co_buf_init(&q, 1 << 16);
	int rc = -1;
	for (size_t i = 0; co_value_is_set(want) && i < want->count; i++) {
		const co_value *old = co_value_map_get(have, want->keys[i]);
		if (!old || !co_value_equal(old, want->items[i]))
			json_object_set_new(add, want->keys[i],
			    json_string(co_value_str(want->items[i])));
	}
	for (size_t i = 0; co_value_is_set(have) && i < have->count; i++)
		if (!co_value_map_get(want, have->keys[i])) {
			co_buf_puts(&q, q.len ? "&tagKeys=" : "tagKeys=");
			co_aws_uri_encode(&q, have->keys[i], false);
		}
	if (json_object_size(add)) {
		json_t *body = json_pack("{s:O}", "tags", add);
		int r = co_aws_rest_json_call(ctx->provider->aws, "eks", "POST",
		    tags_path(ctx, arn), NULL, body, &resp, &err);
		json_decref(body);
		json_decref(resp);
		resp = NULL;
		if (r < 0) {
			co_path p = co_path_attr("tags");
			co_diag_aws(ctx, &p, "Tagging the node group failed", &err);
			goto done;
		}
	}
	if (q.len) {
		if (co_aws_rest_json_call(ctx->provider->aws, "eks", "DELETE",
			tags_path(ctx, arn), co_buf_cstr(&q), NULL, &resp,
			&err) < 0) {
			co_path p = co_path_attr("tags");
			co_diag_aws(ctx, &p, "Untagging the node group failed",
			    &err);
			goto done;
		}
	}
	rc = 0;
done:
	json_decref(resp);
	json_decref(add);
	co_buf_free(&q);
	return rc;
}

static int ng_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	int rc = -1;
	const char *cluster = co_value_str(co_value_attr(planned, "cluster_name"));
	const char *name = co_value_str(co_value_attr(planned, "name"));
	struct ng_wait w = {.cluster = cluster, .name = name};
	json_t *body = json_object(), *resp = NULL, *current = NULL;
	co_aws_error err = {0};

	json_t *labels = labels_update(co_value_attr(prior, "labels"),
	    co_value_attr(planned, "labels"));
	if (labels)
		json_object_set_new(body, "labels", labels);
	json_t *taints = taints_update(co_value_attr(prior, "taint"),
	    co_value_attr(planned, "taint"));
	if (taints)
		json_object_set_new(body, "taints", taints);

	int64_t mn = int_attr(planned, "min_size", 0);
	int64_t mx = int_attr(planned, "max_size", 1);
	int64_t ds = int_attr(planned, "desired_size", mn);
	bool track = co_value_bool_or(co_value_attr(planned, "track_desired_size"),
	    false);
	bool desired_changed = !co_value_equal(co_value_attr(prior, "desired_size"),
	    co_value_attr(planned, "desired_size"));
	bool bounds_changed =
	    !co_value_equal(co_value_attr(prior, "min_size"),
		co_value_attr(planned, "min_size")) ||
	    !co_value_equal(co_value_attr(prior, "max_size"),
		co_value_attr(planned, "max_size"));
	if (bounds_changed || desired_changed) {
		if (!track && !desired_changed) {
			/* The desired size belongs to the autoscaler: keep
			 * what it is now, moved into the new bounds, which
			 * EKS requires (min <= desired <= max). */
			if (ng_describe(ctx, cluster, name, &current) < 0)
				goto done;
			json_t *d = json_object_get(
			    json_object_get(current, "scalingConfig"),
			    "desiredSize");
			if (json_is_integer(d))
				ds = json_integer_value(d);
			if (ds < mn)
				ds = mn;
			if (ds > mx)
				ds = mx;
		}
		json_object_set_new(body, "scalingConfig",
		    json_pack("{s:I, s:I, s:I}", "minSize", (json_int_t)mn,
			"maxSize", (json_int_t)mx, "desiredSize",
			(json_int_t)ds));
	}

	if (json_object_size(body)) {
		if (co_aws_rest_json_call(ctx->provider->aws, "eks", "POST",
			ng_path(ctx, cluster, name, "/update-config"), NULL,
			body, &resp, &err) < 0) {
			co_diag_aws(ctx, NULL,
			    co_arena_sprintf(ctx->arena,
				"Updating EKS node group %s in cluster %s "
				"failed",
				name, cluster),
			    &err);
			goto done;
		}
		const char *uid = json_string_value(json_object_get(
		    json_object_get(resp, "update"), "id"));
		co_info("spot_node_group: update %s of %s in %s started",
		    uid ? uid : "?", name, cluster);
		/* DescribeUpdate would follow the update itself; the group
		 * is UPDATING until it is done, which is what matters. */
		if (ng_wait_for(ctx, &w, "update", "finish updating") < 0)
			goto done;
	}

	const co_value *want = co_value_attr(planned, "tags_all");
	const co_value *have = co_value_attr(prior, "tags_all");
	const char *arn = co_value_str(co_value_attr(prior, "arn"));
	if (arn && !co_value_equal(want, have) &&
	    ng_update_tags(ctx, arn, have, want) < 0)
		goto done;
	rc = 0;
done:
	/* Read back in every case, so a partial update is recorded. */
	if (w.last == NULL) {
		json_t *ng = NULL;
		if (ng_describe(ctx, cluster, name, &ng) == 0)
			w.last = ng;
	}
	if (w.last)
		*state = ng_state(ctx, rc == 0 ? planned : prior, w.last);
	json_decref(current);
	json_decref(w.last);
	json_decref(body);
	json_decref(resp);
	return rc;
}

static int ng_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	const char *cluster = co_value_str(co_value_attr(state, "cluster_name"));
	const char *name = co_value_str(co_value_attr(state, "name"));
	json_t *resp = NULL;
	co_aws_error err = {0};
	struct ng_wait w = {.cluster = cluster, .name = name, .deleting = true};
	int rc = -1;
	if (co_aws_rest_json_call(ctx->provider->aws, "eks", "DELETE",
		ng_path(ctx, cluster, name, NULL), NULL, NULL, &resp, &err) < 0) {
		if (co_aws_error_is(&err, "ResourceNotFoundException")) {
			rc = 0;
			goto done;
		}
		co_diag_aws(ctx, NULL,
		    co_arena_sprintf(ctx->arena,
			"Deleting EKS node group %s in cluster %s failed", name,
			cluster),
		    &err);
		goto done;
	}
	co_info("spot_node_group: deleting %s in %s", name, cluster);
	rc = ng_wait_for(ctx, &w, "delete", "be deleted");
done:
	if (rc < 0)
		*remaining = (co_value *)state;
	json_decref(w.last);
	json_decref(resp);
	return rc;
}

static int ng_import(co_ctx *ctx, const char *id, co_value **state)
{
	const char *colon = strchr(id, ':');
	if (!colon || colon == id || !colon[1] || strchr(colon + 1, ':')) {
		co_diag_error(ctx->diags, NULL, "Invalid import id",
		    "Expected \"<cluster_name>:<node_group_name>\", e.g. "
		    "\"retail-forecast-cluster:retail-forecast-nodes\"; got "
		    "\"%s\".",
		    id);
		return -1;
	}
	co_value *s = co_schema_empty(ctx->arena, &schema);
	co_value_set_attr(s, "cluster_name",
	    co_value_string(ctx->arena,
		co_arena_strndup(ctx->arena, id, (size_t)(colon - id))));
	co_value_set_attr(s, "name", co_value_string(ctx->arena, colon + 1));
	co_value_set_attr(s, "id", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "track_desired_size", co_value_bool(ctx->arena, false));
	*state = s;
	return 0;
}

const co_resource co_spot_node_group_resource = {
	.type_name = "costops_spot_node_group",
	.schema = &schema,
	.validate = ng_validate,
	.plan = ng_plan,
	.create = ng_create,
	.read = ng_read,
	.update = ng_update,
	.del = ng_delete,
	.import = ng_import,
};
