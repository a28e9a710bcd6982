/* Live Spot prices from EC2 DescribeSpotPriceHistory (Query API). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cost.h"

int co_cost_spot_price_live(co_aws_client *aws, const char *instance_type,
    double *usd_per_hour, int *zones, co_aws_error *err)
{
	int rc = -1;
	co_xml *doc = NULL;
	/* StartTime = EndTime = now asks for the price in effect at this
	 * moment, one row per availability zone (EC2 API reference,
	 * DescribeSpotPriceHistory: "the Spot price in effect at the start
	 * time"). The product description is a request parameter rather
	 * than a filter: EC2 takes both. */
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	const char *const params[] = {"Action", "DescribeSpotPriceHistory",
	    "Version", "2016-11-15", "InstanceType.1", instance_type,
	    "ProductDescription.1", "Linux/UNIX", "StartTime", now, "EndTime",
	    now, "MaxResults", "100", NULL};
	if (co_aws_query_call(aws, "ec2", params, &doc, err) < 0)
		goto done;
	const co_xml *set = co_xml_find(doc,
	    "DescribeSpotPriceHistoryResponse/spotPriceHistorySet");
	double sum = 0;
	int n = 0;
	for (const co_xml *item = set ? set->child : NULL; item && n < 1000;
	     item = item->next) {
		const char *type = co_xml_text(item, "instanceType");
		const char *price = co_xml_text(item, "spotPrice");
		if (!price || (type && strcmp(type, instance_type) != 0))
			continue;
		char *end = NULL;
		double v = strtod(price, &end);
		if (end == price || !(v >= 0))
			continue;
		sum += v;
		n++;
	}
	if (n == 0) {
		snprintf(err->code, sizeof(err->code), "NoSpotPrice");
		snprintf(err->message, sizeof(err->message),
		    "DescribeSpotPriceHistory returned no Linux/UNIX price for "
		    "%s",
		    instance_type);
		goto done;
	}
	*usd_per_hour = sum / n;
	*zones = n;
	rc = 0;
done:
	co_xml_free(doc);
	return rc;
}

bool co_cost_spot_price_plausible(double spot, double on_demand)
{
	if (!(spot > 0) || !(on_demand > 0))
		return false;
	return spot >= on_demand * 0.01 && spot <= on_demand;
}

int co_cost_spot_price_or_fallback(co_aws_client *aws,
    const char *instance_type, double on_demand, double *usd_per_hour,
    char *note, size_t cap, co_aws_error *err)
{
	double price = 0;
	int zones = 0;
	*usd_per_hour = 0;
	memset(err, 0, sizeof(*err));
	if (!aws) {
		snprintf(note, cap, "catalog Spot discount (no live lookup)");
		return 0;
	}
	if (co_cost_spot_price_live(aws, instance_type, &price, &zones, err) <
	    0) {
		snprintf(note, cap, "live Spot price unavailable (%s), catalog "
				    "fallback used",
		    err->code);
		return 0;
	}
	if (!co_cost_spot_price_plausible(price, on_demand)) {
		snprintf(note, cap, "live Spot price %g USD/h over %d zone(s) "
				    "is implausible against on-demand %g "
				    "(below 1 %% or above it), catalog "
				    "fallback used",
		    price, zones, on_demand);
		return 0;
	}
	snprintf(note, cap, "live Spot price: mean of %d zone(s) from EC2 "
			    "DescribeSpotPriceHistory",
	    zones);
	*usd_per_hour = price;
	return 1;
}
