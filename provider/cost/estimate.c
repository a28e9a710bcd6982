/* The arithmetic of what a cost control saves a month, from the catalog.
 * Every function fills a before/after line and a one-line basis that names
 * each price, where it came from and the hours or bytes it was multiplied
 * by, so a plan reader can redo the sum. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cost.h"

static void basis(co_cost_line *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void basis(co_cost_line *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->basis, sizeof(out->basis), fmt, ap);
	va_end(ap);
}

double co_cost_round(double usd)
{
	if (!isfinite(usd))
		return 0;
	return round(usd * 10000.0) / 10000.0;
}

double co_cost_savings_percent(double before_usd, double after_usd)
{
	if (!(before_usd > 0))
		return 0;
	return round((before_usd - after_usd) / before_usd * 1000.0) / 10.0;
}

/* "catalog us-east-1, read 2026-11-27", or the fallback note. */
static void price_note(char *out, size_t cap, const co_price *p,
    const char *region, bool fell_back)
{
	if (fell_back)
		snprintf(out, cap, "catalog %s figure, read %s; %s is not in "
				   "the catalog",
		    p->region, p->date_read, region ? region : "the region");
	else
		snprintf(out, cap, "catalog %s, read %s", p->region,
		    p->date_read);
}

int co_cost_compute_line(co_cost_line *out, const co_cost_compute *in)
{
	int rc = -1;
	memset(out, 0, sizeof(*out));
	double price;
	char price_src[160];
	if (in->price_override > 0) {
		price = in->price_override;
		snprintf(price_src, sizeof(price_src), "given");
	} else {
		bool fb = false;
		const co_price *p = co_cost_price_or_fallback(in->service,
		    in->region, in->instance_type, &fb);
		if (!p) {
			basis(out, "no %s price for %s in the catalog; give "
				   "price_override_usd_per_hour",
			    in->service, in->instance_type);
			goto done;
		}
		price = p->usd;
		price_note(price_src, sizeof(price_src), p, in->region, fb);
	}

	double spot = price;
	char spot_src[200] = "";
	if (in->spot_before || in->spot_after) {
		if (in->spot_price_live > 0) {
			spot = in->spot_price_live;
			snprintf(spot_src, sizeof(spot_src),
			    "live Spot price %g USD/h", spot);
		} else {
			double off = in->spot_discount_override;
			const char *why = "given";
			if (!(off > 0)) {
				const co_price *d = co_cost_spot_discount(
				    strcmp(in->service, "ec2") == 0
					? "ec2-spot"
					: "sagemaker-spot",
				    in->instance_type);
				off = d ? d->usd : 0;
				why = d ? "catalog fallback" : "no discount";
			}
			spot = price * (1.0 - off);
			snprintf(spot_src, sizeof(spot_src),
			    "Spot %g USD/h (%g %% off, %s)", spot, off * 100.0,
			    why);
		}
	}
	double before_rate = in->spot_before ? spot : price;
	double after_rate = in->spot_after ? spot : price;
	out->before_usd = in->count * before_rate * in->hours_before;
	out->after_usd = in->count * after_rate * in->hours_after;
	basis(out, "%g x %s at %g USD/h on-demand (%s); before %s x %g h, "
		   "after %s x %g h",
	    in->count, in->instance_type, price, price_src,
	    in->spot_before ? spot_src : "on-demand", in->hours_before,
	    in->spot_after ? spot_src : "on-demand", in->hours_after);
	rc = 0;
done:
	return rc;
}

int co_cost_schedule_savings(co_cost_line *out, const char *service,
    const char *region, const char *instance_type, double nodes,
    double hours_per_month, double hours_off_per_month,
    double price_override)
{
	double hours = hours_per_month > 0 ? hours_per_month
					   : CO_COST_HOURS_PER_MONTH;
	double off = hours_off_per_month < 0 ? 0
		     : hours_off_per_month > hours ? hours
						   : hours_off_per_month;
	co_cost_compute c = {
	    .service = service,
	    .region = region,
	    .instance_type = instance_type,
	    .count = nodes,
	    .hours_before = hours,
	    .hours_after = hours - off,
	    .price_override = price_override,
	};
	return co_cost_compute_line(out, &c);
}

int co_cost_spot_savings(co_cost_line *out, const char *region,
    const char *instance_type, double nodes, double hours_per_month,
    double spot_price_live)
{
	double hours = hours_per_month > 0 ? hours_per_month
					   : CO_COST_HOURS_PER_MONTH;
	co_cost_compute c = {
	    .service = "ec2",
	    .region = region,
	    .instance_type = instance_type,
	    .count = nodes,
	    .hours_before = hours,
	    .hours_after = hours,
	    .spot_after = true,
	    .spot_price_live = spot_price_live,
	};
	return co_cost_compute_line(out, &c);
}

/* Days of data a retention of r days keeps in groups age_days old. */
static double kept_days(double age_days, int r)
{
	return r > 0 && r < age_days ? (double)r : age_days;
}

int co_cost_log_retention(co_cost_line *out, const char *region,
    double stored_bytes, double age_days, int retention_now,
    int retention_before, int retention_after)
{
	int rc = -1;
	memset(out, 0, sizeof(*out));
	bool fb = false;
	const co_price *p =
	    co_cost_price_or_fallback("logs", region, "storage", &fb);
	if (!p) {
		basis(out, "no CloudWatch Logs storage price in the catalog");
		goto done;
	}
	double gb = stored_bytes > 0 ? stored_bytes / CO_COST_BYTES_PER_GB : 0;
	double age = age_days > 0 ? age_days : 0;
	double now_days = kept_days(age, retention_now);
	/* Even ingestion: the data held now spans now_days, so a retention
	 * of r keeps gb x kept_days(r) / now_days. Groups younger than a day
	 * are taken as they are: nothing in them is old enough to expire. */
	double gb_before = gb, gb_after = gb;
	if (now_days >= 1) {
		gb_before = gb * kept_days(age, retention_before) / now_days;
		gb_after = gb * kept_days(age, retention_after) / now_days;
	}
	out->before_usd = gb_before * p->usd;
	out->after_usd = gb_after * p->usd;
	char note[160];
	price_note(note, sizeof(note), p, region, fb);
	char before_r[24], after_r[24];
	snprintf(before_r, sizeof(before_r), retention_before > 0 ? "%d days"
							     : "never expire",
	    retention_before);
	snprintf(after_r, sizeof(after_r), "%d days", retention_after);
	basis(out, "%.4g GB stored over %.0f days (even ingestion assumed); "
		   "%s keeps %.4g GB, %s keeps %.4g GB, at %g USD/GB-month "
		   "storage (%s); ingestion not counted",
	    gb, age, before_r, gb_before, after_r, gb_after, p->usd, note);
	rc = 0;
done:
	return rc;
}

int co_cost_image_expiry(co_cost_line *out, const char *region,
    double total_bytes, double expired_bytes)
{
	int rc = -1;
	memset(out, 0, sizeof(*out));
	bool fb = false;
	const co_price *p = co_cost_price_or_fallback("ecr", region, "storage",
	    &fb);
	if (!p) {
		basis(out, "no ECR storage price in the catalog");
		goto done;
	}
	double total = total_bytes > 0 ? total_bytes / CO_COST_BYTES_PER_GB : 0;
	double expired = expired_bytes > 0 ? expired_bytes / CO_COST_BYTES_PER_GB
					   : 0;
	if (expired > total)
		expired = total;
	out->before_usd = total * p->usd;
	out->after_usd = (total - expired) * p->usd;
	char note[160];
	price_note(note, sizeof(note), p, region, fb);
	basis(out, "%.4g GB of images, %.4g GB expired, at %g USD/GB-month "
		   "(%s)",
	    total, expired, p->usd, note);
	rc = 0;
done:
	return rc;
}

/* The request-fee item for a lifecycle transition into a class; NULL when
 * moving there costs no request fee (expiration, IT's own tiering). */
static const char *transition_item(const char *cls)
{
	if (strncmp(cls, "intelligent-tiering", 19) == 0)
		return "transition-intelligent-tiering";
	if (strcmp(cls, "standard-ia") == 0)
		return "transition-standard-ia";
	if (strcmp(cls, "glacier-ir") == 0)
		return "transition-glacier-ir";
	if (strcmp(cls, "glacier") == 0)
		return "transition-glacier";
	if (strcmp(cls, "deep-archive") == 0)
		return "transition-deep-archive";
	return NULL;
}

int co_cost_storage_lifecycle(co_cost_line *out, const char *region,
    double gb, const co_cost_share *after, size_t n_after, double it_objects,
    double transitions_per_month)
{
	int rc = -1;
	memset(out, 0, sizeof(*out));
	bool fb = false;
	const co_price *std =
	    co_cost_price_or_fallback("s3", region, "standard", &fb);
	if (!std) {
		basis(out, "no S3 Standard price in the catalog");
		goto done;
	}
	double total_share = 0, storage = 0, requests = 0;
	bool tiering = false;
	for (size_t i = 0; i < n_after; i++)
		total_share += after[i].share;
	if (total_share > 1.0 + 1e-9) {
		basis(out, "the shares add up to %g, more than 1", total_share);
		goto done;
	}
	for (size_t i = 0; i < n_after; i++) {
		const char *cls = after[i].storage_class;
		double share = after[i].share;
		if (strcmp(cls, "expired") == 0)
			continue; /* deleted data costs nothing to keep */
		const co_price *p = co_cost_price_or_fallback("s3", region, cls,
		    NULL);
		if (!p || strcmp(p->unit, "gb-month") != 0) {
			basis(out, "unknown storage class \"%s\"", cls);
			goto done;
		}
		storage += gb * share * p->usd;
		if (strncmp(cls, "intelligent-tiering", 19) == 0)
			tiering = true;
		const char *t = transition_item(cls);
		const co_price *tp =
		    t ? co_cost_price_or_fallback("s3", region, t, NULL) : NULL;
		if (tp && total_share > 0)
			requests += transitions_per_month * share / total_share /
				    1000.0 * tp->usd;
	}
	storage += gb * (1.0 - total_share) * std->usd;
	double monitoring = 0;
	const co_price *mon = co_cost_price_or_fallback("s3", region,
	    "intelligent-tiering-monitoring", NULL);
	if (tiering && mon && it_objects > 0)
		monitoring = it_objects / 1000.0 * mon->usd;
	out->before_usd = gb * std->usd;
	out->after_usd = storage + monitoring + requests;
	char note[160];
	price_note(note, sizeof(note), std, region, fb);
	basis(out, "%g GB in Standard at %g USD/GB-month (%s); after: %.4g USD "
		   "storage by class, %.4g USD Intelligent-Tiering monitoring "
		   "(%g objects), %.4g USD transition requests (%g a month)",
	    gb, std->usd, note, storage, monitoring, it_objects, requests,
	    transitions_per_month);
	rc = 0;
done:
	return rc;
}

int co_cost_load_balancer_line(co_cost_line *out, const char *region,
    double count, double lcu_per_hour, double hours_before,
    double hours_after, double price_override)
{
	int rc = -1;
	memset(out, 0, sizeof(*out));
	bool fb = false;
	const co_price *hour = co_cost_price_or_fallback("elb", region, "alb",
	    &fb);
	const co_price *lcu = co_cost_price_or_fallback("elb", region,
	    "alb-lcu", NULL);
	if ((!hour && !(price_override > 0)) || !lcu) {
		basis(out, "no ALB price in the catalog");
		goto done;
	}
	char note[160];
	double price = price_override > 0 ? price_override : hour->usd;
	if (price_override > 0)
		snprintf(note, sizeof(note), "given");
	else
		price_note(note, sizeof(note), hour, region, fb);
	double lcus = lcu_per_hour > 0 ? lcu_per_hour : 0;
	double per_hour = price + lcus * lcu->usd;
	out->before_usd = count * per_hour * hours_before;
	out->after_usd = count * per_hour * hours_after;
	basis(out, "%g x ALB at %g USD/h (%s) + %g LCU x %g USD/LCU-h; before "
		   "%g h, after %g h (an ALB cannot be stopped: fewer hours "
		   "means it is deleted for the rest)",
	    count, price, note, lcus, lcu->usd, hours_before, hours_after);
	rc = 0;
done:
	return rc;
}

int co_cost_logs_line(co_cost_line *out, const char *region,
    double ingested_gb_before, double ingested_gb_after, int retention_before,
    int retention_after, double history_days, double ingest_price_override)
{
	int rc = -1;
	memset(out, 0, sizeof(*out));
	bool fb = false;
	const co_price *ingest = co_cost_price_or_fallback("logs", region,
	    "ingestion-standard", &fb);
	const co_price *storage = co_cost_price_or_fallback("logs", region,
	    "storage", NULL);
	if (!ingest || !storage) {
		basis(out, "no CloudWatch Logs price in the catalog");
		goto done;
	}
	double price = ingest_price_override > 0 ? ingest_price_override
						 : ingest->usd;
	double history = history_days > 0 ? history_days : 0;
	double gb_before = ingested_gb_before / CO_COST_DAYS_PER_MONTH *
			   kept_days(history, retention_before);
	double gb_after = ingested_gb_after / CO_COST_DAYS_PER_MONTH *
			  kept_days(history, retention_after);
	out->before_usd = ingested_gb_before * price + gb_before * storage->usd;
	out->after_usd = ingested_gb_after * price + gb_after * storage->usd;
	char note[160];
	if (ingest_price_override > 0)
		snprintf(note, sizeof(note), "given");
	else
		price_note(note, sizeof(note), ingest, region, fb);
	basis(out, "ingestion %g -> %g GB a month at %g USD/GB (%s); storage "
		   "%.4g -> %.4g GB at %g USD/GB-month (logs going back %g "
		   "days, retention %d -> %d days, 0 = never expire)",
	    ingested_gb_before, ingested_gb_after, price, note, gb_before,
	    gb_after, storage->usd, history, retention_before,
	    retention_after);
	rc = 0;
done:
	return rc;
}

bool co_cost_limit_below_estimate(double limit_usd, double estimate_usd,
    char *msg, size_t cap)
{
	if (!(limit_usd < estimate_usd))
		return false;
	if (msg && cap)
		snprintf(msg, cap,
		    "The budget limit %.2f USD is below the estimate of %.2f "
		    "USD a month for what it watches, so it would alert every "
		    "month on spend the plan already expects. Raise it (e.g. "
		    "estimate x 1.2 = %.2f USD) or cut what it watches.",
		    limit_usd, estimate_usd, estimate_usd * 1.2);
	return true;
}
