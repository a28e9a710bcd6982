/* See estimate.h. */
#include "resources/estimate.h"

#include <stddef.h>

static const char *const names[] = {"estimated_monthly_usd",
    "estimated_monthly_savings_usd", "estimate_basis"};

void co_estimate_set(co_ctx *ctx, co_value *v, double monthly_usd,
    double savings_usd, const char *basis)
{
	co_value_set_attr(v, "estimated_monthly_usd",
	    co_value_number(ctx->arena, co_cost_round(monthly_usd)));
	co_value_set_attr(v, "estimated_monthly_savings_usd",
	    co_value_number(ctx->arena, co_cost_round(savings_usd)));
	co_value_set_attr(v, "estimate_basis",
	    co_value_string(ctx->arena, basis ? basis : ""));
}

void co_estimate_set_line(co_ctx *ctx, co_value *v, const co_cost_line *l)
{
	co_estimate_set(ctx, v, l->after_usd, l->before_usd - l->after_usd,
	    l->basis);
}

void co_estimate_set_none(co_ctx *ctx, co_value *v, const char *basis)
{
	co_value_set_attr(v, "estimated_monthly_usd",
	    co_value_null(ctx->arena, &co_type_number));
	co_value_set_attr(v, "estimated_monthly_savings_usd",
	    co_value_null(ctx->arena, &co_type_number));
	co_value_set_attr(v, "estimate_basis",
	    basis ? co_value_string(ctx->arena, basis)
		  : co_value_null(ctx->arena, &co_type_string));
}

void co_estimate_set_unknown(co_ctx *ctx, co_value *v)
{
	co_value_set_attr(v, "estimated_monthly_usd",
	    co_value_unknown(ctx->arena, &co_type_number));
	co_value_set_attr(v, "estimated_monthly_savings_usd",
	    co_value_unknown(ctx->arena, &co_type_number));
	co_value_set_attr(v, "estimate_basis",
	    co_value_unknown(ctx->arena, &co_type_string));
}

void co_estimate_copy(co_value *dst, const co_value *src)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		co_value *v = co_value_attr(src, names[i]);
		if (v)
			co_value_set_attr(dst, names[i], v);
	}
}

bool co_estimate_known(const co_value *v)
{
	const co_value *e = co_value_attr(v, "estimated_monthly_usd");
	return e && !e->is_unknown;
}

bool co_estimate_wanted(const co_plan *plan)
{
	return plan->creating || !co_estimate_known(plan->planned);
}

co_aws_client *co_estimate_spot_client(const co_ctx *ctx)
{
	const co_provider *p = ctx->provider;
	if (!p || !p->configured || !p->aws || !p->account_id[0])
		return NULL;
	return p->aws;
}

const char *co_estimate_region(const co_ctx *ctx)
{
	const co_provider *p = ctx->provider;
	const char *r = p && p->configured && p->aws
			    ? co_aws_client_region(p->aws)
			    : NULL;
	return r && *r ? r : CO_COST_FALLBACK_REGION;
}
