/* The common plan/apply/read logic shared by every resource. */
#include "framework.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/log.h"

/* ---- schema types ---------------------------------------------------------- */

/* Implied types are computed once per schema table and cached for the life
 * of the process; the table pointers are the keys. The keys are static
 * tables, so the cache grows only to their number; a fixed-size cache that
 * filled up would instead build (and keep) new types on every RPC. */
struct type_cache_entry {
	const void *key;
	const co_type *type;
};
static struct type_cache_entry *type_cache;
static size_t type_cache_n, type_cache_cap;
static co_arena *type_arena;
static pthread_mutex_t type_lock = PTHREAD_MUTEX_INITIALIZER;

static void type_cache_put(const void *key, const co_type *t)
{
	if (type_cache_n == type_cache_cap) {
		size_t cap = type_cache_cap ? 2 * type_cache_cap : 256;
		struct type_cache_entry *grown =
		    realloc(type_cache, cap * sizeof(*grown));
		if (!grown)
			return; /* uncached: correct, only slower */
		type_cache = grown;
		type_cache_cap = cap;
	}
	type_cache[type_cache_n++] =
	    (struct type_cache_entry){.key = key, .type = t};
}

static const co_type *attr_type_locked(const co_attr_schema *a)
{
	for (size_t i = 0; i < type_cache_n; i++)
		if (type_cache[i].key == a)
			return type_cache[i].type;
	const char *err = NULL;
	const co_type *t =
	    co_type_from_json(type_arena, a->type, strlen(a->type), &err);
	if (!t) {
		fprintf(stderr, "costops: attribute %s: bad type %s: %s\n",
		    a->name, a->type, err ? err : "?");
		abort();
	}
	type_cache_put(a, t);
	return t;
}

static const co_type *block_type_locked(const co_block_schema *b)
{
	for (size_t i = 0; i < type_cache_n; i++)
		if (type_cache[i].key == b)
			return type_cache[i].type;
	size_t n = 0;
	for (const co_attr_schema *a = b->attrs; a && a->name; a++)
		n++;
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name; bt++)
		n++;
	const char **names = co_arena_alloc(type_arena, n * sizeof(*names) + 1);
	const co_type **types =
	    co_arena_alloc(type_arena, n * sizeof(*types) + 1);
	size_t i = 0;
	for (const co_attr_schema *a = b->attrs; a && a->name; a++, i++) {
		names[i] = a->name;
		types[i] = attr_type_locked(a);
	}
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name;
	     bt++, i++) {
		const co_type *inner = block_type_locked(bt->block);
		names[i] = bt->name;
		switch (bt->nesting) {
		case CO_NEST_LIST: types[i] = co_type_list(type_arena, inner); break;
		case CO_NEST_SET: types[i] = co_type_set(type_arena, inner); break;
		case CO_NEST_MAP: types[i] = co_type_map(type_arena, inner); break;
		default: types[i] = inner; break;
		}
	}
	const co_type *t = co_type_object(type_arena, n, names, types);
	type_cache_put(b, t);
	return t;
}

const co_type *co_schema_type(const co_block_schema *b)
{
	pthread_mutex_lock(&type_lock);
	if (!type_arena)
		type_arena = co_arena_new();
	const co_type *t = block_type_locked(b);
	pthread_mutex_unlock(&type_lock);
	return t;
}

static const co_type *co_attr_type(const co_attr_schema *a)
{
	pthread_mutex_lock(&type_lock);
	if (!type_arena)
		type_arena = co_arena_new();
	const co_type *t = attr_type_locked(a);
	pthread_mutex_unlock(&type_lock);
	return t;
}

co_value *co_schema_empty(co_arena *a, const co_block_schema *b)
{
	const co_type *t = co_schema_type(b);
	co_value *v = co_value_object(a, t);
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name; bt++) {
		if (bt->nesting == CO_NEST_LIST || bt->nesting == CO_NEST_SET ||
		    bt->nesting == CO_NEST_MAP)
			co_value_set_attr(v, bt->name,
			    co_value_collection(a, co_type_attr(t, bt->name)));
		else if (bt->nesting == CO_NEST_GROUP)
			co_value_set_attr(v, bt->name,
			    co_schema_empty(a, bt->block));
	}
	return v;
}

/* ---- schema self-check ------------------------------------------------------- */

static int check_name(const char *what, const char *name)
{
	if (!name || !*name)
		goto bad;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			*p == '_'))
			goto bad;
	return 0;
bad:
	fprintf(stderr, "costops: %s: invalid name '%s'\n", what,
	    name ? name : "(null)");
	return -1;
}

static int check_block(const char *owner, const co_block_schema *b)
{
	int rc = 0;
	for (const co_attr_schema *a = b->attrs; a && a->name; a++) {
		unsigned f = a->flags;
		if (check_name(owner, a->name) < 0)
			rc = -1;
		if (!(f & (CO_REQUIRED | CO_OPTIONAL | CO_COMPUTED)) ||
		    ((f & CO_REQUIRED) && (f & (CO_OPTIONAL | CO_COMPUTED)))) {
			fprintf(stderr, "costops: %s.%s: bad flags\n", owner,
			    a->name);
			rc = -1;
		}
		if (!a->description || !*a->description) {
			fprintf(stderr, "costops: %s.%s: no description\n",
			    owner, a->name);
			rc = -1;
		}
		if (a->default_json &&
		    (f & (CO_OPTIONAL | CO_COMPUTED)) !=
			(CO_OPTIONAL | CO_COMPUTED)) {
			fprintf(stderr,
			    "costops: %s.%s: a default needs optional+computed\n",
			    owner, a->name);
			rc = -1;
		}
		(void)co_attr_type(a);
	}
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name;
	     bt++) {
		if (check_name(owner, bt->name) < 0)
			rc = -1;
		if (check_block(bt->name, bt->block) < 0)
			rc = -1;
	}
	return rc;
}

int co_fw_check_schemas(void)
{
	int rc = check_block("provider", &co_provider_schema);
	for (const co_resource *const *r = co_registry; *r; r++) {
		if (check_name("resource", (*r)->type_name) < 0 ||
		    strncmp((*r)->type_name, "costops_", 8) != 0)
			rc = -1;
		if (check_block((*r)->type_name, (*r)->schema) < 0)
			rc = -1;
		if (!(*r)->schema->description) {
			fprintf(stderr, "costops: %s: no description\n",
			    (*r)->type_name);
			rc = -1;
		}
		if ((*r)->is_data_source ? !(*r)->read_data
					 : (!(*r)->create || !(*r)->read ||
					       !(*r)->del)) {
			fprintf(stderr, "costops: %s: missing functions\n",
			    (*r)->type_name);
			rc = -1;
		}
	}
	co_schema_type(&co_timeouts_block);
	return rc;
}

const co_resource *co_fw_find(const char *type_name, bool data_source)
{
	for (const co_resource *const *r = co_registry; *r; r++)
		if ((*r)->is_data_source == data_source &&
		    strcmp((*r)->type_name, type_name) == 0)
			return *r;
	return NULL;
}

/* ---- timeouts ------------------------------------------------------------------ */

static const co_attr_schema timeout_attrs[] = {
	{.name = "create", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "How long to wait for creation, as a Go duration "
			   "(`30m`, `1h`)."},
	{.name = "update", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "How long to wait for an update, as a Go duration."},
	{.name = "delete", .type = "\"string\"", .flags = CO_OPTIONAL,
	    .description = "How long to wait for deletion, as a Go duration."},
	{0},
};

const co_block_schema co_timeouts_block = {
	.attrs = timeout_attrs,
	.description = "Timeouts for long-running operations.",
};

long co_parse_duration_ms(const char *s)
{
	if (!s || !*s)
		return -1;
	double total = 0;
	const char *p = s;
	while (*p) {
		char *end;
		double n = strtod(p, &end);
		if (end == p || n < 0)
			return -1;
		p = end;
		double unit;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (*p == 'h') {
			unit = 3600e3;
			p++;
		} else if (*p == 'm') {
			unit = 60e3;
			p++;
		} else if (*p == 's') {
			unit = 1e3;
			p++;
		} else {
			return -1;
		}
		total += n * unit;
	}
	if (total > 7.0 * 24 * 3600e3)
		return -1;
	return (long)total;
}

long co_ctx_timeout_ms(const co_ctx *ctx, const char *op, long dflt_ms)
{
	const char *s = co_value_str(co_value_attr(ctx->timeouts, op));
	long ms = co_parse_duration_ms(s);
	return ms > 0 ? ms : dflt_ms;
}

/* ---- small helpers for resources ------------------------------------------------- */

void co_diag_aws(co_ctx *ctx, const co_path *path, const char *what,
    const co_aws_error *err)
{
	co_diag_error(ctx->diags, path, what,
	    "AWS returned %s%s%s (HTTP %ld%s%s, %d attempt%s).", err->code,
	    err->message[0] ? ": " : "", err->message, err->http_status,
	    err->request_id[0] ? ", request id " : "", err->request_id,
	    err->attempts, err->attempts == 1 ? "" : "s");
}

int co_need_provider(co_ctx *ctx)
{
	if (ctx->provider && ctx->provider->configured)
		return 0;
	co_diag_error(ctx->diags, NULL, "Provider not configured",
	    "The costops provider configuration was not known or failed; "
	    "fix the provider block (see earlier diagnostics) and run again.");
	return -1;
}

co_value *co_merged_tags(co_ctx *ctx, const co_value *tags)
{
	const co_type *mt = co_type_map(ctx->arena, &co_type_string);
	co_value *m = co_value_collection(ctx->arena, mt);
	if (ctx->provider)
		for (size_t i = 0; i < ctx->provider->n_default_tags; i++)
			co_value_map_put(ctx->arena, m,
			    ctx->provider->default_tags[i].key,
			    co_value_string(ctx->arena,
				ctx->provider->default_tags[i].value));
	if (co_value_is_set(tags))
		for (size_t i = 0; i < tags->count; i++)
			if (co_value_is_set(tags->items[i]))
				co_value_map_put(ctx->arena, m, tags->keys[i],
				    tags->items[i]);
	return m;
}

void co_ctx_set_private(co_ctx *ctx, const char *data, size_t len)
{
	char *copy = co_arena_alloc(ctx->arena, len + 1);
	if (len)
		memcpy(copy, data, len);
	ctx->private_out = copy;
	ctx->private_out_len = len;
	ctx->private_set = true;
}

json_t *co_ctx_private_json(const co_ctx *ctx)
{
	json_t *root = NULL;
	if (ctx->private_in_len)
		root = json_loadb(ctx->private_in, ctx->private_in_len, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	return root;
}

void co_ctx_set_private_json(co_ctx *ctx, const json_t *root)
{
	char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	if (s) {
		co_ctx_set_private(ctx, s, strlen(s));
		free(s);
	}
}

/* ---- validation ------------------------------------------------------------------- */

static void validate_attr(co_ctx *ctx, const co_attr_schema *a,
    const co_value *v, co_path path)
{
	if (!v || v->is_null || v->is_unknown)
		return;
	if (a->one_of && v->type->kind == CO_T_STRING) {
		bool ok = false;
		for (const char *const *o = a->one_of; *o; o++)
			if (strcmp(*o, v->str) == 0)
				ok = true;
		if (!ok) {
			co_buf allowed;
			co_buf_init(&allowed, 4096);
			for (const char *const *o = a->one_of; *o; o++)
				co_buf_printf(&allowed, "%s\"%s\"",
				    o == a->one_of ? "" : ", ", *o);
			co_diag_error(ctx->diags, &path, "Invalid value",
			    "\"%s\" is not allowed for %s. Use one of: %s.",
			    v->str, a->name, co_buf_cstr(&allowed));
			co_buf_free(&allowed);
		}
	}
	double n;
	if ((a->has_min || a->has_max) && co_value_num(v, &n)) {
		if ((a->has_min && n < a->min) || (a->has_max && n > a->max)) {
			if (a->has_min && a->has_max)
				co_diag_error(ctx->diags, &path,
				    "Value out of range",
				    "%s must be between %g and %g; got %g.",
				    a->name, a->min, a->max, n);
			else if (a->has_min)
				co_diag_error(ctx->diags, &path,
				    "Value out of range",
				    "%s must be at least %g; got %g.", a->name,
				    a->min, n);
			else
				co_diag_error(ctx->diags, &path,
				    "Value out of range",
				    "%s must be at most %g; got %g.", a->name,
				    a->max, n);
		}
	}
}

static void validate_block(co_ctx *ctx, const co_block_schema *b,
    const co_value *obj, co_path base)
{
	if (!obj || obj->is_null || obj->is_unknown)
		return;
	for (const co_attr_schema *a = b->attrs; a && a->name; a++)
		validate_attr(ctx, a, co_value_attr(obj, a->name),
		    co_path_push_attr(base, a->name));
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name;
	     bt++) {
		const co_value *bv = co_value_attr(obj, bt->name);
		co_path p = co_path_push_attr(base, bt->name);
		if (!co_value_is_set(bv))
			continue;
		switch (bt->nesting) {
		case CO_NEST_LIST:
			for (size_t i = 0; i < bv->count; i++)
				validate_block(ctx, bt->block, bv->items[i],
				    co_path_push_index(p, (int64_t)i));
			break;
		case CO_NEST_SET: /* set elements have no path: stop at it */
			for (size_t i = 0; i < bv->count; i++)
				validate_block(ctx, bt->block, bv->items[i], p);
			break;
		case CO_NEST_MAP:
			for (size_t i = 0; i < bv->count; i++)
				validate_block(ctx, bt->block, bv->items[i],
				    co_path_push_key(p, bv->keys[i]));
			break;
		default:
			validate_block(ctx, bt->block, bv, p);
		}
	}
}

void co_fw_validate(co_ctx *ctx, const co_resource *r, const co_value *config)
{
	co_path root = {0};
	validate_block(ctx, r->schema, config, root);
	const co_value *t = co_value_attr(config, "timeouts");
	if (co_value_is_set(t))
		for (const co_attr_schema *a = timeout_attrs; a->name; a++) {
			const co_value *v = co_value_attr(t, a->name);
			if (co_value_is_set(v) &&
			    co_parse_duration_ms(v->str) <= 0) {
				co_path p = co_path_push_attr(
				    co_path_attr("timeouts"), a->name);
				co_diag_error(ctx->diags, &p,
				    "Invalid duration",
				    "\"%s\" is not a duration. Use forms like "
				    "\"30s\", \"20m\" or \"1h30m\" (at most 7 "
				    "days).",
				    v->str);
			}
		}
	if (r->validate)
		r->validate(ctx, config);
}

/* ---- plan -------------------------------------------------------------------------- */

static co_value *default_value(co_ctx *ctx, const co_attr_schema *a)
{
	const char *err = NULL;
	co_value *v = NULL;
	if (co_json_decode(ctx->arena, co_attr_type(a), a->default_json,
		strlen(a->default_json), &v, &err) < 0) {
		fprintf(stderr, "costops: bad default for %s: %s\n", a->name,
		    err ? err : "?");
		abort();
	}
	return v;
}

/* Applies defaults inside one object (and LIST/SINGLE/GROUP blocks by
 * position). */
static void apply_defaults(co_ctx *ctx, const co_block_schema *b,
    const co_value *config, co_value *planned)
{
	if (!planned || planned->is_null || planned->is_unknown)
		return;
	for (const co_attr_schema *a = b->attrs; a && a->name; a++) {
		if (!a->default_json)
			continue;
		const co_value *c = co_value_attr(config, a->name);
		if (c && c->is_unknown)
			continue;
		if (!c || c->is_null)
			co_value_set_attr(planned, a->name,
			    default_value(ctx, a));
	}
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name;
	     bt++) {
		co_value *pv = co_value_attr(planned, bt->name);
		const co_value *cv = co_value_attr(config, bt->name);
		if (!co_value_is_set(pv))
			continue;
		if (bt->nesting == CO_NEST_LIST) {
			for (size_t i = 0; i < pv->count; i++)
				apply_defaults(ctx, bt->block,
				    co_value_is_set(cv) && i < cv->count
					? cv->items[i]
					: NULL,
				    pv->items[i]);
		} else if (bt->nesting == CO_NEST_SINGLE ||
			   bt->nesting == CO_NEST_GROUP) {
			apply_defaults(ctx, bt->block, cv, pv);
		}
	}
}

/* True when a config-driven part of planned differs from prior: every
 * attribute except the purely computed ones, and every block. */
static bool config_changed(const co_block_schema *b, const co_value *prior,
    const co_value *planned)
{
	for (const co_attr_schema *a = b->attrs; a && a->name; a++) {
		if ((a->flags & CO_COMPUTED) && !(a->flags & CO_OPTIONAL))
			continue;
		if (!co_value_equal(co_value_attr(prior, a->name),
			co_value_attr(planned, a->name)))
			return true;
	}
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name; bt++)
		if (!co_value_equal(co_value_attr(prior, bt->name),
			co_value_attr(planned, bt->name)))
			return true;
	return false;
}

static void mark_computed_unknown(co_ctx *ctx, const co_block_schema *b,
    const co_value *prior, const co_value *config, co_value *planned)
{
	for (const co_attr_schema *a = b->attrs; a && a->name; a++) {
		if (!(a->flags & CO_COMPUTED) || a->default_json)
			continue;
		const co_value *c = co_value_attr(config, a->name);
		if (c && !c->is_null)
			continue;
		/* A force-new attribute cannot change in an in-place update,
		 * so it keeps its prior value; unknown, it would make
		 * Terraform replace the resource (an unknown requires-replace
		 * path counts as a change). */
		if ((a->flags & (CO_STABLE | CO_FORCE_NEW)) && prior &&
		    !prior->is_null) {
			co_value_set_attr(planned, a->name,
			    co_value_attr(prior, a->name));
			continue;
		}
		co_value_set_attr(planned, a->name,
		    co_value_unknown(ctx->arena, co_attr_type(a)));
	}
}

void co_plan_set_unknown_computed(co_ctx *ctx, co_plan *p)
{
	mark_computed_unknown(ctx, p->resource->schema, p->prior, p->config,
	    p->planned);
}

static void add_replace(co_plan *p, co_path path)
{
	if (p->n_replace < sizeof(p->replace) / sizeof(p->replace[0]))
		p->replace[p->n_replace++] = path;
}

void co_fw_plan(co_ctx *ctx, const co_resource *r, const co_value *prior,
    const co_value *proposed, const co_value *config, co_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->resource = r;
	out->prior = prior && !prior->is_null ? prior : NULL;
	out->config = config;
	out->creating = out->prior == NULL;
	if (!proposed || proposed->is_null) {
		out->destroying = true;
		out->planned = NULL;
		if (r->plan)
			r->plan(ctx, out);
		return;
	}
	out->planned = co_value_copy(ctx->arena, proposed);
	ctx->timeouts = co_value_attr(config, "timeouts");
	apply_defaults(ctx, r->schema, config, out->planned);

	if (out->creating || config_changed(r->schema, out->prior, out->planned))
		mark_computed_unknown(ctx, r->schema, out->prior, config,
		    out->planned);

	if (!out->creating) {
		for (const co_attr_schema *a = r->schema->attrs; a && a->name;
		     a++)
			if ((a->flags & CO_FORCE_NEW) &&
			    !co_value_equal(co_value_attr(out->prior, a->name),
				co_value_attr(out->planned, a->name)))
				add_replace(out, co_path_attr(a->name));
		for (const co_block_type_schema *bt = r->schema->blocks;
		     bt && bt->name; bt++)
			if ((bt->flags & CO_FORCE_NEW) &&
			    !co_value_equal(co_value_attr(out->prior, bt->name),
				co_value_attr(out->planned, bt->name)))
				add_replace(out, co_path_attr(bt->name));
	}
	if (r->plan)
		r->plan(ctx, out);
}

/* ---- apply / read / import ---------------------------------------------------------- */

/* Copies what the user configured from planned into the new state, so the
 * state keeps exactly the planned values Terraform checks against. */
static void keep_configured(const co_block_schema *b, const co_value *planned,
    co_value *state)
{
	if (!co_value_is_set(planned) || !co_value_is_set(state))
		return;
	for (const co_attr_schema *a = b->attrs; a && a->name; a++) {
		const co_value *pv = co_value_attr(planned, a->name);
		if (pv && !co_value_has_unknown(pv))
			co_value_set_attr(state, a->name, (co_value *)pv);
	}
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name;
	     bt++) {
		const co_value *pv = co_value_attr(planned, bt->name);
		if (pv && !co_value_has_unknown(pv))
			co_value_set_attr(state, bt->name, (co_value *)pv);
	}
}

static bool check_known(co_ctx *ctx, const co_resource *r, co_value *state)
{
	if (state && co_value_has_unknown(state)) {
		co_diag_error(ctx->diags, NULL, "Provider bug",
		    "%s returned a state with unknown values; please report "
		    "this.",
		    r->type_name);
		return false;
	}
	return true;
}

void co_fw_apply(co_ctx *ctx, const co_resource *r, const co_value *prior,
    const co_value *planned, const co_value *config, co_value **new_state)
{
	*new_state = NULL;
	bool has_prior = prior && !prior->is_null;
	bool has_planned = planned && !planned->is_null;
	ctx->timeouts = co_value_attr(has_planned ? planned : prior, "timeouts");
	if (co_need_provider(ctx) < 0) {
		*new_state = has_prior ? (co_value *)prior : NULL;
		return;
	}
	if (!has_planned) {
		co_value *remaining = NULL;
		if (r->del(ctx, prior, &remaining) < 0 ||
		    co_diags_has_error(ctx->diags))
			*new_state = remaining ? remaining : (co_value *)prior;
		return;
	}
	co_value *state = NULL;
	int rc;
	if (!has_prior) {
		rc = r->create(ctx, planned, &state);
	} else if (r->update) {
		rc = r->update(ctx, prior, planned, &state);
	} else {
		co_diag_error(ctx->diags, NULL, "Provider bug",
		    "%s cannot be updated in place; please report this.",
		    r->type_name);
		*new_state = (co_value *)prior;
		return;
	}
	if (rc < 0 || co_diags_has_error(ctx->diags)) {
		/* Partial failure: keep whatever exists, as the resource saw
		 * it. Planned values are not copied in: they did not all
		 * happen. A create that made nothing returns no state; an
		 * update without one keeps the prior. */
		if (state) {
			if (!co_value_has_unknown(state)) {
				*new_state = state;
				return;
			}
		}
		*new_state = has_prior ? (co_value *)prior : NULL;
		return;
	}
	keep_configured(r->schema, planned, state);
	if (!check_known(ctx, r, state)) {
		*new_state = has_prior ? (co_value *)prior : NULL;
		return;
	}
	*new_state = state;
	(void)config;
}

void co_fw_read(co_ctx *ctx, const co_resource *r, const co_value *state,
    co_value **new_state)
{
	*new_state = (co_value *)state;
	if (!state || state->is_null)
		return;
	ctx->timeouts = co_value_attr(state, "timeouts");
	if (co_need_provider(ctx) < 0)
		return;
	co_value *fresh = NULL;
	if (r->read(ctx, state, &fresh) < 0 || co_diags_has_error(ctx->diags))
		return; /* keep the state as it was */
	if (fresh && !check_known(ctx, r, fresh))
		return;
	*new_state = fresh;
}

void co_fw_import(co_ctx *ctx, const co_resource *r, const char *id,
    co_value **state)
{
	*state = NULL;
	if (!r->import) {
		co_diag_error(ctx->diags, NULL, "Import not supported",
		    "%s cannot be imported.", r->type_name);
		return;
	}
	if (co_need_provider(ctx) < 0)
		return;
	co_value *s = NULL;
	if (r->import(ctx, id, &s) < 0 || co_diags_has_error(ctx->diags))
		return;
	*state = s;
}

void co_fw_read_data(co_ctx *ctx, const co_resource *r,
    const co_value *config, co_value **state)
{
	*state = NULL;
	co_value *s = NULL;
	if (r->read_data(ctx, config, &s) < 0 || co_diags_has_error(ctx->diags))
		return;
	if (!s || !check_known(ctx, r, s))
		return;
	*state = s;
}
