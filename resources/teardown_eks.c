/* costops_teardown: EKS clusters and managed node groups. The Tagging API
 * does not list EKS resources in moto (moto-coverage.md §8.5), so clusters
 * and node groups are listed and their tags read from DescribeCluster and
 * DescribeNodegroup. A cluster cannot be deleted while it has node groups
 * (DeleteCluster: ResourceInUseException), so a matching cluster takes all
 * its node groups along, and one protected node group keeps the cluster. */
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

static const char *enc(co_arena *a, const char *s)
{
	co_buf b;
	co_buf_init(&b, 4096);
	co_aws_uri_encode(&b, s, false);
	const char *out = co_arena_strdup(a, co_buf_cstr(&b));
	co_buf_free(&b);
	return out;
}

/* GET path with optional pagination; *resp is a new reference. */
static int eks_get(co_td_run *run, const char *path, const char *token,
    json_t **resp, co_aws_error *err)
{
	const char *query = token ? co_arena_sprintf(run->ctx->arena,
					"maxResults=100&nextToken=%s",
					enc(run->ctx->arena, token))
				  : NULL;
	return co_aws_rest_json_call(run->aws, "eks", "GET", path, query, NULL,
	    resp, err);
}

/* Every name in a paginated EKS list (ListClusters, ListNodegroups). */
static int eks_names(co_td_run *run, const char *path, const char *key,
    co_td_strs *out)
{
	co_arena *a = run->ctx->arena;
	size_t cap = 0;
	char *token = NULL;
	int rc = -1;
	out->v = NULL;
	out->n = 0;
	do {
		json_t *resp = NULL;
		co_aws_error err = {0};
		int crc = eks_get(run, path, token, &resp, &err);
		free(token);
		token = NULL;
		if (crc < 0) {
			co_td_list_failed(run,
			    co_arena_sprintf(a, "Listing EKS %s failed", key),
			    &err);
			goto done;
		}
		size_t i;
		json_t *n;
		json_array_foreach(json_object_get(resp, key), i, n)
		{
			if (!json_is_string(n) || out->n >= CO_TD_MAX_ITEMS)
				continue;
			if (out->n == cap) {
				cap = cap ? cap * 2 : 16;
				const char **v = co_arena_alloc(a, cap * sizeof(*v));
				if (out->n)
					memcpy(v, out->v, out->n * sizeof(*v));
				out->v = v;
			}
			out->v[out->n++] = co_arena_strdup(a, json_string_value(n));
		}
		const char *next =
		    json_string_value(json_object_get(resp, "nextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
	} while (token);
	rc = 0;
done:
	free(token);
	return rc;
}

/* Looks at one cluster's node groups: records the matching ones and says
 * whether any is protected (which keeps the cluster). */
static int cluster_nodegroups(co_td_run *run, const char *cluster,
    bool cluster_match, bool cluster_protected, const char **protected_ng)
{
	co_arena *a = run->ctx->arena;
	co_td_strs ngs;
	*protected_ng = NULL;
	if (eks_names(run, co_arena_sprintf(a, "/clusters/%s/node-groups",
				enc(a, cluster)),
		"nodegroups", &ngs) < 0)
		return -1;
	for (size_t i = 0; i < ngs.n; i++) {
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (eks_get(run,
			co_arena_sprintf(a, "/clusters/%s/node-groups/%s",
			    enc(a, cluster), enc(a, ngs.v[i])),
			NULL, &resp, &err) < 0) {
			if (co_aws_error_is(&err, "ResourceNotFoundException"))
				continue; /* deleted meanwhile */
			return co_td_list_failed(run,
			    co_arena_sprintf(a,
				"Describing EKS node group %s/%s failed",
				cluster, ngs.v[i]),
			    &err);
		}
		json_t *ng = json_object_get(resp, "nodegroup");
		json_t *tags = co_td_tags_object(json_object_get(ng, "tags"));
		const char *arn =
		    json_string_value(json_object_get(ng, "nodegroupArn"));
		const char *name = co_arena_sprintf(a, "%s/%s", cluster, ngs.v[i]);
		int rc = 0;
		if (cluster_protected || co_td_tags_protected(run->sel, tags)) {
			if (cluster_match || co_td_tags_match(run->sel, tags)) {
				*protected_ng = ngs.v[i];
				rc = co_td_list_add(a, &run->protect,
				    "eks_nodegroup", name, arn, NULL);
			}
		} else if (cluster_match || co_td_tags_match(run->sel, tags)) {
			rc = co_td_found(run, "eks_nodegroup", name, arn, tags);
		}
		json_decref(tags);
		json_decref(resp);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int co_td_eks_discover(co_td_run *run)
{
	if (!run->sel->n_filter)
		return 0;
	co_arena *a = run->ctx->arena;
	co_td_strs clusters;
	if (eks_names(run, "/clusters", "clusters", &clusters) < 0)
		return -1;
	for (size_t i = 0; i < clusters.n; i++) {
		const char *name = clusters.v[i];
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (eks_get(run, co_arena_sprintf(a, "/clusters/%s", enc(a, name)),
			NULL, &resp, &err) < 0) {
			if (co_aws_error_is(&err, "ResourceNotFoundException"))
				continue;
			return co_td_list_failed(run,
			    co_arena_sprintf(a,
				"Describing EKS cluster %s failed", name),
			    &err);
		}
		json_t *c = json_object_get(resp, "cluster");
		json_t *tags = co_td_tags_object(json_object_get(c, "tags"));
		const char *arn = json_string_value(json_object_get(c, "arn"));
		bool match = co_td_tags_match(run->sel, tags);
		bool prot = co_td_tags_protected(run->sel, tags);
		const char *protected_ng = NULL;
		int rc = cluster_nodegroups(run, name, match, prot,
		    &protected_ng);
		if (rc == 0 && match) {
			if (prot)
				rc = co_td_list_add(a, &run->protect,
				    "eks_cluster", name, arn, NULL);
			else if (protected_ng)
				rc = co_td_list_add(a, &run->skipped,
				    "eks_cluster", name, arn,
				    co_arena_sprintf(a,
					"its node group %s carries the "
					"protect tag, and a cluster cannot "
					"be deleted while it has node groups",
					protected_ng));
			else if ((rc = co_td_found(run, "eks_cluster", name,
				      arn, tags)) == 0)
				rc = co_td_list_add(a, &run->clusters,
				    "eks_cluster", name, arn, NULL);
		}
		json_decref(tags);
		json_decref(resp);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- deletion ------------------------------------------------------------------ */

static const char *ng_path(co_td_run *run, const co_td_item *it)
{
	co_arena *a = run->ctx->arena;
	const char *slash = strchr(it->name, '/');
	if (!slash)
		return NULL;
	return co_arena_sprintf(a, "/clusters/%s/node-groups/%s",
	    enc(a, co_arena_strndup(a, it->name, (size_t)(slash - it->name))),
	    enc(a, slash + 1));
}

/* 1 when DescribeX says not found, 0 while it exists, -1 on error. */
static int eks_gone_at(co_td_run *run, const char *path, co_aws_error *err)
{
	json_t *resp = NULL;
	int rc = co_aws_rest_json_call(run->aws, "eks", "GET", path, NULL, NULL,
	    &resp, err);
	json_decref(resp);
	if (rc < 0)
		return co_aws_error_is(err, "ResourceNotFoundException") ? 1
									 : -1;
	return 0;
}

static int nodegroup_gone(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	return eks_gone_at(run, ng_path(run, it), err);
}

static int cluster_gone(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	return eks_gone_at(run,
	    co_arena_sprintf(run->ctx->arena, "/clusters/%s",
		enc(run->ctx->arena, it->name)),
	    err);
}

static int eks_delete(co_td_run *run, const co_td_item *it, const char *path,
    co_td_gone_fn gone, co_aws_error *err)
{
	if (!path)
		return 0;
	if (co_td_pace(run, 200) < 0)
		return -1;
	json_t *resp = NULL;
	int rc = co_aws_rest_json_call(run->aws, "eks", "DELETE", path, NULL,
	    NULL, &resp, err);
	json_decref(resp);
	if (rc < 0) {
		if (co_aws_error_is(err, "ResourceNotFoundException"))
			return 0;
		/* Already DELETING answers ResourceInUseException: wait for
		 * it like for our own call. Any other state is a failure. */
		if (!co_aws_error_is(err, "ResourceInUseException"))
			return -1;
		json_t *d = NULL;
		co_aws_error derr = {0};
		if (co_aws_rest_json_call(run->aws, "eks", "GET", path, NULL,
			NULL, &d, &derr) < 0)
			return co_aws_error_is(&derr, "ResourceNotFoundException")
				   ? 0
				   : -1;
		json_t *obj = json_object_get(d, "nodegroup");
		if (!obj)
			obj = json_object_get(d, "cluster");
		const char *status =
		    json_string_value(json_object_get(obj, "status"));
		bool deleting = status && strcmp(status, "DELETING") == 0;
		json_decref(d);
		if (!deleting)
			return -1;
	}
	co_info("teardown: deleting %s %s", co_td_kind_of(it->type)->what,
	    it->name);
	return co_td_wait_gone(run, it, gone, err);
}

int co_td_eks_delete_nodegroup(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	return eks_delete(run, it, ng_path(run, it), nodegroup_gone, err);
}

int co_td_eks_delete_cluster(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	return eks_delete(run, it,
	    co_arena_sprintf(run->ctx->arena, "/clusters/%s",
		enc(run->ctx->arena, it->name)),
	    cluster_gone, err);
}
