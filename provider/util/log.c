#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "buf.h"

static co_log_level min_level = CO_LOG_OFF;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *level_names[] = {"trace", "debug", "info", "warn", "error"};

static co_log_level parse_level(const char *s)
{
	if (!s || !*s)
		return CO_LOG_OFF;
	for (int i = 0; i <= CO_LOG_ERROR; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return (co_log_level)i;
	if (strcasecmp(s, "off") == 0)
		return CO_LOG_OFF;
	/* Terraform treats any other non-empty value as TRACE. */
	return CO_LOG_TRACE;
}

void co_log_init(void)
{
	const char *v = getenv("TF_LOG_PROVIDER");
	if (!v || !*v)
		v = getenv("TF_LOG");
	min_level = parse_level(v);
	if (getenv("COSTOPS_LOG")) /* direct runs and tests */
		min_level = parse_level(getenv("COSTOPS_LOG"));
}

void co_log_set_level(co_log_level level)
{
	min_level = level;
}

int co_log_enabled(co_log_level level)
{
	return level >= min_level && level < CO_LOG_OFF;
}

static void json_escape(co_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': co_buf_puts(b, "\\\""); break;
		case '\\': co_buf_puts(b, "\\\\"); break;
		case '\n': co_buf_puts(b, "\\n"); break;
		case '\r': co_buf_puts(b, "\\r"); break;
		case '\t': co_buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				co_buf_printf(b, "\\u%04x", *p);
			else
				co_buf_putc(b, (char)*p);
		}
	}
}

void co_log(co_log_level level, const char *fmt, ...)
{
	if (!co_log_enabled(level))
		return;
	co_buf msg, line;
	co_buf_init(&msg, 60000); /* the CLI reads stderr with 64 KiB lines */
	co_buf_init(&line, 64000);
	va_list ap;
	va_start(ap, fmt);
	co_buf_vprintf(&msg, fmt, ap);
	va_end(ap);

	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[64];
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)tv.tv_usec);

	co_buf_printf(&line, "{\"@level\":\"%s\",\"@message\":\"",
	    level_names[level]);
	json_escape(&line, co_buf_cstr(&msg));
	co_buf_printf(&line,
	    "\",\"@module\":\"costops\",\"@timestamp\":\"%s\"}\n", ts);

	pthread_mutex_lock(&log_lock);
	fputs(co_buf_cstr(&line), stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
	co_buf_free(&msg);
	co_buf_free(&line);
}
