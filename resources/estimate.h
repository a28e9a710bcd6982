/* The three estimate attributes every cost-control resource exposes
 * (issue 8): estimated_monthly_usd, estimated_monthly_savings_usd and
 * estimate_basis, and the plumbing that keeps them consistent with
 * Terraform's rules: a figure known in the plan is the figure the apply
 * records (the framework copies known planned values into the state), an
 * unknown one is worked out by the apply, and a refresh may recompute them
 * (computed-only values never cause a diff). The arithmetic is in
 * provider/cost/. */
#ifndef CO_RESOURCES_ESTIMATE_H
#define CO_RESOURCES_ESTIMATE_H

#include <stdbool.h>

#include "provider/cost/cost.h"
#include "provider/framework/resource.h"

/* Schema rows for the three attributes; the descriptions say what the
 * figures mean for the resource. */
#define CO_ESTIMATE_ATTRS(usd_desc, savings_desc, basis_desc)              \
	{.name = "estimated_monthly_usd", .type = "\"number\"",            \
	    .flags = CO_COMPUTED, .description = usd_desc},                \
	    {.name = "estimated_monthly_savings_usd", .type = "\"number\"", \
		.flags = CO_COMPUTED, .description = savings_desc},        \
	    {.name = "estimate_basis", .type = "\"string\"",               \
		.flags = CO_COMPUTED, .description = basis_desc}

/* Sets the three attributes of v (rounded to 1/10,000 USD). */
void co_estimate_set(co_ctx *ctx, co_value *v, double monthly_usd,
    double savings_usd, const char *basis);

/* Sets them from a before/after line: the cost after the control, and
 * before minus after. */
void co_estimate_set_line(co_ctx *ctx, co_value *v, const co_cost_line *l);

/* Sets them to null: no estimate (why in basis, which may be NULL). */
void co_estimate_set_none(co_ctx *ctx, co_value *v, const char *basis);

/* Sets them unknown: the apply works them out. */
void co_estimate_set_unknown(co_ctx *ctx, co_value *v);

/* Copies the three from src (e.g. the prior state) into dst. */
void co_estimate_copy(co_value *dst, const co_value *src);

/* True when v's estimated_monthly_usd is neither unknown nor missing
 * (null counts as known: "no estimate"). */
bool co_estimate_known(const co_value *v);

/* Whether a plan hook should work the estimate out: on create and when
 * the layer marked the computed values unknown (a configuration change);
 * otherwise the refreshed figures stand, so a plan without changes stays
 * empty. */
bool co_estimate_wanted(const co_plan *plan);

/* The AWS client to ask for live Spot prices, or NULL for the catalog:
 * only with a configured provider whose credentials STS verified, as
 * costops_cost_estimate's spot_prices = "auto" does, so an offline
 * configuration never waits on the network. */
co_aws_client *co_estimate_spot_client(const co_ctx *ctx);

/* The provider's region, else CO_COST_FALLBACK_REGION. */
const char *co_estimate_region(const co_ctx *ctx);

#endif
