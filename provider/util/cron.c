/* EventBridge cron parsing and next-fire computation; see cron.h. Field
 * rules follow the EventBridge Scheduler user guide, "Cron expressions". */
#include "cron.h"
#include "buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[] = {"minutes", "hours",
    "day-of-month", "month", "day-of-week", "year"};
static const int field_min[] = {0, 0, 1, 1, 1, CO_CRON_YEAR_MIN};
static const int field_max[] = {59, 23, 31, 12, 7, CO_CRON_YEAR_MAX};
static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY",
    "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const dow_names[] = {"SUN", "MON", "TUE", "WED", "THU",
    "FRI", "SAT"};

/* A number or, in the month and day-of-week fields, a three-letter name. */
static int parse_value(int field, const char **pp, int *out)
{
	const char *p = *pp;
	if (isdigit((unsigned char)*p)) {
		long v = 0;
		int n = 0;
		while (isdigit((unsigned char)*p) && n < 5) {
			v = v * 10 + (*p++ - '0');
			n++;
		}
		if (isdigit((unsigned char)*p))
			return -1;
		*out = (int)v;
		*pp = p;
		return 0;
	}
	const char *const *names = field == 3 ? month_names
				  : field == 4 ? dow_names
					       : NULL;
	int count = field == 3 ? 12 : 7;
	if (!names || !isalpha((unsigned char)p[0]) ||
	    !isalpha((unsigned char)p[1]) || !isalpha((unsigned char)p[2]))
		return -1;
	for (int i = 0; i < count; i++)
		if (toupper((unsigned char)p[0]) == names[i][0] &&
		    toupper((unsigned char)p[1]) == names[i][1] &&
		    toupper((unsigned char)p[2]) == names[i][2]) {
			*out = i + 1;
			*pp = p + 3;
			return 0;
		}
	return -1;
}

static void set_bit(co_cron *c, int field, int v)
{
	switch (field) {
	case 0: c->minutes |= 1ULL << v; break;
	case 1: c->hours |= 1U << v; break;
	case 2: c->dom |= 1U << v; break;
	case 3: c->months |= (uint16_t)(1U << v); break;
	case 4: c->dow |= (uint8_t)(1U << v); break;
	default: {
		int b = v - CO_CRON_YEAR_MIN;
		c->years[b / 64] |= 1ULL << (b % 64);
	}
	}
}

/* Special day forms: L, LW, nW (day-of-month); L, nL, d#n (day-of-week).
 * 1 when the token was one of them, 0 when not, -1 when malformed. */
static int parse_special(co_cron *c, int field, const char *tok, char *err,
    size_t errcap)
{
	size_t n = strlen(tok);
	const char *fname = field_names[field];
	if (field == 2) {
		if (strcmp(tok, "L") == 0) {
			c->dom_last = true;
			return 1;
		}
		if (strcmp(tok, "LW") == 0) {
			c->dom_last_weekday = true;
			return 1;
		}
		if (n >= 2 && tok[n - 1] == 'W') {
			const char *p = tok;
			int v;
			if (parse_value(field, &p, &v) < 0 || *p != 'W' ||
			    v < 1 || v > 31) {
				co_set_err(err, errcap,
				    "%s: \"%s\" is not a weekday form; use nW "
				    "with n from 1 to 31 (e.g. 15W)",
				    fname, tok);
				return -1;
			}
			c->dom_weekday = v;
			return 1;
		}
		return 0;
	}
	if (field == 4) {
		if (strcmp(tok, "L") == 0) {
			c->dow |= 1U << 7; /* the last day of the week: SAT */
			return 1;
		}
		const char *hash = strchr(tok, '#');
		if (hash || (n >= 2 && (tok[n - 1] == 'L' || tok[n - 1] == 'l'))) {
			const char *p = tok;
			int d;
			if (parse_value(field, &p, &d) < 0 || d < 1 || d > 7)
				goto bad_dow;
			if (hash) {
				int k;
				if (p != hash)
					goto bad_dow;
				p++;
				if (parse_value(0, &p, &k) < 0 || *p || k < 1 ||
				    k > 5)
					goto bad_dow;
				c->dow_nth_day = d;
				c->dow_nth = k;
			} else {
				if (p[0] != 'L' && p[0] != 'l')
					goto bad_dow;
				if (p[1])
					goto bad_dow;
				c->dow_last = d;
			}
			return 1;
		bad_dow:
			co_set_err(err, errcap,
			    "%s: \"%s\" is malformed; use d#n (the n-th "
			    "weekday d, n from 1 to 5, e.g. 2#1 for the first "
			    "Monday) or dL (the last weekday d, e.g. 6L)",
			    fname, tok);
			return -1;
		}
	}
	return 0;
}

static int parse_field(co_cron *c, int field, char *text, char *err,
    size_t errcap)
{
	const char *fname = field_names[field];
	int lo = field_min[field], hi = field_max[field];
	if (strcmp(text, "?") == 0) {
		if (field != 2 && field != 4) {
			co_set_err(err, errcap,
			    "%s: '?' is only allowed in day-of-month and "
			    "day-of-week",
			    fname);
			return -1;
		}
		if (field == 2)
			c->dom_any = true;
		return 1; /* '?' */
	}
	int special = parse_special(c, field, text, err, errcap);
	if (special < 0)
		return -1;
	if (special > 0)
		return 0;
	char *save = NULL;
	for (char *tok = strtok_r(text, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		const char *p = tok;
		int a, b, step = 1;
		bool range = false;
		if (*p == '*') {
			a = lo;
			b = hi;
			p++;
		} else {
			if (parse_value(field, &p, &a) < 0)
				goto bad;
			b = a;
			if (*p == '-') {
				range = true;
				p++;
				if (parse_value(field, &p, &b) < 0)
					goto bad;
			}
		}
		if (*p == '/') {
			p++;
			if (parse_value(0, &p, &step) < 0 || step < 1)
				goto bad;
			if (!range && tok[0] != '*')
				b = hi; /* "5/15": from 5 to the end */
		}
		if (*p)
			goto bad;
		if (a < lo || a > hi || b < lo || b > hi) {
			co_set_err(err, errcap,
			    "%s: \"%s\" is out of range; values go from %d to "
			    "%d",
			    fname, tok, lo, hi);
			return -1;
		}
		/* A range may wrap around (FRI-MON, 22-2). */
		int span = b >= a ? b - a : b + (hi - lo + 1) - a;
		for (int i = 0; i <= span; i += step) {
			int v = a + i;
			if (v > hi)
				v -= hi - lo + 1;
			set_bit(c, field, v);
		}
	}
	return 0;
bad:
	co_set_err(err, errcap,
	    "%s: \"%s\" is malformed; use *, a value, a range a-b, a list "
	    "a,b or a step a/n%s",
	    fname, text,
	    field == 2   ? " (or ?, L, LW, nW)"
	    : field == 4 ? " (or ?, L, dL, d#n; names SUN-SAT)"
	    : field == 3 ? " (names JAN-DEC)"
			 : "");
	return -1;
}

int co_cron_parse(co_cron *out, const char *expr, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	size_t n = expr ? strlen(expr) : 0;
	if (n < 7 || n > 256 || strncmp(expr, "cron(", 5) != 0 ||
	    expr[n - 1] != ')') {
		co_set_err(err, errcap,
		    "\"%s\" is not a cron expression; write cron(minutes hours "
		    "day-of-month month day-of-week year), e.g. "
		    "cron(0 19 ? * MON-FRI *)",
		    expr ? expr : "");
		return -1;
	}
	char body[260];
	memcpy(body, expr + 5, n - 6);
	body[n - 6] = 0;
	char *fields[7];
	int nf = 0;
	char *save = NULL;
	for (char *t = strtok_r(body, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (nf == 7)
			break;
		fields[nf++] = t;
	}
	if (nf != 6) {
		co_set_err(err, errcap,
		    "EventBridge cron expressions have exactly 6 fields "
		    "(minutes hours day-of-month month day-of-week year); "
		    "\"%s\" has %d%s",
		    expr, nf, nf == 7 ? " or more" : "");
		return -1;
	}
	int q[6];
	for (int i = 0; i < 6; i++)
		if ((q[i] = parse_field(out, i, fields[i], err, errcap)) < 0)
			return -1;
	/* "You can't specify the Day-of-month and Day-of-week fields in the
	 * same cron expression": exactly one of them is '?'. */
	if ((q[2] == 1) == (q[4] == 1)) {
		co_set_err(err, errcap,
		    "day-of-month and day-of-week cannot both be %s: exactly "
		    "one of them must be ? (e.g. cron(0 19 ? * MON-FRI *) or "
		    "cron(0 19 1 * ? *))",
		    q[2] == 1 ? "?" : "specified");
		return -1;
	}
	return 0;
}

/* The weekday (Mon-Fri) nearest to day n of the month, not leaving it. */
static unsigned nearest_weekday(int64_t y, unsigned m, unsigned n)
{
	unsigned last = co_days_in_month(y, m);
	if (n > last)
		n = last;
	unsigned wd = co_weekday_from_days(co_days_from_civil(y, m, n));
	if (wd == 6) /* Saturday: Friday, or Monday when n is the 1st */
		return n == 1 ? n + 2 : n - 1;
	if (wd == 0) /* Sunday: Monday, or Friday when n is the last day */
		return n == last ? n - 2 : n + 1;
	return n;
}

bool co_cron_day_matches(const co_cron *c, int64_t y, unsigned m, unsigned d)
{
	if (y < CO_CRON_YEAR_MIN || y > CO_CRON_YEAR_MAX)
		return false;
	int b = (int)(y - CO_CRON_YEAR_MIN);
	if (!(c->years[b / 64] & (1ULL << (b % 64))) ||
	    !(c->months & (1U << m)))
		return false;
	unsigned last = co_days_in_month(y, m);
	if (!c->dom_any) {
		if (c->dom_last)
			return d == last;
		if (c->dom_last_weekday)
			return d == nearest_weekday(y, m, last);
		if (c->dom_weekday)
			return d == nearest_weekday(y, m,
					(unsigned)c->dom_weekday);
		return d <= last && (c->dom & (1U << d));
	}
	unsigned wd = co_weekday_from_days(co_days_from_civil(y, m, d)) + 1;
	if (c->dow_last)
		return wd == (unsigned)c->dow_last && d + 7 > last;
	if (c->dow_nth)
		return wd == (unsigned)c->dow_nth_day &&
		       (d - 1) / 7 + 1 == (unsigned)c->dow_nth;
	return (c->dow & (1U << wd)) != 0;
}

int co_cron_next(const co_cron *c, const co_tz *tz, int64_t after,
    int64_t *next)
{
	/* Start a day early: the local date of `after` may be behind or
	 * ahead of its UTC date. */
	int64_t local_after = after + co_tz_offset(tz, after);
	int64_t day = (local_after >= 0 ? local_after : local_after - 86399) /
			  86400 -
		      1;
	int64_t end_day = co_days_from_civil(CO_CRON_YEAR_MAX, 12, 31);
	while (day <= end_day) {
		int64_t y;
		unsigned m, d;
		co_civil_from_days(day, &y, &m, &d);
		int b = (int)(y - CO_CRON_YEAR_MIN);
		if (y < CO_CRON_YEAR_MIN) {
			day = co_days_from_civil(CO_CRON_YEAR_MIN, 1, 1);
			continue;
		}
		if (!(c->years[b / 64] & (1ULL << (b % 64)))) {
			day = co_days_from_civil(y + 1, 1, 1);
			continue;
		}
		if (!(c->months & (1U << m))) {
			day = m == 12 ? co_days_from_civil(y + 1, 1, 1)
				      : co_days_from_civil(y, m + 1, 1);
			continue;
		}
		if (co_cron_day_matches(c, y, m, d)) {
			for (int h = 0; h < 24; h++) {
				if (!(c->hours & (1U << h)))
					continue;
				/* Skip whole hours well before `after`. */
				int64_t hour_local = day * 86400 + h * 3600;
				if (hour_local + 4 * 3600 < local_after)
					continue;
				for (int mi = 0; mi < 60; mi++) {
					if (!(c->minutes & (1ULL << mi)))
						continue;
					int64_t u;
					if (co_tz_local_to_utc(tz,
						hour_local + mi * 60, &u) < 0)
						continue; /* skipped in spring */
					if (u > after) {
						*next = u;
						return 0;
					}
				}
			}
		}
		day++;
	}
	return -1;
}
