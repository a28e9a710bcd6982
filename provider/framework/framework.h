/* What the plugin runtime calls: one function per tfplugin6 RPC, in terms of
 * cty values and diagnostics. The runtime decodes and encodes; this layer
 * decides. */
#ifndef CO_FRAMEWORK_H
#define CO_FRAMEWORK_H

#include "resource.h"

/* Every registered resource and data source, NULL-terminated
 * (resources/registry.c). */
extern const co_resource *const co_registry[];

/* The provider's own configuration schema. */
extern const co_block_schema co_provider_schema;

/* The process-wide provider (one configuration per provider process). */
co_provider *co_fw_provider(void);
/* StopProvider: cancels AWS work in flight, for good (as terraform-plugin-sdk
 * cancels its stop context), also while ConfigureProvider is running. */
void co_fw_provider_stop(void);
void co_fw_provider_shutdown(void);

const co_resource *co_fw_find(const char *type_name, bool data_source);

/* Checks every registered schema once (names, flags, descriptions, type
 * JSON). Returns 0 or -1 with a message on stderr: a broken table is a
 * programming error caught by the unit tests and at start-up. */
int co_fw_check_schemas(void);

void co_fw_validate_provider(co_ctx *ctx, const co_value *config);
void co_fw_configure(co_ctx *ctx, const co_value *config,
    const char *cli_version);

void co_fw_validate(co_ctx *ctx, const co_resource *r, const co_value *config);

/* prior/proposed may be NULL (create/destroy). *planned is NULL for a
 * destroy. */
void co_fw_plan(co_ctx *ctx, const co_resource *r, const co_value *prior,
    const co_value *proposed, const co_value *config, co_plan *out);

/* prior NULL: create; planned NULL: delete. *new_state NULL after a delete
 * that succeeded. */
void co_fw_apply(co_ctx *ctx, const co_resource *r, const co_value *prior,
    const co_value *planned, const co_value *config, co_value **new_state);

void co_fw_read(co_ctx *ctx, const co_resource *r, const co_value *state,
    co_value **new_state);

void co_fw_import(co_ctx *ctx, const co_resource *r, const char *id,
    co_value **state);

void co_fw_read_data(co_ctx *ctx, const co_resource *r,
    const co_value *config, co_value **state);

#endif
