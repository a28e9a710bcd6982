/* Internal to costops_teardown: the inventory model shared by the resource
 * (teardown.c), the pure helpers (teardown_inventory.c) and the per-service
 * discovery and deletion engines (teardown_<service>.c). Nothing outside
 * resources/teardown*.c includes this.
 *
 * Ownership: every string and array here lives in the RPC's arena. */
#ifndef CO_TEARDOWN_H
#define CO_TEARDOWN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "provider/framework/resource.h"

/* ---- items and lists ----------------------------------------------------- */

/* One thing the teardown deletes. type is one of the kinds below; name is
 * what the service's delete call takes ("cluster/nodegroup" and
 * "group/schedule" for the two nested kinds); arn may be "" when the
 * service has none (the content kinds carry their container's ARN). note
 * is not kept in state: a reason or an error for the report. */
typedef struct co_td_item {
	const char *type;
	const char *name;
	const char *arn;
	const char *note;
} co_td_item;

typedef struct co_td_list {
	co_td_item *items;
	size_t n, cap;
} co_td_list;

/* Hard cap on items in one inventory: a teardown past this is almost
 * certainly a selection mistake (an account-wide filter), and the state
 * would grow without bound. */
#define CO_TD_MAX_ITEMS 20000

/* Appends a copy of the strings (arena). -1 when the cap is reached. */
int co_td_list_add(co_arena *a, co_td_list *l, const char *type,
    const char *name, const char *arn, const char *note);
/* Index of the item with this type and name, or -1. */
long co_td_list_find(const co_td_list *l, const char *type, const char *name);
/* Sorts into deletion order (kind rank, then name): deterministic plans. */
void co_td_list_sort(co_td_list *l);

/* ---- kinds: what can be deleted, in which order ------------------------- */

typedef struct co_td_run co_td_run;

/* Deletes one item. 0 when it is gone (already-gone counts), -1 with err
 * filled (or err->code "Timeout" after a wait ran out). */
typedef int (*co_td_delete_fn)(co_td_run *run, const co_td_item *it,
    co_aws_error *err);

typedef struct co_td_kind {
	const char *type;     /* inventory type */
	const char *service;  /* a failure skips this service's later kinds */
	const char *what;     /* human name for messages */
	co_td_delete_fn del;
} co_td_kind;

/* The kinds in deletion order: endpoints before their configs and models,
 * schedules before their groups, load balancers before target groups,
 * node groups before clusters, images before repositories, objects before
 * buckets, log groups last (services write logs while they shut down). */
extern const co_td_kind co_td_kinds[];
extern const size_t co_td_n_kinds;
/* Rank of a type in co_td_kinds, or co_td_n_kinds when unknown. */
size_t co_td_kind_rank(const char *type);
const co_td_kind *co_td_kind_of(const char *type);

/* ---- the selection -------------------------------------------------------- */

typedef struct co_td_tag {
	const char *key;
	const char *value;
} co_td_tag;

typedef struct co_td_strs {
	const char **v;
	size_t n;
} co_td_strs;

typedef struct co_td_selection {
	co_td_tag *filter; /* every pair must match */
	size_t n_filter;
	co_td_strs endpoint_prefixes;
	co_td_strs ecr_repositories;
	co_td_strs log_group_prefixes;
	co_td_strs buckets;
	bool delete_buckets;
	co_td_tag protect;
} co_td_selection;

/* Splits "key=value" at the first '='. -1 when there is no '=' or the key
 * is empty. */
int co_td_parse_tag(co_arena *a, const char *s, co_td_tag *out);

/* Tags as AWS services return them, normalized to a JSON object
 * {"key": "value"}: accepts [{"Key":..,"Value":..}], [{"key":..,"value":..}]
 * and {"k":"v"}. Returns a new reference (an empty object for NULL). */
json_t *co_td_tags_object(json_t *aws_tags);
/* True when every filter pair is present with the same value; false for
 * an empty filter (an empty filter selects nothing by tags). */
bool co_td_tags_match(const co_td_selection *sel, json_t *tags);
/* True when the protect tag is present with its value. */
bool co_td_tags_protected(const co_td_selection *sel, json_t *tags);

bool co_td_has_prefix(const co_td_strs *prefixes, const char *name);
bool co_td_contains(const co_td_strs *names, const char *name);

/* ---- names from ARNs ------------------------------------------------------ */

/* "arn:aws:s3:::bucket" -> "bucket". NULL when not an S3 bucket ARN. */
const char *co_td_arn_bucket(co_arena *a, const char *arn);
/* "arn:...:log-group:/a/b[:*]" -> "/a/b". NULL when not a log group ARN. */
const char *co_td_arn_log_group(co_arena *a, const char *arn);

/* ---- one discovery or teardown run ------------------------------------------ */

struct co_td_run {
	co_ctx *ctx;
	co_aws_client *aws;
	const co_td_selection *sel;
	co_td_list found;     /* matches, not protected */
	co_td_list protect;   /* matches, kept by the protect tag */
	co_td_list skipped;   /* seen but left alone, with a reason */
	co_td_list clusters;  /* EKS clusters found (names), for ELBv2 */
	long deadline_ms;     /* monotonic; 0: none */
	long last_call_ms;    /* for pacing mutating calls */
	long pace_ms;         /* minimum gap between mutating calls */
};

/* Monotonic milliseconds. */
long co_td_now_ms(void);

/* Sleeps so that mutating calls are at least interval_ms apart (the
 * control-plane rate limits: CloudWatch Logs deletes 5-10 TPS, EKS and
 * SageMaker a few TPS). Returns -1 when cancelled. */
int co_td_pace(co_td_run *run, long interval_ms);

/* Polls gone(run, it, payload) until it returns 1, with growing sleeps
 * (2 s up to 15 s), logging progress, until the run's deadline. 0 when
 * gone; -1 with err filled on an error, a timeout ("Timeout") or cancel. */
typedef int (*co_td_gone_fn)(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_wait_gone(co_td_run *run, const co_td_item *it, co_td_gone_fn gone,
    co_aws_error *err);

/* Adds a found item: protected ones go to run->protect, the rest to
 * run->found. -1 past the cap (a diagnostic is added). */
int co_td_found(co_td_run *run, const char *type, const char *name,
    const char *arn, json_t *tags);

/* Adds an AWS error diagnostic for a failed listing. Returns -1. */
int co_td_list_failed(co_td_run *run, const char *what, const co_aws_error *err);

/* Per-service discovery, in the order teardown.c calls them (ELBv2 needs
 * the EKS clusters). Each appends to run->found/protect/skipped; -1 with a
 * diagnostic on an AWS error. */
int co_td_tagged(co_td_run *run, const char *const *types, json_t **out);
int co_td_sagemaker_discover(co_td_run *run);
int co_td_scheduler_discover(co_td_run *run);
int co_td_eks_discover(co_td_run *run);
int co_td_elbv2_discover(co_td_run *run);
int co_td_ecr_discover(co_td_run *run);
int co_td_s3_discover(co_td_run *run);
int co_td_logs_discover(co_td_run *run);

/* Per-kind deletion (see co_td_kinds). */
int co_td_sagemaker_delete_endpoint(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_sagemaker_delete_endpoint_config(co_td_run *run,
    const co_td_item *it, co_aws_error *err);
int co_td_sagemaker_delete_model(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_scheduler_delete_schedule(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_scheduler_delete_group(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_elbv2_delete_load_balancer(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_elbv2_delete_target_group(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_eks_delete_nodegroup(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_eks_delete_cluster(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_ecr_delete_images(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_ecr_delete_repository(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_s3_delete_objects(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_s3_delete_bucket(co_td_run *run, const co_td_item *it,
    co_aws_error *err);
int co_td_logs_delete_group(co_td_run *run, const co_td_item *it,
    co_aws_error *err);

/* ---- batching helpers (pure; unit-tested) ---------------------------------- */

/* S3 DeleteObjects takes at most 1,000 keys; ECR BatchDeleteImage at most
 * 100 image ids (API references: DeleteObjects, BatchDeleteImage). */
#define CO_TD_S3_BATCH 1000
#define CO_TD_ECR_BATCH 100

typedef struct co_td_version {
	const char *key;
	const char *version_id; /* NULL for an unversioned object */
} co_td_version;

/* The DeleteObjects request body for v[0..n) (n <= CO_TD_S3_BATCH), quiet
 * mode, keys XML-escaped. 0, or -1 when the buffer cap is hit. */
int co_td_s3_delete_body(co_buf *out, const co_td_version *v, size_t n);

/* ---- report ------------------------------------------------------------------ */

typedef struct co_td_outcome {
	co_td_list deleted;
	co_td_list failed;    /* note: the error */
	co_td_list remaining; /* not deleted (failed, skipped after a failure) */
	co_td_list left;      /* found again by the verification */
	co_td_list fresh;     /* new since the plan: reported, not deleted */
	co_td_list skipped;   /* note: why */
	co_td_list protect;
	const char *result;   /* "succeeded", "failed", "refused" */
	const char *id;
} co_td_outcome;

/* The JSON report (new reference). */
json_t *co_td_report_json(const co_td_outcome *o);
/* A short plain-text summary for SNS (at most cap bytes, arena). */
const char *co_td_summary(co_arena *a, const co_td_outcome *o, size_t cap);

#endif
