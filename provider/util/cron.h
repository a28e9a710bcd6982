/* EventBridge cron expressions: `cron(minutes hours day-of-month month
 * day-of-week year)` as EventBridge Scheduler reads them, parsed into bit
 * sets, and their fire times in a time zone with the Scheduler's daylight
 * saving rules (a wall time skipped in spring does not fire; one repeated in
 * autumn fires once). Pure functions; thread-safe. */
#ifndef CO_CRON_H
#define CO_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tz.h"

#define CO_CRON_YEAR_MIN 1970
#define CO_CRON_YEAR_MAX 2199

typedef struct co_cron {
	uint64_t minutes;  /* bits 0-59 */
	uint32_t hours;    /* bits 0-23 */
	uint32_t dom;      /* bits 1-31 */
	uint16_t months;   /* bits 1-12 */
	uint8_t dow;       /* bits 1-7, 1 = Sunday as EventBridge counts */
	uint64_t years[4]; /* bit (year - 1970) */
	bool dom_any;      /* '?' in day-of-month: day-of-week decides */
	bool dom_last;     /* L: last day of the month */
	bool dom_last_weekday; /* LW */
	int dom_weekday;   /* nW: the weekday nearest day n; 0 when unused */
	int dow_last;      /* nL: the last weekday n of the month; 0 unused */
	int dow_nth_day, dow_nth; /* d#n: the n-th weekday d; 0 unused */
} co_cron;

/* Parses "cron(...)". Returns 0, or -1 with a sentence in err naming the
 * field and what is wrong. */
int co_cron_parse(co_cron *out, const char *expr, char *err, size_t errcap);

/* True when the expression fires on that local date. */
bool co_cron_day_matches(const co_cron *c, int64_t y, unsigned m, unsigned d);

/* The first fire strictly after the UTC instant `after`, evaluated in tz.
 * 0 and *next, or -1 when it never fires again (year range exhausted). */
int co_cron_next(const co_cron *c, const co_tz *tz, int64_t after,
    int64_t *next);

#endif
