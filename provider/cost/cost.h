/* Costs: the dated price catalog compiled into the provider
 * (provider/cost/prices.csv), live Spot prices, and the arithmetic of what a
 * cost control saves a month. Knows nothing of Terraform: resources turn
 * these figures into attributes.
 *
 * Money is US dollars, storage is GB = 2^30 bytes (as AWS bills it), time is
 * hours. A month is CO_COST_HOURS_PER_MONTH hours unless a caller says
 * otherwise (the seed uses 720). */
#ifndef CO_COST_H
#define CO_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "../aws/aws.h"

/* AWS's own convention for a month of hours (8760 / 12), which its pricing
 * pages and Infracost use. */
#define CO_COST_HOURS_PER_MONTH 730.0
#define CO_COST_DAYS_PER_MONTH (CO_COST_HOURS_PER_MONTH / 24.0)
#define CO_COST_BYTES_PER_GB 1073741824.0

/* The region whose figures stand in when a region is not in the catalog. */
#define CO_COST_FALLBACK_REGION "us-east-1"

/* ---- the catalog ------------------------------------------------------ */

typedef struct co_price {
	const char *service;   /* "ec2", "ec2-spot", "s3", "logs", ... */
	const char *region;    /* "us-east-1", or "*" for every region */
	const char *item;      /* "t3.medium", "standard-ia", "storage" */
	const char *unit;      /* "hour", "gb-month", "fraction", ... */
	double usd;            /* per unit; a discount for unit "fraction" */
	const char *source;
	const char *date_read; /* YYYY-MM-DD */
} co_price;

/* Parses catalog CSV text (header line, '#' comment lines, RFC 4180
 * quoting). On success *rows (malloc'd, with the strings in one block that
 * *rows[0] owns; free with co_cost_rows_free) and *n. Returns -1 with a
 * message naming the line in err when a row is malformed: wrong field count,
 * a price that is not a non-negative number, a fraction above 1, a date not
 * YYYY-MM-DD, an empty field. */
int co_cost_csv_parse(const char *text, size_t len, co_price **rows,
    size_t *n, char *err, size_t errcap);
void co_cost_rows_free(co_price *rows, size_t n);

/* The built-in catalog, parsed once (thread-safe). NULL/0 and a message in
 * co_cost_catalog_error() if the embedded CSV is malformed, which the unit
 * tests rule out. */
const co_price *co_cost_catalog(size_t *n);
const char *co_cost_catalog_error(void);

/* The row for service/item in region, else the region "*" row. NULL when
 * neither exists. Rows are owned by the catalog. */
const co_price *co_cost_price(const char *service, const char *region,
    const char *item);

/* As co_cost_price, but a region missing from the catalog falls back to
 * CO_COST_FALLBACK_REGION; *fell_back tells whether it did (may be NULL). */
const co_price *co_cost_price_or_fallback(const char *service,
    const char *region, const char *item, bool *fell_back);

/* The catalog's Spot discount (fraction off on-demand) for an instance
 * type's family ("t3" for "t3.medium", "m5" for "ml.m5.large"), else the
 * service's "default" row. spot_service is "ec2-spot" or "sagemaker-spot".
 * Returns the row (never NULL for those two services). */
const co_price *co_cost_spot_discount(const char *spot_service,
    const char *instance_type);

/* ---- live Spot prices ------------------------------------------------- */

/* The current Linux/UNIX Spot price of instance_type in the client's region:
 * the mean over the availability zones EC2 DescribeSpotPriceHistory reports
 * at this moment. 0 with *usd_per_hour and *zones, or -1 with err filled
 * (an AWS error, or code "NoSpotPrice" when no row came back). */
int co_cost_spot_price_live(co_aws_client *aws, const char *instance_type,
    double *usd_per_hour, int *zones, co_aws_error *err);

/* Whether a live Spot price can be believed: below 1 % of on-demand no Spot
 * market has ever traded (the emulator answers a constant 0.00001), and
 * above on-demand a Spot request would not be filled at that price. */
bool co_cost_spot_price_plausible(double spot, double on_demand);

/* The Spot price to estimate with, for resources and the estimate: asks
 * EC2 (when aws is non-NULL) and keeps the answer if plausible against
 * on_demand. Returns 1 with *usd_per_hour set (live), or 0 with
 * *usd_per_hour = 0, meaning "use the catalog's discount"; then err holds
 * the AWS error, or an empty code when EC2 answered an implausible price.
 * note gets a phrase for the basis either way. */
int co_cost_spot_price_or_fallback(co_aws_client *aws,
    const char *instance_type, double on_demand, double *usd_per_hour,
    char *note, size_t cap, co_aws_error *err);

/* ---- the arithmetic --------------------------------------------------- */

/* One before/after line of an estimate. basis says where each figure came
 * from in one line (prices, hours, sources), for the plan and the docs. */
typedef struct co_cost_line {
	double before_usd;
	double after_usd;
	char basis[640];
} co_cost_line;

static inline double co_cost_savings(const co_cost_line *l)
{
	return l->before_usd - l->after_usd;
}

/* Savings as a percentage of before (0 when before is 0). */
double co_cost_savings_percent(double before_usd, double after_usd);

/* Rounds to 1/10000 USD, so 0.04 * 720 reads 28.8 and not
 * 28.799999999999997 in a plan. */
double co_cost_round(double usd);

/* Instances billed by the hour (EC2 node groups, SageMaker training and
 * endpoints): count x price x hours, before and after a schedule and/or
 * Spot. */
typedef struct co_cost_compute {
	const char *service;       /* "ec2", "sagemaker-training",
				      "sagemaker-hosting" */
	const char *region;
	const char *instance_type;
	double count;              /* instances */
	double hours_before;       /* hours a month before the controls */
	double hours_after;        /* after (a schedule lowers it) */
	bool spot_before;          /* already on Spot before */
	bool spot_after;           /* on Spot after */
	/* > 0: the on-demand price per hour instead of the catalog's. */
	double price_override;
	/* > 0: a live Spot price per hour, already checked plausible. */
	double spot_price_live;
	/* > 0: the Spot discount (fraction off) instead of the catalog's. */
	double spot_discount_override;
} co_cost_compute;

/* 0, or -1 with the reason in out->basis (no price for the instance type
 * and no override). */
int co_cost_compute_line(co_cost_line *out, const co_cost_compute *in);

/* What an off-hours schedule saves for a node group or endpoint: before
 * runs hours_per_month, after runs hours_per_month - hours_off_per_month
 * (DST-aware hours off come from the schedule's own calendar).
 * service "ec2" or "sagemaker-hosting"; price_override as above (0: the
 * catalog); hours_per_month 0 means CO_COST_HOURS_PER_MONTH. */
int co_cost_schedule_savings(co_cost_line *out, const char *service,
    const char *region, const char *instance_type, double nodes,
    double hours_per_month, double hours_off_per_month,
    double price_override);

/* What running a node group on Spot saves against on-demand, for nodes
 * running hours_per_month (0: CO_COST_HOURS_PER_MONTH). spot_price_live
 * > 0 uses that price (check co_cost_spot_price_plausible first); else the
 * catalog's discount for the family. */
int co_cost_spot_savings(co_cost_line *out, const char *region,
    const char *instance_type, double nodes, double hours_per_month,
    double spot_price_live);

/* CloudWatch Logs storage of one or many log groups under a retention.
 * stored_bytes: what the groups hold now (DescribeLogGroups storedBytes);
 * age_days: how long ago the groups were created (how far back their data
 * can go); retention_now: their retention today (0: never expire);
 * retention_before: the retention before the control (0: never); and
 * retention_after: the control's retention.
 * Assumes even ingestion over the days the groups hold: the rate is
 * stored / min(age, retention_now), and a retention of r days keeps
 * rate x min(age, r). before = what retention_before keeps, after = what
 * retention_after keeps, both x the catalog's storage price. Ingestion is
 * not counted: retention does not change it. */
int co_cost_log_retention(co_cost_line *out, const char *region,
    double stored_bytes, double age_days, int retention_now,
    int retention_before, int retention_after);

/* ECR storage before and after a lifecycle policy expires expired_bytes
 * of the total_bytes a repository holds (BatchGetImage / DescribeImages
 * imageSizeInBytes; layers shared between images are counted once per
 * image, so this is an upper bound). */
int co_cost_image_expiry(co_cost_line *out, const char *region,
    double total_bytes, double expired_bytes);

/* A share of stored data that a lifecycle rule or Intelligent-Tiering
 * moves into a storage class ("standard-ia", "intelligent-tiering-
 * infrequent", "glacier-ir", "deep-archive", ...; catalog items of "s3"),
 * or "expired" for data a rule deletes. */
typedef struct co_cost_share {
	const char *storage_class;
	double share; /* 0..1 of the prefix's bytes */
} co_cost_share;

/* S3 storage of gb GB held in Standard before; after, each share sits in
 * its class (the rest stays Standard). it_objects: objects of 128 KB or
 * more under Intelligent-Tiering (monitoring fee per 1000); transitions:
 * objects a month the lifecycle moves (request fee per 1000, by the share
 * of each class). -1 with out->basis for an unknown class or shares above
 * 1 in total. */
int co_cost_storage_lifecycle(co_cost_line *out, const char *region,
    double gb, const co_cost_share *after, size_t n_after, double it_objects,
    double transitions_per_month);

/* Application Load Balancers: count x (hour price + lcu_per_hour x LCU
 * price) x hours. An ALB cannot be stopped: fewer hours after means it is
 * deleted and recreated (or not kept alive) for the rest. price_override
 * > 0 replaces the catalog's hour price. */
int co_cost_load_balancer_line(co_cost_line *out, const char *region,
    double count, double lcu_per_hour, double hours_before,
    double hours_after, double price_override);

/* CloudWatch Logs: ingestion (GB a month x the ingestion price, or
 * ingest_price_override > 0) plus storage of what the retention keeps, for
 * logs going back history_days: GB a month / CO_COST_DAYS_PER_MONTH x
 * min(retention, history_days) days (0 retention: never expire). */
int co_cost_logs_line(co_cost_line *out, const char *region,
    double ingested_gb_before, double ingested_gb_after, int retention_before,
    int retention_after, double history_days, double ingest_price_override);

/* For costops_budget_guard: true when a budget limit is below the estimate
 * of what it watches (it would alert every month on spend the plan already
 * expects); a one-line warning in msg. */
bool co_cost_limit_below_estimate(double limit_usd, double estimate_usd,
    char *msg, size_t cap);

#endif
