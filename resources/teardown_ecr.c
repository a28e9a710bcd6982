/* costops_teardown: ECR repositories and their images. A tagged
 * repository is emptied and deleted; one named in ecr_repositories is only
 * emptied. The images are one inventory item per repository ("ecr_images")
 * and present only while the repository holds images. */
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

#define ECR "AmazonEC2ContainerRegistry_V20150921."

static int ecr_call(co_td_run *run, const char *op, json_t *req, json_t **resp,
    co_aws_error *err)
{
	char target[96];
	snprintf(target, sizeof(target), ECR "%s", op);
	int rc = co_aws_json_call(run->aws, "ecr", target, req, resp, err);
	json_decref(req);
	return rc;
}

/* 1 when the repository holds an image, 0 when empty or gone, -1 on error. */
static int has_images(co_td_run *run, const char *repo)
{
	json_t *resp = NULL;
	co_aws_error err = {0};
	if (ecr_call(run, "ListImages",
		json_pack("{s:s, s:i}", "repositoryName", repo, "maxResults", 1),
		&resp, &err) < 0) {
		if (co_aws_error_is(&err, "RepositoryNotFoundException"))
			return 0;
		return co_td_list_failed(run,
		    co_arena_sprintf(run->ctx->arena,
			"Listing the images of %s failed", repo),
		    &err);
	}
	int rc = json_array_size(json_object_get(resp, "imageIds")) > 0;
	json_decref(resp);
	return rc;
}

static int consider_repo(co_td_run *run, const char *name, const char *arn)
{
	bool named = co_td_contains(&run->sel->ecr_repositories, name);
	if (!named && !run->sel->n_filter)
		return 0;
	json_t *resp = NULL;
	co_aws_error err = {0};
	if (ecr_call(run, "ListTagsForResource",
		json_pack("{s:s}", "resourceArn", arn), &resp, &err) < 0) {
		if (co_aws_error_is(&err, "RepositoryNotFoundException"))
			return 0;
		return co_td_list_failed(run,
		    co_arena_sprintf(run->ctx->arena,
			"Reading the tags of repository %s failed", name),
		    &err);
	}
	json_t *tags = co_td_tags_object(json_object_get(resp, "tags"));
	json_decref(resp);
	bool tagged = co_td_tags_match(run->sel, tags);
	int rc = 0;
	if (tagged || named) {
		int imgs = has_images(run, name);
		if (imgs < 0)
			rc = -1;
		else if (imgs)
			rc = co_td_found(run, "ecr_images", name, arn, tags);
		if (rc == 0 && tagged)
			rc = co_td_found(run, "ecr_repository", name, arn, tags);
	}
	json_decref(tags);
	return rc;
}

int co_td_ecr_discover(co_td_run *run)
{
	if (!run->sel->n_filter && !run->sel->ecr_repositories.n)
		return 0;
	co_arena *a = run->ctx->arena;
	co_td_list seen = {0};
	char *token = NULL;
	int rc = -1;
	do {
		json_t *req = json_pack("{s:i}", "maxResults", 1000);
		if (token) {
			json_object_set_new(req, "nextToken", json_string(token));
			free(token);
			token = NULL;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		if (ecr_call(run, "DescribeRepositories", req, &resp, &err) < 0) {
			co_td_list_failed(run, "Listing ECR repositories failed",
			    &err);
			goto done;
		}
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(resp, "repositories"), i, r)
		{
			const char *name = json_string_value(
			    json_object_get(r, "repositoryName"));
			const char *arn = json_string_value(
			    json_object_get(r, "repositoryArn"));
			if (!name || !arn)
				continue;
			if (co_td_list_add(a, &seen, "", name, arn, NULL) < 0 ||
			    consider_repo(run, name, arn) < 0) {
				json_decref(resp);
				goto done;
			}
		}
		const char *next =
		    json_string_value(json_object_get(resp, "nextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
	} while (token);
	/* A named repository that does not exist is worth saying. */
	for (size_t i = 0; i < run->sel->ecr_repositories.n; i++) {
		const char *name = run->sel->ecr_repositories.v[i];
		if (co_td_list_find(&seen, "", name) < 0 &&
		    co_td_list_find(&run->skipped, "ecr_images", name) < 0)
			co_td_list_add(a, &run->skipped, "ecr_images", name, "",
			    "no such repository");
	}
	rc = 0;
done:
	free(token);
	return rc;
}

/* ---- deletion ------------------------------------------------------------------ */

/* One BatchDeleteImage of up to 100 digests; per-image failures other
 * than "already gone" fail the item. */
static int delete_batch(co_td_run *run, const char *repo, json_t *ids,
    co_aws_error *err)
{
	if (co_td_pace(run, 100) < 0)
		return -1;
	json_t *resp = NULL;
	if (ecr_call(run, "BatchDeleteImage",
		json_pack("{s:s, s:O}", "repositoryName", repo, "imageIds", ids),
		&resp, err) < 0)
		return co_aws_error_is(err, "RepositoryNotFoundException") ? 0
									   : -1;
	int rc = 0;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(resp, "failures"), i, f)
	{
		const char *code =
		    json_string_value(json_object_get(f, "failureCode"));
		if (code && strcmp(code, "ImageNotFound") == 0)
			continue;
		memset(err, 0, sizeof(*err));
		snprintf(err->code, sizeof(err->code), "%s",
		    code ? code : "BatchDeleteImageFailure");
		snprintf(err->message, sizeof(err->message), "%s",
		    json_string_value(json_object_get(f, "failureReason"))
			? json_string_value(json_object_get(f, "failureReason"))
			: "an image could not be deleted");
		rc = -1;
		break;
	}
	json_decref(resp);
	return rc;
}

int co_td_ecr_delete_images(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	size_t deleted = 0;
	/* Each round lists a page, deletes it in batches of 100 and lists
	 * again from the start, so images pushed meanwhile go too; the
	 * round cap stops a repository that is being filled as fast. */
	for (int round = 0; round < 1000; round++) {
		json_t *resp = NULL;
		if (ecr_call(run, "ListImages",
			json_pack("{s:s, s:i}", "repositoryName", it->name,
			    "maxResults", 1000),
			&resp, err) < 0)
			return co_aws_error_is(err, "RepositoryNotFoundException")
				   ? 0
				   : -1;
		/* Several tags of one image share its digest: delete by
		 * digest, once. */
		json_t *digests = json_object();
		size_t i;
		json_t *id;
		json_array_foreach(json_object_get(resp, "imageIds"), i, id)
		{
			const char *d =
			    json_string_value(json_object_get(id, "imageDigest"));
			if (d)
				json_object_set_new(digests, d, json_true());
		}
		json_decref(resp);
		if (json_object_size(digests) == 0) {
			json_decref(digests);
			co_info("teardown: %zu image(s) deleted from %s", deleted,
			    it->name);
			return 0;
		}
		json_t *batch = json_array();
		const char *d;
		json_t *unused;
		int rc = 0;
		json_object_foreach(digests, d, unused)
		{
			json_array_append_new(batch,
			    json_pack("{s:s}", "imageDigest", d));
			if (json_array_size(batch) == CO_TD_ECR_BATCH) {
				rc = delete_batch(run, it->name, batch, err);
				deleted += json_array_size(batch);
				json_array_clear(batch);
				if (rc < 0)
					break;
			}
		}
		if (rc == 0 && json_array_size(batch)) {
			rc = delete_batch(run, it->name, batch, err);
			deleted += json_array_size(batch);
		}
		json_decref(batch);
		json_decref(digests);
		if (rc < 0)
			return -1;
	}
	memset(err, 0, sizeof(*err));
	snprintf(err->code, sizeof(err->code), "TooManyImages");
	snprintf(err->message, sizeof(err->message),
	    "images keep appearing in %s while it is emptied", it->name);
	return -1;
}

int co_td_ecr_delete_repository(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	if (co_td_pace(run, 100) < 0)
		return -1;
	json_t *resp = NULL;
	/* Without force: an image pushed after the purge makes this fail
	 * (RepositoryNotEmptyException) rather than vanish unreported. */
	int rc = ecr_call(run, "DeleteRepository",
	    json_pack("{s:s, s:b}", "repositoryName", it->name, "force", 0),
	    &resp, err);
	json_decref(resp);
	if (rc < 0 && co_aws_error_is(err, "RepositoryNotFoundException"))
		return 0;
	return rc;
}
