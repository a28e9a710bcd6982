/* ECR lifecycle policies as pure functions: rendering costops' retention
 * settings into policy JSON, reading such JSON back, normalizing it for
 * drift comparison, and evaluating a policy against a set of images the way
 * the ECR user guide ("Lifecycle policy evaluation rules") says ECR does.
 * No AWS calls and no Terraform types here, so everything is unit-tested
 * on the user guide's examples (tests/unit/test_ecr_policy_eval.c). */
#ifndef CO_ECR_POLICY_EVAL_H
#define CO_ECR_POLICY_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "provider/util/arena.h"

/* An image as DescribeImages reports it. */
typedef struct co_ecr_image {
	const char *digest;
	const char *const *tags; /* n_tags entries; none: untagged */
	size_t n_tags;
	double pushed_at;        /* imagePushedAt, seconds since the epoch */
	double size_bytes;       /* imageSizeInBytes; for the estimate only */
} co_ecr_image;

/* Evaluates policy_json against images[0..n) at time now (seconds since the
 * epoch) and sets expired[i] for each image the next lifecycle run would
 * expire. Rules run lowest rulePriority first; a rule identifies every image
 * its selection matches (also ones earlier rules identified) and counts them
 * all, but it only expires images no earlier rule identified. Returns 0, or
 * -1 with a sentence in err when the policy is malformed or uses something
 * this evaluator does not model (sinceImagePulled, transitions). */
int co_ecr_policy_eval(const char *policy_json, const co_ecr_image *images,
    size_t n, double now, bool *expired, char *err, size_t err_cap);

/* A tag prefix and how many of its images to keep. */
typedef struct co_ecr_prefix_keep {
	const char *prefix;
	int64_t keep;
} co_ecr_prefix_keep;

/* costops_image_retention's settings; 0 means "not set". */
typedef struct co_ecr_retention {
	int64_t keep_untagged;
	int64_t expire_untagged_after_days;
	const co_ecr_prefix_keep *prefixes;
	size_t n_prefixes;
	int64_t keep_total;
} co_ecr_retention;

/* The lifecycle policy JSON for r: the untagged rule first, then one rule
 * per tag prefix (a prefix before any shorter prefix of it, so its own count
 * applies), then the `any` rule last, as ECR requires. Priorities are 1, 2,
 * ... in that order. Returns a malloc'd string (caller frees), or NULL when
 * r has no rule or memory ran out. */
char *co_ecr_policy_render(const co_ecr_retention *r);

/* Reads a policy back into settings when it has exactly the shape
 * co_ecr_policy_render produces (descriptions aside); prefix strings live in
 * arena a. Returns 0, or -1 when the policy says something the settings
 * cannot express (then *r is untouched). */
int co_ecr_policy_parse(co_arena *a, const char *policy_json,
    co_ecr_retention *r);

/* A canonical form for comparing two policies: rules ordered by
 * rulePriority, object keys sorted, no whitespace. Returns a malloc'd
 * string, or NULL when the text is not a JSON object. */
char *co_ecr_policy_normalize(const char *policy_json);

/* True when both texts are the same policy (equal canonical forms). */
bool co_ecr_policy_same(const char *a, const char *b);

#endif
