/* TZif reader and civil calendar; see tz.h. The format is RFC 8536. */
#include "tz.h"
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Caps on input-grown data: real zone files have under 300 transitions and
 * 20 types, and weigh a few KiB. */
#define TZ_MAX_FILE (256 * 1024)
#define TZ_MAX_TIMES 4000
#define TZ_MAX_TYPES 256
#define TZ_MAX_CHARS 1024

/* One POSIX TZ rule date: Jn (1-365, no Feb 29), n (0-365) or Mm.w.d. */
typedef struct tz_rule {
	char kind; /* 'J', 'N' or 'M' */
	int day, week, month;
	int32_t secs; /* local time of day of the change; may be < 0 or > 24h */
} tz_rule;

struct co_tz {
	size_t n_times;
	int64_t *times;
	uint8_t *idx;
	size_t n_types;
	int32_t offsets[TZ_MAX_TYPES];
	/* Footer (POSIX TZ string) for instants after the last transition. */
	bool has_footer, footer_dst;
	int32_t std_off, dst_off; /* seconds east */
	tz_rule start, end;
};

/* ---- civil calendar ---------------------------------------------------------- */

int64_t co_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void co_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

unsigned co_weekday_from_days(int64_t days)
{
	return (unsigned)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned co_days_in_month(int64_t y, unsigned m)
{
	static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int co_parse_date(const char *s, int64_t *days)
{
	int y, m, d;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    digits(s, 4, &y) < 0 || digits(s + 5, 2, &m) < 0 ||
	    digits(s + 8, 2, &d) < 0)
		return -1;
	if (m < 1 || m > 12 || d < 1 || (unsigned)d > co_days_in_month(y, (unsigned)m))
		return -1;
	*days = co_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

int co_parse_rfc3339(const char *s, int64_t *utc)
{
	int64_t days;
	int hh, mm, ss;
	char date[11];
	if (!s || strlen(s) < 20 || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	memcpy(date, s, 10);
	date[10] = 0;
	if (co_parse_date(date, &days) < 0 || digits(s + 11, 2, &hh) < 0 ||
	    digits(s + 14, 2, &mm) < 0 || digits(s + 17, 2, &ss) < 0 ||
	    hh > 23 || mm > 59 || ss > 60)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (strlen(p) != 6 || p[3] != ':' || digits(p + 1, 2, &oh) < 0 ||
		    digits(p + 4, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
		off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*utc = days * 86400 + hh * 3600 + mm * 60 + ss - off;
	return 0;
}

int co_format_rfc3339(char *out, size_t cap, int64_t t, int32_t offset)
{
	int64_t local = t + offset;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int64_t secs = local - days * 86400;
	int64_t y;
	unsigned m, d;
	co_civil_from_days(days, &y, &m, &d);
	int32_t a = offset < 0 ? -offset : offset;
	int n = snprintf(out, cap,
	    "%04lld-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", (long long)y, m, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
	    offset < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* ---- names -------------------------------------------------------------------- */

bool co_tz_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 64 || name[0] == '/' || name[n - 1] == '/')
		return false;
	const char *part = name;
	for (const char *p = name;; p++) {
		if (*p == '/' || *p == 0) {
			size_t len = (size_t)(p - part);
			if (len == 0 || (len == 1 && part[0] == '.') ||
			    (len == 2 && part[0] == '.' && part[1] == '.'))
				return false;
			if (*p == 0)
				break;
			part = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			*p == '+' || *p == '.'))
			return false;
	}
	return true;
}

/* ---- the POSIX TZ footer ----------------------------------------------------------- */

static const char *tz_name_end(const char *p)
{
	if (*p == '<') {
		const char *e = strchr(p, '>');
		return e ? e + 1 : NULL;
	}
	const char *s = p;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 extension for rule times). */
static const char *tz_hms(const char *p, int32_t *out)
{
	int sign = 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	long v[3] = {0, 0, 0};
	for (int i = 0; i < 3; i++) {
		if (i && *p != ':')
			break;
		if (i)
			p++;
		char *end;
		errno = 0;
		v[i] = strtol(p, &end, 10);
		if (end == p || end - p > 3 || v[i] < 0 || errno)
			return NULL;
		p = end;
	}
	if (v[0] > 167 || v[1] > 59 || v[2] > 59)
		return NULL;
	*out = (int32_t)(sign * (v[0] * 3600 + v[1] * 60 + v[2]));
	return p;
}

static const char *tz_rule_parse(const char *p, tz_rule *r)
{
	char *end;
	r->secs = 7200; /* POSIX default: 02:00 */
	if (*p == 'M') {
		r->kind = 'M';
		r->month = (int)strtol(p + 1, &end, 10);
		if (*end != '.')
			return NULL;
		r->week = (int)strtol(end + 1, &end, 10);
		if (*end != '.')
			return NULL;
		r->day = (int)strtol(end + 1, &end, 10);
		if (r->month < 1 || r->month > 12 || r->week < 1 ||
		    r->week > 5 || r->day < 0 || r->day > 6)
			return NULL;
	} else if (*p == 'J') {
		r->kind = 'J';
		r->day = (int)strtol(p + 1, &end, 10);
		if (end == p + 1 || r->day < 1 || r->day > 365)
			return NULL;
	} else if (*p >= '0' && *p <= '9') {
		r->kind = 'N';
		r->day = (int)strtol(p, &end, 10);
		if (r->day > 365)
			return NULL;
	} else {
		return NULL;
	}
	p = end;
	if (*p == '/' && !(p = tz_hms(p + 1, &r->secs)))
		return NULL;
	return p;
}

static int tz_footer_parse(co_tz *tz, const char *s)
{
	const char *p = tz_name_end(s);
	int32_t posix;
	if (!p || !(p = tz_hms(p, &posix)))
		return -1;
	tz->std_off = -posix; /* POSIX offsets count west */
	tz->dst_off = tz->std_off;
	tz->has_footer = true;
	if (!*p)
		return 0;
	if (!(p = tz_name_end(p)))
		return -1;
	tz->footer_dst = true;
	tz->dst_off = tz->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = tz_hms(p, &posix)))
			return -1;
		tz->dst_off = -posix;
	}
	if (*p != ',' || !(p = tz_rule_parse(p + 1, &tz->start)) || *p != ',' ||
	    !(p = tz_rule_parse(p + 1, &tz->end)) || *p)
		return -1;
	return 0;
}

/* Local seconds since the epoch at which rule r takes effect in year y. */
static int64_t tz_rule_local(const tz_rule *r, int64_t y)
{
	int64_t day;
	if (r->kind == 'J') {
		int d = r->day - 1;
		if (is_leap(y) && r->day >= 60)
			d++;
		day = co_days_from_civil(y, 1, 1) + d;
	} else if (r->kind == 'N') {
		day = co_days_from_civil(y, 1, 1) + r->day;
	} else {
		int64_t first = co_days_from_civil(y, (unsigned)r->month, 1);
		unsigned wd = co_weekday_from_days(first);
		int64_t d = first + ((unsigned)r->day + 7 - wd) % 7 +
			    (int64_t)(r->week - 1) * 7;
		int64_t last =
		    first + co_days_in_month(y, (unsigned)r->month) - 1;
		while (d > last)
			d -= 7;
		day = d;
	}
	return day * 86400 + r->secs;
}

static int32_t tz_footer_offset(const co_tz *tz, int64_t t)
{
	if (!tz->footer_dst)
		return tz->std_off;
	int64_t days = (t + tz->std_off) / 86400;
	int64_t y;
	unsigned m, d;
	co_civil_from_days(days, &y, &m, &d);
	/* The start is given in standard time, the end in daylight time. */
	int64_t start = tz_rule_local(&tz->start, y) - tz->std_off;
	int64_t end = tz_rule_local(&tz->end, y) - tz->dst_off;
	bool dst = start < end ? (t >= start && t < end)
			       : !(t >= end && t < start);
	return dst ? tz->dst_off : tz->std_off;
}

/* ---- TZif --------------------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_header {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int tzif_header(const unsigned char *p, size_t len,
    struct tzif_header *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	h->version = (char)p[4];
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->typecnt == 0 || h->typecnt > TZ_MAX_TYPES ||
	    h->timecnt > TZ_MAX_TIMES || h->charcnt > TZ_MAX_CHARS ||
	    h->leapcnt > 100 || h->isutcnt > TZ_MAX_TYPES ||
	    h->isstdcnt > TZ_MAX_TYPES)
		return -1;
	return 0;
}

static size_t tzif_block_len(const struct tzif_header *h, size_t tsize)
{
	return h->timecnt * tsize + h->timecnt + h->typecnt * 6 + h->charcnt +
	       h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

int co_tz_parse(co_tz **out, const unsigned char *data, size_t len, char *err,
    size_t errcap)
{
	int rc = -1;
	co_tz *tz = NULL;
	struct tzif_header h;
	size_t tsize = 4;
	*out = NULL;
	if (len > TZ_MAX_FILE || tzif_header(data, len, &h) < 0)
		goto bad;
	const unsigned char *p = data + 44;
	size_t left = len - 44;
	size_t blen = tzif_block_len(&h, 4);
	if (blen > left)
		goto bad;
	if (h.version >= '2') {
		/* Skip the 32-bit block; the 64-bit one follows. */
		p += blen;
		left -= blen;
		if (tzif_header(p, left, &h) < 0)
			goto bad;
		p += 44;
		left -= 44;
		tsize = 8;
		blen = tzif_block_len(&h, 8);
		if (blen > left)
			goto bad;
	}
	if (h.leapcnt) {
		co_set_err(err, errcap, "zone files with leap seconds (\"right/\" "
				     "zones) are not civil time; use the zone "
				     "without the prefix");
		goto fail;
	}
	tz = calloc(1, sizeof(*tz));
	if (!tz)
		goto fail;
	tz->n_times = h.timecnt;
	tz->times = calloc(h.timecnt + 1, sizeof(*tz->times));
	tz->idx = calloc(h.timecnt + 1, 1);
	if (!tz->times || !tz->idx)
		goto fail;
	for (size_t i = 0; i < h.timecnt; i++) {
		tz->times[i] = tsize == 8 ? be64(p + i * 8)
					  : (int64_t)(int32_t)be32(p + i * 4);
		if (i && tz->times[i] <= tz->times[i - 1])
			goto bad;
	}
	p += h.timecnt * tsize;
	for (size_t i = 0; i < h.timecnt; i++) {
		if (p[i] >= h.typecnt)
			goto bad;
		tz->idx[i] = p[i];
	}
	p += h.timecnt;
	tz->n_types = h.typecnt;
	for (size_t i = 0; i < h.typecnt; i++) {
		int32_t off = (int32_t)be32(p + i * 6);
		if (off <= -25 * 3600 || off >= 26 * 3600)
			goto bad;
		tz->offsets[i] = off;
	}
	p += h.typecnt * 6 + h.charcnt + h.isstdcnt + h.isutcnt;
	left -= blen;
	if (tsize == 8 && left >= 2 && p[0] == '\n') {
		const unsigned char *nl = memchr(p + 1, '\n', left - 1);
		if (!nl || nl - p > 128)
			goto bad;
		char footer[130];
		memcpy(footer, p + 1, (size_t)(nl - p - 1));
		footer[nl - p - 1] = 0;
		if (footer[0] && tz_footer_parse(tz, footer) < 0)
			goto bad;
	}
	*out = tz;
	tz = NULL;
	rc = 0;
	goto fail;
bad:
	co_set_err(err, errcap, "not a valid TZif zone file");
fail:
	co_tz_free(tz);
	return rc;
}

void co_tz_free(co_tz *tz)
{
	if (!tz)
		return;
	free(tz->times);
	free(tz->idx);
	free(tz);
}

int co_tz_load(co_tz **out, const char *name, char *err, size_t errcap)
{
	int rc = -1;
	FILE *f = NULL;
	unsigned char *data = NULL;
	*out = NULL;
	if (!co_tz_name_valid(name)) {
		co_set_err(err, errcap, "\"%s\" is not an IANA time zone name",
		    name ? name : "");
		goto done;
	}
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
		co_tz *tz = calloc(1, sizeof(*tz));
		if (!tz)
			goto done;
		tz->n_types = 1;
		*out = tz;
		rc = 0;
		goto done;
	}
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f) {
		co_set_err(err, errcap,
		    "no time zone \"%s\" in the IANA database (%s)", name, dir);
		goto done;
	}
	data = malloc(TZ_MAX_FILE + 1);
	if (!data)
		goto done;
	size_t len = fread(data, 1, TZ_MAX_FILE + 1, f);
	if (len > TZ_MAX_FILE) {
		co_set_err(err, errcap, "\"%s\" is not a zone file", name);
		goto done;
	}
	if (co_tz_parse(out, data, len, err, errcap) < 0)
		goto done;
	rc = 0;
done:
	free(data);
	if (f)
		fclose(f);
	return rc;
}

int32_t co_tz_offset(const co_tz *tz, int64_t t)
{
	if (tz->n_times == 0)
		return tz->has_footer ? tz_footer_offset(tz, t) : tz->offsets[0];
	if (t < tz->times[0])
		return tz->offsets[0];
	if (t >= tz->times[tz->n_times - 1] && tz->has_footer)
		return tz_footer_offset(tz, t);
	size_t lo = 0, hi = tz->n_times; /* times[lo] <= t < times[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->offsets[tz->idx[lo]];
}

int co_tz_local_to_utc(const co_tz *tz, int64_t local, int64_t *utc)
{
	/* The offsets in force a day either side bracket any transition
	 * near this wall time (zones never change twice within a day). */
	int32_t cand[2] = {co_tz_offset(tz, local - 86400),
	    co_tz_offset(tz, local + 86400)};
	int found = 0;
	int64_t best = 0;
	for (int i = 0; i < 2; i++) {
		if (i == 1 && cand[1] == cand[0])
			break;
		int64_t u = local - cand[i];
		if (co_tz_offset(tz, u) != cand[i])
			continue;
		if (!found || u < best)
			best = u;
		found++;
	}
	if (!found)
		return -1;
	*utc = best;
	return found > 1 ? 1 : 0;
}
