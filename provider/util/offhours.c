/* Off-hours calendar; see offhours.h. */
#include "offhours.h"

#include <stdlib.h>

/* Bounds the work on crons that fire every minute. */
#define MAX_EVENTS 200000

static int64_t local_day(const co_tz *tz, int64_t t)
{
	int64_t l = t + co_tz_offset(tz, t);
	return l >= 0 ? l / 86400 : (l - 86399) / 86400;
}

int64_t co_offhours_midnight(const co_tz *tz, int64_t day)
{
	int64_t u;
	if (co_tz_local_to_utc(tz, day * 86400, &u) >= 0)
		return u;
	/* Midnight skipped (a few zones change at 00:00): the day starts at
	 * the first instant after the gap, which the pre-gap offset gives. */
	return day * 86400 - co_tz_offset(tz, day * 86400 - 86400);
}

static bool day_is_holiday(const co_offhours *o, int64_t day)
{
	size_t lo = 0, hi = o->n_holidays;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->holidays[mid] == day)
			return true;
		if (o->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool co_offhours_is_holiday(const co_offhours *o, int64_t t)
{
	return o->n_holidays && day_is_holiday(o, local_day(o->tz, t));
}

size_t co_offhours_windows(const co_offhours *o, int64_t now,
    co_holiday_window *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < o->n_holidays && n < cap;) {
		size_t j = i;
		while (j + 1 < o->n_holidays &&
		       o->holidays[j + 1] <= o->holidays[j] + 1)
			j++;
		co_holiday_window w = {
		    .first_day = o->holidays[i],
		    .last_day = o->holidays[j],
		    .start = co_offhours_midnight(o->tz, o->holidays[i]),
		    .end = co_offhours_midnight(o->tz, o->holidays[j] + 1),
		};
		if (w.end > now)
			out[n++] = w;
		i = j + 1;
	}
	return n;
}

/* The last fire of c at or before t (starts on holidays left out when
 * skip_holidays), searching back further and further. */
static bool last_fire(const co_offhours *o, const co_cron *c,
    bool skip_holidays, int64_t t, int64_t *out)
{
	static const int64_t lookback[] = {2 * 86400, 9 * 86400, 40 * 86400,
	    400 * 86400, 5 * 366 * 86400LL};
	for (size_t k = 0; k < sizeof(lookback) / sizeof(lookback[0]); k++) {
		int64_t cur = t - lookback[k], next;
		bool found = false;
		for (int i = 0; i < MAX_EVENTS; i++) {
			if (co_cron_next(c, o->tz, cur, &next) < 0 || next > t)
				break;
			cur = next;
			if (skip_holidays && co_offhours_is_holiday(o, next))
				continue;
			*out = next;
			found = true;
		}
		if (found)
			return true;
	}
	return false;
}

bool co_offhours_running_at(const co_offhours *o, int64_t t)
{
	int64_t stop = INT64_MIN, start = INT64_MIN, v;
	if (last_fire(o, &o->stop, false, t, &v))
		stop = v;
	if (last_fire(o, &o->start, true, t, &v))
		start = v;
	/* A holiday's first midnight counts as a stop. */
	for (size_t i = o->n_holidays; i-- > 0;) {
		int64_t m = co_offhours_midnight(o->tz, o->holidays[i]);
		if (m <= t) {
			if (m > stop)
				stop = m;
			break;
		}
	}
	return start != INT64_MIN && start > stop;
}

int co_offhours_next_start(const co_offhours *o, int64_t now, int64_t *out)
{
	int64_t t = now;
	for (int i = 0; i < 5000; i++) {
		if (co_cron_next(&o->start, o->tz, t, &t) < 0)
			return -1;
		if (!co_offhours_is_holiday(o, t)) {
			*out = t;
			return 0;
		}
	}
	return -1;
}

int co_offhours_next_stop(const co_offhours *o, int64_t now, int64_t *out)
{
	int64_t best = 0;
	bool have = co_cron_next(&o->stop, o->tz, now, &best) == 0;
	co_holiday_window w[64];
	size_t n = co_offhours_windows(o, now, w, 64);
	for (size_t i = 0; i < n; i++) {
		if (w[i].start <= now || (have && w[i].start >= best))
			continue;
		if (co_offhours_running_at(o, w[i].start - 1)) {
			best = w[i].start;
			have = true;
			break;
		}
	}
	if (!have)
		return -1;
	*out = best;
	return 0;
}

int64_t co_offhours_running_seconds(const co_offhours *o, int64_t from,
    int64_t to)
{
	bool running = co_offhours_running_at(o, from);
	int64_t t = from, total = 0;
	for (int i = 0; i < MAX_EVENTS && t < to; i++) {
		int64_t next;
		int rc = running ? co_offhours_next_stop(o, t, &next)
				 : co_offhours_next_start(o, t, &next);
		if (rc < 0 || next > to)
			next = to;
		if (running)
			total += next - t;
		running = !running;
		t = next;
	}
	return total;
}

int co_offhours_conflict(const co_offhours *o, int64_t from, int64_t horizon,
    int64_t *at)
{
	int64_t a = from, b = from;
	bool ha = co_cron_next(&o->stop, o->tz, from, &a) == 0;
	bool hb = co_cron_next(&o->start, o->tz, from, &b) == 0;
	for (int i = 0; i < MAX_EVENTS && ha && hb; i++) {
		if (a >= from + horizon || b >= from + horizon)
			break;
		if (a == b) {
			*at = a;
			return 1;
		}
		if (a < b)
			ha = co_cron_next(&o->stop, o->tz, a, &a) == 0;
		else
			hb = co_cron_next(&o->start, o->tz, b, &b) == 0;
	}
	return 0;
}
