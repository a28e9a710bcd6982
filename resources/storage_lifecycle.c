/* costops_storage_lifecycle: the whole lifecycle configuration of one S3
 * bucket (S3 replaces it as a whole on every PUT) plus the bucket's
 * Intelligent-Tiering configurations named here, written as readable
 * shorthands, checked before anything is sent (s3_lifecycle_rules.c), and
 * never written over a configuration someone else put there unless
 * adopt_existing says so. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/framework/resource.h"
#include "provider/util/log.h"
#include "resources/estimate.h"
#include "resources/s3_lifecycle_rules.h"

#define S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"
/* Lifecycle documents are at most 1,000 rules; 4 MiB is far above that. */
#define XML_LIMIT ((size_t)4 << 20)
#define DEFAULT_WAIT_MS (3L * 60 * 1000)

/* ---- schema ------------------------------------------------------------------ */

#define DAYS_ATTR(n, d) \
	{.name = n, .type = "\"number\"", .flags = CO_OPTIONAL, .description = d}

static const co_attr_schema rule_attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_OPTIONAL | CO_COMPUTED,
	    .description = "Rule ID (1-255 characters, unique in the bucket). "
			   "Default: `rule-<n>` after the rule's position."},
	{.name = "enabled", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "true",
	    .description = "`false` keeps the rule but S3 does not run it "
			   "(Status `Disabled`)."},
	{.name = "prefix", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "Only objects whose key starts with this prefix, "
			   "e.g. `raw/`. Omit for the whole bucket."},
	{.name = "tags", .type = "[\"map\",\"string\"]", .flags = CO_OPTIONAL,
	    .description = "Only objects carrying all of these tags."},
	{.name = "object_size_greater_than", .type = "\"number\"",
	    .flags = CO_OPTIONAL,
	    .description = "Only objects larger than this many bytes. "
			   "131072 (128 KB) or more avoids the small-object "
			   "warning: transitions of small objects cost more "
			   "than they save."},
	{.name = "object_size_less_than", .type = "\"number\"",
	    .flags = CO_OPTIONAL,
	    .description = "Only objects smaller than this many bytes."},
	DAYS_ATTR("standard_ia_after_days",
	    "Days after creation to move objects to S3 Standard-IA "
	    "(`STANDARD_IA`; at least 30)."),
	DAYS_ATTR("intelligent_tiering_after_days",
	    "Days after creation to move objects to S3 Intelligent-Tiering "
	    "(`INTELLIGENT_TIERING`; 0 or more)."),
	DAYS_ATTR("onezone_ia_after_days",
	    "Days after creation to move objects to S3 One Zone-IA "
	    "(`ONEZONE_IA`; at least 30)."),
	DAYS_ATTR("glacier_ir_after_days",
	    "Days after creation to move objects to S3 Glacier Instant "
	    "Retrieval (`GLACIER_IR`)."),
	DAYS_ATTR("glacier_after_days",
	    "Days after creation to move objects to S3 Glacier Flexible "
	    "Retrieval (`GLACIER`)."),
	DAYS_ATTR("deep_archive_after_days",
	    "Days after creation to move objects to S3 Glacier Deep Archive "
	    "(`DEEP_ARCHIVE`)."),
	DAYS_ATTR("expire_after_days",
	    "Days after creation to expire (delete) objects; after every "
	    "transition of the rule."),
	DAYS_ATTR("noncurrent_standard_ia_after_days",
	    "Days after a version becomes noncurrent to move it to "
	    "`STANDARD_IA` (at least 30)."),
	DAYS_ATTR("noncurrent_intelligent_tiering_after_days",
	    "Days after a version becomes noncurrent to move it to "
	    "`INTELLIGENT_TIERING`."),
	DAYS_ATTR("noncurrent_onezone_ia_after_days",
	    "Days after a version becomes noncurrent to move it to "
	    "`ONEZONE_IA` (at least 30)."),
	DAYS_ATTR("noncurrent_glacier_ir_after_days",
	    "Days after a version becomes noncurrent to move it to "
	    "`GLACIER_IR`."),
	DAYS_ATTR("noncurrent_glacier_after_days",
	    "Days after a version becomes noncurrent to move it to "
	    "`GLACIER`."),
	DAYS_ATTR("noncurrent_deep_archive_after_days",
	    "Days after a version becomes noncurrent to move it to "
	    "`DEEP_ARCHIVE`."),
	DAYS_ATTR("noncurrent_expire_after_days",
	    "Days after a version becomes noncurrent to delete it."),
	DAYS_ATTR("noncurrent_newer_versions",
	    "With `noncurrent_expire_after_days`: keep this many newer "
	    "noncurrent versions (1-100) regardless of age."),
	DAYS_ATTR("abort_incomplete_multipart_upload_days",
	    "Days after a multipart upload started to abort it and delete "
	    "its parts (not with `tags`)."),
	{0},
};

static const co_block_schema rule_block = {
	.attrs = rule_attrs,
	.description = "One lifecycle rule: a filter (prefix, tags, object "
		       "size) and its actions.",
};

static const co_attr_schema tiering_attrs[] = {
	{.name = "name", .type = "\"string\"", .flags = CO_REQUIRED,
	    .description = "Configuration ID, e.g. `RetailDataTiering`."},
	{.name = "enabled", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "true",
	    .description = "Status `Enabled` (default) or `Disabled`."},
	{.name = "prefix", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "Only objects under this key prefix."},
	{.name = "tags", .type = "[\"map\",\"string\"]", .flags = CO_OPTIONAL,
	    .description = "Only objects carrying all of these tags."},
	{.name = "archive_access_after_days", .type = "\"number\"",
	    .flags = CO_OPTIONAL,
	    .description = "Days without access before Intelligent-Tiering "
			   "moves an object to Archive Access (90-730)."},
	{.name = "deep_archive_access_after_days", .type = "\"number\"",
	    .flags = CO_OPTIONAL,
	    .description = "Days without access before Intelligent-Tiering "
			   "moves an object to Deep Archive Access (180-730, "
			   "after Archive Access)."},
	{0},
};

static const co_block_schema tiering_block = {
	.attrs = tiering_attrs,
	.description = "An S3 Intelligent-Tiering configuration (opt-in "
		       "archive tiers for objects already in the "
		       "INTELLIGENT_TIERING storage class).",
};

static const co_attr_schema attrs[] = {
	{.name = "id", .type = "\"string\"", .flags = CO_COMPUTED | CO_STABLE,
	    .description = "The bucket name; also the import id."},
	{.name = "bucket", .type = "\"string\"",
	    .flags = CO_REQUIRED | CO_FORCE_NEW,
	    .description = "The bucket whose lifecycle configuration this "
			   "resource owns. It must exist (costops does not "
			   "create buckets)."},
	{.name = "adopt_existing", .type = "\"bool\"",
	    .flags = CO_OPTIONAL | CO_COMPUTED, .default_json = "false",
	    .description = "When the bucket already has a lifecycle "
			   "configuration (or an Intelligent-Tiering "
			   "configuration with a name used here) that costops "
			   "did not write, replace it. Default `false`: plan "
			   "and apply stop with an error instead. Destroy "
			   "removes the adopted configuration; it does not "
			   "restore the old one."},
	{.name = "foreign_settings", .type = "[\"list\",\"string\"]",
	    .flags = CO_COMPUTED,
	    .description = "Settings found on the bucket that these arguments "
			   "cannot express (date-based actions, "
			   "ExpiredObjectDeleteMarker, ...). Non-empty means "
			   "someone changed the configuration outside costops; "
			   "the next apply replaces them."},
	{.name = "estimated_size_gb", .type = "[\"map\",\"number\"]",
	    .flags = CO_OPTIONAL,
	    .description = "For the estimate only: GB stored under a rule's "
			   "prefix (key `\"\"` for a rule without prefix), "
			   "when you know it better than a listing would "
			   "(a large bucket, or one not filled yet). Rules "
			   "whose prefix is not here are measured with "
			   "ListObjectsV2 (the first 10,000 objects)."},
	CO_ESTIMATE_ATTRS(
	    "S3 storage a month of the data under the enabled rules' "
	    "prefixes once the rules have moved it: each prefix's GB "
	    "(`estimated_size_gb`, else ListObjectsV2, sampled up to 10,000 "
	    "objects) split over the storage classes by the rules' days, "
	    "assuming object ages spread evenly over the past 365 days, at "
	    "the catalog's prices, plus Intelligent-Tiering monitoring and "
	    "transition requests. Noncurrent versions, tag and size filters "
	    "and Intelligent-Tiering archive tiers are not modelled. See "
	    "docs/costs.md.",
	    "The same data all in S3 Standard minus `estimated_monthly_usd`.",
	    "One line per rule: prefix, GB and where it came from, the share "
	    "in each class, and the prices' date."),
	{0},
};

static const co_block_type_schema blocks[] = {
	{.name = "rule", .nesting = CO_NEST_LIST, .block = &rule_block},
	{.name = "intelligent_tiering", .nesting = CO_NEST_LIST,
	    .block = &tiering_block},
	CO_TIMEOUTS_BLOCK_TYPE,
	{0},
};

static const co_block_schema schema = {
	.attrs = attrs,
	.blocks = blocks,
	.description = "The lifecycle configuration of one S3 bucket (all of "
		       "its rules) and its Intelligent-Tiering "
		       "configurations, checked at plan time against the "
		       "rules S3 enforces and against transitions that cost "
		       "more than they save.",
};

/* ---- configuration -> checker structs ------------------------------------------ */

static co_s3_num num_of(const co_value *v)
{
	co_s3_num n = {0};
	if (v && v->is_unknown)
		n.unknown = true;
	else if (co_value_num(v, &n.v))
		n.set = true;
	return n;
}

static char *class_attr(co_ctx *ctx, bool noncurrent, int c)
{
	return co_arena_sprintf(ctx->arena, "%s%s_after_days",
	    noncurrent ? "noncurrent_" : "", co_s3_class_stem((co_s3_class)c));
}

static void rule_struct(co_ctx *ctx, const co_value *r, co_s3_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->id = co_value_str(co_value_attr(r, "id"));
	const co_value *tags = co_value_attr(r, "tags");
	out->n_tags = co_value_is_set(tags) ? tags->count : 0;
	out->size_gt = num_of(co_value_attr(r, "object_size_greater_than"));
	out->size_lt = num_of(co_value_attr(r, "object_size_less_than"));
	for (int c = 0; c < CO_S3_NCLASSES; c++) {
		out->transition[c] =
		    num_of(co_value_attr(r, class_attr(ctx, false, c)));
		out->nc_transition[c] =
		    num_of(co_value_attr(r, class_attr(ctx, true, c)));
	}
	out->expire = num_of(co_value_attr(r, "expire_after_days"));
	out->nc_expire = num_of(co_value_attr(r, "noncurrent_expire_after_days"));
	out->nc_newer_versions =
	    num_of(co_value_attr(r, "noncurrent_newer_versions"));
	out->abort_mpu =
	    num_of(co_value_attr(r, "abort_incomplete_multipart_upload_days"));
}

static void finding_to_diag(const co_s3_finding *f, void *payload)
{
	co_ctx *ctx = payload;
	co_path p = co_path_attr(f->block);
	if (f->index >= 0)
		p = co_path_push_index(p, f->index);
	if (f->attr)
		p = co_path_push_attr(p, f->attr);
	/* The CLIs point a block path at the resource, not at the block:
	 * name the block in the text too. */
	co_diag_add(ctx->diags, f->warning ? CO_DIAG_WARNING : CO_DIAG_ERROR,
	    &p, f->summary, "%s%s%s", f->attr ? "" : co_path_string(ctx->arena, &p),
	    f->attr ? "" : ": ", f->detail);
}

/* ---- the resource: validate ---------------------------------------------------- */

static void check_filter_strings(co_ctx *ctx, const char *block,
    const co_value *list)
{
	for (size_t i = 0; co_value_is_set(list) && i < list->count; i++) {
		const co_value *pre = co_value_attr(list->items[i], "prefix");
		if (co_value_is_set(pre) && pre->str_len == 0) {
			co_path p = co_path_push_attr(
			    co_path_push_index(co_path_attr(block), (int64_t)i),
			    "prefix");
			co_diag_error(ctx->diags, &p, "Empty prefix",
			    "An empty prefix matches the whole bucket; omit "
			    "prefix instead (S3 returns no prefix for it, so "
			    "\"\" would show as a change on every plan).");
		}
	}
}

static void sl_validate(co_ctx *ctx, const co_value *config)
{
	const co_value *rules = co_value_attr(config, "rule");
	const co_value *tiers = co_value_attr(config, "intelligent_tiering");
	if ((rules && rules->is_unknown) || (tiers && tiers->is_unknown))
		return; /* dynamic blocks not expanded yet: check at plan */
	size_t nr = co_value_is_set(rules) ? rules->count : 0;
	size_t nt = co_value_is_set(tiers) ? tiers->count : 0;
	co_s3_rule *rs = co_arena_alloc(ctx->arena, (nr + 1) * sizeof(*rs));
	co_s3_tiering *ts = co_arena_alloc(ctx->arena, (nt + 1) * sizeof(*ts));
	for (size_t i = 0; i < nr; i++)
		rule_struct(ctx, rules->items[i], &rs[i]);
	for (size_t i = 0; i < nt; i++) {
		const co_value *t = tiers->items[i];
		ts[i].name = co_value_str(co_value_attr(t, "name"));
		ts[i].archive = num_of(co_value_attr(t, "archive_access_after_days"));
		ts[i].deep_archive =
		    num_of(co_value_attr(t, "deep_archive_access_after_days"));
	}
	co_s3_lifecycle_check(rs, nr, ts, nt, finding_to_diag, ctx);
	check_filter_strings(ctx, "rule", rules);
	check_filter_strings(ctx, "intelligent_tiering", tiers);
}

/* ---- XML: our values -> S3 documents ---------------------------------------------- */

static void xml_escaped(co_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': co_buf_puts(b, "&amp;"); break;
		case '<': co_buf_puts(b, "&lt;"); break;
		case '>': co_buf_puts(b, "&gt;"); break;
		case '"': co_buf_puts(b, "&quot;"); break;
		case '\'': co_buf_puts(b, "&apos;"); break;
		default: co_buf_putc(b, *s);
		}
	}
}

static void xml_elem(co_buf *b, const char *name, const char *text)
{
	co_buf_printf(b, "<%s>", name);
	xml_escaped(b, text);
	co_buf_printf(b, "</%s>", name);
}

static void xml_num(co_buf *b, const char *name, const co_value *v)
{
	int64_t n;
	if (co_value_int(v, &n))
		co_buf_printf(b, "<%s>%lld</%s>", name, (long long)n, name);
}

static void xml_tag(co_buf *b, const char *k, const char *v)
{
	co_buf_puts(b, "<Tag>");
	xml_elem(b, "Key", k);
	xml_elem(b, "Value", v);
	co_buf_puts(b, "</Tag>");
}

/* LifecycleRuleFilter / IntelligentTieringFilter: one condition stands
 * alone, several go in And, none is an empty Filter (the whole bucket). */
static void xml_filter(co_buf *b, const co_value *obj, bool sizes)
{
	const char *prefix = co_value_str(co_value_attr(obj, "prefix"));
	const co_value *tags = co_value_attr(obj, "tags");
	const co_value *gt =
	    sizes ? co_value_attr(obj, "object_size_greater_than") : NULL;
	const co_value *lt =
	    sizes ? co_value_attr(obj, "object_size_less_than") : NULL;
	size_t n = (prefix ? 1 : 0) + (co_value_is_set(tags) ? tags->count : 0) +
		   (co_value_is_set(gt) ? 1 : 0) + (co_value_is_set(lt) ? 1 : 0);
	co_buf_puts(b, "<Filter>");
	if (n > 1)
		co_buf_puts(b, "<And>");
	if (prefix)
		xml_elem(b, "Prefix", prefix);
	for (size_t i = 0; co_value_is_set(tags) && i < tags->count; i++)
		xml_tag(b, tags->keys[i], co_value_str(tags->items[i]));
	xml_num(b, "ObjectSizeGreaterThan", gt);
	xml_num(b, "ObjectSizeLessThan", lt);
	if (n > 1)
		co_buf_puts(b, "</And>");
	co_buf_puts(b, "</Filter>");
}

static void xml_lifecycle(co_ctx *ctx, co_buf *b, const co_value *rules)
{
	co_buf_puts(b, "<LifecycleConfiguration xmlns=\"" S3_NS "\">");
	for (size_t i = 0; co_value_is_set(rules) && i < rules->count; i++) {
		const co_value *r = rules->items[i];
		co_buf_puts(b, "<Rule>");
		xml_elem(b, "ID", co_value_str(co_value_attr(r, "id")));
		xml_filter(b, r, true);
		co_buf_printf(b, "<Status>%s</Status>",
		    co_value_bool_or(co_value_attr(r, "enabled"), true)
			? "Enabled"
			: "Disabled");
		for (int c = 0; c < CO_S3_NCLASSES; c++) {
			const co_value *d =
			    co_value_attr(r, class_attr(ctx, false, c));
			if (!co_value_is_set(d))
				continue;
			co_buf_puts(b, "<Transition>");
			xml_num(b, "Days", d);
			xml_elem(b, "StorageClass",
			    co_s3_class_name((co_s3_class)c));
			co_buf_puts(b, "</Transition>");
		}
		const co_value *exp = co_value_attr(r, "expire_after_days");
		if (co_value_is_set(exp)) {
			co_buf_puts(b, "<Expiration>");
			xml_num(b, "Days", exp);
			co_buf_puts(b, "</Expiration>");
		}
		for (int c = 0; c < CO_S3_NCLASSES; c++) {
			const co_value *d =
			    co_value_attr(r, class_attr(ctx, true, c));
			if (!co_value_is_set(d))
				continue;
			co_buf_puts(b, "<NoncurrentVersionTransition>");
			xml_num(b, "NoncurrentDays", d);
			xml_elem(b, "StorageClass",
			    co_s3_class_name((co_s3_class)c));
			co_buf_puts(b, "</NoncurrentVersionTransition>");
		}
		const co_value *nce =
		    co_value_attr(r, "noncurrent_expire_after_days");
		if (co_value_is_set(nce)) {
			co_buf_puts(b, "<NoncurrentVersionExpiration>");
			xml_num(b, "NoncurrentDays", nce);
			xml_num(b, "NewerNoncurrentVersions",
			    co_value_attr(r, "noncurrent_newer_versions"));
			co_buf_puts(b, "</NoncurrentVersionExpiration>");
		}
		const co_value *mpu =
		    co_value_attr(r, "abort_incomplete_multipart_upload_days");
		if (co_value_is_set(mpu)) {
			co_buf_puts(b, "<AbortIncompleteMultipartUpload>");
			xml_num(b, "DaysAfterInitiation", mpu);
			co_buf_puts(b, "</AbortIncompleteMultipartUpload>");
		}
		co_buf_puts(b, "</Rule>");
	}
	co_buf_puts(b, "</LifecycleConfiguration>");
}

static void xml_tiering(co_buf *b, const co_value *t)
{
	co_buf_puts(b, "<IntelligentTieringConfiguration xmlns=\"" S3_NS "\">");
	xml_elem(b, "Id", co_value_str(co_value_attr(t, "name")));
	const co_value *tags = co_value_attr(t, "tags");
	if (co_value_is_set(co_value_attr(t, "prefix")) ||
	    (co_value_is_set(tags) && tags->count))
		xml_filter(b, t, false);
	co_buf_printf(b, "<Status>%s</Status>",
	    co_value_bool_or(co_value_attr(t, "enabled"), true) ? "Enabled"
								: "Disabled");
	const co_value *a = co_value_attr(t, "archive_access_after_days");
	const co_value *d = co_value_attr(t, "deep_archive_access_after_days");
	if (co_value_is_set(a)) {
		co_buf_puts(b, "<Tiering>");
		xml_num(b, "Days", a);
		co_buf_puts(b, "<AccessTier>ARCHIVE_ACCESS</AccessTier></Tiering>");
	}
	if (co_value_is_set(d)) {
		co_buf_puts(b, "<Tiering>");
		xml_num(b, "Days", d);
		co_buf_puts(b,
		    "<AccessTier>DEEP_ARCHIVE_ACCESS</AccessTier></Tiering>");
	}
	co_buf_puts(b, "</IntelligentTieringConfiguration>");
}

/* ---- XML: S3 documents -> our values ----------------------------------------------- */

static co_value *num_text(co_ctx *ctx, const char *s)
{
	if (!s || !*s)
		return NULL;
	return co_value_number_text(ctx->arena, s, strlen(s));
}

static void add_foreign(co_ctx *ctx, co_value *foreign, const char *what,
    const char *who)
{
	co_value_append(ctx->arena, foreign,
	    co_value_string(ctx->arena,
		co_arena_sprintf(ctx->arena, "%s: %s", who, what)));
}

static co_value *new_tags(co_ctx *ctx)
{
	return co_value_collection(ctx->arena,
	    co_type_map(ctx->arena, &co_type_string));
}

static void put_tag(co_ctx *ctx, co_value **tags, const co_xml *tag)
{
	const char *k = co_xml_text(tag, "Key");
	const char *v = co_xml_text(tag, "Value");
	if (!k)
		return;
	if (!*tags)
		*tags = new_tags(ctx);
	co_value_map_put(ctx->arena, *tags, k,
	    co_value_string(ctx->arena, v ? v : ""));
}

/* Reads a Filter (or its And) into prefix/tags/sizes of obj. */
static void read_filter(co_ctx *ctx, const co_xml *f, co_value *obj,
    bool sizes, co_value *foreign, const char *who)
{
	co_value *tags = NULL;
	for (const co_xml *c = f ? f->child : NULL; c; c = c->next) {
		if (strcmp(c->name, "And") == 0) {
			read_filter(ctx, c, obj, sizes, foreign, who);
			continue;
		}
		if (strcmp(c->name, "Prefix") == 0) {
			if (c->text && *c->text)
				co_value_set_attr(obj, "prefix",
				    co_value_string(ctx->arena, c->text));
		} else if (strcmp(c->name, "Tag") == 0) {
			put_tag(ctx, &tags, c);
		} else if (sizes && strcmp(c->name, "ObjectSizeGreaterThan") == 0) {
			co_value *n = num_text(ctx, c->text);
			if (n)
				co_value_set_attr(obj, "object_size_greater_than", n);
		} else if (sizes && strcmp(c->name, "ObjectSizeLessThan") == 0) {
			co_value *n = num_text(ctx, c->text);
			if (n)
				co_value_set_attr(obj, "object_size_less_than", n);
		} else {
			add_foreign(ctx, foreign, "unsupported filter element",
			    who);
		}
	}
	if (tags)
		co_value_set_attr(obj, "tags", tags);
}

static void read_transition(co_ctx *ctx, const co_xml *t, co_value *r,
    bool noncurrent, co_value *foreign, const char *who)
{
	const char *cls = co_xml_text(t, "StorageClass");
	const char *days =
	    co_xml_text(t, noncurrent ? "NoncurrentDays" : "Days");
	int c = co_s3_class_from_name(cls);
	co_value *n = num_text(ctx, days);
	if (c < 0 || !n || co_xml_find(t, "Date") ||
	    (noncurrent && co_xml_find(t, "NewerNoncurrentVersions"))) {
		add_foreign(ctx, foreign,
		    noncurrent ? "a noncurrent transition costops does not "
				 "model"
			       : "a transition costops does not model "
				 "(date-based or unknown class)",
		    who);
		return;
	}
	const char *attr = class_attr(ctx, noncurrent, c);
	if (co_value_is_set(co_value_attr(r, attr))) {
		add_foreign(ctx, foreign, "two transitions to one class",
		    who);
		return;
	}
	co_value_set_attr(r, attr, n);
}

static co_value *rule_from_xml(co_ctx *ctx, const co_xml *x,
    co_value *foreign)
{
	co_value *r = co_schema_empty(ctx->arena, &rule_block);
	const char *id = co_xml_text(x, "ID");
	const char *who = co_arena_sprintf(ctx->arena, "rule \"%s\"",
	    id ? id : "");
	co_value_set_attr(r, "id", co_value_string(ctx->arena, id ? id : ""));
	const char *status = co_xml_text(x, "Status");
	co_value_set_attr(r, "enabled", co_value_bool(ctx->arena,
	    !status || strcmp(status, "Enabled") == 0));
	for (const co_xml *c = x->child; c; c = c->next) {
		if (strcmp(c->name, "Filter") == 0) {
			read_filter(ctx, c, r, true, foreign, who);
		} else if (strcmp(c->name, "Prefix") == 0) {
			/* The deprecated rule-level prefix means the same. */
			if (c->text && *c->text)
				co_value_set_attr(r, "prefix",
				    co_value_string(ctx->arena, c->text));
		} else if (strcmp(c->name, "Transition") == 0) {
			read_transition(ctx, c, r, false, foreign, who);
		} else if (strcmp(c->name, "NoncurrentVersionTransition") == 0) {
			read_transition(ctx, c, r, true, foreign, who);
		} else if (strcmp(c->name, "Expiration") == 0) {
			co_value *n = num_text(ctx, co_xml_text(c, "Days"));
			if (n)
				co_value_set_attr(r, "expire_after_days", n);
			if (!n || co_xml_find(c, "Date") ||
			    co_xml_find(c, "ExpiredObjectDeleteMarker"))
				add_foreign(ctx, foreign,
				    "a date-based expiration or "
				    "ExpiredObjectDeleteMarker",
				    who);
		} else if (strcmp(c->name, "NoncurrentVersionExpiration") == 0) {
			co_value *n =
			    num_text(ctx, co_xml_text(c, "NoncurrentDays"));
			co_value *k = num_text(ctx,
			    co_xml_text(c, "NewerNoncurrentVersions"));
			if (n)
				co_value_set_attr(r,
				    "noncurrent_expire_after_days", n);
			if (k)
				co_value_set_attr(r, "noncurrent_newer_versions",
				    k);
		} else if (strcmp(c->name, "AbortIncompleteMultipartUpload") ==
			   0) {
			co_value *n = num_text(ctx,
			    co_xml_text(c, "DaysAfterInitiation"));
			if (n)
				co_value_set_attr(r,
				    "abort_incomplete_multipart_upload_days", n);
		}
	}
	return r;
}

static co_value *tiering_from_xml(co_ctx *ctx, const co_xml *x,
    co_value *foreign)
{
	co_value *t = co_schema_empty(ctx->arena, &tiering_block);
	const char *id = co_xml_text(x, "Id");
	const char *who = co_arena_sprintf(ctx->arena,
	    "intelligent_tiering \"%s\"", id ? id : "");
	co_value_set_attr(t, "name", co_value_string(ctx->arena, id ? id : ""));
	const char *status = co_xml_text(x, "Status");
	co_value_set_attr(t, "enabled", co_value_bool(ctx->arena,
	    !status || strcmp(status, "Enabled") == 0));
	for (const co_xml *c = x->child; c; c = c->next) {
		if (strcmp(c->name, "Filter") == 0)
			read_filter(ctx, c, t, false, foreign, who);
		if (strcmp(c->name, "Tiering") != 0)
			continue;
		const char *tier = co_xml_text(c, "AccessTier");
		co_value *n = num_text(ctx, co_xml_text(c, "Days"));
		if (tier && n && strcmp(tier, "ARCHIVE_ACCESS") == 0)
			co_value_set_attr(t, "archive_access_after_days", n);
		else if (tier && n && strcmp(tier, "DEEP_ARCHIVE_ACCESS") == 0)
			co_value_set_attr(t, "deep_archive_access_after_days",
			    n);
	}
	return t;
}

/* ---- S3 calls --------------------------------------------------------------------- */

static const co_path bucket_path_v = {.n = 1,
    .steps = {{.kind = CO_STEP_ATTR, .name = "bucket"}}};

/* GET ?lifecycle. *doc NULL and 0 when the bucket has no configuration;
 * *missing_bucket set for NoSuchBucket (then also 0). */
static int get_lifecycle(co_ctx *ctx, const char *bucket, co_xml **doc,
    bool *missing_bucket, co_aws_error *err)
{
	*doc = NULL;
	*missing_bucket = false;
	if (co_aws_s3_call(ctx->provider->aws, "GET", bucket, "", "lifecycle",
		NULL, 0, doc, err) == 0)
		return 0;
	if (co_aws_error_is(err, "NoSuchLifecycleConfiguration"))
		return 0;
	if (co_aws_error_is(err, "NoSuchBucket")) {
		*missing_bucket = true;
		return 0;
	}
	return -1;
}

/* All Intelligent-Tiering configurations of the bucket (every page) as
 * XML nodes in *docs (the caller frees each). */
typedef struct tiering_list {
	co_xml **docs;
	size_t n_docs;
	const co_xml **configs;
	size_t n, cap;
} tiering_list;

static void tiering_list_free(tiering_list *l)
{
	for (size_t i = 0; i < l->n_docs; i++)
		co_xml_free(l->docs[i]);
	free(l->docs);
	free(l->configs);
	memset(l, 0, sizeof(*l));
}

static int list_tierings(co_ctx *ctx, const char *bucket, tiering_list *out,
    co_aws_error *err)
{
	int rc = -1;
	char *token = NULL;
	memset(out, 0, sizeof(*out));
	/* 1,000 configurations at 100 a page: more pages is a broken server. */
	for (int page = 0; page < 20; page++) {
		co_buf q;
		co_buf_init(&q, 4096);
		co_buf_puts(&q, "intelligent-tiering");
		if (token) {
			co_buf_puts(&q, "&continuation-token=");
			co_aws_uri_encode(&q, token, false);
		}
		co_xml *doc = NULL;
		int r = co_aws_s3_call(ctx->provider->aws, "GET", bucket, "",
		    co_buf_cstr(&q), NULL, 0, &doc, err);
		co_buf_free(&q);
		free(token);
		token = NULL;
		if (r < 0)
			goto done;
		co_xml **nd = realloc(out->docs, (out->n_docs + 1) * sizeof(*nd));
		if (!nd) {
			co_xml_free(doc);
			goto done;
		}
		out->docs = nd;
		out->docs[out->n_docs++] = doc;
		const co_xml *root = co_xml_find(doc,
		    "ListBucketIntelligentTieringConfigurationsOutput");
		for (const co_xml *c = root ? root->child : NULL; c; c = c->next) {
			if (strcmp(c->name, "IntelligentTieringConfiguration"))
				continue;
			if (out->n == out->cap) {
				size_t cap = out->cap ? out->cap * 2 : 8;
				const co_xml **nc = realloc(out->configs,
				    cap * sizeof(*nc));
				if (!nc)
					goto done;
				out->configs = nc;
				out->cap = cap;
			}
			out->configs[out->n++] = c;
		}
		const char *trunc = co_xml_text(root, "IsTruncated");
		const char *next = co_xml_text(root, "NextContinuationToken");
		if (!trunc || strcmp(trunc, "true") != 0 || !next || !*next) {
			rc = 0;
			goto done;
		}
		token = strdup(next);
		if (!token)
			goto done;
	}
	snprintf(err->code, sizeof(err->code), "TooManyPages");
	snprintf(err->message, sizeof(err->message),
	    "more than 20 pages of Intelligent-Tiering configurations");
done:
	free(token);
	if (rc < 0)
		tiering_list_free(out);
	return rc;
}

static int tiering_call(co_ctx *ctx, const char *method, const char *bucket,
    const char *name, const char *body, size_t len, co_aws_error *err)
{
	co_buf q;
	co_buf_init(&q, 4096);
	co_buf_puts(&q, "id=");
	co_aws_uri_encode(&q, name, false);
	co_buf_puts(&q, "&intelligent-tiering");
	co_xml *doc = NULL;
	int rc = co_aws_s3_call(ctx->provider->aws, method, bucket, "",
	    co_buf_cstr(&q), body, len, &doc, err);
	co_xml_free(doc);
	co_buf_free(&q);
	return rc;
}

/* ---- private state ------------------------------------------------------------------ */

/* {"lifecycle_sha256": hash of the document costops last wrote,
 *  "tiering": [names costops wrote], "adopted": bool, "import": bool}.
 * The hash tells drift (our configuration, edited since) from a
 * configuration we never wrote, in logs and at create. */
static bool has_name_at(const co_value *tiers, size_t j, const char *name)
{
	const char *n = co_value_str(co_value_attr(tiers->items[j], "name"));
	return n && strcmp(n, name) == 0;
}

/* ---- foreign configurations --------------------------------------------------------- */

/* Reports (error, or warning at plan when asked) what on the bucket costops
 * did not write and would replace: a lifecycle configuration, and
 * Intelligent-Tiering configurations named like ours. Returns 0 when there
 * is nothing foreign or adopt is set, -1 otherwise or on AWS failure. */
static int check_foreign(co_ctx *ctx, const co_value *planned, bool at_plan)
{
	int rc = -1;
	const char *bucket = co_value_str(co_value_attr(planned, "bucket"));
	bool adopt =
	    co_value_bool_or(co_value_attr(planned, "adopt_existing"), false);
	co_xml *doc = NULL;
	tiering_list tl = {0};
	co_aws_error err = {0};
	bool missing = false;
	if (get_lifecycle(ctx, bucket, &doc, &missing, &err) < 0) {
		if (at_plan) {
			co_diag_warn(ctx->diags, &bucket_path_v,
			    "Could not read the bucket's lifecycle configuration",
			    "AWS returned %s: %s. costops checks again before "
			    "it writes anything.",
			    err.code, err.message);
			rc = 0;
		} else {
			co_diag_aws(ctx, &bucket_path_v,
			    "Reading the bucket's lifecycle configuration failed",
			    &err);
		}
		goto done;
	}
	if (missing) {
		if (!at_plan)
			co_diag_error(ctx->diags, &bucket_path_v, "No such bucket",
			    "Bucket \"%s\" does not exist. costops manages the "
			    "lifecycle of an existing bucket; create it first "
			    "(or make this resource depend on it).",
			    bucket);
		rc = at_plan ? 0 : -1;
		goto done;
	}
	co_buf found;
	co_buf_init(&found, 8192);
	const co_xml *cfg = co_xml_find(doc, "LifecycleConfiguration");
	size_t n_rules = 0;
	for (const co_xml *c = cfg ? cfg->child : NULL; c; c = c->next)
		if (strcmp(c->name, "Rule") == 0) {
			const char *id = co_xml_text(c, "ID");
			co_buf_printf(&found, "%s\"%s\"", n_rules ? ", " : "",
			    id ? id : "");
			n_rules++;
		}
	const co_value *tiers = co_value_attr(planned, "intelligent_tiering");
	co_buf clash;
	co_buf_init(&clash, 8192);
	if (co_value_is_set(tiers) && tiers->count) {
		if (list_tierings(ctx, bucket, &tl, &err) < 0) {
			co_diag_aws(ctx, &bucket_path_v,
			    "Listing the bucket's Intelligent-Tiering "
			    "configurations failed",
			    &err);
			co_buf_free(&found);
			co_buf_free(&clash);
			goto done;
		}
		for (size_t i = 0; i < tl.n; i++) {
			const char *id = co_xml_text(tl.configs[i], "Id");
			for (size_t j = 0; id && j < tiers->count; j++)
				if (has_name_at(tiers, j, id))
					co_buf_printf(&clash, "%s\"%s\"",
					    clash.len ? ", " : "", id);
		}
	}
	rc = 0;
	if ((n_rules || clash.len) && !adopt) {
		rc = -1;
		co_buf what;
		co_buf_init(&what, 32768);
		if (n_rules)
			co_buf_printf(&what, "a lifecycle configuration with "
			    "%zu rule(s) (%s)", n_rules, co_buf_cstr(&found));
		if (clash.len)
			co_buf_printf(&what, "%sIntelligent-Tiering "
			    "configuration(s) %s named like the ones here",
			    n_rules ? " and " : "", co_buf_cstr(&clash));
		co_diag_error(ctx->diags, &bucket_path_v,
		    "The bucket already has a configuration costops did not "
		    "write",
		    "Bucket \"%s\" has %s. Applying would replace it without "
		    "a trace (S3 keeps one lifecycle configuration per "
		    "bucket). Either import it first (`terraform import "
		    "<address> %s`) and keep or edit its rules, or set "
		    "adopt_existing = true to replace it.",
		    bucket, co_buf_cstr(&what), bucket);
		co_buf_free(&what);
	} else if (n_rules || clash.len) {
		co_info("storage_lifecycle: adopting the existing configuration "
			"of %s (%zu rule(s))",
		    bucket, n_rules);
	}
	co_buf_free(&found);
	co_buf_free(&clash);
done:
	tiering_list_free(&tl);
	co_xml_free(doc);
	return rc;
}

/* ---- the resource: plan ----------------------------------------------------------- */

static bool id_taken(const co_value *rules, size_t except, const char *id)
{
	for (size_t j = 0; j < rules->count; j++) {
		const char *o = co_value_str(co_value_attr(rules->items[j], "id"));
		if (j != except && o && strcmp(o, id) == 0)
			return true;
	}
	return false;
}

/* Rules without an id get `rule-<n>` (n from 1), unique in the config. */
static void plan_rule_ids(co_ctx *ctx, co_value *planned)
{
	co_value *rules = co_value_attr(planned, "rule");
	for (size_t i = 0; co_value_is_set(rules) && i < rules->count; i++) {
		co_value *r = rules->items[i];
		const co_value *id = co_value_attr(r, "id");
		if (id && (id->is_unknown || !id->is_null))
			continue;
		char *gen = co_arena_sprintf(ctx->arena, "rule-%zu", i + 1);
		for (int k = 2; id_taken(rules, i, gen); k++)
			gen = co_arena_sprintf(ctx->arena, "rule-%zu-%d", i + 1,
			    k);
		co_value_set_attr(r, "id", co_value_string(ctx->arena, gen));
	}
}

/* Below, with the S3 listing it needs. */
static int sl_estimate(co_ctx *ctx, const co_value *v, co_value *out);

static void sl_plan(co_ctx *ctx, co_plan *plan)
{
	if (plan->destroying)
		return;
	co_value *planned = plan->planned;
	const co_value *bucket = co_value_attr(planned, "bucket");
	if (co_value_is_set(bucket))
		co_value_set_attr(planned, "id", (co_value *)bucket);
	plan_rule_ids(ctx, planned);
	/* After an apply nothing foreign is left: a non-empty prior list
	 * (drift) shows as a change to []. */
	co_value_set_attr(planned, "foreign_settings",
	    co_value_collection(ctx->arena,
		co_type_list(ctx->arena, &co_type_string)));
	if (plan->creating && co_value_is_set(bucket) && ctx->provider &&
	    ctx->provider->configured &&
	    !co_value_has_unknown(co_value_attr(planned, "intelligent_tiering")))
		check_foreign(ctx, planned, true);
	/* The planned rules are final here. A bucket made in the same
	 * apply cannot be listed yet: the apply works the estimate out. */
	if (co_estimate_wanted(plan) && sl_estimate(ctx, planned, planned) != 0)
		co_estimate_set_unknown(ctx, planned);
}

/* ---- the estimate -------------------------------------------------------------------- */

/* Object ages are assumed spread evenly over this many days: a rule's
 * transition after d days then holds the share of data older than d. */
#define EST_HISTORY_DAYS 365.0
/* ListObjectsV2 pages of 1,000 keys: at most 10,000 objects sampled per
 * prefix, so a refresh never walks a huge bucket. */
#define EST_MAX_PAGES 10
/* Intelligent-Tiering monitors (and charges for) objects of 128 KB or
 * more only (S3 pricing page). */
#define EST_IT_MIN_BYTES 131072.0

typedef struct prefix_size {
	double bytes, objects, it_objects;
	bool truncated;
} prefix_size;

/* Sums Size over the first EST_MAX_PAGES pages under prefix. 0, or 1 when
 * the bucket does not exist, or -1 (err). */
static int measure_prefix(co_ctx *ctx, const char *bucket, const char *prefix,
    prefix_size *out, co_aws_error *err)
{
	char *token = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	for (int page = 0; page < EST_MAX_PAGES; page++) {
		co_buf q;
		co_buf_init(&q, 8192);
		if (token) {
			co_buf_puts(&q, "continuation-token=");
			co_aws_uri_encode(&q, token, false);
			co_buf_puts(&q, "&");
		}
		co_buf_puts(&q, "list-type=2&max-keys=1000&prefix=");
		co_aws_uri_encode(&q, prefix, false);
		co_xml *doc = NULL;
		int r = co_aws_s3_call(ctx->provider->aws, "GET", bucket, "",
		    co_buf_cstr(&q), NULL, 0, &doc, err);
		co_buf_free(&q);
		free(token);
		token = NULL;
		if (r < 0) {
			rc = co_aws_error_is(err, "NoSuchBucket") ? 1 : -1;
			goto done;
		}
		const co_xml *res = co_xml_find(doc, "ListBucketResult");
		for (const co_xml *c = res ? res->child : NULL; c; c = c->next) {
			if (strcmp(c->name, "Contents") != 0)
				continue;
			const char *sz = co_xml_text(c, "Size");
			double b = sz ? strtod(sz, NULL) : 0;
			out->bytes += b > 0 ? b : 0;
			out->objects++;
			if (b >= EST_IT_MIN_BYTES)
				out->it_objects++;
		}
		const char *trunc = co_xml_text(res, "IsTruncated");
		const char *next = co_xml_text(res, "NextContinuationToken");
		bool more = trunc && strcmp(trunc, "true") == 0 && next && *next;
		if (more)
			token = strdup(next);
		co_xml_free(doc);
		if (!more)
			break;
		if (page == EST_MAX_PAGES - 1)
			out->truncated = true;
	}
	rc = 0;
done:
	free(token);
	return rc;
}

typedef struct est_step {
	double days;
	const char *cls; /* catalog item of "s3", or "expired" */
} est_step;

static int step_order(const void *x, const void *y)
{
	const est_step *a = x, *b = y;
	return a->days < b->days ? -1 : a->days > b->days;
}

/* Works out the estimate of v into out. 0 when set; 1 when the bucket
 * does not exist yet or cannot be listed (unknown in a plan). */
static int sl_estimate(co_ctx *ctx, const co_value *v, co_value *out)
{
	static const struct {
		const char *attr, *cls;
	} actions[] = {
	    {"standard_ia_after_days", "standard-ia"},
	    /* Intelligent-Tiering moves data not read for 30 days to its
	     * Infrequent Access tier: assumed for all of it, as the seed
	     * does. */
	    {"intelligent_tiering_after_days",
		"intelligent-tiering-infrequent"},
	    /* No One Zone-IA row in the catalog: Standard-IA, an upper
	     * bound (One Zone-IA is about 20 % cheaper). */
	    {"onezone_ia_after_days", "standard-ia"},
	    {"glacier_ir_after_days", "glacier-ir"},
	    {"glacier_after_days", "glacier"},
	    {"deep_archive_after_days", "deep-archive"},
	    {"expire_after_days", "expired"},
	};
	const co_value *rules = co_value_attr(v, "rule");
	const co_value *declared = co_value_attr(v, "estimated_size_gb");
	const char *bucket = co_value_str(co_value_attr(v, "bucket"));
	if (!bucket || !rules || co_value_has_unknown(rules) ||
	    (declared && co_value_has_unknown(declared)))
		return 1;
	const char *region = co_estimate_region(ctx);
	double before = 0, after = 0;
	size_t counted = 0;
	co_buf b;
	co_buf_init(&b, 16384);
	int rc = 1;
	for (size_t i = 0; co_value_is_set(rules) && i < rules->count; i++) {
		const co_value *r = rules->items[i];
		if (!co_value_bool_or(co_value_attr(r, "enabled"), true))
			continue;
		const char *prefix = co_value_str(co_value_attr(r, "prefix"));
		if (!prefix)
			prefix = "";
		est_step steps[8];
		size_t n = 0;
		for (size_t k = 0; k < sizeof(actions) / sizeof(actions[0]);
		     k++) {
			double d;
			if (co_value_num(co_value_attr(r, actions[k].attr), &d))
				steps[n++] = (est_step){d, actions[k].cls};
		}
		if (n == 0)
			continue; /* only noncurrent or multipart actions */
		qsort(steps, n, sizeof(steps[0]), step_order);
		prefix_size ps = {0};
		double gb = 0;
		const char *src;
		const co_value *dv = co_value_map_get(declared, prefix);
		if (dv && co_value_num(dv, &gb)) {
			src = "declared in estimated_size_gb";
		} else {
			if (!ctx->provider || !ctx->provider->configured ||
			    !ctx->provider->aws)
				goto done;
			co_aws_error err = {0};
			int m = measure_prefix(ctx, bucket, prefix, &ps, &err);
			if (m != 0) {
				if (m < 0)
					co_warn("storage_lifecycle: listing "
						"%s/%s for the estimate failed: "
						"%s",
					    bucket, prefix, err.code);
				goto done;
			}
			gb = ps.bytes / CO_COST_BYTES_PER_GB;
			src = ps.truncated
				  ? "ListObjectsV2, sampled: the first 10,000 "
				    "objects only"
				  : "ListObjectsV2";
		}
		/* Shares: data aged between one step's days and the next's
		 * sits in the first step's class. */
		co_cost_share shares[8];
		double it_share = 0, moves = 0;
		for (size_t k = 0; k < n; k++) {
			double from = steps[k].days < EST_HISTORY_DAYS
					  ? steps[k].days
					  : EST_HISTORY_DAYS;
			double to = k + 1 < n && steps[k + 1].days < EST_HISTORY_DAYS
					? steps[k + 1].days
					: EST_HISTORY_DAYS;
			if (strcmp(steps[k].cls, "expired") == 0)
				to = EST_HISTORY_DAYS; /* nothing after it */
			double share = to > from ? (to - from) / EST_HISTORY_DAYS
						 : 0;
			shares[k] = (co_cost_share){steps[k].cls, share};
			if (strncmp(steps[k].cls, "intelligent-tiering", 19) == 0)
				it_share += share;
			if (steps[k].days < EST_HISTORY_DAYS &&
			    strcmp(steps[k].cls, "expired") != 0)
				moves += 1;
			if (strcmp(steps[k].cls, "expired") == 0)
				break;
		}
		size_t used = n;
		for (size_t k = 0; k < n; k++)
			if (strcmp(steps[k].cls, "expired") == 0)
				used = k + 1;
		/* Objects arriving evenly: a month's worth of them passes
		 * each transition once. */
		double per_month = ps.objects * CO_COST_DAYS_PER_MONTH /
				   EST_HISTORY_DAYS * moves;
		co_cost_line l;
		if (co_cost_storage_lifecycle(&l, region, gb, shares, used,
			ps.it_objects * it_share, per_month) < 0) {
			co_buf_printf(&b, "%srule %zu: %s", counted ? "; " : "",
			    i, l.basis);
			continue;
		}
		before += l.before_usd;
		after += l.after_usd;
		co_buf_printf(&b, "%sprefix \"%s\": %.4g GB (%s)", counted ? "; " : "",
		    prefix, gb, src);
		for (size_t k = 0; k < used; k++)
			co_buf_printf(&b, ", %.0f %% %s", shares[k].share * 100,
			    shares[k].storage_class);
		co_buf_printf(&b, ", %.4f -> %.4f USD", l.before_usd,
		    l.after_usd);
		counted++;
	}
	bool fb = false;
	const co_price *std =
	    co_cost_price_or_fallback("s3", region, "standard", &fb);
	co_buf_printf(&b, "%sobject ages assumed even over the past %g days; "
			  "catalog %s%s S3 prices read %s",
	    counted ? "; " : "", EST_HISTORY_DAYS, std ? std->region : "?",
	    fb ? " figures" : "", std ? std->date_read : "?");
	co_estimate_set(ctx, out, after, before - after, co_buf_cstr(&b));
	rc = 0;
done:
	co_buf_free(&b);
	return rc;
}

/* ---- the resource: apply ----------------------------------------------------------- */

static co_value *empty_strings(co_ctx *ctx)
{
	return co_value_collection(ctx->arena,
	    co_type_list(ctx->arena, &co_type_string));
}

/* What GetBucketLifecycleConfiguration returns, rendered the way we render
 * our own rules: equal strings mean S3 serves what we wrote. */
static int lifecycle_as_written(co_ctx *ctx, const char *bucket, co_buf *out,
    co_aws_error *err)
{
	co_xml *doc = NULL;
	bool missing = false;
	if (get_lifecycle(ctx, bucket, &doc, &missing, err) < 0)
		return -1;
	co_value *rules = co_value_collection(ctx->arena,
	    co_type_attr(co_schema_type(&schema), "rule"));
	co_value *foreign = empty_strings(ctx);
	const co_xml *cfg = co_xml_find(doc, "LifecycleConfiguration");
	for (const co_xml *c = cfg ? cfg->child : NULL; c; c = c->next)
		if (strcmp(c->name, "Rule") == 0)
			co_value_append(ctx->arena, rules,
			    rule_from_xml(ctx, c, foreign));
	co_xml_free(doc);
	if (rules->count)
		xml_lifecycle(ctx, out, rules);
	return 0;
}

/* S3 applies a new lifecycle configuration with a delay (terraform-provider-
 * aws waits for it too, hashicorp/terraform-provider-aws#25939): poll until
 * it reads back as written, logging progress. A timeout is a warning, not a
 * failure: the configuration was accepted. */
static void wait_lifecycle(co_ctx *ctx, const char *bucket, const char *want,
    long timeout_ms)
{
	long waited = 0, step = 1000;
	for (int polls = 1;; polls++) {
		co_buf got;
		co_buf_init(&got, XML_LIMIT);
		co_aws_error err = {0};
		int rc = lifecycle_as_written(ctx, bucket, &got, &err);
		bool same = rc == 0 && strcmp(co_buf_cstr(&got), want) == 0;
		co_buf_free(&got);
		if (same)
			return;
		if (waited >= timeout_ms) {
			co_diag_warn(ctx->diags, &bucket_path_v,
			    "Lifecycle configuration not visible yet",
			    "S3 accepted the configuration but still did not "
			    "return it after %ld s; it usually appears within "
			    "minutes. The next plan shows whether it did.",
			    waited / 1000);
			return;
		}
		if (polls % 5 == 0)
			co_info("storage_lifecycle: waiting for %s's lifecycle "
				"configuration to read back (%ld s)",
			    bucket, waited / 1000);
		if (co_aws_sleep(ctx->provider->aws, step) < 0)
			return;
		waited += step;
	}
}

static int put_lifecycle(co_ctx *ctx, const char *bucket,
    const co_value *rules, json_t *priv, long timeout_ms)
{
	int rc = -1;
	co_aws_error err = {0};
	co_xml *doc = NULL;
	co_buf xml;
	co_buf_init(&xml, XML_LIMIT);
	if (co_value_is_set(rules) && rules->count) {
		xml_lifecycle(ctx, &xml, rules);
		if (co_aws_s3_call(ctx->provider->aws, "PUT", bucket, "",
			"lifecycle", co_buf_cstr(&xml), xml.len, &doc,
			&err) < 0) {
			co_path p = co_path_attr("rule");
			co_diag_aws(ctx, &p,
			    "Writing the lifecycle configuration failed", &err);
			goto done;
		}
		char sha[65];
		co_aws_sha256_hex(sha, xml.data, xml.len);
		json_object_set_new(priv, "lifecycle_sha256", json_string(sha));
		co_info("storage_lifecycle: wrote %zu rule(s) to %s",
		    rules->count, bucket);
		wait_lifecycle(ctx, bucket, co_buf_cstr(&xml), timeout_ms);
	} else {
		if (co_aws_s3_call(ctx->provider->aws, "DELETE", bucket, "",
			"lifecycle", NULL, 0, &doc, &err) < 0 &&
		    !co_aws_error_is(&err, "NoSuchLifecycleConfiguration")) {
			co_diag_aws(ctx, &bucket_path_v,
			    "Deleting the lifecycle configuration failed", &err);
			goto done;
		}
		json_object_del(priv, "lifecycle_sha256");
	}
	rc = 0;
done:
	co_xml_free(doc);
	co_buf_free(&xml);
	return rc;
}

static bool has_name(const co_value *tiers, const char *name)
{
	for (size_t i = 0; co_value_is_set(tiers) && i < tiers->count; i++) {
		const char *n = co_value_str(co_value_attr(tiers->items[i], "name"));
		if (n && name && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

static int put_tierings(co_ctx *ctx, const char *bucket,
    const co_value *prior_tiers, const co_value *tiers, json_t *priv)
{
	json_t *names = json_array();
	int rc = 0;
	for (size_t i = 0; rc == 0 && co_value_is_set(tiers) && i < tiers->count;
	     i++) {
		const co_value *t = tiers->items[i];
		const char *name = co_value_str(co_value_attr(t, "name"));
		co_buf xml;
		co_buf_init(&xml, XML_LIMIT);
		xml_tiering(&xml, t);
		co_aws_error err = {0};
		if (tiering_call(ctx, "PUT", bucket, name, co_buf_cstr(&xml),
			xml.len, &err) < 0) {
			co_path p = co_path_push_attr(
			    co_path_push_index(co_path_attr("intelligent_tiering"),
				(int64_t)i),
			    "name");
			co_diag_aws(ctx, &p,
			    "Writing the Intelligent-Tiering configuration "
			    "failed",
			    &err);
			rc = -1;
		} else {
			json_array_append_new(names, json_string(name));
		}
		co_buf_free(&xml);
	}
	/* Configurations dropped from the config are ours to remove. */
	for (size_t i = 0; rc == 0 && co_value_is_set(prior_tiers) &&
			   i < prior_tiers->count;
	     i++) {
		const char *name =
		    co_value_str(co_value_attr(prior_tiers->items[i], "name"));
		if (!name || has_name(tiers, name))
			continue;
		co_aws_error err = {0};
		if (tiering_call(ctx, "DELETE", bucket, name, NULL, 0, &err) < 0 &&
		    !co_aws_error_is(&err, "NoSuchConfiguration")) {
			co_diag_aws(ctx, NULL,
			    "Deleting an Intelligent-Tiering configuration "
			    "failed",
			    &err);
			rc = -1;
		}
	}
	json_object_set_new(priv, "tiering", names);
	return rc;
}

static int sl_apply(co_ctx *ctx, const co_value *prior, const co_value *planned,
    co_value **state)
{
	int rc = -1;
	const char *bucket = co_value_str(co_value_attr(planned, "bucket"));
	json_t *priv = co_ctx_private_json(ctx);
	long timeout = co_ctx_timeout_ms(ctx, prior ? "update" : "create",
	    DEFAULT_WAIT_MS);
	if (!prior) {
		/* Again at apply: the bucket may have changed since the plan,
		 * and a plan without a configured provider could not look. */
		if (check_foreign(ctx, planned, false) < 0)
			goto done;
		json_object_set_new(priv, "adopted",
		    json_boolean(co_value_bool_or(
			co_value_attr(planned, "adopt_existing"), false)));
	}
	if (put_lifecycle(ctx, bucket, co_value_attr(planned, "rule"), priv,
		timeout) < 0)
		goto done;
	co_value *s = co_value_copy(ctx->arena, planned);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, bucket));
	co_value_set_attr(s, "foreign_settings", empty_strings(ctx));
	if (!co_estimate_known(planned) && sl_estimate(ctx, planned, s) != 0)
		co_estimate_set_none(ctx, s, "the bucket could not be listed");
	*state = s; /* the lifecycle is written: never lose track of it */
	if (put_tierings(ctx, bucket,
		prior ? co_value_attr(prior, "intelligent_tiering") : NULL,
		co_value_attr(planned, "intelligent_tiering"), priv) < 0)
		goto done;
	rc = 0;
done:
	json_object_del(priv, "import");
	co_ctx_set_private_json(ctx, priv);
	json_decref(priv);
	return rc;
}

static int sl_create(co_ctx *ctx, const co_value *planned, co_value **state)
{
	return sl_apply(ctx, NULL, planned, state);
}

static int sl_update(co_ctx *ctx, const co_value *prior,
    const co_value *planned, co_value **state)
{
	return sl_apply(ctx, prior, planned, state);
}

/* ---- the resource: read ------------------------------------------------------------ */

/* Index of the item whose key attribute equals name, or -1. */
static long find_by(const co_value *list, const char *key, const char *name)
{
	for (size_t i = 0; co_value_is_set(list) && i < list->count; i++) {
		const char *n = co_value_str(co_value_attr(list->items[i], key));
		if (n && name && strcmp(n, name) == 0)
			return (long)i;
	}
	return -1;
}

/* items in the order of prior (by key), then the rest in S3's order. */
static co_value *in_prior_order(co_ctx *ctx, const co_type *t,
    co_value **items, size_t n, const co_value *prior, const char *key)
{
	co_value *out = co_value_collection(ctx->arena, t);
	bool *used = co_arena_alloc(ctx->arena, n + 1);
	for (size_t i = 0; co_value_is_set(prior) && i < prior->count; i++) {
		const char *want = co_value_str(co_value_attr(prior->items[i], key));
		for (size_t j = 0; want && j < n; j++) {
			const char *have = co_value_str(co_value_attr(items[j], key));
			if (!used[j] && have && strcmp(have, want) == 0) {
				co_value_append(ctx->arena, out, items[j]);
				used[j] = true;
				break;
			}
		}
	}
	for (size_t j = 0; j < n; j++)
		if (!used[j])
			co_value_append(ctx->arena, out, items[j]);
	return out;
}

static int sl_read(co_ctx *ctx, const co_value *state, co_value **out)
{
	int rc = -1;
	const char *bucket = co_value_str(co_value_attr(state, "bucket"));
	json_t *priv = co_ctx_private_json(ctx);
	bool imported = json_is_true(json_object_get(priv, "import"));
	co_xml *doc = NULL;
	tiering_list tl = {0};
	co_aws_error err = {0};
	bool missing = false;
	const co_type *st = co_schema_type(&schema);
	if (get_lifecycle(ctx, bucket, &doc, &missing, &err) < 0) {
		co_diag_aws(ctx, &bucket_path_v,
		    "Reading the lifecycle configuration failed", &err);
		goto done;
	}
	if (missing) {
		co_info("storage_lifecycle: bucket %s is gone", bucket);
		*out = NULL;
		rc = 0;
		goto done;
	}
	if (list_tierings(ctx, bucket, &tl, &err) < 0) {
		if (!co_aws_error_is(&err, "NoSuchBucket")) {
			co_diag_aws(ctx, &bucket_path_v,
			    "Listing Intelligent-Tiering configurations failed",
			    &err);
			goto done;
		}
	}
	co_value *foreign = empty_strings(ctx);
	const co_xml *cfg = co_xml_find(doc, "LifecycleConfiguration");
	size_t nr = 0;
	for (const co_xml *c = cfg ? cfg->child : NULL; c; c = c->next)
		nr += strcmp(c->name, "Rule") == 0;
	co_value **rs = co_arena_alloc(ctx->arena, (nr + 1) * sizeof(*rs));
	nr = 0;
	for (const co_xml *c = cfg ? cfg->child : NULL; c; c = c->next)
		if (strcmp(c->name, "Rule") == 0)
			rs[nr++] = rule_from_xml(ctx, c, foreign);
	const co_value *prior_tiers = co_value_attr(state, "intelligent_tiering");
	co_value **ts = co_arena_alloc(ctx->arena, (tl.n + 1) * sizeof(*ts));
	size_t nt = 0;
	for (size_t i = 0; i < tl.n; i++) {
		const char *id = co_xml_text(tl.configs[i], "Id");
		/* Only ours: the ones in state, or all of them on import. */
		if (imported || find_by(prior_tiers, "name", id) >= 0)
			ts[nt++] = tiering_from_xml(ctx, tl.configs[i], foreign);
	}
	co_value *s = co_value_copy(ctx->arena, state);
	co_value *rules = in_prior_order(ctx, co_type_attr(st, "rule"), rs, nr,
	    co_value_attr(state, "rule"), "id");
	co_value_set_attr(s, "rule", rules);
	co_value_set_attr(s, "intelligent_tiering",
	    in_prior_order(ctx, co_type_attr(st, "intelligent_tiering"), ts, nt,
		prior_tiers, "name"));
	co_value_set_attr(s, "foreign_settings", foreign);
	co_value_set_attr(s, "id", co_value_string(ctx->arena, bucket));
	if (!co_value_is_set(co_value_attr(s, "adopt_existing")))
		co_value_set_attr(s, "adopt_existing",
		    co_value_bool(ctx->arena, false));
	if (foreign->count)
		co_diag_warn(ctx->diags, NULL,
		    "Lifecycle settings costops does not manage",
		    "Bucket \"%s\" has settings these arguments cannot express "
		    "(see foreign_settings, e.g. %s). They were changed "
		    "outside costops; the next apply replaces them.",
		    bucket, co_value_str(foreign->items[0]));

	/* Drift or not: compare with what we last wrote. */
	const char *wrote =
	    json_string_value(json_object_get(priv, "lifecycle_sha256"));
	if (wrote && rules->count) {
		co_buf xml;
		co_buf_init(&xml, XML_LIMIT);
		xml_lifecycle(ctx, &xml, in_prior_order(ctx,
		    co_type_attr(st, "rule"), rs, nr, NULL, "id"));
		char sha[65];
		co_aws_sha256_hex(sha, xml.data, xml.len);
		if (strcmp(sha, wrote) != 0)
			co_info("storage_lifecycle: %s's lifecycle "
				"configuration changed outside costops since "
				"the last apply",
			    bucket);
		co_buf_free(&xml);
	}
	if (imported) {
		json_object_del(priv, "import");
		co_ctx_set_private_json(ctx, priv);
	}
	if (sl_estimate(ctx, s, s) != 0)
		co_estimate_set_none(ctx, s, "the bucket could not be listed");
	*out = s;
	rc = 0;
done:
	tiering_list_free(&tl);
	co_xml_free(doc);
	json_decref(priv);
	return rc;
}

/* ---- the resource: delete and import ----------------------------------------------- */

static int sl_delete(co_ctx *ctx, const co_value *state, co_value **remaining)
{
	const char *bucket = co_value_str(co_value_attr(state, "bucket"));
	co_aws_error err = {0};
	co_xml *doc = NULL;
	if (co_aws_s3_call(ctx->provider->aws, "DELETE", bucket, "",
		"lifecycle", NULL, 0, &doc, &err) < 0 &&
	    !co_aws_error_is(&err,
		"NoSuchLifecycleConfiguration|NoSuchBucket")) {
		co_diag_aws(ctx, &bucket_path_v,
		    "Deleting the lifecycle configuration failed", &err);
		return -1;
	}
	co_xml_free(doc);
	const co_value *tiers = co_value_attr(state, "intelligent_tiering");
	co_value *left = co_value_collection(ctx->arena,
	    co_type_attr(co_schema_type(&schema), "intelligent_tiering"));
	int rc = 0;
	for (size_t i = 0; co_value_is_set(tiers) && i < tiers->count; i++) {
		const char *name =
		    co_value_str(co_value_attr(tiers->items[i], "name"));
		if (rc == 0 && (tiering_call(ctx, "DELETE", bucket, name, NULL,
				    0, &err) == 0 ||
				   co_aws_error_is(&err,
				       "NoSuchConfiguration|NoSuchBucket")))
			continue;
		if (rc == 0)
			co_diag_aws(ctx, NULL,
			    "Deleting an Intelligent-Tiering configuration "
			    "failed",
			    &err);
		rc = -1;
		co_value_append(ctx->arena, left, tiers->items[i]);
	}
	if (rc < 0) {
		/* Resumable: the lifecycle is gone, these are not. */
		co_value *s = co_value_copy(ctx->arena, state);
		co_value_set_attr(s, "rule", co_value_collection(ctx->arena,
		    co_type_attr(co_schema_type(&schema), "rule")));
		co_value_set_attr(s, "intelligent_tiering", left);
		*remaining = s;
	}
	co_info("storage_lifecycle: removed the lifecycle of %s", bucket);
	return rc;
}

static int sl_import(co_ctx *ctx, const char *id, co_value **state)
{
	co_xml *doc = NULL;
	co_aws_error err = {0};
	bool missing = false;
	tiering_list tl = {0};
	int rc = -1;
	if (!id || !*id || strchr(id, '/') || strchr(id, ':')) {
		co_diag_error(ctx->diags, NULL, "Invalid import id",
		    "Import by bucket name, e.g. retail-forecast-data-dev; got "
		    "\"%s\".",
		    id ? id : "");
		return -1;
	}
	if (get_lifecycle(ctx, id, &doc, &missing, &err) < 0) {
		co_diag_aws(ctx, NULL, "Reading the lifecycle configuration "
				       "failed", &err);
		goto done;
	}
	if (missing) {
		co_diag_error(ctx->diags, NULL, "No such bucket",
		    "Bucket \"%s\" does not exist.", id);
		goto done;
	}
	if (list_tierings(ctx, id, &tl, &err) < 0) {
		co_diag_aws(ctx, NULL, "Listing Intelligent-Tiering "
				       "configurations failed", &err);
		goto done;
	}
	if (!co_xml_find(doc, "LifecycleConfiguration/Rule") && tl.n == 0) {
		co_diag_error(ctx->diags, NULL, "Nothing to import",
		    "Bucket \"%s\" has no lifecycle configuration and no "
		    "Intelligent-Tiering configuration. Create the resource "
		    "instead of importing it.",
		    id);
		goto done;
	}
	co_value *s = co_schema_empty(ctx->arena, &schema);
	co_value_set_attr(s, "bucket", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "id", co_value_string(ctx->arena, id));
	co_value_set_attr(s, "adopt_existing", co_value_bool(ctx->arena, false));
	co_value_set_attr(s, "foreign_settings", empty_strings(ctx));
	*state = s;
	/* The read that follows takes every tiering configuration. */
	co_ctx_set_private(ctx, "{\"import\":true}", 15);
	rc = 0;
done:
	tiering_list_free(&tl);
	co_xml_free(doc);
	return rc;
}

const co_resource co_storage_lifecycle_resource = {
	.type_name = "costops_storage_lifecycle",
	.schema = &schema,
	.validate = sl_validate,
	.plan = sl_plan,
	.create = sl_create,
	.read = sl_read,
	.update = sl_update,
	.del = sl_delete,
	.import = sl_import,
};
