/* costops_teardown: CloudWatch log groups, by tag (Tagging API) and by
 * name prefix (DescribeLogGroups), which also catches the groups AWS
 * services create on their own (/aws/sagemaker/..., /aws/eks/...), which
 * no Terraform resource owns. */
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

#define LOGS "Logs_20140328."

static json_t *group_tags(co_td_run *run, const char *arn)
{
	json_t *resp = NULL;
	co_aws_error err = {0};
	json_t *req = json_pack("{s:s}", "resourceArn", arn);
	int rc = co_aws_json_call(run->aws, "logs", LOGS "ListTagsForResource",
	    req, &resp, &err);
	json_decref(req);
	if (rc < 0) {
		if (co_aws_error_is(&err, "ResourceNotFoundException"))
			return json_object();
		co_td_list_failed(run,
		    co_arena_sprintf(run->ctx->arena,
			"Reading the tags of log group %s failed", arn),
		    &err);
		return NULL;
	}
	json_t *tags = co_td_tags_object(json_object_get(resp, "tags"));
	json_decref(resp);
	return tags;
}

static int by_prefix(co_td_run *run, const char *prefix)
{
	co_arena *a = run->ctx->arena;
	char *token = NULL;
	int rc = -1, pages = 0;
	do {
		/* limit is at most 50 (DescribeLogGroups API reference). */
		json_t *req = json_pack("{s:s, s:i}", "logGroupNamePrefix",
		    prefix, "limit", 50);
		if (token) {
			json_object_set_new(req, "nextToken", json_string(token));
			free(token);
			token = NULL;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		int crc = co_aws_json_call(run->aws, "logs",
		    LOGS "DescribeLogGroups", req, &resp, &err);
		json_decref(req);
		if (crc < 0) {
			co_td_list_failed(run,
			    co_arena_sprintf(a,
				"Listing log groups under %s failed", prefix),
			    &err);
			goto done;
		}
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(resp, "logGroups"), i, g)
		{
			const char *name =
			    json_string_value(json_object_get(g, "logGroupName"));
			const char *arn =
			    json_string_value(json_object_get(g, "logGroupArn"));
			if (!arn)
				arn = json_string_value(json_object_get(g, "arn"));
			if (!name || !arn)
				continue;
			/* Tag APIs want the ARN without the ":*" suffix. */
			size_t n = strlen(arn);
			const char *bare = n >= 2 && strcmp(arn + n - 2, ":*") == 0
					       ? co_arena_strndup(a, arn, n - 2)
					       : arn;
			json_t *tags = group_tags(run, bare);
			int frc = tags ? co_td_found(run, "logs_log_group", name,
					     bare, tags)
				       : -1;
			json_decref(tags);
			if (frc < 0) {
				json_decref(resp);
				goto done;
			}
		}
		const char *next =
		    json_string_value(json_object_get(resp, "nextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
		if (++pages % 20 == 0)
			co_info("teardown: %d pages of log groups under %s so far",
			    pages, prefix);
	} while (token);
	rc = 0;
done:
	free(token);
	return rc;
}

int co_td_logs_discover(co_td_run *run)
{
	co_arena *a = run->ctx->arena;
	/* moto matches "logs" (and its own "logs:loggroup"), AWS "logs" and
	 * "logs:log-group"; the service alone suits both. */
	static const char *const types[] = {"logs", NULL};
	json_t *tagged = NULL;
	if (co_td_tagged(run, types, &tagged) < 0)
		return -1;
	int rc = 0;
	const char *arn;
	json_t *tags;
	json_object_foreach(tagged, arn, tags)
	{
		const char *name = co_td_arn_log_group(a, arn);
		if (name && (rc = co_td_found(run, "logs_log_group", name, arn,
				 tags)) < 0)
			break;
	}
	json_decref(tagged);
	for (size_t i = 0; rc == 0 && i < run->sel->log_group_prefixes.n; i++)
		rc = by_prefix(run, run->sel->log_group_prefixes.v[i]);
	return rc;
}

int co_td_logs_delete_group(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	/* DeleteLogGroup: 5 TPS per account and region (CloudWatch Logs
	 * quotas). */
	if (co_td_pace(run, 200) < 0)
		return -1;
	json_t *resp = NULL;
	json_t *req = json_pack("{s:s}", "logGroupName", it->name);
	int rc = co_aws_json_call(run->aws, "logs", LOGS "DeleteLogGroup", req,
	    &resp, err);
	json_decref(req);
	json_decref(resp);
	if (rc < 0 && co_aws_error_is(err, "ResourceNotFoundException"))
		return 0;
	return rc;
}
