/* Fuzz target for the user-facing text parsers of costops_schedule:
 * EventBridge cron expressions, dates and RFC 3339 times. The input is
 * split on the first newline: cron expression, then a date/time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cron.h"
#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char *second = strchr(s, '\n');
	if (second)
		*second++ = '\0';
	char err[256];
	co_cron c;
	if (co_cron_parse(&c, s, err, sizeof(err)) == 0) {
		co_tz *utc = NULL;
		if (co_tz_load(&utc, "UTC", err, sizeof(err)) == 0) {
			int64_t next = 0, after = 1774746000;
			for (int i = 0; i < 3 && co_cron_next(&c, utc, after,
							&next) == 0;
			     i++)
				after = next;
			co_tz_free(utc);
		}
		(void)co_cron_day_matches(&c, 2026, 3, 29);
	}
	if (second) {
		int64_t v = 0;
		(void)co_parse_date(second, &v);
		(void)co_parse_rfc3339(second, &v);
	}
	free(s);
	return 0;
}
