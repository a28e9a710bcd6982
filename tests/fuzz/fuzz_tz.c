/* Fuzz target for the TZif zone-file parser (zone files are read from the
 * machine, but a corrupted or hostile one must not overrun), then the
 * conversions that use a parsed zone. */
#include <stdint.h>
#include <stdlib.h>

#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	co_tz *tz = NULL;
	if (co_tz_parse(&tz, data, size, err, sizeof(err)) < 0)
		return 0;
	static const int64_t instants[] = {0, 1774746000, 1792890000,
	    -2208988800LL, 4102444800LL};
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		int64_t utc = 0;
		(void)co_tz_offset(tz, instants[i]);
		(void)co_tz_local_to_utc(tz, instants[i], &utc);
	}
	co_tz_free(tz);
	return 0;
}
