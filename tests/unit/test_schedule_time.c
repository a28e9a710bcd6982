/* Time zones (TZif reader, POSIX footer), civil dates and EventBridge cron
 * fire times, with daylight saving changes in Europe/Berlin and
 * America/New_York. Expected instants are written out by hand from the
 * published 2026 transition dates: Berlin 2026-03-29 01:00Z and 2026-10-25
 * 01:00Z, New York 2026-03-08 07:00Z and 2026-11-01 06:00Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/cron.h"
#include "util/offhours.h"
#include "util/tz.h"

static int64_t at(const char *rfc3339)
{
	int64_t t;
	assert_int_equal(co_parse_rfc3339(rfc3339, &t), 0);
	return t;
}

static co_tz *zone(const char *name)
{
	co_tz *tz = NULL;
	char err[256] = "";
	if (co_tz_load(&tz, name, err, sizeof(err)) < 0)
		fail_msg("loading %s: %s", name, err);
	return tz;
}

static const char *fmt(char *buf, size_t cap, const co_tz *tz, int64_t t)
{
	assert_int_equal(co_format_rfc3339(buf, cap, t, co_tz_offset(tz, t)), 0);
	return buf;
}

/* Checks the successive fires of expr after `from` against want[]. */
static void expect_fires(const char *tzname, const char *expr,
    const char *from, const char *const *want, size_t n)
{
	co_tz *tz = zone(tzname);
	co_cron c;
	char err[256] = "";
	if (co_cron_parse(&c, expr, err, sizeof(err)) < 0)
		fail_msg("%s: %s", expr, err);
	int64_t t = at(from);
	for (size_t i = 0; i < n; i++) {
		int64_t next;
		char got[64];
		assert_int_equal(co_cron_next(&c, tz, t, &next), 0);
		fmt(got, sizeof(got), tz, next);
		if (strcmp(got, want[i]) != 0)
			fail_msg("%s in %s, fire %zu after %s: got %s, want %s",
			    expr, tzname, i, from, got, want[i]);
		t = next;
	}
	co_tz_free(tz);
}

static void test_civil(void **state)
{
	(void)state;
	assert_int_equal(co_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(co_days_from_civil(2026, 3, 25), 20537);
	int64_t y;
	unsigned m, d;
	co_civil_from_days(20537, &y, &m, &d);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 3);
	assert_int_equal(d, 25);
	assert_int_equal(co_weekday_from_days(0), 4); /* Thursday */
	assert_int_equal(co_weekday_from_days(20537), 3); /* Wednesday */
	assert_int_equal(co_days_in_month(2028, 2), 29);
	assert_int_equal(co_days_in_month(2100, 2), 28);
	int64_t days;
	assert_int_equal(co_parse_date("2026-12-25", &days), 0);
	assert_int_equal(co_parse_date("2026-02-29", &days), -1);
	assert_int_equal(co_parse_date("2026-13-01", &days), -1);
	assert_int_equal(co_parse_date("2026-1-01", &days), -1);
	assert_int_equal(co_parse_date("26-01-01x", &days), -1);
	int64_t t;
	assert_int_equal(co_parse_rfc3339("2026-03-25T12:00:00Z", &t), 0);
	assert_int_equal(t, 20537LL * 86400 + 12 * 3600);
	assert_int_equal(co_parse_rfc3339("2026-03-25T13:00:00+01:00", &t), 0);
	assert_int_equal(t, 20537LL * 86400 + 12 * 3600);
	assert_int_equal(co_parse_rfc3339("2026-03-25 12:00:00Z", &t), -1);
	assert_int_equal(co_parse_rfc3339("2026-03-25T12:00:00", &t), -1);
	char buf[64];
	assert_int_equal(co_format_rfc3339(buf, sizeof(buf), t, -4 * 3600), 0);
	assert_string_equal(buf, "2026-03-25T08:00:00-04:00");
	assert_int_equal(co_format_rfc3339(buf, sizeof(buf), t, 5 * 3600 + 1800), 0);
	assert_string_equal(buf, "2026-03-25T17:30:00+05:30");
}

static void test_zone_names(void **state)
{
	(void)state;
	assert_true(co_tz_name_valid("Europe/Berlin"));
	assert_true(co_tz_name_valid("America/Argentina/Buenos_Aires"));
	assert_true(co_tz_name_valid("Etc/GMT+5"));
	assert_true(co_tz_name_valid("UTC"));
	assert_false(co_tz_name_valid(""));
	assert_false(co_tz_name_valid("../../etc/passwd"));
	assert_false(co_tz_name_valid("Europe/../../etc/shadow"));
	assert_false(co_tz_name_valid("/etc/localtime"));
	assert_false(co_tz_name_valid("Europe//Berlin"));
	assert_false(co_tz_name_valid("Europe/Berlin/"));
	assert_false(co_tz_name_valid("Europe/Ber lin"));
	co_tz *tz = NULL;
	char err[256] = "";
	assert_int_equal(co_tz_load(&tz, "Mars/Olympus", err, sizeof(err)), -1);
	assert_null(tz);
	assert_non_null(strstr(err, "Mars/Olympus"));
	assert_int_equal(co_tz_load(&tz, "../../etc/passwd", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an IANA"));
	/* A directory is not a zone. */
	assert_int_equal(co_tz_load(&tz, "Europe", err, sizeof(err)), -1);
	assert_null(tz);
}

static void test_offsets(void **state)
{
	(void)state;
	co_tz *berlin = zone("Europe/Berlin");
	assert_int_equal(co_tz_offset(berlin, at("2026-03-29T00:59:59Z")), 3600);
	assert_int_equal(co_tz_offset(berlin, at("2026-03-29T01:00:00Z")), 7200);
	assert_int_equal(co_tz_offset(berlin, at("2026-10-25T00:59:59Z")), 7200);
	assert_int_equal(co_tz_offset(berlin, at("2026-10-25T01:00:00Z")), 3600);
	/* Past the 2037 end of the transition table: the footer rule. */
	assert_int_equal(co_tz_offset(berlin, at("2150-07-01T00:00:00Z")), 7200);
	assert_int_equal(co_tz_offset(berlin, at("2150-01-01T00:00:00Z")), 3600);
	int64_t u;
	/* 02:30 on 29 March does not exist in Berlin. */
	assert_int_equal(co_tz_local_to_utc(berlin, at("2026-03-29T02:30:00Z"), &u), -1);
	/* 02:30 on 25 October happens twice: the first one wins. */
	assert_int_equal(co_tz_local_to_utc(berlin, at("2026-10-25T02:30:00Z"), &u), 1);
	assert_int_equal(u, at("2026-10-25T00:30:00Z"));
	assert_int_equal(co_tz_local_to_utc(berlin, at("2026-07-01T12:00:00Z"), &u), 0);
	assert_int_equal(u, at("2026-07-01T10:00:00Z"));
	co_tz_free(berlin);
	co_tz *ny = zone("America/New_York");
	assert_int_equal(co_tz_offset(ny, at("2026-03-08T06:59:59Z")), -5 * 3600);
	assert_int_equal(co_tz_offset(ny, at("2026-03-08T07:00:00Z")), -4 * 3600);
	assert_int_equal(co_tz_offset(ny, at("2026-11-01T06:00:00Z")), -5 * 3600);
	co_tz_free(ny);
	co_tz *utc = zone("UTC");
	assert_int_equal(co_tz_offset(utc, at("2026-07-01T00:00:00Z")), 0);
	co_tz_free(utc);
}

/* A v2 TZif image with no transitions, only the footer: what "slim" zone
 * files look like past their last listed change. */
static void test_footer_only(void **state)
{
	(void)state;
	unsigned char img[200];
	memset(img, 0, sizeof(img));
	size_t n = 0;
	/* v1 header: one type, 4 abbreviation bytes. */
	memcpy(img, "TZif2", 5);
	img[39] = 1; /* typecnt */
	img[43] = 4; /* charcnt */
	n = 44;
	n += 6 + 4; /* one ttinfo + "CET\0" */
	memcpy(img + n, "TZif2", 5);
	img[n + 39] = 1;
	img[n + 43] = 4;
	n += 44;
	img[n + 3] = 0x0e; /* utoff 3600 */
	img[n + 4] = 0x10;
	n += 6;
	memcpy(img + n, "CET", 4);
	n += 4;
	const char *footer = "\nCET-1CEST,M3.5.0,M10.5.0/3\n";
	memcpy(img + n, footer, strlen(footer));
	n += strlen(footer);
	co_tz *tz = NULL;
	char err[128] = "";
	assert_int_equal(co_tz_parse(&tz, img, n, err, sizeof(err)), 0);
	assert_int_equal(co_tz_offset(tz, at("2026-03-29T00:59:59Z")), 3600);
	assert_int_equal(co_tz_offset(tz, at("2026-03-29T01:00:00Z")), 7200);
	assert_int_equal(co_tz_offset(tz, at("2026-10-25T00:59:59Z")), 7200);
	assert_int_equal(co_tz_offset(tz, at("2026-10-25T01:00:00Z")), 3600);
	co_tz_free(tz);
	/* Truncated or garbage images are refused, not read past. */
	for (size_t cut = 0; cut < n - strlen(footer); cut += 7) {
		tz = NULL;
		assert_int_equal(co_tz_parse(&tz, img, cut, err, sizeof(err)), -1);
		assert_null(tz);
	}
	img[0] = 'X';
	assert_int_equal(co_tz_parse(&tz, img, n, err, sizeof(err)), -1);
}

/* The proof the issue asks for: fixed "now", a week with a DST change. */
static void test_berlin_spring_week(void **state)
{
	(void)state;
	static const char *const stops[] = {"2026-03-25T19:00:00+01:00",
	    "2026-03-26T19:00:00+01:00", "2026-03-27T19:00:00+01:00",
	    "2026-03-28T19:00:00+01:00", "2026-03-29T19:00:00+02:00",
	    "2026-03-30T19:00:00+02:00"};
	expect_fires("Europe/Berlin", "cron(0 19 * * ? *)",
	    "2026-03-25T12:00:00Z", stops, 6);
	static const char *const starts[] = {"2026-03-26T07:00:00+01:00",
	    "2026-03-27T07:00:00+01:00", "2026-03-30T07:00:00+02:00"};
	expect_fires("Europe/Berlin", "cron(0 7 ? * MON-FRI *)",
	    "2026-03-25T12:00:00Z", starts, 3);
	/* A wall time skipped by the change does not fire that day. */
	static const char *const gap[] = {"2026-03-28T02:30:00+01:00",
	    "2026-03-30T02:30:00+02:00"};
	expect_fires("Europe/Berlin", "cron(30 2 * * ? *)",
	    "2026-03-27T12:00:00Z", gap, 2);
}

static void test_berlin_autumn_once(void **state)
{
	(void)state;
	/* 02:30 happens twice on 25 October; Scheduler fires once. */
	static const char *const want[] = {"2026-10-25T02:30:00+02:00",
	    "2026-10-26T02:30:00+01:00"};
	expect_fires("Europe/Berlin", "cron(30 2 * * ? *)",
	    "2026-10-24T12:00:00Z", want, 2);
	static const char *const quarter[] = {"2026-10-25T02:45:00+02:00",
	    "2026-10-25T03:00:00+01:00"};
	expect_fires("Europe/Berlin", "cron(0/15 * * * ? *)",
	    "2026-10-25T00:35:00Z", quarter, 2);
}

static void test_new_york_weekdays(void **state)
{
	(void)state;
	static const char *const stops[] = {"2026-03-05T19:00:00-05:00",
	    "2026-03-06T19:00:00-05:00", "2026-03-09T19:00:00-04:00"};
	expect_fires("America/New_York", "cron(0 19 ? * MON-FRI *)",
	    "2026-03-05T12:00:00Z", stops, 3);
	static const char *const fall[] = {"2026-10-30T07:00:00-04:00",
	    "2026-11-02T07:00:00-05:00"};
	expect_fires("America/New_York", "cron(0 7 ? * 2-6 *)",
	    "2026-10-29T12:00:00Z", fall, 2);
}

static void test_special_days(void **state)
{
	(void)state;
	static const char *const last[] = {"2028-02-29T12:00:00+00:00",
	    "2028-03-31T12:00:00+00:00"};
	expect_fires("UTC", "cron(0 12 L * ? *)", "2028-02-01T00:00:00Z", last, 2);
	/* 15 August 2026 is a Saturday: the nearest weekday is Friday 14. */
	static const char *const w[] = {"2026-08-14T12:00:00+00:00"};
	expect_fires("UTC", "cron(0 12 15W * ? *)", "2026-08-01T00:00:00Z", w, 1);
	/* 1 August 2026 is a Saturday: 1W is Monday 3 (stays in month). */
	static const char *const w1[] = {"2026-08-03T12:00:00+00:00"};
	expect_fires("UTC", "cron(0 12 1W * ? *)", "2026-07-31T13:00:00Z", w1, 1);
	static const char *const lw[] = {"2026-05-29T12:00:00+00:00"};
	expect_fires("UTC", "cron(0 12 LW * ? *)", "2026-05-01T00:00:00Z", lw, 1);
	static const char *const third_fri[] = {"2026-03-20T12:00:00+00:00",
	    "2026-04-17T12:00:00+00:00"};
	expect_fires("UTC", "cron(0 12 ? * 6#3 *)", "2026-03-01T00:00:00Z",
	    third_fri, 2);
	static const char *const last_mon[] = {"2026-03-30T12:00:00+00:00"};
	expect_fires("UTC", "cron(0 12 ? * 2L *)", "2026-03-01T00:00:00Z",
	    last_mon, 1);
	static const char *const sat[] = {"2026-03-07T12:00:00+00:00"};
	expect_fires("UTC", "cron(0 12 ? * L *)", "2026-03-02T00:00:00Z", sat, 1);
	static const char *const wrap[] = {"2026-03-06T22:00:00+00:00",
	    "2026-03-09T22:00:00+00:00"};
	expect_fires("UTC", "cron(0 22 ? * FRI-MON 2026)", "2026-03-04T00:00:00Z",
	    wrap, 1);
	static const char *const steps[] = {"2026-01-01T00:05:00+00:00",
	    "2026-01-01T00:25:00+00:00", "2026-01-01T00:45:00+00:00",
	    "2026-01-01T01:05:00+00:00"};
	expect_fires("UTC", "cron(5/20 * * JAN ? 2026)", "2025-12-31T23:59:00Z",
	    steps, 4);
	/* A year range that has ended never fires again. */
	co_cron c;
	co_tz *utc = zone("UTC");
	int64_t next;
	assert_int_equal(co_cron_parse(&c, "cron(0 12 * * ? 2020)", NULL, 0), 0);
	assert_int_equal(co_cron_next(&c, utc, at("2026-01-01T00:00:00Z"), &next), -1);
	co_tz_free(utc);
}

static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *expr, *needle;
	} bad[] = {
	    {"0 19 * * ? *", "not a cron expression"},
	    {"cron(0 19 * * ?)", "exactly 6 fields"},
	    {"cron(0 19 * * ? * *)", "exactly 6 fields"},
	    {"cron(60 19 * * ? *)", "minutes"},
	    {"cron(0 24 * * ? *)", "hours"},
	    {"cron(0 19 32 * ? *)", "day-of-month"},
	    {"cron(0 19 * 13 ? *)", "month"},
	    {"cron(0 19 ? * 8 *)", "day-of-week"},
	    {"cron(0 19 ? * MON-FRX *)", "day-of-week"},
	    {"cron(0 19 * * * *)", "cannot both be specified"},
	    {"cron(0 19 ? * ? *)", "cannot both be ?"},
	    {"cron(0 19 1 * MON *)", "cannot both be specified"},
	    {"cron(? 19 1 * ? *)", "only allowed"},
	    {"cron(0 19 ? * 2#6 *)", "d#n"},
	    {"cron(0 19 ? * 9L *)", "dL"},
	    {"cron(0 19 40W * ? *)", "nW"},
	    {"cron(0/0 19 * * ? *)", "minutes"},
	    {"cron(0 19 * * ? 1969)", "year"},
	    {"cron(a 19 * * ? *)", "minutes"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		co_cron c;
		char err[256] = "";
		if (co_cron_parse(&c, bad[i].expr, err, sizeof(err)) == 0)
			fail_msg("accepted %s", bad[i].expr);
		if (!strstr(err, bad[i].needle))
			fail_msg("%s: \"%s\" does not mention %s", bad[i].expr,
			    err, bad[i].needle);
	}
	co_cron c;
	assert_int_equal(co_cron_parse(&c, "cron(0 19 ? * mon-fri *)", NULL, 0), 0);
	assert_int_equal(co_cron_parse(&c, "cron(0,30 7-9 ? JAN-MAR,OCT * 2026-2030)", NULL, 0), 0);
}

static void offhours_init(co_offhours *o, co_tz *tz, const char *stop,
    const char *start, const int64_t *holidays, size_t n)
{
	memset(o, 0, sizeof(*o));
	o->tz = tz;
	assert_int_equal(co_cron_parse(&o->stop, stop, NULL, 0), 0);
	assert_int_equal(co_cron_parse(&o->start, start, NULL, 0), 0);
	o->holidays = holidays;
	o->n_holidays = n;
}

static int64_t day_of(const char *date)
{
	int64_t d;
	assert_int_equal(co_parse_date(date, &d), 0);
	return d;
}

static void expect_time(const co_tz *tz, int rc, int64_t t, const char *want)
{
	char got[64];
	assert_int_equal(rc, 0);
	fmt(got, sizeof(got), tz, t);
	if (strcmp(got, want) != 0)
		fail_msg("got %s, want %s", got, want);
}

/* The seed (19:00/07:00 UTC): 84 h a week; weekdays only in Berlin across
 * the spring change: still 12 h a day, 60 h. */
static void test_running_hours(void **state)
{
	(void)state;
	co_tz *utc = zone("UTC");
	co_offhours o;
	offhours_init(&o, utc, "cron(0 19 * * ? *)", "cron(0 7 * * ? *)", NULL, 0);
	int64_t now = at("2026-03-25T12:00:00Z");
	assert_true(co_offhours_running_at(&o, now));
	assert_false(co_offhours_running_at(&o, at("2026-03-25T20:00:00Z")));
	assert_int_equal(co_offhours_running_seconds(&o, now, now + 7 * 86400),
	    84 * 3600);
	co_tz_free(utc);
	co_tz *berlin = zone("Europe/Berlin");
	offhours_init(&o, berlin, "cron(0 19 ? * MON-FRI *)",
	    "cron(0 7 ? * MON-FRI *)", NULL, 0);
	/* Seven local days: the week of the change has 167 hours. */
	int64_t end;
	assert_int_equal(co_tz_local_to_utc(berlin,
			     now + co_tz_offset(berlin, now) + 7 * 86400, &end), 0);
	assert_int_equal(end - now, 167 * 3600);
	assert_int_equal(co_offhours_running_seconds(&o, now, end), 60 * 3600);
	int64_t t;
	{
		int rc_ = co_offhours_next_stop(&o, now, &t);
		expect_time(berlin, rc_, t, "2026-03-25T19:00:00+01:00");
	}
	{
		int rc_ = co_offhours_next_start(&o, at("2026-03-27T19:00:00Z"), &t);
		expect_time(berlin, rc_, t, "2026-03-30T07:00:00+02:00");
	}
	co_tz_free(berlin);
}

/* Holidays: no start on them; consecutive ones merge into one window
 * between local midnights; an overnight schedule gets a stop at the
 * holiday's first midnight, a daytime one does not need it. */
static void test_holidays(void **state)
{
	(void)state;
	co_tz *ny = zone("America/New_York");
	const int64_t hol[] = {day_of("2026-03-09"), day_of("2026-03-10"),
	    day_of("2026-03-20")};
	co_offhours o;
	offhours_init(&o, ny, "cron(0 19 ? * MON-FRI *)",
	    "cron(0 7 ? * MON-FRI *)", hol, 3);
	int64_t now = at("2026-03-06T12:00:00Z"), t;
	{
		int rc_ = co_offhours_next_start(&o, at("2026-03-06T23:59:00Z"), &t);
		expect_time(ny, rc_, t, "2026-03-11T07:00:00-04:00");
	}
	co_holiday_window w[4];
	assert_int_equal(co_offhours_windows(&o, now, w, 4), 2);
	expect_time(ny, 0, w[0].start, "2026-03-09T00:00:00-04:00");
	expect_time(ny, 0, w[0].end, "2026-03-11T00:00:00-04:00");
	/* Daytime schedule: stopped at midnight, no extra stop. */
	assert_false(co_offhours_running_at(&o, w[0].start - 1));
	{
		int rc_ = co_offhours_next_stop(&o, at("2026-03-07T00:30:00Z"), &t);
		expect_time(ny, rc_, t, "2026-03-09T19:00:00-04:00");
	}
	/* A window already over is dropped; one under way is kept. */
	assert_int_equal(co_offhours_windows(&o, at("2026-03-10T12:00:00Z"), w, 4), 2);
	assert_int_equal(co_offhours_windows(&o, at("2026-03-11T12:00:00Z"), w, 4), 1);
	/* Overnight schedule (start 19:00, stop 07:00): running at the
	 * holiday's midnight, so the next stop is that midnight. */
	offhours_init(&o, ny, "cron(0 7 * * ? *)", "cron(0 19 * * ? *)", hol, 3);
	assert_true(co_offhours_running_at(&o, w[0].start - 1));
	{
		int rc_ = co_offhours_next_stop(&o, at("2026-03-19T12:00:00Z"), &t);
		expect_time(ny, rc_, t, "2026-03-20T00:00:00-04:00");
	}
	assert_false(co_offhours_running_at(&o, at("2026-03-20T23:30:00Z")));
	{
		int rc_ = co_offhours_next_start(&o, at("2026-03-19T12:00:00Z"), &t);
		expect_time(ny, rc_, t, "2026-03-19T19:00:00-04:00");
	}
	{
		int rc_ = co_offhours_next_start(&o, at("2026-03-20T01:00:00Z"), &t);
		expect_time(ny, rc_, t, "2026-03-21T19:00:00-04:00");
	}
	co_tz_free(ny);
}

static void test_conflict(void **state)
{
	(void)state;
	co_tz *utc = zone("UTC");
	co_offhours o;
	int64_t t;
	offhours_init(&o, utc, "cron(0 19 ? * MON *)", "cron(0 19 1 * ? *)", NULL, 0);
	assert_int_equal(co_offhours_conflict(&o, at("2026-01-01T00:00:00Z"),
			     366 * 86400LL, &t), 1);
	expect_time(utc, 0, t, "2026-06-01T19:00:00+00:00"); /* a Monday */
	offhours_init(&o, utc, "cron(0 19 * * ? *)", "cron(0 7 * * ? *)", NULL, 0);
	assert_int_equal(co_offhours_conflict(&o, at("2026-01-01T00:00:00Z"),
			     366 * 86400LL, &t), 0);
	co_tz_free(utc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_civil),
	    cmocka_unit_test(test_zone_names),
	    cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_footer_only),
	    cmocka_unit_test(test_berlin_spring_week),
	    cmocka_unit_test(test_berlin_autumn_once),
	    cmocka_unit_test(test_new_york_weekdays),
	    cmocka_unit_test(test_special_days),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_running_hours),
	    cmocka_unit_test(test_holidays),
	    cmocka_unit_test(test_conflict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
