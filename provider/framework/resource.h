/* The resource layer, in the manner of terraform-plugin-framework: a resource
 * is a schema table plus validate/plan/create/read/update/delete/import
 * functions. The layer does the common plan logic (defaults, unknown computed
 * values, requires-replace, keeping stable values) and turns problems into
 * diagnostics with attribute paths. It knows nothing of protobuf or gRPC.
 *
 * Adding a resource: write resources/<name>.c defining a co_resource, and add
 * one line to resources/registry.c. */
#ifndef CO_RESOURCE_H
#define CO_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../aws/aws.h"
#include "../util/arena.h"
#include "../util/buf.h"
#include "../value/diag.h"
#include "../value/value.h"

/* ---- schema tables ----------------------------------------------------- */

enum {
	CO_REQUIRED = 1 << 0,
	CO_OPTIONAL = 1 << 1,
	CO_COMPUTED = 1 << 2,
	CO_SENSITIVE = 1 << 3,
	/* A change replaces the resource (RequiresReplace). */
	CO_FORCE_NEW = 1 << 4,
	/* A computed value that stays what it was across updates
	 * (UseStateForUnknown), e.g. an id. */
	CO_STABLE = 1 << 5,
};

typedef struct co_attr_schema {
	const char *name;
	const char *type;        /* cty type JSON: "string", "[\"list\",\"string\"]" */
	unsigned flags;
	const char *description; /* markdown; required for every attribute */
	/* Default for an optional+computed attribute, as cty JSON ("false",
	 * "30", "\"UTC\""). NULL: none. */
	const char *default_json;
	/* Generic validators, applied by the layer to known values. */
	const char *const *one_of; /* NULL-terminated allowed strings */
	bool has_min, has_max;     /* numbers: inclusive bounds */
	double min, max;
} co_attr_schema;

typedef enum {
	CO_NEST_SINGLE = 1,
	CO_NEST_LIST = 2,
	CO_NEST_SET = 3,
	CO_NEST_MAP = 4,
	CO_NEST_GROUP = 5
} co_nesting;

typedef struct co_block_schema co_block_schema;

typedef struct co_block_type_schema {
	const char *name;
	co_nesting nesting;
	const co_block_schema *block;
	int64_t min_items, max_items;
	unsigned flags; /* CO_FORCE_NEW */
} co_block_type_schema;

struct co_block_schema {
	const co_attr_schema *attrs;       /* terminated by {0} */
	const co_block_type_schema *blocks; /* terminated by {0}; may be NULL */
	const char *description;
};

/* The standard `timeouts` block (create, update, delete as "30m", "1h"). */
extern const co_block_schema co_timeouts_block;
#define CO_TIMEOUTS_BLOCK_TYPE                                             \
	{ .name = "timeouts", .nesting = CO_NEST_SINGLE,                   \
	  .block = &co_timeouts_block, .min_items = 0, .max_items = 0 }

/* ---- the configured provider ------------------------------------------- */

typedef struct co_tag {
	char *key;
	char *value;
} co_tag;

typedef struct co_provider {
	co_aws_client *aws;  /* NULL until ConfigureProvider succeeded */
	co_tag *default_tags;
	size_t n_default_tags;
	char account_id[32];
	char partition[16];
	char caller_arn[256];
	bool configured;
} co_provider;

/* ---- per-call context --------------------------------------------------- */

typedef struct co_ctx {
	co_arena *arena;
	co_diags *diags;
	co_provider *provider;
	/* Private state in (prior/planned private) and out. A function that
	 * wants to change it sets private_out/private_out_len (arena memory);
	 * otherwise the input is carried forward unchanged. */
	const char *private_in;
	size_t private_in_len;
	const char *private_out;
	size_t private_out_len;
	bool private_set;
	/* Timeouts from the config's `timeouts` block, when the resource has
	 * one; see co_ctx_timeout_ms. */
	const co_value *timeouts;
} co_ctx;

/* Per plan: what the layer decided, which a resource's plan hook may read
 * and extend. */
typedef struct co_resource co_resource;

typedef struct co_plan {
	const co_resource *resource;
	const co_value *prior;    /* NULL on create */
	const co_value *config;
	co_value *planned;        /* modify in place */
	bool creating;
	bool destroying;          /* planned is NULL */
	co_path replace[16];      /* requires-replace paths */
	size_t n_replace;
} co_plan;

struct co_resource {
	const char *type_name;
	int64_t schema_version;
	const co_block_schema *schema;
	bool is_data_source;

	/* All optional except where noted. Each adds diagnostics to ctx and
	 * returns 0, or -1 on error. */

	/* Static checks; config may hold unknowns (skip those). */
	void (*validate)(co_ctx *ctx, const co_value *config);
	/* Plan-time logic after the layer's: previews, computed values known
	 * at plan time, drift corrections. ctx->provider may be unconfigured
	 * (unknown provider config): check provider->configured. */
	void (*plan)(co_ctx *ctx, co_plan *plan);
	/* Required for resources. *state must be wholly known. */
	int (*create)(co_ctx *ctx, const co_value *planned, co_value **state);
	/* Required. *state = NULL when the object is gone. */
	int (*read)(co_ctx *ctx, const co_value *state, co_value **new_state);
	/* NULL: every change must be CO_FORCE_NEW. */
	int (*update)(co_ctx *ctx, const co_value *prior, const co_value *planned,
	    co_value **state);
	/* Required for resources. On failure, *remaining may be set to the
	 * state that still exists (resumable teardown); otherwise the prior
	 * state is kept. */
	int (*del)(co_ctx *ctx, const co_value *state, co_value **remaining);
	/* Import by id; *state needs at least what read() needs. */
	int (*import)(co_ctx *ctx, const char *id, co_value **state);
	/* Data sources: required. */
	int (*read_data)(co_ctx *ctx, const co_value *config, co_value **state);
};

/* ---- helpers for resource code ------------------------------------------- */

/* The object type a block schema implies (cached; never freed). */
const co_type *co_schema_type(const co_block_schema *b);

/* A new object of the block's type with every attribute null and every
 * LIST/SET/MAP block empty. */
co_value *co_schema_empty(co_arena *a, const co_block_schema *b);

/* Timeout for op ("create", "update", "delete") from the `timeouts` block,
 * or dflt_ms. Accepts Go durations like "90s", "20m", "1h30m". */
long co_ctx_timeout_ms(const co_ctx *ctx, const char *op, long dflt_ms);

/* Parses a Go-style duration; -1 when malformed. */
long co_parse_duration_ms(const char *s);

/* Reports an AWS failure as an error diagnostic: summary names what failed,
 * detail carries the AWS code, message and request id. */
void co_diag_aws(co_ctx *ctx, const co_path *path, const char *what,
    const co_aws_error *err);

/* Reports that the provider is not configured (unknown provider config at
 * plan time) and returns -1. */
int co_need_provider(co_ctx *ctx);

/* Tags: the provider's default_tags merged with the resource's `tags`
 * attribute (resource wins), as a map(string) value. */
co_value *co_merged_tags(co_ctx *ctx, const co_value *tags);

/* Marks every computed attribute the user did not set unknown (except
 * CO_STABLE ones), as on any update; for plan hooks that detect drift. */
void co_plan_set_unknown_computed(co_ctx *ctx, co_plan *p);

/* Sets private state output to a copy of data. */
void co_ctx_set_private(co_ctx *ctx, const char *data, size_t len);

/* Private state as a JSON object: the input parsed, or a new empty object
 * when there is none or it is not an object. The caller owns the
 * reference. */
json_t *co_ctx_private_json(const co_ctx *ctx);

/* Sets private state output to the compact, key-sorted JSON of root. */
void co_ctx_set_private_json(co_ctx *ctx, const json_t *root);

#endif
