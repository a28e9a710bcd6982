/* costops_teardown: SageMaker endpoints, endpoint configs and models.
 * Endpoints are found by tag (Tagging API) or name prefix; configs and
 * models by tag (ListTags, since the Tagging API is unreliable for
 * endpoint configs in moto) or by the same prefixes. */
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

#define SM "SageMaker."

/* SageMaker reports a missing resource as ValidationException "Could not
 * find ..." (DescribeEndpoint, DeleteEndpointConfig, DeleteModel), never
 * as a not-found code; other ValidationExceptions are real failures. */
static bool sm_not_found(const co_aws_error *err)
{
	return co_aws_error_is(err, "ValidationException|ResourceNotFound") &&
	       strstr(err->message, "Could not find") != NULL;
}

static int sm_call(co_td_run *run, const char *op, json_t *req,
    json_t **resp, co_aws_error *err)
{
	char target[64];
	snprintf(target, sizeof(target), SM "%s", op);
	int rc = co_aws_json_call(run->aws, "sagemaker", target, req, resp, err);
	json_decref(req);
	return rc;
}

/* Tags of one resource (all pages), as an object; NULL on error (a
 * diagnostic is added). */
static json_t *sm_tags(co_td_run *run, const char *arn)
{
	json_t *tags = json_object();
	char *token = NULL;
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
		if (sm_call(run, "ListTags", req, &resp, &err) < 0) {
			json_decref(tags);
			co_td_list_failed(run,
			    co_arena_sprintf(run->ctx->arena,
				"Reading the tags of %s failed", arn),
			    &err);
			return NULL;
		}
		json_t *page = co_td_tags_object(json_object_get(resp, "Tags"));
		json_object_update(tags, page);
		json_decref(page);
		const char *next =
		    json_string_value(json_object_get(resp, "NextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
	} while (token);
	return tags;
}

/* Lists one kind (ListEndpoints, ListEndpointConfigs, ListModels) and
 * records the matches. tagged maps ARNs found by the Tagging API to their
 * tags; NULL means ask ListTags for every candidate. */
static int sm_discover_kind(co_td_run *run, const char *op, const char *list_key,
    const char *name_key, const char *arn_key, const char *type,
    json_t *tagged)
{
	int rc = -1;
	char *token = NULL;
	do {
		json_t *req = json_pack("{s:i}", "MaxResults", 100);
		if (token) {
			json_object_set_new(req, "NextToken", json_string(token));
			free(token);
			token = NULL;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (sm_call(run, op, req, &resp, &err) < 0) {
			co_td_list_failed(run,
			    co_arena_sprintf(run->ctx->arena,
				"Listing SageMaker resources (%s) failed", op),
			    &err);
			goto done;
		}
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(resp, list_key), i, e)
		{
			const char *name =
			    json_string_value(json_object_get(e, name_key));
			const char *arn =
			    json_string_value(json_object_get(e, arn_key));
			const char *status = json_string_value(
			    json_object_get(e, "EndpointStatus"));
			if (!name || !arn)
				continue;
			/* Already going: DeleteEndpoint would be refused. */
			if (status && strcmp(status, "Deleting") == 0)
				continue;
			bool by_name = co_td_has_prefix(
			    &run->sel->endpoint_prefixes, name);
			json_t *tags = tagged ? json_incref(json_object_get(tagged,
							arn))
					      : NULL;
			if (!tags && (by_name || (!tagged && run->sel->n_filter))) {
				tags = sm_tags(run, arn);
				if (!tags) {
					json_decref(resp);
					goto done;
				}
			}
			int frc = 0;
			if (by_name || co_td_tags_match(run->sel, tags))
				frc = co_td_found(run, type, name, arn, tags);
			json_decref(tags);
			if (frc < 0) {
				json_decref(resp);
				goto done;
			}
		}
		const char *next =
		    json_string_value(json_object_get(resp, "NextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
	} while (token);
	rc = 0;
done:
	free(token);
	return rc;
}

int co_td_sagemaker_discover(co_td_run *run)
{
	if (!run->sel->n_filter && !run->sel->endpoint_prefixes.n)
		return 0;
	static const char *const types[] = {"sagemaker:endpoint",
	    "sagemaker:model", NULL};
	json_t *tagged = NULL;
	int rc = -1;
	if (co_td_tagged(run, types, &tagged) < 0)
		goto done;
	if (sm_discover_kind(run, "ListEndpoints", "Endpoints", "EndpointName",
		"EndpointArn", "sagemaker_endpoint", tagged) < 0 ||
	    sm_discover_kind(run, "ListEndpointConfigs", "EndpointConfigs",
		"EndpointConfigName", "EndpointConfigArn",
		"sagemaker_endpoint_config", NULL) < 0 ||
	    sm_discover_kind(run, "ListModels", "Models", "ModelName",
		"ModelArn", "sagemaker_model", tagged) < 0)
		goto done;
	rc = 0;
done:
	json_decref(tagged);
	return rc;
}

/* ---- deletion ------------------------------------------------------------------ */

static int sm_delete(co_td_run *run, const char *op, const char *key,
    const co_td_item *it, co_aws_error *err)
{
	if (co_td_pace(run, 200) < 0)
		return -1;
	json_t *resp = NULL;
	int rc = sm_call(run, op, json_pack("{s:s}", key, it->name), &resp, err);
	json_decref(resp);
	if (rc < 0 && sm_not_found(err))
		return 0;
	return rc;
}

static int endpoint_gone(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	json_t *resp = NULL;
	int rc = sm_call(run, "DescribeEndpoint",
	    json_pack("{s:s}", "EndpointName", it->name), &resp, err);
	json_decref(resp);
	if (rc < 0)
		return sm_not_found(err) ? 1 : -1;
	return 0;
}

int co_td_sagemaker_delete_endpoint(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	if (sm_delete(run, "DeleteEndpoint", "EndpointName", it, err) < 0)
		return -1;
	/* Deletion is asynchronous (status Deleting); its config and model
	 * go next, and the verification must not find it. */
	return co_td_wait_gone(run, it, endpoint_gone, err);
}

int co_td_sagemaker_delete_endpoint_config(co_td_run *run,
    const co_td_item *it, co_aws_error *err)
{
	return sm_delete(run, "DeleteEndpointConfig", "EndpointConfigName", it,
	    err);
}

int co_td_sagemaker_delete_model(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	return sm_delete(run, "DeleteModel", "ModelName", it, err);
}
