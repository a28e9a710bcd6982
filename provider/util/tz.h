/* Time zones and civil dates without the C library's global TZ state: a
 * small, bounded reader of TZif files (RFC 8536, the v2+ 64-bit section and
 * its POSIX TZ footer) from the system zoneinfo directory, and the
 * proleptic Gregorian calendar arithmetic around it. Thread-safe: nothing
 * is shared between calls. */
#ifndef CO_TZ_H
#define CO_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct co_tz co_tz;

/* True when name is a plausible IANA zone name: 1-64 characters of
 * [A-Za-z0-9_+-] in '/'-separated parts, no part "." or "..", no leading
 * '/'. Keeps the name from reaching outside the zoneinfo directory. */
bool co_tz_name_valid(const char *name);

/* Loads zone `name` from $TZDIR or /usr/share/zoneinfo ("UTC" needs no
 * file). Returns 0 and a zone to free with co_tz_free, or -1 with a
 * sentence in err. */
int co_tz_load(co_tz **out, const char *name, char *err, size_t errcap);

/* Parses a TZif image (exposed for tests). Same contract as co_tz_load. */
int co_tz_parse(co_tz **out, const unsigned char *data, size_t len, char *err,
    size_t errcap);
void co_tz_free(co_tz *tz);

/* Seconds east of UTC in force at the UTC instant t. */
int32_t co_tz_offset(const co_tz *tz, int64_t t);

/* The UTC instant of a local wall-clock time (seconds since 1970-01-01T00:00
 * as if the wall clock were UTC). Returns 0; 1 when the wall time occurs
 * twice (fall back), with the earlier instant; -1 when it does not occur
 * (spring forward). */
int co_tz_local_to_utc(const co_tz *tz, int64_t local, int64_t *utc);

/* ---- civil calendar ------------------------------------------------------ */

/* Days since 1970-01-01 of a Gregorian date (Howard Hinnant's algorithm). */
int64_t co_days_from_civil(int64_t y, unsigned m, unsigned d);
void co_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* 0 = Sunday ... 6 = Saturday. */
unsigned co_weekday_from_days(int64_t days);
unsigned co_days_in_month(int64_t y, unsigned m);

/* "YYYY-MM-DD" into days since the epoch; -1 when malformed or not a real
 * date. */
int co_parse_date(const char *s, int64_t *days);

/* RFC 3339 "2026-03-25T12:00:00Z" or with an offset ("+01:00"); seconds
 * required, fractions ignored. 0 or -1. */
int co_parse_rfc3339(const char *s, int64_t *utc);

/* Writes t as RFC 3339 in local time with its offset
 * ("2026-03-29T19:00:00+02:00"; "Z" is never used). 0 or -1. */
int co_format_rfc3339(char *out, size_t cap, int64_t t, int32_t offset);

#endif
