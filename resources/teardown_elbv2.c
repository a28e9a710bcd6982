/* costops_teardown: load balancers and target groups, including those the
 * AWS Load Balancer Controller created for a cluster being torn down
 * (Terraform never knew them). The controller tags what it creates with
 * elbv2.k8s.aws/cluster = <cluster> (and older versions with
 * kubernetes.io/cluster/<cluster>), not with the project's tags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

#define ELB_VERSION "2015-12-01" /* moto picks ELBv2 over ELB by it */

/* DescribeTags takes at most 20 ARNs (ELBv2 API reference). */
#define ELB_TAGS_BATCH 20

typedef struct elb_entry {
	const char *arn, *name;
} elb_entry;

typedef struct elb_kind {
	const char *action;      /* DescribeLoadBalancers, DescribeTargetGroups */
	const char *list_path;   /* the result's list element */
	const char *arn_field, *name_field;
	const char *type;        /* inventory type */
	const char *marker_path; /* the next page's marker */
} elb_kind;

static const elb_kind kinds[] = {
	{"DescribeLoadBalancers", "DescribeLoadBalancersResponse/"
	    "DescribeLoadBalancersResult/LoadBalancers",
	    "LoadBalancerArn", "LoadBalancerName", "elbv2_load_balancer",
	    "DescribeLoadBalancersResponse/DescribeLoadBalancersResult/"
	    "NextMarker"},
	{"DescribeTargetGroups", "DescribeTargetGroupsResponse/"
	    "DescribeTargetGroupsResult/TargetGroups",
	    "TargetGroupArn", "TargetGroupName", "elbv2_target_group",
	    "DescribeTargetGroupsResponse/DescribeTargetGroupsResult/"
	    "NextMarker"},
};

/* True when the controller made it for a cluster in this teardown. */
static bool controller_owned(co_td_run *run, json_t *tags)
{
	const char *owner =
	    json_string_value(json_object_get(tags, "elbv2.k8s.aws/cluster"));
	for (size_t i = 0; i < run->clusters.n; i++) {
		const char *c = run->clusters.items[i].name;
		if (owner && strcmp(owner, c) == 0)
			return true;
		char key[300];
		snprintf(key, sizeof(key), "kubernetes.io/cluster/%s", c);
		if (json_object_get(tags, key))
			return true;
	}
	return false;
}

/* Tags for entries [0..n) (n <= 20), then records the matching ones. */
static int tag_batch(co_td_run *run, const elb_kind *k, const elb_entry *e,
    size_t n)
{
	co_arena *a = run->ctx->arena;
	const char **params = co_arena_alloc(a, (2 * n + 5) * sizeof(*params));
	size_t p = 0;
	params[p++] = "Action";
	params[p++] = "DescribeTags";
	params[p++] = "Version";
	params[p++] = ELB_VERSION;
	for (size_t i = 0; i < n; i++) {
		params[p++] = co_arena_sprintf(a, "ResourceArns.member.%zu", i + 1);
		params[p++] = e[i].arn;
	}
	params[p] = NULL;
	co_xml *x = NULL;
	co_aws_error err = {0};
	if (co_aws_query_call(run->aws, "elbv2", params, &x, &err) < 0)
		return co_td_list_failed(run,
		    "Reading load balancer tags (DescribeTags) failed", &err);
	int rc = 0;
	const co_xml *list = co_xml_find(x,
	    "DescribeTagsResponse/DescribeTagsResult/TagDescriptions");
	for (const co_xml *m = list ? list->child : NULL; m && rc == 0;
	     m = m->next) {
		const char *arn = co_xml_text(m, "ResourceArn");
		const co_xml *tl = co_xml_find(m, "Tags");
		json_t *tags = json_object();
		for (const co_xml *t = tl ? tl->child : NULL; t; t = t->next) {
			const char *key = co_xml_text(t, "Key");
			const char *val = co_xml_text(t, "Value");
			if (key)
				json_object_set_new(tags, key,
				    json_string(val ? val : ""));
		}
		const char *name = NULL;
		for (size_t i = 0; arn && i < n; i++)
			if (strcmp(e[i].arn, arn) == 0)
				name = e[i].name;
		if (name && (co_td_tags_match(run->sel, tags) ||
				controller_owned(run, tags)))
			rc = co_td_found(run, k->type, name, arn, tags);
		json_decref(tags);
	}
	co_xml_free(x);
	return rc;
}

static int discover_kind(co_td_run *run, const elb_kind *k)
{
	co_arena *a = run->ctx->arena;
	const char *marker = NULL;
	do {
		/* PageSize is at most 400 (ELBv2 API reference). */
		const char *params[] = {"Action", k->action, "Version",
		    ELB_VERSION, "PageSize", "400", marker ? "Marker" : NULL,
		    marker, NULL};
		co_xml *x = NULL;
		co_aws_error err = {0};
		if (co_aws_query_call(run->aws, "elbv2", params, &x, &err) < 0)
			return co_td_list_failed(run,
			    co_arena_sprintf(a, "Listing load balancers (%s) "
						"failed",
				k->action),
			    &err);
		elb_entry batch[ELB_TAGS_BATCH];
		size_t n = 0;
		int rc = 0;
		const co_xml *list = co_xml_find(x, k->list_path);
		for (const co_xml *m = list ? list->child : NULL; m && rc == 0;
		     m = m->next) {
			const char *arn = co_xml_text(m, k->arn_field);
			const char *name = co_xml_text(m, k->name_field);
			if (!arn || !name)
				continue;
			batch[n].arn = co_arena_strdup(a, arn);
			batch[n].name = co_arena_strdup(a, name);
			if (++n == ELB_TAGS_BATCH) {
				rc = tag_batch(run, k, batch, n);
				n = 0;
			}
		}
		if (rc == 0 && n)
			rc = tag_batch(run, k, batch, n);
		const char *next = co_xml_text(x, k->marker_path);
		marker = next && *next ? co_arena_strdup(a, next) : NULL;
		co_xml_free(x);
		if (rc < 0)
			return -1;
	} while (marker);
	return 0;
}

int co_td_elbv2_discover(co_td_run *run)
{
	if (!run->sel->n_filter && !run->clusters.n)
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (discover_kind(run, &kinds[i]) < 0)
			return -1;
	return 0;
}

/* ---- deletion ------------------------------------------------------------------ */

static int elb_delete(co_td_run *run, const char *action, const char *field,
    const co_td_item *it, const char *not_found, co_aws_error *err)
{
	if (co_td_pace(run, 100) < 0)
		return -1;
	const char *params[] = {"Action", action, "Version", ELB_VERSION, field,
	    it->arn, NULL};
	co_xml *x = NULL;
	int rc = co_aws_query_call(run->aws, "elbv2", params, &x, err);
	co_xml_free(x);
	if (rc < 0 && co_aws_error_is(err, not_found))
		return 0;
	return rc;
}

int co_td_elbv2_delete_load_balancer(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	return elb_delete(run, "DeleteLoadBalancer", "LoadBalancerArn", it,
	    "LoadBalancerNotFound", err);
}

int co_td_elbv2_delete_target_group(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	/* A target group still attached to a listener answers
	 * ResourceInUse; load balancers go first (co_td_kinds order). */
	return elb_delete(run, "DeleteTargetGroup", "TargetGroupArn", it,
	    "TargetGroupNotFound", err);
}
