/* ECR lifecycle policy rendering, parsing, normalizing and evaluation.
 * The semantics follow the ECR user guide, "Lifecycle policies" →
 * "Lifecycle policy evaluation rules" and "Examples of lifecycle policies";
 * the unit tests replay those examples. */
#include "ecr_policy_eval.h"
#include "provider/util/buf.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Caps on input-grown work: a policy is at most 30720 characters
 * (PutLifecyclePolicy, lifecyclePolicyText), which bounds its rules well
 * below this; repositories hold at most 20000 images by default (ECR
 * service quotas), raised on request, so the image cap leaves room. */
#define MAX_RULES 1000
#define MAX_IMAGES 1000000
#define SECONDS_PER_DAY 86400.0

/* ---- evaluation --------------------------------------------------------------- */

typedef enum { SEL_UNTAGGED, SEL_TAGGED, SEL_ANY } sel_kind;

typedef struct rule {
	int64_t priority;
	sel_kind kind;
	json_t *prefixes; /* borrowed array, tagged rules */
	json_t *patterns; /* borrowed array, tagged rules */
	bool by_count;    /* imageCountMoreThan; else sinceImagePushed */
	int64_t count;
} rule;

static int rule_cmp(const void *x, const void *y)
{
	const rule *a = x, *b = y;
	return (a->priority > b->priority) - (a->priority < b->priority);
}

/* ECR's tagPatternList wildcard: '*' matches any run of characters,
 * everything else matches itself. */
static bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* "When using the tagPrefixList, an image is successfully matched if all of
 * the tags in the tagPrefixList value are matched against any of the image's
 * tags" (and likewise for tagPatternList). */
static bool has_all(const co_ecr_image *img, const json_t *list, bool glob)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		const char *want = json_string_value(v);
		bool found = false;
		for (size_t t = 0; want && t < img->n_tags && !found; t++) {
			const char *tag = img->tags[t];
			if (!tag)
				continue;
			found = glob ? glob_match(want, tag)
				     : strncmp(tag, want, strlen(want)) == 0;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool selects(const rule *r, const co_ecr_image *img)
{
	switch (r->kind) {
	case SEL_UNTAGGED: return img->n_tags == 0;
	case SEL_ANY: return true;
	case SEL_TAGGED:
		if (img->n_tags == 0)
			return false;
		if (r->prefixes)
			return has_all(img, r->prefixes, false);
		return has_all(img, r->patterns, true);
	}
	return false;
}

typedef struct ranked {
	size_t idx;
	const co_ecr_image *img;
} ranked;

/* Newest first; ties (same push time) by digest so the result does not
 * depend on the order DescribeImages listed them in. */
static int newest_first(const void *x, const void *y)
{
	const co_ecr_image *a = ((const ranked *)x)->img;
	const co_ecr_image *b = ((const ranked *)y)->img;
	if (a->pushed_at != b->pushed_at)
		return a->pushed_at < b->pushed_at ? 1 : -1;
	return strcmp(a->digest ? a->digest : "", b->digest ? b->digest : "");
}

static int parse_rule(json_t *jr, size_t idx, rule *out, char *err,
    size_t cap)
{
	json_t *prio = json_object_get(jr, "rulePriority");
	json_t *sel = json_object_get(jr, "selection");
	json_t *act = json_object_get(jr, "action");
	if (!json_is_integer(prio) || !json_is_object(sel) ||
	    !json_is_object(act)) {
		co_set_err(err, cap,
		    "rule %zu needs an integer rulePriority, a selection and "
		    "an action",
		    idx + 1);
		return -1;
	}
	out->priority = json_integer_value(prio);
	const char *type = json_string_value(json_object_get(act, "type"));
	if (!type || strcmp(type, "expire") != 0) {
		co_set_err(err, cap,
		    "rule %lld: only the \"expire\" action is evaluated",
		    (long long)out->priority);
		return -1;
	}
	const char *storage =
	    json_string_value(json_object_get(sel, "storageClass"));
	if (storage && strcmp(storage, "standard") != 0) {
		co_set_err(err, cap,
		    "rule %lld: storageClass \"%s\" is not evaluated",
		    (long long)out->priority, storage);
		return -1;
	}
	const char *status = json_string_value(json_object_get(sel, "tagStatus"));
	out->prefixes = json_object_get(sel, "tagPrefixList");
	out->patterns = json_object_get(sel, "tagPatternList");
	if (status && strcmp(status, "untagged") == 0) {
		out->kind = SEL_UNTAGGED;
	} else if (status && strcmp(status, "any") == 0) {
		out->kind = SEL_ANY;
	} else if (status && strcmp(status, "tagged") == 0) {
		out->kind = SEL_TAGGED;
		/* "If you specify tagged, then you must also specify a
		 * tagPrefixList" (or, since 2023, a tagPatternList). */
		bool pre = json_array_size(out->prefixes) > 0;
		bool pat = json_array_size(out->patterns) > 0;
		if (pre == pat) {
			co_set_err(err, cap,
			    "rule %lld: a tagged rule needs exactly one of "
			    "tagPrefixList and tagPatternList",
			    (long long)out->priority);
			return -1;
		}
		if (!pre)
			out->prefixes = NULL;
		if (!pat)
			out->patterns = NULL;
	} else {
		co_set_err(err, cap, "rule %lld: tagStatus must be tagged, "
				  "untagged or any",
		    (long long)out->priority);
		return -1;
	}
	const char *ctype = json_string_value(json_object_get(sel, "countType"));
	json_t *num = json_object_get(sel, "countNumber");
	if (!ctype || !json_is_integer(num) || json_integer_value(num) < 1) {
		co_set_err(err, cap,
		    "rule %lld: countType and a positive integer "
		    "countNumber are required",
		    (long long)out->priority);
		return -1;
	}
	out->count = json_integer_value(num);
	if (strcmp(ctype, "imageCountMoreThan") == 0) {
		out->by_count = true;
	} else if (strcmp(ctype, "sinceImagePushed") == 0) {
		const char *unit =
		    json_string_value(json_object_get(sel, "countUnit"));
		if (!unit || strcmp(unit, "days") != 0) {
			co_set_err(err, cap,
			    "rule %lld: sinceImagePushed needs countUnit "
			    "\"days\"",
			    (long long)out->priority);
			return -1;
		}
		out->by_count = false;
	} else {
		co_set_err(err, cap, "rule %lld: countType \"%s\" is not evaluated",
		    (long long)out->priority, ctype);
		return -1;
	}
	return 0;
}

int co_ecr_policy_eval(const char *policy_json, const co_ecr_image *images,
    size_t n, double now, bool *expired, char *err, size_t err_cap)
{
	int rc = -1;
	rule *rules = NULL;
	ranked *order = NULL;
	bool *seen = NULL;
	json_t *root = NULL;

	if (n > MAX_IMAGES) {
		co_set_err(err, err_cap, "more than %d images", MAX_IMAGES);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		expired[i] = false;
	root = json_loads(policy_json ? policy_json : "", 0, NULL);
	json_t *jrules = json_object_get(root, "rules");
	if (!json_is_array(jrules) || json_array_size(jrules) == 0) {
		co_set_err(err, err_cap, "the policy has no \"rules\" list");
		goto done;
	}
	size_t n_rules = json_array_size(jrules);
	if (n_rules > MAX_RULES) {
		co_set_err(err, err_cap, "more than %d rules", MAX_RULES);
		goto done;
	}
	rules = calloc(n_rules, sizeof(*rules));
	order = calloc(n ? n : 1, sizeof(*order));
	seen = calloc(n ? n : 1, sizeof(*seen));
	if (!rules || !order || !seen) {
		co_set_err(err, err_cap, "out of memory");
		goto done;
	}
	for (size_t r = 0; r < n_rules; r++)
		if (parse_rule(json_array_get(jrules, r), r, &rules[r], err,
			err_cap) < 0)
			goto done;
	qsort(rules, n_rules, sizeof(*rules), rule_cmp);
	for (size_t r = 1; r < n_rules; r++)
		if (rules[r].priority == rules[r - 1].priority) {
			co_set_err(err, err_cap,
			    "two rules have rulePriority %lld; priorities "
			    "must be unique",
			    (long long)rules[r].priority);
			goto done;
		}

	for (size_t r = 0; r < n_rules; r++) {
		const rule *ru = &rules[r];
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (selects(ru, &images[i]))
				order[m++] = (ranked){.idx = i, .img = &images[i]};
		qsort(order, m, sizeof(*order), newest_first);
		for (size_t k = 0; k < m; k++) {
			size_t i = order[k].idx;
			bool over = ru->by_count
					? (int64_t)k >= ru->count
					: now - images[i].pushed_at >
					      (double)ru->count * SECONDS_PER_DAY;
			/* "An image that matches the tagging requirements of
			 * a rule cannot be expired by a rule with a lower
			 * priority": only images no earlier rule identified
			 * can be expired here, but all count above. */
			if (over && !seen[i])
				expired[i] = true;
		}
		for (size_t k = 0; k < m; k++)
			seen[order[k].idx] = true;
	}
	rc = 0;
done:
	if (rc < 0 && expired)
		for (size_t i = 0; i < n && n <= MAX_IMAGES; i++)
			expired[i] = false;
	json_decref(root);
	free(seen);
	free(order);
	free(rules);
	return rc;
}

/* ---- rendering ------------------------------------------------------------------- */

static int prefix_cmp(const void *x, const void *y)
{
	const co_ecr_prefix_keep *a = x, *b = y;
	/* Descending bytewise: "prod-eu" before "prod", so a rule for a
	 * longer prefix runs before a rule for a prefix of it. */
	return -strcmp(a->prefix, b->prefix);
}

static json_t *make_rule(int64_t prio, const char *desc, json_t *selection)
{
	return json_pack("{s:I, s:s, s:o, s:{s:s}}", "rulePriority",
	    (json_int_t)prio, "description", desc, "selection", selection,
	    "action", "type", "expire");
}

char *co_ecr_policy_render(const co_ecr_retention *r)
{
	char *out = NULL;
	co_ecr_prefix_keep *sorted = NULL;
	json_t *rules = json_array();
	char desc[256];
	int64_t prio = 1;

	if (!rules)
		goto done;
	/* ECR allows one rule for untagged images; when both settings are
	 * given (validation rejects that) the count wins. */
	if (r->keep_untagged > 0) {
		snprintf(desc, sizeof(desc),
		    "costops: keep the %lld most recent untagged images",
		    (long long)r->keep_untagged);
		json_array_append_new(rules, make_rule(prio++, desc,
		    json_pack("{s:s, s:s, s:I}", "tagStatus", "untagged",
			"countType", "imageCountMoreThan", "countNumber",
			(json_int_t)r->keep_untagged)));
	} else if (r->expire_untagged_after_days > 0) {
		snprintf(desc, sizeof(desc),
		    "costops: expire untagged images after %lld days",
		    (long long)r->expire_untagged_after_days);
		json_array_append_new(rules, make_rule(prio++, desc,
		    json_pack("{s:s, s:s, s:s, s:I}", "tagStatus", "untagged",
			"countType", "sinceImagePushed", "countUnit", "days",
			"countNumber",
			(json_int_t)r->expire_untagged_after_days)));
	}
	if (r->n_prefixes) {
		sorted = malloc(r->n_prefixes * sizeof(*sorted));
		if (!sorted)
			goto done;
		memcpy(sorted, r->prefixes, r->n_prefixes * sizeof(*sorted));
		qsort(sorted, r->n_prefixes, sizeof(*sorted), prefix_cmp);
	}
	for (size_t i = 0; i < r->n_prefixes; i++) {
		snprintf(desc, sizeof(desc),
		    "costops: keep the %lld most recent images tagged %.128s*",
		    (long long)sorted[i].keep, sorted[i].prefix);
		json_array_append_new(rules, make_rule(prio++, desc,
		    json_pack("{s:s, s:[s], s:s, s:I}", "tagStatus", "tagged",
			"tagPrefixList", sorted[i].prefix, "countType",
			"imageCountMoreThan", "countNumber",
			(json_int_t)sorted[i].keep)));
	}
	/* "A rule with a tagStatus value of any must have the highest value
	 * for rulePriority and be evaluated last." */
	if (r->keep_total > 0) {
		snprintf(desc, sizeof(desc),
		    "costops: keep the %lld most recent images",
		    (long long)r->keep_total);
		json_array_append_new(rules, make_rule(prio++, desc,
		    json_pack("{s:s, s:s, s:I}", "tagStatus", "any",
			"countType", "imageCountMoreThan", "countNumber",
			(json_int_t)r->keep_total)));
	}
	if (json_array_size(rules) == 0)
		goto done;
	json_t *root = json_pack("{s:O}", "rules", rules);
	if (root) {
		out = json_dumps(root, JSON_COMPACT);
		json_decref(root);
	}
done:
	free(sorted);
	json_decref(rules);
	return out;
}

/* ---- parsing back ------------------------------------------------------------------- */

/* True when obj has no keys other than the NULL-terminated allowed ones. */
static bool only_keys(json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				ok = true;
		if (!ok)
			return false;
	}
	return true;
}

int co_ecr_policy_parse(co_arena *a, const char *policy_json,
    co_ecr_retention *r)
{
	static const char *const rule_keys[] = {"rulePriority", "description",
	    "selection", "action", NULL};
	static const char *const sel_keys[] = {"tagStatus", "tagPrefixList",
	    "countType", "countUnit", "countNumber", NULL};
	int rc = -1;
	co_ecr_retention out = {0};
	json_t *root = json_loads(policy_json ? policy_json : "", 0, NULL);
	json_t *rules = json_object_get(root, "rules");
	size_t n = json_array_size(rules);
	if (!json_is_array(rules) || n == 0 || n > MAX_RULES)
		goto done;
	co_ecr_prefix_keep *pk = co_arena_alloc(a, n * sizeof(*pk));
	int64_t last_prio = 0;
	bool saw_any = false;
	size_t i;
	json_t *jr;
	json_array_foreach(rules, i, jr)
	{
		rule ru;
		if (parse_rule(jr, i, &ru, NULL, 0) < 0 ||
		    !only_keys(jr, rule_keys))
			goto done;
		json_t *sel = json_object_get(jr, "selection");
		if (!only_keys(sel, sel_keys) || ru.priority <= last_prio ||
		    saw_any)
			goto done;
		last_prio = ru.priority;
		switch (ru.kind) {
		case SEL_UNTAGGED:
			if (out.keep_untagged || out.expire_untagged_after_days)
				goto done;
			if (ru.by_count)
				out.keep_untagged = ru.count;
			else
				out.expire_untagged_after_days = ru.count;
			break;
		case SEL_TAGGED:
			if (!ru.by_count || json_array_size(ru.prefixes) != 1)
				goto done;
			pk[out.n_prefixes].prefix = co_arena_strdup(a,
			    json_string_value(json_array_get(ru.prefixes, 0)));
			pk[out.n_prefixes++].keep = ru.count;
			break;
		case SEL_ANY:
			if (!ru.by_count)
				goto done;
			out.keep_total = ru.count;
			saw_any = true;
			break;
		}
	}
	/* Two rules for one prefix cannot come from a map. */
	for (size_t x = 0; x < out.n_prefixes; x++)
		for (size_t y = x + 1; y < out.n_prefixes; y++)
			if (strcmp(pk[x].prefix, pk[y].prefix) == 0)
				goto done;
	out.prefixes = pk;
	*r = out;
	rc = 0;
done:
	json_decref(root);
	return rc;
}

/* ---- normalizing ---------------------------------------------------------------------- */

static int json_prio_cmp(const void *x, const void *y)
{
	json_int_t a = json_integer_value(
	    json_object_get(*(json_t *const *)x, "rulePriority"));
	json_int_t b = json_integer_value(
	    json_object_get(*(json_t *const *)y, "rulePriority"));
	return (a > b) - (a < b);
}

char *co_ecr_policy_normalize(const char *policy_json)
{
	char *out = NULL;
	json_t **items = NULL;
	json_t *root = json_loads(policy_json ? policy_json : "", 0, NULL);
	if (!json_is_object(root))
		goto done;
	json_t *rules = json_object_get(root, "rules");
	size_t n = json_array_size(rules);
	if (n > 1 && n <= MAX_RULES) {
		items = malloc(n * sizeof(*items));
		if (!items)
			goto done;
		for (size_t i = 0; i < n; i++)
			items[i] = json_incref(json_array_get(rules, i));
		qsort(items, n, sizeof(*items), json_prio_cmp);
		json_array_clear(rules);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(rules, items[i]);
	}
	out = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
done:
	free(items);
	json_decref(root);
	return out;
}

bool co_ecr_policy_same(const char *a, const char *b)
{
	char *na = co_ecr_policy_normalize(a);
	char *nb = co_ecr_policy_normalize(b);
	bool same = na && nb && strcmp(na, nb) == 0;
	free(na);
	free(nb);
	return same;
}
