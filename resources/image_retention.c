/* costops_image_retention: an ECR repository's lifecycle policy from a few
 * counts (keep N untagged, N per tag prefix, N overall), rendered with the
 * rule order ECR requires, and a preview in the plan of which images the
 * next lifecycle run would expire: ECR's own preview API is asynchronous and
 * the emulator lacks it, so the provider evaluates the policy itself
 * (ecr_policy_eval.c) against the repository's images. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ecr_policy_eval.h"
#include "provider/framework/resource.h"
#include "provider/util/log.h"
#include "resources/estimate.h"

#define ECR_TARGET "AmazonEC2ContainerRegistry_V20150921."

/* PutLifecyclePolicy, lifecyclePolicyText: 100 to 30720 characters. */
#define MAX_POLICY_LEN 30720
/* Image tags: up to 128 characters (Docker's tag grammar, which ECR
 * follows). A longer prefix can match no tag. */
#define MAX_TAG_LEN 128
/* Caps on what DescribeImages can grow: ECR's default quota is 20000
 * images per repository; leave room for raised quotas. */
#define MAX_IMAGES 200000
#define MAX_PAGES 2000

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "The repository name; also the import id."},
	{.name = "repository", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "Name of an existing ECR repository in the "
			   "provider's account and region, e.g. "
			   "`retail-forecast`. Changing it moves the policy "
			   "(destroy, then create)."},
	{.name = "keep_untagged", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .description = "Keep this many of the most recently pushed "
			   "untagged images and expire older untagged ones. "
			   "Conflicts with `expire_untagged_after_days` (ECR "
			   "allows one rule for untagged images)."},
	{.name = "expire_untagged_after_days", .type = "\"number\"",
	    .flags = CO_OPTIONAL,
	    .description = "Expire untagged images pushed more than this many "
			   "days ago. Conflicts with `keep_untagged`."},
	{.name = "keep_per_tag_prefix", .type = "[\"map\",\"number\"]",
	    .flags = CO_OPTIONAL,
	    .description = "Tag prefix → how many of the most recently pushed "
			   "images with a tag starting with it to keep, e.g. "
			   "`{ prod = 3, stage = 3, dev = 3 }`. Each prefix "
			   "becomes its own rule (one rule listing several "
			   "prefixes would select only images carrying all "
			   "of them). An image matched by one prefix's rule is "
			   "never expired by a later rule."},
	{.name = "keep_total", .type = "\"number\"", .flags = CO_OPTIONAL,
	    .description = "Keep this many of the most recently pushed images "
			   "of any kind (the `any` rule, evaluated last). The "
			   "images kept by the rules above count towards it "
			   "but are never expired by it, so it only expires "
			   "images no other rule selects; it is not a hard cap "
			   "on the repository size."},
	{.name = "adopt_existing", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "false",
	    .description = "When the repository already has a lifecycle policy "
			   "costops did not write, replace it (and put it back "
			   "on destroy) instead of stopping with an error."},
	{.name = "policy_json", .type = "\"string\"", .flags = CO_COMPUTED,
	    .description = "The lifecycle policy JSON costops puts on the "
			   "repository. After a refresh it is what ECR holds, "
			   "so an out-of-band edit shows as a change in the "
			   "plan."},
	{.name = "would_expire", .type = "[\"list\",[\"object\",{\"digest\":"
					 "\"string\",\"tags\":[\"list\","
					 "\"string\"],\"pushed_at\":"
					 "\"string\"}]]",
	    .flags = CO_COMPUTED,
	    .description = "Preview: the images the next lifecycle run would "
			   "expire under `policy_json`, oldest first, each with "
			   "`digest`, `tags` and `pushed_at` (RFC 3339, UTC). "
			   "Evaluated by the provider at plan time following "
			   "the ECR user guide's evaluation rules; apply "
			   "records the plan's preview; a refresh evaluates "
			   "again. Unknown when the repository does not exist "
			   "yet."},
	{.name = "would_expire_count", .type = "\"number\"",
	    .flags = CO_COMPUTED,
	    .description = "How many images `would_expire` lists."},
	CO_ESTIMATE_ATTRS(
	    "ECR storage a month of the images the policy keeps: the "
	    "repository's images (DescribeImages `imageSizeInBytes`) minus "
	    "those in `would_expire`, at the catalog's ECR storage price. "
	    "Layers shared between images are counted once per image, so "
	    "this is an upper bound. Evaluated with the preview: in the plan "
	    "when the repository exists, else at apply. See docs/costs.md.",
	    "ECR storage a month of the images in `would_expire`.",
	    "One line: images and GB in the repository, how many and how "
	    "much would expire, the price and its date."),
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.description = "Owns the lifecycle policy of one ECR repository: "
		       "renders it from keep counts with the rule priorities "
		       "ECR requires, previews in the plan which images the "
		       "next lifecycle run would expire, shows out-of-band "
		       "edits as drift, and on destroy removes the policy (or "
		       "restores the one it adopted).",
};

/* ---- settings and validation ------------------------------------------------------------ */

/* ECR repository names: 2-256 characters matching
 * (?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*
 * (CreateRepository, repositoryName). */
static bool valid_repository(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 256)
		return false;
	bool need_alnum = true; /* at a component start or after a separator */
	for (const char *p = s; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
		if (alnum) {
			need_alnum = false;
		} else if (strchr("._-/", *p)) {
			if (need_alnum)
				return false;
			need_alnum = true;
		} else {
			return false;
		}
	}
	return !need_alnum;
}

/* A prefix some image tag can start with: tags are [A-Za-z0-9_.-], not
 * starting with '.' or '-', at most 128 characters. */
static bool valid_tag_prefix(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_TAG_LEN || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return false;
	return true;
}

/* Checks a count attribute: a whole number >= 1, because ECR accepts
 * only positive integers for countNumber ("0 is not an accepted value").
 * Returns the count, 0 when null or unknown, -1 when bad. */
static int64_t check_count(co_ctx *ctx, const co_value *v, co_path p,
    const char *what)
{
	double d;
	if (!co_value_num(v, &d))
		return 0;
	int64_t n;
	if (!co_value_int(v, &n) || n < 1 || d > 1e9) {
		co_diag_error(ctx->diags, &p, "Invalid count",
		    "%s must be a whole number from 1 to 1000000000 (ECR "
		    "accepts only positive integers as countNumber); got %g. "
		    "To keep nothing of a kind, leave the setting out.",
		    what, d);
		return -1;
	}
	return n;
}

/* Reads the settings from a config or plan. Returns false when some are
 * unknown (or invalid); prefixes are arena memory. */
static bool settings_from(co_ctx *ctx, const co_value *v, co_ecr_retention *r)
{
	memset(r, 0, sizeof(*r));
	static const char *const names[] = {"keep_untagged",
	    "expire_untagged_after_days", "keep_total"};
	int64_t *dst[] = {&r->keep_untagged, &r->expire_untagged_after_days,
	    &r->keep_total};
	for (size_t i = 0; i < 3; i++) {
		const co_value *c = co_value_attr(v, names[i]);
		if (!c || c->is_unknown)
			return false;
		int64_t n = 0;
		if (!c->is_null && (!co_value_int(c, &n) || n < 1))
			return false;
		*dst[i] = n;
	}
	const co_value *m = co_value_attr(v, "keep_per_tag_prefix");
	if (!m || co_value_has_unknown(m))
		return false;
	if (!m->is_null && m->count) {
		co_ecr_prefix_keep *pk =
		    co_arena_alloc(ctx->arena, m->count * sizeof(*pk));
		for (size_t i = 0; i < m->count; i++) {
			int64_t n;
			if (!co_value_int(m->items[i], &n) || n < 1)
				return false;
			pk[i] = (co_ecr_prefix_keep){.prefix = m->keys[i],
			    .keep = n};
		}
		r->prefixes = pk;
		r->n_prefixes = m->count;
	}
	return co_value_str(co_value_attr(v, "repository")) != NULL;
}

static void ir_validate(co_ctx *ctx, const co_value *config)
{
	const char *repo = co_value_str(co_value_attr(config, "repository"));
	if (repo && !valid_repository(repo)) {
		co_path p = co_path_attr("repository");
		co_diag_error(ctx->diags, &p, "Invalid repository name",
		    "\"%s\" is not an ECR repository name: 2-256 characters, "
		    "lowercase letters and digits in components separated by "
		    "'.', '_', '-' or '/', e.g. \"retail-forecast\".",
		    repo);
	}

	const co_value *ku = co_value_attr(config, "keep_untagged");
	const co_value *eu = co_value_attr(config, "expire_untagged_after_days");
	const co_value *kt = co_value_attr(config, "keep_total");
	const co_value *kp = co_value_attr(config, "keep_per_tag_prefix");
	int64_t keep_untagged = check_count(ctx, ku,
	    co_path_attr("keep_untagged"), "keep_untagged");
	int64_t expire_days = check_count(ctx, eu,
	    co_path_attr("expire_untagged_after_days"),
	    "expire_untagged_after_days");
	int64_t keep_total = check_count(ctx, kt, co_path_attr("keep_total"),
	    "keep_total");

	if (co_value_is_set(ku) && co_value_is_set(eu)) {
		co_path p = co_path_attr("expire_untagged_after_days");
		co_diag_error(ctx->diags, &p, "Conflicting untagged rules",
		    "ECR allows only one rule that selects untagged images "
		    "(user guide, lifecycle policy evaluation rules), and a "
		    "second one could never expire anything: the first would "
		    "already have claimed every untagged image. Set either "
		    "keep_untagged (by count) or expire_untagged_after_days (by "
		    "age).");
	}

	/* Prefixes: sum what the prefix rules keep, for the keep_total
	 * check below; -1 once anything is unknown or invalid. */
	int64_t kept_by_prefix = 0;
	bool prefixes_known = kp && !kp->is_unknown;
	co_path pp = co_path_attr("keep_per_tag_prefix");
	for (size_t i = 0; co_value_is_set(kp) && i < kp->count; i++) {
		const char *key = kp->keys[i];
		co_path kpath = co_path_push_key(pp, key);
		const co_value *v = kp->items[i];
		if (!*key) {
			co_diag_error(ctx->diags, &kpath, "Empty tag prefix",
			    "An empty prefix would select every tagged image. "
			    "To bound all images use keep_total; otherwise name "
			    "the prefix, e.g. \"prod\".");
			prefixes_known = false;
		} else if (!valid_tag_prefix(key)) {
			co_diag_error(ctx->diags, &kpath, "Invalid tag prefix",
			    "No image tag can start with \"%s\": tags are at "
			    "most %d characters of letters, digits, '_', '.' "
			    "and '-', and do not start with '.' or '-'.",
			    key, MAX_TAG_LEN);
			prefixes_known = false;
		}
		if (!v || v->is_unknown) {
			prefixes_known = false;
			continue;
		}
		if (v->is_null) {
			co_diag_error(ctx->diags, &kpath, "Missing count",
			    "Give how many images tagged \"%s*\" to keep, or "
			    "remove the prefix.",
			    key);
			prefixes_known = false;
			continue;
		}
		int64_t n = check_count(ctx, v, kpath, "Each count");
		if (n < 0)
			prefixes_known = false;
		else
			kept_by_prefix += n;
		for (size_t j = 0; j < kp->count; j++) {
			const char *other = kp->keys[j];
			size_t ol = strlen(other);
			if (j == i || !*other || ol >= strlen(key) ||
			    strncmp(key, other, ol) != 0)
				continue;
			int64_t other_keep = 0;
			(void)co_value_int(kp->items[j], &other_keep);
			co_diag_warn(ctx->diags, &kpath, "Overlapping tag prefixes",
			    "Every tag starting with \"%s\" also starts with "
			    "\"%s\". costops puts the \"%s\" rule first, so its "
			    "count applies to those images; the \"%s\" rule then "
			    "counts them among its %lld newest but cannot "
			    "expire them, so fewer images with other \"%s\" "
			    "tags are kept than its count suggests.",
			    key, other, key, other, (long long)other_keep, other);
		}
	}

	/* Nothing to do: ECR requires at least one rule. Judge only when
	 * every setting is known. */
	bool all_known = (!ku || !ku->is_unknown) && (!eu || !eu->is_unknown) &&
			 (!kt || !kt->is_unknown) && prefixes_known;
	bool any_set = co_value_is_set(ku) || co_value_is_set(eu) ||
		       co_value_is_set(kt) ||
		       (co_value_is_set(kp) && kp->count > 0);
	if (all_known && !any_set)
		co_diag_error(ctx->diags, NULL, "No retention rules",
		    "Set at least one of keep_untagged, "
		    "expire_untagged_after_days, keep_per_tag_prefix or "
		    "keep_total; a lifecycle policy needs at least one rule.");

	if (all_known && keep_total > 0 && keep_untagged >= 0 &&
	    kept_by_prefix > 0 && keep_total <= keep_untagged + kept_by_prefix) {
		co_path p = co_path_attr("keep_total");
		co_diag_warn(ctx->diags, &p, "keep_total is not above what the "
					     "other rules keep",
		    "The rules before it keep up to %lld images (%lld untagged "
		    "+ %lld by tag prefix). ECR counts those towards "
		    "keep_total = %lld but never lets the keep_total rule "
		    "expire them, so once they are full every image with other "
		    "tags (latest, a version, a commit hash) is expired, and "
		    "the repository can still hold more than %lld images. "
		    "Raise keep_total above %lld to keep some other images, or "
		    "leave it out if that is intended.",
		    (long long)(keep_untagged + kept_by_prefix),
		    (long long)keep_untagged, (long long)kept_by_prefix,
		    (long long)keep_total, (long long)keep_total,
		    (long long)(keep_untagged + kept_by_prefix));
	}
	(void)expire_days;

	co_ecr_retention r;
	if (all_known && any_set && repo && settings_from(ctx, config, &r)) {
		char *text = co_ecr_policy_render(&r);
		if (text && strlen(text) > MAX_POLICY_LEN)
			co_diag_error(ctx->diags, &pp, "Policy too long",
			    "The rendered lifecycle policy has %zu characters; "
			    "ECR accepts at most %d. Use fewer tag prefixes.",
			    strlen(text), MAX_POLICY_LEN);
		free(text);
	}
}

/* ---- AWS calls -------------------------------------------------------------------------- */

typedef enum {
	POLICY_FOUND,
	POLICY_NONE,
	POLICY_NO_REPOSITORY
} policy_status;

/* GetLifecyclePolicy. *text is arena memory when FOUND. */
static int get_policy(co_ctx *ctx, const char *repo, policy_status *st,
    const char **text)
{
	json_t *req = json_pack("{s:s}", "repositoryName", repo), *resp = NULL;
	co_aws_error err = {0};
	int rc = co_aws_json_call(ctx->provider->aws, "ecr",
	    ECR_TARGET "GetLifecyclePolicy", req, &resp, &err);
	json_decref(req);
	*text = NULL;
	if (rc < 0) {
		if (co_aws_error_is(&err, "LifecyclePolicyNotFoundException")) {
			*st = POLICY_NONE;
			return 0;
		}
		if (co_aws_error_is(&err, "RepositoryNotFoundException")) {
			*st = POLICY_NO_REPOSITORY;
			return 0;
		}
		co_path p = co_path_attr("repository");
		co_diag_aws(ctx, &p,
		    co_arena_sprintf(ctx->arena,
			"Reading the lifecycle policy of ECR repository %s "
			"failed",
			repo),
		    &err);
		return -1;
	}
	const char *t = json_string_value(
	    json_object_get(resp, "lifecyclePolicyText"));
	*st = POLICY_FOUND;
	*text = co_arena_strdup(ctx->arena, t ? t : "");
	json_decref(resp);
	return 0;
}

/* PutLifecyclePolicy. With gone non-NULL, a missing repository is not an
 * error: *gone is set and 0 returned. */
static int put_policy(co_ctx *ctx, const char *repo, const char *text,
    bool *gone)
{
	json_t *req = json_pack("{s:s, s:s}", "repositoryName", repo,
	    "lifecyclePolicyText", text);
	json_t *resp = NULL;
	co_aws_error err = {0};
	int rc = co_aws_json_call(ctx->provider->aws, "ecr",
	    ECR_TARGET "PutLifecyclePolicy", req, &resp, &err);
	json_decref(req);
	json_decref(resp);
	if (gone)
		*gone = rc < 0 &&
		    co_aws_error_is(&err, "RepositoryNotFoundException");
	if (gone && *gone)
		return 0;
	if (rc < 0) {
		co_path p = co_path_attr("repository");
		co_diag_aws(ctx, &p,
		    co_arena_sprintf(ctx->arena,
			"Putting the lifecycle policy on ECR repository %s "
			"failed",
			repo),
		    &err);
		return -1;
	}
	co_info("image_retention: lifecycle policy put on %s", repo);
	return 0;
}

typedef struct image_list {
	co_ecr_image *items;
	size_t n, cap;
} image_list;

/* DescribeImages, every page. *no_repo is set (and 0 returned) when the
 * repository does not exist. */
static int list_images(co_ctx *ctx, const char *repo, image_list *out,
    bool *no_repo)
{
	int rc = -1;
	char *token = NULL;
	int pages = 0;
	*no_repo = false;
	memset(out, 0, sizeof(*out));
	do {
		json_t *req = json_pack("{s:s, s:i}", "repositoryName", repo,
		    "maxResults", 1000);
		if (token) {
			json_object_set_new(req, "nextToken", json_string(token));
			free(token);
			token = NULL;
		}
		json_t *resp = NULL;
		co_aws_error err = {0};
		int call = co_aws_json_call(ctx->provider->aws, "ecr",
		    ECR_TARGET "DescribeImages", req, &resp, &err);
		json_decref(req);
		if (call < 0) {
			if (co_aws_error_is(&err, "RepositoryNotFoundException")) {
				*no_repo = true;
				rc = 0;
				goto done;
			}
			co_path p = co_path_attr("repository");
			co_diag_aws(ctx, &p,
			    co_arena_sprintf(ctx->arena,
				"Listing the images of ECR repository %s failed",
				repo),
			    &err);
			goto done;
		}
		json_t *details = json_object_get(resp, "imageDetails");
		size_t i;
		json_t *d;
		json_array_foreach(details, i, d)
		{
			const char *digest = json_string_value(
			    json_object_get(d, "imageDigest"));
			if (!digest)
				continue;
			if (out->n == out->cap) {
				size_t cap = out->cap ? out->cap * 2 : 64;
				if (cap > MAX_IMAGES)
					cap = MAX_IMAGES;
				if (out->n == cap) {
					co_diag_error(ctx->diags, NULL,
					    "Too many images",
					    "ECR repository %s has more than "
					    "%d images; costops does not "
					    "preview that many.",
					    repo, MAX_IMAGES);
					json_decref(resp);
					goto done;
				}
				co_ecr_image *grown = co_arena_alloc(ctx->arena,
				    cap * sizeof(*grown));
				if (out->n)
					memcpy(grown, out->items,
					    out->n * sizeof(*grown));
				out->items = grown;
				out->cap = cap;
			}
			json_t *jt = json_object_get(d, "imageTags");
			size_t nt = json_array_size(jt);
			const char **tags = co_arena_alloc(ctx->arena,
			    (nt ? nt : 1) * sizeof(*tags));
			size_t k = 0, ti;
			json_t *tv;
			json_array_foreach(jt, ti, tv)
			{
				if (json_string_value(tv))
					tags[k++] = co_arena_strdup(ctx->arena,
					    json_string_value(tv));
			}
			out->items[out->n++] = (co_ecr_image){
			    .digest = co_arena_strdup(ctx->arena, digest),
			    .tags = tags,
			    .n_tags = k,
			    .pushed_at = json_number_value(
				json_object_get(d, "imagePushedAt")),
			    .size_bytes = json_number_value(
				json_object_get(d, "imageSizeInBytes")),
			};
		}
		const char *next =
		    json_string_value(json_object_get(resp, "nextToken"));
		if (next && *next)
			token = strdup(next);
		json_decref(resp);
		if (++pages % 10 == 0)
			co_info("image_retention: %d pages (%zu images) of %s "
				"so far",
			    pages, out->n, repo);
		if (pages >= MAX_PAGES && token) {
			co_diag_error(ctx->diags, NULL, "Too many pages",
			    "DescribeImages on %s kept returning pages after "
			    "%d; giving up.",
			    repo, MAX_PAGES);
			goto done;
		}
	} while (token);
	rc = 0;
done:
	free(token);
	return rc;
}

/* ---- the preview ------------------------------------------------------------------------ */

static const co_type *would_expire_type(void)
{
	return co_type_attr(co_schema_type(&schema), "would_expire");
}

static const char *rfc3339(co_ctx *ctx, double t)
{
	time_t secs = (time_t)t;
	struct tm tm;
	char buf[64];
	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	int ms = (int)((t - (double)secs) * 1000.0 + 0.5);
	if (ms > 0 && ms < 1000)
		return co_arena_sprintf(ctx->arena, "%s.%03dZ", buf, ms);
	return co_arena_sprintf(ctx->arena, "%sZ", buf);
}

static int oldest_first(const void *x, const void *y)
{
	const co_ecr_image *a = *(const co_ecr_image *const *)x;
	const co_ecr_image *b = *(const co_ecr_image *const *)y;
	if (a->pushed_at != b->pushed_at)
		return a->pushed_at < b->pushed_at ? -1 : 1;
	return strcmp(a->digest, b->digest);
}

static void set_preview(co_ctx *ctx, co_value *obj, co_value *list)
{
	co_value_set_attr(obj, "would_expire", list);
	co_value_set_attr(obj, "would_expire_count",
	    co_value_number(ctx->arena, (double)list->count));
}

static co_value *empty_preview(co_ctx *ctx)
{
	return co_value_collection(ctx->arena, would_expire_type());
}

static double now_seconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Evaluates policy against the images; *out is the would_expire list.
 * Returns 0, or -1 with *why set (arena) when the policy cannot be
 * evaluated. */
typedef struct ir_bytes {
	double total, expired;
	size_t images, expiring;
} ir_bytes;

static int evaluate(co_ctx *ctx, const char *policy, const image_list *imgs,
    double now, co_value **out, const char **why, ir_bytes *bytes)
{
	const co_type *lt = would_expire_type();
	co_value *list = co_value_collection(ctx->arena, lt);
	bool *expired = co_arena_alloc(ctx->arena,
	    (imgs->n ? imgs->n : 1) * sizeof(*expired));
	char err[256];
	if (co_ecr_policy_eval(policy, imgs->items, imgs->n, now, expired, err,
		sizeof(err)) < 0) {
		*why = co_arena_strdup(ctx->arena, err);
		return -1;
	}
	size_t n = 0;
	const co_ecr_image **sel = co_arena_alloc(ctx->arena,
	    (imgs->n ? imgs->n : 1) * sizeof(*sel));
	ir_bytes b = {.images = imgs->n};
	for (size_t i = 0; i < imgs->n; i++) {
		double sz = imgs->items[i].size_bytes > 0
				? imgs->items[i].size_bytes
				: 0;
		b.total += sz;
		if (expired[i]) {
			sel[n++] = &imgs->items[i];
			b.expired += sz;
			b.expiring++;
		}
	}
	if (bytes)
		*bytes = b;
	qsort(sel, n, sizeof(*sel), oldest_first);
	const co_type *ot = lt->elem;
	const co_type *tags_t = co_type_attr(ot, "tags");
	for (size_t i = 0; i < n; i++) {
		co_value *o = co_value_object(ctx->arena, ot);
		co_value *tags = co_value_collection(ctx->arena, tags_t);
		for (size_t t = 0; t < sel[i]->n_tags; t++)
			co_value_append(ctx->arena, tags,
			    co_value_string(ctx->arena, sel[i]->tags[t]));
		co_value_set_attr(o, "digest",
		    co_value_string(ctx->arena, sel[i]->digest));
		co_value_set_attr(o, "tags", tags);
		co_value_set_attr(o, "pushed_at",
		    co_value_string(ctx->arena, rfc3339(ctx, sel[i]->pushed_at)));
		co_value_append(ctx->arena, list, o);
	}
	*out = list;
	co_debug("image_retention: %zu of %zu images would expire", n, imgs->n);
	return 0;
}

/* Lists the images and evaluates policy on them. *out stays NULL (and 0
 * is returned) when the repository does not exist. */
static int preview(co_ctx *ctx, const char *repo, const char *policy,
    co_value **out, ir_bytes *bytes)
{
	image_list imgs;
	bool no_repo;
	*out = NULL;
	if (list_images(ctx, repo, &imgs, &no_repo) < 0)
		return -1;
	if (no_repo)
		return 0;
	const char *why = NULL;
	if (evaluate(ctx, policy, &imgs, now_seconds(), out, &why, bytes) < 0) {
		co_path p = co_path_attr("policy_json");
		co_diag_error(ctx->diags, &p, "Cannot preview the policy",
		    "The lifecycle policy could not be evaluated: %s.", why);
		return -1;
	}
	return 0;
}

/* The estimate from an evaluation's bytes. */
static void set_estimate(co_ctx *ctx, co_value *v, const ir_bytes *b)
{
	co_cost_line l;
	if (co_cost_image_expiry(&l, co_estimate_region(ctx), b->total,
		b->expired) < 0) {
		co_estimate_set_none(ctx, v, l.basis);
		return;
	}
	co_estimate_set(ctx, v, l.after_usd, l.before_usd - l.after_usd,
	    co_arena_sprintf(ctx->arena,
		"%zu image(s), %zu of them in would_expire; sizes from "
		"DescribeImages imageSizeInBytes (shared layers counted once "
		"per image, an upper bound); %s",
		b->images, b->expiring, l.basis));
}

/* ---- private state ------------------------------------------------------------------------ */

/* Private state: {"previous": "<policy>", "snapshot": {"at": <seconds>,
 * "images": [[digest, pushed_at, [tags...]], ...]}}. "previous" is the
 * policy adopted at create, put back on destroy. "snapshot" is the image
 * list the last refresh saw: a plan evaluates a changed policy on it rather
 * than on a fresh listing, so the final plan Terraform makes at apply
 * evaluates the same images at the same time and yields the same preview
 * (a fresh listing there would differ once an image was pushed meanwhile,
 * and Terraform rejects a final plan that differs). */
#define MAX_SNAPSHOT_IMAGES 10000

static const char *load_previous(co_ctx *ctx)
{
	json_t *root = co_ctx_private_json(ctx);
	const char *s = json_string_value(json_object_get(root, "previous"));
	const char *prev = s ? co_arena_strdup(ctx->arena, s) : NULL;
	json_decref(root);
	return prev;
}

static void save_previous(co_ctx *ctx, const char *previous)
{
	json_t *root = previous ? json_pack("{s:s}", "previous", previous)
				: json_object();
	co_ctx_set_private_json(ctx, root);
	json_decref(root);
}

/* Records imgs as the refresh's snapshot, keeping "previous". */
static void save_snapshot(co_ctx *ctx, const image_list *imgs, double at)
{
	json_t *root = co_ctx_private_json(ctx);
	if (imgs->n > MAX_SNAPSHOT_IMAGES) {
		/* Too large to carry in the state: plans list afresh. */
		json_object_del(root, "snapshot");
	} else {
		json_t *list = json_array();
		for (size_t i = 0; i < imgs->n; i++) {
			json_t *tags = json_array();
			for (size_t t = 0; t < imgs->items[i].n_tags; t++)
				json_array_append_new(tags,
				    json_string(imgs->items[i].tags[t]));
			json_array_append_new(list,
			    json_pack("[s, f, o, f]", imgs->items[i].digest,
				imgs->items[i].pushed_at, tags,
				imgs->items[i].size_bytes));
		}
		json_object_set_new(root, "snapshot",
		    json_pack("{s:f, s:o}", "at", at, "images", list));
	}
	co_ctx_set_private_json(ctx, root);
	json_decref(root);
}

/* The refresh's snapshot from private state; false when there is none. */
static bool load_snapshot(co_ctx *ctx, image_list *imgs, double *at)
{
	bool ok = false;
	json_t *root = co_ctx_private_json(ctx);
	json_t *snap = json_object_get(root, "snapshot");
	json_t *list = json_object_get(snap, "images");
	size_t n = json_array_size(list);
	memset(imgs, 0, sizeof(*imgs));
	if (!json_is_number(json_object_get(snap, "at")) ||
	    !json_is_array(list) || n > MAX_SNAPSHOT_IMAGES)
		goto done;
	*at = json_number_value(json_object_get(snap, "at"));
	imgs->items =
	    co_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(*imgs->items));
	imgs->cap = n;
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		const char *digest = json_string_value(json_array_get(e, 0));
		json_t *jt = json_array_get(e, 2);
		if (!digest || !json_is_number(json_array_get(e, 1)) ||
		    !json_is_array(jt))
			goto done;
		size_t nt = json_array_size(jt), k = 0, ti;
		const char **tags =
		    co_arena_alloc(ctx->arena, (nt ? nt : 1) * sizeof(*tags));
		json_t *tv;
		json_array_foreach(jt, ti, tv)
		{
			if (json_string_value(tv))
				tags[k++] = co_arena_strdup(ctx->arena,
				    json_string_value(tv));
		}
		imgs->items[imgs->n++] = (co_ecr_image){
		    .digest = co_arena_strdup(ctx->arena, digest),
		    .tags = tags,
		    .n_tags = k,
		    .pushed_at = json_number_value(json_array_get(e, 1)),
		    /* Absent in snapshots written before the estimate. */
		    .size_bytes = json_number_value(json_array_get(e, 3)),
		};
	}
	ok = true;
done:
	json_decref(root);
	return ok;
}

static void diag_existing(co_ctx *ctx, const char *repo)
{
	co_path p = co_path_attr("adopt_existing");
	co_diag_error(ctx->diags, &p, "Repository already has a lifecycle policy",
	    "ECR repository %s has a lifecycle policy costops did not write; "
	    "costops will not overwrite it silently. Import it "
	    "(`import costops_image_retention.<name> %s`) to manage it as "
	    "is, or set adopt_existing = true to replace it and restore it "
	    "on destroy.",
	    repo, repo);
}

/* ---- the resource ------------------------------------------------------------------------ */

static void ir_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying)
		return;
	co_value *planned = plan->planned;
	co_ecr_retention r;
	if (!settings_from(ctx, planned, &r))
		return; /* unknown settings: the layer left computed unknown */
	char *text = co_ecr_policy_render(&r);
	if (!text)
		return; /* validate reported it */
	const char *policy = co_arena_strdup(ctx->arena, text);
	free(text);
	const char *repo = co_value_str(co_value_attr(planned, "repository"));
	co_value_set_attr(planned, "policy_json",
	    co_value_string(ctx->arena, policy));
	co_value_set_attr(planned, "id", co_value_string(ctx->arena, repo));

	if (!ctx->provider || !ctx->provider->configured) {
		co_value_set_attr(planned, "would_expire",
		    co_value_unknown(ctx->arena, would_expire_type()));
		co_value_set_attr(planned, "would_expire_count",
		    co_value_unknown(ctx->arena, &co_type_number));
		co_estimate_set_unknown(ctx, planned);
		return;
	}
	/* Same policy as the refreshed state: the refresh just evaluated it
	 * on the current images, keep that. */
	const co_value *prior_list = co_value_attr(plan->prior, "would_expire");
	const char *prior_policy =
	    co_value_str(co_value_attr(plan->prior, "policy_json"));
	if (!plan->creating && prior_policy && strcmp(prior_policy, policy) == 0 &&
	    co_value_is_set(prior_list)) {
		set_preview(ctx, planned, (co_value *)prior_list);
		co_estimate_copy(planned, plan->prior);
		return;
	}
	if (plan->creating) {
		policy_status st;
		const char *existing;
		if (get_policy(ctx, repo, &st, &existing) < 0)
			return;
		if (st == POLICY_FOUND &&
		    !co_value_bool_or(co_value_attr(planned, "adopt_existing"),
			false)) {
			diag_existing(ctx, repo);
			return;
		}
	}
	co_value *list = NULL;
	image_list snap;
	double at;
	const char *why = NULL;
	ir_bytes bytes;
	if (!plan->creating && load_snapshot(ctx, &snap, &at) &&
	    evaluate(ctx, policy, &snap, at, &list, &why, &bytes) == 0) {
		set_preview(ctx, planned, list);
		set_estimate(ctx, planned, &bytes);
		return;
	}
	list = NULL;
	if (preview(ctx, repo, policy, &list, &bytes) < 0 || !list) {
		/* No repository yet (it may be created in this apply), or the
		 * preview failed: apply evaluates it instead. */
		co_value_set_attr(planned, "would_expire",
		    co_value_unknown(ctx->arena, would_expire_type()));
		co_value_set_attr(planned, "would_expire_count",
		    co_value_unknown(ctx->arena, &co_type_number));
		co_estimate_set_unknown(ctx, planned);
		return;
	}
	set_preview(ctx, planned, list);
	set_estimate(ctx, planned, &bytes);
}

/* Create and update: put the policy, then record the plan's preview (or
 * evaluate it now when the plan could not). */
static int ir_apply(co_ctx *ctx, bool creating, const co_value *planned,
    co_value **state)
{
	co_ecr_retention r;
	if (!settings_from(ctx, planned, &r)) {
		co_diag_error(ctx->diags, NULL, "Provider bug",
		    "costops_image_retention: settings unknown at apply; "
		    "please report this.");
		return -1;
	}
	char *text = co_ecr_policy_render(&r);
	if (!text) {
		co_diag_error(ctx->diags, NULL, "No retention rules",
		    "Nothing to put: set at least one keep setting.");
		return -1;
	}
	const char *policy = co_arena_strdup(ctx->arena, text);
	free(text);
	const char *repo = co_value_str(co_value_attr(planned, "repository"));

	if (creating) {
		policy_status st;
		const char *existing;
		if (get_policy(ctx, repo, &st, &existing) < 0)
			return -1;
		if (st == POLICY_NO_REPOSITORY) {
			co_path p = co_path_attr("repository");
			co_diag_error(ctx->diags, &p, "Repository not found",
			    "ECR repository %s does not exist in this account "
			    "and region. Create it first (e.g. with "
			    "aws_ecr_repository, and reference its name so it "
			    "is created before this).",
			    repo);
			return -1;
		}
		bool adopt = co_value_bool_or(
		    co_value_attr(planned, "adopt_existing"), false);
		if (st == POLICY_FOUND && !adopt) {
			diag_existing(ctx, repo);
			return -1;
		}
		save_previous(ctx, st == POLICY_FOUND ? existing : NULL);
	}
	if (put_policy(ctx, repo, policy, NULL) < 0)
		return -1;

	co_value *s = co_value_copy(ctx->arena, planned);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, repo));
	co_value_set_attr(s, "policy_json", co_value_string(ctx->arena, policy));
	const co_value *planned_list = co_value_attr(planned, "would_expire");
	if (planned_list && !planned_list->is_unknown &&
	    co_estimate_known(planned)) {
		/* The preview shown in the plan is what apply records. */
		*state = s;
		return 0;
	}
	co_value *list = NULL;
	ir_bytes bytes = {0};
	int rc = preview(ctx, repo, policy, &list, &bytes);
	set_preview(ctx, s, list ? list : empty_preview(ctx));
	if (list)
		set_estimate(ctx, s, &bytes);
	else
		co_estimate_set_none(ctx, s, "the images could not be listed");
	/* Even when the preview failed the policy is in place: the state
	 * says so. */
	*state = s;
	return rc;
}

static int ir_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	return ir_apply(ctx, true, planned, state);
}

static int ir_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	(void)prior;
	return ir_apply(ctx, false, planned, state);
}

static co_value *count_or_null(co_ctx *ctx, int64_t n)
{
	return n > 0 ? co_value_number(ctx->arena, (double)n)
		     : co_value_null(ctx->arena, &co_type_number);
}

/* Sets the keep settings from a policy ECR holds, when it has costops'
 * shape, so drift and imports show as changes of those settings. */
static void settings_into(co_ctx *ctx, co_value *s, const char *policy)
{
	co_ecr_retention r;
	if (co_ecr_policy_parse(ctx->arena, policy, &r) < 0)
		return;
	co_value_set_attr(s, "keep_untagged", count_or_null(ctx, r.keep_untagged));
	co_value_set_attr(s, "expire_untagged_after_days",
	    count_or_null(ctx, r.expire_untagged_after_days));
	co_value_set_attr(s, "keep_total", count_or_null(ctx, r.keep_total));
	const co_type *mt = co_type_map(ctx->arena, &co_type_number);
	const co_value *old = co_value_attr(s, "keep_per_tag_prefix");
	if (r.n_prefixes == 0 && co_value_is_set(old) && old->count == 0)
		return; /* an empty map stays empty rather than null */
	co_value *m = r.n_prefixes ? co_value_collection(ctx->arena, mt)
				   : co_value_null(ctx->arena, mt);
	for (size_t i = 0; i < r.n_prefixes; i++)
		co_value_map_put(ctx->arena, m, r.prefixes[i].prefix,
		    co_value_number(ctx->arena, (double)r.prefixes[i].keep));
	co_value_set_attr(s, "keep_per_tag_prefix", m);
}

static int ir_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	const char *repo = co_value_str(co_value_attr(state, "repository"));
	policy_status st;
	const char *text;
	if (!repo)
		return 0;
	if (get_policy(ctx, repo, &st, &text) < 0)
		return -1;
	if (st == POLICY_NO_REPOSITORY) {
		co_info("image_retention: repository %s is gone", repo);
		*out = NULL;
		return 0;
	}
	co_value *s = co_value_copy(ctx->arena, state);
	if (!co_value_is_set(co_value_attr(s, "adopt_existing")))
		co_value_set_attr(s, "adopt_existing",
		    co_value_bool(ctx->arena, false));
	co_value_set_attr(s, "id", co_value_string(ctx->arena, repo));
	if (st == POLICY_NONE) {
		/* Deleted out of band: an empty policy_json plans a put. */
		co_value_set_attr(s, "policy_json", co_value_string(ctx->arena, ""));
		set_preview(ctx, s, empty_preview(ctx));
		co_estimate_set_none(ctx, s,
		    "no lifecycle policy on the repository");
		*out = s;
		return 0;
	}
	const char *mine = co_value_str(co_value_attr(state, "policy_json"));
	if (!mine || !co_ecr_policy_same(mine, text)) {
		co_value_set_attr(s, "policy_json",
		    co_value_string(ctx->arena, text));
		settings_into(ctx, s, text);
	}
	const char *policy = co_value_str(co_value_attr(s, "policy_json"));
	image_list imgs;
	bool no_repo;
	if (list_images(ctx, repo, &imgs, &no_repo) < 0)
		return -1;
	co_value *list = NULL;
	const char *why = NULL;
	if (no_repo) {
		*out = NULL;
		return 0;
	}
	double at = now_seconds();
	save_snapshot(ctx, &imgs, at);
	ir_bytes bytes;
	if (evaluate(ctx, policy, &imgs, at, &list, &why, &bytes) < 0) {
		/* A policy written out of band with features the evaluator
		 * does not model: no preview, and the plan puts ours back. */
		co_warn("image_retention: cannot evaluate the policy on %s: %s",
		    repo, why);
		list = empty_preview(ctx);
		co_estimate_set_none(ctx, s, "the policy could not be evaluated");
	} else {
		set_estimate(ctx, s, &bytes);
	}
	set_preview(ctx, s, list);
	*out = s;
	return 0;
}

static int ir_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	(void)remaining;
	const char *repo = co_value_str(co_value_attr(state, "repository"));
	const char *previous = load_previous(ctx);
	if (!repo)
		return 0;
	if (previous) {
		/* Destroy leaves the repository as it was: the policy we
		 * adopted goes back. */
		bool gone = false;
		/* costops_teardown (destroyed first) may have deleted the
		 * repository since the refresh: nothing is left to restore. */
		if (put_policy(ctx, repo, previous, &gone) < 0)
			return -1;
		co_info(gone ? "image_retention: repository %s is gone"
			     : "image_retention: restored the earlier policy "
			       "on %s",
		    repo);
		return 0;
	}
	json_t *req = json_pack("{s:s}", "repositoryName", repo), *resp = NULL;
	co_aws_error err = {0};
	int rc = co_aws_json_call(ctx->provider->aws, "ecr",
	    ECR_TARGET "DeleteLifecyclePolicy", req, &resp, &err);
	json_decref(req);
	json_decref(resp);
	if (rc < 0 && !co_aws_error_is(&err,
			  "LifecyclePolicyNotFoundException|"
			  "RepositoryNotFoundException")) {
		co_path p = co_path_attr("repository");
		co_diag_aws(ctx, &p,
		    co_arena_sprintf(ctx->arena,
			"Deleting the lifecycle policy of ECR repository %s "
			"failed",
			repo),
		    &err);
		return -1;
	}
	co_info("image_retention: lifecycle policy removed from %s", repo);
	return 0;
}

static int ir_import(co_ctx *ctx, const char *id, co_value **state)
{
	if (!valid_repository(id)) {
		co_diag_error(ctx->diags, NULL, "Invalid import id",
		    "Expected an ECR repository name, e.g. \"retail-forecast\"; "
		    "got \"%s\".",
		    id);
		return -1;
	}
	policy_status st;
	const char *text;
	if (get_policy(ctx, id, &st, &text) < 0)
		return -1;
	if (st != POLICY_FOUND) {
		co_diag_error(ctx->diags, NULL, "Nothing to import",
		    st == POLICY_NONE
			? "ECR repository %s has no lifecycle policy; declare "
			  "costops_image_retention for it and apply instead."
			: "ECR repository %s does not exist in this account "
			  "and region.",
		    id);
		return -1;
	}
	co_value *s = co_schema_empty(ctx->arena, &schema);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "repository", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "adopt_existing", co_value_bool(ctx->arena, false));
	co_value_set_attr(s, "policy_json", co_value_string(ctx->arena, text));
	settings_into(ctx, s, text);
	set_preview(ctx, s, empty_preview(ctx));
	*state = s;
	return 0;
}

const co_resource co_image_retention_resource = {
	.type_name = "costops_image_retention",
	.schema = &schema,
	.validate = ir_validate,
	.plan = ir_plan,
	.create = ir_create,
	.read = ir_read,
	.update = ir_update,
	.del = ir_delete,
	.import = ir_import,
};
