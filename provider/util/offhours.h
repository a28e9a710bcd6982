/* Off-hours calendar: a stop cron, a start cron and holidays in one time
 * zone, as costops_schedule runs them on EventBridge Scheduler. A holiday is
 * a local date on which no start fires; when the targets would be running
 * at the holiday's first midnight, a one-time stop fires then. Pure
 * functions of an explicit "now", so tests can fix the clock. */
#ifndef CO_OFFHOURS_H
#define CO_OFFHOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cron.h"
#include "tz.h"

typedef struct co_offhours {
	const co_tz *tz;
	co_cron stop, start;
	const int64_t *holidays; /* local dates (days since 1970), sorted */
	size_t n_holidays;
} co_offhours;

/* Consecutive holidays merged into one window of whole local days. */
typedef struct co_holiday_window {
	int64_t first_day, last_day; /* local dates, inclusive */
	int64_t start, end;          /* UTC: first midnight, midnight after */
} co_holiday_window;

/* The windows that have not ended by `now`, in order; at most cap.
 * Returns how many. */
size_t co_offhours_windows(const co_offhours *o, int64_t now,
    co_holiday_window *out, size_t cap);

/* The UTC instant of local midnight starting `day` (the first instant of
 * the day when midnight falls in a spring-forward gap). */
int64_t co_offhours_midnight(const co_tz *tz, int64_t day);

/* True when the local date of instant t is a holiday. */
bool co_offhours_is_holiday(const co_offhours *o, int64_t t);

/* True when the targets are running at instant t: the last event at or
 * before t (a stop, a start not on a holiday, a holiday's first midnight)
 * is a start. False when nothing fired in the last five years. */
bool co_offhours_running_at(const co_offhours *o, int64_t t);

/* Next start after now that is not on a holiday. 0 or -1 (never). */
int co_offhours_next_start(const co_offhours *o, int64_t now, int64_t *out);

/* Next stop after now: the stop cron, or a holiday's first midnight when
 * the targets would be running then. 0 or -1 (never). */
int co_offhours_next_stop(const co_offhours *o, int64_t now, int64_t *out);

/* Seconds of running time in [from, to). */
int64_t co_offhours_running_seconds(const co_offhours *o, int64_t from,
    int64_t to);

/* The first instant in [from, from + horizon) at which stop and start both
 * fire, in *at; 0 when none (1 when found). Caps its work for crons that
 * fire every minute. */
int co_offhours_conflict(const co_offhours *o, int64_t from, int64_t horizon,
    int64_t *at);

#endif
