/* costops_teardown: S3 buckets and what they hold (objects, their
 * versions and delete markers). A bucket cannot be deleted until every
 * version and delete marker is gone (DeleteBucket: BucketNotEmpty). The
 * contents are one inventory item per bucket ("s3_objects"), present
 * only while the bucket holds something. */
#include <stdlib.h>
#include <string.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

/* 1 when the bucket holds any version or delete marker, 0 when empty or
 * gone, -1 on error (err filled). */
static int bucket_content(co_td_run *run, const char *bucket,
    co_aws_error *err)
{
	co_xml *x = NULL;
	if (co_aws_s3_call(run->aws, "GET", bucket, "", "max-keys=1&versions",
		NULL, 0, &x, err) < 0)
		return co_aws_error_is(err, "NoSuchBucket") ? 0 : -1;
	/* The document node's child is ListVersionsResult. */
	int rc = co_xml_find(x, "ListVersionsResult/Version") ||
		 co_xml_find(x, "ListVersionsResult/DeleteMarker");
	co_xml_free(x);
	return rc;
}

static int consider_bucket(co_td_run *run, const char *bucket,
    const char *arn, json_t *tags, bool delete_bucket)
{
	co_aws_error err = {0};
	int content = bucket_content(run, bucket, &err);
	if (content < 0)
		return co_td_list_failed(run,
		    co_arena_sprintf(run->ctx->arena,
			"Listing the objects of bucket %s failed", bucket),
		    &err);
	if (content && co_td_found(run, "s3_objects", bucket, arn, tags) < 0)
		return -1;
	if (delete_bucket && co_td_found(run, "s3_bucket", bucket, arn, tags) < 0)
		return -1;
	return 0;
}

/* Tags of a named bucket; *exists false when there is no such bucket. */
static json_t *bucket_tags(co_td_run *run, const char *bucket, bool *exists)
{
	co_xml *x = NULL;
	co_aws_error err = {0};
	*exists = true;
	if (co_aws_s3_call(run->aws, "GET", bucket, "", "tagging", NULL, 0, &x,
		&err) < 0) {
		if (co_aws_error_is(&err, "NoSuchTagSet"))
			return json_object();
		if (co_aws_error_is(&err, "NoSuchBucket")) {
			*exists = false;
			return json_object();
		}
		co_td_list_failed(run,
		    co_arena_sprintf(run->ctx->arena,
			"Reading the tags of bucket %s failed", bucket),
		    &err);
		return NULL;
	}
	json_t *tags = json_object();
	const co_xml *set = co_xml_find(x, "Tagging/TagSet");
	for (const co_xml *t = set ? set->child : NULL; t; t = t->next) {
		const char *k = co_xml_text(t, "Key");
		const char *v = co_xml_text(t, "Value");
		if (k)
			json_object_set_new(tags, k, json_string(v ? v : ""));
	}
	co_xml_free(x);
	return tags;
}

int co_td_s3_discover(co_td_run *run)
{
	co_arena *a = run->ctx->arena;
	static const char *const types[] = {"s3", NULL};
	json_t *tagged = NULL;
	if (co_td_tagged(run, types, &tagged) < 0)
		return -1;
	int rc = 0;
	const char *arn;
	json_t *tags;
	json_object_foreach(tagged, arn, tags)
	{
		const char *bucket = co_td_arn_bucket(a, arn);
		if (bucket && (rc = consider_bucket(run, bucket, arn, tags,
				   true)) < 0)
			break;
	}
	json_decref(tagged);
	for (size_t i = 0; rc == 0 && i < run->sel->buckets.n; i++) {
		const char *bucket = run->sel->buckets.v[i];
		bool exists;
		json_t *btags = bucket_tags(run, bucket, &exists);
		if (!btags)
			return -1;
		if (!exists)
			rc = co_td_list_add(a, &run->skipped, "s3_bucket", bucket,
			    "", "no such bucket");
		else
			rc = consider_bucket(run, bucket,
			    co_arena_sprintf(a, "arn:%s:s3:::%s",
				run->ctx->provider->partition[0]
				    ? run->ctx->provider->partition
				    : "aws",
				bucket),
			    btags, run->sel->delete_buckets);
		json_decref(btags);
	}
	return rc;
}

/* ---- deletion ------------------------------------------------------------------ */

/* One DeleteObjects call for v[0..n); per-key errors fail the item. */
static int delete_versions(co_td_run *run, const char *bucket,
    const co_td_version *v, size_t n, co_aws_error *err)
{
	co_buf body;
	co_buf_init(&body, (size_t)8 << 20);
	int rc = -1;
	co_xml *x = NULL;
	if (co_td_s3_delete_body(&body, v, n) < 0) {
		memset(err, 0, sizeof(*err));
		snprintf(err->code, sizeof(err->code), "RequestTooLarge");
		snprintf(err->message, sizeof(err->message),
		    "the DeleteObjects request for %s is too large", bucket);
		goto done;
	}
	if (co_td_pace(run, 0) < 0)
		goto done;
	if (co_aws_s3_call(run->aws, "POST", bucket, "", "delete", body.data,
		body.len, &x, err) < 0) {
		if (co_aws_error_is(err, "NoSuchBucket"))
			rc = 0;
		goto done;
	}
	const co_xml *e = co_xml_find(x, "DeleteResult/Error");
	if (e) {
		memset(err, 0, sizeof(*err));
		const char *code = co_xml_text(e, "Code");
		snprintf(err->code, sizeof(err->code), "%s",
		    code ? code : "DeleteObjectsError");
		snprintf(err->message, sizeof(err->message), "%s: %s",
		    co_xml_text(e, "Key") ? co_xml_text(e, "Key") : "",
		    co_xml_text(e, "Message") ? co_xml_text(e, "Message") : "");
		goto done;
	}
	rc = 0;
done:
	co_xml_free(x);
	co_buf_free(&body);
	return rc;
}

int co_td_s3_delete_objects(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	co_arena *a = run->ctx->arena;
	size_t total = 0;
	co_td_version *batch = co_arena_alloc(a, CO_TD_S3_BATCH * sizeof(*batch));
	/* Each round lists up to 1,000 versions and delete markers from the
	 * start and deletes them in one call, until none is left. */
	for (long round = 0; round < 1000000; round++) {
		co_xml *x = NULL;
		if (co_aws_s3_call(run->aws, "GET", it->name, "",
			"max-keys=1000&versions", NULL, 0, &x, err) < 0)
			return co_aws_error_is(err, "NoSuchBucket") ? 0 : -1;
		size_t n = 0;
		const co_xml *result = co_xml_find(x, "ListVersionsResult");
		for (const co_xml *c = result ? result->child : NULL;
		     c && n < CO_TD_S3_BATCH; c = c->next) {
			if (strcmp(c->name, "Version") != 0 &&
			    strcmp(c->name, "DeleteMarker") != 0)
				continue;
			const char *key = co_xml_text(c, "Key");
			const char *vid = co_xml_text(c, "VersionId");
			if (!key)
				continue;
			batch[n].key = co_arena_strdup(a, key);
			batch[n].version_id = vid ? co_arena_strdup(a, vid) : NULL;
			n++;
		}
		co_xml_free(x);
		if (n == 0) {
			co_info("teardown: %zu object version(s) deleted from %s",
			    total, it->name);
			return 0;
		}
		if (delete_versions(run, it->name, batch, n, err) < 0)
			return -1;
		total += n;
		if (round % 20 == 19)
			co_info("teardown: %zu object version(s) deleted from %s "
				"so far",
			    total, it->name);
	}
	memset(err, 0, sizeof(*err));
	snprintf(err->code, sizeof(err->code), "TooManyObjects");
	snprintf(err->message, sizeof(err->message),
	    "objects keep appearing in %s while it is emptied", it->name);
	return -1;
}

int co_td_s3_delete_bucket(co_td_run *run, const co_td_item *it,
    co_aws_error *err)
{
	if (co_td_pace(run, 100) < 0)
		return -1;
	co_xml *x = NULL;
	int rc = co_aws_s3_call(run->aws, "DELETE", it->name, "", NULL, NULL, 0,
	    &x, err);
	co_xml_free(x);
	if (rc < 0 && co_aws_error_is(err, "NoSuchBucket"))
		return 0;
	return rc;
}
