/* S3 lifecycle and Intelligent-Tiering checks (see s3_lifecycle_rules.h).
 *
 * Sources, S3 User Guide unless noted:
 * - "Transitioning objects using Amazon S3 Lifecycle": the waterfall of
 *   supported transitions (Standard-IA -> Intelligent-Tiering -> One Zone-IA
 *   -> Glacier IR -> Glacier Flexible Retrieval -> Deep Archive, with no
 *   One Zone-IA -> Glacier IR step); objects must be at least 30 days old
 *   before a transition to Standard-IA or One Zone-IA, and must stay at
 *   least 30 days in Standard-IA / One Zone-IA before a further transition
 *   (S3 rejects the configuration otherwise, "'Days' in the Transition
 *   action for StorageClass 'GLACIER' ... must be 30 days more than ...").
 * - API Reference, Transition.Days: 0 or a positive integer for
 *   INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE; at least 30 for
 *   STANDARD_IA and ONEZONE_IA. LifecycleExpiration.Days: positive.
 *   AbortIncompleteMultipartUpload.DaysAfterInitiation: positive.
 *   NoncurrentVersionExpiration.NewerNoncurrentVersions: up to 100.
 * - "Lifecycle configuration elements": expiration must come after every
 *   transition of the same rule; a rule needs at least one action; rule IDs
 *   are unique; AbortIncompleteMultipartUpload cannot be used with a tag
 *   filter; ObjectSizeGreaterThan must be less than ObjectSizeLessThan.
 * - Pricing / "Storage classes": minimum storage durations (30 days
 *   Standard-IA and One Zone-IA, 90 days Glacier IR and Glacier Flexible
 *   Retrieval, 180 days Deep Archive: leaving a class earlier is billed as
 *   if the object had stayed), the 128 KB minimum billable object size of
 *   Standard-IA / One Zone-IA / Glacier IR, the 40 KB of metadata an archived
 *   object carries (8 KB billed at Standard, 32 KB at the archive class),
 *   per-request transition charges, and TransitionDefaultMinimumObjectSize
 *   all_storage_classes_128K (since September 2024 objects under 128 KB are
 *   not transitioned unless a rule's filter says otherwise).
 * - "Using S3 Intelligent-Tiering": Archive Access 90-730 days, Deep
 *   Archive Access 180-730 days; objects under 128 KB are not monitored.
 *
 * costops' own rule on top (a cost control): a further transition out of
 * Glacier IR or Glacier Flexible Retrieval less than 90 days after moving
 * there is an error, because S3 bills the rest of the 90-day minimum and
 * the move saves nothing. */
#include "s3_lifecycle_rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const class_names[CO_S3_NCLASSES] = {"STANDARD_IA",
    "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER",
    "DEEP_ARCHIVE"};
static const char *const class_stems[CO_S3_NCLASSES] = {"standard_ia",
    "intelligent_tiering", "onezone_ia", "glacier_ir", "glacier",
    "deep_archive"};
static const char *const cur_attrs[CO_S3_NCLASSES] = {
    "standard_ia_after_days", "intelligent_tiering_after_days",
    "onezone_ia_after_days", "glacier_ir_after_days", "glacier_after_days",
    "deep_archive_after_days"};
static const char *const nc_attrs[CO_S3_NCLASSES] = {
    "noncurrent_standard_ia_after_days",
    "noncurrent_intelligent_tiering_after_days",
    "noncurrent_onezone_ia_after_days", "noncurrent_glacier_ir_after_days",
    "noncurrent_glacier_after_days", "noncurrent_deep_archive_after_days"};

/* Minimum storage duration billed per class, in days. */
static const int min_duration[CO_S3_NCLASSES] = {30, 0, 30, 90, 90, 180};

const char *co_s3_class_name(co_s3_class c)
{
	return (unsigned)c < CO_S3_NCLASSES ? class_names[c] : "?";
}

const char *co_s3_class_stem(co_s3_class c)
{
	return (unsigned)c < CO_S3_NCLASSES ? class_stems[c] : "?";
}

int co_s3_class_from_name(const char *name)
{
	for (int i = 0; name && i < CO_S3_NCLASSES; i++)
		if (strcmp(name, class_names[i]) == 0)
			return i;
	return -1;
}

typedef struct checker {
	co_s3_finding_fn fn;
	void *payload;
	int errors;
} checker;

static void report(checker *ck, bool warning, const char *block, long index,
    const char *attr, const char *code, const char *summary,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static void report(checker *ck, bool warning, const char *block, long index,
    const char *attr, const char *code, const char *summary,
    const char *fmt, ...)
{
	co_s3_finding f = {.warning = warning, .block = block, .index = index,
	    .attr = attr, .code = code};
	snprintf(f.summary, sizeof(f.summary), "%s", summary);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.detail, sizeof(f.detail), fmt, ap);
	va_end(ap);
	if (!warning)
		ck->errors++;
	if (ck->fn)
		ck->fn(&f, ck->payload);
}

#define RULE_ERR(ck, i, attr, code, summary, ...) \
	report((ck), false, "rule", (long)(i), (attr), (code), (summary), \
	    __VA_ARGS__)
#define RULE_WARN(ck, i, attr, code, summary, ...) \
	report((ck), true, "rule", (long)(i), (attr), (code), (summary), \
	    __VA_ARGS__)

/* A count that must be a whole number >= min. False (after reporting) when
 * it is not, so later comparisons skip it. */
static bool check_count(checker *ck, const char *block, size_t i,
    const char *attr, const co_s3_num *n, double min, double max,
    const char *why)
{
	if (!n->set)
		return false;
	if (n->v != floor(n->v)) {
		report(ck, false, block, (long)i, attr, "not_integer",
		    "Whole number needed",
		    "%s must be a whole number; got %g.", attr, n->v);
		return false;
	}
	if (n->v < min || (max > 0 && n->v > max)) {
		if (max > 0)
			report(ck, false, block, (long)i, attr, "range",
			    "Value out of range",
			    "%s must be between %g and %g (%s); got %g.",
			    attr, min, max, why, n->v);
		else
			report(ck, false, block, (long)i, attr,
			    n->v < 0 ? "negative" : "range",
			    "Value out of range",
			    "%s must be at least %g (%s); got %g.", attr, min,
			    why, n->v);
		return false;
	}
	return true;
}

/* Transition checks shared by current (creation-based) and noncurrent
 * (noncurrent-days-based) transitions. ok[c] says which values passed the
 * count checks. Returns the latest transition class, or -1. */
static int check_transitions(checker *ck, size_t i, const co_s3_num *t,
    const bool *ok, const char *const *attrs, const char *when)
{
	int last = -1;
	for (int b = 0; b < CO_S3_NCLASSES; b++) {
		if (!ok[b])
			continue;
		for (int a = 0; a < b; a++) {
			if (!ok[a])
				continue;
			if (a == CO_S3_ONEZONE_IA && b == CO_S3_GLACIER_IR) {
				RULE_ERR(ck, i, attrs[b], "unsupported_transition",
				    "Transition S3 does not support",
				    "S3 cannot move objects from ONEZONE_IA to "
				    "GLACIER_IR (the lifecycle waterfall only goes "
				    "from One Zone-IA to GLACIER or DEEP_ARCHIVE). "
				    "Drop %s or %s.",
				    attrs[a], attrs[b]);
				continue;
			}
			if (t[b].v <= t[a].v) {
				RULE_ERR(ck, i, attrs[b], "order",
				    "Transitions out of order",
				    "Objects only move down the S3 waterfall "
				    "(STANDARD_IA, INTELLIGENT_TIERING, "
				    "ONEZONE_IA, GLACIER_IR, GLACIER, "
				    "DEEP_ARCHIVE), so %s must be later than %s: "
				    "%s = %g is not after %s = %g. Make %s larger "
				    "than %g days %s.",
				    co_s3_class_name((co_s3_class)b),
				    co_s3_class_name((co_s3_class)a), attrs[b],
				    t[b].v, attrs[a], t[a].v, attrs[b], t[a].v,
				    when);
				continue;
			}
			double gap = t[b].v - t[a].v;
			if ((a == CO_S3_STANDARD_IA || a == CO_S3_ONEZONE_IA) &&
			    gap < 30) {
				RULE_ERR(ck, i, attrs[b], "ia_gap",
				    "Too soon after the Infrequent Access transition",
				    "S3 requires objects to stay at least 30 days in "
				    "%s before the next transition; %s = %g is only "
				    "%g days after %s = %g. Set %s to at least %g.",
				    co_s3_class_name((co_s3_class)a), attrs[b],
				    t[b].v, gap, attrs[a], t[a].v, attrs[b],
				    t[a].v + 30);
			} else if ((a == CO_S3_GLACIER_IR || a == CO_S3_GLACIER) &&
				   gap < min_duration[a]) {
				RULE_ERR(ck, i, attrs[b], "min_duration",
				    "Transition before the minimum storage duration",
				    "%s bills every object for at least %d days, so "
				    "moving on to %s after %g days (%s = %g, %s = %g) "
				    "pays for both classes and saves nothing. Set %s "
				    "to at least %g.",
				    co_s3_class_name((co_s3_class)a), min_duration[a],
				    co_s3_class_name((co_s3_class)b), gap, attrs[a],
				    t[a].v, attrs[b], t[b].v, attrs[b],
				    t[a].v + min_duration[a]);
			}
		}
		last = b;
	}
	return last;
}

static void check_expiration(checker *ck, size_t i, const co_s3_num *t,
    const bool *ok, const char *const *attrs, const co_s3_num *exp,
    const char *exp_attr)
{
	int latest = -1;
	for (int c = 0; c < CO_S3_NCLASSES; c++)
		if (ok[c] && (latest < 0 || t[c].v > t[latest].v))
			latest = c;
	if (latest < 0)
		return;
	if (exp->v <= t[latest].v) {
		RULE_ERR(ck, i, exp_attr, "expire_before_transition",
		    "Expiration before the last transition",
		    "S3 requires expiration to come after every transition "
		    "of the rule: %s = %g is not after %s = %g. Expire later, "
		    "or drop the transition (an object about to expire "
		    "should not pay for a transition).",
		    exp_attr, exp->v, attrs[latest], t[latest].v);
		return;
	}
	double stay = exp->v - t[latest].v;
	if (stay < min_duration[latest])
		RULE_WARN(ck, i, exp_attr, "early_delete",
		    "Expiration inside the minimum storage duration",
		    "Objects expire %g days after moving to %s (%s = %g, %s = "
		    "%g), but %s bills at least %d days: the transition costs "
		    "more than it saves. Expire later or skip the transition.",
		    stay, co_s3_class_name((co_s3_class)latest), attrs[latest],
		    t[latest].v, exp_attr, exp->v,
		    co_s3_class_name((co_s3_class)latest),
		    min_duration[latest]);
}

static void check_rule(checker *ck, const co_s3_rule *rules, size_t i)
{
	const co_s3_rule *r = &rules[i];
	if (r->id) {
		size_t len = strlen(r->id);
		if (len == 0 || len > CO_S3_MAX_RULE_ID)
			RULE_ERR(ck, i, "id", "id_length", "Invalid rule id",
			    "A lifecycle rule ID has 1 to %d characters; this "
			    "one has %zu.",
			    CO_S3_MAX_RULE_ID, len);
		for (size_t j = 0; j < i; j++)
			if (rules[j].id && strcmp(rules[j].id, r->id) == 0) {
				RULE_ERR(ck, i, "id", "duplicate_id",
				    "Duplicate rule id",
				    "rule %zu already uses the id \"%s\"; S3 "
				    "requires every rule ID of a bucket to be "
				    "unique. Rename one of them.",
				    j, r->id);
				break;
			}
	}

	bool cur_ok[CO_S3_NCLASSES], nc_ok[CO_S3_NCLASSES];
	bool any_action = false, any_unknown = false;
	for (int c = 0; c < CO_S3_NCLASSES; c++) {
		bool ia = c == CO_S3_STANDARD_IA || c == CO_S3_ONEZONE_IA;
		cur_ok[c] = check_count(ck, "rule", i, cur_attrs[c],
		    &r->transition[c], ia ? 30 : 0, 0,
		    ia ? "S3 moves objects to Infrequent Access only once they "
			 "are 30 days old"
		       : "days after the object was created");
		nc_ok[c] = check_count(ck, "rule", i, nc_attrs[c],
		    &r->nc_transition[c], ia ? 30 : 0, 0,
		    ia ? "S3 moves noncurrent versions to Infrequent Access "
			 "only after 30 days"
		       : "days after the version became noncurrent");
		any_action |= r->transition[c].set || r->nc_transition[c].set;
		any_unknown |=
		    r->transition[c].unknown || r->nc_transition[c].unknown;
	}
	bool exp_ok = check_count(ck, "rule", i, "expire_after_days",
	    &r->expire, 1, 0, "S3 expiration days are positive");
	bool nc_exp_ok = check_count(ck, "rule", i,
	    "noncurrent_expire_after_days", &r->nc_expire, 1, 0,
	    "S3 noncurrent days are positive");
	check_count(ck, "rule", i, "noncurrent_newer_versions",
	    &r->nc_newer_versions, 1, 100,
	    "S3 keeps up to 100 newer noncurrent versions");
	check_count(ck, "rule", i, "abort_incomplete_multipart_upload_days",
	    &r->abort_mpu, 1, 0, "days after the upload started");
	bool gt_ok = check_count(ck, "rule", i, "object_size_greater_than",
	    &r->size_gt, 0, 0, "bytes");
	bool lt_ok = check_count(ck, "rule", i, "object_size_less_than",
	    &r->size_lt, 1, 0, "bytes");

	any_action |= r->expire.set || r->nc_expire.set || r->abort_mpu.set;
	any_unknown |= r->expire.unknown || r->nc_expire.unknown ||
		       r->abort_mpu.unknown;
	if (!any_action && !any_unknown)
		RULE_ERR(ck, i, NULL, "no_action", "Rule without an action",
		    "S3 requires at least one action per rule. Set a "
		    "transition (for example intelligent_tiering_after_days), "
		    "expire_after_days, a noncurrent_* action or "
		    "abort_incomplete_multipart_upload_days, or remove the "
		    "rule.");

	if (r->nc_newer_versions.set && !r->nc_expire.set &&
	    !r->nc_expire.unknown)
		RULE_ERR(ck, i, "noncurrent_newer_versions", "newer_without_expire",
		    "Newer versions kept without noncurrent expiration",
		    "noncurrent_newer_versions belongs to the noncurrent "
		    "version expiration; set noncurrent_expire_after_days "
		    "too, or drop it.");
	if (r->abort_mpu.set && r->n_tags > 0)
		RULE_ERR(ck, i, "abort_incomplete_multipart_upload_days",
		    "abort_with_tags", "Multipart clean-up cannot use tags",
		    "S3 does not allow AbortIncompleteMultipartUpload in a "
		    "rule filtered by tags (uploads in progress have no "
		    "tags). Put it in a rule filtered by prefix only.");
	if (gt_ok && lt_ok && r->size_gt.v >= r->size_lt.v)
		RULE_ERR(ck, i, "object_size_greater_than", "size_range",
		    "Empty object size range",
		    "S3 requires object_size_greater_than (%g) to be less "
		    "than object_size_less_than (%g); no object could match.",
		    r->size_gt.v, r->size_lt.v);

	check_transitions(ck, i, r->transition, cur_ok, cur_attrs,
	    "after creation");
	check_transitions(ck, i, r->nc_transition, nc_ok, nc_attrs,
	    "of being noncurrent");
	if (exp_ok)
		check_expiration(ck, i, r->transition, cur_ok, cur_attrs,
		    &r->expire, "expire_after_days");
	if (nc_exp_ok)
		check_expiration(ck, i, r->nc_transition, nc_ok, nc_attrs,
		    &r->nc_expire, "noncurrent_expire_after_days");

	/* Cost: small objects. One warning per rule, naming its first
	 * affected transition. */
	bool big = r->size_gt.set && r->size_gt.v >= CO_S3_SMALL_OBJECT;
	if (big)
		return;
	const char *small_attr = NULL, *archive_attr = NULL;
	for (int c = 0; c < CO_S3_NCLASSES; c++) {
		const char *a = r->transition[c].set ? cur_attrs[c]
			      : r->nc_transition[c].set ? nc_attrs[c]
							 : NULL;
		if (!a)
			continue;
		if (c == CO_S3_GLACIER || c == CO_S3_DEEP_ARCHIVE) {
			if (!archive_attr)
				archive_attr = a;
		} else if (!small_attr) {
			small_attr = a;
		}
	}
	if (small_attr || archive_attr)
		RULE_WARN(ck, i, small_attr ? small_attr : archive_attr,
		    "small_objects", "Small objects cost more than they save",
		    "Without object_size_greater_than >= 131072, this rule "
		    "also targets objects under 128 KB.%s%s Set "
		    "object_size_greater_than (for example 131072, or 1048576 "
		    "for archive classes) to transition only objects where it "
		    "pays.",
		    small_attr
			? " S3 does not transition them by default "
			  "(TransitionDefaultMinimumObjectSize "
			  "all_storage_classes_128K); where it does, "
			  "Standard-IA, One Zone-IA and Glacier IR bill each "
			  "as 128 KB and Intelligent-Tiering never tiers them."
			: "",
		    archive_attr
			? " Every object moved to GLACIER or DEEP_ARCHIVE adds "
			  "40 KB of billed metadata (8 KB at S3 Standard "
			  "prices) and one billed transition request, which "
			  "outweighs the saving on small objects."
			: "");
}

static void check_tiering(checker *ck, const co_s3_tiering *t, size_t n,
    size_t i)
{
	const co_s3_tiering *c = &t[i];
	const char *blk = "intelligent_tiering";
	if (c->name) {
		if (!*c->name)
			report(ck, false, blk, (long)i, "name", "empty_name",
			    "Empty name",
			    "Name the Intelligent-Tiering configuration, e.g. "
			    "\"RetailDataTiering\".");
		for (size_t j = 0; j < i; j++)
			if (t[j].name && strcmp(t[j].name, c->name) == 0) {
				report(ck, false, blk, (long)i, "name",
				    "duplicate_name", "Duplicate name",
				    "intelligent_tiering %zu is already named "
				    "\"%s\"; S3 keeps one configuration per "
				    "name. Rename one of them.",
				    j, c->name);
				break;
			}
	}
	bool a_ok = check_count(ck, blk, i, "archive_access_after_days",
	    &c->archive, 90, 730,
	    "S3 Intelligent-Tiering Archive Access takes 90 to 730 days");
	bool d_ok = check_count(ck, blk, i, "deep_archive_access_after_days",
	    &c->deep_archive, 180, 730,
	    "S3 Intelligent-Tiering Deep Archive Access takes 180 to 730 "
	    "days");
	if (!c->archive.set && !c->archive.unknown && !c->deep_archive.set &&
	    !c->deep_archive.unknown)
		report(ck, false, blk, (long)i, NULL, "no_tier",
		    "No archive tier",
		    "An Intelligent-Tiering configuration needs at least one "
		    "tier (S3 API: Tierings is required). Set "
		    "archive_access_after_days (90-730) and/or "
		    "deep_archive_access_after_days (180-730).");
	if (a_ok && d_ok && c->deep_archive.v <= c->archive.v)
		report(ck, false, blk, (long)i, "deep_archive_access_after_days",
		    "tier_order", "Deep Archive before Archive",
		    "Objects reach Deep Archive Access after Archive Access, so "
		    "deep_archive_access_after_days (%g) must be greater than "
		    "archive_access_after_days (%g).",
		    c->deep_archive.v, c->archive.v);
	(void)n;
}

int co_s3_lifecycle_check(const co_s3_rule *rules, size_t n_rules,
    const co_s3_tiering *tierings, size_t n_tierings, co_s3_finding_fn fn,
    void *payload)
{
	checker ck = {.fn = fn, .payload = payload};
	if (n_rules == 0 && n_tierings == 0)
		report(&ck, false, "rule", -1, NULL, "nothing",
		    "No rule and no Intelligent-Tiering configuration",
		    "Add at least one rule block (or intelligent_tiering "
		    "block); an empty lifecycle configuration would only "
		    "delete the bucket's current one.");
	if (n_rules > CO_S3_MAX_RULES)
		report(&ck, false, "rule", -1, NULL, "too_many_rules",
		    "Too many rules",
		    "S3 accepts at most %d rules per bucket; there are %zu. "
		    "Merge rules that share actions.",
		    CO_S3_MAX_RULES, n_rules);
	if (n_tierings > CO_S3_MAX_TIERINGS)
		report(&ck, false, "intelligent_tiering", -1, NULL,
		    "too_many_tierings", "Too many configurations",
		    "S3 accepts at most %d Intelligent-Tiering configurations "
		    "per bucket; there are %zu.",
		    CO_S3_MAX_TIERINGS, n_tierings);
	for (size_t i = 0; i < n_rules && i <= CO_S3_MAX_RULES; i++)
		check_rule(&ck, rules, i);
	for (size_t i = 0; i < n_tierings && i <= CO_S3_MAX_TIERINGS; i++)
		check_tiering(&ck, tierings, n_tierings, i);
	return ck.errors ? -1 : 0;
}
