/* The rules S3 enforces on a bucket lifecycle configuration and on
 * Intelligent-Tiering configurations, and the costops cost rules on top,
 * as pure functions over plain structs so they are testable without
 * Terraform values or AWS (tests/unit/test_storage_lifecycle.c).
 * costops_storage_lifecycle (storage_lifecycle.c) fills the structs from the
 * configuration and turns each finding into a diagnostic with its path. */
#ifndef CO_S3_LIFECYCLE_RULES_H
#define CO_S3_LIFECYCLE_RULES_H

#include <stdbool.h>
#include <stddef.h>

/* Storage classes a lifecycle rule can transition to, in the order of the
 * S3 transition waterfall (S3 User Guide, "Transitioning objects using
 * Amazon S3 Lifecycle", supported transitions): an object only ever moves
 * down this list. */
typedef enum {
	CO_S3_STANDARD_IA = 0,
	CO_S3_INTELLIGENT_TIERING,
	CO_S3_ONEZONE_IA,
	CO_S3_GLACIER_IR,
	CO_S3_GLACIER,
	CO_S3_DEEP_ARCHIVE,
	CO_S3_NCLASSES
} co_s3_class;

/* The S3 name of a class ("GLACIER_IR"). */
const char *co_s3_class_name(co_s3_class c);
/* The attribute stem costops uses ("glacier_ir"): `<stem>_after_days` for
 * current versions, `noncurrent_<stem>_after_days` for noncurrent ones. */
const char *co_s3_class_stem(co_s3_class c);
/* The class for an S3 name, or -1. */
int co_s3_class_from_name(const char *name);

/* A number from the configuration: set, or not set, or not known yet (plan
 * of a value computed elsewhere); checks skip what is not set. */
typedef struct co_s3_num {
	bool set;
	bool unknown;
	double v;
} co_s3_num;

typedef struct co_s3_rule {
	const char *id; /* NULL: not given (or not known yet) */
	size_t n_tags;
	co_s3_num size_gt, size_lt;
	co_s3_num transition[CO_S3_NCLASSES]; /* days after creation */
	co_s3_num expire;
	co_s3_num nc_transition[CO_S3_NCLASSES]; /* days noncurrent */
	co_s3_num nc_expire;
	co_s3_num nc_newer_versions;
	co_s3_num abort_mpu;
} co_s3_rule;

typedef struct co_s3_tiering {
	const char *name; /* NULL: not known yet */
	co_s3_num archive, deep_archive;
} co_s3_tiering;

typedef struct co_s3_finding {
	bool warning;
	const char *block; /* "rule", "intelligent_tiering" */
	long index;        /* block index, or -1 for the block as a whole */
	const char *attr;  /* attribute inside the block, or NULL */
	const char *code;  /* stable short name, for tests and logs */
	char summary[96];
	char detail[1024];
} co_s3_finding;

typedef void (*co_s3_finding_fn)(const co_s3_finding *f, void *payload);

/* Limits S3 documents: 1,000 rules per lifecycle configuration (S3 User
 * Guide, "Lifecycle configuration elements"), rule ID up to 255 characters
 * (API Reference, LifecycleRule.ID), 1,000 Intelligent-Tiering
 * configurations per bucket. */
#define CO_S3_MAX_RULES 1000
#define CO_S3_MAX_RULE_ID 255
#define CO_S3_MAX_TIERINGS 1000
/* S3's default TransitionDefaultMinimumObjectSize (all_storage_classes_128K)
 * and the smallest object Intelligent-Tiering monitors. */
#define CO_S3_SMALL_OBJECT 131072.0

/* Checks rules and tiering configurations; calls fn for every error and
 * warning. Returns 0 when there is no error (warnings allowed), -1 when
 * there is at least one. */
int co_s3_lifecycle_check(const co_s3_rule *rules, size_t n_rules,
    const co_s3_tiering *tierings, size_t n_tierings, co_s3_finding_fn fn,
    void *payload);

#endif
