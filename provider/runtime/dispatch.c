/* tfplugin6 dispatch: protobuf in, framework call, protobuf out. The only
 * file that knows both protobuf and cty values. */
#include "dispatch.h"

#include <string.h>

#include "tfplugin6.pb-c.h"
#include "plugin.pb-c.h"

#include "../framework/framework.h"
#include "../util/log.h"

#define NEW(a, T, init)                                       \
	({                                                    \
		T *p_ = co_arena_alloc((a), sizeof(T));       \
		T tmp_ = init;                                \
		*p_ = tmp_;                                   \
		p_;                                           \
	})

/* ---- schema -> protobuf ------------------------------------------------------- */

static Tfplugin6__Schema__Block *block_to_pb(co_arena *a,
    const co_block_schema *b);

static Tfplugin6__Schema__Block *block_to_pb(co_arena *a,
    const co_block_schema *b)
{
	Tfplugin6__Schema__Block *pb =
	    NEW(a, Tfplugin6__Schema__Block, TFPLUGIN6__SCHEMA__BLOCK__INIT);
	pb->description = (char *)(b->description ? b->description : "");
	pb->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
	size_t na = 0, nb = 0;
	for (const co_attr_schema *at = b->attrs; at && at->name; at++)
		na++;
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name; bt++)
		nb++;
	pb->n_attributes = na;
	pb->attributes = co_arena_alloc(a, (na + 1) * sizeof(void *));
	size_t i = 0;
	for (const co_attr_schema *at = b->attrs; at && at->name; at++, i++) {
		Tfplugin6__Schema__Attribute *pa = NEW(a,
		    Tfplugin6__Schema__Attribute,
		    TFPLUGIN6__SCHEMA__ATTRIBUTE__INIT);
		pa->name = (char *)at->name;
		pa->type.data = (uint8_t *)at->type;
		pa->type.len = strlen(at->type);
		pa->description = (char *)at->description;
		pa->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
		pa->required = !!(at->flags & CO_REQUIRED);
		pa->optional = !!(at->flags & CO_OPTIONAL);
		pa->computed = !!(at->flags & CO_COMPUTED);
		pa->sensitive = !!(at->flags & CO_SENSITIVE);
		pb->attributes[i] = pa;
	}
	pb->n_block_types = nb;
	pb->block_types = co_arena_alloc(a, (nb + 1) * sizeof(void *));
	i = 0;
	for (const co_block_type_schema *bt = b->blocks; bt && bt->name;
	     bt++, i++) {
		Tfplugin6__Schema__NestedBlock *pn = NEW(a,
		    Tfplugin6__Schema__NestedBlock,
		    TFPLUGIN6__SCHEMA__NESTED_BLOCK__INIT);
		pn->type_name = (char *)bt->name;
		pn->block = block_to_pb(a, bt->block);
		pn->nesting = (Tfplugin6__Schema__NestedBlock__NestingMode)
				  bt->nesting;
		pn->min_items = bt->min_items;
		pn->max_items = bt->max_items;
		pb->block_types[i] = pn;
	}
	return pb;
}

static Tfplugin6__Schema *schema_to_pb(co_arena *a, const co_block_schema *b,
    int64_t version)
{
	Tfplugin6__Schema *s =
	    NEW(a, Tfplugin6__Schema, TFPLUGIN6__SCHEMA__INIT);
	s->version = version;
	s->block = block_to_pb(a, b);
	return s;
}

/* ---- values and diagnostics ------------------------------------------------------- */

/* Decodes a DynamicValue against type t. An absent or empty value is null. */
static co_value *dv_decode(co_arena *a, co_diags *d, const co_type *t,
    const Tfplugin6__DynamicValue *dv, const char *what)
{
	const char *err = NULL;
	co_value *v = NULL;
	if (!dv || (dv->msgpack.len == 0 && dv->json.len == 0))
		return co_value_null(a, t);
	int rc = dv->msgpack.len
		     ? co_msgpack_decode(a, t, dv->msgpack.data,
			   dv->msgpack.len, &v, &err)
		     : co_json_decode(a, t, (const char *)dv->json.data,
			   dv->json.len, &v, &err);
	if (rc < 0) {
		co_diag_error(d, NULL, "Invalid value from the CLI",
		    "The %s could not be decoded: %s. This is a bug in costops "
		    "or a protocol mismatch.",
		    what, err ? err : "unknown error");
		return NULL;
	}
	return v;
}

static Tfplugin6__DynamicValue *dv_encode(co_arena *a, co_diags *d,
    const co_type *t, const co_value *v)
{
	Tfplugin6__DynamicValue *dv =
	    NEW(a, Tfplugin6__DynamicValue, TFPLUGIN6__DYNAMIC_VALUE__INIT);
	co_buf b;
	co_buf_init(&b, 0);
	if (co_msgpack_encode(&b, t, v ? v : co_value_null(a, t)) < 0) {
		co_diag_error(d, NULL, "Provider bug",
		    "A value could not be encoded; please report this.");
		co_buf_free(&b);
		return dv;
	}
	uint8_t *copy = co_arena_alloc(a, b.len + 1);
	if (b.len)
		memcpy(copy, b.data, b.len);
	dv->msgpack.data = copy;
	dv->msgpack.len = b.len;
	co_buf_free(&b);
	return dv;
}

static Tfplugin6__AttributePath *path_to_pb(co_arena *a, const co_path *p)
{
	Tfplugin6__AttributePath *pp =
	    NEW(a, Tfplugin6__AttributePath, TFPLUGIN6__ATTRIBUTE_PATH__INIT);
	pp->n_steps = p->n;
	pp->steps = co_arena_alloc(a, (p->n + 1) * sizeof(void *));
	for (size_t i = 0; i < p->n; i++) {
		Tfplugin6__AttributePath__Step *st = NEW(a,
		    Tfplugin6__AttributePath__Step,
		    TFPLUGIN6__ATTRIBUTE_PATH__STEP__INIT);
		switch (p->steps[i].kind) {
		case CO_STEP_ATTR:
			st->selector_case =
			    TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
			st->attribute_name = (char *)p->steps[i].name;
			break;
		case CO_STEP_KEY:
			st->selector_case =
			    TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
			st->element_key_string = (char *)p->steps[i].name;
			break;
		case CO_STEP_INDEX:
			st->selector_case =
			    TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
			st->element_key_int = p->steps[i].index;
			break;
		}
		pp->steps[i] = st;
	}
	return pp;
}

static Tfplugin6__Diagnostic **diags_to_pb(co_arena *a, const co_diags *d,
    size_t *n_out)
{
	size_t n = 0;
	for (const co_diag *g = d->head; g; g = g->next)
		n++;
	Tfplugin6__Diagnostic **out = co_arena_alloc(a, (n + 1) * sizeof(void *));
	size_t i = 0;
	for (const co_diag *g = d->head; g; g = g->next, i++) {
		Tfplugin6__Diagnostic *pd =
		    NEW(a, Tfplugin6__Diagnostic, TFPLUGIN6__DIAGNOSTIC__INIT);
		pd->severity = g->severity == CO_DIAG_ERROR
				   ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR
				   : TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING;
		pd->summary = (char *)g->summary;
		pd->detail = (char *)g->detail;
		if (g->has_path)
			pd->attribute = path_to_pb(a, &g->path);
		out[i] = pd;
		co_log(g->severity == CO_DIAG_ERROR ? CO_LOG_INFO : CO_LOG_DEBUG,
		    "diagnostic: %s: %s", g->summary, g->detail);
	}
	*n_out = n;
	return out;
}

static void pack(co_rpc_result *res, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	co_buf_reset(&res->body);
	uint8_t *tmp = malloc(n ? n : 1);
	if (!tmp) {
		res->status = 8; /* RESOURCE_EXHAUSTED */
		res->message = "out of memory";
		return;
	}
	protobuf_c_message_pack(m, tmp);
	if (co_buf_append(&res->body, tmp, n) < 0) {
		res->status = 8;
		res->message = "response too large";
	}
	free(tmp);
}

static void init_ctx(co_ctx *ctx, co_arena *a, co_diags *d)
{
	memset(ctx, 0, sizeof(*ctx));
	co_diags_init(d, a);
	ctx->arena = a;
	ctx->diags = d;
	ctx->provider = co_fw_provider();
}

static bool find_resource(co_diags *d, const char *name, bool data,
    const co_resource **out)
{
	*out = co_fw_find(name, data);
	if (!*out)
		co_diag_error(d, NULL, data ? "Unknown data source"
					    : "Unknown resource type",
		    "costops has no %s named \"%s\".",
		    data ? "data source" : "resource type", name);
	return *out != NULL;
}

/* Carries private state forward unless the resource set new bytes. */
static ProtobufCBinaryData private_out(const co_ctx *ctx)
{
	ProtobufCBinaryData b = {0, NULL};
	if (ctx->private_set) {
		b.data = (uint8_t *)ctx->private_out;
		b.len = ctx->private_out_len;
	} else {
		b.data = (uint8_t *)ctx->private_in;
		b.len = ctx->private_in_len;
	}
	return b;
}

/* ---- the RPCs ------------------------------------------------------------------ */

/* protobuf-c generates unpack functions only for top-level messages; the
 * nested Request types go through their descriptors. */
#define UNPACK(T, desc, req, len) \
	T *in = (T *)protobuf_c_message_unpack(&(desc), NULL, (len), (req)); \
	if (!in) { \
		res->status = 3; /* INVALID_ARGUMENT */ \
		res->message = "malformed request"; \
		return; \
	}

static void rpc_get_provider_schema(co_arena *a, const uint8_t *req,
    size_t len, co_rpc_result *res)
{
	(void)req;
	(void)len;
	Tfplugin6__GetProviderSchema__Response out =
	    TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__INIT;
	out.provider = schema_to_pb(a, &co_provider_schema, 0);
	size_t nr = 0, nd = 0;
	for (const co_resource *const *r = co_registry; *r; r++)
		(*r)->is_data_source ? nd++ : nr++;
	out.resource_schemas = co_arena_alloc(a, (nr + 1) * sizeof(void *));
	out.data_source_schemas = co_arena_alloc(a, (nd + 1) * sizeof(void *));
	for (const co_resource *const *r = co_registry; *r; r++) {
		Tfplugin6__Schema *s =
		    schema_to_pb(a, (*r)->schema, (*r)->schema_version);
		if ((*r)->is_data_source) {
			Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry
			    *e = NEW(a,
				Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry,
				TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__DATA_SOURCE_SCHEMAS_ENTRY__INIT);
			e->key = (char *)(*r)->type_name;
			e->value = s;
			out.data_source_schemas[out.n_data_source_schemas++] = e;
		} else {
			Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry
			    *e = NEW(a,
				Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry,
				TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__RESOURCE_SCHEMAS_ENTRY__INIT);
			e->key = (char *)(*r)->type_name;
			e->value = s;
			out.resource_schemas[out.n_resource_schemas++] = e;
		}
	}
	Tfplugin6__ServerCapabilities *caps = NEW(a,
	    Tfplugin6__ServerCapabilities, TFPLUGIN6__SERVER_CAPABILITIES__INIT);
	/* Destroy plans reach us so costops_teardown can refuse a destroy
	 * without confirm, and preview it, at plan time. */
	caps->plan_destroy = 1;
	out.server_capabilities = caps;
	pack(res, &out.base);
}

static void rpc_validate_provider(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__ValidateProviderConfig__Request,
	    tfplugin6__validate_provider_config__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	co_value *config = dv_decode(a, &d,
	    co_schema_type(&co_provider_schema), in->config, "provider config");
	if (config)
		co_fw_validate_provider(&ctx, config);
	Tfplugin6__ValidateProviderConfig__Response out =
	    TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__RESPONSE__INIT;
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_configure(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__ConfigureProvider__Request,
	    tfplugin6__configure_provider__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	co_value *config = dv_decode(a, &d,
	    co_schema_type(&co_provider_schema), in->config, "provider config");
	if (config)
		co_fw_configure(&ctx, config, in->terraform_version);
	Tfplugin6__ConfigureProvider__Response out =
	    TFPLUGIN6__CONFIGURE_PROVIDER__RESPONSE__INIT;
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_validate_resource(co_arena *a, const uint8_t *req,
    size_t len, co_rpc_result *res, bool data)
{
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	const co_resource *r = NULL;
	if (data) {
		UNPACK(Tfplugin6__ValidateDataResourceConfig__Request,
		    tfplugin6__validate_data_resource_config__request__descriptor,
		    req, len);
		if (find_resource(&d, in->type_name, true, &r)) {
			co_value *c = dv_decode(a, &d, co_schema_type(r->schema),
			    in->config, "configuration");
			if (c)
				co_fw_validate(&ctx, r, c);
		}
		protobuf_c_message_free_unpacked(&in->base, NULL);
		Tfplugin6__ValidateDataResourceConfig__Response out =
		    TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__RESPONSE__INIT;
		out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
		pack(res, &out.base);
		return;
	}
	UNPACK(Tfplugin6__ValidateResourceConfig__Request,
	    tfplugin6__validate_resource_config__request__descriptor, req, len);
	if (find_resource(&d, in->type_name, false, &r)) {
		co_value *c = dv_decode(a, &d, co_schema_type(r->schema),
		    in->config, "configuration");
		if (c)
			co_fw_validate(&ctx, r, c);
	}
	protobuf_c_message_free_unpacked(&in->base, NULL);
	Tfplugin6__ValidateResourceConfig__Response out =
	    TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__RESPONSE__INIT;
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
}

static void rpc_upgrade(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__UpgradeResourceState__Request,
	    tfplugin6__upgrade_resource_state__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	Tfplugin6__UpgradeResourceState__Response out =
	    TFPLUGIN6__UPGRADE_RESOURCE_STATE__RESPONSE__INIT;
	const co_resource *r = NULL;
	if (find_resource(&d, in->type_name, false, &r)) {
		const co_type *t = co_schema_type(r->schema);
		co_value *v = NULL;
		const char *err = NULL;
		if (!in->raw_state || !in->raw_state->json.len) {
			co_diag_error(&d, NULL, "Unsupported state format",
			    "The stored state of %s is not JSON (pre-0.12 "
			    "flatmap); costops never wrote that format.",
			    in->type_name);
		} else if (in->version > r->schema_version) {
			co_diag_error(&d, NULL, "State from a newer costops",
			    "The state of %s has schema version %lld, newer "
			    "than this provider's %lld. Upgrade costops.",
			    in->type_name, (long long)in->version,
			    (long long)r->schema_version);
		} else if (co_json_decode_state(a, t,
			       (const char *)in->raw_state->json.data,
			       in->raw_state->json.len, &v, &err) < 0) {
			co_diag_error(&d, NULL, "Invalid stored state",
			    "The state of %s could not be read: %s.",
			    in->type_name, err ? err : "?");
		} else {
			out.upgraded_state = dv_encode(a, &d, t, v);
		}
	}
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_read(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__ReadResource__Request,
	    tfplugin6__read_resource__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	ctx.private_in = (const char *)in->private_.data;
	ctx.private_in_len = in->private_.len;
	Tfplugin6__ReadResource__Response out =
	    TFPLUGIN6__READ_RESOURCE__RESPONSE__INIT;
	const co_resource *r = NULL;
	if (find_resource(&d, in->type_name, false, &r)) {
		const co_type *t = co_schema_type(r->schema);
		co_value *state = dv_decode(a, &d, t, in->current_state, "state");
		co_value *fresh = state;
		if (state)
			co_fw_read(&ctx, r, state, &fresh);
		out.new_state = dv_encode(a, &d, t, fresh);
		out.private_ = private_out(&ctx);
	}
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_plan(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__PlanResourceChange__Request,
	    tfplugin6__plan_resource_change__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	ctx.private_in = (const char *)in->prior_private.data;
	ctx.private_in_len = in->prior_private.len;
	Tfplugin6__PlanResourceChange__Response out =
	    TFPLUGIN6__PLAN_RESOURCE_CHANGE__RESPONSE__INIT;
	const co_resource *r = NULL;
	if (find_resource(&d, in->type_name, false, &r)) {
		const co_type *t = co_schema_type(r->schema);
		co_value *prior = dv_decode(a, &d, t, in->prior_state, "prior state");
		co_value *proposed = dv_decode(a, &d, t, in->proposed_new_state,
		    "proposed state");
		co_value *config = dv_decode(a, &d, t, in->config, "configuration");
		if (prior && proposed && config) {
			co_plan plan;
			co_fw_plan(&ctx, r, prior, proposed, config, &plan);
			if (co_diags_has_error(&d) && !plan.destroying)
				/* An errored plan still answers with a
				 * conforming value. */
				out.planned_state = dv_encode(a, &d, t, proposed);
			else
				out.planned_state =
				    dv_encode(a, &d, t, plan.planned);
			out.n_requires_replace = plan.n_replace;
			out.requires_replace = co_arena_alloc(a,
			    (plan.n_replace + 1) * sizeof(void *));
			for (size_t i = 0; i < plan.n_replace; i++)
				out.requires_replace[i] =
				    path_to_pb(a, &plan.replace[i]);
		}
		out.planned_private = private_out(&ctx);
	}
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_apply(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__ApplyResourceChange__Request,
	    tfplugin6__apply_resource_change__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	ctx.private_in = (const char *)in->planned_private.data;
	ctx.private_in_len = in->planned_private.len;
	Tfplugin6__ApplyResourceChange__Response out =
	    TFPLUGIN6__APPLY_RESOURCE_CHANGE__RESPONSE__INIT;
	const co_resource *r = NULL;
	if (find_resource(&d, in->type_name, false, &r)) {
		const co_type *t = co_schema_type(r->schema);
		co_value *prior = dv_decode(a, &d, t, in->prior_state, "prior state");
		co_value *planned = dv_decode(a, &d, t, in->planned_state,
		    "planned state");
		co_value *config = dv_decode(a, &d, t, in->config, "configuration");
		co_value *fresh = prior;
		if (prior && planned && config)
			co_fw_apply(&ctx, r, prior, planned, config, &fresh);
		out.new_state = dv_encode(a, &d, t, fresh);
		out.private_ = private_out(&ctx);
	}
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_import(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__ImportResourceState__Request,
	    tfplugin6__import_resource_state__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	Tfplugin6__ImportResourceState__Response out =
	    TFPLUGIN6__IMPORT_RESOURCE_STATE__RESPONSE__INIT;
	const co_resource *r = NULL;
	if (find_resource(&d, in->type_name, false, &r)) {
		co_value *state = NULL;
		co_fw_import(&ctx, r, in->id, &state);
		if (state) {
			Tfplugin6__ImportResourceState__ImportedResource *ir =
			    NEW(a,
				Tfplugin6__ImportResourceState__ImportedResource,
				TFPLUGIN6__IMPORT_RESOURCE_STATE__IMPORTED_RESOURCE__INIT);
			ir->type_name = co_arena_strdup(a, in->type_name);
			ir->state =
			    dv_encode(a, &d, co_schema_type(r->schema), state);
			ir->private_ = private_out(&ctx);
			out.imported_resources = co_arena_alloc(a, 2 * sizeof(void *));
			out.imported_resources[0] = ir;
			out.n_imported_resources = 1;
		}
	}
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_read_data(co_arena *a, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	UNPACK(Tfplugin6__ReadDataSource__Request,
	    tfplugin6__read_data_source__request__descriptor, req, len);
	co_ctx ctx;
	co_diags d;
	init_ctx(&ctx, a, &d);
	Tfplugin6__ReadDataSource__Response out =
	    TFPLUGIN6__READ_DATA_SOURCE__RESPONSE__INIT;
	const co_resource *r = NULL;
	if (find_resource(&d, in->type_name, true, &r)) {
		const co_type *t = co_schema_type(r->schema);
		co_value *config = dv_decode(a, &d, t, in->config, "configuration");
		co_value *state = NULL;
		if (config)
			co_fw_read_data(&ctx, r, config, &state);
		/* On error the CLI ignores the state, but it must decode. */
		out.state = dv_encode(a, &d, t, state ? state : config);
	}
	out.diagnostics = diags_to_pb(a, &d, &out.n_diagnostics);
	pack(res, &out.base);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

static void rpc_stop(co_arena *a, co_rpc_result *res)
{
	(void)a;
	co_info("StopProvider: cancelling in-flight AWS calls");
	co_fw_provider_stop();
	Tfplugin6__StopProvider__Response out =
	    TFPLUGIN6__STOP_PROVIDER__RESPONSE__INIT;
	pack(res, &out.base);
}

bool co_dispatch(const char *method, const uint8_t *req, size_t len,
    co_rpc_result *res)
{
	static const char prefix[] = "/tfplugin6.Provider/";
	if (strcmp(method, "/plugin.GRPCController/Shutdown") == 0) {
		Plugin__Empty e = PLUGIN__EMPTY__INIT;
		pack(res, &e.base);
		res->shutdown = true;
		co_debug("Shutdown requested by the CLI");
		return true;
	}
	if (strncmp(method, prefix, sizeof(prefix) - 1) != 0)
		return false;
	const char *m = method + sizeof(prefix) - 1;
	co_arena *a = co_arena_new();
	if (!a) {
		res->status = 8;
		res->message = "out of memory";
		return true;
	}
	bool served = true;
	co_trace("rpc %s", m);
	if (strcmp(m, "GetProviderSchema") == 0)
		rpc_get_provider_schema(a, req, len, res);
	else if (strcmp(m, "ValidateProviderConfig") == 0)
		rpc_validate_provider(a, req, len, res);
	else if (strcmp(m, "ConfigureProvider") == 0)
		rpc_configure(a, req, len, res);
	else if (strcmp(m, "ValidateResourceConfig") == 0)
		rpc_validate_resource(a, req, len, res, false);
	else if (strcmp(m, "ValidateDataResourceConfig") == 0)
		rpc_validate_resource(a, req, len, res, true);
	else if (strcmp(m, "UpgradeResourceState") == 0)
		rpc_upgrade(a, req, len, res);
	else if (strcmp(m, "ReadResource") == 0)
		rpc_read(a, req, len, res);
	else if (strcmp(m, "PlanResourceChange") == 0)
		rpc_plan(a, req, len, res);
	else if (strcmp(m, "ApplyResourceChange") == 0)
		rpc_apply(a, req, len, res);
	else if (strcmp(m, "ImportResourceState") == 0)
		rpc_import(a, req, len, res);
	else if (strcmp(m, "ReadDataSource") == 0)
		rpc_read_data(a, req, len, res);
	else if (strcmp(m, "StopProvider") == 0)
		rpc_stop(a, res);
	else
		served = false;
	co_arena_free(a);
	return served;
}
