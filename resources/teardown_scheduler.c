/* costops_teardown: EventBridge Scheduler schedule groups and their
 * schedules. Schedules cannot carry tags (only groups can: Scheduler API
 * reference, TagResource), so a group that matches takes every schedule in
 * it along. The Tagging API does not list Scheduler resources in moto
 * (moto-coverage.md §8.5): groups are listed and their tags read. */
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

static json_t *group_tags(co_td_run *run, const char *arn)
{
	const char *path = co_arena_sprintf(run->ctx->arena, "/tags/%s",
	    enc(run->ctx->arena, arn));
	json_t *resp = NULL;
	co_aws_error err = {0};
	if (co_aws_rest_json_call(run->aws, "scheduler", "GET", path, NULL,
		NULL, &resp, &err) < 0) {
		co_td_list_failed(run,
		    co_arena_sprintf(run->ctx->arena,
			"Reading the tags of schedule group %s failed", arn),
		    &err);
		return NULL;
	}
	json_t *tags = co_td_tags_object(json_object_get(resp, "Tags"));
	json_decref(resp);
	return tags;
}

/* Records every schedule of a group ("group/name"). */
static int group_schedules(co_td_run *run, const char *group, json_t *tags)
{
	char *token = NULL;
	int rc = -1;
	do {
		const char *query = co_arena_sprintf(run->ctx->arena,
		    "MaxResults=100&ScheduleGroup=%s%s%s",
		    enc(run->ctx->arena, group), token ? "&NextToken=" : "",
		    token ? enc(run->ctx->arena, token) : "");
		free(token);
		token = NULL;
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (co_aws_rest_json_call(run->aws, "scheduler", "GET",
			"/schedules", query, NULL, &resp, &err) < 0) {
			co_td_list_failed(run,
			    co_arena_sprintf(run->ctx->arena,
				"Listing the schedules of group %s failed",
				group),
			    &err);
			goto done;
		}
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(resp, "Schedules"), i, s)
		{
			const char *name =
			    json_string_value(json_object_get(s, "Name"));
			const char *arn =
			    json_string_value(json_object_get(s, "Arn"));
			if (!name)
				continue;
			if (co_td_found(run, "scheduler_schedule",
				co_arena_sprintf(run->ctx->arena, "%s/%s",
				    group, name),
				arn, tags) < 0) {
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

int co_td_scheduler_discover(co_td_run *run)
{
	if (!run->sel->n_filter)
		return 0;
	char *token = NULL;
	int rc = -1;
	do {
		const char *query = token
			? co_arena_sprintf(run->ctx->arena,
			      "MaxResults=100&NextToken=%s",
			      enc(run->ctx->arena, token))
			: "MaxResults=100";
		free(token);
		token = NULL;
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (co_aws_rest_json_call(run->aws, "scheduler", "GET",
			"/schedule-groups", query, NULL, &resp, &err) < 0) {
			co_td_list_failed(run, "Listing schedule groups failed",
			    &err);
			goto done;
		}
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(resp, "ScheduleGroups"), i, g)
		{
			const char *name =
			    json_string_value(json_object_get(g, "Name"));
			const char *arn =
			    json_string_value(json_object_get(g, "Arn"));
			const char *state =
			    json_string_value(json_object_get(g, "State"));
			/* The default group has no tags and cannot be
			 * deleted; a DELETING group is already going. */
			if (!name || !arn || strcmp(name, "default") == 0 ||
			    (state && strcmp(state, "DELETING") == 0))
				continue;
			json_t *tags = group_tags(run, arn);
			int frc = 0;
			if (!tags)
				frc = -1;
			else if (co_td_tags_match(run->sel, tags) &&
				 (group_schedules(run, name, tags) < 0 ||
				     co_td_found(run, "scheduler_schedule_group",
					 name, arn, tags) < 0))
				frc = -1;
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

/* ---- deletion ------------------------------------------------------------------ */

int co_td_scheduler_delete_schedule(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	const char *slash = strchr(it->name, '/');
	if (!slash)
		return 0; /* not a name this engine wrote */
	co_arena *a = run->ctx->arena;
	const char *group = co_arena_strndup(a, it->name,
	    (size_t)(slash - it->name));
	const char *path = co_arena_sprintf(a, "/schedules/%s", enc(a, slash + 1));
	const char *query = co_arena_sprintf(a, "groupName=%s", enc(a, group));
	if (co_td_pace(run, 50) < 0)
		return -1;
	json_t *resp = NULL;
	int rc = co_aws_rest_json_call(run->aws, "scheduler", "DELETE", path,
	    query, NULL, &resp, err);
	json_decref(resp);
	if (rc < 0 && co_aws_error_is(err, "ResourceNotFoundException"))
		return 0;
	return rc;
}

int co_td_scheduler_delete_group(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	co_arena *a = run->ctx->arena;
	const char *path = co_arena_sprintf(a, "/schedule-groups/%s",
	    enc(a, it->name));
	if (co_td_pace(run, 50) < 0)
		return -1;
	json_t *resp = NULL;
	int rc = co_aws_rest_json_call(run->aws, "scheduler", "DELETE", path,
	    NULL, NULL, &resp, err);
	json_decref(resp);
	if (rc < 0 && co_aws_error_is(err, "ResourceNotFoundException"))
		return 0;
	return rc;
}
